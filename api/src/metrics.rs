//! Process metrics in the Prometheus (OpenMetrics) text format at `/metrics`: GraphQL requests by
//! operation and outcome, their latency, the database pool, refused tokens, rate-limit rejections
//! and the SQL statements executed (which the N+1 test and the benchmark read around requests).
//! Served by the edge (`routes::metrics`).

use std::collections::HashSet;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sea_orm::{DatabaseConnection, DatabaseConnectionType};

/// The GraphQL operation a request selected, noted by the edge (`telemetry::request`).
#[derive(Clone, Debug)]
pub struct Operation {
    /// `None` for an unnamed operation.
    pub name: Option<String>,
    pub kind: &'static str,
}

/// Operation names longer than this are reported as `other`: names come from clients.
const MAX_OPERATION_NAME: usize = 64;
/// Distinct operation names kept as labels; later ones are reported as `other`, so a client that
/// invents a name per request cannot grow the metrics without bound.
const MAX_OPERATIONS: usize = 200;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DurationLabels {
    operation_type: &'static str,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabels {
    limit: &'static str,
}

/// 1 ms to ~16 s in powers of two.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// What one GraphQL request over HTTP was and how it ended, as the request middleware saw it.
/// Operation names become `anonymous` when unnamed and `-` when no operation was selected.
pub struct RequestRecord<'a> {
    /// `None` when the request was refused before an operation was selected.
    pub operation: Option<&'a Operation>,
    /// `ok`, the first error's code lower-cased, or `http_<status>` for transport refusals.
    pub outcome: &'a str,
    pub elapsed: Duration,
}

/// The metrics of one process, shared by the request middleware, the handlers and the database
/// callback.
pub struct Metrics {
    registry: Registry,
    sql_statements: Counter<u64, AtomicU64>,
    requests: Family<RequestLabels, Counter>,
    durations: Family<DurationLabels, Histogram, fn() -> Histogram>,
    token_refusals: Family<ReasonLabels, Counter>,
    rate_limited: Family<LimitLabels, Counter>,
    pool_size: Gauge,
    pool_idle: Gauge,
    pool_in_use: Gauge,
    pool_max: Gauge,
    /// GraphQL operations holding a slot of the instance's capacity.
    pub operations_in_flight: Gauge,
    /// Rate-limit checks this instance decided alone because the shared store did not answer.
    pub limit_fallbacks: Counter,
    /// Records read for subscribers: once per change and record, whatever the subscribers.
    pub live_reads: Counter,
    /// Webhook deliveries and attempts, by how they ended.
    pub webhooks: crate::webhook::Counters,
    operations: Mutex<HashSet<String>>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut metrics = Self {
            registry: Registry::default(),
            sql_statements: Counter::default(),
            requests: Family::default(),
            durations: Family::new_with_constructor(latency_histogram),
            token_refusals: Family::default(),
            rate_limited: Family::default(),
            pool_size: Gauge::default(),
            pool_idle: Gauge::default(),
            pool_in_use: Gauge::default(),
            pool_max: Gauge::default(),
            operations_in_flight: Gauge::default(),
            limit_fallbacks: Counter::default(),
            live_reads: Counter::default(),
            webhooks: crate::webhook::Counters::default(),
            operations: Mutex::default(),
        };
        let r = &mut metrics.registry;
        r.register(
            "ucap_sql_statements",
            "SQL statements executed",
            metrics.sql_statements.clone(),
        );
        r.register(
            "ucap_requests",
            "GraphQL requests by operation name and outcome",
            metrics.requests.clone(),
        );
        r.register(
            "ucap_request_duration_seconds",
            "Latency of GraphQL requests by operation type and outcome",
            metrics.durations.clone(),
        );
        r.register(
            "ucap_token_refusals",
            "Access tokens refused, by reason",
            metrics.token_refusals.clone(),
        );
        r.register(
            "ucap_rate_limited",
            "Requests refused by a rate limit or cost budget, by limit",
            metrics.rate_limited.clone(),
        );
        r.register(
            "ucap_rate_limit_fallbacks",
            "Rate-limit checks decided by this instance alone because the shared store did not answer",
            metrics.limit_fallbacks.clone(),
        );
        r.register(
            "ucap_db_pool_size",
            "Open database connections",
            metrics.pool_size.clone(),
        );
        r.register(
            "ucap_db_pool_idle",
            "Idle database connections",
            metrics.pool_idle.clone(),
        );
        r.register(
            "ucap_db_pool_in_use",
            "Database connections in use",
            metrics.pool_in_use.clone(),
        );
        r.register(
            "ucap_db_pool_max",
            "Most database connections the pool opens",
            metrics.pool_max.clone(),
        );
        r.register(
            "ucap_operations_in_flight",
            "GraphQL operations running (each holds a slot of max_concurrent_requests)",
            metrics.operations_in_flight.clone(),
        );
        r.register(
            "ucap_live_records_read",
            "Records read for subscribers (once per change and record, however many subscribe)",
            metrics.live_reads.clone(),
        );
        let webhooks = &metrics.webhooks;
        r.register(
            "ucap_webhook_deliveries",
            "Webhook deliveries the endpoint accepted (2xx)",
            webhooks.delivered.clone(),
        );
        r.register(
            "ucap_webhook_failed_attempts",
            "Webhook attempts that failed (no answer, refused address, or not 2xx)",
            webhooks.failed_attempts.clone(),
        );
        r.register(
            "ucap_webhook_given_up",
            "Webhook deliveries given up after webhook_give_up_after (their endpoint disabled)",
            webhooks.given_up.clone(),
        );
        r.register(
            "ucap_webhook_skipped",
            "Webhook deliveries not sent because the organization no longer sees the change",
            webhooks.skipped.clone(),
        );
        metrics
    }
}

