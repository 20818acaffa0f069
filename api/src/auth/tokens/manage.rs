//! Managing tokens: issuing one (its record, organizations and audit entry, and the JWT returned
//! once), revoking and rotating. Apart from authentication because these run when an administrator
//! asks (over GraphQL or on the command line), in audited transactions, while authentication runs
//! on every request, from the cache.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::json;

use super::Tokens;
use crate::audit::{self, Action, Actor, Target};
use crate::auth::Role;
use crate::auth::jwt::{self, Claims};
use crate::error::{ApiError, ApiResult};
use crate::ids::NodeKind;
use entity::{access_token, access_token_organization, organization};

/// What `issue` needs.
pub struct IssueRequest {
    pub organizations: Vec<i64>,
    pub role: Role,
    pub label: String,
    pub expires_in: Duration,
    /// The sha256 of the persisted operations it is restricted to (empty: it runs any document).
    pub operations: Vec<String>,
}

impl Tokens {
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
            issued_by_id: Set(actor.token_id()),
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
        let operations = super::allow_list::replace(&txn, record.id, &request.operations).await?;
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
                "operations": operations,
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
        super::changes::announce(&txn, &token.jti).await?;
        txn.commit().await?;
        self.forget(&token.jti).await;
        Ok(token)
    }

    /// Issues a successor with the same organizations, role, label, allow-list and lifetime (capped
    /// by the maximum), and revokes the old token `grace` from now.
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
                    // A rotated restricted token stays restricted.
                    operations: super::allow_list::hashes(&self.db, id).await?,
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

/// 128 random bits, base64url.
fn new_jti() -> ApiResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("no randomness for a jti: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}
