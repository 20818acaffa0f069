//! Whole responses to anonymous queries, cached under the data version. Every anonymous reader of
//! the plan explorer asks the same question; between two writes the answer cannot change (the
//! `data_version` counter moves at every committed write, whoever writes), so it is computed once
//! and served as bytes. Callers with a token are never served from here: their answers depend on
//! who they are (`me`, their organizations' drafts).
//!
//! A cached answer is also kept compressed (brotli and gzip, each made at its first request that
//! accepts it): encoding per request, as the `Compress` middleware does for everything else, would
//! cost a cached explorer page several times what serving its bytes costs.

use std::io::Write as _;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::HttpResponse;
use actix_web::body::MessageBody;
use actix_web::http::StatusCode;
use actix_web::http::header::{
    AcceptEncoding, CONTENT_ENCODING, ContentEncoding, Encoding, HeaderMap, HeaderValue, VARY,
};
use actix_web::web::Bytes;
use moka::future::Cache;

use crate::routes::compression::MIN_BYTES;
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
    brotli: OnceLock<Bytes>,
    gzip: OnceLock<Bytes>,
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
            brotli: OnceLock::new(),
            gzip: OnceLock::new(),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response, in the encoding `accept` prefers among brotli, gzip and none (bodies under
    /// [`MIN_BYTES`] always as they are).
    pub fn to_response(&self, accept: Option<&AcceptEncoding>) -> HttpResponse {
        let encoding = accept
            .filter(|_| self.body.len() as u64 >= MIN_BYTES)
            .and_then(|accept| accept.negotiate(SERVED.iter()))
            .and_then(|chosen| match chosen {
                Encoding::Known(ContentEncoding::Brotli) => Some((
                    ContentEncoding::Brotli,
                    self.brotli.get_or_init(|| brotli(&self.body)).clone(),
                )),
                Encoding::Known(ContentEncoding::Gzip) => Some((
                    ContentEncoding::Gzip,
                    self.gzip.get_or_init(|| gzip(&self.body)).clone(),
                )),
                _ => None,
            });
        let (body, content_encoding) = match encoding {
            Some((chosen, bytes)) => (bytes, Some(chosen)),
            None => (self.body.clone(), None),
        };
        let mut response = HttpResponse::build(self.status).body(body);
        for (name, value) in &self.headers {
            response.headers_mut().append(name.clone(), value.clone());
        }
        if let Some(chosen) = content_encoding {
            response
                .headers_mut()
                .insert(CONTENT_ENCODING, chosen.to_header_value());
        }
        if self.body.len() as u64 >= MIN_BYTES {
            response
                .headers_mut()
                .append(VARY, HeaderValue::from_static("accept-encoding"));
        }
        if let Some(ErrorCode(code)) = &self.error_code {
            ErrorCode::note(&mut response, code);
        }
        response
    }
}

/// The encodings a cached answer is kept in; `identity` so that a client refusing both still gets
/// the plain bytes.
static SERVED: [Encoding; 3] = [Encoding::brotli(), Encoding::gzip(), Encoding::identity()];

/// Brotli at quality 5: made once per answer and data version, so better than the `Compress`
/// middleware's per-request quality 3, and still a few milliseconds for a large page.
fn brotli(body: &[u8]) -> Bytes {
    let mut writer =
        ::brotli::CompressorWriter::new(Vec::with_capacity(body.len() / 4), 4096, 5, 22);
    // Writing to a `Vec` cannot fail.
    let _ = writer.write_all(body);
    Bytes::from(writer.into_inner())
}

fn gzip(body: &[u8]) -> Bytes {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::default(),
    );
    let _ = encoder.write_all(body);
    Bytes::from(encoder.finish().unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use actix_web::body::MessageBody as _;

    use super::*;

    async fn rendered(body: String) -> Rendered {
        Rendered::from_response(HttpResponse::Ok().body(body)).await
    }

    fn accept(value: &str) -> AcceptEncoding {
        use actix_web::HttpMessage as _;
        actix_web::test::TestRequest::default()
            .insert_header(("accept-encoding", value))
            .to_http_request()
            .get_header::<AcceptEncoding>()
            .unwrap_or_else(|| panic!("not an Accept-Encoding: {value}"))
    }

    fn body(response: HttpResponse) -> Bytes {
        response
            .into_body()
            .try_into_bytes()
            .unwrap_or_else(|_| panic!("not bytes"))
    }

    fn header(response: &HttpResponse, name: &str) -> Option<String> {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap_or_default().to_owned())
    }

    #[actix_web::test]
    async fn a_large_answer_is_encoded_once_per_encoding_as_the_client_prefers() {
        let plain = format!(
            "{{\"data\":{{\"rows\":[{}]}}}}",
            "\"Guangzhou\",".repeat(300)
        );
        let cached = rendered(plain.clone()).await;

        let first = cached.to_response(Some(&accept("gzip;q=0.5, br")));
        assert_eq!(header(&first, "content-encoding").as_deref(), Some("br"));
        assert_eq!(header(&first, "vary").as_deref(), Some("accept-encoding"));
        let encoded = body(first);
        assert!(encoded.len() < plain.len() / 10, "{}", encoded.len());
        let mut decoded = String::new();
        ::brotli::Decompressor::new(&encoded[..], 4096)
            .read_to_string(&mut decoded)
            .unwrap_or_else(|e| panic!("not brotli: {e}"));
        assert_eq!(decoded, plain);
        // Kept: the next brotli reader gets the same allocation, not a new encoding.
        let again = body(cached.to_response(Some(&accept("br"))));
        assert_eq!(again.as_ptr(), encoded.as_ptr());
        assert!(cached.gzip.get().is_none(), "gzip made for no one");

        let gzipped = cached.to_response(Some(&accept("gzip")));
        assert_eq!(
            header(&gzipped, "content-encoding").as_deref(),
            Some("gzip")
        );
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&body(gzipped)[..])
            .read_to_string(&mut decoded)
            .unwrap_or_else(|e| panic!("not gzip: {e}"));
        assert_eq!(decoded, plain);

        for plain_please in [None, Some(accept("identity")), Some(accept("compress"))] {
            let response = cached.to_response(plain_please.as_ref());
            assert_eq!(header(&response, "content-encoding"), None);
            assert_eq!(body(response), plain.as_bytes());
        }
    }

    #[actix_web::test]
    async fn a_small_answer_is_sent_as_it_is() {
        let cached = rendered("{\"data\":{\"x\":1}}".to_owned()).await;
        let response = cached.to_response(Some(&accept("br, gzip")));
        assert_eq!(header(&response, "content-encoding"), None);
        assert_eq!(header(&response, "vary"), None);
        assert_eq!(body(response), "{\"data\":{\"x\":1}}".as_bytes());
    }
}
