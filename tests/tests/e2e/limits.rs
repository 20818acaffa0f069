//! Bounded before any work is done: the query text, its nesting, depth, complexity weighted by page
//! sizes, aliases, root fields and directives; and what production hides from all but admins.

use serde_json::{Value, json};
use ucap::auth::Role;
use ucap::settings::Environment;
use ucap_tests::{TestApp, error_code, spawn_app, spawn_app_with};

/// POSTs with `Accept: application/graphql-response+json` (request errors are 400) and an optional
/// bearer token; returns the status and the body.
async fn post(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let res = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"));
    let status = res.status().as_u16();
    let body = res
        .json()
        .await
        .unwrap_or_else(|e| panic!("response is not JSON: {e}"));
    (status, body)
}

fn reason(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["reason"].as_str()
}

/// A 400 with `QUERY_TOO_COMPLEX` for the limit `limit`, nothing executed.
fn assert_too_complex(status: u16, body: &Value, limit: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(body), Some("QUERY_TOO_COMPLEX"), "{body}");
    assert_eq!(reason(body), Some(limit), "{body}");
    assert!(body.get("data").is_none(), "{body}");
}

fn assert_ok(status: u16, body: &Value) {
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_null(), "{body}");
}

async fn assert_still_answers(app: &TestApp) {
    let (status, body) = post(app, None, "{ __typename }", json!({})).await;
    assert_ok(status, &body);
    assert_eq!(body["data"]["__typename"], "QueryRoot");
}

#[tokio::test]
async fn a_document_nested_7000_deep_is_refused_and_the_server_keeps_answering() {
    let app = spawn_app().await;
    let selections = format!("{}{}", "{a".repeat(7_000), "}".repeat(7_000));
    let (status, body) = post(&app, None, &selections, json!({})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), Some("QUERY_TOO_COMPLEX"), "{body}");
    assert_still_answers(&app).await;

    // With a text cap as large as the body cap, the nesting bound is what refuses them.
    let app = spawn_app_with(|s| s.query_max_bytes = 128 * 1024).await;
    let (status, body) = post(&app, None, &selections, json!({})).await;
    assert_too_complex(status, &body, "NESTING");
    let list = format!(
        "{{ plans(filter: {}1{}) {{ totalCount }} }}",
        "[".repeat(7_000),
        "]".repeat(7_000)
    );
    let (status, body) = post(&app, None, &list, json!({})).await;
    assert_too_complex(status, &body, "NESTING");
    let unclosed = "{".repeat(120_000);
    let (status, body) = post(&app, None, &unclosed, json!({})).await;
    assert_too_complex(status, &body, "NESTING");
    assert_still_answers(&app).await;
}

