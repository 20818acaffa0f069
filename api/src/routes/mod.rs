//! HTTP routes: GraphQL over HTTP (POST and GET), GraphiQL, health and readiness.

mod execution;
mod export;
mod graphql_http;
pub mod request_id;
mod response_cache;

use actix_web::http::header;
use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, web};
use async_graphql::http::GraphiQLSource;

pub use execution::Capacity;
pub use graphql_http::{
    GraphQLRequest, GraphQLResponse, MAX_BODY_BYTES, QueryLimitsGuard, Rejection,
};
pub use response_cache::ResponseCache;

use actix_web::Responder;
use response_cache::Rendered;

use actix_web::ResponseError as _;
use actix_web::http::StatusCode;

use crate::auth::tokens::Refusal;
use crate::auth::{Scope, Viewer};
use crate::error::{ApiError, HttpError};
use crate::graphql::loader;
use crate::persisted;
use crate::settings::Environment;
use crate::startup::AppState;
use crate::throttle::CostAccount;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql))
            .route(web::get().to(graphql))
            .default_service(web::to(Rejection::method_not_allowed)),
    )
    .route("/graphql/ws", web::get().to(graphql_ws))
    .route("/graphiql", web::get().to(graphiql))
    .route("/.well-known/jwks.json", web::get().to(jwks))
    .configure(export::configure)
    .route("/healthz", web::get().to(healthz))
    .route("/readyz", web::get().to(readyz));
}

/// One operation per request. The caller is decided here, once: no header is anonymous, a bad
/// token a 401 (never anonymous); its rate limit is checked before the body is read.
async fn graphql(
    state: web::Data<AppState>,
    http: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Rejection> {
    if state.lifecycle.is_closing() {
        return Err(Rejection::Unavailable);
    }
    let viewer = authenticate(&state, &http).await.map_err(|err| match err {
        ApiError::Unavailable => Rejection::Unavailable,
        _ => Rejection::Unauthenticated,
    })?;
    let caller = state.throttle.caller(&viewer, &http);
    if let Err(limited) = state.throttle.admit(&caller) {
        return Ok(HttpError(limited.into()).error_response());
    }
    let request = GraphQLRequest::read(&http, payload.into_inner(), &state.persisted).await?;
    persisted::check_allowed(&viewer, request.document()).map_err(|e| request.refuse(e))?;
    let request = request.data(CostAccount::new(&state.throttle, caller));
    request.check_introspection(viewer.may_inspect_schema(state.settings.env))?;
    let cache_key = match (&viewer, &state.responses) {
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
                let response = execute(&state, viewer.clone(), request).await;
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
                Ok(execute(&state, viewer, request).await?.respond_to(&http))
            }
            _ => Ok(rendered.to_response()),
        };
    }
    Ok(execute(&state, viewer, request).await?.respond_to(&http))
}

/// The caller of a request, decided once: no `Authorization` header is anonymous, a bad token is
/// refused (never anonymous). Kept in the request's extensions for the request log line.
pub(crate) async fn authenticate(state: &AppState, http: &HttpRequest) -> Result<Viewer, ApiError> {
    let authorization = http
        .headers()
        .get(header::AUTHORIZATION)
        .map(header::HeaderValue::as_bytes);
    match state.tokens.authenticate(authorization).await {
        Ok(viewer) => {
            http.extensions_mut().insert(viewer.clone());
            Ok(viewer)
        }
        Err(Refusal::Unavailable(reason)) => {
            tracing::error!(%reason, "cannot read token records");
            Err(ApiError::Unavailable)
        }
        Err(refusal) => {
            tracing::info!(%refusal, "access token refused");
            state.metrics.token_refused(refusal.class());
            Err(ApiError::Unauthenticated)
        }
    }
}

