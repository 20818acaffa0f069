//! The change feed (`changes`) and live subscriptions, both read from `change_event`: partner
//! systems mirror the data incrementally, frontends react to writes as they commit.

use async_graphql::{Context, Enum, ID, Object, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio_stream::wrappers::BroadcastStream;

use super::activity::{Activity, ActivityFilter};
use super::ids::{NodeKind, decode_int};
use super::loader::Loaders;
use super::mou::{Mou, MouFilter};
use super::node::{Node, load_kind};
use super::pagination::{Conn, PageArgs, SortKey, SortOrder, paginate};
use super::plan::Plan;
use super::{db, scope};
use crate::auth::Scope;
use crate::auth::policy::{self, Guarded};
use crate::error::{ApiError, ApiResult};
use crate::live::{Live, Notice, Row, Table, Targets};
use entity::{activity, change_event, change_event_plan, mou, plan};

/// What happened to a record.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ChangeOperation {
    Created,
    Updated,
    /// The record was deleted: the entry is a tombstone.
    Deleted,
}

/// One created, updated or deleted record, in commit order, with whether the caller reads the
/// private data of the plans it concerns (else it sees only [`policy::public_fields`]).
pub struct Change {
    row: change_event::Model,
    reads_private: bool,
}

/// Feed order: by position, which follows commit order and, unlike the row id, counts no entries
/// the caller does not see (so neither do `sequence` nor the cursors, which carry it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FeedOrder;

impl SortOrder<change_event::Entity> for FeedOrder {
    fn name(self) -> &'static str {
        "position"
    }
    fn keys(self) -> Vec<SortKey<change_event::Column>> {
        vec![SortKey::col(change_event::Column::Position)]
    }
    fn descending(self) -> bool {
        false
    }
}

/// One created, updated or deleted record, in commit order.
#[Object]
impl Change {
    /// Position in the feed: increases with commit order; the commit instant in microseconds
    /// since 1970, raised where needed to stay strictly increasing. The distance between two
    /// entries is time, not a count of entries.
    async fn sequence(&self) -> i64 {
        self.row.position
    }
    /// When the change committed.
    async fn at(&self) -> DateTime<Utc> {
        self.row.at
    }
    /// What happened.
    async fn operation(&self) -> ChangeOperation {
        match self.row.operation.as_str() {
            "CREATED" => ChangeOperation::Created,
            "DELETED" => ChangeOperation::Deleted,
            _ => ChangeOperation::Updated,
        }
    }
    /// Type of the record ("Activity", "Mou", "Plan", …).
    async fn record_kind(&self) -> &str {
        &self.row.record_kind
    }
    /// Global ID of the record (also for a deleted one).
    async fn record_id(&self) -> Option<ID> {
        kind_of(&self.row.record_kind).map(|k| k.id(self.row.record_id))
    }
    /// Fields the change set (names as in the API); non-public fields (internal notes,
    /// contacts) only to those who read them.
    async fn fields(&self) -> Vec<String> {
        let fields: Vec<String> = serde_json::from_str(&self.row.fields).unwrap_or_default();
        match (self.reads_private, kind_of(&self.row.record_kind)) {
            (false, Some(kind)) => policy::public_fields(kind, &fields)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            _ => fields,
        }
    }
    /// True for a deletion, or when the record is no longer visible to the caller: a mirror
    /// drops it.
    async fn tombstone(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(self.current(ctx).await?.is_none())
    }
    /// The record as it is now; null for a tombstone.
    async fn node(&self, ctx: &Context<'_>) -> ApiResult<Option<Node>> {
        self.current(ctx).await
    }
}

impl Change {
    async fn current(&self, ctx: &Context<'_>) -> ApiResult<Option<Node>> {
        if self.row.operation == "DELETED" {
            return Ok(None);
        }
        let Some(kind) = kind_of(&self.row.record_kind) else {
            return Ok(None);
        };
        let key = self.row.record_id.to_string();
        let mut found = load_kind(ctx.data::<Loaders>()?, kind, std::slice::from_ref(&key)).await?;
        Ok(found.remove(&key))
    }
}

fn kind_of(name: &str) -> Option<NodeKind> {
    NodeKind::from_name(name)
}

#[derive(Default)]
pub struct ChangeQuery;

#[Object]
impl ChangeQuery {
    /// Created, updated and deleted records in commit order, oldest first: keep `endCursor` and
    /// ask again with `after` to mirror the data incrementally. Entries the caller may not see
    /// are absent; a record no longer visible comes as a tombstone.
    #[graphql(complexity = "crate::graphql::cost::page(first, last, child_complexity)")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Change>> {
        let args = PageArgs::new(first, after, last, before);
        let scope = scope(ctx)?;
        let select = change_event::Entity::find().filter(change_event::Entity::readable(scope));
        let all = *scope == Scope::All;
        let mut page = paginate(db(ctx)?, select, FeedOrder, &args, |row| Change {
            row,
            reads_private: all,
        })
        .await?;
        if let Scope::Member(_) = scope {
            let ids: Vec<i64> = page.edges.iter().map(|e| e.node.row.id).collect();
            let links = change_event_plan::Entity::find()
                .filter(change_event_plan::Column::ChangeEventId.is_in(ids))
                .all(db(ctx)?)
                .await?;
            for edge in &mut page.edges {
                let id = edge.node.row.id;
                edge.node.reads_private = scope.reads_private_of_any(
                    links
                        .iter()
                        .filter(|l| l.change_event_id == id)
                        .map(|l| l.plan_id),
                );
            }
        }
        Ok(page)
    }
}

