//! HTTP routes: GraphQL over HTTP (POST and GET), GraphiQL and the SDL, the admin console, health
//! and readiness.

mod caller;
pub mod compression;
mod console;
mod embedded;
mod execution;
mod export;
mod graphql_http;
pub mod metrics;
mod response_cache;
mod schema_pages;
pub mod slow_refusals;
mod state;
mod ws;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

pub use caller::{Caller, Denial};
pub use execution::Capacity;
pub use graphql_http::{GraphQLRequest, GraphQLResponse, MAX_BODY_BYTES, Rejection};
pub use response_cache::ResponseCache;
pub use state::AppState;
pub use ws::Sockets;

use actix_web::Responder;
use response_cache::Rendered;

use actix_web::HttpMessage as _;
use actix_web::ResponseError as _;
use actix_web::http::StatusCode;
use actix_web::http::header::AcceptEncoding;

use crate::auth::Viewer;
use crate::error::HttpError;
use crate::persisted;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql))
            .route(web::get().to(graphql))
            .default_service(web::to(Rejection::method_not_allowed)),
    )
    .route("/graphql/ws", web::get().to(ws::upgrade))
    .route("/.well-known/jwks.json", web::get().to(jwks))
    .configure(export::configure)
    .configure(console::configure)
    .configure(schema_pages::configure)
    .route("/healthz", web::get().to(healthz))
    .route("/readyz", web::get().to(readyz));
}

/// One operation per request, through the gate ([`Caller`]): the caller is decided from its token,
/// its rate limit checked before the body is read, its allow-list before anything runs.
async fn graphql(
    state: web::Data<AppState>,
    http: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Rejection> {
    if state.lifecycle.is_closing() {
        return Err(Rejection::Unavailable);
    }
    let caller = Caller::of_request(&state, &http)
        .await
        .map_err(|denial| match denial {
            Denial::Unavailable => Rejection::Unavailable,
            Denial::Revoked | Denial::Invalid => Rejection::Unauthenticated,
            Denial::Unmapped(message) => Rejection::NotGranted(message),
        })?;
    if let Err(limited) = caller.admit(&state).await {
        return Ok(HttpError(limited).error_response());
    }
    let request = GraphQLRequest::read(&http, payload.into_inner(), &state.persisted).await?;
    persisted::check_allowed(&caller.viewer, request.document()).map_err(|e| request.refuse(e))?;
    request.check_introspection(caller.may_inspect_schema(&state))?;
    let cache_key = match (&caller.viewer, &state.responses) {
        (Viewer::Anonymous, Some(_)) => request.cache_key(),
        _ => None,
    };
    if let (Some(key), Some(cache)) = (cache_key, &state.responses) {
        let version = crate::db::data_version(&state.db).await.map_err(|err| {
            tracing::error!(error = %err, "cannot read the data version");
            Rejection::Unavailable
        })?;
        // Taken by the rendering; left here when another request's rendering is shared.
        let pending = std::cell::Cell::new(Some(request));
        let rendered = cache
            .get_or_render(version, key, async {
                let Some(request) = pending.take() else {
                    return Rendered::from_response(Rejection::Unavailable.error_response()).await;
                };
                let response = execute(&state, &caller, request).await;
                match response {
                    Ok(response) => Rendered::from_response(response.respond_to(&http)).await,
                    Err(rejection) => {
                        Rendered::from_response(actix_web::ResponseError::error_response(
                            &rejection,
                        ))
                        .await
                    }
                }
            })
            .await;
        return match pending.take() {
            // The shared answer refused another caller over its cost budget; ours is our own.
            Some(request) if rendered.status() == StatusCode::TOO_MANY_REQUESTS => {
                Ok(execute(&state, &caller, request).await?.respond_to(&http))
            }
            _ => Ok(rendered.to_response(http.get_header::<AcceptEncoding>().as_ref())),
        };
    }
    Ok(execute(&state, &caller, request).await?.respond_to(&http))
}

/// Runs one operation of `caller` with its scope, its own loaders, a slot of the instance's
/// capacity and the request time limit.
async fn execute(
    state: &AppState,
    caller: &Caller,
    request: GraphQLRequest,
) -> Result<GraphQLResponse, Rejection> {
    let scope = caller
        .scope(state)
        .await
        .map_err(|_| Rejection::Unavailable)?;
    let schema = state.schemas.get(caller.may_inspect_schema(state)).clone();
    let request = request.map(|r| caller.attach(state, scope, r, false));
    let Some(_slot) = state.capacity.slot().await else {
        tracing::warn!("over capacity: request refused");
        return Err(Rejection::Unavailable);
    };
    let detach = request.is_mutation();
    let work = async move { request.execute(&schema).await };
    execution::run(work, detach, state.settings.request_timeout)
        .await
        .map_err(|failure| match failure {
            execution::Failure::TimedOut => Rejection::Unavailable,
            execution::Failure::Panicked => Rejection::Internal,
        })
}

/// The public keys tokens are verified with (RFC 7517), for clients that verify tokens themselves.
async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(state.tokens.keys().jwks())
}

/// The process is up.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The database answers and the instance is not shutting down.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if !state.lifecycle.is_ready() {
        return HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({ "status": "draining" }));
    }
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "unavailable" }))
        }
    }
}
