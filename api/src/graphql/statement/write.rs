//! Writing a plan's focus, challenge and objective statements: editors of the plan's
//! organizations and admins. Each kind is its own ordered list.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::Utc;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::Statement;
use crate::auth::Permission;
use crate::auth::policy::Guarded;
use crate::error::{ApiError, ApiResult};
use crate::graphql::activity::{DeletePayload, any_published, readable_plan};
use crate::graphql::enums::StatementKind;
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::position::{self, List, lock_plan};
use crate::graphql::write::{
    self, Diff, Entry, Fields, Idempotent, Operation, Write, check_version, delete_versioned,
    save_versioned,
};
use entity::enums::PlanStatus;
use entity::statement;

/// A new statement of a plan.
#[derive(InputObject)]
pub struct CreateStatementInput {
    /// The plan (one the caller's organization takes part in).
    plan: ID,
    /// Which of the plan's lists it joins.
    kind: StatementKind,
    /// Optional title ("Industrial design"), up to 500 characters.
    title: Option<String>,
    /// The statement, 1–20 000 characters.
    text: String,
    /// 1-based position in its list (default: after the last); the statements from there on
    /// move down by one.
    position: Option<i32>,
    /// Client key that makes the create safe to retry (see `createActivity`).
    idempotency_key: Option<String>,
}

/// Changes to a statement: absent fields stay as they are; `null` clears the title. A new kind
/// moves the statement to the end of that list unless `position` says where.
#[derive(InputObject, Default)]
pub struct UpdateStatementInput {
    kind: Option<StatementKind>,
    title: MaybeUndefined<String>,
    text: Option<String>,
    /// New 1-based position in its (new) list.
    position: Option<i32>,
}

/// The statement created or changed.
#[derive(SimpleObject)]
pub struct StatementPayload {
    statement: Statement,
}

#[derive(Default)]
pub struct StatementMutation;

#[Object]
impl StatementMutation {
    /// Adds a focus area, challenge or objective to a plan (editors of the plan's organizations,
    /// admins).
    async fn create_statement(
        &self,
        ctx: &Context<'_>,
        input: CreateStatementInput,
    ) -> ApiResult<StatementPayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let plan_id = decode_int(&input.plan, NodeKind::Plan, "plan")?;
        let plan = readable_plan(&w, plan_id).await?;
        w.require_plans(&[plan_id])?;
        lock_plan(&w.txn, plan_id).await?;
        let key = match w
            .replay(input.idempotency_key.as_deref(), "createStatement", &input)
            .await?
        {
            Some(Idempotent::Done(id)) => return existing(&w, id).await,
            key => key,
        };
        let kind: entity::enums::StatementKind = input.kind.into();
        let title = write::opt_text("title", input.title.as_deref(), 500)?;
        let text = write::text("text", &input.text, 20_000)?;
        let position = list(plan_id, kind)
            .insert_at(&w.txn, input.position, "position")
            .await?;
        let now = Utc::now();
        let row = statement::ActiveModel {
            plan_id: Set(plan_id),
            kind: Set(kind),
            position: Set(position),
            title: Set(title),
            text: Set(text),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(&w.txn)
        .await?;
        w.remember(key, NodeKind::Statement, row.id).await?;
        let mut diff = Diff::default();
        diff.record(None, Some(&row), FIELDS);
        w.commit(vec![Entry::new(
            NodeKind::Statement,
            row.id,
            Operation::Created,
            vec![plan_id],
            plan.status == PlanStatus::Published,
            diff,
        )])
        .await?;
        Ok(StatementPayload {
            statement: Statement(row),
        })
    }

