//! Several instances on one PostgreSQL database: replicas starting together on an empty database
//! migrate it and load the sample once, and a token changed through one instance is refused by
//! another at once, not a cache lifetime later. SQLite is one process's file: these are
//! PostgreSQL deployments only.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use ucap::auth::Role;
use ucap::graphql::ids::NodeKind;
use ucap::persisted::sha256_hex;
use ucap_tests::process::ServerProcess;
use ucap_tests::propagation::{ME, PUSHED_WITHIN, first_refused, first_unauthenticated};
use ucap_tests::{TestApp, TestDb, error_code, on_postgres, spawn_app, spawn_app_with};

const BIN: &str = env!("CARGO_BIN_EXE_ucap-server");

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap_or_else(|| panic!("{sql}: no row"));
    row.try_get_by_index::<i64>(0)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn three_instances_starting_together_on_an_empty_database_migrate_it_and_load_the_sample_once()
 {
    if !on_postgres() {
        return;
    }
    let (_db, url) = TestDb::create().await.unwrap_or_else(|e| panic!("{e}"));
    let logs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // Each start waits until its server is ready, or panics with its log if it exits.
    let servers = futures::future::join_all(
        (0..3).map(|_| ServerProcess::start(BIN, &url, &[], logs.path())),
    )
    .await;
    let client = reqwest::Client::new();
    for server in &servers {
        let body: Value = client
            .post(format!("{}/graphql", server.address))
            .json(&json!({ "query": "{ plans { totalCount } }" }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body["data"]["plans"]["totalCount"], 1, "{body}");
    }
    let db = Database::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pending = ucap::db::pending_migrations(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(pending.is_empty(), "not applied: {pending:?}");
    let twice = count(
        &db,
        "SELECT count(*) FROM (SELECT version FROM seaql_migrations GROUP BY version HAVING count(*) > 1) t",
    )
    .await;
    assert_eq!(twice, 0, "a migration is recorded twice");
    assert_eq!(count(&db, "SELECT count(*) FROM plan").await, 1);
    assert_eq!(count(&db, "SELECT count(*) FROM source_document").await, 1);
    let imports = count(
        &db,
        "SELECT count(*) FROM audit_event WHERE action = 'PLAN_IMPORTED'",
    )
    .await;
    assert_eq!(imports, 1, "the sample was loaded {imports} times");
    db.close().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn serve_without_migrating_refuses_a_database_that_lacks_migrations_and_names_ucap_migrate() {
    let (_db, url) = TestDb::create().await.unwrap_or_else(|e| panic!("{e}"));
    let output = tokio::process::Command::new(BIN)
        .args(["serve", "--no-migrate", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", &url)
        .env("UCAP_JWT_PRIVATE_KEY", ucap_tests::test_private_key())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), output)
        .await
        .unwrap_or_else(|_| panic!("serve --no-migrate did not exit"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ucap migrate"), "{stderr}");

    // Once `ucap migrate` ran, it serves.
    let migrated = tokio::process::Command::new(BIN)
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(migrated.status.success(), "{migrated:?}");
    let logs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let server = ServerProcess::start(BIN, &url, &[("UCAP_MIGRATE", "false")], logs.path()).await;
    let (status, _) = get(&server.address, "/readyz").await;
    assert_eq!(status, 200);
}

async fn get(address: &str, path: &str) -> (u16, String) {
    let res = reqwest::get(format!("{address}{path}"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

/// Two instances on one fresh database, an admin token, and a VIEWER token the second accepts.
async fn two_instances() -> (TestApp, TestApp, String, String, i64) {
    let first = spawn_app().await;
    let url = first.database_url.clone();
    let second = spawn_app_with(|s| s.database_url = url).await;
    let (admin, _) = first.issue_token(Role::Admin, &[]).await;
    let (viewer, viewer_id) = first.issue_token(Role::Viewer, &[1]).await;
    assert_eq!(
        second.graphql_as(&viewer, ME, json!({})).await["data"]["me"]["role"],
        "VIEWER"
    );
    (first, second, admin, viewer, viewer_id)
}

#[tokio::test]
async fn a_token_revoked_through_one_instance_is_refused_by_another_within_100_ms() {
    if !on_postgres() {
        return;
    }
    let (first, second, admin, viewer, viewer_id) = two_instances().await;
    let revoked = first
        .graphql_as(
            &admin,
            "mutation($id: ID!) { revokeToken(id: $id) { record { id } } }",
            json!({ "id": NodeKind::AccessToken.id(viewer_id).0 }),
        )
        .await;
    assert!(revoked["errors"].is_null(), "{revoked}");
    let refused = first_unauthenticated(&second.address, &viewer).await;
    eprintln!("revoked token, the other instance's first refusal: {refused}");
    assert!(refused.sent < PUSHED_WITHIN, "{refused}");
}

#[tokio::test]
async fn a_token_rotated_without_grace_through_one_instance_is_refused_by_another_within_100_ms() {
    if !on_postgres() {
        return;
    }
    let (first, second, admin, viewer, viewer_id) = two_instances().await;
    let rotated = first
        .graphql_as(
            &admin,
            "mutation($id: ID!) { rotateToken(id: $id) { token } }",
            json!({ "id": NodeKind::AccessToken.id(viewer_id).0 }),
        )
        .await;
    assert!(rotated["errors"].is_null(), "{rotated}");
    let refused = first_unauthenticated(&second.address, &viewer).await;
    eprintln!("rotated token, the other instance's first refusal: {refused}");
    assert!(refused.sent < PUSHED_WITHIN, "{refused}");
    let successor = rotated["data"]["rotateToken"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{rotated}"));
    assert_eq!(
        second.graphql_as(successor, ME, json!({})).await["data"]["me"]["role"],
        "VIEWER"
    );
}

#[tokio::test]
async fn an_allow_list_set_through_one_instance_holds_on_another_within_100_ms() {
    if !on_postgres() {
        return;
    }
    let (first, second, admin, viewer, viewer_id) = two_instances().await;
    let listed = "query Listed { plans { totalCount } }";
    let registered = first
        .graphql_as(
            &admin,
            "mutation($doc: String!) { registerPersistedOperation(input: { name: \"listed\", document: $doc }) { sha256 } }",
            json!({ "doc": listed }),
        )
        .await;
    assert!(registered["errors"].is_null(), "{registered}");
    let set = first
        .graphql_as(
            &admin,
            "mutation($id: ID!, $ops: [String!]!) { setTokenOperations(id: $id, operations: $ops) { record { id } } }",
            json!({ "id": NodeKind::AccessToken.id(viewer_id).0, "ops": [sha256_hex(listed)] }),
        )
        .await;
    assert!(set["errors"].is_null(), "{set}");
    let refused = first_refused(&second.address, &viewer, ME, |_, body| {
        error_code(body) == Some("FORBIDDEN")
    })
    .await;
    eprintln!("allow-list, the other instance's first refusal: {refused}");
    assert!(refused.sent < PUSHED_WITHIN, "{refused}");
    let body = second.graphql_as(&viewer, listed, json!({})).await;
    assert!(body["data"]["plans"]["totalCount"].is_number(), "{body}");
}

#[tokio::test]
async fn tokens_of_an_organization_merged_through_one_instance_are_refused_by_another_within_100_ms()
 {
    if !on_postgres() {
        return;
    }
    let (first, second, admin, _, _) = two_instances().await;
    let mut orgs = Vec::new();
    for name in ["Keep University", "Duplicate University"] {
        let created = first
            .graphql_as(
                &admin,
                "mutation($name: String!) { createOrganization(input: { name: $name, kind: UNIVERSITY }) { organization { id } } }",
                json!({ "name": name }),
            )
            .await;
        assert!(created["errors"].is_null(), "{created}");
        orgs.push(created["data"]["createOrganization"]["organization"]["id"].clone());
    }
    let issued = first
        .graphql_as(
            &admin,
            "mutation($org: ID) { issueToken(input: { organization: $org, role: VIEWER, label: \"duplicate's\", expiresIn: 600 }) { token } }",
            json!({ "org": orgs[1] }),
        )
        .await;
    let token = issued["data"]["issueToken"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{issued}"));
    assert_eq!(
        second.graphql_as(token, ME, json!({})).await["data"]["me"]["role"],
        "VIEWER"
    );
    let merged = first
        .graphql_as(
            &admin,
            "mutation($keep: ID!, $remove: ID!) { mergeOrganizations(keep: $keep, remove: $remove) { organization { id } } }",
            json!({ "keep": orgs[0], "remove": orgs[1] }),
        )
        .await;
    assert!(merged["errors"].is_null(), "{merged}");
    // Its claims name the organization that is gone: refused, as on the instance that merged.
    let refused = first_unauthenticated(&second.address, token).await;
    eprintln!("merged organization's token, the other instance's first refusal: {refused}");
    assert!(refused.sent < PUSHED_WITHIN, "{refused}");
}
