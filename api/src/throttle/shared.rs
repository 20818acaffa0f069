//! Allowances shared by every instance: each check counts its units in a store that all instances
//! reach — the PostgreSQL database they share (table `rate_window`), or Redis when
//! `UCAP_REDIS_URL` is set — so that N instances give a client one allowance, not N.
//!
//! The window slides over the last minute, approximated from two fixed one-minute counters: the
//! current minute's count plus the previous minute's weighted by the part of it still within the
//! last minute. A check is one statement (or one Lua script) that adds the units only if they fit,
//! so two instances never both take the last unit. Counters rather than governor's GCRA because a
//! counter is what both stores update atomically in one round trip (an upsert, `INCRBY`); GCRA
//! would need a read and a compare-and-swap.
//!
//! An instance takes a busy client's allowance from the store a twentieth at a time ([`Lease`])
//! and spends it locally, so the store sees one round trip per twentieth, not one per request.
//!
//! A store that does not answer within [`STORE_WAIT`] is rested for [`STORE_REST`]: meanwhile the
//! instance's own limiter decides alone (logged once when the store goes and once when it is back,
//! and counted in `ucap_rate_limit_fallbacks_total`), never no limit.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::metrics::counter::Counter;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::{Key, Limited};

/// How long a check waits for the store before the instance decides alone: a few round trips,
/// far below what a request may take.
const STORE_WAIT: Duration = Duration::from_millis(200);

/// How long a store that failed is left alone before it is asked again, so that an outage costs
/// one wait per this period, not one per request.
const STORE_REST: Duration = Duration::from_secs(5);

const MINUTE_MS: u64 = 60_000;

/// The part of an allowance an instance takes from the store at a time (a twentieth) and spends
/// locally: one round trip per twentieth of a busy client's allowance instead of one per request.
/// The store counts a lease as spent when it is taken, so leased units that go unspent by the
/// minute's end only make the client's allowance smaller (by at most a twentieth per other instance
/// serving it), never larger.
const LEASE_SHARE: u64 = 20;

/// This instance's unspent units of a key's allowance, taken from the store in `minute`.
struct Lease {
    minute: i64,
    left: u64,
}

/// The instance's leases, per allowance (`requests`, `cost`) and key.
#[derive(Default)]
struct Leases(Mutex<HashMap<(&'static str, Key), Lease>>);

impl Leases {
    /// Adds `granted` units to the instance's lease on `key` for `minute` (a lease of an earlier
    /// minute is dropped: its units were counted then) and takes `units` from it if it has them.
    fn spend(&self, key: (&'static str, Key), units: u64, minute: i64, granted: u64) -> bool {
        let mut leases = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let lease = match leases.get_mut(&key) {
            Some(lease) => lease,
            None if granted == 0 => return false,
            None => leases.entry(key).or_insert(Lease { minute, left: 0 }),
        };
        if lease.minute != minute {
            *lease = Lease { minute, left: 0 };
        }
        lease.left += granted;
        if lease.left < units {
            return false;
        }
        lease.left -= units;
        true
    }

    /// Forgets the leases of minutes before `minute`.
    fn forget_before(&self, minute: i64) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, lease| lease.minute >= minute);
    }
}

/// Where the shared counters live.
enum Store {
    Database(DatabaseConnection),
    /// A connection, the prefix of ucap's keys, and [`TAKE_LUA`] (its SHA-1 computed once).
    Redis(ConnectionManager, String, redis::Script),
}

/// The shared counters, and whether the store answers.
pub(super) struct Shared {
    store: Store,
    /// Until when (milliseconds since the epoch) the store is rested; 0 while it answers.
    resting_until: AtomicU64,
    fallbacks: Counter,
    /// Emptied of past minutes by [`Shared::sweep`].
    leases: Leases,
}

/// What the store counted for a key: the previous minute's units, the current minute's (after
/// this check's when admitted), and whether this check's units were taken.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Count {
    admitted: bool,
    previous: u64,
    current: u64,
}

