//! The delivery worker, one per instance: every `webhook_poll_interval` it takes the head of line
//! of each endpoint (its oldest pending delivery) that is due, and makes one attempt. An endpoint's
//! next delivery waits until the earlier one succeeded or was given up, so each endpoint receives
//! its changes in feed order. On PostgreSQL the attempt holds the delivery's row lock
//! (`FOR UPDATE SKIP LOCKED`) from claim to result, so among several instances exactly one makes
//! it, and a crashed instance's lock goes with its connection; the endpoint's row is not locked,
//! so an admin editing it never waits for a slow receiver. On SQLite one process writes.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use prometheus_client::metrics::counter::Counter;
use sea_orm::sea_query::LockBehavior;
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use tokio::sync::{Notify, broadcast};
use tokio_util::sync::CancellationToken;

use super::send::{Message, Outcome, Sender};
use super::{Status, event_type, message_id, signature};
use crate::settings::Settings;
use entity::{change_event, webhook_attempt, webhook_delivery, webhook_endpoint};

/// Endpoints attempted at once by one instance.
const CONCURRENCY: usize = 8;
/// Heads of line read per round.
const BATCH: u64 = 64;

/// The payload of a feed entry as an organization sees it, from the GraphQL layer.
pub trait Render: Send + Sync + 'static {
    /// The entry `change` as the change feed shows it to a token of `organization` now; `None`
    /// when the organization no longer sees it.
    fn render<'a>(
        &'a self,
        organization: i64,
        change: &'a change_event::Model,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<Option<serde_json::Value>>> + Send + 'a>>;
}

/// `ucap_webhook_*` counters.
#[derive(Clone, Default)]
pub struct Counters {
    pub delivered: Counter,
    pub failed_attempts: Counter,
    pub given_up: Counter,
    pub skipped: Counter,
}

/// What retries look like.
#[derive(Clone, Copy)]
struct Retry {
    base: Duration,
    max: Duration,
    give_up_after: Duration,
}

struct Inner {
    db: DatabaseConnection,
    sender: Sender,
    render: Arc<dyn Render>,
    counters: Counters,
    retry: Retry,
    poll: Duration,
}

