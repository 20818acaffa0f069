//! The audit log for admins: who did what, when, newest first.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::db;
use super::filter::exact_text;
use super::ids::{NodeKind, decode_any, decode_int};
use super::pagination::{Conn, PageArgs, SortKey, SortOrder, paginate};
use crate::auth::{Permission, Requires};
use crate::error::{ApiError, ApiResult};
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
        let kind = NodeKind::from_name(&self.0.target_kind)?;
        self.0.target_id.map(|id| kind.id(id))
    }
    /// Organizations the acting token acted for.
    async fn actor_organizations(&self) -> Vec<ID> {
        self.0
            .actor_organizations
            .as_deref()
            .and_then(|s| serde_json::from_str::<Vec<i64>>(s).ok())
            .unwrap_or_default()
            .into_iter()
            .map(|id| NodeKind::Organization.id(id))
            .collect()
    }
    /// Field changes of a write: each field with its value before and after (null before a
    /// create, after a delete).
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn changes(&self) -> Vec<FieldChange> {
        let detail: serde_json::Value = serde_json::from_str(&self.0.detail).unwrap_or_default();
        detail["changes"]
            .as_array()
            .map(|changes| {
                changes
                    .iter()
                    .map(|c| FieldChange {
                        field: c["field"].as_str().unwrap_or_default().to_owned(),
                        before: async_graphql::Json(c["before"].clone()),
                        after: async_graphql::Json(c["after"].clone()),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    /// Details of the change, as JSON.
    async fn detail(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(serde_json::from_str(&self.0.detail).unwrap_or_default())
    }
}

/// One field a write changed.
#[derive(async_graphql::SimpleObject)]
pub struct FieldChange {
    /// The field, named as in the API.
    field: String,
    /// Its value before (null for a create).
    before: async_graphql::Json<serde_json::Value>,
    /// Its value after (null for a delete).
    after: async_graphql::Json<serde_json::Value>,
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
    /// Entries before this instant.
    until: Option<DateTime<Utc>>,
    /// Entries about this record (any global ID: a plan, an activity, a token …).
    target: Option<ID>,
    /// Entries about records of this kind ("Activity", "Mou", …).
    target_kind: Option<String>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, newest first (admins only).
    #[graphql(
        guard = "Requires(Permission::Administer)",
        complexity = "crate::graphql::cost::page(first, last, child_complexity)"
    )]
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
            cond = cond.add(
                audit_event::Column::Action
                    .eq(exact_text(action, "filter.action")?.to_ascii_uppercase()),
            );
        }
        if let Some(since) = filter.since {
            cond = cond.add(audit_event::Column::At.gte(since));
        }
        if let Some(until) = filter.until {
            cond = cond.add(audit_event::Column::At.lt(until));
        }
        if let Some(target) = &filter.target {
            let (kind, key) = decode_any(target)?;
            let id: i64 = key
                .parse()
                .map_err(|_| ApiError::invalid("filter.target", "not a record ID"))?;
            cond = cond
                .add(audit_event::Column::TargetKind.eq(kind.name()))
                .add(audit_event::Column::TargetId.eq(id));
        }
        if let Some(kind) = &filter.target_kind {
            cond = cond
                .add(audit_event::Column::TargetKind.eq(exact_text(kind, "filter.targetKind")?));
        }
        let select = audit_event::Entity::find().filter(cond);
        paginate(db(ctx)?, select, NewestFirst, &args, AuditEvent).await
    }
}
