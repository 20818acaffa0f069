//! Two `ucap serve` processes (CI's release build) on one PostgreSQL database behind a round-robin
//! TCP proxy, as replicas behind the load balancer of docker-compose: a write through one is read
//! and announced through the other, a token revoked through one is refused by the other at once,
//! a token's rate limit is one across both, and killing one under load loses no write it
//! acknowledged. SQLite is one process's file: these
//! are PostgreSQL deployments only.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use ucap::auth::Role;
use ucap::graphql::ids::NodeKind;
use ucap_tests::process::ServerProcess;
use ucap_tests::propagation::{ME, PUSHED_WITHIN, first_unauthenticated};
use ucap_tests::proxy::Proxy;
use ucap_tests::{TestDb, error_code, graphql_at, issue_token, on_postgres, settings_for};

use super::live::{CREATE, Ws, activity};

/// The per-instance limits are off (every client here is one loopback address and one admin
/// token), and the feed is re-read only once a minute, so that only the push at commit (LISTEN/
/// NOTIFY) can bring a write of one instance to the other's subscribers within a test's bounds.
const ENV: &[(&str, &str)] = &[
    ("UCAP_RATE_LIMIT_ANONYMOUS", "0"),
    ("UCAP_RATE_LIMIT_TOKEN", "0"),
    ("UCAP_RATE_LIMIT_ADMIN", "0"),
    ("UCAP_COST_BUDGET_ANONYMOUS", "0"),
    ("UCAP_COST_BUDGET_TOKEN", "0"),
    ("UCAP_COST_BUDGET_ADMIN", "0"),
    ("UCAP_REFUSAL_DELAY", "0"),
    ("UCAP_LIVE_POLL_INTERVAL", "60"),
];

/// Two instances on a fresh database, the proxy in front of them (`a` first) and an admin token.
struct ScaleOut {
    a: ServerProcess,
    b: ServerProcess,
    proxy: Proxy,
    url: String,
    admin: String,
    _logs: tempfile::TempDir,
    _db: TestDb,
}

impl ScaleOut {
    async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// With `env` over [`ENV`].
    async fn start_with(env: &[(&str, &str)]) -> Self {
        let (db, url) = TestDb::create().await.unwrap_or_else(|e| panic!("{e}"));
        let logs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let binary = crate::server_binary();
        let env: Vec<_> = ENV.iter().chain(env).copied().collect();
        // Started together, as replicas are: they migrate the empty database one at a time.
        let (a, b) = tokio::join!(
            ServerProcess::start(&binary, &url, &env, logs.path()),
            ServerProcess::start(&binary, &url, &env, logs.path()),
        );
        let proxy = Proxy::start(&[&a.address, &b.address]).await;
        let (admin, _) = issue_token(&settings_for(&url), Role::Admin, &[]).await;
        Self {
            a,
            b,
            proxy,
            url,
            admin,
            _logs: logs,
            _db: db,
        }
    }
}

/// The body of `query` sent to `address` as `token` on a connection of its own, so that through
/// the proxy each call goes to the next instance.
async fn graphql(address: &str, token: &str, query: &str, variables: Value) -> Value {
    let (_, _, body) = graphql_at(
        &reqwest::Client::new(),
        address,
        &format!("Bearer {token}"),
        query,
        variables,
    )
    .await
    .unwrap_or_else(|e| panic!("{address}: {e}"));
    body
}

/// The ID of a published activity titled `title`, created through the server at `address`.
async fn create_activity(address: &str, token: &str, title: &str) -> Value {
    let created = graphql(address, token, CREATE, activity(title, false)).await;
    let id = created["data"]["createActivity"]["activity"]["id"].clone();
    assert!(id.is_string(), "{created}");
    id
}

const CREATE_ORGANIZATION: &str = "mutation($name: String!) { createOrganization(input: { name: $name, kind: UNIVERSITY }) { organization { id } } }";

/// The ID of the organization a `createOrganization` answer says it created.
fn created_organization(body: &Value) -> Option<&str> {
    if !body["errors"].is_null() {
        return None;
    }
    body["data"]["createOrganization"]["organization"]["id"].as_str()
}

