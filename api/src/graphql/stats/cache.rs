//! Dashboard counts change only when data does, yet each costs a scan of up to every activity. They
//! are cached per statement with the database's `data_version` (a counter that triggers move at
//! every committed write, see the `data_version` migration) at which they were read: a write
//! anywhere, through any `ucap` instance or none, moves the counter, so a stale count is never
//! served.
//!
//! While writes keep coming, every request reads a newer version than the last answer's, so
//! answers cannot simply be looked up by version: each request would then run every statement
//! itself. Instead a statement has at most one computation under way, tagged with the newest
//! version any request had read when it started (that version was committed before the
//! computation's statement ran, so the answer is at least that fresh). A request joins it when
//! the tag is at least its own version, or else waits for it to end and starts the next one, which
//! every request that arrived meanwhile joins. However many dashboards ask, a count costs at most
//! one statement at a time, and a request waits for at most two.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use moka::future::Cache;
use sea_orm::sea_query::{PostgresQueryBuilder, SelectStatement};
use tracing::Instrument as _;

use super::Bucket;
use crate::error::{ApiError, ApiResult};

/// What a count statement is read as (the same SQL read two ways gives two answers).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(super) enum Reading {
    Buckets,
    Years,
    Total,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct Key {
    reading: Reading,
    /// The statement with its values inlined: it says everything the answer depends on, the
    /// filter and the reader's visibility included.
    sql: String,
}

type Outcome = Result<Arc<Vec<Bucket>>, Arc<ApiError>>;

/// An answer and the data version it is at least as fresh as.
#[derive(Clone)]
struct Answer {
    version: i64,
    buckets: Arc<Vec<Bucket>>,
}

/// A computation under way, started at `version`.
#[derive(Clone)]
struct Running {
    version: i64,
    outcome: Shared<BoxFuture<'static, Outcome>>,
}

struct Inner {
    /// The newest data version a request has read (see the module's doc).
    newest: AtomicI64,
    answers: Cache<Key, Answer>,
    running: Mutex<HashMap<Key, Running>>,
    /// Aggregates computed at once, whatever the number of statements asked for: the rest wait
    /// for a permit instead of taking every pooled connection (and, on SQLite, a sorter and page
    /// cache per connection: unbounded, one uncached `stats` grew the server by ~65 MiB).
    permits: tokio::sync::Semaphore,
}

/// Cached answers of count statements, and the computations under way.
#[derive(Clone)]
pub struct StatsCache(Arc<Inner>);

/// See [`Inner::permits`].
const COMPUTING: usize = 2;

impl StatsCache {
    /// Holds up to `capacity` answers; one unused for ten minutes is dropped.
    pub fn new(capacity: u64) -> Self {
        Self(Arc::new(Inner {
            newest: AtomicI64::new(i64::MIN),
            answers: Cache::builder()
                .max_capacity(capacity)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            running: Mutex::new(HashMap::new()),
            permits: tokio::sync::Semaphore::new(COMPUTING),
        }))
    }

    /// The answer of `stmt` read at data version `version` or later, computed by `compute` when
    /// no such answer is cached or under way.
    pub(super) async fn get_or_compute<F, Fut>(
        &self,
        version: i64,
        reading: Reading,
        stmt: &SelectStatement,
        compute: F,
    ) -> ApiResult<Arc<Vec<Bucket>>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Vec<Bucket>>> + Send + 'static,
    {
        let key = Key {
            reading,
            sql: stmt.to_string(PostgresQueryBuilder),
        };
        self.0.newest.fetch_max(version, Ordering::SeqCst);
        let mut compute = Some(compute);
        loop {
            if let Some(answer) = self.0.answers.get(&key).await
                && answer.version >= version
            {
                return Ok(answer.buckets);
            }
            let running = {
                let mut running = self.0.running.lock().unwrap_or_else(|e| e.into_inner());
                match running.get(&key) {
                    Some(under_way) => under_way.clone(),
                    None => {
                        // Only the request that started a computation has given its `compute`
                        // away, and it returns that computation's outcome below.
                        let Some(compute) = compute.take() else {
                            return Err(ApiError::Unavailable);
                        };
                        let started = self.start(key.clone(), compute());
                        running.insert(key.clone(), started.clone());
                        started
                    }
                }
            };
            let outcome = running.outcome.await;
            if running.version >= version {
                return outcome.map_err(|e| (*e).clone());
            }
            // Older than this request: its end frees the statement for a computation that is not.
        }
    }

