//! Access tokens for admins (issue, list, revoke, rotate) and `me` for every caller. The JWT is
//! returned once, by the mutation that issues it; listings show records only.

use std::time::Duration;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::enums::Role;
use super::filter::ids_where;
use super::ids::{NodeKind, decode_int};
use super::loader::{Loaders, has_many};
use super::organization::{self, Organization};
use super::pagination::{ById, Conn, PageArgs, paginate};
use super::persisted::PersistedOperation;
use super::{actor, db};
use crate::auth::tokens::{IssueRequest, Tokens};
use crate::auth::{Bearer, Permission, Requires, Viewer, Writes};
use crate::error::{ApiError, ApiResult};
use entity::{access_token, access_token_organization};

/// The record of an issued access token (never the token itself).
#[derive(Clone)]
pub struct AccessToken(pub access_token::Model);

/// The record of an issued access token (never the token itself).
#[Object]
impl AccessToken {
    /// Opaque ID.
    async fn id(&self) -> ID {
        NodeKind::AccessToken.id(self.0.id)
    }
    /// What the token is for ("Bologna university integration").
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// What the token may do.
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// Organizations the token acts for.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn organizations(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organization>> {
        let links = ctx
            .data::<Loaders>()?
            .load_one(OrganizationsOfToken(self.0.id))
            .await?
            .unwrap_or_default();
        let found = organization::load_many(ctx, links.iter().map(|l| l.organization_id)).await?;
        Ok(found.into_iter().flatten().collect())
    }
    /// Who issued it ("token 3", "command line").
    async fn issued_by(&self) -> &str {
        &self.0.issued_by_name
    }
    /// When it was issued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it stops being accepted.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// When it was last presented (recorded at most once a minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// When it was (or, after a rotation, will be) revoked.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// Whether it is accepted now.
    async fn active(&self) -> bool {
        let now = Utc::now();
        self.0.expires_at > now && self.0.revoked_at.is_none_or(|r| r > now)
    }
    /// The token that replaced it in a rotation.
    async fn replaced_by(&self) -> Option<ID> {
        self.0.replaced_by_id.map(|id| NodeKind::AccessToken.id(id))
    }
    /// The persisted operations the token is restricted to (`setTokenOperations`); empty when it
    /// may run any document.
    async fn allowed_operations(&self, ctx: &Context<'_>) -> ApiResult<Vec<PersistedOperation>> {
        super::persisted::allowed_operations(ctx, self.0.id).await
    }
}

has_many!(
    /// Key: the organizations a token acts for.
    OrganizationsOfToken => access_token_organization, TokenId, OrganizationId
);

/// Which token records to list.
#[derive(InputObject, Default)]
pub struct TokenFilter {
    /// Tokens acting for this organization.
    pub organization: Option<ID>,
    /// Tokens of this role.
    pub role: Option<Role>,
    /// Only tokens accepted now (`true`) or only revoked or expired ones (`false`).
    pub active: Option<bool>,
    /// Tokens in this state now.
    pub status: Option<TokenStatus>,
}

/// Where a token stands now.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    /// Accepted now (a rotated token in its grace period too).
    Active,
    /// Accepted now, and no longer within 7 days: it expires, or its grace period ends.
    Expiring,
    /// Past its expiry, never revoked.
    Expired,
    /// Revoked (its grace period, if any, is over).
    Revoked,
}

/// How soon an EXPIRING token stops being accepted.
const EXPIRING_WITHIN: chrono::Duration = chrono::Duration::days(7);

/// The tokens in `status` at `now`, as a condition on `access_token`.
fn status_condition(status: TokenStatus, now: DateTime<Utc>) -> Condition {
    use access_token::Column as T;
    let accepted = || {
        Condition::all().add(T::ExpiresAt.gt(now)).add(
            Condition::any()
                .add(T::RevokedAt.is_null())
                .add(T::RevokedAt.gt(now)),
        )
    };
    let revoked = || {
        Condition::all()
            .add(T::RevokedAt.is_not_null())
            .add(T::RevokedAt.lte(now))
    };
    match status {
        TokenStatus::Active => accepted(),
        TokenStatus::Expiring => {
            let soon = now + EXPIRING_WITHIN;
            accepted().add(
                Condition::any()
                    .add(T::ExpiresAt.lte(soon))
                    .add(T::RevokedAt.lte(soon)),
            )
        }
        TokenStatus::Expired => Condition::all()
            .add(T::ExpiresAt.lte(now))
            .add(revoked().not()),
        TokenStatus::Revoked => revoked(),
    }
}

/// The caller as the API sees it.
#[derive(SimpleObject)]
pub struct Me {
    /// The token's record ID; null for a token of a trusted identity provider, which has none.
    token_id: Option<ID>,
    /// The trusted identity provider (`iss`) that issued the token; null for a token of ucap.
    issuer: Option<String>,
    /// Who the trusted identity provider says the bearer is (`sub`); null for a token of ucap.
    subject: Option<String>,
    /// What the token may do.
    role: Role,
    /// Organizations the token acts for.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    organizations: Vec<Organization>,
    /// When the token expires.
    expires_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct TokenQuery;

#[Object]
impl TokenQuery {
    /// The caller's token; null for anonymous callers.
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<Option<Me>> {
        let Some(token) = ctx.data::<Viewer>()?.token() else {
            return Ok(None);
        };
        let organizations = organization::load_many(ctx, token.organizations.iter().copied())
            .await?
            .into_iter()
            .flatten()
            .collect();
        Ok(Some(Me {
            token_id: token
                .bearer
                .token_id()
                .map(|id| NodeKind::AccessToken.id(id)),
            issuer: match &token.bearer {
                Bearer::Federated { issuer, .. } => Some(issuer.to_string()),
                Bearer::Issued(_) => None,
            },
            subject: match &token.bearer {
                Bearer::Federated { subject, .. } => Some(subject.to_string()),
                Bearer::Issued(_) => None,
            },
            role: token.role.into(),
            organizations,
            expires_at: token.expires_at,
        }))
    }