/// The names of the organizations `ids` as the server at `address` reads them, `None` for any it
/// does not find; in the order of `ids`, a hundred (`nodes`'s most) a request.
async fn organization_names(address: &str, token: &str, ids: &[&str]) -> Vec<Option<String>> {
    let mut names = Vec::new();
    for chunk in ids.chunks(100) {
        let body = graphql(
            address,
            token,
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Organization { name } } }",
            json!({ "ids": chunk }),
        )
        .await;
        let nodes = body["data"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"));
        assert_eq!(nodes.len(), chunk.len(), "{body}");
        names.extend(nodes.iter().map(|n| n["name"].as_str().map(str::to_owned)));
    }
    names
}

#[tokio::test]
async fn a_write_through_one_instance_is_read_through_the_other() {
    if !on_postgres() {
        return;
    }
    let s = ScaleOut::start().await;
    // Written on A and read on B; then through the proxy, where each connection goes to the next
    // instance: the write to one, the read to the other.
    for (name, write, read) in [
        ("Written Through A University", &s.a.address, &s.b.address),
        (
            "Written Through The Proxy University",
            &s.proxy.address,
            &s.proxy.address,
        ),
    ] {
        let created = graphql(
            write,
            &s.admin,
            CREATE_ORGANIZATION,
            json!({ "name": name }),
        )
        .await;
        let id = created_organization(&created).unwrap_or_else(|| panic!("{created}"));
        assert_eq!(
            organization_names(read, &s.admin, &[id]).await,
            [Some(name.to_owned())]
        );
    }
}

#[tokio::test]
async fn a_subscription_on_one_instance_receives_a_write_made_on_the_other() {
    if !on_postgres() {
        return;
    }
    let s = ScaleOut::start().await;
    // One subscriber on B, one through the proxy (its first connection: A, so the write below is
    // also announced by the instance that made it, and the proxy is seen to carry an upgrade).
    let mut subscribers = Vec::new();
    for address in [&s.b.address, &s.proxy.address] {
        let mut ws = Ws::connect_at(address, Some(&s.admin))
            .await
            .unwrap_or_else(|e| panic!("{address}: {e}"));
        ws.subscribe(
            "added",
            "subscription { activityAdded { id title } }",
            json!({}),
        )
        .await;
        subscribers.push(ws);
    }
    // graphql-transport-ws does not acknowledge a subscription: give the servers a moment to
    // start them before the write.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = &create_activity(&s.a.address, &s.admin, "Forum written on A").await;
    let written = Instant::now();
    for ws in &mut subscribers {
        let event = ws.next_message(Duration::from_secs(5)).await;
        assert_eq!(
            event
                .as_ref()
                .map(|m| &m["payload"]["data"]["activityAdded"]),
            Some(&json!({ "id": id, "title": "Forum written on A" })),
            "{event:?}"
        );
    }
    eprintln!(
        "a write on A announced by both instances {:?} after it returned",
        written.elapsed()
    );
}

#[tokio::test]
async fn a_token_revoked_on_one_instance_is_refused_by_the_other_within_100_ms() {
    if !on_postgres() {
        return;
    }
    let s = ScaleOut::start().await;
    let (viewer, viewer_id) = issue_token(&settings_for(&s.url), Role::Viewer, &[1]).await;
    // B accepts the token first, so it holds the record in its cache: only a push refuses it
    // there before the cache lifetime (seconds) is out.
    assert_eq!(
        graphql(&s.b.address, &viewer, ME, json!({})).await["data"]["me"]["role"],
        "VIEWER"
    );
    let revoked = graphql(
        &s.a.address,
        &s.admin,
        "mutation($id: ID!) { revokeToken(id: $id) { record { id } } }",
        json!({ "id": NodeKind::AccessToken.id(viewer_id).0 }),
    )
    .await;
    assert!(revoked["errors"].is_null(), "{revoked}");
    let refused = first_unauthenticated(&s.b.address, &viewer).await;
    eprintln!("revoked on A, B's first refusal: {refused}");
    assert!(refused.sent < PUSHED_WITHIN, "{refused}");
}

/// Writers through the proxy, how long they write, and when A is killed.
const WRITERS: usize = 8;
const LOAD: Duration = Duration::from_secs(3);
const KILL_AFTER: Duration = Duration::from_secs(1);

/// One write of the load: when it was sent, the name it wrote and the ID it was acknowledged
/// with, or why it was not.
struct Write {
    sent: Instant,
    name: String,
    outcome: Result<String, Unacknowledged>,
}

