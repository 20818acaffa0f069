//! Rate limits and cost budgets, per token (admins have their own, higher, allowances) and per
//! client address for anonymous callers: requests a minute, checked before the body is read, and
//! query complexity units a minute, charged once the operation has validated and before it runs.
//! Each instance checks its own governor limiter (keyed GCRA) first, then, on PostgreSQL or with
//! Redis, the allowance shared by all instances (`shared`): with N instances a client still gets
//! one allowance, and a client over it on this instance alone is refused without asking the store.
//! Exports, which hold a database connection while they stream, are also
//! limited in number per caller ([`Throttle::export_slot`]). Refusals are sent slowly
//! ([`Throttle::hold_refusal`]), so that a client retrying in a loop cannot spend the instance's
//! time on refusals.
//!
//! `holds` counts what a key holds at once (exports, WebSocket connections, held refusals); `cost`
//! is the schema extension that charges the cost budget.

mod cost;
mod holds;
mod shared;

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use ipnet::IpNet;

use crate::auth::{Role, Viewer};
use crate::error::ApiError;
use crate::settings::Settings;

pub use cost::{CostAccount, CostBudget};
pub use holds::{Hold, Holds};

/// Whose allowance a request draws on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Token(crate::auth::BearerKey),
    /// An IPv4 address, or the /64 network of an IPv6 address (one subscriber's usual share).
    Address(IpAddr),
}

/// The key's name in the shared store.
impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Token(crate::auth::BearerKey::Issued(id)) => write!(f, "t{id}"),
            Self::Token(crate::auth::BearerKey::Federated(digest)) => {
                f.write_str("f")?;
                digest.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
            Self::Address(address) => write!(f, "a{address}"),
        }
    }
}

/// Which allowances apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Anonymous,
    Token,
    Admin,
}

/// Whose allowances an operation draws on: its token, or the client address of an anonymous
/// caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    class: Class,
    key: Key,
}

/// A refused request: how long until it would be admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

impl Limited {
    /// Whole seconds for `Retry-After`, rounded up: a client that waits that long is admitted.
    pub fn retry_after_secs(self) -> u64 {
        let secs = self.retry_after.as_secs();
        let rounded = if self.retry_after.subsec_nanos() > 0 {
            secs + 1
        } else {
            secs
        };
        rounded.max(1)
    }
}

impl From<Limited> for ApiError {
    fn from(limited: Limited) -> Self {
        Self::RateLimited {
            retry_after: limited.retry_after_secs(),
        }
    }
}

type Limiter = RateLimiter<Key, DefaultKeyedStateStore<Key>, DefaultClock>;

/// So many units a minute per key, any of them at once.
struct Allowance {
    limiter: Limiter,
    per_minute: NonZeroU32,
}

impl Allowance {
    /// `None` for 0: no limit.
    fn per_minute(units: u32) -> Option<Self> {
        NonZeroU32::new(units).map(|per_minute| Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            per_minute,
        })
    }

    /// Takes `units` from `key`'s allowance, or none when they are not all there. More than a
    /// minute's worth takes the whole minute's worth: a single operation is never refused forever.
    fn take(&self, key: &Key, units: u64) -> Result<(), Limited> {
        let units = u32::try_from(units).unwrap_or(u32::MAX);
        let Some(units) = NonZeroU32::new(units.min(self.per_minute.get())) else {
            return Ok(());
        };
        let outcome = if units.get() == 1 {
            self.limiter.check_key(key)
        } else {
            // Never over capacity: `units` is at most the burst.
            self.limiter.check_key_n(key, units).unwrap_or(Ok(()))
        };
        outcome.map_err(|not_until| Limited {
            retry_after: not_until.wait_time_from(self.limiter.clock().now()),
        })
    }

    /// Forgets keys whose allowance is full again, so that passing addresses do not pile up.
    fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// One allowance of each class.
struct PerClass {
    anonymous: Option<Allowance>,
    token: Option<Allowance>,
    admin: Option<Allowance>,
}

impl PerClass {
    fn of(&self, class: Class) -> Option<&Allowance> {
        match class {
            Class::Anonymous => self.anonymous.as_ref(),
            Class::Token => self.token.as_ref(),
            Class::Admin => self.admin.as_ref(),
        }
    }

    fn all(&self) -> impl Iterator<Item = &Allowance> {
        [&self.anonymous, &self.token, &self.admin]
            .into_iter()
            .flatten()
    }
}

