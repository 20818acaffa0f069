//! The id of the request being served, readable wherever an error body is built (extractor
//! refusals, GraphQL errors, HTTP errors) without threading the request through: a task-local set
//! around each request by [`scope`]. The id is tracing-actix-web's `RequestId`, the one the logs
//! and the `x-request-id` header carry.

use actix_web::HttpMessage as _;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use tracing_actix_web::RequestId;

tokio::task_local! {
    static CURRENT: String;
}

/// Middleware (inside `TracingLogger`, which assigns the id): serves the request with its id set.
pub async fn scope(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().map(ToString::to_string);
    match id {
        Some(id) => CURRENT.scope(id, next.call(req)).await,
        None => next.call(req).await,
    }
}

/// The current request's id, if a request is being served on this task.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// `work` with the current request's id, for a task spawned to serve the request (a task-local
/// does not follow `tokio::spawn`).
pub fn carry<F: Future>(work: F) -> impl Future<Output = F::Output> {
    let id = current();
    async move {
        match id {
            Some(id) => CURRENT.scope(id, work).await,
            None => work.await,
        }
    }
}
