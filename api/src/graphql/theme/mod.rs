//! Cooperation themes of a plan, ordered.

mod write;

pub use write::{CreateThemeInput, PlanThemeInput, ThemeMutation, ThemePayload, UpdateThemeInput};

use async_graphql::{Context, ID, Object};

use super::ids::NodeKind;
use super::loader::{by_id, has_many};
use super::pagination::{ById, Conn, PageArgs, paginate};
use super::{db, plan, readable};
use crate::error::ApiResult;
use entity::theme;

by_id!(
    /// Key: a record id.
    ThemeById => theme
);
has_many!(
    /// Key: the themes of a plan.
    ThemesOfPlan => theme, PlanId, Position
);

/// A cooperation theme ("Smart City & Digital Transition").
#[derive(Clone)]
pub struct Theme(pub theme::Model);

/// A cooperation theme ("Smart City & Digital Transition").
#[Object]
impl Theme {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        NodeKind::Theme.id(self.0.id)
    }
    /// 1-based position in the plan.
    async fn position(&self) -> i16 {
        self.0.position
    }
    /// Short title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What the theme covers.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The plan the theme belongs to.
    async fn plan(&self, ctx: &Context<'_>) -> ApiResult<Option<plan::Plan>> {
        plan::load(ctx, self.0.plan_id).await
    }
    /// Optimistic-concurrency version.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(Default)]
pub struct ThemeQuery;

#[Object]
impl ThemeQuery {
    /// Themes of all plans.
    #[graphql(complexity = "crate::graphql::cost::page(first, last, child_complexity)")]
    async fn themes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Theme>> {
        let args = PageArgs::new(first, after, last, before);
        paginate(
            db(ctx)?,
            readable::<theme::Entity>(ctx)?,
            ById,
            &args,
            Theme,
        )
        .await
    }
}