    /// Runs `compute` on a task of its own, so that it completes (and frees its permit) even when
    /// every request waiting for it has gone; it then stores its answer and leaves `running`.
    fn start<Fut>(&self, key: Key, compute: Fut) -> Running
    where
        Fut: Future<Output = ApiResult<Vec<Bucket>>> + Send + 'static,
    {
        let version = self.0.newest.load(Ordering::SeqCst);
        let inner = self.0.clone();
        let task = tokio::spawn(
            async move {
                let outcome: Outcome = match inner.permits.acquire().await {
                    Ok(_permit) => compute.await.map(Arc::new).map_err(Arc::new),
                    Err(closed) => Err(Arc::new(ApiError::internal(closed))),
                };
                // One computation of a statement at a time, each tagged no older than the last:
                // its answer replaces the one stored.
                if let Ok(buckets) = &outcome {
                    let buckets = buckets.clone();
                    inner
                        .answers
                        .insert(key.clone(), Answer { version, buckets })
                        .await;
                }
                inner
                    .running
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&key);
                outcome
            }
            .in_current_span(),
        );
        let outcome = async move {
            task.await
                .unwrap_or_else(|failed| Err(Arc::new(ApiError::internal(failed))))
        }
        .boxed()
        .shared();
        Running { version, outcome }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use sea_orm::sea_query::{Expr, Query};

    use super::*;

    fn statement(name: &str) -> SelectStatement {
        Query::select().expr(Expr::val(name.to_owned())).to_owned()
    }

    /// A stand-in database: its data version, and how many computations read it.
    #[derive(Clone, Default)]
    struct Db {
        version: Arc<AtomicI64>,
        runs: Arc<AtomicUsize>,
    }

    impl Db {
        fn write(&self) -> i64 {
            self.version.fetch_add(1, Ordering::SeqCst) + 1
        }

        fn runs(&self) -> usize {
            self.runs.load(Ordering::SeqCst)
        }

        /// A computation that answers the version it read when it started, after `ms`.
        fn count(
            &self,
            ms: u64,
        ) -> impl FnOnce() -> BoxFuture<'static, ApiResult<Vec<Bucket>>> + use<> {
            let db = self.clone();
            move || {
                async move {
                    db.runs.fetch_add(1, Ordering::SeqCst);
                    let count = db.version.load(Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    Ok(vec![Bucket {
                        key: String::new(),
                        label: None,
                        count,
                    }])
                }
                .boxed()
            }
        }
    }

    #[tokio::test]
    async fn an_answer_serves_its_version_and_older_ones_but_not_newer() {
        let (cache, db, stmt) = (StatsCache::new(100), Db::default(), statement("a"));
        let v = db.write();
        let first = cache.get_or_compute(v, Reading::Total, &stmt, db.count(1));
        assert_eq!(first.await.unwrap()[0].count, v);
        let again = cache.get_or_compute(v - 1, Reading::Total, &stmt, db.count(1));
        assert_eq!((again.await.unwrap()[0].count, db.runs()), (v, 1));
        let v = db.write();
        let newer = cache.get_or_compute(v, Reading::Total, &stmt, db.count(1));
        assert_eq!((newer.await.unwrap()[0].count, db.runs()), (v, 2));
        // Another reading of the same statement is another answer.
        let years = cache.get_or_compute(v, Reading::Years, &stmt, db.count(1));
        assert_eq!((years.await.unwrap()[0].count, db.runs()), (v, 3));
    }

    // On tokio's paused clock: the 2 ms and 40 ms are virtual, so a loaded machine cannot stretch
    // the requests over more computations.
    #[tokio::test(start_paused = true)]
    async fn requests_at_many_versions_share_few_computations_and_none_is_stale() {
        let (cache, db, stmt) = (StatsCache::new(100), Db::default(), statement("b"));
        // Fifty requests, each after a write, 2 ms apart, while a computation takes 40 ms.
        let mut waiting = Vec::new();
        for _ in 0..50 {
            let version = db.write();
            let (cache, stmt, compute) = (cache.clone(), stmt.clone(), db.count(40));
            waiting.push(tokio::spawn(async move {
                let answer = cache.get_or_compute(version, Reading::Total, &stmt, compute);
                (version, answer.await.unwrap()[0].count)
            }));
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        for task in waiting {
            let (version, count) = task.await.unwrap();
            assert!(
                count >= version,
                "a request at {version} got a count read at {count}"
            );
        }
        // ~100 ms of requests, 40 ms a computation: a handful, not fifty.
        assert!(db.runs() <= 5, "{} computations", db.runs());
    }

    #[tokio::test(start_paused = true)]
    async fn a_computation_completes_when_its_requests_are_gone_and_errors_are_not_kept() {
        let (cache, db, stmt) = (StatsCache::new(100), Db::default(), statement("c"));
        let v = db.write();
        let gone = tokio::time::timeout(
            Duration::from_millis(5),
            cache.get_or_compute(v, Reading::Total, &stmt, db.count(30)),
        );
        assert!(gone.await.is_err());
        tokio::time::sleep(Duration::from_millis(60)).await;
        let kept = cache.get_or_compute(v, Reading::Total, &stmt, db.count(1));
        assert_eq!((kept.await.unwrap()[0].count, db.runs()), (v, 1));

        let failing = statement("d");
        let refused = cache.get_or_compute(v, Reading::Total, &failing, || async {
            Err(ApiError::Unavailable)
        });
        assert!(refused.await.is_err());
        let retried = cache.get_or_compute(v, Reading::Total, &failing, db.count(1));
        assert_eq!((retried.await.unwrap()[0].count, db.runs()), (v, 2));
    }
}
