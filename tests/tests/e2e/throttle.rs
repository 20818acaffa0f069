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
    assert_eq!(
        error_code(&unknown),
        Some("PERSISTED_QUERY_NOT_FOUND"),
        "{unknown}"
    );
    assert!(unknown.get("data").is_none_or(Value::is_null), "{unknown}");
    let mut mismatch = by_hash(&hash);
    mismatch["query"] = json!("{ __typename }");
    let (_, _, mismatch) = post(&app, None, None, mismatch).await;
    assert_eq!(error_code(&mismatch), Some("BAD_USER_INPUT"), "{mismatch}");

    let bad = register(&app, &admin, "broken", "query {").await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"), "{bad}");
}

/// Removing a document: refused while a usable token is restricted to it (removal would lift
/// that token's restriction), then the hash no longer runs, at once on this instance and within
/// seconds on a second one that had it cached; audited; admins only.
#[tokio::test]
async fn a_removed_document_no_longer_runs_by_its_hash() {
    let app = spawn_app().await;
    let url = app.database_url.clone();
    let second = spawn_app_with(|s| s.database_url = url).await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let (editor, _) = app.issue_token(Role::Editor, &[1]).await;
    let (partner, partner_id) = app.issue_token(Role::Viewer, &[1]).await;
    let document = "query Removable { plans { totalCount } }";
    let hash = sha256_hex(document);
    register(&app, &admin, "removable", document).await;
    let (_, _, cached) = post(&second, None, None, by_hash(&hash)).await;
    assert!(
        cached["data"]["plans"]["totalCount"].is_number(),
        "{cached}"
    );
    let token_id = NodeKind::AccessToken.id(partner_id).0;
    let set = app
        .graphql_as(
            &admin,
            "mutation($id: ID!, $ops: [String!]!) { setTokenOperations(id: $id, operations: $ops) { record { id } } }",
            json!({ "id": token_id, "ops": [hash] }),
        )
        .await;
    assert!(set["errors"].is_null(), "{set}");
    let remove = |token: String, sha256: String| {
        let app = &app;
        async move {
            app.graphql_as(
                &token,
                "mutation($h: String!) { removePersistedOperation(sha256: $h) { sha256 name } }",
                json!({ "h": sha256 }),
            )
            .await
        }
    };

    let by_editor = remove(editor.clone(), hash.clone()).await;
    assert_eq!(error_code(&by_editor), Some("FORBIDDEN"), "{by_editor}");
    let in_use = remove(admin.clone(), hash.clone()).await;
    assert_eq!(error_code(&in_use), Some("CONFLICT"), "{in_use}");
    let (_, _, still) = post(&app, Some(&partner), None, by_hash(&hash)).await;
    assert!(still["data"]["plans"]["totalCount"].is_number(), "{still}");

    let cleared = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { clearTokenOperations(id: $id) { record { id } } }",
            json!({ "id": token_id }),
        )
        .await;
    assert!(cleared["errors"].is_null(), "{cleared}");
    let removed = remove(admin.clone(), hash.to_ascii_uppercase()).await;
    assert_eq!(
        removed["data"]["removePersistedOperation"],
        json!({ "sha256": hash, "name": "removable" }),
        "{removed}"
    );
    let not_found = |body: &Value| {
        body["errors"][0]["extensions"]["reason"] == "PERSISTED_QUERY_NOT_FOUND"
            && body.get("data").is_none_or(Value::is_null)
    };
    let (_, _, here) = post(&app, None, None, by_hash(&hash)).await;
    assert!(not_found(&here), "{here}");
    let start = std::time::Instant::now();
    loop {
        let (_, _, there) = post(&second, None, None, by_hash(&hash)).await;
        if not_found(&there) {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "the second instance still runs it: {there}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // The text itself still runs for callers that may send any document.
    let (_, _, text) = post(&app, None, None, json!({ "query": document })).await;
    assert!(text["data"]["plans"]["totalCount"].is_number(), "{text}");

    let again = remove(admin.clone(), hash.clone()).await;
    assert_eq!(error_code(&again), Some("NOT_FOUND"), "{again}");
    let malformed = remove(admin.clone(), "abc".to_owned()).await;
    assert_eq!(
        error_code(&malformed),
        Some("BAD_USER_INPUT"),
        "{malformed}"
    );
    let audit = app
        .graphql_as(
            &admin,
            "{ auditLog(first: 5, filter: { action: \"PERSISTED_OPERATION_REMOVED\" }) { nodes { detail } } }",
            json!({}),
        )
        .await;
    let entries = &audit["data"]["auditLog"]["nodes"];
    assert_eq!(entries.as_array().map(Vec::len), Some(1), "{audit}");
    assert!(entries.to_string().contains(&hash), "{audit}");
}

/// A token issued restricted in one step stays restricted through a rotation (the successor
/// takes the allow-list); the payload shows the old token's grace as the server set it; an
/// unknown hash issues nothing.
#[tokio::test]
async fn a_restricted_token_is_issued_in_one_step_and_its_successor_stays_restricted() {
    let app = spawn_app().await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let document = "query Listed { plans { totalCount } }";
    let hash = sha256_hex(document);
    register(&app, &admin, "listed", document).await;
    let issue = |operations: Vec<String>| {
        let (app, admin) = (&app, &admin);
        async move {
            app.graphql_as(
                admin,
                "mutation($org: ID!, $ops: [String!]!) { issueToken(input: { organization: $org, role: VIEWER, label: \"partner\", expiresIn: 3600, operations: $ops }) { token record { id allowedOperations { sha256 } } } }",
                json!({ "org": NodeKind::Organization.id(1).0, "ops": operations }),
            )
            .await
        }
    };
    let count = "{ tokens { totalCount } }";
    let before = app.graphql_as(&admin, count, json!({})).await;
    let unknown = issue(vec![sha256_hex("{ __typename }")]).await;
    assert_eq!(error_code(&unknown), Some("BAD_USER_INPUT"), "{unknown}");
    assert_eq!(unknown["errors"][0]["extensions"]["field"], "operations");
    assert_eq!(app.graphql_as(&admin, count, json!({})).await, before);

    let issued = issue(vec![hash.to_ascii_uppercase()]).await;
    let payload = &issued["data"]["issueToken"];
    assert_eq!(
        payload["record"]["allowedOperations"],
        json!([{ "sha256": hash }]),
        "{issued}"
    );
    let rotated = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { rotateToken(id: $id, grace: 600) { token record { allowedOperations { sha256 } } replaces { id revokedAt } } }",
            json!({ "id": payload["record"]["id"] }),
        )
        .await;
    let successor = &rotated["data"]["rotateToken"];
    assert_eq!(
        successor["record"]["allowedOperations"],
        json!([{ "sha256": hash }]),
        "{rotated}"
    );
    assert_eq!(successor["replaces"]["id"], payload["record"]["id"]);
    let until = successor["replaces"]["revokedAt"]
        .as_str()
        .unwrap_or_default();
    let until = chrono::DateTime::parse_from_rfc3339(until)
        .unwrap_or_else(|e| panic!("{e}: {rotated}"))
        .with_timezone(&chrono::Utc);
    let left = (until - chrono::Utc::now()).num_seconds();
    assert!((590..=600).contains(&left), "grace left: {left} s");
    for token in [&payload["token"], &successor["token"]] {
        let token = token.as_str().unwrap_or_default();
        let (_, listed) = query(&app, Some(token), None, document).await;
        assert!(
            listed["data"]["plans"]["totalCount"].is_number(),
            "{listed}"
        );
        let (_, other) = query(&app, Some(token), None, "{ organizations { totalCount } }").await;
        assert_eq!(error_code(&other), Some("FORBIDDEN"), "{other}");
    }
}

