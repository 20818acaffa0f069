//! Test harness: `spawn_app()` starts the real server on port 0 against a fresh database (a new
//! SQLite file, or a new PostgreSQL database when `UCAP_TEST_DATABASE=postgres`) and returns a
//! client that talks to it over HTTP.

pub mod browser;
pub mod iati;
pub mod process;
pub mod propagation;
pub mod proxy;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use ucap::audit::Actor;
use ucap::auth::Role;
use ucap::auth::keys::{Keys, generate_ed25519_pem};
use ucap::auth::tokens::{IssueRequest, Tokens};
use ucap::settings::Settings;
use ucap::startup::Application;

/// One signing key for the whole test process (generating is cheap, but keys on disk are not
/// wanted); tests that need another key set their own.
pub fn test_private_key() -> String {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| match generate_ed25519_pem() {
        Ok((private, _)) => private,
        Err(e) => panic!("cannot generate a test key: {e}"),
    })
    .clone()
}

/// The admin connection used to create per-test PostgreSQL databases.
fn pg_admin_url() -> String {
    std::env::var("UCAP_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// True when the suite runs against PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("UCAP_TEST_DATABASE").is_ok_and(|v| v.eq_ignore_ascii_case("postgres"))
}

/// A database that exists for one test only.
pub enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres { name: String },
}

impl TestDb {
    /// Creates a fresh, empty database and returns it with its URL.
    pub async fn create() -> anyhow::Result<(Self, String)> {
        if on_postgres() {
            static COUNTER: AtomicU32 = AtomicU32::new(0);
            let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.subsec_nanos();
            let name = format!(
                "ucap_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed),
                nanos
            );
            let admin = Database::connect(pg_admin_url()).await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await?;
            admin.close().await?;
            let base = pg_admin_url();
            let url = match base.rsplit_once('/') {
                Some((server, _)) => format!("{server}/{name}"),
                None => anyhow::bail!("UCAP_TEST_PG_URL has no database part"),
            };
            Ok((Self::Postgres { name }, url))
        } else {
            let dir = tempfile::tempdir()?;
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("ucap.db").display());
            Ok((Self::Sqlite(dir), url))
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Self::Postgres { name } = self {
            let name = name.clone();
            // Dropped from inside the test's runtime: use a thread with its own runtime.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(admin) = Database::connect(pg_admin_url()).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// A running server and a client for it.
pub struct TestApp {
    pub address: String,
    /// The `/metrics` listener (`metrics_bind`, on port 0 like the API).
    pub metrics_address: Option<String>,
    pub client: reqwest::Client,
    pub database_url: String,
    /// The settings the server runs with (its key, issuer, audience …).
    pub settings: Settings,
    /// The child process and its log directory, when the server is the real binary.
    _process: Option<(process::ServerProcess, tempfile::TempDir)>,
    _db: TestDb,
}

/// Starts `binary serve` (the real `ucap` command, as an operator runs it) on a fresh database with
/// its default settings and `env` (`UCAP_*` variables), the test signing key aside; it loads the
/// bundled sample like any first start. For tests of what the shipped binary serves, such as the
/// console in a browser.
pub async fn spawn_process(binary: &str, env: &[(&str, &str)]) -> TestApp {
    let (db, database_url) = match TestDb::create().await {
        Ok(v) => v,
        Err(e) => panic!("cannot create a test database: {e:#}"),
    };
    let logs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = process::ServerProcess::start(binary, &database_url, env, logs.path()).await;
    TestApp {
        address: server.address.clone(),
        metrics_address: None,
        client: reqwest::Client::new(),
        settings: settings_for(&database_url),
        database_url,
        _process: Some((server, logs)),
        _db: db,
    }
}

/// Starts the server with the bundled sample loaded.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the server with adjusted settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (db, database_url) = match TestDb::create().await {
        Ok(v) => v,
        Err(e) => panic!("cannot create a test database: {e:#}"),
    };
    let mut settings = Settings {
        database_url: database_url.clone(),
        bind: "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}")),
        metrics_bind: Some("127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}"))),
        jwt_private_key: Some(test_private_key()),
        // Every test client is one loopback address; tests of the limits set their own.
        rate_limit_anonymous: 0,
        rate_limit_token: 0,
        rate_limit_admin: 0,
        cost_budget_anonymous: 0,
        cost_budget_token: 0,
        cost_budget_admin: 0,
        // Refusals at once, so that tests of the limits run fast; `slow_refusals` tests the hold.
        refusal_delay: std::time::Duration::ZERO,
        ..Settings::default()
    };
    adjust(&mut settings);
    let app = match Application::build(settings.clone()).await {
        Ok(app) => app,
        Err(e) => panic!("cannot build the application: {e:#}"),
    };
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        metrics_address,
        client: reqwest::Client::new(),
        database_url,
        settings,
        _process: None,
        _db: db,
    }
}

