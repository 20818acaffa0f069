//! The schema for people and tools: `/schema.graphql` (the SDL) and GraphiQL at `/graphiql`, its
//! files embedded in the binary (no CDN). Both are open to anyone while `public_schema` is on (the
//! default: the schema is the published contract), and otherwise, in production, to admins whose
//! token comes with the page request. GraphiQL itself holds no data: what it shows follows the
//! token typed into its header editor, through the one gate at `/graphql` and `/graphql/ws`.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use super::embedded::{etag, get_or_head, secured, serve};
use super::{AppState, Caller};
use crate::auth::Viewer;

/// `api/graphiql/`: the page, its start script, and the vendored GraphiQL and React
/// (`scripts/graphiql/vendor.sh`).
#[derive(RustEmbed)]
#[folder = "graphiql/"]
struct Assets;

/// GraphiQL's policy: its own files and this origin's API (`'self'` covers `/graphql/ws`) only; no
/// inline code or style, no framing. The browser test fails on anything it refuses.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The SDL's own policy: it is text, not a page.
const TEXT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/graphiql", get_or_head().to(page))
        .route("/graphiql/assets/{file:.*}", get_or_head().to(asset))
        .route("/schema.graphql", get_or_head().to(schema));
}

/// Whether this request may see the schema: anyone when it is public or in development, else an
/// admin token in the request's `Authorization` header (a bad token is refused like none).
async fn may_see_schema(state: &AppState, http: &HttpRequest) -> bool {
    Viewer::Anonymous.may_inspect_schema(state.settings.env, state.settings.public_schema)
        || (http.headers().contains_key(header::AUTHORIZATION)
            && Caller::of_request(state, http)
                .await
                .is_ok_and(|caller| caller.may_inspect_schema(state)))
}

/// To a caller who may not see the schema, the pages do not exist.
fn not_found() -> HttpResponse {
    secured(HttpResponse::NotFound(), TEXT_POLICY)
        .content_type("text/plain; charset=utf-8")
        .body("not found")
}

async fn page(state: web::Data<AppState>, http: HttpRequest) -> HttpResponse {
    if !may_see_schema(&state, &http).await {
        return not_found();
    }
    serve::<Assets>(&http, "index.html", CONTENT_SECURITY_POLICY)
}

/// GraphiQL's files are code anyone may download; only the page is gated.
async fn asset(http: HttpRequest, name: web::Path<String>) -> HttpResponse {
    serve::<Assets>(&http, &name, CONTENT_SECURITY_POLICY)
}

/// The SDL and its hash, computed once: the schema is fixed for the life of the binary.
fn sdl() -> &'static (String, Vec<u8>) {
    static SDL: OnceLock<(String, Vec<u8>)> = OnceLock::new();
    SDL.get_or_init(|| {
        let sdl = crate::graphql::sdl();
        let hash = Sha256::digest(sdl.as_bytes()).to_vec();
        (sdl, hash)
    })
}

/// `GET /schema.graphql`: the SDL, as committed in `schema.graphql`. Caches may keep it for five
/// minutes and then revalidate by ETag (a new binary may change it); private when it is not public.
async fn schema(state: web::Data<AppState>, http: HttpRequest) -> HttpResponse {
    if !may_see_schema(&state, &http).await {
        return not_found();
    }
    let (sdl, hash) = sdl();
    let (tag, unchanged) = etag(&http, hash);
    let cache = if state.settings.public_schema {
        "public, max-age=300"
    } else {
        "private, no-cache"
    };
    let mut response = if unchanged {
        secured(HttpResponse::NotModified(), TEXT_POLICY)
    } else {
        secured(HttpResponse::Ok(), TEXT_POLICY)
    };
    response
        .insert_header(header::ETag(tag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, "Authorization"));
    if unchanged {
        return response.finish();
    }
    response
        .content_type("text/plain; charset=utf-8")
        .body(sdl.clone())
}