/// The instant of a check, in milliseconds since the epoch; the store sees it as the minute it
/// falls in and how far into that minute it is.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Instant(u64);

impl Instant {
    fn now() -> Self {
        Self(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        )
    }

    fn minute(self) -> i64 {
        i64::try_from(self.0 / MINUTE_MS).unwrap_or(i64::MAX)
    }

    fn elapsed_ms(self) -> u64 {
        self.0 % MINUTE_MS
    }

    /// The weight of the previous minute's count: the part of it still within the last minute.
    fn previous_weight(self) -> f64 {
        // Both below 2^53: exact as f64.
        1.0 - self.elapsed_ms() as f64 / MINUTE_MS as f64
    }
}

/// Adds `$3` units to key `$1` in minute `$2` if, with the previous minute's count weighted by
/// `$5`, they stay within `$4`; answers the previous count, the new count (null when refused) and
/// the count this statement found (for the wait of a refusal).
const TAKE_SQL: &str = "\
WITH previous AS (
  SELECT COALESCE((SELECT used FROM rate_window WHERE key = $1 AND minute = $2 - 1), 0) AS used
), taken AS (
  INSERT INTO rate_window AS w (key, minute, used)
  SELECT $1, $2, $3 FROM previous WHERE previous.used * $5 + $3 <= $4
  ON CONFLICT (key, minute) DO UPDATE SET used = w.used + EXCLUDED.used
    WHERE (SELECT used FROM previous) * $5 + w.used + EXCLUDED.used <= $4
  RETURNING w.used
)
SELECT (SELECT used FROM previous) AS previous,
       (SELECT used FROM taken) AS taken,
       COALESCE((SELECT used FROM rate_window WHERE key = $1 AND minute = $2), 0) AS found";

/// The same for Redis: KEYS[1] the current minute's counter, KEYS[2] the previous one's; ARGV the
/// units, the limit, the previous minute's weight. The counter expires once it cannot be the
/// previous minute's any more.
const TAKE_LUA: &str = r"
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local units = tonumber(ARGV[1])
if previous * tonumber(ARGV[3]) + current + units <= tonumber(ARGV[2]) then
  current = redis.call('INCRBY', KEYS[1], units)
  redis.call('PEXPIRE', KEYS[1], 120000)
  return {1, previous, current}
end
return {0, previous, current}
";

impl Shared {
    /// Counters in the database every instance shares (PostgreSQL; a SQLite file serves one
    /// instance, whose own limiter is the whole story).
    pub(super) fn in_database(db: DatabaseConnection, fallbacks: Counter) -> Option<Self> {
        (db.get_database_backend() == DbBackend::Postgres)
            .then(|| Self::new(Store::Database(db), fallbacks))
    }

