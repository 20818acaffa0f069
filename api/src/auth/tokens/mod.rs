//! Access tokens as records: issuing (the JWT is returned once and never stored), authenticating a
//! presented token against its record, revoking and rotating. A token is recognised by its signed
//! `jti`; its record says whether it still counts. Records read here are trusted for
//! `token_cache_ttl` at most, so a revocation made through another instance is refused here that
//! much later at most; one made through this instance is refused before `revoke` returns.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use moka::future::Cache;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde_json::json;

use super::jwt::{self, Claims, MAX_TOKEN_BYTES};
use super::keys::Keys;
use super::{Role, TokenViewer, Viewer};
use crate::audit::{self, Action, Actor, Target};
use crate::error::{ApiError, ApiResult};
use crate::ids::NodeKind;
use crate::settings::Settings;
use entity::{
    access_token, access_token_organization, access_token_persisted_operation, organization,
    persisted_operation,
};

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
        }
    }
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
    max_lifetime: Duration,
    records: Cache<String, Option<Arc<Record>>>,
    /// Tokens whose `last_used_at` was written in the last minute (one write a minute at most).
    touched: Cache<i64, ()>,
}

/// What `issue` needs.
pub struct IssueRequest {
    pub organizations: Vec<i64>,
    pub role: Role,
    pub label: String,
    pub expires_in: Duration,
}

