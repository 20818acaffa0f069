//! Access tokens as records: issuing (the JWT is returned once and never stored), authenticating a
//! presented token against its record, revoking and rotating. A token is recognised by its signed
//! `jti`; its record says whether it still counts. Records read here are cached for
//! `token_cache_ttl` at most; a change made through this instance holds here before the mutation
//! returns, one made through another reaches this one at its commit (see [`changes`]).
//!
//! This file holds the type and authentication; `manage` issues, revokes and rotates.

pub mod allow_list;
pub mod changes;
mod manage;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use moka::future::Cache;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::jwt::{self, MAX_TOKEN_BYTES};
use super::keys::Keys;
use super::oidc::Federation;
use super::{Bearer, Role, TokenViewer, Viewer};
use crate::settings::Settings;
use entity::{access_token, access_token_organization};

pub use manage::IssueRequest;

/// Why a presented token is refused. Every variant is answered with the same 401; the reason is
/// logged, never sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the Authorization header is not `Bearer <token>`")]
    NotBearer,
    #[error("the token is over {MAX_TOKEN_BYTES} bytes")]
    TooLarge,
    #[error("the token does not verify: {0}")]
    Invalid(#[from] jwt::TokenError),
    #[error("no token record has this jti")]
    Unknown,
    #[error("the token was revoked")]
    Revoked,
    #[error("the token's record has expired")]
    Expired,
    #[error("the token's claims differ from its record")]
    Mismatch,
    #[error("the token record cannot be read: {0}")]
    Unavailable(String),
    /// A trusted issuer's keys cannot be fetched (or could not be at the last try, less than a
    /// minute ago): its tokens are refused until they can.
    #[error("the issuer's keys cannot be fetched: {0}")]
    IssuerKeys(String),
    /// A trusted issuer's valid token whose claims name no ucap role or organization, or one ucap
    /// does not know. Answered 403 with this message: the bearer is known, its grant is not.
    #[error("{0}")]
    Unmapped(String),
    /// A token that says it is a trusted issuer's, refused for `reason`.
    #[error("token of trusted issuer {issuer} refused: {reason}")]
    FromIssuer {
        issuer: String,
        reason: Box<Refusal>,
    },
}

impl Refusal {
    /// A few classes of refusal, for metrics: operators watch for forged or stale tokens, not
    /// for every way a token can be wrong.
    pub fn class(&self) -> &'static str {
        use jwt::TokenError as E;
        match self {
            Self::NotBearer
            | Self::TooLarge
            | Self::Invalid(E::TooLarge | E::Malformed | E::Type | E::Claims) => "malformed",
            Self::Invalid(E::Algorithm | E::KeyId | E::Signature | E::Invalid(_) | E::Sign(_)) => {
                "signature"
            }
            Self::Invalid(E::Issuer | E::Audience | E::NotYetValid | E::IssuedInFuture)
            | Self::Mismatch => "claims",
            Self::Invalid(E::Expired) | Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::Unknown => "unknown",
            Self::Unavailable(_) => "unavailable",
            Self::IssuerKeys(_) => "issuer_keys",
            Self::Unmapped(_) => "unmapped",
            Self::FromIssuer { reason, .. } => reason.class(),
        }
    }

    /// What a refused token's bearer is told when its token is valid but maps to nothing ucap
    /// knows (a 403); `None` for the refusals answered alike (401).
    pub fn unmapped(&self) -> Option<&str> {
        match self {
            Self::Unmapped(message) => Some(message),
            Self::FromIssuer { reason, .. } => reason.unmapped(),
            _ => None,
        }
    }

    /// Whether the refusal only means "not now" (the database cannot be read).
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Unavailable(_) => true,
            Self::FromIssuer { reason, .. } => reason.is_unavailable(),
            _ => false,
        }
    }
}

/// A token record as read, or `None` when no record has the `jti`, with when it was read (on
/// the clock of [`changes::Changes`]).
#[derive(Clone, Debug)]
struct Read {
    at: u64,
    record: Option<Arc<Record>>,
}

