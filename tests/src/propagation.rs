//! How soon a change made through one instance holds on another: polls of the other instance
//! every 10 ms until one finds it, timed from when polling began.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::graphql_at;

/// How soon another instance must refuse a token changed through the first: a behaviour bound
/// with a wide margin (a notification takes about a millisecond), not a benchmark. It bounds when
/// the first refused request was sent: under load one request's own time (a debug build, the
/// suite's other servers on the same cores) can exceed it.
pub const PUSHED_WITHIN: Duration = Duration::from_millis(100);

/// A query any valid token may send.
pub const ME: &str = "{ me { role } }";

/// When the first of the polls that found the change was sent and answered (since polling began),
/// and which poll it was.
pub struct Refused {
    pub sent: Duration,
    pub answered: Duration,
    pub poll: u32,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "poll {} sent after {:?}, answered after {:?}",
            self.poll, self.sent, self.answered
        )
    }
}

/// The first request the server at `address` refused with 401 of those sent with `token` every
/// 10 ms from now on.
pub async fn first_unauthenticated(address: &str, token: &str) -> Refused {
    first_refused(address, token, ME, |status, _| status == 401).await
}

/// The first request the server at `address` answered as `refused` says of those sending
/// `document` with `token` every 10 ms from now on (for at most 5 s).
pub async fn first_refused(
    address: &str,
    token: &str,
    document: &str,
    refused: impl Fn(u16, &Value) -> bool,
) -> Refused {
    let client = reqwest::Client::new();
    let authorization = format!("Bearer {token}");
    let start = Instant::now();
    let mut poll = 0;
    loop {
        poll += 1;
        let sent = start.elapsed();
        let (status, _, body) = graphql_at(&client, address, &authorization, document, json!({}))
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        if refused(status, &body) {
            return Refused {
                sent,
                answered: start.elapsed(),
                poll,
            };
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "still accepted after 5 s: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