/// Live updates over graphql-ws at `/graphql/ws` (token in the `connection_init` payload as
/// `{"Authorization": "Bearer …"}`); the same visibility rules as queries.
#[derive(Default)]
pub struct SubscriptionRoot;

/// The records of changes this subscriber may see, as they commit: each change's `targets` in
/// `table` that meet `condition`, read once for all subscribers (see [`crate::live::Interests`]).
fn watch<T, F>(
    ctx: &Context<'_>,
    table: Table,
    targets: Targets,
    condition: Condition,
    record: F,
) -> ApiResult<impl Stream<Item = Result<T, ApiError>> + use<T, F>>
where
    T: Send + 'static,
    F: Fn(&Row) -> Option<T> + Send + 'static,
{
    let live = ctx.data::<Live>()?;
    let scope = scope(ctx)?.clone();
    let interest = live.interests().register(table, targets, condition);
    Ok(BroadcastStream::new(live.subscribe()).filter_map(move |n| {
        let found = n.ok().and_then(|n| {
            if !scope.reads_change(n.change.public, n.plans.iter().copied()) {
                return None;
            }
            targets(&n)
                .into_iter()
                .find_map(|id| interest.row(&n, id).and_then(&record))
        });
        async move { found.map(Ok) }
    }))
}

/// The plans a change concerns: the plan itself, or the plans listing the changed record.
fn plans_concerned(n: &Notice) -> Vec<i64> {
    let mut plans = n.plans.clone();
    if n.change.record_kind == "Plan" && !plans.contains(&n.change.record_id) {
        plans.push(n.change.record_id);
    }
    plans
}

/// A created activity.
fn activity_created(n: &Notice) -> Vec<i64> {
    let created = n.change.record_kind == "Activity" && n.change.operation == "CREATED";
    if created {
        vec![n.change.record_id]
    } else {
        Vec::new()
    }
}

/// An MoU whose status changed.
fn mou_status_changed(n: &Notice) -> Vec<i64> {
    let status = n.change.record_kind == "Mou"
        && n.change.operation == "UPDATED"
        && n.fields().iter().any(|f| f == "status");
    if status {
        vec![n.change.record_id]
    } else {
        Vec::new()
    }
}

#[Subscription]
impl SubscriptionRoot {
    /// The plan, each time it or one of its records (themes, activities, MoUs, links, …) changes.
    async fn plan_changed(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<impl Stream<Item = Result<Plan, ApiError>> + use<>, ApiError> {
        let id = decode_int(&id, NodeKind::Plan, "id")?;
        let readable = plan::Entity::readable(scope(ctx)?);
        // The plan must exist for the caller now.
        plan::Entity::find_by_id(id)
            .filter(readable.clone())
            .one(db(ctx)?)
            .await?
            .ok_or(ApiError::NotFound)?;
        let condition = Condition::all().add(plan::Column::Id.eq(id)).add(readable);
        watch(
            ctx,
            Table::Plan,
            plans_concerned,
            condition,
            |row| match row {
                Row::Plan(p) => Some(Plan(p.clone())),
                _ => None,
            },
        )
    }

    /// Each activity created from now on that matches `filter`.
    async fn activity_added(
        &self,
        ctx: &Context<'_>,
        filter: Option<ActivityFilter>,
    ) -> Result<impl Stream<Item = Result<Activity, ApiError>> + use<>, ApiError> {
        let mut condition = Condition::all().add(activity::Entity::readable(scope(ctx)?));
        if let Some(filter) = &filter {
            condition = condition.add(super::filter::condition(filter)?);
        }
        watch(
            ctx,
            Table::Activity,
            activity_created,
            condition,
            |row| match row {
                Row::Activity(a) => Some(Activity(a.clone())),
                _ => None,
            },
        )
    }

    /// Each MoU whose status changes from now on (signed, cancelled, …) that matches `filter`.
    async fn mou_status_changed(
        &self,
        ctx: &Context<'_>,
        filter: Option<MouFilter>,
    ) -> Result<impl Stream<Item = Result<Mou, ApiError>> + use<>, ApiError> {
        let mut condition = Condition::all().add(mou::Entity::readable(scope(ctx)?));
        if let Some(filter) = &filter {
            condition = condition.add(super::filter::condition(filter)?);
        }
        watch(
            ctx,
            Table::Mou,
            mou_status_changed,
            condition,
            |row| match row {
                Row::Mou(m) => Some(Mou(m.clone())),
                _ => None,
            },
        )
    }
}
