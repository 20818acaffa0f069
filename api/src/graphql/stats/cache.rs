//! Dashboard counts change only when data does, yet each costs a scan of up to every activity. They
//! are cached per statement under the database's `data_version` (a counter that triggers move at
//! every committed write, see the `data_version` migration): a write anywhere, through any `ucap`
//! instance or none, changes the key, so a stale count is never served. Concurrent requests for the
//! same missing count wait for one computation instead of each running it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;
use sea_orm::sea_query::{PostgresQueryBuilder, SelectStatement};

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
    version: i64,
    reading: Reading,
    /// The statement with its values inlined: it says everything the answer depends on, the
    /// filter and (later) the reader's visibility included.
    sql: String,
}

/// Cached answers of count statements.
#[derive(Clone)]
pub struct StatsCache(Cache<Key, Arc<Vec<Bucket>>>, Arc<tokio::sync::Semaphore>);

/// Aggregates computed at once, whatever the number of dashboards asking: the rest wait for a
/// permit instead of taking every pooled connection (and, on SQLite, a sorter and page cache per
/// connection: unbounded, one uncached `stats` grew the server by ~65 MiB).
const COMPUTING: usize = 2;

impl StatsCache {
    /// Holds up to `capacity` answers; one unused for ten minutes is dropped.
    pub fn new(capacity: u64) -> Self {
        Self(
            Cache::builder()
                .max_capacity(capacity)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            Arc::new(tokio::sync::Semaphore::new(COMPUTING)),
        )
    }

    /// The cached answer of `stmt` at `version`, computed by `compute` when missing.
    pub(super) async fn get_or_compute<F>(
        &self,
        version: i64,
        reading: Reading,
        stmt: &SelectStatement,
        compute: F,
    ) -> ApiResult<Arc<Vec<Bucket>>>
    where
        F: Future<Output = ApiResult<Vec<Bucket>>>,
    {
        let key = Key {
            version,
            reading,
            sql: stmt.to_string(PostgresQueryBuilder),
        };
        self.0
            .try_get_with(key, async {
                let _permit = self.1.acquire().await.map_err(ApiError::internal)?;
                compute.await.map(Arc::new)
            })
            .await
            .map_err(|e: Arc<ApiError>| (*e).clone())
    }
}
