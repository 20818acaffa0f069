//! What operators see: `/metrics` (requests by operation and outcome, latency, pool, refused
//! tokens), the `x-request-id` of every response, and traces exported over OTLP.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::json;
use ucap::auth::Role;
use ucap_tests::process::ServerProcess;
use ucap_tests::{TestApp, TestDb, error_code, spawn_app, spawn_app_with};

/// The value of the sample `name` (with its labels, exactly as rendered) in `/metrics`.
async fn sample(app: &TestApp, name: &str) -> Option<f64> {
    let (status, body) = app.metrics().await;
    assert_eq!(status, 200, "{body}");
    body.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

/// `ucap_requests_total` with these labels.
async fn requests(app: &TestApp, labels: &str) -> Option<f64> {
    sample(app, &format!("ucap_requests_total{{{labels}}}")).await
}

async fn post_text_plain(app: &TestApp) -> u16 {
    app.client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "text/plain")
        .body("{ __typename }")
        .send()
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"))
        .status()
        .as_u16()
}

#[tokio::test]
async fn requests_are_counted_by_operation_and_outcome_with_a_latency_histogram() {
    let app = spawn_app().await;
    let ping = "query Ping { __typename }";
    for _ in 0..2 {
        let res = app.graphql(ping, json!({})).await;
        assert_eq!(res["data"]["__typename"], "QueryRoot", "{res}");
    }
    let (status, _, body) = app
        .graphql_with_header("Bearer not-a-token", ping, json!({}))
        .await;
    assert_eq!((status, error_code(&body)), (401, Some("UNAUTHENTICATED")));
    let res = app.graphql("query Broken { noSuchField }", json!({})).await;
    assert_eq!(error_code(&res), Some("BAD_USER_INPUT"), "{res}");
    assert_eq!(
        app.graphql("{ __typename }", json!({})).await["errors"],
        json!(null)
    );
    assert_eq!(post_text_plain(&app).await, 415);

    assert_eq!(
        requests(&app, r#"operation="Ping",outcome="ok""#).await,
        Some(2.0)
    );
    assert_eq!(
        // A refused token is answered before the body is read: no operation name.
        requests(&app, r#"operation="-",outcome="unauthenticated""#).await,
        Some(1.0)
    );
    assert_eq!(
        requests(&app, r#"operation="Broken",outcome="bad_user_input""#).await,
        Some(1.0)
    );
    assert_eq!(
        requests(&app, r#"operation="anonymous",outcome="ok""#).await,
        Some(1.0)
    );
    assert_eq!(
        requests(&app, r#"operation="-",outcome="http_415""#).await,
        Some(1.0)
    );

    let ok_queries = r#"operation_type="query",outcome="ok""#;
    assert_eq!(
        sample(
            &app,
            &format!("ucap_request_duration_seconds_count{{{ok_queries}}}")
        )
        .await,
        Some(3.0)
    );
    assert_eq!(
        sample(
            &app,
            &format!("ucap_request_duration_seconds_bucket{{le=\"+Inf\",{ok_queries}}}")
        )
        .await,
        Some(3.0)
    );
    assert!(
        sample(
            &app,
            &format!("ucap_request_duration_seconds_sum{{{ok_queries}}}")
        )
        .await
        .is_some_and(|sum| sum > 0.0)
    );
    assert_eq!(
        sample(&app, r#"ucap_token_refusals_total{reason="malformed"}"#).await,
        Some(1.0)
    );
    assert!(
        sample(&app, "ucap_sql_statements_total")
            .await
            .is_some_and(|n| n > 0.0)
    );
}

#[tokio::test]
async fn every_response_carries_its_own_request_id() {
    let app = spawn_app().await;
    let mut ids = HashSet::new();
    for path in ["/healthz", "/readyz", "/metrics", "/no-such-page"] {
        let res = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        ids.insert(request_id(&res, path));
    }
    for authorization in [None, Some("Bearer not-a-token")] {
        let mut request = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": "{ __typename }" }));
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        let res = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        ids.insert(request_id(&res, "/graphql"));
    }
    assert_eq!(ids.len(), 6, "request ids repeat: {ids:?}");
}

fn request_id(res: &reqwest::Response, path: &str) -> String {
    let id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no x-request-id on {path} ({})", res.status()));
    // A UUID: 32 hex digits in five groups.
    assert!(
        id.len() == 36 && id.split('-').count() == 5,
        "{path}: x-request-id {id}"
    );
    id.to_owned()
}

#[tokio::test]
async fn pool_gauges_show_the_connections_and_the_configured_maximum() {
    let app = spawn_app_with(|s| s.db_max_connections = 7).await;
    assert_eq!(sample(&app, "ucap_db_pool_max").await, Some(7.0));
    let size = sample(&app, "ucap_db_pool_size").await;
    let idle = sample(&app, "ucap_db_pool_idle").await;
    let in_use = sample(&app, "ucap_db_pool_in_use").await;
    let (Some(size), Some(idle), Some(in_use)) = (size, idle, in_use) else {
        panic!("pool gauges missing: size {size:?}, idle {idle:?}, in use {in_use:?}");
    };
    assert!((1.0..=7.0).contains(&size), "size {size}");
    assert!(idle >= 0.0 && in_use >= 0.0 && idle + in_use <= 7.0);
}

#[tokio::test]
async fn metrics_are_served_on_their_own_listener_and_on_the_api_port_to_admins_only() {
    let app = spawn_app().await;
    let (status, body) = app.metrics().await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("ucap_sql_statements_total"), "{body}");

    let url = format!("{}/metrics", app.address);
    let anonymous = app
        .client
        .get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(anonymous.status().as_u16(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    let error: serde_json::Value = anonymous.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(error_code(&error), Some("UNAUTHENTICATED"), "{error}");

    let (viewer, _) = app.issue_token(Role::Viewer, &[1]).await;
    let (admin, _) = app.issue_token(Role::Admin, &[]).await;
    for (token, status, code) in [(viewer, 403, Some("FORBIDDEN")), (admin, 200, None)] {
        let res = app
            .client
            .get(&url)
            .header("authorization", format!("Bearer {token}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(res.status().as_u16(), status);
        let text = res.text().await.unwrap_or_default();
        match code {
            Some(code) => {
                let error: serde_json::Value =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(error_code(&error), Some(code), "{error}");
            }
            None => assert!(text.contains("ucap_sql_statements_total"), "{text}"),
        }
    }
}

/// Traces do not follow the log filter: with `RUST_LOG=warn` (no request is logged) the request
/// spans still reach the collector the standard `OTEL_EXPORTER_OTLP_ENDPOINT` names, under the
/// standard `OTEL_SERVICE_NAME`.
#[tokio::test]
async fn spans_reach_the_otlp_collector_whatever_the_log_filter() {
    let received: Arc<Mutex<Vec<web::Bytes>>> = Arc::default();
    let kept = received.clone();
    let collector = HttpServer::new(move || {
        let kept = kept.clone();
        App::new()
            .app_data(web::PayloadConfig::new(16 << 20))
            .route(
                "/v1/traces",
                web::post().to(move |body: web::Bytes| {
                    let kept = kept.clone();
                    async move {
                        kept.lock().unwrap_or_else(|e| panic!("{e}")).push(body);
                        HttpResponse::Ok().finish()
                    }
                }),
            )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap_or_else(|e| panic!("{e}"));
    let port = collector.addrs()[0].port();
    let collector = collector.run();
    let collector_handle = collector.handle();
    tokio::spawn(collector);

    let (_db, url) = TestDb::create().await.unwrap_or_else(|e| panic!("{e}"));
    let logs = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let endpoint = format!("http://127.0.0.1:{port}");
    let mut server = ServerProcess::start_quiet(
        env!("CARGO_BIN_EXE_ucap-server"),
        &url,
        &[
            ("RUST_LOG", "warn"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_SERVICE_NAME", "ucap-traced"),
        ],
        logs.path(),
    )
    .await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let res = client
            .post(format!("{}/graphql", server.address))
            .json(&json!({ "query": "{ plans { totalCount } }" }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(res.status(), 200);
    }
    // Stopping flushes the batch of spans.
    server.signal("TERM");
    let status = server.wait(Duration::from_secs(60)).await;
    assert!(status.success(), "{status}:\n{}", server.log_text());
    collector_handle.stop(true).await;

    let log = server.log_text();
    assert!(
        !log.contains("\"message\":\"request\""),
        "requests were logged:\n{log}"
    );
    let received = received.lock().unwrap_or_else(|e| panic!("{e}"));
    assert!(!received.is_empty(), "no spans were exported:\n{log}");
    let named = |body: &web::Bytes| body.windows(11).any(|w| w == b"ucap-traced");
    assert!(
        received.iter().all(named),
        "spans without OTEL_SERVICE_NAME"
    );
}

/// `ucap health`, the container health check: exit status 0 while the server is ready.
#[tokio::test]
async fn the_health_command_succeeds_against_a_ready_server() {
    let app = spawn_app().await;
    let url = format!("{}/readyz", app.address);
    let out = tokio::process::Command::new(super::server_binary())
        .args(["health", "--url", &url])
        .env_remove("UCAP_CONFIG")
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run ucap: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
