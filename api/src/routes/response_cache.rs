//! Whole responses to anonymous queries, cached under the data version. Every anonymous reader of
//! the plan explorer asks the same question; between two writes the answer cannot change (the
//! `data_version` counter moves at every committed write, whoever writes), so it is computed once
//! and served as bytes. Callers with a token are never served from here: their answers depend on
//! who they are (`me`, their organizations' drafts).

use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpResponse;
use actix_web::body::MessageBody;
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
use moka::future::Cache;

use crate::telemetry::request::ErrorCode;

/// A rendered response.
pub struct Rendered {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    /// Only complete answers are kept; an error may be transient.
    cacheable: bool,
    /// The first error's code, for the request log and metrics.
    error_code: Option<ErrorCode>,
}

impl Rendered {
    /// Takes an HTTP response apart; `cacheable` when it is a 200 without GraphQL errors.
    pub async fn from_response(response: HttpResponse) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let error_code = ErrorCode::of(&response);
        let body = match response.into_body().try_into_bytes() {
            Ok(bytes) => bytes,
            Err(body) => actix_web::body::to_bytes(body).await.unwrap_or_default(),
        };
        let cacheable = status == StatusCode::OK && !has_errors(&body);
        Self {
            status,
            headers,
            body,
            cacheable,
            error_code,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn to_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status).body(self.body.clone());
        for (name, value) in &self.headers {
            response.headers_mut().append(name.clone(), value.clone());
        }
        if let Some(ErrorCode(code)) = &self.error_code {
            ErrorCode::note(&mut response, code);
        }
        response
    }
}

/// Whether a GraphQL response body has a top-level `errors` member.
fn has_errors(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Top {
        #[serde(default)]
        errors: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Top>(body).map_or(true, |top| top.errors.is_some())
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    version: i64,
    /// Media type, operation name, variables, extensions and document: everything that can
    /// change an anonymous answer at one data version.
    request: String,
}

/// The cache, bounded by the bytes it holds.
#[derive(Clone)]
pub struct ResponseCache(Cache<Key, Arc<Rendered>>);

impl ResponseCache {
    pub fn new(max_bytes: u64) -> Self {
        Self(
            Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|k: &Key, v: &Arc<Rendered>| {
                    u32::try_from(k.request.len() + v.body.len()).unwrap_or(u32::MAX)
                })
                .time_to_idle(Duration::from_secs(600))
                .build(),
        )
    }

    /// The response to `request` at `version`, rendered by `render` when missing; concurrent
    /// requests for a missing answer wait for one rendering.
    pub async fn get_or_render<F>(&self, version: i64, request: String, render: F) -> Arc<Rendered>
    where
        F: Future<Output = Rendered>,
    {
        let key = Key { version, request };
        let rendered = self
            .0
            .get_with_by_ref(&key, async { Arc::new(render.await) })
            .await;
        if !rendered.cacheable {
            self.0.invalidate(&key).await;
        }
        rendered
    }
}