/// Runs one operation for `viewer` with its scope and its own loaders.
async fn execute(
    state: &AppState,
    viewer: Viewer,
    request: GraphQLRequest,
) -> Result<GraphQLResponse, Rejection> {
    let scope = Scope::of(&viewer, &state.db).await.map_err(|err| {
        tracing::error!(error = ?err, "cannot resolve the caller's plans");
        Rejection::Unavailable
    })?;
    let loaders = loader::new_loaders(state.db.clone(), scope.clone());
    let schema = state
        .schemas
        .get(viewer.may_inspect_schema(state.settings.env))
        .clone();
    let request = request.data(viewer).data(scope).data(loaders);
    let Some(_slot) = state.capacity.slot().await else {
        tracing::warn!("over capacity: request refused");
        return Err(Rejection::Unavailable);
    };
    execution::run(schema, request, state.settings.request_timeout)
        .await
        .map_err(|failure| match failure {
            execution::Failure::TimedOut => Rejection::Unavailable,
            execution::Failure::Panicked => Rejection::Internal,
        })
}

/// GraphQL subscriptions (and any operation) over the graphql-ws protocol. The caller comes from
/// the `connection_init` payload (`{"Authorization": "Bearer …"}`, or `{"token": "…"}`), else from
/// the upgrade request's `Authorization` header; a refused token closes the connection. The caller
/// is known only after the upgrade, so the public schema serves everyone here (no introspection in
/// production; admins introspect over HTTP).
async fn graphql_ws(
    state: web::Data<AppState>,
    http: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let header = http
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let schema = state.schemas.public.clone();
    let state = state.into_inner();
    async_graphql_actix_web::GraphQLSubscription::new(schema)
        .on_connection_init(move |init| connection_data(state, init, header))
        .start(&http, payload)
}

async fn connection_data(
    state: std::sync::Arc<AppState>,
    init: serde_json::Value,
    upgrade_header: Option<String>,
) -> async_graphql::Result<async_graphql::Data> {
    use async_graphql::ErrorExtensions as _;
    let from_payload = ["Authorization", "authorization"]
        .iter()
        .find_map(|k| init.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
        .or_else(|| {
            init.get("token")
                .and_then(|v| v.as_str())
                .map(|t| format!("Bearer {t}"))
        });
    let authorization = from_payload.or(upgrade_header);
    let refused = |message: &str, code: &str| {
        let code = code.to_owned();
        async_graphql::Error::new(message).extend_with(move |_, e| e.set("code", code.as_str()))
    };
    let viewer = match state
        .tokens
        .authenticate(authorization.as_deref().map(str::as_bytes))
        .await
    {
        Ok(viewer) => viewer,
        Err(Refusal::Unavailable(reason)) => {
            tracing::error!(%reason, "cannot read token records");
            return Err(refused(
                "service unavailable, try again later",
                "SERVICE_UNAVAILABLE",
            ));
        }
        Err(refusal) => {
            tracing::info!(%refusal, "access token refused (websocket)");
            state.metrics.token_refused(refusal.class());
            return Err(refused("invalid access token", "UNAUTHENTICATED"));
        }
    };
    let scope = Scope::of(&viewer, &state.db).await.map_err(|err| {
        tracing::error!(error = ?err, "cannot resolve the caller's plans");
        refused(
            "service unavailable, try again later",
            "SERVICE_UNAVAILABLE",
        )
    })?;
    // A subscription lives long: its loaders batch but never cache, so each event reads fresh rows.
    let loaders = loader::new_loaders(state.db.clone(), scope.clone());
    loaders.enable_all_cache(false);
    let mut data = async_graphql::Data::default();
    data.insert(viewer);
    data.insert(scope);
    data.insert(loaders);
    Ok(data)
}

/// The public keys tokens are verified with (RFC 7517), for clients that verify tokens themselves.
async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(state.tokens.keys().jwks())
}

/// GraphiQL, for those who may inspect the schema; to anyone else it does not exist. In production
/// that is admins, whose token must come with the page request (a bad token is a 404 too).
async fn graphiql(state: web::Data<AppState>, http: HttpRequest) -> HttpResponse {
    let may_inspect = state.settings.env == Environment::Development || {
        let authorization = http
            .headers()
            .get(header::AUTHORIZATION)
            .map(header::HeaderValue::as_bytes);
        authorization.is_some()
            && state
                .tokens
                .authenticate(authorization)
                .await
                .is_ok_and(|viewer| viewer.may_inspect_schema(state.settings.env))
    };
    if !may_inspect {
        return HttpResponse::NotFound().finish();
    }
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(GraphiQLSource::build().endpoint("/graphql").finish())
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