/// Apollo Client's automatic persisted queries: an unknown hash is answered with the code and
/// message the client looks for, the client resends the text with the hash, and from then on the
/// hash alone runs it; a text that does not parse is not remembered; a restricted token still runs
/// only its allow-list, whatever was remembered.
#[tokio::test]
async fn automatic_persisted_queries_work_as_apollo_client_expects() {
    let app = spawn_app().await;
    let document = "query Apq { plans { totalCount } }";
    let hash = sha256_hex(document);
    let (status, _, first) = post(&app, None, None, by_hash(&hash)).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(
        error_code(&first),
        Some("PERSISTED_QUERY_NOT_FOUND"),
        "{first}"
    );
    assert_eq!(first["errors"][0]["message"], "PersistedQueryNotFound");
    assert!(first.get("data").is_none_or(Value::is_null), "{first}");

    let mut resent = by_hash(&hash);
    resent["query"] = json!(document);
    let (_, _, resent) = post(&app, None, None, resent).await;
    assert!(
        resent["data"]["plans"]["totalCount"].is_number(),
        "{resent}"
    );
    let (_, _, again) = post(&app, None, None, by_hash(&hash)).await;
    assert_eq!(again["data"], resent["data"], "{again}");

    let broken = "query Broken {";
    let mut unparsable = by_hash(&sha256_hex(broken));
    unparsable["query"] = json!(broken);
    let (_, _, refused) = post(&app, None, None, unparsable).await;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");
    let (_, _, still) = post(&app, None, None, by_hash(&sha256_hex(broken))).await;
    assert_eq!(
        error_code(&still),
        Some("PERSISTED_QUERY_NOT_FOUND"),
        "{still}"
    );

    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    let (partner, partner_id) = app.issue_token(Role::Viewer, &[1]).await;
    let listed = "query Listed { organizations { totalCount } }";
    register(&app, &admin, "listed", listed).await;
    let set = app
        .graphql_as(
            &admin,
            "mutation($id: ID!, $ops: [String!]!) { setTokenOperations(id: $id, operations: $ops) { record { id } } }",
            json!({ "id": NodeKind::AccessToken.id(partner_id).0, "ops": [sha256_hex(listed)] }),
        )
        .await;
    assert!(set["errors"].is_null(), "{set}");
    let (_, _, forbidden) = post(&app, Some(&partner), None, by_hash(&hash)).await;
    assert_eq!(error_code(&forbidden), Some("FORBIDDEN"), "{forbidden}");
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
