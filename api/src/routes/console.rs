//! The admin console (`/admin`) and the landing page (`/`): static files embedded in the binary,
//! so that `ucap serve` alone serves them, offline. The pages hold no data and need no gate of
//! their own: the console is a client of `/graphql`, where every action passes the one gate
//! ([`super::Caller`]) with the bearer token the user pasted, so it can never do more than that
//! token may.

use actix_web::http::header::{self, EntityTag, IfNoneMatch};
use actix_web::{
    HttpMessage as _, HttpRequest, HttpResponse, HttpResponseBuilder, Route, guard, web,
};
use base64::Engine as _;
use rust_embed::RustEmbed;

/// The files of `api/console/`. With `debug-embed` they are compiled in for debug builds too, so
/// tests and `cargo run` serve the very bytes a release does (no path to the source tree at run
/// time, no difference between profiles).
#[derive(RustEmbed)]
#[folder = "console/"]
struct Assets;

/// The console's policy: its own scripts, styles and API only; no inline code, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; \
    base-uri 'none'; frame-ancestors 'none'";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", get_or_head().to(landing))
        .route("/admin", get_or_head().to(index))
        .route("/admin/", get_or_head().to(index))
        .route("/console", get_or_head().to(to_admin))
        .route("/admin/assets/{file}", get_or_head().to(asset));
}

/// GET, and HEAD with the same headers (actix-web sends no body for HEAD), as link checkers and
/// uptime probes ask.
fn get_or_head() -> Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// A response carrying the security headers every console page and file is sent with.
fn secured(mut builder: HttpResponseBuilder) -> HttpResponseBuilder {
    builder
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    builder
}

async fn landing(http: HttpRequest) -> HttpResponse {
    file(&http, "landing.html")
}

async fn index(http: HttpRequest) -> HttpResponse {
    file(&http, "index.html")
}

/// `/console` is where some look first; the console is at `/admin`.
async fn to_admin() -> HttpResponse {
    secured(HttpResponse::PermanentRedirect())
        .insert_header((header::LOCATION, "/admin"))
        .finish()
}

async fn asset(http: HttpRequest, name: web::Path<String>) -> HttpResponse {
    file(&http, &name)
}

/// One embedded file, revalidated by its hash: names carry no hash, so browsers ask again on each
/// load (`no-cache`) and get a 304 while the binary is the same.
fn file(http: &HttpRequest, name: &str) -> HttpResponse {
    let Some(found) = Assets::get(name) else {
        return secured(HttpResponse::NotFound())
            .content_type("text/plain; charset=utf-8")
            .body("not found");
    };
    let hash = found.metadata.sha256_hash();
    let tag =
        EntityTag::new_strong(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&hash[..16]));
    let unchanged = match http.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&tag)),
        None => false,
    };
    let mut response = if unchanged {
        secured(HttpResponse::NotModified())
    } else {
        secured(HttpResponse::Ok())
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
