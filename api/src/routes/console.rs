//! The admin console (`/admin`) and the landing page (`/`): static files embedded in the binary,
//! so that `ucap serve` alone serves them, offline. The pages hold no data and need no gate of
//! their own: the console is a client of `/graphql`, where every action passes the one gate
//! ([`super::Caller`]) with the bearer token the user pasted, so it can never do more than that
//! token may.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;

use super::embedded::{get_or_head, secured, serve};

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

async fn landing(http: HttpRequest) -> HttpResponse {
    serve::<Assets>(&http, "landing.html", CONTENT_SECURITY_POLICY)
}

async fn index(http: HttpRequest) -> HttpResponse {
    serve::<Assets>(&http, "index.html", CONTENT_SECURITY_POLICY)
}

/// `/console` is where some look first; the console is at `/admin`.
async fn to_admin() -> HttpResponse {
    secured(HttpResponse::PermanentRedirect(), CONTENT_SECURITY_POLICY)
        .insert_header((header::LOCATION, "/admin"))
        .finish()
}

async fn asset(http: HttpRequest, name: web::Path<String>) -> HttpResponse {
    serve::<Assets>(&http, &name, CONTENT_SECURITY_POLICY)
}
