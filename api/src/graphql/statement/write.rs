//! Writing a plan's focus, challenge and objective statements: editors of the plan's
//! organizations and admins. Each kind is its own ordered list.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveEnum, ColumnTrait, Set};

use super::Statement;
use crate::error::{ApiError, ApiResult};
use crate::graphql::enums::StatementKind;
use crate::graphql::ids::NodeKind;
use crate::graphql::position::{self, List};
use crate::graphql::write::{
    self, Creating, DeletePayload, Diff, Fields, Part, PlanRecord, Updating,
};
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

/// A statement of a plan being created (`createPlan`'s `statements`, in their order per kind).
#[derive(InputObject)]
pub struct PlanStatementInput {
    /// Focus, challenge or objective.
    kind: StatementKind,
    /// Optional heading, up to 500 characters.
    title: Option<String>,
    /// The statement, 1–20 000 characters.
    text: String,
}

impl PlanStatementInput {
    /// The `createStatement` input of this statement, in plan `plan`.
    pub fn in_plan(self, plan: ID) -> CreateStatementInput {
        CreateStatementInput {
            plan,
            kind: self.kind,
            title: self.title,
            text: self.text,
            position: None,
            idempotency_key: None,
        }
    }
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

impl PlanRecord for statement::Entity {
    const KIND: NodeKind = NodeKind::Statement;
    const FIELDS: &'static Fields<statement::Model> = FIELDS;

    fn part_of(row: &statement::Model) -> Option<Part<Self>> {
        let (plan, list, position) = (row.plan_id, list(row.plan_id, row.kind), row.position);
        Some(Part {
            plan,
            list,
            position,
        })
    }
}

#[derive(Default)]
pub struct StatementMutation;

#[Object]
impl StatementMutation {
    /// Adds a focus area, challenge or objective to a plan (editors of the plan's organizations,
    /// admins).
    pub(crate) async fn create_statement(
        &self,
        ctx: &Context<'_>,
        input: CreateStatementInput,
    ) -> ApiResult<StatementPayload> {
        let key = input.idempotency_key.as_deref();
        let c = match Creating::<statement::Entity>::start(
            ctx,
            &input.plan,
            key,
            "createStatement",
            &input,
        )
        .await?
        {
            Ok(c) => c,
            Err(done) => return Ok(payload(done)),
        };
        let kind: entity::enums::StatementKind = input.kind.into();
        let title = write::opt_text("title", input.title.as_deref(), 500)?;
        let text = write::text("text", &input.text, 20_000)?;
        let position = list(c.plan, kind)
            .insert_at(&c.w.txn, input.position, "position")
            .await?;
        let row = write::insert_new(
            &c.w.txn,
            statement::ActiveModel {
                plan_id: Set(c.plan),
                kind: Set(kind),
                position: Set(position),
                title: Set(title),
                text: Set(text),
                ..Default::default()
            },
        )
        .await?;
        Ok(payload(c.finish(row, Diff::default()).await?))
    }

    /// Changes a statement read at `version` (editors of the plan's organizations, admins);
    /// CONFLICT with the current version when it changed meanwhile.
    pub(crate) async fn update_statement(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateStatementInput,
    ) -> ApiResult<StatementPayload> {
        let u = Updating::<statement::Entity>::start(ctx, &id, version).await?;
        let current = &u.current;
        let mut row: statement::ActiveModel = current.clone().into();
        write::patch_text(&mut row.title, &input.title, "title", 500)?;
        if let Some(text) = &input.text {
            row.text
                .set_if_not_equals(write::text("text", text, 20_000)?);
        }
        let this = statement::Column::Id.eq(current.id);
        let kind: entity::enums::StatementKind = input.kind.map(Into::into).unwrap_or(current.kind);
        if kind != current.kind {
            // To another list: out of this one, into that one (at its end unless told).
            let from = list(current.plan_id, current.kind);
            let to = list(current.plan_id, kind);
            let last = to
                .max(&u.w.txn)
                .await?
                .checked_add(1)
                .ok_or_else(|| ApiError::invalid("kind", "that list is full"))?;
            let at = match input.position {
                Some(p) => position::checked(p, last, "position")?,
                None => last,
            };
            from.park(&u.w.txn, this).await?;
            from.close(&u.w.txn, current.position).await?;
            to.open(&u.w.txn, at).await?;
            row.kind = Set(kind);
            row.position = Set(at);
        } else if let Some(wanted) = input.position {
            let list = list(current.plan_id, kind);
            let at = current.position;
            if let Some(to) = list
                .move_row(&u.w.txn, this, at, wanted, "position")
                .await?
            {
                row.position = Set(to);
            }
        }
        Ok(payload(u.finish(row, Diff::default(), None).await?))
    }

    /// Deletes a statement read at `version` (editors of the plan's organizations, admins); the
    /// later statements of its list move up by one.
    pub(crate) async fn delete_statement(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> ApiResult<DeletePayload> {
        write::delete::<statement::Entity>(ctx, &id, version).await
    }
}

fn payload(row: statement::Model) -> StatementPayload {
    StatementPayload {
        statement: Statement(row),
    }
}

/// The audited fields of a statement.
const FIELDS: &Fields<statement::Model> = &[
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
