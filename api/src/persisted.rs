//! Persisted operations at the edge: a document runs by its sha256 alone (Apollo's
//! `extensions.persistedQuery`, version 1) when an admin registered it, or when any client sent it
//! once with its hash (Apollo's automatic persisted queries: an unknown hash is answered
//! `PERSISTED_QUERY_NOT_FOUND`, the client resends the text with the hash, and later requests send
//! the hash only). A token restricted to an allow-list runs only the documents in it, whether sent
//! by text or by hash; the allow-list travels in the cached token record, so the check reads
//! nothing per request. Registering and allow-list writes are in `graphql/persisted.rs`.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{ErrorExtensions as _, ServerError};
use moka::future::Cache;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::Viewer;
use crate::error::{ApiError, request_error};
use entity::persisted_operation;

/// The sha256 of a document's exact text, lower-case hex: the key it is registered under.
pub fn sha256_hex(document: &str) -> String {
    Sha256::digest(document.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Apollo's `extensions.persistedQuery`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersistedQuery {
    version: i64,
    sha256_hash: String,
}

/// Why a request's persisted query cannot run.
pub enum Unresolved {
    /// A request error for the client (`BAD_USER_INPUT` with `extensions.reason`).
    Refused(ServerError),
    /// The registered documents cannot be read.
    Unavailable,
}

/// Documents by hash. Registered ones live in the database: a document never changes under its
/// hash, but an admin may remove it, so a found one is cached for `token_cache_ttl` (bounded by
/// size), like the token records, and a removal through another instance takes effect here as soon
/// as a revocation would; an unknown hash is asked again, as it may be registered meanwhile.
/// Automatic ones are a cache of this instance only (a client that meets another instance resends
/// the text once), bounded so that no client can fill memory: documents that parse, at most the
/// request body cap each, [`AUTOMATIC_BYTES`] in all counting [`ENTRY_OVERHEAD`] per entry (so at
/// most 131 072 of them), least recently and least often used evicted first, dropped after a day
/// unused.
#[derive(Clone)]
pub struct Documents {
    db: DatabaseConnection,
    found: Cache<String, Arc<str>>,
    automatic: Cache<String, Arc<str>>,
}

/// The memory automatic persisted queries may take on one instance.
pub const AUTOMATIC_BYTES: u64 = 32 * 1024 * 1024;
/// What one automatic entry counts beyond its text: the cap on their number.
pub const ENTRY_OVERHEAD: u32 = 256;

/// What a request runs: its document (`None`: it sent neither text nor a known hash), and the hash
/// to remember the document under once it parses (sent with its text as an automatic persisted
/// query).
pub struct Resolved {
    pub query: Option<String>,
    pub learn: Option<String>,
}

impl Documents {
    pub fn new(db: DatabaseConnection, ttl: Duration) -> Self {
        Self {
            db,
            found: Cache::builder()
                .max_capacity(16 * 1024 * 1024)
                .time_to_live(ttl)
                .weigher(|k: &String, v: &Arc<str>| {
                    u32::try_from(k.len() + v.len()).unwrap_or(u32::MAX)
                })
                .build(),
            automatic: Cache::builder()
                .max_capacity(AUTOMATIC_BYTES)
                .time_to_idle(Duration::from_secs(24 * 3600))
                .weigher(|k: &String, v: &Arc<str>| {
                    u32::try_from(k.len() + v.len())
                        .unwrap_or(u32::MAX)
                        .saturating_add(ENTRY_OVERHEAD)
                })
                .build(),
        }
    }

    /// Remembers `document` under `hash` (its sha256, as [`Resolved::learn`] names it) for
    /// requests that send the hash alone; call once the document parsed.
    pub async fn learn(&self, hash: String, document: &str) {
        self.automatic.insert(hash, document.into()).await;
    }

    /// The document a request runs: its `query`, or, when it names a persisted query, the
    /// registered or remembered document (a `query` sent along must be that document, and is
    /// remembered once it parses).
    pub async fn resolve(
        &self,
        query: Option<String>,
        extensions: &async_graphql::Extensions,
    ) -> Result<Resolved, Unresolved> {
        let Some(requested) = extensions.get("persistedQuery") else {
            return Ok(Resolved { query, learn: None });
        };
        let hash = match async_graphql::from_value::<PersistedQuery>(requested.clone()) {
            Ok(p) if p.version == 1 && is_sha256_hex(&p.sha256_hash) => {
                p.sha256_hash.to_ascii_lowercase()
            }
            _ => {
                return Err(refused(
                    "extensions.persistedQuery must be {\"version\": 1, \"sha256Hash\": <64 hex digits>}",
                    "PERSISTED_QUERY_INVALID",
                ));
            }
        };
        if let Some(query) = query {
            if sha256_hex(&query) != hash {
                return Err(refused(
                    "the query's sha256 is not extensions.persistedQuery.sha256Hash",
                    "PERSISTED_QUERY_HASH_MISMATCH",
                ));
            }
            return Ok(Resolved {
                query: Some(query),
                learn: Some(hash),
            });
        }
        if let Some(document) = self.automatic.get(&hash).await {
            return Ok(Resolved {
                query: Some(document.to_string()),
                learn: None,
            });
        }
        match self.find(&hash).await {
            Ok(Some(document)) => Ok(Resolved {
                query: Some(document.to_string()),
                learn: None,
            }),
            Ok(None) => {
                let error = async_graphql::Error::from(ApiError::PersistedQueryNotFound)
                    .extend_with(|_, e| e.set("reason", "PERSISTED_QUERY_NOT_FOUND"));
                Err(Unresolved::Refused(request_error(error)))
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot read persisted operations");
                Err(Unresolved::Unavailable)
            }
        }
    }

    /// Forgets document `hash` on this instance (it was removed).
    pub async fn forget(&self, hash: &str) {
        self.found.invalidate(hash).await;
        self.automatic.invalidate(hash).await;
    }

    async fn find(&self, hash: &str) -> Result<Option<Arc<str>>, sea_orm::DbErr> {
        if let Some(document) = self.found.get(hash).await {
            return Ok(Some(document));
        }
        let Some(row) = persisted_operation::Entity::find()
            .filter(persisted_operation::Column::Sha256.eq(hash))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let document: Arc<str> = row.document.into();
        self.found.insert(row.sha256, document.clone()).await;
        Ok(Some(document))
    }
}

pub fn is_sha256_hex(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

fn refused(message: &str, reason: &'static str) -> Unresolved {
    let error = async_graphql::Error::from(ApiError::invalid("extensions.persistedQuery", message))
        .extend_with(|_, e| e.set("reason", reason));
    Unresolved::Refused(request_error(error))
}

/// A token restricted to an allow-list may run only the documents in it; everyone else runs any.
pub fn check_allowed(viewer: &Viewer, document: &str) -> Result<(), ServerError> {
    let Some(allowed) = viewer.token().and_then(|t| t.operations.as_deref()) else {
        return Ok(());
    };
    let hash = sha256_hex(document);
    if allowed.binary_search(&hash).is_ok() {
        return Ok(());
    }
    let message = format!(
        "forbidden: this token may run only its registered operations, and the document with \
         sha256 {hash} is not among them"
    );
    let error = async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "FORBIDDEN"));
    Err(request_error(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_lower_case_hex_of_the_exact_text() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(sha256_hex("{ a }"), sha256_hex("{a}"));
    }

    #[test]
    fn only_64_hex_digits_are_a_hash() {
        assert!(is_sha256_hex(&sha256_hex("x")));
        assert!(is_sha256_hex(&sha256_hex("x").to_ascii_uppercase()));
        assert!(!is_sha256_hex("abc"));
        assert!(!is_sha256_hex(&"g".repeat(64)));
    }
}
