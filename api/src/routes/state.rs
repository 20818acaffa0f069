//! The state every handler of the edge shares: one per instance, built by `startup`, cloned into
//! each worker.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use super::{Capacity, ResponseCache, Sockets};
use crate::auth::tokens::Tokens;
use crate::graphql::Schemas;
use crate::lifecycle::Lifecycle;
use crate::metrics::Metrics;
use crate::persisted::Documents;
use crate::settings::Settings;
use crate::throttle::Throttle;

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub struct AppState {
    /// The public schema and the admins' (see [`Schemas::of`]).
    pub schemas: Schemas,
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub metrics: Arc<Metrics>,
    pub tokens: Tokens,
    /// Anonymous query responses by data version; `None` when disabled.
    pub responses: Option<ResponseCache>,
    /// The operations run at once; beyond, a fast 503.
    pub capacity: Capacity,
    /// Serving, draining or closing (graceful shutdown).
    pub lifecycle: Lifecycle,
    /// Rate limits and cost budgets of this instance.
    pub throttle: Arc<Throttle>,
    /// Registered documents, for requests that send a hash instead of a query.
    pub persisted: Documents,
    /// Export streams running now (each holds a database connection); beyond the setting, 503
    /// (each caller's share is limited by [`Throttle::export_slot`]).
    pub exports: Arc<tokio::sync::Semaphore>,
    /// WebSocket connections open now, by client address and token.
    pub sockets: Sockets,
}