enum Unacknowledged {
    /// No whole answer: the connection broke (A died under it, or had died behind it).
    Unanswered(anyhow::Error),
    /// An answer that is not an acknowledgment.
    Answered(u16, Value),
}

/// Creates organizations through the proxy until `until`, one request after the other on one
/// keep-alive connection while it lasts; a failed write is recorded and the next one goes on a
/// new connection (the proxy's next instance that accepts it).
async fn write_until(proxy: String, admin: String, writer: usize, until: Instant) -> Vec<Write> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let authorization = format!("Bearer {admin}");
    let mut writes = Vec::new();
    while Instant::now() < until {
        let name = format!("Load University {writer}-{}", writes.len());
        let sent = Instant::now();
        let answer = graphql_at(
            &client,
            &proxy,
            &authorization,
            CREATE_ORGANIZATION,
            json!({ "name": name }),
        )
        .await;
        let outcome = match answer {
            Ok((200, _, body)) => match created_organization(&body) {
                Some(id) => Ok(id.to_owned()),
                None => Err(Unacknowledged::Answered(200, body)),
            },
            Ok((status, _, body)) => Err(Unacknowledged::Answered(status, body)),
            Err(e) => Err(Unacknowledged::Unanswered(e.into())),
        };
        writes.push(Write {
            sent,
            name,
            outcome,
        });
    }
    writes
}

#[tokio::test]
async fn killing_one_instance_mid_load_loses_no_acknowledged_write() {
    if !on_postgres() {
        return;
    }
    let mut s = ScaleOut::start().await;
    let until = Instant::now() + LOAD;
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            tokio::spawn(write_until(
                s.proxy.address.clone(),
                s.admin.clone(),
                w,
                until,
            ))
        })
        .collect();
    tokio::time::sleep(KILL_AFTER).await;
    let killed = Instant::now();
    s.a.signal("KILL");
    s.a.wait(Duration::from_secs(10)).await;
    // From here on only B can acknowledge a write.
    let dead = Instant::now();
    let mut writes = Vec::new();
    for writer in writers {
        writes.extend(writer.await.unwrap_or_else(|e| panic!("{e}")));
    }

    let acknowledged: Vec<&Write> = writes.iter().filter(|w| w.outcome.is_ok()).collect();
    let before = acknowledged.iter().filter(|w| w.sent < killed).count();
    let after = acknowledged.iter().filter(|w| w.sent > dead).count();
    let mut unanswered = 0;
    for write in &writes {
        match &write.outcome {
            Ok(_) => {}
            Err(Unacknowledged::Unanswered(e)) => {
                unanswered += 1;
                eprintln!("{}: no answer: {e:#}", write.name);
            }
            // B answering anything but success is a fault of its own, not of A's death.
            Err(Unacknowledged::Answered(status, body)) => {
                panic!("{}: answered {status} {body}", write.name)
            }
        }
    }
    eprintln!(
        "{} writes: acknowledged {before} sent before the kill, {} while A died, {after} after; \
         {unanswered} got no answer",
        writes.len(),
        acknowledged.len() - before - after,
    );
    assert!(
        before > 0 && after > 0,
        "no write acknowledged on both sides of the kill"
    );

    let ids: Vec<&str> = acknowledged
        .iter()
        .filter_map(|w| w.outcome.as_ref().ok())
        .map(String::as_str)
        .collect();
    let read = organization_names(&s.b.address, &s.admin, &ids).await;
    let lost: Vec<&str> = acknowledged
        .iter()
        .zip(&read)
        .filter(|(w, name)| name.as_deref() != Some(w.name.as_str()))
        .map(|(w, _)| w.name.as_str())
        .collect();
    assert!(lost.is_empty(), "acknowledged but not on B: {lost:?}");
}

#[tokio::test]
async fn a_token_gets_one_rate_limit_across_the_instances_behind_the_proxy() {
    if !on_postgres() {
        return;
    }
    let s = ScaleOut::start_with(&[("UCAP_RATE_LIMIT_TOKEN", "10")]).await;
    let (viewer, _) = issue_token(&settings_for(&s.url), Role::Viewer, &[1]).await;
    // Each request on a connection of its own: the proxy sends them to A and B in turn, 8 each,
    // which either instance alone would answer.
    let mut answered = 0;
    for _ in 0..16 {
        let body = graphql(&s.proxy.address, &viewer, ME, json!({})).await;
        match error_code(&body) {
            None => answered += 1,
            Some("RATE_LIMITED") => {}
            Some(_) => panic!("{body}"),
        }
    }
    assert_eq!(answered, 10);
}