    /// Counters in Redis at `url`, connected lazily and again after a failure, so that a Redis
    /// that is down when the instance starts only means per-instance limits until it is up.
    pub(super) fn in_redis(
        url: &str,
        prefix: &str,
        fallbacks: Counter,
    ) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(STORE_WAIT))
            .set_response_timeout(Some(STORE_WAIT))
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Self::new(
            Store::Redis(connection, prefix.to_owned(), redis::Script::new(TAKE_LUA)),
            fallbacks,
        ))
    }

    fn new(store: Store, fallbacks: Counter) -> Self {
        Self {
            store,
            resting_until: AtomicU64::new(0),
            fallbacks,
            leases: Leases::default(),
        }
    }

    /// The store's name for logs and docs.
    pub(super) fn name(&self) -> &'static str {
        match self.store {
            Store::Database(_) => "postgresql",
            Store::Redis(..) => "redis",
        }
    }

    /// Takes `units` (at most `limit`) of `limit` a minute from `key`'s shared allowance `what`
    /// (`requests`, `cost`): `None` when the store did not answer and the instance's own limiter
    /// decides alone.
    ///
    /// Units come from this instance's lease on the key when it has enough for this minute;
    /// otherwise it asks the store for a new lease of [`LEASE_SHARE`] of the allowance (or just
    /// `units`, when that much no longer fits).
    pub(super) async fn take(
        &self,
        what: &'static str,
        key: Key,
        units: u64,
        limit: u64,
    ) -> Option<Result<(), Limited>> {
        let now = Instant::now();
        let units = units.min(limit);
        if self.leases.spend((what, key), units, now.minute(), 0) {
            return Some(Ok(()));
        }
        // The store's name of the allowance, made only when the store is asked.
        let name = format!("{what}:{key}");
        let lease = (limit / LEASE_SHARE).max(units).min(limit);
        let mut outcome = self.ask(&name, lease, limit, now).await?;
        let mut granted = lease;
        if outcome.is_err() && lease > units {
            outcome = self.ask(&name, units, limit, now).await?;
            granted = units;
        }
        if outcome.is_ok() {
            self.leases.spend((what, key), units, now.minute(), granted);
        }
        Some(outcome)
    }

    /// One round trip: `units` of `key`'s allowance taken in the store, or refused with the wait
    /// until they fit; `None` when the store did not answer (it is then rested).
    async fn ask(
        &self,
        key: &str,
        units: u64,
        limit: u64,
        now: Instant,
    ) -> Option<Result<(), Limited>> {
        let now_ms = now.0;
        let resting_until = self.resting_until.load(Ordering::Relaxed);
        if resting_until > now_ms {
            self.fallbacks.inc();
            return None;
        }
        let asked = tokio::time::timeout(STORE_WAIT, self.count(key, units, limit, now)).await;
        match asked {
            Ok(Ok(count)) => {
                if resting_until != 0
                    && self
                        .resting_until
                        .compare_exchange(resting_until, 0, Ordering::Relaxed, Ordering::Relaxed)
                        .is_ok()
                {
                    tracing::info!(store = self.name(), "shared rate limits answer again");
                }
                Some(if count.admitted {
                    Ok(())
                } else {
                    Err(Limited {
                        retry_after: wait_after_refusal(count, units, limit, now),
                    })
                })
            }
            failed => {
                let until = now_ms + u64::try_from(STORE_REST.as_millis()).unwrap_or(u64::MAX);
                let previous = self.resting_until.swap(until, Ordering::Relaxed);
                if previous == 0 {
                    let error = match failed {
                        Ok(Err(e)) => e,
                        _ => format!("no answer within {STORE_WAIT:?}"),
                    };
                    tracing::warn!(
                        store = self.name(),
                        error,
                        "shared rate limits unreachable: each instance applies the limits alone until the store answers"
                    );
                }
                self.fallbacks.inc();
                None
            }
        }
    }

    async fn count(
        &self,
        key: &str,
        units: u64,
        limit: u64,
        now: Instant,
    ) -> Result<Count, String> {
        let units = i64::try_from(units).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let weight = now.previous_weight();
        match &self.store {
            Store::Database(db) => {
                let statement = Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    TAKE_SQL,
                    [
                        key.into(),
                        now.minute().into(),
                        units.into(),
                        limit.into(),
                        weight.into(),
                    ],
                );
                let row = db
                    .query_one_raw(statement)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or("no row")?;
                let previous: i64 = row.try_get("", "previous").map_err(|e| e.to_string())?;
                let taken: Option<i64> = row.try_get("", "taken").map_err(|e| e.to_string())?;
                let found: i64 = row.try_get("", "found").map_err(|e| e.to_string())?;
                Ok(Count {
                    admitted: taken.is_some(),
                    previous: previous.unsigned_abs(),
                    current: taken.unwrap_or(found).unsigned_abs(),
                })
            }
            Store::Redis(connection, prefix, script) => {
                // The key in braces: both minutes of a key in one Redis Cluster slot.
                let (admitted, previous, current): (i64, i64, i64) = script
                    .key(format!("{prefix}:rate:{{{key}}}:{}", now.minute()))
                    .key(format!("{prefix}:rate:{{{key}}}:{}", now.minute() - 1))
                    .arg(units)
                    .arg(limit)
                    .arg(weight)
                    .invoke_async(&mut connection.clone())
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Count {
                    admitted: admitted == 1,
                    previous: previous.unsigned_abs(),
                    current: current.unsigned_abs(),
                })
            }
        }
    }

    /// Forgets leases of past minutes, and deletes the database's counters older than the
    /// previous minute (Redis expires its own).
    pub(super) async fn sweep(&self) {
        let minute = Instant::now().minute();
        self.leases.forget_before(minute);
        let Store::Database(db) = &self.store else {
            return;
        };
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "DELETE FROM rate_window WHERE minute < $1",
            [(minute - 1).into()],
        );
        if let Err(e) = db.execute_raw(statement).await {
            tracing::debug!(error = %e, "cannot sweep old rate-limit counters");
        }
    }
}