    /// Issued token records, oldest first (admins only).
    #[graphql(
        guard = "Requires(Permission::Administer)",
        complexity = "crate::graphql::cost::page(first, last, child_complexity)"
    )]
    async fn tokens(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<TokenFilter>,
    ) -> ApiResult<Conn<AccessToken>> {
        let args = PageArgs::new(first, after, last, before);
        let filter = filter.unwrap_or_default();
        let mut cond = Condition::all();
        if let Some(org) = &filter.organization {
            let org = decode_int(org, NodeKind::Organization, "filter.organization")?;
            cond = cond.add(access_token::Column::Id.in_subquery(ids_where::<
                access_token_organization::Entity,
            >(
                access_token_organization::Column::TokenId,
                Condition::all().add(access_token_organization::Column::OrganizationId.eq(org)),
            )));
        }
        if let Some(role) = filter.role {
            cond = cond.add(access_token::Column::Role.eq(entity::enums::Role::from(role)));
        }
        if let Some(active) = filter.active {
            let now = Utc::now();
            let accepted = Condition::all()
                .add(access_token::Column::ExpiresAt.gt(now))
                .add(
                    Condition::any()
                        .add(access_token::Column::RevokedAt.is_null())
                        .add(access_token::Column::RevokedAt.gt(now)),
                );
            cond = cond.add(if active { accepted } else { accepted.not() });
        }
        if let Some(status) = filter.status {
            cond = cond.add(status_condition(status, Utc::now()));
        }
        let select = access_token::Entity::find().filter(cond);
        paginate(db(ctx)?, select, ById, &args, AccessToken).await
    }
}

/// A new token for an organization.
#[derive(InputObject)]
pub struct IssueTokenInput {
    /// The organization the token acts for (optional for ADMIN tokens).
    organization: Option<ID>,
    /// Further organizations, for a token acting for several.
    #[graphql(default)]
    also_organizations: Vec<ID>,
    /// What the token may do.
    role: Role,
    /// What the token is for; shown in listings.
    label: String,
    /// Lifetime in seconds, at most the configured maximum (90 days by default).
    expires_in: i64,
    /// The sha256 of the persisted operations it may run, and nothing else (default: any
    /// document); see `setTokenOperations`.
    #[graphql(default)]
    operations: Vec<String>,
}

/// A newly issued token: shown once, keep it secret.
#[derive(SimpleObject)]
pub struct IssueTokenPayload {
    /// The bearer token (a JWT). It is not stored and cannot be shown again.
    token: String,
    /// Its record.
    record: AccessToken,
    /// After `rotateToken`: the token this one replaces, as it stands now (`revokedAt` is the end
    /// of its grace period, as the server set it).
    replaces: Option<AccessToken>,
}

/// A revoked token's record.
#[derive(SimpleObject)]
pub struct RevokeTokenPayload {
    /// The record, now revoked.
    record: AccessToken,
}

#[derive(Default)]
pub struct TokenMutation;

fn seconds(value: i64, field: &str) -> ApiResult<Duration> {
    u64::try_from(value)
        .map(Duration::from_secs)
        .map_err(|_| ApiError::invalid(field, "must not be negative"))
}

#[Object]
impl TokenMutation {
    /// Issues a token (admins only). The token is in the payload once and never again.
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn issue_token(
        &self,
        ctx: &Context<'_>,
        input: IssueTokenInput,
    ) -> ApiResult<IssueTokenPayload> {
        let mut organizations = Vec::new();
        for id in input.organization.iter().chain(&input.also_organizations) {
            organizations.push(decode_int(id, NodeKind::Organization, "organization")?);
        }
        let (token, record) = ctx
            .data::<Tokens>()?
            .issue(
                &actor(ctx)?,
                IssueRequest {
                    organizations,
                    role: input.role.into(),
                    label: input.label,
                    expires_in: seconds(input.expires_in, "expiresIn")?,
                    operations: input.operations,
                },
            )
            .await?;
        Ok(IssueTokenPayload {
            token,
            record: AccessToken(record),
            replaces: None,
        })
    }

    /// Revokes a token now, on every instance within seconds and on this one before it returns
    /// (admins only).
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn revoke_token(&self, ctx: &Context<'_>, id: ID) -> ApiResult<RevokeTokenPayload> {
        let id = decode_int(&id, NodeKind::AccessToken, "id")?;
        let record = ctx.data::<Tokens>()?.revoke(&actor(ctx)?, id).await?;
        Ok(RevokeTokenPayload {
            record: AccessToken(record),
        })
    }

    /// Issues a successor of a token (same organizations, role, label, allow-list and lifetime) and
    /// revokes the old one `grace` seconds from now, so that clients can switch without a gap
    /// (admins only).
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn rotate_token(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = 0)] grace: i64,
    ) -> ApiResult<IssueTokenPayload> {
        let id = decode_int(&id, NodeKind::AccessToken, "id")?;
        let (token, record) = ctx
            .data::<Tokens>()?
            .rotate(&actor(ctx)?, id, seconds(grace, "grace")?)
            .await?;
        let replaced = access_token::Entity::find_by_id(id).one(db(ctx)?).await?;
        Ok(IssueTokenPayload {
            token,
            record: AccessToken(record),
            replaces: replaced.map(AccessToken),
        })
    }
}
