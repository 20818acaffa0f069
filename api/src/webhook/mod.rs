//! Webhooks: the change feed pushed to partner endpoints, signed per Standard Webhooks. Every
//! writer's change-feed entry yields, in the same transaction, one outbox row per endpoint whose
//! organization may read it ([`enqueue`]); each instance's [`Worker`] delivers the rows in order
//! per endpoint, at least once, with retries, and never to a non-public address unless the
//! settings allow that host ([`target`]). The payload is the entry as the endpoint's organization
//! sees it, rendered by the GraphQL layer through [`Render`] (one visibility rule, not two).

mod events;
mod outbox;
mod send;
pub mod signature;
pub mod target;
mod worker;

pub use events::{EventTypes, event_type};
pub use outbox::enqueue;
pub use worker::{Counters, Render, Worker};

/// Where a delivery is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Waiting for its (next) attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Retried for `webhook_give_up_after` without success; its endpoint was disabled.
    Failed,
    /// The endpoint's organization no longer sees the entry: nothing was sent.
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Delivered => "DELIVERED",
            Self::Failed => "FAILED",
            Self::Skipped => "SKIPPED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed, Self::Skipped]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The `webhook-id` of a delivery: stable across its attempts (and redeliveries), so that a
/// receiver drops what it has already processed.
pub fn message_id(delivery_id: i64) -> String {
    format!("msg_{delivery_id}")
}