/// How long until `units` fit, given what the store counted when it refused them: within this
/// minute once the previous minute's weighted count has slid out far enough, or else in the next
/// minute once this one's has.
fn wait_after_refusal(count: Count, units: u64, limit: u64, now: Instant) -> Duration {
    let minute = MINUTE_MS as f64;
    let elapsed = now.elapsed_ms() as f64;
    let wait_ms = if count.current + units > limit {
        // Next minute: this minute's count, weighted by (1 - g), plus the units must fit.
        let room = (limit - units) as f64;
        let g = 1.0 - room / count.current.max(1) as f64;
        (minute - elapsed) + g.clamp(0.0, 1.0) * minute
    } else {
        let room = (limit - count.current - units) as f64;
        let f = 1.0 - room / count.previous.max(1) as f64;
        f.clamp(0.0, 1.0) * minute - elapsed
    };
    Duration::from_millis(wait_ms.ceil().max(1.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_spent_within_its_minute_and_dropped_after() {
        let leases = Leases::default();
        let k = ("requests", Key::Token(crate::auth::BearerKey::Issued(1)));
        let other = ("requests", Key::Token(crate::auth::BearerKey::Issued(2)));
        assert!(!leases.spend(k, 1, 7, 0), "no lease yet");
        assert!(leases.spend(k, 1, 7, 3));
        assert!(leases.spend(k, 2, 7, 0));
        assert!(!leases.spend(k, 1, 7, 0), "spent");
        assert!(leases.spend(k, 1, 7, 5));
        // Four left from minute 7 are not spent in minute 8: the store counted them in 7.
        assert!(!leases.spend(k, 1, 8, 0));
        assert!(leases.spend(k, 2, 8, 2));
        assert!(!leases.spend(other, 1, 8, 0));
        leases.forget_before(9);
        assert!(
            leases
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_empty()
        );
    }

    #[test]
    fn the_previous_minute_counts_for_the_part_of_it_still_within_the_last_minute() {
        assert_eq!(Instant(120_000).previous_weight(), 1.0);
        assert_eq!(Instant(135_000).previous_weight(), 0.75);
        assert_eq!(Instant(135_000).minute(), 2);
    }

    #[test]
    fn a_refusal_waits_until_the_previous_minute_has_slid_out_far_enough() {
        // 10 a minute, 8 last minute, 2 now, 5 s in: 8 × w + 2 + 1 fits once w ≤ 7/8, 7.5 s in.
        let count = Count {
            admitted: false,
            previous: 8,
            current: 2,
        };
        let wait = wait_after_refusal(count, 1, 10, Instant(5_000));
        assert_eq!(wait, Duration::from_millis(2_500));
    }

    #[test]
    fn a_full_minute_waits_for_the_next_one_and_its_share_of_it() {
        // 10 a minute, all 10 taken this minute, 45 s in: next minute at 60 s, and then 10 × (1 - g)
        // + 1 ≤ 10 needs g ≥ 0.1: 6 s into it.
        let count = Count {
            admitted: false,
            previous: 0,
            current: 10,
        };
        let wait = wait_after_refusal(count, 1, 10, Instant(45_000));
        assert_eq!(wait, Duration::from_millis(15_000 + 6_000));
    }
}
