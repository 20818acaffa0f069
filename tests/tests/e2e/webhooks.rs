//! Webhooks: a loopback receiver (an actix server on port 0 inside the test) gets the change feed
//! by push, as its organization sees it, signed per Standard Webhooks (verified here with our own
//! HMAC, not the server's code), in order per endpoint, through receiver outages and a SIGKILL of
//! the server; private addresses are refused without the allow-list; admins only.

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use ucap::auth::Role;
use ucap::settings::Settings;
use ucap_tests::process::ServerProcess;
use ucap_tests::{
    TestApp, TestDb, error_code, issue_token, partner_organizations, settings_for, spawn_app_with,
};

use super::writes::key;

const BIN: &str = env!("CARGO_BIN_EXE_ucap-server");
const PLAN: &str = "UGxhbjox";
const CREATE_ENDPOINT: &str = "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id url enabled eventTypes } } }";
const CREATE_ACTIVITY: &str = "mutation($input: CreateActivityInput!) { createActivity(input: $input) { activity { id version } } }";
const UPDATE_ACTIVITY: &str = "mutation($id: ID!, $v: Int!, $input: UpdateActivityInput!) { updateActivity(id: $id, version: $v, input: $input) { activity { version } } }";
const ENDPOINT: &str = "query($id: ID!) { webhookEndpoint(id: $id) { enabled disabledReason deliveries(first: 100) { nodes { id webhookId status attemptCount lastError attempts { attempt statusCode latencyMs error } } } } }";

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    raw: String,
    body: Value,
}

/// What the receiver got, and how it answers.
#[derive(Clone)]
struct Inbox {
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    delay_ms: Arc<AtomicU64>,
    /// Requests that arrived, answered yet or not.
    started: Arc<AtomicU64>,
}

impl Inbox {
    fn new() -> Self {
        Self {
            got: Arc::default(),
            status: Arc::new(AtomicU16::new(200)),
            delay_ms: Arc::new(AtomicU64::new(0)),
            started: Arc::new(AtomicU64::new(0)),
        }
    }

    fn all(&self) -> Vec<Received> {
        self.got
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// What arrived, once per `webhook-id` (a receiver's deduplication), in arrival order.
    fn unique(&self) -> Vec<Received> {
        let mut seen = HashSet::new();
        self.all()
            .into_iter()
            .filter(|r| seen.insert(r.id.clone()))
            .collect()
    }
}

/// A webhook receiver on a loopback port.
struct Receiver {
    port: u16,
    handle: actix_web::dev::ServerHandle,
}

impl Receiver {
    /// Listens on `port` (0: a free one) for `inbox`.
    fn start(inbox: &Inbox, port: u16) -> Self {
        let inbox = inbox.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(inbox.clone()))
                .default_service(web::to(receive))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("cannot bind the receiver: {e}"));
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self { port, handle }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks", self.port)
    }

    async fn stop(self) {
        self.handle.stop(false).await;
    }
}

async fn receive(req: HttpRequest, body: web::Bytes, inbox: web::Data<Inbox>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    inbox.started.fetch_add(1, Ordering::SeqCst);
    let raw = String::from_utf8_lossy(&body).into_owned();
    let received = Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: serde_json::from_str(&raw).unwrap_or(Value::Null),
        raw,
    };
    let delay = inbox.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let status = inbox.status.load(Ordering::SeqCst);
    if status == 200 {
        inbox
            .got
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(received);
    }
    HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status)
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR),
    )
    .body("receiver says so")
}

/// Standard Webhooks verification, written from the specification: HMAC-SHA256 with the base64
/// key after `whsec_` over `{id}.{timestamp}.{body}`; one of the space-separated `v1,` signatures
/// must match, and the timestamp must be within five minutes.
fn verifies(secret: &str, r: &Received) -> bool {
    let Some(key) = secret
        .strip_prefix("whsec_")
        .and_then(|k| STANDARD.decode(k).ok())
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        return false;
    };
    mac.update(format!("{}.{}.{}", r.id, r.timestamp, r.raw).as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    let fresh = r
        .timestamp
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    fresh
        && r.signature
            .split(' ')
            .filter_map(|s| s.strip_prefix("v1,"))
            .any(|s| s == expected)
}

/// Fast retries and the loopback receiver allowed.
fn fast(settings: &mut Settings) {
    settings.webhook_allowed_hosts = vec!["127.0.0.1".to_owned()];
    settings.webhook_poll_interval = Duration::from_millis(50);
    settings.webhook_retry_base_delay = Duration::from_millis(100);
    settings.webhook_retry_max_delay = Duration::from_millis(400);
    settings.webhook_timeout = Duration::from_secs(5);
}