/// What a token record says, as cached.
#[derive(Clone, Debug)]
struct Record {
    id: i64,
    role: Role,
    organizations: Vec<i64>,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    operations: Option<Arc<[String]>>,
}

/// Issues and checks tokens. Cheap to clone.
#[derive(Clone)]
pub struct Tokens {
    db: DatabaseConnection,
    keys: Arc<Keys>,
    federation: Arc<Federation>,
    max_lifetime: Duration,
    records: Cache<String, Read>,
    changes: Arc<changes::Changes>,
    /// Tokens whose `last_used_at` was written in the last minute (one write a minute at most).
    touched: Cache<i64, ()>,
}

impl Tokens {
    pub fn new(db: DatabaseConnection, keys: Keys, settings: &Settings) -> Self {
        Self {
            db,
            keys: Arc::new(keys),
            federation: Arc::new(Federation::new(
                &settings.trusted_issuers,
                settings.trusted_issuers_refresh_interval,
            )),
            max_lifetime: settings.token_max_lifetime,
            records: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(settings.token_cache_ttl)
                .build(),
            changes: Arc::new(changes::Changes::new(settings.token_cache_ttl)),
            touched: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
        }
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    pub fn max_lifetime(&self) -> Duration {
        self.max_lifetime
    }

    /// The caller of a request from its `Authorization` header: none is anonymous, anything else
    /// must be a valid bearer token, ucap's own or a trusted issuer's.
    pub async fn authenticate(&self, header: Option<&[u8]>) -> Result<Viewer, Refusal> {
        let Some(header) = header else {
            return Ok(Viewer::Anonymous);
        };
        if header.len() > MAX_TOKEN_BYTES + 16 {
            return Err(Refusal::TooLarge);
        }
        let header = std::str::from_utf8(header).map_err(|_| Refusal::NotBearer)?;
        let (scheme, token) = header.trim().split_once(' ').ok_or(Refusal::NotBearer)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(Refusal::NotBearer);
        }
        let token = token.trim();
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Refusal::TooLarge);
        }
        if let Some(federated) = self.federation.authenticate(token, &self.db).await {
            return federated.map(|viewer| Viewer::Token(Arc::new(viewer)));
        }
        let claims = jwt::decode(&self.keys, token)?;
        let record = self.record(&claims.jti).await?.ok_or(Refusal::Unknown)?;
        let now = Utc::now();
        if record.revoked_at.is_some_and(|at| at <= now) {
            return Err(Refusal::Revoked);
        }
        // The record's expiry is exact, as `tokens(filter: {active})` and `active` read it: the
        // JWT leeway is for the skew between an issuer's clock and ours, and the record is our own.
        if record.expires_at <= now {
            return Err(Refusal::Expired);
        }
        let mut orgs = claims.org.clone();
        orgs.sort_unstable();
        if claims.role != record.role
            || orgs != record.organizations
            || claims.sub != record.id.to_string()
        {
            return Err(Refusal::Mismatch);
        }
        self.touch(record.id).await;
        Ok(Viewer::Token(Arc::new(TokenViewer {
            bearer: Bearer::Issued(record.id),
            role: record.role,
            organizations: record.organizations.clone(),
            expires_at: record.expires_at,
            operations: record.operations.clone(),
        })))
    }

    /// The record of `jti`, cached. One read while its change was being heard (it began before,
    /// and was cached after the change forgot the record) is read again.
    async fn record(&self, jti: &str) -> Result<Option<Arc<Record>>, Refusal> {
        let cached = self
            .records
            .try_get_with(
                jti.to_owned(),
                read(self.db.clone(), jti.to_owned(), self.changes.now()),
            )
            .await
            .map_err(|e| Refusal::Unavailable(e.to_string()))?;
        if !self.changes.is_stale(jti, cached.at).await {
            return Ok(cached.record);
        }
        let fresh = read(self.db.clone(), jti.to_owned(), self.changes.now())
            .await
            .map_err(|e| Refusal::Unavailable(e.to_string()))?;
        self.records.insert(jti.to_owned(), fresh.clone()).await;
        Ok(fresh.record)
    }

    /// Drops the cached record of a token whose record changed, so that the change holds here
    /// from the next request on: called after the commit by the instance that made it, and at
    /// its notification by every instance (see [`changes`]).
    pub async fn forget(&self, jti: &str) {
        self.changes.changed(jti).await;
        self.records.invalidate(jti).await;
    }

    /// Drops every cached record: changes may have gone unheard.
    fn forget_all(&self) {
        self.changes.all_changed();
        self.records.invalidate_all();
    }

    /// Forgets the records of tokens changed through any instance at their commit, for as long
    /// as the process runs (PostgreSQL; on SQLite the one process forgets them itself). Returns
    /// once listening, so that a server hears every change from its first request on; when
    /// listening takes over 5 s it returns anyway, the cache lifetime bounding changes meanwhile.
    pub async fn follow_changes(&self, database_url: String) {
        if self.db.get_database_backend() != sea_orm::DbBackend::Postgres {
            return;
        }
        let mut heard = crate::db::listen(database_url, changes::CHANNEL);
        if tokio::time::timeout(Duration::from_secs(5), heard.recv())
            .await
            .is_err()
        {
            tracing::warn!(
                "not listening for token changes yet: they hold here within the cache lifetime"
            );
        }
        let tokens = self.clone();
        tokio::spawn(async move {
            while let Some(heard) = heard.recv().await {
                match heard {
                    crate::db::Heard::Listening => tokens.forget_all(),
                    crate::db::Heard::Notification(jti) => tokens.forget(&jti).await,
                }
            }
        });
    }

    /// Records the token's use, at most once a minute; a failure to record never fails a request.
    async fn touch(&self, id: i64) {
        if self.touched.contains_key(&id) {
            return;
        }
        self.touched.insert(id, ()).await;
        let db = self.db.clone();
        tokio::spawn(async move {
            let update = access_token::Entity::update_many()
                .col_expr(
                    access_token::Column::LastUsedAt,
                    sea_orm::sea_query::Expr::value(Utc::now()),
                )
                .filter(access_token::Column::Id.eq(id))
                .exec(&db)
                .await;
            if let Err(err) = update {
                tracing::warn!(error = %err, token = id, "cannot record a token's last use");
            }
        });
    }
}

