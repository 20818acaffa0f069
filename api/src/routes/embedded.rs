//! Files compiled into the binary (the console, GraphiQL and the landing page), so that
//! `ucap serve` alone serves them, offline. Each page family sends its own
//! Content-Security-Policy; every file is revalidated by its hash.

use actix_web::http::header::{self, EntityTag, IfNoneMatch};
use actix_web::{
    HttpMessage as _, HttpRequest, HttpResponse, HttpResponseBuilder, Route, guard, web,
};
use base64::Engine as _;
use rust_embed::RustEmbed;

/// GET, and HEAD with the same headers (actix-web sends no body for HEAD), as link checkers and
/// uptime probes ask.
pub fn get_or_head() -> Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// A response carrying the security headers of a page family: its policy, no referrer, no
/// content-type sniffing.
pub fn secured(mut builder: HttpResponseBuilder, policy: &'static str) -> HttpResponseBuilder {
    builder
        .insert_header((header::CONTENT_SECURITY_POLICY, policy))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    builder
}

/// A strong ETag of `bytes`' sha256, and whether the request already holds it.
pub fn etag(http: &HttpRequest, sha256: &[u8]) -> (EntityTag, bool) {
    let short = &sha256[..sha256.len().min(16)];
    let tag = EntityTag::new_strong(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(short));
    let unchanged = match http.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&tag)),
        None => false,
    };
    (tag, unchanged)
}

/// One embedded file of `A`, revalidated by its hash: names carry no hash, so browsers ask again
/// on each load (`no-cache`) and get a 304 while the binary is the same.
pub fn serve<A: RustEmbed>(http: &HttpRequest, name: &str, policy: &'static str) -> HttpResponse {
    let Some(found) = A::get(name) else {
        return secured(HttpResponse::NotFound(), policy)
            .content_type("text/plain; charset=utf-8")
            .body("not found");
    };
    let (tag, unchanged) = etag(http, &found.metadata.sha256_hash());
    let mut response = if unchanged {
        secured(HttpResponse::NotModified(), policy)
    } else {
        secured(HttpResponse::Ok(), policy)
    };
    response
        .insert_header(header::ETag(tag))
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    if unchanged {
        return response.finish();
    }
    let mime = found.metadata.mimetype();
    let content_type = if mime.starts_with("text/") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    response
        .content_type(content_type)
        .body(found.data.into_owned())
}
