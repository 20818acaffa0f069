//! How one GraphQL operation runs once accepted: it takes a slot of the instance's capacity (or is
//! refused fast), it is bounded by the request time limit, a mutation runs detached from its client
//! (a client that hangs up mid-mutation leaves the transaction to commit or roll back as a whole,
//! never cut short by the connection), and a panic is contained to the one request.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt as _;
use prometheus_client::metrics::gauge::Gauge;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::Instrument as _;

use crate::settings::Settings;

/// The operations this instance runs at once.
#[derive(Clone)]
pub struct Capacity {
    slots: Arc<Semaphore>,
    wait: Duration,
    /// `ucap_operations_in_flight`.
    in_flight: Gauge,
}

/// A held slot; counted in flight until dropped.
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    in_flight: Gauge,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.in_flight.dec();
    }
}

impl Capacity {
    pub fn new(settings: &Settings, in_flight: Gauge) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(settings.max_concurrent_requests.max(1))),
            wait: settings.overload_wait,
            in_flight,
        }
    }

    /// A slot, waited for at most the configured time; `None` means over capacity.
    pub async fn slot(&self) -> Option<Slot> {
        let acquire = Arc::clone(&self.slots).acquire_owned();
        let permit = tokio::time::timeout(self.wait, acquire).await.ok()?.ok()?;
        self.in_flight.inc();
        Some(Slot {
            _permit: permit,
            in_flight: self.in_flight.clone(),
        })
    }
}

/// Why an accepted operation has no response.
#[derive(Debug)]
pub enum Failure {
    /// It ran past the request time limit (its transaction, if any, rolled back).
    TimedOut,
    /// A resolver panicked; the detail is in the log.
    Panicked,
}

/// Runs one operation (`work`) within `limit`, on a task of its own: its resolvers, which nest as
/// deep as the query, start from the bottom of a worker's stack rather than below the request's
/// handlers and middleware. A query's task is aborted when its client leaves; a mutation's
/// (`detach`) is not, so it ends the same way whether or not the client is still there. The
/// request id goes along, for the errors it stamps.
pub async fn run<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
    detach: bool,
    limit: Duration,
) -> Result<T, Failure> {
    let work = async move {
        let execution = AssertUnwindSafe(work).catch_unwind();
        match tokio::time::timeout(limit, execution).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(panic)) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(panic = %message, "a resolver panicked");
                Err(Failure::Panicked)
            }
            Err(_) => {
                tracing::warn!(limit_ms = limit.as_millis(), "request timed out");
                Err(Failure::TimedOut)
            }
        }
    };
    let work = crate::request_id::carry(work);
    let task = tokio::spawn(work.instrument(tracing::Span::current()));
    let outcome = if detach {
        task.await
    } else {
        tokio_util::task::AbortOnDropHandle::new(task).await
    };
    outcome.unwrap_or_else(|err| {
        tracing::error!(error = %err, "an operation's task failed");
        Err(Failure::Panicked)
    })
}
