//! Rate limits, cost budgets and persisted operations: a caller over its request rate or cost
//! budget gets a 429 with `Retry-After` and RATE_LIMITED, nothing run, while other callers go on;
//! registered documents run by hash; a restricted token runs only its allow-list.

use sea_orm::{ColumnTrait, Database, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use ucap::auth::Role;
use ucap::graphql::ids::NodeKind;
use ucap::persisted::sha256_hex;
use ucap_tests::{TestApp, error_code, spawn_app, spawn_app_with};

/// A POST to `/graphql`: status, `Retry-After` (seconds) and body.
async fn post(
    app: &TestApp,
    token: Option<&str>,
    forwarded_for: Option<&str>,
    body: Value,
) -> (u16, Option<u64>, Value) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"));
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body = response
        .json()
        .await
        .unwrap_or_else(|e| panic!("response is not JSON: {e}"));
    (status, retry_after, body)
}

async fn query(app: &TestApp, token: Option<&str>, from: Option<&str>, doc: &str) -> (u16, Value) {
    let (status, _, body) = post(app, token, from, json!({ "query": doc })).await;
    (status, body)
}

const CHEAP: &str = "{ __typename }";
const COSTLY: &str = "{ plans(first: 5) { totalCount nodes { id title status focalCity { id name country { code name } } } } organizations(first: 5) { totalCount nodes { id name kind } } }";

/// Asserts a 429 refusal: `Retry-After` of at least a second, equal to `extensions.retryAfter`,
/// RATE_LIMITED and no data.
fn assert_rate_limited((status, retry_after, body): &(u16, Option<u64>, Value)) {
    assert_eq!(*status, 429, "{body}");
    assert_eq!(error_code(body), Some("RATE_LIMITED"), "{body}");
    assert!(retry_after.is_some_and(|s| s >= 1), "{retry_after:?}");
    assert_eq!(
        body["errors"][0]["extensions"]["retryAfter"].as_u64(),
        *retry_after,
        "{body}"
    );
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
}

#[tokio::test]
async fn a_token_over_its_request_rate_gets_429_with_retry_after_and_other_tokens_go_on() {
    let app = spawn_app_with(|s| s.rate_limit_token = 3).await;
    let (first, _) = app.issue_token(Role::Viewer, &[1]).await;
    let (second, _) = app.issue_token(Role::Viewer, &[1]).await;
    for _ in 0..3 {
        let (status, body) = query(&app, Some(&first), None, CHEAP).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["errors"].is_null(), "{body}");
    }
    let refused = post(&app, Some(&first), None, json!({ "query": CHEAP })).await;
    assert_rate_limited(&refused);
    // Refused before the body is read: even a body that is not JSON gets the 429.
    let raw = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&first)
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(raw.status().as_u16(), 429);

    let (status, body) = query(&app, Some(&second), None, CHEAP).await;
    assert_eq!(
        (status, &body["data"]["__typename"]),
        (200, &json!("QueryRoot")),
        "{body}"
    );
    let (status, body) = query(&app, None, None, CHEAP).await;
    assert_eq!(
        status, 200,
        "anonymous callers have their own limit: {body}"
    );
}

#[tokio::test]
async fn anonymous_callers_are_limited_per_client_address() {
    let behind_proxy = spawn_app_with(|s| {
        s.rate_limit_anonymous = 2;
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap_or_else(|e| panic!("{e}"))];
    })
    .await;
    // The proxy appends the client's address; what the client sent itself stands further left.
    let client_a = Some("198.51.100.1, 203.0.113.7");
    let client_b = Some("198.51.100.1, 203.0.113.8");
    for _ in 0..2 {
        assert_eq!(query(&behind_proxy, None, client_a, CHEAP).await.0, 200);
    }
    assert_rate_limited(&post(&behind_proxy, None, client_a, json!({ "query": CHEAP })).await);
    assert_eq!(query(&behind_proxy, None, client_b, CHEAP).await.0, 200);

    // A peer that is not a trusted proxy cannot choose its address with the header.
    let direct = spawn_app_with(|s| s.rate_limit_anonymous = 2).await;
    assert_eq!(
        query(&direct, None, Some("203.0.113.1"), CHEAP).await.0,
        200
    );
    assert_eq!(
        query(&direct, None, Some("203.0.113.2"), CHEAP).await.0,
        200
    );
    assert_rate_limited(
        &post(
            &direct,
            None,
            Some("203.0.113.3"),
            json!({ "query": CHEAP }),
        )
        .await,
    );
}

