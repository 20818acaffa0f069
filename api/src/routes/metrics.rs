//! `/metrics` ([`crate::metrics`]): to admin tokens on the API port, and to anyone on the
//! `metrics_bind` listener.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};

use super::{AppState, Caller};
use crate::auth::Permission;
use crate::error::HttpError;
use crate::metrics::Metrics;

/// `/metrics` on the API port: operation names of every caller and token refusals are not for
/// everyone, so admin tokens only (401 without a token, 403 for any other).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(admin_metrics));
}

/// `/metrics` on the listener of `metrics_bind`, which only Prometheus should reach.
pub fn configure_listener(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(metrics));
}

async fn admin_metrics(
    metrics: web::Data<Arc<Metrics>>,
    state: web::Data<AppState>,
    http: HttpRequest,
) -> Result<HttpResponse, HttpError> {
    let caller = Caller::of_request(&state, &http)
        .await
        .map_err(|denial| HttpError(denial.into()))?;
    caller
        .viewer
        .require(Permission::Administer)
        .map_err(HttpError)?;
    Ok(self::metrics(metrics, state).await)
}

async fn metrics(metrics: web::Data<Arc<Metrics>>, state: web::Data<AppState>) -> HttpResponse {
    match metrics.render(&state.db) {
        Ok(text) => HttpResponse::Ok()
            .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
            .body(text),
        Err(err) => {
            tracing::error!(error = %err, "cannot encode the metrics");
            HttpResponse::InternalServerError().finish()
        }
    }
}
