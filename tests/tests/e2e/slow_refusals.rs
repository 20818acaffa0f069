//! Refusals for going too fast are held before they are sent (`UCAP_REFUSAL_DELAY`): a client that
//! retries at once gets a few refusals a second, not thousands; past its share of held refusals an
//! address gets them at once with its connection closed; a WebSocket refused for its rate pauses.

use std::time::{Duration, Instant};

use serde_json::json;
use ucap_tests::{TestApp, spawn_app_with};

use super::live::Ws;

const DELAY: Duration = Duration::from_millis(800);
const WAIT: Duration = Duration::from_secs(10);

async fn held_app() -> TestApp {
    spawn_app_with(|s| {
        s.rate_limit_anonymous = 2;
        s.refusal_delay = DELAY;
    })
    .await
}

/// An anonymous `{ __typename }` on a connection of its own: its status, whether the server
/// closes the connection, and how long the answer took.
async fn ask(app: &TestApp) -> (u16, bool, Duration) {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let res = client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"));
    let closes = res
        .headers()
        .get("connection")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
    (res.status().as_u16(), closes, started.elapsed())
}

#[tokio::test]
async fn a_refusal_for_going_too_fast_is_held_and_a_flood_past_its_share_is_cut_off() {
    let app = held_app().await;
    for _ in 0..2 {
        let (status, _, _) = ask(&app).await;
        assert_eq!(status, 200);
    }
    let (status, closes, took) = ask(&app).await;
    assert_eq!(status, 429);
    assert!(!closes, "a held refusal keeps its connection");
    assert!(took >= DELAY, "the refusal came after {took:?}");

    // More refusals at once than an address may have held: the rest come at once, closing.
    let extra = 16;
    let all = ucap::throttle::HELD_REFUSALS_PER_ADDRESS + extra;
    let answers = futures::future::join_all((0..all).map(|_| ask(&app))).await;
    assert!(answers.iter().all(|(status, _, _)| *status == 429));
    let cut: Vec<_> = answers.iter().filter(|(_, closes, _)| *closes).collect();
    assert_eq!(cut.len(), extra, "{answers:?}");
    let held = answers
        .iter()
        .filter(|(_, closes, took)| !closes && *took >= DELAY);
    assert_eq!(held.count(), ucap::throttle::HELD_REFUSALS_PER_ADDRESS);
}

#[tokio::test]
async fn a_websocket_refused_for_its_rate_is_read_again_only_after_the_delay() {
    let app = held_app().await;
    let mut ws = Ws::connect(&app, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for i in 0..3 {
        ws.subscribe(&format!("q{i}"), "{ __typename }", json!({}))
            .await;
    }
    let refused = loop {
        let message = ws
            .next_message(WAIT)
            .await
            .unwrap_or_else(|| panic!("no answer"));
        if message["id"] == "q2" {
            break message;
        }
    };
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED");
    let asked = Instant::now();
    ws.subscribe("q3", "{ __typename }", json!({})).await;
    // The answers of the operations admitted may still come; then q3's refusal.
    loop {
        let message = ws.next_message(WAIT).await;
        let message = message.unwrap_or_else(|| panic!("no answer to q3"));
        if message["id"] == "q3" {
            assert_eq!(message["type"], "error", "{message}");
            break;
        }
    }
    // q3 was sent after q2's refusal arrived; the connection read it after its pause.
    assert!(
        asked.elapsed() >= DELAY / 2,
        "answered after {:?}",
        asked.elapsed()
    );
}