/// How many times `doc` runs from `address` before the cost budget refuses it (at most 300).
async fn runs_within_budget(app: &TestApp, address: &str, doc: &str) -> usize {
    for runs in 0..300 {
        let refused = post(app, None, Some(address), json!({ "query": doc })).await;
        if refused.0 != 200 {
            assert_rate_limited(&refused);
            return runs;
        }
        assert!(refused.2["errors"].is_null(), "{}", refused.2);
    }
    300
}

#[tokio::test]
async fn a_costly_query_spends_the_cost_budget_sooner_than_cheap_ones() {
    let app = spawn_app_with(|s| {
        s.cost_budget_anonymous = 100;
        // Every request runs (an answer from the response cache costs nothing).
        s.response_cache = false;
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap_or_else(|e| panic!("{e}"))];
    })
    .await;
    let cheap = runs_within_budget(&app, "203.0.113.10", CHEAP).await;
    let costly = runs_within_budget(&app, "203.0.113.11", COSTLY).await;
    assert!((100..=102).contains(&cheap), "cheap runs: {cheap}");
    assert!((1..=20).contains(&costly), "costly runs: {costly}");
}

#[tokio::test]
async fn an_operation_over_the_cost_budget_is_refused_before_it_runs() {
    let app = spawn_app_with(|s| s.cost_budget_admin = 30).await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    // Spend the budget, then try to write.
    let mut spent = 0;
    while query(&app, Some(&admin), None, CHEAP).await.0 == 200 {
        spent += 1;
        assert!(spent <= 31, "the budget is never spent");
    }
    let create = "mutation { createOrganization(input: { name: \"Never created\", kind: OTHER }) { organization { id } } }";
    assert_rate_limited(&post(&app, Some(&admin), None, json!({ "query": create })).await);
    let db = Database::connect(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let created = entity::organization::Entity::find()
        .filter(entity::organization::Column::Name.eq("Never created"))
        .count(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created, 0);
}

async fn register(app: &TestApp, admin: &str, name: &str, document: &str) -> Value {
    app.graphql_as(
        admin,
        "mutation($name: String!, $doc: String!) { registerPersistedOperation(input: { name: $name, document: $doc }) { sha256 operation { name document createdBy } } }",
        json!({ "name": name, "doc": document }),
    )
    .await
}

fn by_hash(hash: &str) -> Value {
    json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } })
}

