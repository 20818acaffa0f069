//! Live updates: committed changes reach the subscribers of every instance. Writers append to the
//! change feed (`change_event`) and, on PostgreSQL, `NOTIFY` [`CHANNEL`] in the same transaction
//! (delivered at commit). Each instance runs one [`Live`] task that listens, reads the feed entries
//! past the last one it saw, and broadcasts them to its subscribers; a timer re-reads the feed as
//! well, so a notification lost while the listening connection was down delays an event but
//! never drops it. The feed itself, not the notification, is the message: PostgreSQL stays the
//! one place instances share.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, EntityTrait, QueryFilter, QueryOrder, Set,
};
use tokio::sync::{Notify, broadcast};

use crate::auth::policy;
use crate::ids::NodeKind;
use entity::{change_event, change_event_plan};

mod fanout;
pub use fanout::{Interest, Interests, Row, Table, Targets};

/// The PostgreSQL notification channel of committed changes.
pub const CHANNEL: &str = "ucap_changes";

/// Key of the PostgreSQL transaction lock writers take before appending to the change feed, so
/// that feed ids follow commit order (a reader past id N never misses a later-committed N-1).
const FEED_LOCK: i64 = 0x7563_6170_6665_6564; // "ucapfeed"

/// What happened to a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Operation {
    Created,
    Updated,
    Deleted,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Updated => "UPDATED",
            Self::Deleted => "DELETED",
        }
    }
}

/// A change to append to the feed.
pub struct NewChange<'a> {
    pub kind: NodeKind,
    pub id: i64,
    pub operation: Operation,
    /// Whether anonymous readers see the record (before or after the change), as
    /// [`policy::record_is_public`] says; the feed entry's own visibility follows from it and the
    /// fields (see [`policy::change_is_public`]).
    pub record_public: bool,
    /// Fields the change set.
    pub fields: Vec<&'a str>,
    /// Plans the change concerns.
    pub plans: Vec<i64>,
    pub audit_event_id: Option<i64>,
    /// When the change counts as made: now, unless a restore dates it as its document does.
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Appends one entry to the change feed inside `txn`: every writer (the API, the importer, a
/// restore) calls this before committing, and nothing else writes the feed. On PostgreSQL it first
/// takes the feed lock (held to commit) and queues a notification (delivered at commit) for every
/// instance's relay. The entry's webhook deliveries are written with it (`webhook::enqueue`).
pub async fn append(
    txn: &DatabaseTransaction,
    change: NewChange<'_>,
) -> Result<i64, sea_orm::DbErr> {
    let backend = txn.get_database_backend();
    let position = next_position(txn, change.at.unwrap_or_else(chrono::Utc::now)).await?;
    // The entry's time is its position's, so that `sequence` tells nothing `at` does not.
    let at = chrono::DateTime::from_timestamp_micros(position).unwrap_or_else(chrono::Utc::now);
    let deleted = change.operation == Operation::Deleted;
    let public = policy::change_is_public(
        change.kind,
        change.operation == Operation::Updated,
        change.record_public,
        &change.fields,
    );
    let row = change_event::ActiveModel {
        at: Set(at),
        position: Set(position),
        record_kind: Set(change.kind.name().to_owned()),
        record_id: Set(change.id),
        operation: Set(change.operation.as_str().to_owned()),
        public: Set(public),
        // A deletion is a tombstone: no field of a record that is gone "changed".
        fields: Set(if deleted {
            "[]".to_owned()
        } else {
            serde_json::json!(change.fields).to_string()
        }),
        audit_event_id: Set(change.audit_event_id),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut plans = change.plans;
    plans.sort_unstable();
    plans.dedup();
    // The webhook outbox, in this transaction: every committed entry reaches the endpoints that
    // may read it, whoever wrote it.
    crate::webhook::enqueue(txn, &row, &plans).await?;
    if !plans.is_empty() {
        change_event_plan::Entity::insert_many(plans.into_iter().map(|plan_id| {
            change_event_plan::ActiveModel {
                change_event_id: Set(row.id),
                plan_id: Set(plan_id),
            }
        }))
        .exec(txn)
        .await?;
    }
    if backend == DbBackend::Postgres {
        txn.execute_unprepared(&format!("NOTIFY {CHANNEL}")).await?;
    }
    Ok(row.id)
}

/// The feed position of an entry committed at `at`: `max(at in µs, last position + 1)`. The
/// feed is read in this order and shows it as `sequence`; unlike a row id, the distance between
/// two positions counts no entries, only time. On PostgreSQL it first takes the feed lock (held to
/// commit), so positions follow commit order; SQLite serialises writers.
async fn next_position(
    txn: &DatabaseTransaction,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<i64, sea_orm::DbErr> {
    use sea_orm::QuerySelect;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [FEED_LOCK.into()],
        ))
        .await?;
    }
    let last: Option<i64> = change_event::Entity::find()
        .select_only()
        .column_as(change_event::Column::Position.max(), "last")
        .into_tuple()
        .one(txn)
        .await?
        .flatten();
    Ok(last.map_or(at.timestamp_micros(), |last| {
        at.timestamp_micros().max(last + 1)
    }))
}