/// Reads the record of `jti`, noting `at`, the time on the clock of changes before the read.
async fn read(db: DatabaseConnection, jti: String, at: u64) -> Result<Read, sea_orm::DbErr> {
    let Some(token) = access_token::Entity::find()
        .filter(access_token::Column::Jti.eq(jti))
        .one(&db)
        .await?
    else {
        return Ok(Read { at, record: None });
    };
    let mut organizations: Vec<i64> = access_token_organization::Entity::find()
        .filter(access_token_organization::Column::TokenId.eq(token.id))
        .all(&db)
        .await?
        .into_iter()
        .map(|o| o.organization_id)
        .collect();
    organizations.sort_unstable();
    let operations = allowed_operations(&db, token.id).await?;
    Ok(Read {
        at,
        record: Some(Arc::new(Record {
            id: token.id,
            role: token.role,
            organizations,
            expires_at: token.expires_at,
            revoked_at: token.revoked_at,
            operations,
        })),
    })
}

/// The sorted hashes of the persisted operations a token is restricted to; `None` when it has no
/// allow-list.
async fn allowed_operations(
    db: &DatabaseConnection,
    token_id: i64,
) -> Result<Option<Arc<[String]>>, sea_orm::DbErr> {
    let hashes = allow_list::hashes(db, token_id).await?;
    Ok((!hashes.is_empty()).then(|| hashes.into()))
}