impl TestApp {
    /// POSTs a GraphQL document and returns the JSON response body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let res = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        res.json()
            .await
            .unwrap_or_else(|e| panic!("response is not JSON: {e}"))
    }

    /// POSTs a GraphQL document with `Authorization: Bearer <token>`.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        self.graphql_with_header(&format!("Bearer {token}"), query, variables)
            .await
            .2
    }

    /// POSTs a GraphQL document with a raw `Authorization` header; returns the status, the
    /// `WWW-Authenticate` header and the body.
    pub async fn graphql_with_header(
        &self,
        authorization: &str,
        query: &str,
        variables: Value,
    ) -> (u16, Option<String>, Value) {
        graphql_at(&self.client, &self.address, authorization, query, variables)
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"))
    }

    /// Issues a token straight from the database, as `ucap token issue` does; returns it with its
    /// record id.
    pub async fn issue_token(&self, role: Role, organizations: &[i64]) -> (String, i64) {
        issue_token(&self.settings, role, organizations).await
    }

    /// GETs `/metrics` from the metrics listener (as Prometheus does): status and body text.
    pub async fn metrics(&self) -> (u16, String) {
        let Some(address) = &self.metrics_address else {
            panic!("the server runs without a metrics listener");
        };
        let res = self
            .client
            .get(format!("{address}/metrics"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        let status = res.status().as_u16();
        (status, res.text().await.unwrap_or_default())
    }

    /// GETs a path and returns status and body text.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let res = self
            .client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        let status = res.status().as_u16();
        (status, res.text().await.unwrap_or_default())
    }
}

/// POSTs a GraphQL document to the server at `address` with a raw `Authorization` header; returns
/// the status, the `WWW-Authenticate` header and the body, or the error of a request that got no
/// whole answer (a server that died under it, a body that is not JSON).
pub async fn graphql_at(
    client: &reqwest::Client,
    address: &str,
    authorization: &str,
    query: &str,
    variables: Value,
) -> reqwest::Result<(u16, Option<String>, Value)> {
    let res = client
        .post(format!("{address}/graphql"))
        .header("authorization", authorization)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?;
    let status = res.status().as_u16();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok((status, challenge, res.json().await?))
}

/// Issues a token in the database of `settings` (signed with its key), as `ucap token issue` does;
/// returns it with its record id.
pub async fn issue_token(settings: &Settings, role: Role, organizations: &[i64]) -> (String, i64) {
    let db = Database::connect(&settings.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let keys = Keys::from_settings(settings).unwrap_or_else(|e| panic!("{e}"));
    let tokens = Tokens::new(db.clone(), keys, settings);
    let (token, record) = tokens
        .issue(
            &Actor::CommandLine,
            IssueRequest {
                organizations: organizations.to_vec(),
                role,
                label: format!("test {role:?}"),
                expires_in: std::time::Duration::from_secs(3600),
                operations: Vec::new(),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("cannot issue a token: {}", e.message()));
    db.close().await.unwrap_or_else(|e| panic!("{e}"));
    (token, record.id)
}

/// Settings of a server on `database_url` with the test signing key (child processes get the same
/// key through `UCAP_JWT_PRIVATE_KEY`).
pub fn settings_for(database_url: &str) -> Settings {
    Settings {
        database_url: database_url.to_owned(),
        jwt_private_key: Some(test_private_key()),
        ..Settings::default()
    }
}

/// Organizations named `names` (universities), created by `admin`, the first of them added to the
/// Guangzhou plan as a partner: the usual cast of the tests of who may see and write what. Their
/// global IDs, in order.
pub async fn partner_organizations(app: &TestApp, admin: &str, names: &[&str]) -> Vec<Value> {
    let create = "mutation($name: String!) { createOrganization(input: { name: $name, kind: UNIVERSITY }) { organization { id } } }";
    let mut orgs = Vec::new();
    for name in names {
        let r = app.graphql_as(admin, create, json!({ "name": name })).await;
        assert!(r["errors"].is_null(), "{r}");
        orgs.push(r["data"]["createOrganization"]["organization"]["id"].clone());
    }
    let add = "mutation($o: ID!) { addPlanParticipant(input: { plan: \"UGxhbjox\", organization: $o, role: PARTNER }) { plan { id } } }";
    let r = app.graphql_as(admin, add, json!({ "o": orgs[0] })).await;
    assert!(r["errors"].is_null(), "{r}");
    orgs
}

/// The `extensions.code` of the first error of a response, if any.
pub fn error_code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}