/// One committed change, as subscribers see it.
#[derive(Debug, Clone)]
pub struct Notice {
    pub change: change_event::Model,
    /// Plans the change concerns.
    pub plans: Vec<i64>,
    /// The records subscribers wait for, read once for all of them (see [`Interests`]).
    pub reads: Vec<fanout::Read>,
}

impl Notice {
    pub fn fields(&self) -> Vec<String> {
        serde_json::from_str(&self.change.fields).unwrap_or_default()
    }
}

/// This instance's hub of committed changes.
#[derive(Clone)]
pub struct Live {
    sender: broadcast::Sender<Arc<Notice>>,
    wake: Arc<Notify>,
    poll: Duration,
    interests: Interests,
}

impl Live {
    /// Starts the hub's task on `db` (`database_url` for PostgreSQL's listening connection),
    /// re-reading the feed every `poll` without notifications.
    pub async fn start(
        db: DatabaseConnection,
        database_url: String,
        poll: Duration,
        reads: prometheus_client::metrics::counter::Counter,
    ) -> Self {
        let (sender, _) = broadcast::channel(1024);
        let live = Self {
            sender,
            wake: Arc::new(Notify::new()),
            poll,
            interests: Interests::new(reads),
        };
        let last = last_id(&db).await.unwrap_or(0);
        if db.get_database_backend() == DbBackend::Postgres {
            let mut heard = crate::db::listen(database_url, CHANNEL);
            let wake = live.wake.clone();
            // Any notification, or listening again after a gap: read the feed.
            tokio::spawn(async move {
                while heard.recv().await.is_some() {
                    wake.notify_one();
                }
            });
        }
        tokio::spawn(live.clone().relay(db, last));
        live
    }

    /// A new subscriber's receiver.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Notice>> {
        self.sender.subscribe()
    }

    /// What this instance's subscribers wait for.
    pub fn interests(&self) -> &Interests {
        &self.interests
    }

    /// A write of this instance committed: read the feed now.
    pub fn poke(&self) {
        self.wake.notify_one();
    }

    /// Reads new feed entries whenever woken (or every `poll`) and broadcasts them.
    async fn relay(self, db: DatabaseConnection, mut last: i64) {
        loop {
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.poll) => {}
            }
            match read_after(&db, last).await {
                Ok(notices) => {
                    for mut notice in notices {
                        last = last.max(notice.change.id);
                        if self.sender.receiver_count() > 0 {
                            notice.reads = self.interests.evaluate(&db, &notice).await;
                        }
                        // No subscribers is not an error.
                        let _ = self.sender.send(Arc::new(notice));
                    }
                }
                Err(err) => tracing::warn!(error = %err, "cannot read the change feed"),
            }
        }
    }
}

async fn last_id(db: &DatabaseConnection) -> Result<i64, sea_orm::DbErr> {
    Ok(change_event::Entity::find()
        .order_by_desc(change_event::Column::Id)
        .one(db)
        .await?
        .map_or(0, |c| c.id))
}

/// Feed entries after `last`, oldest first, with their plans (at most 1 000 at a time).
async fn read_after(db: &DatabaseConnection, last: i64) -> Result<Vec<Notice>, sea_orm::DbErr> {
    use sea_orm::QuerySelect;
    let changes = change_event::Entity::find()
        .filter(change_event::Column::Id.gt(last))
        .order_by_asc(change_event::Column::Id)
        .limit(1000)
        .all(db)
        .await?;
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let links = change_event_plan::Entity::find()
        .filter(change_event_plan::Column::ChangeEventId.is_in(changes.iter().map(|c| c.id)))
        .all(db)
        .await?;
    Ok(changes
        .into_iter()
        .map(|change| {
            let plans = links
                .iter()
                .filter(|l| l.change_event_id == change.id)
                .map(|l| l.plan_id)
                .collect();
            Notice {
                change,
                plans,
                reads: Vec::new(),
            }
        })
        .collect())
}