impl Metrics {
    /// Counts every statement the pool executes.
    pub fn instrument(self: &Arc<Self>, db: &mut DatabaseConnection) {
        let me = Arc::clone(self);
        db.set_metric_callback(move |_info| {
            me.sql_statements.inc();
        });
    }

    /// Counts one GraphQL request and observes its latency.
    pub fn record_request(&self, record: &RequestRecord<'_>) {
        let outcome = record.outcome.to_owned();
        let (operation, operation_type) = match record.operation {
            Some(operation) => (
                self.operation_label(operation.name.as_deref()),
                operation.kind,
            ),
            None => ("-".to_owned(), "-"),
        };
        self.requests
            .get_or_create(&RequestLabels {
                operation,
                outcome: outcome.clone(),
            })
            .inc();
        self.durations
            .get_or_create(&DurationLabels {
                operation_type,
                outcome,
            })
            .observe(record.elapsed.as_secs_f64());
    }

    /// Counts a refused access token; `reason` is a small fixed set (see `Refusal::class`).
    pub fn token_refused(&self, reason: &'static str) {
        self.token_refusals
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    /// Counts a request refused by a rate limit; `limit` names which one (e.g. `requests`, `cost`).
    pub fn rate_limited(&self, limit: &'static str) {
        self.rate_limited
            .get_or_create(&LimitLabels { limit })
            .inc();
    }

    /// The operation name as a label: `anonymous` when unnamed, `other` when too long or when
    /// too many distinct names were seen already.
    fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name else {
            return "anonymous".to_owned();
        };
        let valid = name.len() <= MAX_OPERATION_NAME
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return "other".to_owned();
        }
        let mut seen = self
            .operations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if seen.contains(name) || seen.len() < MAX_OPERATIONS {
            seen.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }

    /// Reads the pool's state now, then encodes everything.
    pub fn render(&self, db: &DatabaseConnection) -> Result<String, std::fmt::Error> {
        if let Some(pool) = PoolState::of(db) {
            self.pool_size.set(pool.size.into());
            self.pool_idle.set(pool.idle.into());
            self.pool_in_use
                .set(pool.size.saturating_sub(pool.idle).into());
            self.pool_max.set(pool.max.into());
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

struct PoolState {
    size: u32,
    idle: u32,
    max: u32,
}

impl PoolState {
    fn of(db: &DatabaseConnection) -> Option<Self> {
        let idle = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        // Matched first: the pool getters panic on the other backend.
        match &db.inner {
            DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
                let pool = db.get_postgres_connection_pool();
                Some(Self {
                    size: pool.size(),
                    idle: idle(pool.num_idle()),
                    max: pool.options().get_max_connections(),
                })
            }
            DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
                let pool = db.get_sqlite_connection_pool();
                Some(Self {
                    size: pool.size(),
                    idle: idle(pool.num_idle()),
                    max: pool.options().get_max_connections(),
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded() {
        let metrics = Metrics::default();
        assert_eq!(metrics.operation_label(None), "anonymous");
        assert_eq!(metrics.operation_label(Some("Plans")), "Plans");
        assert_eq!(metrics.operation_label(Some(&"a".repeat(65))), "other");
        assert_eq!(metrics.operation_label(Some("not a name")), "other");
        for i in 0..MAX_OPERATIONS {
            metrics.operation_label(Some(&format!("Op{i}")));
        }
        assert_eq!(metrics.operation_label(Some("OneTooMany")), "other");
        assert_eq!(metrics.operation_label(Some("Plans")), "Plans");
    }
}