/// The `extensions` of the first error of the answer to subscription `id` (an `error` message, or
/// a `next` with errors).
#[tokio::test]
async fn the_limits_hold_over_the_websocket_too() {
    let app = spawn_app().await;
    let mut ws = crate::live::Ws::connect(&app, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ws.subscribe("deep", &"{".repeat(7_000), json!({})).await;
    let error = ws.error_extensions("deep").await;
    assert_eq!(error["code"], "QUERY_TOO_COMPLEX", "{error}");
    assert_eq!(error["reason"], "NESTING", "{error}");
    let aliases: Vec<String> = (0..=app.settings.query_max_aliases)
        .map(|i| format!("t{i}: __typename"))
        .collect();
    let query = format!("{{ plans(first: 1) {{ {} }} }}", aliases.join(" "));
    ws.subscribe("aliases", &query, json!({})).await;
    let error = ws.error_extensions("aliases").await;
    assert_eq!(error["reason"], "ALIASES", "{error}");
    assert_still_answers(&app).await;
}

#[tokio::test]
async fn a_document_nested_up_to_the_bound_is_parsed_and_answered() {
    let app = spawn_app().await;
    let bound = app.settings.query_max_nesting;
    // Every level reaches the parser, the validation and the depth check: none may overflow.
    let selections = format!("{}{}", "{a".repeat(bound), "}".repeat(bound));
    let (status, body) = post(&app, None, &selections, json!({})).await;
    assert_too_complex(status, &body, "DEPTH");
    // `{ plans(` and `{ or: [` per level up to the bound: parsed and coerced, then refused by the
    // filter's own depth limit.
    let levels = (bound - 4) / 2;
    let filter = format!(
        "{{ plans(filter: {}{{ or: [] }}{}) {{ totalCount }} }}",
        "{ or: [".repeat(levels),
        "] }".repeat(levels)
    );
    let (status, body) = post(&app, None, &filter, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_still_answers(&app).await;
}

#[tokio::test]
async fn a_query_text_over_the_cap_is_refused() {
    let app = spawn_app().await;
    let cap = app.settings.query_max_bytes;
    let padded = |len: usize| format!("{{ __typename }}{}", " ".repeat(len - 14));
    let (status, body) = post(&app, None, &padded(cap), json!({})).await;
    assert_ok(status, &body);
    let (status, body) = post(&app, None, &padded(cap + 1), json!({})).await;
    assert_too_complex(status, &body, "QUERY_TOO_LONG");
}

/// `plans { nodes { activities { nodes { plans { … } } } } }`, `levels` plans deep, ending in
/// `leaf`, every page of `$n` items.
fn plans_in_activities(levels: usize, leaf: &str) -> String {
    let open = "activities(first: $n) { nodes { plans { ";
    format!(
        "query($n: Int) {{ plans(first: $n) {{ nodes {{ {}{leaf}{} }} }} }}",
        open.repeat(levels - 1),
        " } } }".repeat(levels - 1)
    )
}

#[tokio::test]
async fn depth_beyond_the_limit_is_refused() {
    let app = spawn_app().await;
    assert_eq!(app.settings.query_max_depth, 16);
    // Five levels of plans: 14 fields deep, then `activities` (15) and its `totalCount` (16) …
    let at_limit = plans_in_activities(5, "activities(first: $n) { totalCount }");
    let (status, body) = post(&app, None, &at_limit, json!({ "n": 1 })).await;
    assert_ok(status, &body);
    // … or `nodes` (16) and `title` (17).
    let beyond = plans_in_activities(5, "activities(first: $n) { nodes { title } }");
    let (status, body) = post(&app, None, &beyond, json!({ "n": 1 })).await;
    assert_too_complex(status, &body, "DEPTH");
}

#[tokio::test]
async fn complexity_is_weighted_by_the_page_size_asked_for() {
    let app = spawn_app().await;
    // Pages of plans, their activities, and those activities' plans' activities: three levels.
    let query = plans_in_activities(2, "activities(first: $n) { nodes { title } }");
    let (status, body) = post(&app, None, &query, json!({ "n": 2 })).await;
    assert_ok(status, &body);
    for n in [100, 2_000_000_000] {
        let (status, body) = post(&app, None, &query, json!({ "n": n })).await;
        assert_too_complex(status, &body, "COMPLEXITY");
    }
    // A negative size is not free either: it costs one item, and the resolver refuses it.
    let (status, body) = post(&app, None, &query, json!({ "n": -1_000_000 })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // Two levels of full pages are within the limit.
    let two = "{ plans(first: 100) { nodes { activities(first: 100) { nodes { title } } } } }";
    let (status, body) = post(&app, None, two, json!({})).await;
    assert_ok(status, &body);
}

/// `count` fields `title` of a plan, each written as `field(i)`, below `plans(first: 1) { nodes`.
fn plan_fields(count: usize, field: impl Fn(usize) -> String) -> String {
    let fields: Vec<String> = (0..count).map(field).collect();
    format!(
        "{{ plans(first: 1) {{ nodes {{ {} }} }} }}",
        fields.join(" ")
    )
}

#[tokio::test]
async fn aliases_beyond_the_limit_are_refused_fragments_included() {
    let app = spawn_app().await;
    let limit = app.settings.query_max_aliases;
    let aliased = |i: usize| format!("t{i}: title");
    let (status, body) = post(&app, None, &plan_fields(limit, aliased), json!({})).await;
    assert_ok(status, &body);
    let (status, body) = post(&app, None, &plan_fields(limit + 1, aliased), json!({})).await;
    assert_too_complex(status, &body, "ALIASES");
    // A fragment spread twice counts twice.
    let half: Vec<String> = (0..limit / 2 + 1).map(aliased).collect();
    let spread = format!(
        "{{ plans(first: 1) {{ nodes {{ ...F ...F }} }} }} fragment F on Plan {{ {} }}",
        half.join(" ")
    );
    let (status, body) = post(&app, None, &spread, json!({})).await;
    assert_too_complex(status, &body, "ALIASES");
}

#[tokio::test]
async fn root_fields_beyond_the_limit_are_refused() {
    let app = spawn_app().await;
    let limit = app.settings.query_max_root_fields;
    let root = |count: usize| format!("{{ {} }}", "__typename ".repeat(count));
    let (status, body) = post(&app, None, &root(limit), json!({})).await;
    assert_ok(status, &body);
    let (status, body) = post(&app, None, &root(limit + 1), json!({})).await;
    assert_too_complex(status, &body, "ROOT_FIELDS");
}

#[tokio::test]
async fn directives_beyond_the_limit_are_refused() {
    let app = spawn_app().await;
    let limit = app.settings.query_max_directives;
    // A field takes each directive once: two per field.
    let directed = |i: usize| format!("t{i}: title @include(if: true) @skip(if: false)");
    let (status, body) = post(&app, None, &plan_fields(limit / 2, directed), json!({})).await;
    assert_ok(status, &body);
    let (status, body) = post(&app, None, &plan_fields(limit / 2 + 1, directed), json!({})).await;
    assert_too_complex(status, &body, "DIRECTIVES");
}

const SCHEMA_NAME: &str = "{ __schema { queryType { name } } }";
const TYPE_BY_FRAGMENT: &str =
    "query { ...T } fragment T on QueryRoot { __type(name: \"Plan\") { name } }";

/// The introspection query of GraphiQL, shortened: types with fields, arguments and nested type
/// references.
const FULL_INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } \
    mutationType { name } subscriptionType { name } types { ...FullType } \
    directives { name locations args { ...InputValue } } } } \
    fragment FullType on __Type { kind name description \
    fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } isDeprecated } \
    inputFields { ...InputValue } interfaces { ...TypeRef } \
    enumValues(includeDeprecated: true) { name } possibleTypes { ...TypeRef } } \
    fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue } \
    fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name \
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

