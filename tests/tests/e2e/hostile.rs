//! The hostile suite: what a misbehaving or malicious client sends over real HTTP — malformed
//! JSON, abused media types and methods, oversized and malformed headers and tokens, injection
//! strings, NUL and exotic Unicode, conflicting concurrent writes. The server answers each with a
//! 4xx or a clear GraphQL error code, never a 5xx or a hang, and the data stays intact.

mod injection;
mod races;
mod transport;
mod unicode;

use std::time::Duration;

use serde_json::{Value, json};
use ucap_tests::TestApp;

/// Longest any single hostile request may take to be answered: past it the server hangs.
const ANSWER_WITHIN: Duration = Duration::from_secs(20);

/// Status and JSON body (`Null` when the body is not JSON).
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// Every `extensions.code` of the errors.
    pub fn codes(&self) -> Vec<&str> {
        codes(&self.body)
    }
}

/// The most specific code of each of a response's errors: `extensions.reason` where the service
/// gives one (under a `BAD_USER_INPUT` or `QUERY_TOO_COMPLEX` code), else `extensions.code` (`"-"`
/// for an error without one); repeats collapsed.
pub fn codes(body: &Value) -> Vec<&str> {
    let mut codes: Vec<&str> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let code = e["extensions"]["code"].as_str().unwrap_or("-");
            match e["extensions"]["reason"].as_str() {
                Some(reason) if matches!(code, "BAD_USER_INPUT" | "QUERY_TOO_COMPLEX") => reason,
                _ => code,
            }
        })
        .collect();
    codes.dedup();
    codes
}

/// Sends a request, failing the test when the server takes longer than [`ANSWER_WITHIN`].
pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let res = request
        .timeout(ANSWER_WITHIN)
        .send()
        .await
        .unwrap_or_else(|e| panic!("no answer: {e}"));
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    Reply {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// A POST to `/graphql` with a raw body and the given `Content-Type` (none when `None`).
pub fn post(app: &TestApp, content_type: Option<&str>, body: Vec<u8>) -> reqwest::RequestBuilder {
    let request = app.client.post(format!("{}/graphql", app.address));
    match content_type {
        Some(ct) => request.header(reqwest::header::CONTENT_TYPE, ct),
        None => request,
    }
    .body(body)
}

/// A JSON POST of `query` with `variables` as `token` (anonymous when `None`).
pub async fn graphql(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Reply {
    let mut request = post(
        app,
        Some("application/json"),
        json!({ "query": query, "variables": variables })
            .to_string()
            .into_bytes(),
    );
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    send(request).await
}

/// Row counts of every kind of record, as an admin sees them: equal before and after an attack.
pub async fn counts(app: &TestApp, admin: &str) -> Value {
    let r = app
        .graphql_as(
            admin,
            "{ plans { totalCount } cities { totalCount } countries { totalCount } \
             organizations { totalCount } activities { totalCount } mous { totalCount } \
             themes { totalCount } expectedResults { totalCount } tokens { totalCount } }",
            json!({}),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"].clone()
}
