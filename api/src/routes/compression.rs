//! Response compression: actix-web's `Compress` (brotli, gzip or zstd, as the client's
//! `Accept-Encoding` prefers), skipped for bodies under [`MIN_BYTES`], where encoding costs more
//! than it saves. `Compress` has no size threshold but leaves alone a response that already names
//! its encoding, so [`mark_small`] (inside it) names a small one `identity` and [`unmark`] (outside
//! it) takes that name off again before the response leaves.

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_ENCODING, HeaderValue};
use actix_web::middleware::Next;

/// Bodies smaller than this are sent as they are.
pub const MIN_BYTES: u64 = 1024;

const IDENTITY: &str = "identity";

pub async fn mark_small(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let small = matches!(res.response().body().size(), BodySize::Sized(n) if n < MIN_BYTES);
    if small && !res.headers().contains_key(CONTENT_ENCODING) {
        res.headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static(IDENTITY));
    }
    Ok(res)
}

pub async fn unmark(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    if res
        .headers()
        .get(CONTENT_ENCODING)
        .is_some_and(|v| v == IDENTITY)
    {
        res.headers_mut().remove(CONTENT_ENCODING);
    }
    Ok(res)
}
