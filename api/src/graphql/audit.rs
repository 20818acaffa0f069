//! The audit log for admins: who did what, when, newest first.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::db;
use super::ids::{NodeKind, decode_int};
use super::pagination::{Conn, PageArgs, SortKey, SortOrder, paginate};
use crate::auth::{Permission, Requires};
use crate::error::ApiResult;
use entity::audit_event;

/// One entry of the audit log.
#[derive(Clone)]
pub struct AuditEvent(pub audit_event::Model);

/// One entry of the audit log.
#[Object]
impl AuditEvent {
    /// Opaque ID.
    async fn id(&self) -> ID {
        NodeKind::AuditEvent.id(self.0.id)
    }
    /// When it happened.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Who did it ("token 3", "command line").
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// The acting token's ID, when a token acted.
    async fn actor_token(&self) -> Option<ID> {
        self.0.actor_token_id.map(|id| NodeKind::AccessToken.id(id))
    }
    /// What was done (TOKEN_ISSUED, TOKEN_REVOKED, ORGANIZATION_CREATED, …).
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// Kind of the record acted on (AccessToken, Organization, Plan, …).
    async fn target_kind(&self) -> &str {
        &self.0.target_kind
    }
    /// Global ID of the record acted on.
    async fn target(&self) -> Option<ID> {
        let kind = match self.0.target_kind.as_str() {
            "AccessToken" => NodeKind::AccessToken,
            "Organization" => NodeKind::Organization,
            "Plan" => NodeKind::Plan,
            "Activity" => NodeKind::Activity,
            "Mou" => NodeKind::Mou,
            _ => return None,
        };
        self.0.target_id.map(|id| kind.id(id))
    }
    /// Details of the change, as JSON.
    async fn detail(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(serde_json::from_str(&self.0.detail).unwrap_or_default())
    }
}

/// Newest entries first.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct NewestFirst;

impl SortOrder<audit_event::Entity> for NewestFirst {
    fn name(self) -> &'static str {
        "newest"
    }
    fn keys(self) -> Vec<SortKey<audit_event::Column>> {
        vec![SortKey::col(audit_event::Column::Id)]
    }
    fn descending(self) -> bool {
        true
    }
}

/// Which audit entries to list.
#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// Entries made by this token.
    actor_token: Option<ID>,
    /// Entries of this action (TOKEN_ISSUED …).
    action: Option<String>,
    /// Entries at or after this instant.
    since: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, newest first (admins only).
    #[graphql(guard = "Requires(Permission::Administer)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AuditFilter>,
    ) -> ApiResult<Conn<AuditEvent>> {
        let args = PageArgs::new(first, after, last, before);
        let filter = filter.unwrap_or_default();
        let mut cond = Condition::all();
        if let Some(token) = &filter.actor_token {
            let id = decode_int(token, NodeKind::AccessToken, "filter.actorToken")?;
            cond = cond.add(audit_event::Column::ActorTokenId.eq(id));
        }
        if let Some(action) = &filter.action {
            cond = cond.add(audit_event::Column::Action.eq(action.trim().to_ascii_uppercase()));
        }
        if let Some(since) = filter.since {
            cond = cond.add(audit_event::Column::At.gte(since));
        }
        let select = audit_event::Entity::find().filter(cond);
        paginate(db(ctx)?, select, NewestFirst, &args, AuditEvent).await
    }
}
