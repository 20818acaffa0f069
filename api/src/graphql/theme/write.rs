//! Writing a plan's themes: editors of the plan's organizations and admins.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, Set};

use super::Theme;
use crate::error::ApiResult;
use crate::graphql::ids::NodeKind;
use crate::graphql::position::List;
use crate::graphql::write::{
    self, Creating, DeletePayload, Diff, Fields, Part, PlanRecord, Updating,
};
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

/// A theme of a plan being created (`createPlan`'s `themes`, in their order).
#[derive(InputObject)]
pub struct PlanThemeInput {
    /// Short title, 1–500 characters.
    title: String,
    /// What the theme covers, up to 20 000 characters.
    description: Option<String>,
}

impl PlanThemeInput {
    /// The `createTheme` input of this theme, in plan `plan`.
    pub fn in_plan(self, plan: ID) -> CreateThemeInput {
        CreateThemeInput {
            plan,
            title: self.title,
            description: self.description,
            position: None,
            idempotency_key: None,
        }
    }
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

impl PlanRecord for theme::Entity {
    const KIND: NodeKind = NodeKind::Theme;
    const FIELDS: &'static Fields<theme::Model> = FIELDS;

    fn part_of(row: &theme::Model) -> Option<Part<Self>> {
        let (plan, list, position) = (row.plan_id, list(row.plan_id), row.position);
        Some(Part {
            plan,
            list,
            position,
        })
    }
}

#[derive(Default)]
pub struct ThemeMutation;

#[Object]
impl ThemeMutation {
    /// Adds a theme to a plan (editors of the plan's organizations, admins).
    pub(crate) async fn create_theme(
        &self,
        ctx: &Context<'_>,
        input: CreateThemeInput,
    ) -> ApiResult<ThemePayload> {
        let key = input.idempotency_key.as_deref();
        let c = match Creating::<theme::Entity>::start(ctx, &input.plan, key, "createTheme", &input)
            .await?
        {
            Ok(c) => c,
            Err(done) => return Ok(ThemePayload { theme: Theme(done) }),
        };
        let title = write::text("title", &input.title, 500)?;
        let description = write::opt_text("description", input.description.as_deref(), 20_000)?;
        let position = list(c.plan)
            .insert_at(&c.w.txn, input.position, "position")
            .await?;
        let row = write::insert_new(
            &c.w.txn,
            theme::ActiveModel {
                plan_id: Set(c.plan),
                position: Set(position),
                title: Set(title),
                description: Set(description),
                ..Default::default()
            },
        )
        .await?;
        let theme = Theme(c.finish(row, Diff::default()).await?);
        Ok(ThemePayload { theme })
    }

    /// Changes a theme read at `version` (editors of the plan's organizations, admins); CONFLICT
    /// with the current version when it changed meanwhile.
    pub(crate) async fn update_theme(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateThemeInput,
    ) -> ApiResult<ThemePayload> {
        let u = Updating::<theme::Entity>::start(ctx, &id, version).await?;
        let current = &u.current;
        let mut row: theme::ActiveModel = current.clone().into();
        if let Some(title) = &input.title {
            row.title
                .set_if_not_equals(write::text("title", title, 500)?);
        }
        write::patch_text(
            &mut row.description,
            &input.description,
            "description",
            20_000,
        )?;
        if let Some(wanted) = input.position {
            let at = current.position;
            let this = theme::Column::Id.eq(current.id);
            let list = list(current.plan_id);
            if let Some(to) = list
                .move_row(&u.w.txn, this, at, wanted, "position")
                .await?
            {
                row.position = Set(to);
            }
        }
        let theme = Theme(u.finish(row, Diff::default(), None).await?);
        Ok(ThemePayload { theme })
    }

    /// Deletes a theme read at `version` (editors of the plan's organizations, admins); the later
    /// themes move up by one, and SDG or Urban Agenda links filed under it stay with the plan.
    pub(crate) async fn delete_theme(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> ApiResult<DeletePayload> {
        write::delete::<theme::Entity>(ctx, &id, version).await
    }
}

/// The audited fields of a theme.
const FIELDS: &Fields<theme::Model> = &[
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