impl Tokens {
    pub fn new(db: DatabaseConnection, keys: Keys, settings: &Settings) -> Self {
        Self {
            db,
            keys: Arc::new(keys),
            max_lifetime: settings.token_max_lifetime,
            records: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(settings.token_cache_ttl)
                .build(),
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
    /// must be a valid bearer token.
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
            token_id: record.id,
            role: record.role,
            organizations: record.organizations.clone(),
            expires_at: record.expires_at,
            operations: record.operations.clone(),
        })))
    }

    async fn record(&self, jti: &str) -> Result<Option<Arc<Record>>, Refusal> {
        let db = self.db.clone();
        let key = jti.to_owned();
        self.records
            .try_get_with(key.clone(), async move {
                let Some(token) = access_token::Entity::find()
                    .filter(access_token::Column::Jti.eq(key))
                    .one(&db)
                    .await?
                else {
                    return Ok(None);
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
                Ok::<_, sea_orm::DbErr>(Some(Arc::new(Record {
                    id: token.id,
                    role: token.role,
                    organizations,
                    expires_at: token.expires_at,
                    revoked_at: token.revoked_at,
                    operations,
                })))
            })
            .await
            .map_err(|e| Refusal::Unavailable(e.to_string()))
    }

    /// Drops the cached record of a token changed through this instance, so that the change
    /// holds here from the next request on.
    pub async fn forget(&self, jti: &str) {
        self.records.invalidate(jti).await;
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

    /// Issues a token: writes its record (and the audit entry) and returns the JWT, which is not
    /// kept anywhere.
    pub async fn issue(
        &self,
        actor: &Actor,
        request: IssueRequest,
    ) -> ApiResult<(String, access_token::Model)> {
        let label = request.label.trim().to_owned();
        if label.is_empty() || label.chars().count() > 200 {
            return Err(ApiError::invalid("label", "must be 1 to 200 characters"));
        }
        if request.expires_in.is_zero() || request.expires_in > self.max_lifetime {
            return Err(ApiError::invalid(
                "expiresIn",
                format!(
                    "must be between 1 and {} seconds",
                    self.max_lifetime.as_secs()
                ),
            ));
        }
        let mut organizations = request.organizations.clone();
        organizations.sort_unstable();
        organizations.dedup();
        if organizations.is_empty() && request.role != Role::Admin {
            return Err(ApiError::invalid(
                "organization",
                "an EDITOR or VIEWER token acts for at least one organization",
            ));
        }
        let known = organization::Entity::find()
            .filter(organization::Column::Id.is_in(organizations.clone()))
            .all(&self.db)
            .await?
            .len();
        if known != organizations.len() {
            return Err(ApiError::invalid("organization", "no such organization"));
        }
        let now = Utc::now();
        let expires_at = now
            + chrono::Duration::from_std(request.expires_in)
                .map_err(|_| ApiError::invalid("expiresIn", "too large"))?;
        let jti = new_jti()?;
        let txn = self.db.begin().await?;
        let record = access_token::ActiveModel {
            jti: Set(jti.clone()),
            label: Set(label),
            role: Set(request.role),
            issued_by_id: Set(match actor {
                Actor::Token { id, .. } => Some(*id),
                Actor::CommandLine | Actor::Importer => None,
            }),
            issued_by_name: Set(actor.name()),
            created_at: Set(now),
            expires_at: Set(expires_at),
            last_used_at: Set(None),
            revoked_at: Set(None),
            replaced_by_id: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for org in &organizations {
            access_token_organization::ActiveModel {
                token_id: Set(record.id),
                organization_id: Set(*org),
            }
            .insert(&txn)
            .await?;
        }
        audit::record(
            &txn,
            actor,
            Action::TokenIssued,
            Target("AccessToken", Some(record.id)),
            json!({
                "label": record.label,
                "role": record.role,
                "organizations": NodeKind::Organization.audit_all(&organizations),
                "expiresAt": record.expires_at,
            }),
        )
        .await?;
        let claims = Claims {
            iss: self.keys.issuer().to_owned(),
            aud: self.keys.audience().to_owned(),
            sub: record.id.to_string(),
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            nbf: None,
            jti,
            role: request.role,
            org: organizations,
        };
        let token = jwt::encode(&self.keys, &claims)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("cannot sign a token: {e}")))?;
        txn.commit().await?;
        Ok((token, record))
    }

    /// Revokes a token now (or leaves an earlier revocation as it is).
    pub async fn revoke(&self, actor: &Actor, id: i64) -> ApiResult<access_token::Model> {
        self.revoke_at(actor, id, Utc::now(), Action::TokenRevoked, json!({}))
            .await
    }

    async fn revoke_at(
        &self,
        actor: &Actor,
        id: i64,
        at: DateTime<Utc>,
        action: Action,
        detail: serde_json::Value,
    ) -> ApiResult<access_token::Model> {
        // Read before the transaction: on SQLite a transaction that reads and then writes can be
        // refused outright (a lock upgrade is not retried); one that starts by writing waits.
        let token = access_token::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(ApiError::NotFound)?;
        let txn = self.db.begin().await?;
        let token = if token.revoked_at.is_some_and(|r| r <= at) {
            token
        } else {
            let mut active: access_token::ActiveModel = token.into();
            active.revoked_at = Set(Some(at));
            active.update(&txn).await?
        };
        audit::record(&txn, actor, action, Target("AccessToken", Some(id)), detail).await?;
        txn.commit().await?;
        self.records.invalidate(&token.jti).await;
        Ok(token)
    }

    /// Issues a successor with the same organizations, role, label and lifetime (capped by the
    /// maximum), and revokes the old token `grace` from now.
    pub async fn rotate(
        &self,
        actor: &Actor,
        id: i64,
        grace: Duration,
    ) -> ApiResult<(String, access_token::Model)> {
        let old = access_token::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(ApiError::NotFound)?;
        let now = Utc::now();
        if old.revoked_at.is_some_and(|r| r <= now) {
            return Err(ApiError::Conflict(
                "the token is already revoked".to_owned(),
            ));
        }
        if grace > self.max_lifetime {
            return Err(ApiError::invalid("grace", "longer than a token may live"));
        }
        let organizations: Vec<i64> = access_token_organization::Entity::find()
            .filter(access_token_organization::Column::TokenId.eq(id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| o.organization_id)
            .collect();
        let lifetime = (old.expires_at - old.created_at)
            .to_std()
            .unwrap_or(self.max_lifetime)
            .clamp(Duration::from_secs(1), self.max_lifetime);
        let (token, successor) = self
            .issue(
                actor,
                IssueRequest {
                    organizations,
                    role: old.role,
                    label: old.label.clone(),
                    expires_in: lifetime,
                },
            )
            .await?;
        let at = now
            + chrono::Duration::from_std(grace)
                .map_err(|_| ApiError::invalid("grace", "too large"))?;
        self.revoke_at(
            actor,
            id,
            at.min(old.expires_at),
            Action::TokenRotated,
            json!({ "successor": NodeKind::AccessToken.audit(successor.id), "revokedAt": at }),
        )
        .await?;
        access_token::Entity::update_many()
            .col_expr(
                access_token::Column::ReplacedById,
                sea_orm::sea_query::Expr::value(successor.id),
            )
            .filter(access_token::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok((token, successor))
    }
}

/// The sorted hashes of the persisted operations a token is restricted to; `None` when it has no
/// allow-list.
async fn allowed_operations(
    db: &DatabaseConnection,
    token_id: i64,
) -> Result<Option<Arc<[String]>>, sea_orm::DbErr> {
    let mut hashes: Vec<String> = persisted_operation::Entity::find()
        .inner_join(access_token_persisted_operation::Entity)
        .filter(access_token_persisted_operation::Column::TokenId.eq(token_id))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.sha256)
        .collect();
    hashes.sort_unstable();
    Ok((!hashes.is_empty()).then(|| hashes.into()))
}

/// 128 random bits, base64url.
fn new_jti() -> ApiResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("no randomness for a jti: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}