/// The limits of this instance.
pub struct Throttle {
    requests: PerClass,
    cost: PerClass,
    /// The allowances every instance shares; `None` on SQLite or with `shared_limits` off.
    shared: Option<shared::Shared>,
    trusted_proxies: Vec<IpNet>,
    /// Exports streaming now, per caller; keys leave the map with their last export.
    exports: Holds<Key>,
    max_exports_per_caller: usize,
    /// Refusals held now, per client address (see [`Throttle::hold_refusal`]).
    held_refusals: Holds<IpAddr>,
    refusal_delay: Duration,
    refused: AtomicU64,
    /// `ucap_rate_limited_total{limit}`; absent in unit tests.
    metrics: Option<Arc<crate::metrics::Metrics>>,
}

impl Throttle {
    /// The configured limits, shared through Redis when `redis_url` is set, else through `db`
    /// when it is PostgreSQL, with a task that forgets idle keys every minute for as long as the
    /// throttle lives. Fails only on a malformed Redis URL: a store that is down means
    /// per-instance limits until it answers.
    pub fn start(
        settings: &Settings,
        metrics: Arc<crate::metrics::Metrics>,
        db: sea_orm::DatabaseConnection,
    ) -> anyhow::Result<Arc<Self>> {
        let fallbacks = metrics.limit_fallbacks.clone();
        let shared = match (&settings.redis_url, settings.shared_limits) {
            (_, false) => None,
            (Some(url), true) => Some(
                shared::Shared::in_redis(url, &settings.redis_prefix, fallbacks)
                    .map_err(|e| anyhow::anyhow!("UCAP_REDIS_URL: {e}"))?,
            ),
            (None, true) => shared::Shared::in_database(db, fallbacks),
        };
        match &shared {
            Some(store) => {
                tracing::info!(store = store.name(), "rate limits shared by every instance")
            }
            None => tracing::info!("rate limits per instance"),
        }
        let throttle = Arc::new(Self {
            metrics: Some(metrics),
            shared,
            ..Self::new(settings)
        });
        let weak = Arc::downgrade(&throttle);
        tokio::spawn(forget_idle_keys(weak));
        Ok(throttle)
    }

    fn new(settings: &Settings) -> Self {
        Self {
            requests: PerClass {
                anonymous: Allowance::per_minute(settings.rate_limit_anonymous),
                token: Allowance::per_minute(settings.rate_limit_token),
                admin: Allowance::per_minute(settings.rate_limit_admin),
            },
            cost: PerClass {
                anonymous: Allowance::per_minute(settings.cost_budget_anonymous),
                token: Allowance::per_minute(settings.cost_budget_token),
                admin: Allowance::per_minute(settings.cost_budget_admin),
            },
            shared: None,
            trusted_proxies: settings.trusted_proxies.clone(),
            exports: Holds::default(),
            max_exports_per_caller: settings.max_exports_per_caller,
            held_refusals: Holds::default(),
            refusal_delay: settings.refusal_delay,
            refused: AtomicU64::new(0),
            metrics: None,
        }
    }

