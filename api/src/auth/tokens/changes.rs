//! Changes of token records reach every instance at commit. A writer that revokes, rotates or
//! otherwise changes what a token may do [`announce`]s it in its transaction: on PostgreSQL a
//! notification on [`CHANNEL`] carrying the token's `jti`, delivered to every instance's listener
//! at commit (and dropped with a rollback), which forgets its cached record. On SQLite, one
//! process, the writer's own [`Tokens::forget`](super::Tokens::forget) after commit is all there
//! is to do, and it is the same call the listener makes. The cache's time to live remains the
//! bound when a notification cannot arrive: while an instance's listening connection is down
//! (it forgets every record once listening again), or for a SQLite file changed by another
//! process (`ucap token revoke` beside a running server).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::future::Cache;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement};

/// The PostgreSQL notification channel of changed token records; the payload is the `jti`.
pub const CHANNEL: &str = "ucap_tokens";

/// Tells every instance, once `txn` commits, that the record of token `jti` changed.
pub async fn announce(txn: &DatabaseTransaction, jti: &str) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), jti.into()],
        ))
        .await?;
    }
    Ok(())
}

/// When changes were heard, on a clock of this instance, so that a record read before a change
/// is known stale even when its read finished, and was cached, after the change was forgotten.
pub(super) struct Changes {
    clock: AtomicU64,
    /// Every record read before this is stale (set when listening starts again after a gap).
    all_before: AtomicU64,
    /// Per `jti`: its records read before this are stale.
    changed: Cache<String, u64>,
}

impl Changes {
    /// For records cached `ttl`: a change is remembered longer than a record read before it can
    /// be cached (its read takes seconds at most, bounded by the statement timeout).
    pub(super) fn new(ttl: Duration) -> Self {
        Self {
            clock: AtomicU64::new(0),
            all_before: AtomicU64::new(0),
            changed: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ttl + Duration::from_secs(60))
                .build(),
        }
    }

    /// The time to note before reading a record.
    pub(super) fn now(&self) -> u64 {
        self.clock.load(Ordering::SeqCst)
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub(super) async fn changed(&self, jti: &str) {
        self.changed.insert(jti.to_owned(), self.tick()).await;
    }

    pub(super) fn all_changed(&self) {
        self.all_before.store(self.tick(), Ordering::SeqCst);
    }

    /// Whether a record of `jti` read at `read_at` may predate a change heard since.
    pub(super) async fn is_stale(&self, jti: &str, read_at: u64) -> bool {
        read_at < self.all_before.load(Ordering::SeqCst)
            || self.changed.get(jti).await.is_some_and(|at| read_at < at)
    }
}
