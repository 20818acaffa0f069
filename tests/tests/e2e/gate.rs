//! One gate for every operation (issue 15): the whole document is bounded before validation, over
//! HTTP and the WebSocket; every WebSocket operation passes the token, allow-list, rate-limit and
//! scope checks of an HTTP request; a revoked or expired token, or shrunken rights, close the
//! socket; the connection itself is bounded (operations, connections, `connection_init`).

use std::time::Duration;

use serde_json::{Value, json};
use ucap::auth::Role;
use ucap::graphql::ids::NodeKind;
use ucap::persisted::sha256_hex;
use ucap_bench::attacks::{fragment_bomb, fragments};
use ucap_tests::{TestApp, error_code, spawn_app, spawn_app_with};

use super::live::Ws;
use super::writes::{key, partners};

const WAIT: Duration = Duration::from_secs(10);

/// The data of an operation over the WebSocket.
async fn ws_data(ws: &mut Ws, id: &str) -> Value {
    while let Some(message) = ws.next_message(WAIT).await {
        if message["id"] == id && message["type"] == "next" {
            return message["payload"].clone();
        }
        assert!(
            message["id"] != id || message["type"] != "error",
            "{message}"
        );
    }
    panic!("no answer to {id}")
}

async fn healthy(app: &TestApp) {
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_fragment_bomb_in_an_operation_not_selected_is_refused_before_validation() {
    let app = spawn_app().await;
    // 2^30 fields: async-graphql's validation would expand them for minutes; the client gives up
    // long before (and so does this test, on code that lets validation see the document).
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    for (document, operation) in [
        (fragment_bomb(30), Some("Small")),
        // Used by no operation at all.
        (format!("{{ __typename }}{}", fragments(30)), None),
    ] {
        let body = json!({ "query": document, "operationName": operation });
        let response = client
            .post(format!("{}/graphql", app.address))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("the server did not answer in time: {e}"));
        let body: Value = response.json().await.unwrap_or_default();
        assert_eq!(error_code(&body), Some("QUERY_TOO_COMPLEX"), "{body}");
    }
    // A wide, flat document within the text cap but over the document's expanded size.
    let list = vec!["1"; 3_000].join(",");
    let wide = format!(
        "{{ plans {{ nodes {{ ...F ...F ...F ...F ...F ...F ...F ...F ...F ...F }} }} }} \
         fragment F on Plan {{ activities(filter: {{ kind: [{list}] }}) {{ totalCount }} }}"
    );
    let body = app.graphql(&wide, json!({})).await;
    assert_eq!(error_code(&body), Some("QUERY_TOO_COMPLEX"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["reason"], "DOCUMENT_SIZE");
    healthy(&app).await;
}

#[tokio::test]
async fn a_fragment_bomb_over_the_websocket_is_refused_too() {
    let app = spawn_app().await;
    let mut ws = Ws::connect(&app, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ws.send(json!({ "id": "bomb", "type": "subscribe", "payload": {
        "query": fragment_bomb(30), "operationName": "Small" } }))
        .await;
    let error = ws.error_extensions("bomb").await;
    assert_eq!(error["code"], "QUERY_TOO_COMPLEX", "{error}");
    // The connection goes on.
    ws.subscribe("ok", "{ plans { totalCount } }", json!({}))
        .await;
    let data = ws_data(&mut ws, "ok").await;
    assert!(data["data"]["plans"]["totalCount"].is_number(), "{data}");
    healthy(&app).await;
}

const REVOKE: &str = "mutation($id: ID!) { revokeToken(id: $id) { record { id } } }";
const PRIVATE: &str = "query { plan(id: \"UGxhbjox\") { internalNote } }";

#[tokio::test]
async fn a_revoked_token_closes_its_websocket_and_runs_nothing_more() {
    let p = partners().await;
    let (editor, editor_id) = p.app.issue_token(Role::Editor, &[key(&p.org_a)]).await;
    let mut ws = Ws::connect(&p.app, Some(&editor))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ws.subscribe("before", PRIVATE, json!({})).await;
    let data = ws_data(&mut ws, "before").await;
    assert!(data["errors"].is_null(), "{data}");

    let revoked = p
        .app
        .graphql_as(
            &p.admin,
            REVOKE,
            json!({ "id": NodeKind::AccessToken.id(editor_id).0 }),
        )
        .await;
    assert!(revoked["errors"].is_null(), "{revoked}");
    // A write sent right after the revocation is not run: the connection is closed instead.
    ws.subscribe(
        "write",
        "mutation { createActivity(input: { plan: \"UGxhbjox\", title: \"After revocation\", kind: MEETING, date: \"2022\" }) { activity { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(ws.close_code(WAIT).await, Some(4403));
    let found = p
        .app
        .graphql(
            "{ activities(filter: { text: \"After revocation\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(found["data"]["activities"]["totalCount"], 0, "{found}");
}

#[tokio::test]
async fn a_websocket_is_closed_when_its_token_expires() {
    let p = partners().await;
    let issued = p
        .app
        .graphql_as(
            &p.admin,
            "mutation($org: ID!) { issueToken(input: { organization: $org, role: VIEWER, label: \"short\", expiresIn: 2 }) { token } }",
            json!({ "org": p.org_a }),
        )
        .await;
    let token = issued["data"]["issueToken"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{issued}"))
        .to_owned();
    let mut ws = Ws::connect(&p.app, Some(&token))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ws.subscribe("live", "subscription { activityAdded { id } }", json!({}))
        .await;
    assert_eq!(ws.close_code(WAIT).await, Some(4401));
}

#[tokio::test]
async fn a_websocket_whose_organization_leaves_the_plan_is_closed() {
    let p = partners().await;
    let mut ws = Ws::connect(&p.app, Some(&p.viewer_a))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ws.subscribe(
        "plan",
        "subscription { planChanged(id: \"UGxhbjox\") { id internalNote } }",
        json!({}),
    )
    .await;
    // The subscription is running before the organization leaves.
    ws.subscribe("ping", "{ __typename }", json!({})).await;
    ws_data(&mut ws, "ping").await;
    let removed = p
        .app
        .graphql_as(
            &p.admin,
            "mutation($o: ID!) { removePlanParticipant(plan: \"UGxhbjox\", organization: $o) { plan { id } } }",
            json!({ "o": p.org_a }),
        )
        .await;
    assert!(removed["errors"].is_null(), "{removed}");
    assert_eq!(ws.close_code(WAIT).await, Some(4403));
}

#[tokio::test]
async fn a_restricted_token_runs_only_its_allow_list_over_the_websocket_too() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let (partner, partner_id) = app.issue_token(Role::Viewer, &[1]).await;
    let listed = "query Listed { plans { totalCount } }";
    let registered = app
        .graphql_as(
            &admin,
            "mutation($doc: String!) { registerPersistedOperation(input: { name: \"listed\", document: $doc }) { sha256 } }",
            json!({ "doc": listed }),
        )
        .await;
    assert!(registered["errors"].is_null(), "{registered}");
    let set = app
        .graphql_as(
            &admin,
            "mutation($id: ID!, $ops: [String!]!) { setTokenOperations(id: $id, operations: $ops) { record { id } } }",
            json!({ "id": NodeKind::AccessToken.id(partner_id).0, "ops": [sha256_hex(listed)] }),
        )
        .await;
    assert!(set["errors"].is_null(), "{set}");
    let mut ws = Ws::connect(&app, Some(&partner))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ws.subscribe("listed", listed, json!({})).await;
    let data = ws_data(&mut ws, "listed").await;
    assert!(data["data"]["plans"]["totalCount"].is_number(), "{data}");
    for (id, document) in [
        (
            "unlisted",
            "query Unlisted { organizations { totalCount } }",
        ),
        ("live", "subscription { activityAdded { id } }"),
    ] {
        ws.subscribe(id, document, json!({})).await;
        let error = ws.error_extensions(id).await;
        assert_eq!(error["code"], "FORBIDDEN", "{error}");
    }
}

#[tokio::test]
async fn websocket_operations_draw_on_the_rate_limit_of_their_caller() {
    let app = spawn_app_with(|s| s.rate_limit_anonymous = 5).await;
    let mut ws = Ws::connect(&app, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut limited = 0;
    for i in 0..10 {
        let id = format!("q{i}");
        ws.subscribe(&id, "{ plans { totalCount } }", json!({}))
            .await;
        let answer = loop {
            let message = ws
                .next_message(WAIT)
                .await
                .unwrap_or_else(|| panic!("no answer to {id}"));
            if message["id"] == id.as_str() && message["type"] != "complete" {
                break message;
            }
        };
        if answer["type"] == "error" {
            assert_eq!(answer["payload"][0]["extensions"]["code"], "RATE_LIMITED");
            limited += 1;
        }
    }
    assert!(limited >= 5, "{limited} of 10 refused");
    // HTTP requests of the same address share the allowance.
    let body = app.graphql("{ plans { totalCount } }", json!({})).await;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
}

#[tokio::test]
async fn a_websocket_runs_a_bounded_number_of_operations() {
    let app = spawn_app_with(|s| s.ws_max_operations = 3).await;
    let mut ws = Ws::connect(&app, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for i in 0..3 {
        ws.subscribe(
            &format!("s{i}"),
            "subscription { activityAdded { id } }",
            json!({}),
        )
        .await;
    }
    ws.subscribe("s3", "subscription { activityAdded { id } }", json!({}))
        .await;
    let error = ws.error_extensions("s3").await;
    assert_eq!(error["code"], "RATE_LIMITED", "{error}");
    assert_eq!(error["reason"], "OPERATIONS", "{error}");
    // Completing one makes room.
    ws.send(json!({ "id": "s0", "type": "complete" })).await;
    ws.subscribe("q", "{ plans { totalCount } }", json!({}))
        .await;
    let data = ws_data(&mut ws, "q").await;
    assert!(data["data"]["plans"]["totalCount"].is_number(), "{data}");
}

#[tokio::test]
async fn connections_are_bounded_per_address_and_per_token() {
    let app = spawn_app_with(|s| {
        s.ws_max_connections_per_address = 3;
        s.ws_max_connections_per_token = 2;
    })
    .await;
    let (token, _) = app.issue_token(Role::Admin, &[]).await;
    let first = Ws::connect(&app, Some(&token)).await;
    let second = Ws::connect(&app, Some(&token)).await;
    assert!(first.is_ok() && second.is_ok());
    let mut third = Ws::open(&app, Some("graphql-transport-ws"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let answer = third.init(Some(&token)).await;
    assert!(answer.is_none(), "{answer:?}");
    // The address holds three connections now (the third closes as it is refused) …
    let _fourth = Ws::connect(&app, None).await;
    // … and one more is refused before the upgrade.
    let refused = Ws::open(&app, Some("graphql-transport-ws")).await;
    let error = refused.err().unwrap_or_default();
    assert!(error.contains("429"), "{error}");
    // A closed connection gives its place back.
    drop(first);
    let mut again = None;
    for _ in 0..50 {
        if let Ok(ws) = Ws::connect(&app, Some(&token)).await {
            again = Some(ws);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(again.is_some());
}

#[tokio::test]
async fn the_protocol_is_enforced_with_its_close_codes() {
    let app = spawn_app_with(|s| s.ws_init_timeout = Duration::from_secs(1)).await;
    // No connection_init in time.
    let mut idle = Ws::open(&app, Some("graphql-transport-ws"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(idle.close_code(WAIT).await, Some(4408));
    // Subscribe before the acknowledgement.
    let mut early = Ws::open(&app, Some("graphql-transport-ws"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    early.subscribe("a", "{ __typename }", json!({})).await;
    assert_eq!(early.close_code(WAIT).await, Some(4401));
    // Not a protocol message.
    let mut garbage = Ws::connect(&app, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    garbage.send_text("{\"type\":\"start\"}").await;
    assert_eq!(garbage.close_code(WAIT).await, Some(4400));
    // A second connection_init.
    let mut twice = Ws::connect(&app, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    twice.send(json!({ "type": "connection_init" })).await;
    assert_eq!(twice.close_code(WAIT).await, Some(4429));
    // An id still in use.
    let mut duplicate = Ws::connect(&app, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    duplicate
        .subscribe("same", "subscription { activityAdded { id } }", json!({}))
        .await;
    duplicate
        .subscribe("same", "subscription { activityAdded { id } }", json!({}))
        .await;
    assert_eq!(duplicate.close_code(WAIT).await, Some(4409));
    // A forged token at connection_init.
    let mut forged = Ws::open(&app, Some("graphql-transport-ws"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    forged
        .send(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer e30.e30.c2ln" } }))
        .await;
    assert_eq!(forged.close_code(WAIT).await, Some(4403));
    // Only graphql-transport-ws is spoken: the handshake does not select the legacy protocol,
    // which a client takes as a failed connection.
    let legacy = Ws::open(&app, Some("graphql-ws")).await;
    assert!(legacy.is_err());
}

#[tokio::test]
async fn websocket_errors_carry_a_code() {
    let app = spawn_app().await;
    let mut ws = Ws::connect(&app, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for (id, document) in [
        ("parse", "{ plans { "),
        ("unknown", "{ nosuchfield }"),
        ("missing", "query($id: ID!) { plan(id: $id) { id } }"),
        (
            "notfound",
            "subscription { planChanged(id: \"UGxhbjo5OTk5\") { id } }",
        ),
        (
            "write",
            "mutation { revokeToken(id: \"QWNjZXNzVG9rZW46MQ==\") { record { id } } }",
        ),
    ] {
        ws.subscribe(id, document, json!({})).await;
        let error = ws.error_extensions(id).await;
        assert!(error["code"].is_string(), "{id}: {error}");
    }
}

/// The value of a counter in `/metrics`.
async fn counter(app: &TestApp, name: &str) -> f64 {
    let (_, body) = app.metrics().await;
    body.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {body}"))
}

#[tokio::test]
async fn a_change_is_read_once_for_all_its_subscribers() {
    let p = partners().await;
    let added = "subscription { activityAdded { id title } }";
    let mut sockets = Vec::new();
    for _ in 0..3 {
        let mut ws = Ws::connect(&p.app, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for i in 0..40 {
            ws.subscribe(&format!("a{i}"), added, json!({})).await;
        }
        // Subscriptions are registered in order: an answered query means the ones before are.
        ws.subscribe("ready", "{ __typename }", json!({})).await;
        ws_data(&mut ws, "ready").await;
        sockets.push(ws);
    }
    let before = counter(&p.app, "ucap_live_records_read_total").await;
    let created = p
        .app
        .graphql_as(
            &p.editor_a,
            "mutation { createActivity(input: { plan: \"UGxhbjox\", title: \"Fan-out\", kind: MEETING, date: \"2022\" }) { activity { id } } }",
            json!({}),
        )
        .await;
    assert!(created["errors"].is_null(), "{created}");
    for ws in &mut sockets {
        let mut told = 0;
        while told < 40 {
            let message = ws
                .next_message(WAIT)
                .await
                .unwrap_or_else(|| panic!("{told} of 40 subscribers told"));
            if message["type"] == "next" {
                assert_eq!(
                    message["payload"]["data"]["activityAdded"]["title"],
                    "Fan-out"
                );
                told += 1;
            }
        }
    }
    let after = counter(&p.app, "ucap_live_records_read_total").await;
    assert_eq!(after - before, 1.0, "120 subscribers, one read");
}
