//! GraphQL over HTTP: media types, status codes, the body cap, GET for queries only, CORS.

use reqwest::header::{self, HeaderMap};
use serde_json::{Value, json};
use ucap_tests::{TestApp, error_code, spawn_app, spawn_app_with};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// Status, headers and JSON body (`Null` when the body is not JSON).
struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// A request error of the client's making: `BAD_USER_INPUT`, with `reason` saying which.
fn assert_refused(body: &Value, reason: &str) {
    assert_eq!(error_code(body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["reason"], reason, "{body}");
}

async fn reply(request: reqwest::RequestBuilder) -> Reply {
    let res = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"));
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    Reply {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// POSTs a raw body with the given `Content-Type` and optional `Accept`.
async fn post(app: &TestApp, content_type: &str, accept: Option<&str>, body: Vec<u8>) -> Reply {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header(header::CONTENT_TYPE, content_type)
        .body(body);
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    reply(request).await
}

async fn post_json(app: &TestApp, accept: Option<&str>, body: Value) -> Reply {
    post(
        app,
        "application/json",
        accept,
        body.to_string().into_bytes(),
    )
    .await
}

async fn get(app: &TestApp, params: &[(&str, &str)], accept: Option<&str>) -> Reply {
    let mut request = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(params);
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    reply(request).await
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused_with_415() {
    let app = spawn_app().await;
    let body = json!({ "query": "{ __typename }" })
        .to_string()
        .into_bytes();
    let res = post(&app, "text/plain", None, body.clone()).await;
    assert_eq!(res.status, 415, "{}", res.body);
    assert_refused(&res.body, "BAD_REQUEST");
    let res = post(&app, "application/json; charset=utf-8", None, body).await;
    assert_eq!(res.status, 200, "{}", res.body);
}

#[tokio::test]
async fn a_body_over_128_kib_is_refused_with_413_and_one_of_128_kib_is_read() {
    let app = spawn_app().await;
    let padded = |len: usize| {
        let empty = json!({ "query": "{ __typename }", "extensions": { "pad": "" } }).to_string();
        let pad = "x".repeat(len - empty.len());
        json!({ "query": "{ __typename }", "extensions": { "pad": pad } })
            .to_string()
            .into_bytes()
    };
    let res = post(&app, "application/json", None, padded(200 * 1024)).await;
    assert_eq!(res.status, 413);
    assert_refused(&res.body, "BAD_REQUEST");

    let res = post(&app, "application/json", None, padded(128 * 1024)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["data"]["__typename"], "QueryRoot");
}

#[tokio::test]
async fn a_batch_is_refused_with_400() {
    let app = spawn_app().await;
    let res = post_json(
        &app,
        None,
        json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]),
    )
    .await;
    assert_eq!(res.status, 400);
    assert_refused(&res.body, "BAD_REQUEST");
}

#[tokio::test]
async fn malformed_json_and_parameters_of_the_wrong_type_are_refused_with_400() {
    let app = spawn_app().await;
    let res = post(&app, "application/json", None, b"{ \"query\": ".to_vec()).await;
    assert_eq!(res.status, 400);
    assert_refused(&res.body, "BAD_REQUEST");
    for body in [
        json!({ "qeury": "{ __typename }" }),
        json!({ "query": 1 }),
        json!({ "query": "{ __typename }", "variables": "{}" }),
    ] {
        let res = post_json(&app, None, body.clone()).await;
        assert_eq!(res.status, 400, "{body}");
    }
}

#[tokio::test]
async fn a_mutation_over_get_is_refused_with_405_and_not_executed() {
    let app = spawn_app().await;
    // The schema has no mutation root yet: over POST this is a validation error, over GET it
    // must be refused before validation.
    let res = get(&app, &[("query", "mutation { __typename }")], None).await;
    assert_eq!(res.status, 405, "{}", res.body);
    assert_eq!(
        res.headers.get(header::ALLOW).and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    assert!(res.body.get("data").is_none(), "{}", res.body);

    let document = "query Q { __typename } mutation M { __typename }";
    let res = get(&app, &[("query", document), ("operationName", "M")], None).await;
    assert_eq!(res.status, 405, "{}", res.body);
    // Selecting the query is not refused (the document still fails validation while the schema
    // has no mutation root, a 200 with application/json).
    let res = get(&app, &[("query", document), ("operationName", "Q")], None).await;
    assert_eq!(res.status, 200, "{}", res.body);
}

#[tokio::test]
async fn graphql_response_json_is_served_when_asked_and_a_syntax_error_is_400() {
    let app = spawn_app().await;
    let accept = Some(GRAPHQL_RESPONSE_JSON);
    let res = post_json(&app, accept, json!({ "query": "{ __typename }" })).await;
    assert_eq!(res.status, 200);
    assert!(
        res.content_type().starts_with(GRAPHQL_RESPONSE_JSON),
        "{}",
        res.content_type()
    );

    let res = post_json(&app, accept, json!({ "query": "{" })).await;
    assert_eq!(res.status, 400);
    assert!(res.content_type().starts_with(GRAPHQL_RESPONSE_JSON));
    assert!(res.body.get("data").is_none(), "{}", res.body);
    assert_refused(&res.body, "GRAPHQL_PARSE_FAILED");

    let res = post_json(&app, accept, json!({ "query": "{ noSuchField }" })).await;
    assert_eq!(res.status, 400);
    assert_refused(&res.body, "GRAPHQL_VALIDATION_FAILED");
}

#[tokio::test]
async fn application_json_gets_200_with_errors_for_a_request_error() {
    let app = spawn_app().await;
    for accept in [Some("application/json"), Some("*/*"), None] {
        let res = post_json(&app, accept, json!({ "query": "{" })).await;
        assert_eq!(res.status, 200, "{accept:?}");
        assert!(
            res.content_type().starts_with("application/json"),
            "{}",
            res.content_type()
        );
        assert_refused(&res.body, "GRAPHQL_PARSE_FAILED");
    }
    let res = post_json(
        &app,
        None,
        json!({ "query": "query($id: ID!) { plan(id: $id) { title } }" }),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        error_code(&res.body),
        Some("BAD_USER_INPUT"),
        "{}",
        res.body
    );
}

#[tokio::test]
async fn a_field_error_is_a_partial_success_with_status_200() {
    let app = spawn_app().await;
    let res = post_json(
        &app,
        Some(GRAPHQL_RESPONSE_JSON),
        json!({ "query": "{ plan(id: \"UGxhbjo5OTk5\") { title } }" }),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(error_code(&res.body), Some("NOT_FOUND"), "{}", res.body);
    assert!(res.body.get("data").is_some(), "{}", res.body);
}

#[tokio::test]
async fn queries_over_get_take_json_variables() {
    let app = spawn_app().await;
    let res = get(
        &app,
        &[
            (
                "query",
                "query($n: Int!) { cities(first: $n) { nodes { name } } }",
            ),
            ("variables", r#"{"n": 2}"#),
        ],
        Some(GRAPHQL_RESPONSE_JSON),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.content_type().starts_with(GRAPHQL_RESPONSE_JSON));
    assert_eq!(
        res.body["data"]["cities"]["nodes"].as_array().map(Vec::len),
        Some(2),
        "{}",
        res.body
    );
}

async fn preflight(app: &TestApp, origin: &str) -> Reply {
    reply(
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type"),
    )
    .await
}

#[tokio::test]
async fn cors_preflight_is_answered_for_allowed_origins_only() {
    let allowed = "https://dashboard.example";
    let app = spawn_app_with(|s| s.cors_origins = vec![allowed.to_owned()]).await;

    let res = preflight(&app, allowed).await;
    assert_eq!(res.status, 200);
    let header = |name: header::HeaderName| {
        res.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    assert_eq!(header(header::ACCESS_CONTROL_ALLOW_ORIGIN), allowed);
    assert!(header(header::ACCESS_CONTROL_ALLOW_METHODS).contains("post"));
    assert!(header(header::ACCESS_CONTROL_ALLOW_HEADERS).contains("content-type"));

    let res = preflight(&app, "https://elsewhere.example").await;
    assert!(
        res.headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none(),
        "{:?}",
        res.headers
    );
}

/// Every error of a `/graphql` answer carries the `requestId` of the response's `x-request-id`.
fn assert_stamped(res: &Reply, case: &str) {
    let id = res
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{case}: no x-request-id"));
    let errors = res.body["errors"].as_array().cloned().unwrap_or_default();
    assert!(!errors.is_empty(), "{case}: no errors in {}", res.body);
    for error in errors {
        assert_eq!(error["extensions"]["requestId"], id, "{case}: {}", res.body);
    }
}

#[tokio::test]
async fn every_error_answer_of_graphql_carries_the_request_id() {
    let app = spawn_app().await;
    let accept = Some(GRAPHQL_RESPONSE_JSON);
    let mutation = "mutation { revokeToken(id: \"QWNjZXNzVG9rZW46MQ\") { record { id } } }";
    let res = post_json(&app, None, json!({ "query": mutation })).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(!res.body["errors"][0]["path"].is_null(), "{}", res.body);
    assert_stamped(&res, "field error of a mutation");

    let query = json!({ "query": "{ plan(id: \"UGxhbjo5OTk5\") { title } }" });
    let res = post_json(&app, None, query).await;
    assert_eq!(error_code(&res.body), Some("NOT_FOUND"), "{}", res.body);
    assert_stamped(&res, "field error of a query");

    for (document, case) in [
        ("{ noSuchField }", "validation error of a query"),
        ("mutation { noSuchField }", "validation error of a mutation"),
        ("{", "parse error"),
    ] {
        let res = post_json(&app, accept, json!({ "query": document })).await;
        assert_eq!(res.status, 400, "{case}: {}", res.body);
        assert_stamped(&res, case);
        let res = post_json(&app, None, json!({ "query": document })).await;
        assert_eq!(res.status, 200, "{case}: {}", res.body);
        assert_stamped(&res, case);
    }

    let body = json!({ "query": "{ __typename }" }).to_string();
    let res = post(&app, "application/json", None, b"{ \"query\": ".to_vec()).await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert_stamped(&res, "bad JSON body");
    let oversized =
        json!({ "query": "{ __typename }", "extensions": { "pad": "x".repeat(200 * 1024) } });
    let res = post_json(&app, None, oversized).await;
    assert_eq!(res.status, 413, "{}", res.body);
    assert_stamped(&res, "oversized body");
    let res = post(&app, "text/plain", None, body.clone().into_bytes()).await;
    assert_eq!(res.status, 415, "{}", res.body);
    assert_stamped(&res, "unsupported content type");
    let res = post(
        &app,
        "application/json",
        Some("text/html"),
        body.into_bytes(),
    )
    .await;
    assert_eq!(res.status, 406, "{}", res.body);
    assert_stamped(&res, "not acceptable");
    let res = reply(app.client.put(format!("{}/graphql", app.address))).await;
    assert_eq!(res.status, 405, "{}", res.body);
    assert_stamped(&res, "method not allowed");
    let res = get(&app, &[("query", "mutation { __typename }")], None).await;
    assert_eq!(res.status, 405, "{}", res.body);
    assert_stamped(&res, "mutation over GET");
}

/// Responses over 1 KiB are compressed as the client accepts (gzip, brotli), the same bytes once
/// decoded; smaller ones and clients that accept no encoding get them as they are.
#[tokio::test]
async fn large_responses_are_compressed_as_the_client_accepts() {
    use std::io::Read as _;

    let app = spawn_app().await;
    let query = json!({ "query": "{ __schema { types { name description fields { name description } } } }" });
    let send = |encoding: Option<&'static str>, body: Value| {
        let mut request = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&body);
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        async move {
            let res = request
                .send()
                .await
                .unwrap_or_else(|e| panic!("request failed: {e}"));
            let encoding = res
                .headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = res.bytes().await.unwrap_or_default();
            (encoding, bytes)
        }
    };
    let (plain_encoding, plain) = send(None, query.clone()).await;
    assert_eq!(plain_encoding, None);
    assert!(plain.len() > 1024, "a small sample: {} bytes", plain.len());

    let (encoding, gzipped) = send(Some("gzip"), query.clone()).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert!(
        gzipped.len() < plain.len() / 2,
        "{} of {}",
        gzipped.len(),
        plain.len()
    );
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gzipped[..])
        .read_to_end(&mut decoded)
        .unwrap_or_else(|e| panic!("not gzip: {e}"));
    assert_eq!(decoded, plain.to_vec());

    let (encoding, brotli) = send(Some("br"), query.clone()).await;
    assert_eq!(encoding.as_deref(), Some("br"));
    assert!(
        brotli.len() < plain.len() / 2,
        "{} of {}",
        brotli.len(),
        plain.len()
    );
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&brotli[..], 4096)
        .read_to_end(&mut decoded)
        .unwrap_or_else(|e| panic!("not brotli: {e}"));
    assert_eq!(decoded, plain.to_vec());

    // An encoding the cache does not keep is made per request.
    let (encoding, zstd) = send(Some("zstd"), query.clone()).await;
    assert_eq!(encoding.as_deref(), Some("zstd"));
    assert!(zstd.len() < plain.len() / 2);

    let (encoding, small) = send(Some("gzip, br"), json!({ "query": "{ __typename }" })).await;
    assert_eq!(encoding, None, "a {} byte body was encoded", small.len());
    assert!(small.starts_with(b"{"));
}