/// Production with `public_schema` off.
async fn private_schema_app() -> TestApp {
    spawn_app_with(|s| {
        s.env = Environment::Production;
        s.public_schema = false;
    })
    .await
}

#[tokio::test]
async fn with_a_private_schema_only_admins_introspect() {
    let app = private_schema_app().await;
    let (viewer, _) = app.issue_token(Role::Viewer, &[1]).await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    for token in [None, Some(viewer.as_str())] {
        for query in [SCHEMA_NAME, TYPE_BY_FRAGMENT] {
            let (status, body) = post(&app, token, query, json!({})).await;
            assert_eq!(status, 400, "{body}");
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
        }
        let (status, body) = post(&app, token, "{ __typename }", json!({})).await;
        assert_ok(status, &body);
    }
    let (status, body) = post(&app, Some(&admin), SCHEMA_NAME, json!({})).await;
    assert_ok(status, &body);
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "QueryRoot");
    let (status, body) = post(&app, Some(&admin), FULL_INTROSPECTION, json!({})).await;
    assert_ok(status, &body);
    assert!(
        body["data"]["__schema"]["types"]
            .as_array()
            .is_some_and(|t| t.len() > 50)
    );
}

#[tokio::test]
async fn in_development_everyone_introspects() {
    let app = spawn_app().await;
    let (status, body) = post(&app, None, FULL_INTROSPECTION, json!({})).await;
    assert_ok(status, &body);
    let (status, body) = post(&app, None, TYPE_BY_FRAGMENT, json!({})).await;
    assert_ok(status, &body);
    assert_eq!(body["data"]["__type"]["name"], "Plan");
}