    /// Changes a statement read at `version` (editors of the plan's organizations, admins);
    /// CONFLICT with the current version when it changed meanwhile.
    async fn update_statement(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateStatementInput,
    ) -> ApiResult<StatementPayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(&id, NodeKind::Statement, "id")?;
        let current = writable(&w, id).await?;
        check_version(current.version, version)?;
        let mut row: statement::ActiveModel = current.clone().into();
        match &input.title {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.title.set_if_not_equals(None),
            MaybeUndefined::Value(t) => {
                row.title
                    .set_if_not_equals(write::opt_text("title", Some(t), 500)?)
            }
        }
        if let Some(text) = &input.text {
            row.text
                .set_if_not_equals(write::text("text", text, 20_000)?);
        }
        let kind: entity::enums::StatementKind = input.kind.map(Into::into).unwrap_or(current.kind);
        if kind != current.kind {
            // To another list: out of this one, into that one (at its end unless told).
            let from = list(current.plan_id, current.kind);
            let to = list(current.plan_id, kind);
            let last = to
                .max(&w.txn)
                .await?
                .checked_add(1)
                .ok_or_else(|| ApiError::invalid("kind", "that list is full"))?;
            let at = match input.position {
                Some(p) => position::checked(p, last, "position")?,
                None => last,
            };
            from.park(&w.txn, statement::Column::Id.eq(id)).await?;
            from.close(&w.txn, current.position).await?;
            to.open(&w.txn, at).await?;
            row.kind = Set(kind);
            row.position = Set(at);
        } else if let Some(wanted) = input.position {
            let list = list(current.plan_id, kind);
            let to = list.move_target(&w.txn, wanted, "position").await?;
            if to != current.position {
                list.park(&w.txn, statement::Column::Id.eq(id)).await?;
                list.close(&w.txn, current.position).await?;
                list.open(&w.txn, to).await?;
                row.position = Set(to);
            }
        }
        if !row.is_changed() {
            w.commit(Vec::new()).await?;
            return Ok(StatementPayload {
                statement: Statement(current),
            });
        }
        let updated = save_versioned(&w.txn, row, id, version).await?;
        let mut diff = Diff::default();
        diff.record(Some(&current), Some(&updated), FIELDS);
        let public = any_published(&w, &[current.plan_id]).await?;
        w.commit(vec![Entry::new(
            NodeKind::Statement,
            id,
            Operation::Updated,
            vec![current.plan_id],
            public,
            diff,
        )])
        .await?;
        Ok(StatementPayload {
            statement: Statement(updated),
        })
    }

    /// Deletes a statement read at `version` (editors of the plan's organizations, admins); the
    /// later statements of its list move up by one.
    async fn delete_statement(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> ApiResult<DeletePayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(&id, NodeKind::Statement, "id")?;
        let current = writable(&w, id).await?;
        check_version(current.version, version)?;
        let public = any_published(&w, &[current.plan_id]).await?;
        delete_versioned::<statement::Entity>(&w.txn, id, version).await?;
        list(current.plan_id, current.kind)
            .close(&w.txn, current.position)
            .await?;
        let mut diff = Diff::default();
        diff.record(Some(&current), None, FIELDS);
        w.commit(vec![Entry::new(
            NodeKind::Statement,
            id,
            Operation::Deleted,
            vec![current.plan_id],
            public,
            diff,
        )])
        .await?;
        Ok(DeletePayload::new(NodeKind::Statement, id))
    }
}

/// The audited fields of a statement.
pub(crate) const FIELDS: &Fields<statement::Model> = &[
    ("kind", |m| m.kind.to_value().into()),
    ("title", |m| m.title.clone().into()),
    ("text", |m| m.text.clone().into()),
    ("position", |m| m.position.into()),
    ("version", |m| m.version.into()),
];

/// The statements of one kind of a plan, by position.
fn list(plan_id: i64, kind: entity::enums::StatementKind) -> List<statement::Entity> {
    List::new(
        Condition::all()
            .add(statement::Column::PlanId.eq(plan_id))
            .add(statement::Column::Kind.eq(kind)),
        statement::Column::Position,
    )
}

/// The statement (NOT_FOUND unless the caller reads it), checked writable.
async fn writable(w: &Write, id: i64) -> ApiResult<statement::Model> {
    let current = statement::Entity::find_by_id(id)
        .filter(statement::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    w.require_plans(&[current.plan_id])?;
    lock_plan(&w.txn, current.plan_id).await?;
    // Read again under the lock: another write of the plan may have shifted its position.
    statement::Entity::find_by_id(id)
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The answer to a replayed create: the statement as it is now.
async fn existing(w: &Write, id: i64) -> ApiResult<StatementPayload> {
    let row = statement::Entity::find_by_id(id)
        .filter(statement::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(StatementPayload {
        statement: Statement(row),
    })
}
