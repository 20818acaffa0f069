//! One attempt over HTTP: a POST of the signed payload, no redirects followed, bounded in time,
//! and at most [`MAX_RESPONSE_BYTES`] of the answer read (for the delivery log).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::target::{self, AllowedHosts, Guard};
use crate::settings::Settings;

/// The most of a response body read; the rest is never downloaded.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// The most of a response body kept in the delivery log.
const MAX_LOGGED_CHARS: usize = 300;

/// How an attempt went.
#[derive(Debug)]
pub struct Outcome {
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    pub latency: Duration,
    /// Why it failed; `None` for a 2xx answer.
    pub error: Option<String>,
}

/// One signed message.
pub struct Message<'a> {
    pub url: &'a str,
    pub id: &'a str,
    pub timestamp: i64,
    pub signature: &'a str,
    pub body: &'a str,
}

/// The outbound HTTP client of webhooks.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allowed: AllowedHosts,
}

impl Sender {
    pub fn new(settings: &Settings) -> reqwest::Result<Self> {
        let allowed = AllowedHosts::new(&settings.webhook_allowed_hosts);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.webhook_connect_timeout)
            .timeout(settings.webhook_timeout)
            .dns_resolver(Arc::new(Guard(allowed.clone())))
            .user_agent(concat!("ucap-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client, allowed })
    }

    pub async fn post(&self, message: Message<'_>) -> Outcome {
        let started = Instant::now();
        let failed = |error: String| Outcome {
            status: None,
            latency: started.elapsed(),
            error: Some(error),
        };
        // Addresses written in the URL; names are checked by the resolver as they resolve.
        let checked = match target::parse(message.url, &self.allowed) {
            Ok(checked) => checked,
            Err(refusal) => return failed(format!("refused: {refusal}")),
        };
        let sent = self
            .client
            .post(checked.url)
            .header("content-type", "application/json")
            .header("webhook-id", message.id)
            .header("webhook-timestamp", message.timestamp.to_string())
            .header("webhook-signature", message.signature)
            .body(message.body.to_owned())
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            Err(err) => return failed(chain(&err)),
        };
        let status = response.status();
        let mut body = Vec::new();
        while body.len() < MAX_RESPONSE_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(err) => {
                    return Outcome {
                        status: Some(status.as_u16()),
                        latency: started.elapsed(),
                        // A 2xx whose body broke off still counts as accepted.
                        error: if status.is_success() {
                            None
                        } else {
                            Some(chain(&err))
                        },
                    };
                }
            }
        }
        let error = if status.is_success() {
            None
        } else if status.is_redirection() {
            Some(format!("HTTP {status}: redirects are not followed"))
        } else {
            let text: String = String::from_utf8_lossy(&body)
                .chars()
                .take(MAX_LOGGED_CHARS)
                .collect();
            Some(format!("HTTP {status}: {}", text.trim()))
        };
        Outcome {
            status: Some(status.as_u16()),
            latency: started.elapsed(),
            error,
        }
    }
}

/// An error with its causes (reqwest shows only the outermost).
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