/// This instance's running worker.
pub struct Worker {
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Starts the worker on `db`. It looks for due deliveries every `webhook_poll_interval`, and
    /// at once whenever `commits` (the live relay's feed entries, of any instance) says a change
    /// committed.
    pub fn start<T: Clone + Send + 'static>(
        db: DatabaseConnection,
        settings: &Settings,
        render: Arc<dyn Render>,
        counters: Counters,
        mut commits: broadcast::Receiver<T>,
    ) -> anyhow::Result<Self> {
        let inner = Arc::new(Inner {
            db,
            sender: Sender::new(settings)?,
            render,
            counters,
            retry: Retry {
                base: settings.webhook_retry_base_delay,
                max: settings.webhook_retry_max_delay,
                give_up_after: settings.webhook_give_up_after,
            },
            poll: settings.webhook_poll_interval,
        });
        let stop = CancellationToken::new();
        let wake = Arc::new(Notify::new());
        let woken = wake.clone();
        tokio::spawn(async move {
            loop {
                match commits.recv().await {
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => woken.notify_one(),
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        let task = tokio::spawn(inner.run(stop.clone(), wake));
        Ok(Self { stop, task })
    }

    /// Stops taking deliveries and waits for the attempts under way (each bounded by
    /// `webhook_timeout`); what is left is taken by the next start or another instance.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }
}

impl Inner {
    async fn run(self: Arc<Self>, stop: CancellationToken, wake: Arc<Notify>) {
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = wake.notified() => {}
                () = tokio::time::sleep(self.poll) => {}
            }
            match self.due().await {
                Ok(due) => {
                    let me = &*self;
                    futures_util::stream::iter(due)
                        .for_each_concurrent(CONCURRENCY, |d| async move {
                            if let Err(err) = me.attempt(d.endpoint_id, d.id).await {
                                tracing::warn!(error = %err, delivery = d.id, "webhook attempt not made");
                            }
                        })
                        .await;
                }
                Err(err) => tracing::warn!(error = %err, "cannot read the webhook outbox"),
            }
        }
    }

    /// The due heads of line of enabled endpoints, most overdue first.
    async fn due(&self) -> Result<Vec<webhook_delivery::Model>, DbErr> {
        let heads: Vec<i64> = webhook_delivery::Entity::find()
            .select_only()
            .column_as(webhook_delivery::Column::Id.min(), "head")
            .filter(webhook_delivery::Column::Status.eq(Status::Pending.as_str()))
            .group_by(webhook_delivery::Column::EndpointId)
            .into_tuple()
            .all(&self.db)
            .await?;
        if heads.is_empty() {
            return Ok(Vec::new());
        }
        webhook_delivery::Entity::find()
            .inner_join(webhook_endpoint::Entity)
            .filter(webhook_endpoint::Column::Enabled.eq(true))
            .filter(webhook_delivery::Column::Id.is_in(heads))
            .filter(webhook_delivery::Column::NextAttemptAt.lte(Utc::now()))
            .order_by_asc(webhook_delivery::Column::NextAttemptAt)
            .limit(BATCH)
            .all(&self.db)
            .await
    }

    /// One attempt of delivery `id`, if it is still its endpoint's due head of line and no other
    /// instance is at that endpoint.
    async fn attempt(&self, endpoint_id: i64, id: i64) -> anyhow::Result<()> {
        if self.db.get_database_backend() == DbBackend::Postgres {
            let txn = self.db.begin().await?;
            let Some((endpoint, delivery)) = claim(&txn, endpoint_id, id, true).await? else {
                return Ok(());
            };
            let sent = self.send(&endpoint, &delivery).await?;
            self.record(&txn, endpoint, delivery, sent).await?;
            txn.commit().await?;
        } else {
            let Some((endpoint, delivery)) = claim(&self.db, endpoint_id, id, false).await? else {
                return Ok(());
            };
            let sent = self.send(&endpoint, &delivery).await?;
            let txn = self
                .db
                .begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await?;
            self.record(&txn, endpoint, delivery, sent).await?;
            txn.commit().await?;
        }
        Ok(())
    }

    /// Renders (at the first attempt), signs and posts the delivery.
    async fn send(
        &self,
        endpoint: &webhook_endpoint::Model,
        delivery: &webhook_delivery::Model,
    ) -> anyhow::Result<Sent> {
        let body = match &delivery.body {
            Some(body) => body.clone(),
            None => {
                let Some(change) = change_event::Entity::find_by_id(delivery.change_event_id)
                    .one(&self.db)
                    .await?
                else {
                    return Ok(Sent::Skipped);
                };
                let Some(data) = self
                    .render
                    .render(endpoint.organization_id, &change)
                    .await?
                else {
                    return Ok(Sent::Skipped);
                };
                serde_json::json!({
                    "type": event_type(&change.record_kind, &change.operation),
                    "timestamp": change.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    "data": data,
                })
                .to_string()
            }
        };
        let now = Utc::now();
        let id = message_id(delivery.id);
        let mut secrets = vec![endpoint.secret.as_str()];
        if let (Some(old), Some(until)) =
            (&endpoint.previous_secret, endpoint.previous_secret_until)
            && until > now
        {
            secrets.push(old);
        }
        let timestamp = now.timestamp();
        let signature = signature::header(&secrets, &id, timestamp, &body);
        let outcome = self
            .sender
            .post(Message {
                url: &endpoint.url,
                id: &id,
                timestamp,
                signature: &signature,
                body: &body,
            })
            .await;
        Ok(Sent::Attempted { body, outcome })
    }

    /// Writes the attempt to the log and moves the delivery (and, on giving up, its endpoint) on.
    async fn record(
        &self,
        conn: &impl ConnectionTrait,
        endpoint: webhook_endpoint::Model,
        delivery: webhook_delivery::Model,
        sent: Sent,
    ) -> Result<(), DbErr> {
        let now = Utc::now();
        let (body, outcome) = match sent {
            Sent::Skipped => {
                let mut row = delivery.into_active_model();
                row.status = Set(Status::Skipped.as_str().to_owned());
                row.finished_at = Set(Some(now));
                row.update(conn).await?;
                self.counters.skipped.inc();
                return Ok(());
            }
            Sent::Attempted { body, outcome } => (body, outcome),
        };
        let attempt = delivery.attempts + 1;
        webhook_attempt::ActiveModel {
            delivery_id: Set(delivery.id),
            attempt: Set(attempt),
            at: Set(now),
            status_code: Set(outcome.status.map(i32::from)),
            latency_ms: Set(i64::try_from(outcome.latency.as_millis()).unwrap_or(i64::MAX)),
            error: Set(outcome.error.clone()),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        let failing_since = delivery.failing_since.unwrap_or(now);
        let mut row = delivery.clone().into_active_model();
        row.attempts = Set(attempt);
        row.body = Set(Some(body));
        let Outcome { error, .. } = outcome;
        match error {
            None => {
                row.status = Set(Status::Delivered.as_str().to_owned());
                row.finished_at = Set(Some(now));
                row.failing_since = Set(None);
                row.last_error = Set(None);
                self.counters.delivered.inc();
            }
            Some(error) if given_up(failing_since, now, self.retry.give_up_after) => {
                row.status = Set(Status::Failed.as_str().to_owned());
                row.finished_at = Set(Some(now));
                row.last_error = Set(Some(error.clone()));
                let reason = format!(
                    "delivery {} failed {attempt} times from {} to {}; last error: {error}",
                    message_id(delivery.id),
                    failing_since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                );
                let mut endpoint = endpoint.into_active_model();
                endpoint.enabled = Set(false);
                endpoint.disabled_reason = Set(Some(reason));
                endpoint.updated_at = Set(now);
                endpoint.update(conn).await?;
                self.counters.failed_attempts.inc();
                self.counters.given_up.inc();
                tracing::warn!(endpoint = delivery.endpoint_id, "webhook endpoint disabled");
            }
            Some(error) => {
                let delay = backoff(self.retry, attempt, jitter());
                row.failing_since = Set(Some(failing_since));
                row.next_attempt_at = Set(now + delay);
                row.last_error = Set(Some(error));
                self.counters.failed_attempts.inc();
            }
        }
        row.update(conn).await?;
        Ok(())
    }
}

enum Sent {
    Skipped,
    Attempted { body: String, outcome: Outcome },
}

/// The endpoint and delivery `id`, if that is still the endpoint's due head of line; on
/// PostgreSQL (`lock`) with the delivery's row locked, or `None` when another instance holds it.
async fn claim(
    conn: &impl ConnectionTrait,
    endpoint_id: i64,
    id: i64,
    lock: bool,
) -> Result<Option<(webhook_endpoint::Model, webhook_delivery::Model)>, DbErr> {
    let Some(endpoint) = webhook_endpoint::Entity::find_by_id(endpoint_id)
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    // The head is read without skipping locked rows: a head another instance is attempting is
    // still the head, and the next delivery must wait for it.
    let head = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id))
        .filter(webhook_delivery::Column::Status.eq(Status::Pending.as_str()))
        .order_by_asc(webhook_delivery::Column::Id)
        .one(conn)
        .await?;
    if head.is_none_or(|d| d.id != id) {
        return Ok(None);
    }
    // Read again under the lock: the latest committed state, re-checked (an attempt that just
    // ended elsewhere leaves it delivered or not yet due).
    let mut find = webhook_delivery::Entity::find_by_id(id)
        .filter(webhook_delivery::Column::Status.eq(Status::Pending.as_str()))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(Utc::now()));
    if lock {
        find = find.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    Ok(find.one(conn).await?.map(|d| (endpoint, d)))
}