#[tokio::test]
async fn a_registered_document_runs_by_its_hash_alone() {
    let app = spawn_app().await;
    let (admin, admin_id) = app.issue_token(Role::Admin, &[]).await;
    let document = "query PlanCount { plans { totalCount } }";
    let registered = register(&app, &admin, "plan count", document).await;
    let hash = sha256_hex(document);
    let payload = &registered["data"]["registerPersistedOperation"];
    assert_eq!(payload["sha256"], json!(hash), "{registered}");
    assert_eq!(
        payload["operation"]["createdBy"],
        json!(NodeKind::AccessToken.id(admin_id).0)
    );
    // Registering again returns the same record.
    let again = register(&app, &admin, "plan count", document).await;
    assert_eq!(
        again["data"]["registerPersistedOperation"]["sha256"],
        json!(hash)
    );

    let (status, _, ran) = post(&app, None, None, by_hash(&hash)).await;
    assert_eq!(status, 200, "{ran}");
    assert!(ran["data"]["plans"]["totalCount"].is_number(), "{ran}");
    let (_, _, upper) = post(&app, None, None, by_hash(&hash.to_ascii_uppercase())).await;
    assert_eq!(upper["data"], ran["data"]);

    let (_, _, unknown) = post(&app, None, None, by_hash(&sha256_hex("{ me { role } }"))).await;
    assert_eq!(error_code(&unknown), Some("BAD_USER_INPUT"), "{unknown}");
    assert_eq!(
        unknown["errors"][0]["extensions"]["reason"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    assert!(unknown.get("data").is_none_or(Value::is_null), "{unknown}");
    let mut mismatch = by_hash(&hash);
    mismatch["query"] = json!("{ __typename }");
    let (_, _, mismatch) = post(&app, None, None, mismatch).await;
    assert_eq!(error_code(&mismatch), Some("BAD_USER_INPUT"), "{mismatch}");

    let bad = register(&app, &admin, "broken", "query {").await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
}

#[tokio::test]
async fn a_restricted_token_runs_only_the_documents_of_its_allow_list() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let (partner, partner_id) = app.issue_token(Role::Viewer, &[1]).await;
    let listed = "query Listed { plans { totalCount } }";
    let unlisted = "query Unlisted { organizations { totalCount } }";
    register(&app, &admin, "listed", listed).await;
    register(&app, &admin, "unlisted", unlisted).await;
    let token_id = NodeKind::AccessToken.id(partner_id).0;
    let set = app
        .graphql_as(
            &admin,
            "mutation($id: ID!, $ops: [String!]!) { setTokenOperations(id: $id, operations: $ops) { record { allowedOperations { name sha256 } } } }",
            json!({ "id": token_id, "ops": [sha256_hex(listed)] }),
        )
        .await;
    let allowed = &set["data"]["setTokenOperations"]["record"]["allowedOperations"];
    assert_eq!(
        allowed,
        &json!([{ "name": "listed", "sha256": sha256_hex(listed) }]),
        "{set}"
    );

    let (status, body) = query(&app, Some(&partner), None, listed).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["plans"]["totalCount"].is_number(), "{body}");
    let (_, _, body) = post(&app, Some(&partner), None, by_hash(&sha256_hex(listed))).await;
    assert!(body["data"]["plans"]["totalCount"].is_number(), "{body}");
    for refused in [
        post(&app, Some(&partner), None, json!({ "query": unlisted }))
            .await
            .2,
        post(&app, Some(&partner), None, by_hash(&sha256_hex(unlisted)))
            .await
            .2,
        // Not the same text: a listed document is run as registered, byte for byte.
        post(
            &app,
            Some(&partner),
            None,
            json!({ "query": format!("{listed} ") }),
        )
        .await
        .2,
    ] {
        assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
        assert!(refused.get("data").is_none_or(Value::is_null), "{refused}");
    }
    // Other callers are not restricted.
    let (_, other) = query(&app, None, None, unlisted).await;
    assert!(
        other["data"]["organizations"]["totalCount"].is_number(),
        "{other}"
    );

    let unknown = app
        .graphql_as(
            &admin,
            "mutation($id: ID!, $ops: [String!]!) { setTokenOperations(id: $id, operations: $ops) { record { id } } }",
            json!({ "id": token_id, "ops": [sha256_hex("{ __typename }")] }),
        )
        .await;
    assert_eq!(error_code(&unknown), Some("BAD_USER_INPUT"), "{unknown}");

    let cleared = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { clearTokenOperations(id: $id) { record { allowedOperations { sha256 } } } }",
            json!({ "id": token_id }),
        )
        .await;
    assert_eq!(
        cleared["data"]["clearTokenOperations"]["record"]["allowedOperations"],
        json!([]),
        "{cleared}"
    );
    let (_, body) = query(&app, Some(&partner), None, unlisted).await;
    assert!(
        body["data"]["organizations"]["totalCount"].is_number(),
        "{body}"
    );

    let audit = app
        .graphql_as(
            &admin,
            "{ auditLog(first: 20) { nodes { action } } }",
            json!({}),
        )
        .await;
    let actions = audit["data"]["auditLog"]["nodes"].to_string();
    for action in [
        "PERSISTED_OPERATION_REGISTERED",
        "TOKEN_OPERATIONS_SET",
        "TOKEN_OPERATIONS_CLEARED",
    ] {
        assert!(actions.contains(action), "{action}: {audit}");
    }
}

#[tokio::test]
async fn only_admins_register_documents_and_restrict_tokens() {
    let app = spawn_app().await;
    let (viewer, viewer_id) = app.issue_token(Role::Viewer, &[1]).await;
    let (editor, _) = app.issue_token(Role::Editor, &[1]).await;
    for token in [&viewer, &editor] {
        let refused = register(&app, token, "mine", "{ __typename }").await;
        assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
        let restrict = app
            .graphql_as(
                token,
                "mutation($id: ID!) { clearTokenOperations(id: $id) { record { id } } }",
                json!({ "id": NodeKind::AccessToken.id(viewer_id).0 }),
            )
            .await;
        assert_eq!(error_code(&restrict), Some("FORBIDDEN"), "{restrict}");
    }
    let anonymous = app
        .graphql(
            "mutation { registerPersistedOperation(input: { name: \"x\", document: \"{ __typename }\" }) { sha256 } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&anonymous), Some("FORBIDDEN"), "{anonymous}");
    let listing = app
        .graphql_as(&viewer, "{ persistedOperations { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&listing), Some("FORBIDDEN"), "{listing}");
}
