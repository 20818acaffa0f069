//! Writing a plan's themes: editors of the plan's organizations and admins.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::Utc;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::Theme;
use crate::auth::Permission;
use crate::auth::policy::Guarded;
use crate::error::{ApiError, ApiResult};
use crate::graphql::activity::{DeletePayload, any_published, readable_plan};
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::position::{List, lock_plan};
use crate::graphql::write::{
    self, Diff, Entry, Fields, Idempotent, Operation, Write, check_version, delete_versioned,
    save_versioned,
};
use entity::enums::PlanStatus;
use entity::theme;

/// A new theme of a plan.
#[derive(InputObject)]
pub struct CreateThemeInput {
    /// The plan (one the caller's organization takes part in).
    plan: ID,
    /// Short title, 1–500 characters.
    title: String,
    /// What the theme covers, up to 20 000 characters.
    description: Option<String>,
    /// 1-based position among the plan's themes (default: after the last); the themes from there
    /// on move down by one.
    position: Option<i32>,
    /// Client key that makes the create safe to retry (see `createActivity`).
    idempotency_key: Option<String>,
}

/// Changes to a theme: absent fields stay as they are; `null` clears the description.
#[derive(InputObject, Default)]
pub struct UpdateThemeInput {
    title: Option<String>,
    description: MaybeUndefined<String>,
    /// New 1-based position; the themes in between move by one.
    position: Option<i32>,
}

/// The theme created or changed.
#[derive(SimpleObject)]
pub struct ThemePayload {
    theme: Theme,
}

#[derive(Default)]
pub struct ThemeMutation;

#[Object]
impl ThemeMutation {
    /// Adds a theme to a plan (editors of the plan's organizations, admins).
    async fn create_theme(
        &self,
        ctx: &Context<'_>,
        input: CreateThemeInput,
    ) -> ApiResult<ThemePayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let plan_id = decode_int(&input.plan, NodeKind::Plan, "plan")?;
        let plan = readable_plan(&w, plan_id).await?;
        w.require_plans(&[plan_id])?;
        lock_plan(&w.txn, plan_id).await?;
        let key = match w
            .replay(input.idempotency_key.as_deref(), "createTheme", &input)
            .await?
        {
            Some(Idempotent::Done(id)) => return existing(&w, id).await,
            key => key,
        };
        let title = write::text("title", &input.title, 500)?;
        let description = write::opt_text("description", input.description.as_deref(), 20_000)?;
        let position = list(plan_id)
            .insert_at(&w.txn, input.position, "position")
            .await?;
        let now = Utc::now();
        let row = theme::ActiveModel {
            plan_id: Set(plan_id),
            position: Set(position),
            title: Set(title),
            description: Set(description),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(&w.txn)
        .await?;
        w.remember(key, NodeKind::Theme, row.id).await?;
        let mut diff = Diff::default();
        diff.record(None, Some(&row), FIELDS);
        w.commit(vec![Entry::new(
            NodeKind::Theme,
            row.id,
            Operation::Created,
            vec![plan_id],
            plan.status == PlanStatus::Published,
            diff,
        )])
        .await?;
        Ok(ThemePayload { theme: Theme(row) })
    }

    /// Changes a theme read at `version` (editors of the plan's organizations, admins); CONFLICT
    /// with the current version when it changed meanwhile.
    async fn update_theme(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateThemeInput,
    ) -> ApiResult<ThemePayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(&id, NodeKind::Theme, "id")?;
        let current = writable(&w, id).await?;
        check_version(current.version, version)?;
        let mut row: theme::ActiveModel = current.clone().into();
        if let Some(title) = &input.title {
            row.title
                .set_if_not_equals(write::text("title", title, 500)?);
        }
        match &input.description {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.description.set_if_not_equals(None),
            MaybeUndefined::Value(d) => {
                row.description
                    .set_if_not_equals(write::opt_text("description", Some(d), 20_000)?)
            }
        }
        if let Some(wanted) = input.position {
            let list = list(current.plan_id);
            let to = list.move_target(&w.txn, wanted, "position").await?;
            if to != current.position {
                list.park(&w.txn, theme::Column::Id.eq(id)).await?;
                list.close(&w.txn, current.position).await?;
                list.open(&w.txn, to).await?;
                row.position = Set(to);
            }
        }
        if !row.is_changed() {
            w.commit(Vec::new()).await?;
            return Ok(ThemePayload {
                theme: Theme(current),
            });
        }
        let updated = save_versioned(&w.txn, row, id, version).await?;
        let mut diff = Diff::default();
        diff.record(Some(&current), Some(&updated), FIELDS);
        let public = any_published(&w, &[current.plan_id]).await?;
        w.commit(vec![Entry::new(
            NodeKind::Theme,
            id,
            Operation::Updated,
            vec![current.plan_id],
            public,
            diff,
        )])
        .await?;
        Ok(ThemePayload {
            theme: Theme(updated),
        })
    }

    /// Deletes a theme read at `version` (editors of the plan's organizations, admins); the later
    /// themes move up by one, and SDG or Urban Agenda links filed under it stay with the plan.
    async fn delete_theme(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> ApiResult<DeletePayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(&id, NodeKind::Theme, "id")?;
        let current = writable(&w, id).await?;
        check_version(current.version, version)?;
        let public = any_published(&w, &[current.plan_id]).await?;
        delete_versioned::<theme::Entity>(&w.txn, id, version).await?;
        list(current.plan_id)
            .close(&w.txn, current.position)
            .await?;
        let mut diff = Diff::default();
        diff.record(Some(&current), None, FIELDS);
        w.commit(vec![Entry::new(
            NodeKind::Theme,
            id,
            Operation::Deleted,
            vec![current.plan_id],
            public,
            diff,
        )])
        .await?;
        Ok(DeletePayload::new(NodeKind::Theme, id))
    }
}

/// The audited fields of a theme.
pub(crate) const FIELDS: &Fields<theme::Model> = &[
    ("title", |m| m.title.clone().into()),
    ("description", |m| m.description.clone().into()),
    ("position", |m| m.position.into()),
    ("version", |m| m.version.into()),
];

/// The themes of a plan, by position.
fn list(plan_id: i64) -> List<theme::Entity> {
    List::new(
        Condition::all().add(theme::Column::PlanId.eq(plan_id)),
        theme::Column::Position,
    )
}

/// The theme (NOT_FOUND unless the caller reads it), checked writable.
async fn writable(w: &Write, id: i64) -> ApiResult<theme::Model> {
    let current = theme::Entity::find_by_id(id)
        .filter(theme::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    w.require_plans(&[current.plan_id])?;
    lock_plan(&w.txn, current.plan_id).await?;
    // Read again under the lock: another write of the plan may have shifted its position.
    theme::Entity::find_by_id(id)
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The answer to a replayed create: the theme as it is now.
async fn existing(w: &Write, id: i64) -> ApiResult<ThemePayload> {
    let row = theme::Entity::find_by_id(id)
        .filter(theme::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(ThemePayload { theme: Theme(row) })
}
