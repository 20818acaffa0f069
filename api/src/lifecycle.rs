//! Graceful shutdown. On SIGTERM (or Ctrl-C) the instance first reports itself not ready while it
//! keeps serving (`drain_delay`, so a load balancer stops routing to it), then refuses new requests
//! and closes its listener, lets in-flight requests finish (`shutdown_timeout`) and exits 0.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use actix_web::dev::ServerHandle;

/// Where the instance is in its life; shared by the handlers and the shutdown task.
#[derive(Clone, Default)]
pub struct Lifecycle(Arc<AtomicU8>);

const SERVING: u8 = 0;
const DRAINING: u8 = 1;
const CLOSING: u8 = 2;

impl Lifecycle {
    /// Ready for traffic: false from the moment shutdown begins.
    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::Acquire) == SERVING
    }

    /// New requests are refused (503) once the drain delay is over.
    pub fn is_closing(&self) -> bool {
        self.0.load(Ordering::Acquire) == CLOSING
    }

    fn set(&self, phase: u8) {
        self.0.fetch_max(phase, Ordering::AcqRel);
    }
}

/// What it takes to stop the server gracefully.
pub struct Shutdown {
    pub lifecycle: Lifecycle,
    pub server: ServerHandle,
    pub drain_delay: Duration,
}

impl Shutdown {
    /// Drains, then stops the server gracefully; returns once the server has stopped.
    pub async fn run(self) {
        self.lifecycle.set(DRAINING);
        tracing::info!(
            drain_delay_ms = self.drain_delay.as_millis(),
            "shutting down: readiness is false"
        );
        tokio::time::sleep(self.drain_delay).await;
        self.lifecycle.set(CLOSING);
        tracing::info!("shutting down: refusing new requests, finishing in-flight ones");
        self.server.stop(true).await;
    }
}

/// Resolves at the first SIGTERM or SIGINT.
pub async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM; Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
