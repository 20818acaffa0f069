//! The load generator: N tokio tasks, each with its own keep-alive connection from one reqwest pool,
//! posting the same GraphQL request back to back for a fixed time. A response counts as an error when
//! its status is not 200 or its body has GraphQL `errors`; every response's latency is kept.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

/// What one load phase measured.
#[derive(Debug, Default)]
pub struct Sample {
    pub requests: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    /// Sorted ascending.
    latencies: Vec<Duration>,
}

impl Sample {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency below which the fraction `q` of the requests finished (nearest rank).
    pub fn percentile(&self, q: f64) -> Duration {
        percentile(&self.latencies, q)
    }
}

/// Nearest-rank percentile of sorted latencies.
pub(super) fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A client for `connections` concurrent keep-alive connections to loopback.
pub fn client(connections: usize) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()
}

/// Posts `body` from `connections` tasks for `duration`.
pub async fn run(
    client: &reqwest::Client,
    url: &str,
    body: &str,
    connections: usize,
    duration: Duration,
) -> Sample {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (client, url, body) = (client.clone(), url.to_owned(), body.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut part = Sample::default();
            while Instant::now() < deadline {
                let t0 = Instant::now();
                let outcome = send(&client, &url, body.clone()).await;
                part.latencies.push(t0.elapsed());
                part.requests += 1;
                if let Err(e) = outcome {
                    part.errors += 1;
                    part.first_error.get_or_insert(e);
                }
            }
            part
        }));
    }
    let mut total = Sample::default();
    for task in tasks {
        match task.await {
            Ok(part) => {
                total.requests += part.requests;
                total.errors += part.errors;
                if total.first_error.is_none() {
                    total.first_error = part.first_error;
                }
                total.latencies.extend(part.latencies);
            }
            Err(e) => {
                total.errors += 1;
                total
                    .first_error
                    .get_or_insert(format!("client task failed: {e}"));
            }
        }
    }
    total.elapsed = started.elapsed();
    total.latencies.sort_unstable();
    total
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    errors: Option<serde::de::IgnoredAny>,
}

/// One request; `Err` holds why it counts as an error.
async fn send(client: &reqwest::Client, url: &str, body: String) -> Result<(), String> {
    let res = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = res.status();
    let bytes = res
        .bytes()
        .await
        .map_err(|e| format!("reading the body: {e}"))?;
    if status != reqwest::StatusCode::OK {
        return Err(format!("HTTP {status}: {}", clip(&bytes)));
    }
    match serde_json::from_slice::<Envelope>(&bytes) {
        Ok(Envelope { errors: None }) => Ok(()),
        Ok(_) => {
            let errors = serde_json::from_slice::<Value>(&bytes).map(|v| v["errors"].to_string());
            Err(format!(
                "GraphQL errors: {}",
                clip(errors.unwrap_or_default().as_bytes())
            ))
        }
        Err(e) => Err(format!("not JSON ({e}): {}", clip(&bytes))),
    }
}

/// One GraphQL request whose answer the caller needs; an error status or `errors` fail it.
pub async fn graphql(
    client: &reqwest::Client,
    url: &str,
    query: &str,
    variables: &Value,
) -> anyhow::Result<Value> {
    let body = serde_json::json!({ "query": query, "variables": variables });
    let res = client.post(url).json(&body).send().await?;
    let status = res.status();
    let value: Value = res.json().await?;
    if status != reqwest::StatusCode::OK || !value["errors"].is_null() {
        anyhow::bail!("HTTP {status}: {value}");
    }
    Ok(value)
}

/// The start of a response body, for error messages.
fn clip(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    match text.char_indices().nth(400) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.into_owned(),
    }
}
