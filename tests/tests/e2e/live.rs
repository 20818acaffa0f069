//! The change feed and live subscriptions: commit order, tombstones, visibility, graphql-ws with
//! the token in `connection_init`, and a write through one instance reaching a subscriber of
//! another.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use ucap_tests::{TestApp, on_postgres, spawn_app_with};

use super::writes::{Partners, partners, partners_on};

pub(crate) const CREATE: &str = "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id version } } }";
const CHANGES: &str = "query($after: String) { changes(first: 50, after: $after) { totalCount pageInfo { endCursor } nodes { sequence operation recordKind recordId fields tombstone node { id ... on Activity { title } } } } }";

/// The input of a meeting of the sample plan.
pub(crate) fn activity(title: &str, draft: bool) -> Value {
    json!({ "input": { "plan": "UGxhbjox", "title": title, "kind": "MEETING", "date": "2022", "draft": draft } })
}

/// The entries of a `changes` page.
pub(crate) fn nodes(r: &Value) -> Vec<Value> {
    r["data"]["changes"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .clone()
}

#[tokio::test]
async fn the_change_feed_lists_writes_in_commit_order_with_tombstones_and_honours_visibility() {
    let p = partners().await;
    let public = p
        .app
        .graphql_as(&p.editor_a, CREATE, activity("Public meeting", false))
        .await;
    let public_id = public["data"]["createActivity"]["activity"]["id"].clone();
    let draft = p
        .app
        .graphql_as(&p.editor_a, CREATE, activity("Draft meeting", true))
        .await;
    let draft_id = draft["data"]["createActivity"]["activity"]["id"].clone();
    assert!(draft_id.is_string(), "{draft}");

    // Anonymous readers see the public write only; the plan's organization sees both.
    let anonymous = nodes(&p.app.graphql(CHANGES, json!({})).await);
    // The first entry is the import of the bundled sample at start-up.
    assert_eq!(
        (
            &anonymous[0]["recordId"],
            &anonymous[0]["operation"],
            &anonymous[0]["fields"]
        ),
        (&json!("UGxhbjox"), &json!("CREATED"), &json!(["import"])),
        "{anonymous:?}"
    );
    let ids: Vec<&Value> = anonymous.iter().map(|n| &n["recordId"]).collect();
    assert!(
        ids.contains(&&public_id) && !ids.contains(&&draft_id),
        "{anonymous:?}"
    );
    let member = p.app.graphql_as(&p.editor_a, CHANGES, json!({})).await;
    let entries = nodes(&member);
    let ids: Vec<&Value> = entries.iter().map(|n| &n["recordId"]).collect();
    assert!(
        ids.contains(&&public_id) && ids.contains(&&draft_id),
        "{entries:?}"
    );
    let sequences: Vec<i64> = entries
        .iter()
        .filter_map(|n| n["sequence"].as_i64())
        .collect();
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");
    let created = entries
        .iter()
        .find(|n| n["recordId"] == public_id)
        .unwrap_or_else(|| panic!("{entries:?}"));
    assert_eq!(created["operation"], "CREATED");
    assert_eq!(created["node"]["title"], "Public meeting");
    assert_eq!(created["tombstone"], false);

    // Read on from the cursor: only what committed since, a deletion as a tombstone.
    let cursor = member["data"]["changes"]["pageInfo"]["endCursor"].clone();
    let deleted = p
        .app
        .graphql_as(
            &p.editor_a,
            "mutation($id: ID!) { deleteActivity(id: $id, version: 1) { deletedId } }",
            json!({ "id": public_id }),
        )
        .await;
    assert!(deleted["errors"].is_null(), "{deleted}");
    let since = nodes(
        &p.app
            .graphql_as(&p.editor_a, CHANGES, json!({ "after": cursor }))
            .await,
    );
    assert_eq!(since.len(), 1, "{since:?}");
    assert_eq!(since[0]["operation"], "DELETED");
    assert_eq!(since[0]["recordId"], public_id);
    assert_eq!(since[0]["tombstone"], true);
    assert_eq!(since[0]["fields"], json!([]), "{since:?}");
    assert!(since[0]["node"].is_null());
    // The anonymous mirror learns of the deletion too (the record was public).
    let anonymous_since = nodes(&p.app.graphql(CHANGES, json!({ "after": cursor })).await);
    assert_eq!(anonymous_since.len(), 1, "{anonymous_since:?}");
}

/// A graphql-ws (graphql-transport-ws) client.
pub(crate) struct Ws {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Ws {
    pub(crate) async fn connect(app: &TestApp, token: Option<&str>) -> Result<Self, String> {
        Self::connect_at(&app.address, token).await
    }

    /// Like [`connect`](Self::connect), to the server at `address` (`http://…`).
    pub(crate) async fn connect_at(address: &str, token: Option<&str>) -> Result<Self, String> {
        let mut ws = Self::open_at(address, Some("graphql-transport-ws")).await?;
        match ws.init(token).await {
            Some(m) if m["type"] == "connection_ack" => Ok(ws),
            other => Err(format!("no ack: {other:?}")),
        }
    }

    /// The upgraded connection, before `connection_init`, offering `protocol`.
    pub(crate) async fn open(app: &TestApp, protocol: Option<&str>) -> Result<Self, String> {
        Self::open_at(&app.address, protocol).await
    }

    async fn open_at(address: &str, protocol: Option<&str>) -> Result<Self, String> {
        let url = format!("{}/graphql/ws", address.replacen("http", "ws", 1));
        let mut request = url.into_client_request().map_err(|e| e.to_string())?;
        if let Some(protocol) = protocol {
            request.headers_mut().insert(
                "sec-websocket-protocol",
                protocol.parse().map_err(|_| "header")?,
            );
        }
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Self { socket })
    }

    /// Sends `connection_init` with the token (if any) and returns the answer.
    pub(crate) async fn init(&mut self, token: Option<&str>) -> Option<Value> {
        let payload = match token {
            Some(t) => json!({ "Authorization": format!("Bearer {t}") }),
            None => json!({}),
        };
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        self.next_message(Duration::from_secs(5)).await
    }

    /// Sends a text frame as it is.
    pub(crate) async fn send_text(&mut self, text: &str) {
        self.socket
            .send(Message::Text(text.to_owned().into()))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// The `extensions` of the first error the server answers operation `id` with (an `error`
    /// message, or errors in its `next`).
    pub(crate) async fn error_extensions(&mut self, id: &str) -> Value {
        while let Some(message) = self.next_message(Duration::from_secs(10)).await {
            if message["id"] != id || message["type"] == "complete" {
                continue;
            }
            let errors = match message["type"].as_str() {
                Some("error") => &message["payload"],
                _ => &message["payload"]["errors"],
            };
            return errors[0]["extensions"].clone();
        }
        panic!("no answer to {id}")
    }

    /// The code the server closes the connection with, reading (and dropping) other messages
    /// meanwhile; None when it stays open for `wait`.
    pub(crate) async fn close_code(&mut self, wait: Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()??;
            match message {
                Ok(Message::Close(frame)) => return frame.map(|f| u16::from(f.code)),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }

    pub(crate) async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    pub(crate) async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next protocol message other than pings, or None on timeout or close.
    pub(crate) async fn next_message(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()??
                .ok()?;
            match message {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(&text).ok()?;
                    if value["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    if value["type"] == "pong" {
                        continue;
                    }
                    return Some(value);
                }
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }
}

const ADDED: &str = "subscription { activityAdded { id title organizations { name } } }";

#[tokio::test]
async fn a_subscriber_is_told_of_activities_added_that_it_may_see() {
    let p = partners().await;
    let mut anonymous = Ws::connect(&p.app, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    anonymous.subscribe("a", ADDED, json!({})).await;
    let mut member = Ws::connect(&p.app, Some(&p.editor_a))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    member.subscribe("m", ADDED, json!({})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let draft = p
        .app
        .graphql_as(&p.editor_a, CREATE, activity("Draft visit", true))
        .await;
    assert!(draft["errors"].is_null(), "{draft}");
    let public = p
        .app
        .graphql_as(&p.editor_a, CREATE, activity("Public visit", false))
        .await;
    assert!(public["errors"].is_null(), "{public}");

    let first = member.next_message(Duration::from_secs(10)).await;
    let second = member.next_message(Duration::from_secs(10)).await;
    let titles: Vec<&Value> = [&first, &second]
        .iter()
        .filter_map(|m| m.as_ref())
        .map(|m| &m["payload"]["data"]["activityAdded"]["title"])
        .collect();
    assert_eq!(
        titles,
        [&json!("Draft visit"), &json!("Public visit")],
        "{first:?} {second:?}"
    );
    // The anonymous subscriber gets the public one only.
    let seen = anonymous.next_message(Duration::from_secs(10)).await;
    assert_eq!(
        seen.as_ref()
            .map(|m| &m["payload"]["data"]["activityAdded"]["title"]),
        Some(&json!("Public visit")),
        "{seen:?}"
    );
    assert_eq!(
        seen.as_ref()
            .map(|m| &m["payload"]["data"]["activityAdded"]["organizations"]),
        Some(&json!([{ "name": "Partner University A" }]))
    );
    assert!(
        anonymous
            .next_message(Duration::from_millis(500))
            .await
            .is_none(),
        "the draft leaked"
    );
}

#[tokio::test]
async fn a_forged_token_in_connection_init_is_refused() {
    let p = partners().await;
    let refused = Ws::connect(&p.app, Some("not.a.token")).await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn a_write_through_one_instance_reaches_a_subscriber_of_another() {
    // Feed polling is slowed to a minute on the subscriber's instance, so on PostgreSQL only a
    // notification (LISTEN/NOTIFY) can deliver the event within the test's ten seconds. On SQLite
    // (one file, two processes' worth of instances) the poll is what carries it.
    let writer: Partners = partners().await;
    let url = writer.app.database_url.clone();
    let poll = if on_postgres() { 60 } else { 1 };
    let reader = spawn_app_with(|s| {
        s.database_url = url;
        s.live_poll_interval = Duration::from_secs(poll);
    })
    .await;
    let other = partners_on(reader, &writer);
    let mut ws = Ws::connect(&other.app, Some(&other.admin))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ws.subscribe(
        "p",
        "subscription { planChanged(id: \"UGxhbjox\") { id activities(first: 1, orderBy: DATE_DESC) { totalCount } } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    let created = writer
        .app
        .graphql_as(
            &writer.editor_a,
            CREATE,
            activity("Cross-instance forum", false),
        )
        .await;
    assert!(created["errors"].is_null(), "{created}");
    let event = ws.next_message(Duration::from_secs(10)).await;
    assert_eq!(
        event
            .as_ref()
            .map(|m| &m["payload"]["data"]["planChanged"]["id"]),
        Some(&json!("UGxhbjox")),
        "{event:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_subscriber_is_told_of_mou_status_changes_matching_its_filter() {
    let p = partners().await;
    let created = p
        .app
        .graphql_as(
            &p.editor_a,
            "mutation($o: ID!) { createMou(input: { plan: \"UGxhbjox\", subject: \"Port cooperation\", parties: [{ organization: $o }, { city: \"Q2l0eToz\" }] }) { mou { id version } } }",
            json!({ "o": p.org_a }),
        )
        .await;
    let id = created["data"]["createMou"]["mou"]["id"].clone();
    assert!(id.is_string(), "{created}");
    let mut ws = Ws::connect(&p.app, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ws.subscribe(
        "s",
        "subscription { mouStatusChanged(filter: { status: [NEGOTIATING] }) { id status } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let change = "mutation($id: ID!, $v: Int!, $s: MouStatus!, $d: NaiveDate) { changeMouStatus(id: $id, version: $v, status: $s, signedOn: $d) { mou { version } } }";
    // An edit that is not a status change is not announced.
    let edit = p
        .app
        .graphql_as(
            &p.editor_a,
            "mutation($id: ID!) { updateMou(id: $id, version: 1, input: { subject: \"Port and logistics cooperation\" }) { mou { version } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(edit["errors"].is_null(), "{edit}");
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            change,
            json!({ "id": id, "v": 2, "s": "NEGOTIATING" }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let event = ws.next_message(Duration::from_secs(10)).await;
    assert_eq!(
        event
            .as_ref()
            .map(|m| &m["payload"]["data"]["mouStatusChanged"]),
        Some(&json!({ "id": id, "status": "NEGOTIATING" })),
        "{event:?}"
    );
    // Signed no longer matches the filter.
    let r = p
        .app
        .graphql_as(
            &p.editor_a,
            change,
            json!({ "id": id, "v": 3, "s": "SIGNED", "d": "2024-05-06" }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    assert!(ws.next_message(Duration::from_millis(800)).await.is_none());
}

#[tokio::test]
async fn a_record_that_stops_being_public_reaches_public_mirrors_as_a_tombstone() {
    let p = partners().await;
    let created = p
        .app
        .graphql_as(&p.editor_a, CREATE, activity("Soon withdrawn", false))
        .await;
    let id = created["data"]["createActivity"]["activity"]["id"].clone();
    let cursor =
        p.app.graphql(CHANGES, json!({})).await["data"]["changes"]["pageInfo"]["endCursor"].clone();
    let hidden = p
        .app
        .graphql_as(
            &p.editor_a,
            "mutation($id: ID!) { updateActivity(id: $id, version: 1, input: { draft: true }) { activity { draft } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        hidden["data"]["updateActivity"]["activity"]["draft"], true,
        "{hidden}"
    );
    let public = nodes(&p.app.graphql(CHANGES, json!({ "after": cursor })).await);
    assert_eq!(public.len(), 1, "{public:?}");
    assert_eq!(public[0]["recordId"], id);
    assert_eq!(public[0]["tombstone"], true);
    assert!(public[0]["node"].is_null());
    // The plan's organization still sees the record.
    let member = nodes(
        &p.app
            .graphql_as(&p.editor_a, CHANGES, json!({ "after": cursor }))
            .await,
    );
    assert_eq!(member[0]["tombstone"], false, "{member:?}");
    assert_eq!(member[0]["node"]["title"], "Soon withdrawn");
}