/// Whether a delivery failing since `since` is given up at `now`.
fn given_up(since: DateTime<Utc>, now: DateTime<Utc>, after: Duration) -> bool {
    (now - since).to_std().unwrap_or_default() >= after
}

/// The wait after failed attempt number `attempt` (1 for the first): the base delay doubled per
/// earlier failure, at most the maximum, then scaled by `jitter` (0 to 1) into its upper half, so
/// that endpoints failing together do not retry together.
fn backoff(retry: Retry, attempt: i32, jitter: f64) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    let delay = retry.base.saturating_mul(1 << doublings).min(retry.max);
    delay.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// A random number from 0 to 1.
fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX),
        Err(_) => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_with_jitter_up_to_the_maximum() {
        let retry = Retry {
            base: Duration::from_secs(5),
            max: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(86_400),
        };
        assert_eq!(backoff(retry, 1, 1.0), Duration::from_secs(5));
        assert_eq!(backoff(retry, 3, 1.0), Duration::from_secs(20));
        assert_eq!(backoff(retry, 3, 0.0), Duration::from_secs(10));
        assert_eq!(backoff(retry, 40, 1.0), Duration::from_secs(3600));
        let now = Utc::now();
        assert!(given_up(
            now - chrono::Duration::hours(25),
            now,
            retry.give_up_after
        ));
        assert!(!given_up(
            now - chrono::Duration::hours(23),
            now,
            retry.give_up_after
        ));
    }
}
