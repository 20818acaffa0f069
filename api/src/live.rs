//! Live updates: committed changes reach subscribers of every instance. Writers append to the
//! change feed and (PostgreSQL) `NOTIFY` this channel at commit; each instance listens, reads the
//! new feed entries and fans them out to its subscribers.

/// The PostgreSQL notification channel of committed changes.
pub const CHANNEL: &str = "ucap_changes";
