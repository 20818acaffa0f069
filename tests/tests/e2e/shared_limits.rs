//! Rate limits shared by several instances: a client gets one allowance however many instances
//! answer it — counted in PostgreSQL, or in Redis when one is configured — and when the store
//! does not answer, each instance still applies the limit alone, never none.

use serde_json::json;
use ucap::auth::Role;
use ucap::settings::Settings;
use ucap_tests::{TestApp, error_code, on_postgres, spawn_app, spawn_app_with};

/// The Redis the tests use (the machine's, as CI's).
const REDIS: &str = "redis://127.0.0.1:6379/";

/// How many of `n` requests to each of `apps`, sent in turn, were answered (the others must be
/// refused with 429 RATE_LIMITED).
async fn admitted_in_turn(apps: &[&TestApp], authorization: Option<&str>, n: usize) -> usize {
    let mut admitted = 0;
    for _ in 0..n {
        for app in apps {
            let mut request = app
                .client
                .post(format!("{}/graphql", app.address))
                .json(&json!({ "query": "{ __typename }" }));
            if let Some(value) = authorization {
                request = request.header("authorization", value);
            }
            let response = request
                .send()
                .await
                .unwrap_or_else(|e| panic!("request failed: {e}"));
            let status = response.status().as_u16();
            let body: serde_json::Value = response
                .json()
                .await
                .unwrap_or_else(|e| panic!("response is not JSON: {e}"));
            match status {
                200 => admitted += 1,
                429 => assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}"),
                _ => panic!("{status}: {body}"),
            }
        }
    }
    admitted
}

/// A second instance on the first one's database with the same settings, `adjust` applied to both.
async fn two_instances(adjust: impl Fn(&mut Settings) + Clone) -> (TestApp, TestApp) {
    let first = spawn_app_with(adjust.clone()).await;
    let url = first.database_url.clone();
    let second = spawn_app_with(move |s| {
        adjust(s);
        s.database_url = url;
    })
    .await;
    (first, second)
}

/// A key space of its own for each test, as two deployments sharing one Redis would have.
fn redis_prefix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("ucap-test-{}-{nanos}", std::process::id())
}

#[tokio::test]
async fn a_token_gets_one_allowance_across_two_instances_on_postgresql() {
    if !on_postgres() {
        return;
    }
    let (first, second) = two_instances(|s| s.rate_limit_token = 10).await;
    let (token, _) = first.issue_token(Role::Viewer, &[1]).await;
    let bearer = format!("Bearer {token}");
    // 16 requests, 8 through each: alone, each instance would answer all of them.
    let admitted = admitted_in_turn(&[&first, &second], Some(&bearer), 8).await;
    assert_eq!(admitted, 10);
    // Another token has an allowance of its own.
    let (other, _) = first.issue_token(Role::Viewer, &[1]).await;
    let other = format!("Bearer {other}");
    assert_eq!(
        admitted_in_turn(&[&first, &second], Some(&other), 1).await,
        2
    );
}

#[tokio::test]
async fn instances_leasing_parts_of_an_allowance_never_admit_beyond_it() {
    if !on_postgres() {
        return;
    }
    // 100 a minute: each instance takes 5 at a time from the database and spends them itself.
    let (first, second) = two_instances(|s| s.rate_limit_token = 100).await;
    let (token, _) = first.issue_token(Role::Viewer, &[1]).await;
    let bearer = format!("Bearer {token}");
    let admitted = admitted_in_turn(&[&first, &second], Some(&bearer), 60).await;
    // At most the part of one lease the other instance holds unspent is refused early.
    assert!((96..=100).contains(&admitted), "{admitted} of 120 admitted");
}

#[tokio::test]
async fn an_anonymous_address_gets_one_allowance_across_two_instances_through_redis() {
    let prefix = redis_prefix();
    let (first, second) = two_instances(move |s| {
        s.rate_limit_anonymous = 6;
        s.redis_url = Some(REDIS.to_owned());
        s.redis_prefix = prefix.clone();
    })
    .await;
    let admitted = admitted_in_turn(&[&first, &second], None, 5).await;
    assert_eq!(admitted, 6);
    let (_, metrics) = first.metrics().await;
    assert!(
        metrics.contains("ucap_rate_limit_fallbacks_total 0"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_instance_whose_store_does_not_answer_applies_the_limit_alone() {
    // Nothing listens on port 1: every check falls back to the instance's own limiter.
    let app = spawn_app_with(|s| {
        s.rate_limit_anonymous = 3;
        s.redis_url = Some("redis://127.0.0.1:1/".to_owned());
    })
    .await;
    assert_eq!(admitted_in_turn(&[&app], None, 5).await, 3);
    let (_, metrics) = app.metrics().await;
    let fallbacks = metrics
        .lines()
        .find_map(|l| l.strip_prefix("ucap_rate_limit_fallbacks_total "))
        .and_then(|v| v.trim().parse::<u64>().ok());
    assert!(fallbacks.is_some_and(|n| n >= 3), "{metrics}");
}

#[tokio::test]
async fn a_malformed_redis_url_stops_the_start_with_its_name() {
    let app = spawn_app().await;
    let settings = Settings {
        redis_url: Some("http://not-redis".to_owned()),
        bind: "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}")),
        ..ucap_tests::settings_for(&app.database_url)
    };
    let error = match ucap::startup::Application::build(settings).await {
        Ok(_) => panic!("started with a malformed Redis URL"),
        Err(e) => format!("{e:#}"),
    };
    assert!(error.contains("UCAP_REDIS_URL"), "{error}");
}
