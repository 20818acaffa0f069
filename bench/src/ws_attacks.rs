//! The WebSocket attackers of `ucap-bench hostile`: anonymous clients of `/graphql/ws` that flood
//! a connection with subscriptions and heavy queries, send fragment bombs, or subscribe and never
//! read what they are sent. Each reconnects whenever the server closes it, until the deadline.

use std::time::{Duration, Instant};

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use super::attacks::fragment_bomb;
use super::hostile::{Outcome, Tally};

/// The kinds of WebSocket attacker, in the order attacker indexes cycle through them.
const KINDS: usize = 3;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A connection past `connection_init`, or the outcome that refused it.
async fn connect(ws_url: &str) -> Result<Socket, Outcome> {
    let mut request = ws_url.into_client_request().map_err(|_| Outcome::Refused)?;
    if let Ok(protocol) = "graphql-transport-ws".parse() {
        request
            .headers_mut()
            .insert("sec-websocket-protocol", protocol);
    }
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| match e.to_string() {
            refused if refused.contains("429") => Outcome::RateLimited,
            other if other.contains("503") => Outcome::Refused,
            other => Outcome::ServerError(format!("websocket upgrade: {other}")),
        })?;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await?;
    Ok(socket)
}

async fn send(socket: &mut Socket, message: Value) -> Result<(), Outcome> {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .map_err(|_| Outcome::Refused)
}

/// The outcome of one server message: an `error` is a refusal (or a rate limit), a close ends the
/// connection.
fn classify(message: &Value) -> Option<Outcome> {
    let errors = match message["type"].as_str()? {
        "error" => &message["payload"],
        "next" => &message["payload"]["errors"],
        _ => return None,
    };
    let code = errors[0]["extensions"]["code"].as_str();
    Some(match code {
        None => Outcome::Ok,
        Some("INTERNAL") => Outcome::ServerError(message.to_string()),
        Some("RATE_LIMITED") => Outcome::RateLimited,
        Some(_) => Outcome::Refused,
    })
}

/// Reads what the server sends for at most `wait`, tallying each answer; `false` once the server
/// closed the connection.
async fn drain(socket: &mut Socket, wait: Duration, tally: &mut Tally, sent: Instant) -> bool {
    let until = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(until, socket.next()).await {
            Err(_) => return true,
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return false,
            Ok(Some(Ok(Message::Text(text)))) => {
                let message: Value = serde_json::from_str(&text).unwrap_or_default();
                if let Some(outcome) = classify(&message) {
                    tally.record(sent.elapsed(), outcome);
                }
            }
            Ok(Some(Ok(_))) => {}
        }
    }
}

/// One WebSocket attacker until `deadline`; `index` picks its kind.
pub async fn attacker(ws_url: String, index: usize, deadline: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut n = 0usize;
    while Instant::now() < deadline {
        // Whatever the server does (a paused connection blocks our sends), stop at the deadline.
        let until = tokio::time::Instant::from_std(deadline);
        let _ = tokio::time::timeout_at(
            until,
            one_connection(&ws_url, index, deadline, &mut n, &mut tally),
        )
        .await;
    }
    tally
}

/// One connection of an attacker, until the server closes it or the deadline.
async fn one_connection(
    ws_url: &str,
    index: usize,
    deadline: Instant,
    n: &mut usize,
    tally: &mut Tally,
) {
    let t0 = Instant::now();
    let mut socket = match connect(ws_url).await {
        Ok(socket) => socket,
        Err(outcome) => {
            tally.record(t0.elapsed(), outcome);
            tokio::time::sleep(Duration::from_millis(50)).await;
            return;
        }
    };
    let mut open = drain(&mut socket, Duration::from_millis(200), tally, t0).await;
    match index % KINDS {
        // A flood of subscriptions, each with its own filter, and heavy queries.
        0 => {
            while open && Instant::now() < deadline {
                let sent = Instant::now();
                for _ in 0..100 {
                    *n += 1;
                    let subscribe = json!({ "id": format!("s{n}"), "type": "subscribe", "payload": {
                        "query": "subscription($t: String) { activityAdded(filter: { text: $t }) { id title plans { title } } }",
                        "variables": { "t": format!("x{n}") } } });
                    let heavy = json!({ "id": format!("q{n}"), "type": "subscribe", "payload": {
                        "query": "{ activities(first: 100) { nodes { id title plans { title activities(first: 100) { nodes { id } } } } } }" } });
                    if send(&mut socket, subscribe).await.is_err()
                        || send(&mut socket, heavy).await.is_err()
                    {
                        open = false;
                        break;
                    }
                    tally.requests += 2;
                }
                open = open && drain(&mut socket, Duration::from_millis(20), tally, sent).await;
            }
        }
        // Fragment bombs, one after the other.
        1 => {
            let bomb = fragment_bomb(40);
            while open && Instant::now() < deadline {
                *n += 1;
                let sent = Instant::now();
                let message = json!({ "id": format!("b{n}"), "type": "subscribe", "payload": {
                    "query": bomb, "operationName": "Small" } });
                if send(&mut socket, message).await.is_err() {
                    break;
                }
                open = drain(&mut socket, Duration::from_millis(20), tally, sent).await;
            }
        }
        // Subscribes to everything and never reads again.
        _ => {
            for i in 0..50 {
                let message = json!({ "id": format!("r{i}"), "type": "subscribe", "payload": {
                    "query": "subscription { activityAdded { id title description plans { title } cities { name } } }" } });
                if send(&mut socket, message).await.is_err() {
                    break;
                }
                tally.requests += 1;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            tokio::time::sleep(left.min(Duration::from_secs(30))).await;
        }
    }
    drop(socket);
}