async fn until(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Organization A takes part in plan 1; B does not.
struct Setup {
    app: TestApp,
    admin: String,
    editor_a: String,
    org_a: Value,
    org_b: Value,
}

async fn setup(adjust: impl FnOnce(&mut Settings)) -> Setup {
    let app = spawn_app_with(adjust).await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let orgs = partner_organizations(&app, &admin, &["Hook Partner A", "Hook Partner B"]).await;
    let (editor_a, _) = app.issue_token(Role::Editor, &[key(&orgs[0])]).await;
    Setup {
        app,
        admin,
        editor_a,
        org_a: orgs[0].clone(),
        org_b: orgs[1].clone(),
    }
}

/// Registers an endpoint; returns its ID and secret.
async fn register(app: &TestApp, admin: &str, input: Value) -> (Value, String) {
    let r = app
        .graphql_as(admin, CREATE_ENDPOINT, json!({ "input": input }))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let payload = &r["data"]["createWebhookEndpoint"];
    let secret = payload["secret"].as_str().unwrap_or_default().to_owned();
    assert!(secret.starts_with("whsec_"), "{r}");
    (payload["endpoint"]["id"].clone(), secret)
}

async fn create_activity(app: &TestApp, token: &str, title: &str, draft: bool) -> Value {
    let input = json!({ "plan": PLAN, "title": title, "date": "2021-03", "kind": "WORKSHOP", "draft": draft });
    let r = app
        .graphql_as(token, CREATE_ACTIVITY, json!({ "input": input }))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"]["createActivity"]["activity"]["id"].clone()
}

/// The feed sequences of what arrived, in arrival order.
fn sequences(got: &[Received]) -> Vec<i64> {
    got.iter()
        .map(|r| {
            r.body["data"]["sequence"]
                .as_i64()
                .unwrap_or_else(|| panic!("{}", r.raw))
        })
        .collect()
}

#[tokio::test]
async fn each_endpoint_receives_signed_in_order_what_its_organization_may_read_and_nothing_else() {
    let s = setup(fast).await;
    let (inbox_a, inbox_b) = (Inbox::new(), Inbox::new());
    let (rec_a, rec_b) = (Receiver::start(&inbox_a, 0), Receiver::start(&inbox_b, 0));
    let (_, secret_a) = register(
        &s.app,
        &s.admin,
        json!({ "organization": s.org_a, "url": rec_a.url(), "description": "A's mirror" }),
    )
    .await;
    let (_, secret_b) = register(
        &s.app,
        &s.admin,
        json!({ "organization": s.org_b, "url": rec_b.url(), "eventTypes": ["activity.created", "activity.updated"] }),
    )
    .await;

    let public = create_activity(&s.app, &s.editor_a, "Open workshop", false).await;
    let draft = create_activity(&s.app, &s.editor_a, "Confidential draft", true).await;
    let r = s
        .app
        .graphql_as(
            &s.editor_a,
            UPDATE_ACTIVITY,
            json!({ "id": public, "v": 1, "input": { "title": "Open workshop II", "internalNote": "budget at risk" } }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let r = s
        .app
        .graphql_as(
            &s.editor_a,
            UPDATE_ACTIVITY,
            json!({ "id": draft, "v": 1, "input": { "internalNote": "only for plan 1" } }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    // A deletion: A's endpoint subscribes to everything, B's to creations and updates only.
    let r = s
        .app
        .graphql_as(
            &s.editor_a,
            "mutation($id: ID!) { deleteActivity(id: $id, version: 2) { deletedId } }",
            json!({ "id": public }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");

    until("A's five deliveries", Duration::from_secs(30), async || {
        inbox_a.unique().len() >= 5
    })
    .await;
    until("B's two deliveries", Duration::from_secs(30), async || {
        inbox_b.unique().len() >= 2
    })
    .await;
    let (a, b) = (inbox_a.unique(), inbox_b.unique());
    assert_eq!(a.len(), 5, "{a:?}");
    for r in &a {
        assert!(verifies(&secret_a, r), "A's signature: {r:?}");
        assert!(
            !verifies(&secret_b, r),
            "signed with another endpoint's secret"
        );
    }
    for r in &b {
        assert!(verifies(&secret_b, r), "B's signature: {r:?}");
    }
    let seq = sequences(&a);
    assert!(seq.windows(2).all(|w| w[0] < w[1]), "out of order: {seq:?}");
    let types: Vec<&str> = a
        .iter()
        .map(|r| r.body["type"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        types,
        [
            "activity.created",
            "activity.created",
            "activity.updated",
            "activity.updated",
            "activity.deleted"
        ]
    );
    // A reads its plan's drafts and notes; the deletion is a tombstone.
    assert!(
        inbox_a
            .all()
            .iter()
            .any(|r| r.raw.contains("Confidential draft"))
    );
    assert_eq!(a[4].body["data"]["tombstone"], json!(true), "{}", a[4].raw);
    assert_eq!(a[4].body["data"]["node"], Value::Null);
    assert_eq!(a[3].body["data"]["node"]["internalNote"], "only for plan 1");

    // B gets the public creation and the update's public fields, nothing private; no deletion.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let b = inbox_b.unique();
    assert_eq!(b.len(), 2, "{b:?}");
    for r in inbox_b.all() {
        for secret in [
            "Confidential draft",
            "budget at risk",
            "only for plan 1",
            "internalNote\":\"",
        ] {
            assert!(!r.raw.contains(secret), "{secret} reached B: {}", r.raw);
        }
    }
    assert_eq!(b[0].body["data"]["recordId"], public);
    assert_eq!(
        b[1].body["data"]["fields"],
        json!(["title", "version"]),
        "{}",
        b[1].raw
    );
    assert_eq!(b[1].body["data"]["node"]["internalNote"], Value::Null);

    let (_, metrics) = s.app.metrics().await;
    assert!(
        metrics.contains("ucap_webhook_deliveries_total 7"),
        "{metrics}"
    );
    rec_a.stop().await;
    rec_b.stop().await;
}

#[tokio::test]
async fn deliveries_wait_out_a_receiver_that_is_down_and_all_arrive_in_order_once_it_is_up() {
    let s = setup(fast).await;
    let inbox = Inbox::new();
    let receiver = Receiver::start(&inbox, 0);
    let port = receiver.port;
    let url = receiver.url();
    receiver.stop().await;
    let (endpoint, secret) = register(
        &s.app,
        &s.admin,
        json!({ "organization": s.org_a, "url": url, "plan": PLAN }),
    )
    .await;
    for i in 0..5 {
        create_activity(&s.app, &s.editor_a, &format!("Outage {i}"), false).await;
    }
    // Attempts fail (connection refused) and are logged; the later deliveries wait their turn.
    until("failed attempts", Duration::from_secs(30), async || {
        let r = s
            .app
            .graphql_as(&s.admin, ENDPOINT, json!({ "id": endpoint }))
            .await;
        r["data"]["webhookEndpoint"]["deliveries"]["nodes"][0]["attemptCount"]
            .as_i64()
            .unwrap_or(0)
            >= 3
    })
    .await;
    let r = s
        .app
        .graphql_as(&s.admin, ENDPOINT, json!({ "id": endpoint }))
        .await;
    let deliveries = &r["data"]["webhookEndpoint"]["deliveries"]["nodes"];
    assert_eq!(deliveries.as_array().map(Vec::len), Some(5), "{r}");
    assert!(deliveries[0]["attempts"][0]["error"].is_string(), "{r}");
    assert_eq!(deliveries[0]["attempts"][0]["statusCode"], Value::Null);
    assert_eq!(
        deliveries[1]["attemptCount"], 0,
        "a later delivery jumped the line: {r}"
    );

    let receiver = Receiver::start(&inbox, port);
    until("all five", Duration::from_secs(30), async || {
        inbox.unique().len() >= 5
    })
    .await;
    let got = inbox.unique();
    assert!(got.iter().all(|r| verifies(&secret, r)));
    let titles: Vec<String> = got
        .iter()
        .map(|r| {
            r.body["data"]["node"]["title"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        titles,
        (0..5).map(|i| format!("Outage {i}")).collect::<Vec<_>>()
    );
    let r = s
        .app
        .graphql_as(&s.admin, ENDPOINT, json!({ "id": endpoint }))
        .await;
    let first = &r["data"]["webhookEndpoint"]["deliveries"]["nodes"][0];
    assert_eq!(first["status"], "DELIVERED", "{r}");
    let attempts = first["attempts"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        attempts.last().map(|a| a["statusCode"].clone()),
        Some(json!(200))
    );
    receiver.stop().await;
}

#[tokio::test]
async fn an_endpoint_failing_past_the_give_up_time_is_disabled_with_the_reason_and_redelivery_works()
 {
    let s = setup(|settings| {
        fast(settings);
        settings.webhook_give_up_after = Duration::from_millis(600);
    })
    .await;
    let inbox = Inbox::new();
    inbox.status.store(500, Ordering::SeqCst);
    let receiver = Receiver::start(&inbox, 0);
    let (endpoint, secret) = register(
        &s.app,
        &s.admin,
        json!({ "organization": s.org_a, "url": receiver.url() }),
    )
    .await;
    create_activity(&s.app, &s.editor_a, "Doomed delivery", false).await;
    until(
        "the endpoint disabled",
        Duration::from_secs(30),
        async || {
            let r = s
                .app
                .graphql_as(&s.admin, ENDPOINT, json!({ "id": endpoint }))
                .await;
            r["data"]["webhookEndpoint"]["enabled"] == json!(false)
        },
    )
    .await;
    let r = s
        .app
        .graphql_as(&s.admin, ENDPOINT, json!({ "id": endpoint }))
        .await;
    let reason = r["data"]["webhookEndpoint"]["disabledReason"]
        .as_str()
        .unwrap_or_default();
    assert!(reason.contains("HTTP 500"), "{r}");
    let delivery = &r["data"]["webhookEndpoint"]["deliveries"]["nodes"][0];
    assert_eq!(delivery["status"], "FAILED", "{r}");
    assert!(delivery["attemptCount"].as_i64() >= Some(2), "{r}");
    // Disabled: new changes are not queued for it.
    create_activity(&s.app, &s.editor_a, "While disabled", false).await;

    // The receiver is fixed; the secret rotated with an overlap; the admin redelivers and enables.
    inbox.status.store(200, Ordering::SeqCst);
    let rotate = "mutation($id: ID!) { rotateWebhookSecret(id: $id, overlapSeconds: 3600) { secret endpoint { previousSecretExpiresAt } } }";
    let r = s
        .app
        .graphql_as(&s.admin, rotate, json!({ "id": endpoint }))
        .await;
    let new_secret = r["data"]["rotateWebhookSecret"]["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        new_secret.starts_with("whsec_") && new_secret != secret,
        "{r}"
    );
    let redeliver =
        "mutation($id: ID!) { redeliverWebhook(id: $id) { delivery { status webhookId } } }";
    let r = s
        .app
        .graphql_as(&s.admin, redeliver, json!({ "id": delivery["id"] }))
        .await;
    assert_eq!(
        r["data"]["redeliverWebhook"]["delivery"]["status"], "PENDING",
        "{r}"
    );
    let enable = "mutation($id: ID!) { enableWebhookEndpoint(id: $id) { endpoint { enabled disabledReason } } }";
    let r = s
        .app
        .graphql_as(&s.admin, enable, json!({ "id": endpoint }))
        .await;
    assert_eq!(
        r["data"]["enableWebhookEndpoint"]["endpoint"]["disabledReason"],
        Value::Null,
        "{r}"
    );
    until("the redelivery", Duration::from_secs(30), async || {
        !inbox.unique().is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let got = inbox.unique();
    assert_eq!(got.len(), 1, "only the redelivered change: {got:?}");
    assert_eq!(
        got[0].id,
        delivery["webhookId"].as_str().unwrap_or_default()
    );
    // Signed with both secrets during the overlap.
    assert!(verifies(&secret, &got[0]) && verifies(&new_secret, &got[0]));
    assert_eq!(got[0].signature.split(' ').count(), 2);

    let log = "{ auditLog(first: 100, filter: { targetKind: \"WebhookEndpoint\" }) { nodes { action } } }";
    let r = s.app.graphql_as(&s.admin, log, json!({})).await;
    let actions: BTreeSet<String> = r["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .filter_map(|n| n["action"].as_str().map(str::to_owned))
        .collect();
    for action in [
        "WEBHOOK_ENDPOINT_CREATED",
        "WEBHOOK_SECRET_ROTATED",
        "WEBHOOK_ENDPOINT_ENABLED",
    ] {
        assert!(actions.contains(action), "{action}: {actions:?}");
    }
    receiver.stop().await;
}

/// An attempt under way does not hold the endpoint: an admin disables it while the receiver takes
/// its time, and is answered before the receiver is.
#[tokio::test]
async fn an_admin_disables_an_endpoint_while_an_attempt_hangs_at_its_receiver() {
    let s = setup(|settings| {
        fast(settings);
        settings.webhook_timeout = Duration::from_secs(120);
    })
    .await;
    let inbox = Inbox::new();
    inbox.delay_ms.store(60_000, Ordering::SeqCst);
    let receiver = Receiver::start(&inbox, 0);
    let (endpoint, _) = register(
        &s.app,
        &s.admin,
        json!({ "organization": s.org_a, "url": receiver.url() }),
    )
    .await;
    create_activity(&s.app, &s.editor_a, "Slowly received", false).await;
    until(
        "the attempt under way",
        Duration::from_secs(30),
        async || inbox.started.load(Ordering::SeqCst) > 0,
    )
    .await;
    let r = s
        .app
        .graphql_as(
            &s.admin,
            "mutation($id: ID!) { disableWebhookEndpoint(id: $id, reason: \"maintenance\") { endpoint { enabled } } }",
            json!({ "id": endpoint }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(
        r["data"]["disableWebhookEndpoint"]["endpoint"]["enabled"],
        json!(false)
    );
    assert!(
        inbox.all().is_empty(),
        "the receiver answered first: the edit waited for the attempt"
    );
    receiver.stop().await;
}

#[tokio::test]
async fn private_addresses_are_refused_without_the_allow_list() {
    let s = setup(|_| {}).await;
    for url in [
        "http://127.0.0.1:9/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://100.64.1.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0/",
        "ftp://example.org/",
        "not a url",
    ] {
        let r = s
            .app
            .graphql_as(
                &s.admin,
                CREATE_ENDPOINT,
                json!({ "input": { "organization": s.org_a, "url": url } }),
            )
            .await;
        assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{url}: {r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "url", "{url}: {r}");
    }
    let r = s
        .app
        .graphql_as(
            &s.admin,
            CREATE_ENDPOINT,
            json!({ "input": { "organization": s.org_a, "url": "https://93.184.215.14/", "eventTypes": ["activity.exploded"] } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "eventTypes", "{r}");
    let r = s
        .app
        .graphql_as(&s.admin, "{ webhookEndpoints { totalCount } }", json!({}))
        .await;
    assert_eq!(r["data"]["webhookEndpoints"]["totalCount"], 0, "{r}");
}

#[tokio::test]
async fn only_admins_manage_webhooks() {
    let s = setup(fast).await;
    let (viewer_a, _) = s.app.issue_token(Role::Viewer, &[key(&s.org_a)]).await;
    let input = json!({ "input": { "organization": s.org_a, "url": "http://127.0.0.1:9/hooks" } });
    for token in [&s.editor_a, &viewer_a] {
        let r = s
            .app
            .graphql_as(token, CREATE_ENDPOINT, input.clone())
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = s
            .app
            .graphql_as(token, "{ webhookEndpoints { totalCount } }", json!({}))
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    }
    let r = s.app.graphql(CREATE_ENDPOINT, input.clone()).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = s
        .app
        .graphql("{ webhookEndpoints { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    let r = s.app.graphql_as(&s.admin, CREATE_ENDPOINT, input).await;
    assert!(r["errors"].is_null(), "{r}");
}

#[tokio::test]
async fn after_sigkill_with_deliveries_pending_every_change_arrives_once_per_endpoint() {
    let (_db, url) = TestDb::create().await.unwrap_or_else(|e| panic!("{e}"));
    let logs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let env = [
        ("UCAP_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"),
        ("UCAP_WEBHOOK_POLL_INTERVAL", "0.05"),
        ("UCAP_WEBHOOK_RETRY_BASE_DELAY", "0.1"),
        ("UCAP_WEBHOOK_RETRY_MAX_DELAY", "0.3"),
    ];
    let mut server = ServerProcess::start(BIN, &url, &env, logs.path()).await;
    let settings = settings_for(&url);
    let (admin, _) = issue_token(&settings, Role::Admin, &[]).await;
    let client = reqwest::Client::new();
    let gql = async |token: &str, query: &str, variables: Value, address: &str| -> Value {
        client
            .post(format!("{address}/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let r = gql(
        &admin,
        "mutation { createOrganization(input: { name: \"Kill Partner\", kind: UNIVERSITY }) { organization { id } } }",
        json!({}),
        &server.address,
    )
    .await;
    let org = r["data"]["createOrganization"]["organization"]["id"].clone();
    assert!(org.is_string(), "{r}");
    // Two endpoints of one organization: each gets every change once.
    let (inbox_1, inbox_2) = (Inbox::new(), Inbox::new());
    // Slow receivers, so that the kill finds deliveries pending and under way.
    inbox_1.delay_ms.store(150, Ordering::SeqCst);
    inbox_2.delay_ms.store(150, Ordering::SeqCst);
    let (rec_1, rec_2) = (Receiver::start(&inbox_1, 0), Receiver::start(&inbox_2, 0));
    let mut secrets = Vec::new();
    for receiver in [&rec_1, &rec_2] {
        let r = gql(
            &admin,
            CREATE_ENDPOINT,
            json!({ "input": { "organization": org, "url": receiver.url() } }),
            &server.address,
        )
        .await;
        assert!(r["errors"].is_null(), "{r}");
        secrets.push(
            r["data"]["createWebhookEndpoint"]["secret"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let mut ids = BTreeSet::new();
    for i in 0..12 {
        let input = json!({ "plan": PLAN, "title": format!("Killed {i}"), "date": "2021-03", "kind": "WORKSHOP" });
        let r = gql(
            &admin,
            CREATE_ACTIVITY,
            json!({ "input": input }),
            &server.address,
        )
        .await;
        let id = r["data"]["createActivity"]["activity"]["id"].clone();
        assert!(id.is_string(), "{r}");
        ids.insert(id.as_str().unwrap_or_default().to_owned());
    }
    until(
        "the first deliveries",
        Duration::from_secs(30),
        async || inbox_1.all().len() >= 2,
    )
    .await;
    server.signal("KILL");
    let status = server.wait(Duration::from_secs(10)).await;
    assert!(!status.success());
    assert!(
        inbox_1.unique().len() < 12,
        "everything arrived before the kill"
    );

    let _server = ServerProcess::start(BIN, &url, &env, logs.path()).await;
    for (inbox, secret) in [(&inbox_1, &secrets[0]), (&inbox_2, &secrets[1])] {
        until("every change", Duration::from_secs(60), async || {
            inbox.unique().len() >= 12
        })
        .await;
        let got = inbox.unique();
        assert_eq!(got.len(), 12, "{got:?}");
        assert!(got.iter().all(|r| verifies(secret, r)));
        let records: BTreeSet<String> = got
            .iter()
            .map(|r| {
                r.body["data"]["recordId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            records, ids,
            "each change once after deduplication by webhook-id"
        );
        let seq = sequences(&got);
        assert!(seq.windows(2).all(|w| w[0] < w[1]), "out of order: {seq:?}");
    }
    rec_1.stop().await;
    rec_2.stop().await;
}

#[tokio::test]
async fn several_instances_on_postgresql_make_each_attempt_once() {
    if !ucap_tests::on_postgres() {
        // On SQLite one process delivers; several instances are a PostgreSQL deployment.
        return;
    }
    let s = setup(fast).await;
    let url = s.app.database_url.clone();
    let mut others = Vec::new();
    for _ in 0..2 {
        let url = url.clone();
        others.push(
            spawn_app_with(move |settings| {
                fast(settings);
                settings.database_url = url;
            })
            .await,
        );
    }
    let inbox = Inbox::new();
    let receiver = Receiver::start(&inbox, 0);
    let (endpoint, secret) = register(
        &s.app,
        &s.admin,
        json!({ "organization": s.org_a, "url": receiver.url() }),
    )
    .await;
    for i in 0..20 {
        // Writes through every instance.
        let app = match i % 3 {
            0 => &s.app,
            n => &others[n - 1],
        };
        create_activity(app, &s.editor_a, &format!("Shared {i}"), false).await;
    }
    until("all twenty", Duration::from_secs(30), async || {
        inbox.unique().len() >= 20
    })
    .await;
    // Three workers polled the same outbox; give a duplicate time to show.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let all = inbox.all();
    assert_eq!(all.len(), 20, "an attempt was made twice: {all:?}");
    assert!(all.iter().all(|r| verifies(&secret, r)));
    let seq = sequences(&all);
    assert!(seq.windows(2).all(|w| w[0] < w[1]), "out of order: {seq:?}");
    let r = s
        .app
        .graphql_as(&s.admin, ENDPOINT, json!({ "id": endpoint }))
        .await;
    let deliveries = r["data"]["webhookEndpoint"]["deliveries"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(deliveries.len(), 20, "{r}");
    assert!(deliveries.iter().all(|d| d["attemptCount"] == 1), "{r}");
    receiver.stop().await;
}