/// The messages of the errors of a document with a misspelled field and a misspelled argument.
async fn misspelled(app: &TestApp, token: Option<&str>) -> String {
    let query = "{ plns { totalCount } plans(frist: 1) { totalCount } }";
    let (status, body) = post(app, token, query, json!({})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(reason(&body), Some("GRAPHQL_VALIDATION_FAILED"), "{body}");
    body["errors"].to_string()
}

#[tokio::test]
async fn with_a_private_schema_only_admins_are_told_what_they_may_have_meant() {
    let app = private_schema_app().await;
    let (viewer, _) = app.issue_token(Role::Viewer, &[1]).await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    for token in [None, Some(viewer.as_str())] {
        let messages = misspelled(&app, token).await;
        assert!(!messages.contains("Did you mean"), "{messages}");
    }
    let messages = misspelled(&app, Some(&admin)).await;
    assert!(messages.contains("Did you mean"), "{messages}");
    let development = spawn_app().await;
    let messages = misspelled(&development, None).await;
    assert!(messages.contains("Did you mean"), "{messages}");
}

async fn graphiql(app: &TestApp, authorization: Option<&str>) -> u16 {
    let mut request = app.client.get(format!("{}/graphiql", app.address));
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"))
        .status()
        .as_u16()
}

#[tokio::test]
async fn with_a_private_schema_graphiql_and_the_sdl_exist_for_admins_only() {
    let app = private_schema_app().await;
    let (viewer, _) = app.issue_token(Role::Viewer, &[1]).await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    assert_eq!(graphiql(&app, None).await, 404);
    assert_eq!(graphiql(&app, Some(&format!("Bearer {viewer}"))).await, 404);
    assert_eq!(graphiql(&app, Some("Bearer not-a-token")).await, 404);
    assert_eq!(graphiql(&app, Some(&format!("Bearer {admin}"))).await, 200);
    let development = spawn_app().await;
    assert_eq!(graphiql(&development, None).await, 200);
    let sdl = |token: Option<String>| {
        let mut request = app.client.get(format!("{}/schema.graphql", app.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            request
                .send()
                .await
                .unwrap_or_else(|e| panic!("request failed: {e}"))
                .status()
                .as_u16()
        }
    };
    assert_eq!(sdl(None).await, 404);
    assert_eq!(sdl(Some(viewer)).await, 404);
    assert_eq!(sdl(Some(admin)).await, 200);
}

/// The default in production: the schema is the published contract. Anyone introspects, is told
/// what a misspelled field may have meant, loads GraphiQL and fetches `/schema.graphql` (the
/// committed SDL, cacheable and revalidated by ETag) — without a token.
#[tokio::test]
async fn in_production_the_schema_is_public_by_default() {
    let app = spawn_app_with(|s| s.env = Environment::Production).await;
    let (status, body) = post(&app, None, FULL_INTROSPECTION, json!({})).await;
    assert_ok(status, &body);
    assert!(misspelled(&app, None).await.contains("Did you mean"));
    assert_eq!(graphiql(&app, None).await, 200);

    let response = app
        .client
        .get(format!("{}/schema.graphql", app.address))
        .send()
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"));
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers().clone();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("content-type").starts_with("text/plain"));
    assert!(header("cache-control").contains("max-age"));
    let tag = header("etag");
    assert!(tag.starts_with('"'), "ETag {tag:?}");
    let body = response.text().await.unwrap_or_default();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql"))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        body, committed,
        "/schema.graphql is not the committed schema"
    );
    let again = app
        .client
        .get(format!("{}/schema.graphql", app.address))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"));
    assert_eq!(again.status().as_u16(), 304);
}