/// Caddy with the repository's `deploy/Caddyfile` in front of the instances, as docker-compose
/// runs it (its placeholders set to this machine's ports); `None` when Caddy is not installed and
/// `UCAP_REQUIRE_CADDY` is unset (CI installs it and sets it: then its absence fails).
struct Caddy {
    address: String,
    _process: tokio::process::Child,
    _home: tempfile::TempDir,
}

impl Caddy {
    async fn start(s: &ScaleOut) -> Option<Self> {
        let installed = std::process::Command::new("caddy")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !installed {
            assert!(
                std::env::var_os("UCAP_REQUIRE_CADDY").is_none(),
                "caddy is not installed (apt-get install caddy)"
            );
            eprintln!("caddy is not installed: skipped");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let replicas = [&s.a.address, &s.b.address]
            .map(|a| a.trim_start_matches("http://").to_owned())
            .join(" ");
        let home = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let caddyfile = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/Caddyfile");
        let process = tokio::process::Command::new("caddy")
            .args(["run", "--adapter", "caddyfile", "--config", caddyfile])
            .env("UCAP_PROXY_LISTEN", format!(":{port}"))
            .env("UCAP_REPLICAS", replicas)
            .env("UCAP_PROXY_ADMIN", "off")
            // Its certificates and state in a directory of this test's.
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start caddy: {e}"));
        let address = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let ready = reqwest::get(format!("{address}/readyz"))
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "caddy did not answer"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Some(Self {
            address,
            _process: process,
            _home: home,
        })
    }
}

#[tokio::test]
async fn behind_caddy_with_the_repository_caddyfile_clients_are_limited_by_their_own_address_and_a_dead_replica_is_skipped()
 {
    if !on_postgres() {
        return;
    }
    // Anonymous callers: 4 a minute per client address, trusted from the proxy (loopback).
    let mut s = ScaleOut::start_with(&[
        ("UCAP_RATE_LIMIT_ANONYMOUS", "4"),
        ("UCAP_TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    let Some(caddy) = Caddy::start(&s).await else {
        return;
    };
    // A client naming other addresses in X-Forwarded-For gets no more: Caddy replaces the header
    // with the address it sees, across both replicas.
    let client = reqwest::Client::new();
    let mut answered = 0;
    for i in 0..8 {
        let response = client
            .post(format!("{}/graphql", caddy.address))
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        match response.status().as_u16() {
            200 => answered += 1,
            429 => {}
            status => panic!("{status}: {:?}", response.text().await),
        }
    }
    assert_eq!(answered, 4, "{answered} of 8 answered");

    // A subscription through Caddy (a WebSocket upgrade) hears a write made on a replica.
    let mut ws = Ws::connect_at(&caddy.address, Some(&s.admin))
        .await
        .unwrap_or_else(|e| panic!("through caddy: {e}"));
    ws.subscribe("added", "subscription { activityAdded { id } }", json!({}))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = &create_activity(&s.b.address, &s.admin, "Heard through Caddy").await;
    let event = ws.next_message(Duration::from_secs(5)).await;
    assert_eq!(
        event
            .as_ref()
            .map(|m| &m["payload"]["data"]["activityAdded"]["id"]),
        Some(id),
        "{event:?}"
    );

    // One replica killed: Caddy's health check (every 2 s) takes it out. Until then a request Caddy
    // sends it fails with 502 (Debian's Caddy 2.6 does not send a POST to the other one instead).
    s.a.signal("KILL");
    s.a.wait(Duration::from_secs(10)).await;
    let killed = Instant::now();
    let (mut in_a_row, mut refused) = (0, 0);
    while in_a_row < 10 {
        let response = client
            .post(format!("{}/graphql", caddy.address))
            .bearer_auth(&s.admin)
            .json(&json!({ "query": ME }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        if status == 200 && text.contains("ADMIN") {
            in_a_row += 1;
        } else {
            assert_eq!(status, 502, "{text}");
            (in_a_row, refused) = (0, refused + 1);
        }
        assert!(
            killed.elapsed() < Duration::from_secs(10),
            "the dead replica was still chosen after 10 s ({refused} × 502)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "a replica killed: {refused} × 502 before Caddy answered 10 in a row from the other, {:?}",
        killed.elapsed()
    );
}
