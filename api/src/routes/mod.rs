//! HTTP routes: GraphQL over HTTP (POST and GET), GraphiQL, health and readiness.

mod graphql_http;

use actix_web::{HttpResponse, web};
use async_graphql::http::GraphiQLSource;

pub use graphql_http::{GraphQLRequest, GraphQLResponse, MAX_BODY_BYTES, Rejection};

use crate::settings::Environment;
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql))
            .route(web::get().to(graphql))
            .default_service(web::to(Rejection::method_not_allowed)),
    )
    .route("/graphiql", web::get().to(graphiql))
    .route("/healthz", web::get().to(healthz))
    .route("/readyz", web::get().to(readyz));
}

/// One operation per request; the extractor has already refused what must not run.
async fn graphql(state: web::Data<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    request.execute(&state.schema).await
}

async fn graphiql(state: web::Data<AppState>) -> HttpResponse {
    if state.settings.env != Environment::Development {
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

/// The database answers.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "unavailable" }))
        }
    }
}