    /// Requests refused by a rate limit or cost budget since start (the metric).
    pub fn refused_total(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Whose allowances an operation of `viewer` from `client` draws on.
    pub fn account(&self, viewer: &Viewer, client: IpAddr) -> Account {
        match viewer.token() {
            Some(token) => Account {
                class: if token.role == Role::Admin {
                    Class::Admin
                } else {
                    Class::Token
                },
                key: Key::Token(token.bearer.key()),
            },
            None => Account {
                class: Class::Anonymous,
                key: Key::Address(address_key(client)),
            },
        }
    }

    /// Counts one request against the caller's rate limit.
    pub async fn admit(&self, caller: &Account) -> Result<(), Limited> {
        self.take(&self.requests, caller, 1, "requests").await
    }

    /// Charges an operation's complexity to the caller's cost budget; any operation costs at
    /// least one unit (async-graphql counts `__typename` as nothing).
    pub async fn charge(&self, caller: &Account, complexity: usize) -> Result<(), Limited> {
        let units = u64::try_from(complexity).unwrap_or(u64::MAX).max(1);
        self.take(&self.cost, caller, units, "cost").await
    }

    /// One of the caller's export slots, held until the returned [`ExportSlot`] drops, or
    /// `Limited` when the caller streams its allowance already. The wait is a guess: an export
    /// ends when its client has read it (or stopped reading for the idle timeout).
    pub fn export_slot(&self, caller: &Account) -> Result<ExportSlot, Limited> {
        self.exports
            .hold(caller.key, self.max_exports_per_caller)
            .ok_or_else(|| {
                self.refused.fetch_add(1, Ordering::Relaxed);
                if let Some(metrics) = &self.metrics {
                    metrics.rate_limited("exports");
                }
                tracing::debug!(caller = ?caller.key, "too many exports of one caller");
                Limited {
                    retry_after: EXPORT_RETRY_AFTER,
                }
            })
    }

    /// How long a refusal that says `retry_after` is held before it is sent.
    pub fn refusal_delay(&self, retry_after: Duration) -> Duration {
        self.refusal_delay.min(retry_after)
    }

    /// Holds an HTTP refusal of `client` for [`Throttle::refusal_delay`]: a client that retries
    /// at once is slowed to a few requests a second on each connection, and the instance spends
    /// its time on callers within their limits. Holding costs a timer, but an address holds at
    /// most [`HELD_REFUSALS_PER_ADDRESS`] at once: `false` when it holds them all, and the
    /// refusal should go at once, closing its connection.
    pub async fn hold_refusal(&self, client: IpAddr, retry_after: Duration) -> bool {
        let delay = self.refusal_delay(retry_after);
        if delay.is_zero() {
            return true;
        }
        let Some(_held) = self
            .held_refusals
            .hold(address_key(client), HELD_REFUSALS_PER_ADDRESS)
        else {
            return false;
        };
        tokio::time::sleep(delay).await;
        true
    }

    /// This instance's allowance first (over it here, over it everywhere), then the shared one.
    async fn take(
        &self,
        allowances: &PerClass,
        caller: &Account,
        units: u64,
        what: &'static str,
    ) -> Result<(), Limited> {
        let Some(allowance) = allowances.of(caller.class) else {
            return Ok(());
        };
        let mut outcome = allowance.take(&caller.key, units);
        if let (Ok(()), Some(shared)) = (outcome, &self.shared) {
            let limit = u64::from(allowance.per_minute.get());
            if let Some(decided) = shared.take(what, caller.key, units, limit).await {
                outcome = decided;
            }
        }
        outcome.inspect_err(|limited| {
            self.refused.fetch_add(1, Ordering::Relaxed);
            if let Some(metrics) = &self.metrics {
                metrics.rate_limited(what);
            }
            tracing::debug!(caller = ?caller.key, units, what, retry_after = ?limited.retry_after, "rate limited");
        })
    }

    /// The peer address, or, when the peer is a trusted proxy, the address it forwards for: the
    /// right-most `X-Forwarded-For` entry not itself a trusted proxy (entries further left are
    /// whatever the client chose to send).
    pub fn client_address(&self, http: &HttpRequest) -> IpAddr {
        let peer = http
            .peer_addr()
            .map_or(IpAddr::from([0, 0, 0, 0]), |a| a.ip().to_canonical());
        if self.trusted_proxies.is_empty() {
            return peer;
        }
        let forwarded = http
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect::<Vec<_>>();
        let mut client = peer;
        for entry in forwarded.iter().rev() {
            if !self.trusts(client) {
                break;
            }
            match entry.trim().parse::<IpAddr>() {
                Ok(address) => client = address.to_canonical(),
                Err(_) => break,
            }
        }
        client
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|n| n.contains(&address))
    }
}

/// What a caller refused an export slot is told to wait.
const EXPORT_RETRY_AFTER: Duration = Duration::from_secs(5);

/// Refusals one client address has held at once (see [`Throttle::hold_refusal`]): as many as a
/// browser's and a script's connections, far fewer than a flood's.
pub const HELD_REFUSALS_PER_ADDRESS: usize = 64;

/// One running export of a caller; dropping it frees the slot.
pub type ExportSlot = Hold<Key>;

/// An IPv6 client is keyed by its /64: one host commonly holds the whole network.
pub fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(network))
        }
        v4 => v4,
    }
}

async fn forget_idle_keys(throttle: Weak<Throttle>) {
    let mut every_minute = tokio::time::interval(Duration::from_secs(60));
    every_minute.tick().await;
    loop {
        every_minute.tick().await;
        let Some(throttle) = throttle.upgrade() else {
            return;
        };
        for allowance in throttle.requests.all().chain(throttle.cost.all()) {
            allowance.forget_idle();
        }
        if let Some(shared) = &throttle.shared {
            shared.sweep().await;
        }
    }
}

#[cfg(test)]
mod tests;
