//! Activities: missions, visits, forums, online meetings … Shared facts that several plans link.

mod filter;
mod nested;
mod write;

pub use filter::{ActivityFilter, ActivityOrder};
pub use nested::{ActivityParent, activities_of};
pub use write::{
    ActivityMutation, ActivityPayload, CreateActivityInput, PlanActivityInput,
    UnlinkActivityPayload, UpdateActivityInput,
};

use async_graphql::{Context, ID, Object};
use sea_orm::QueryFilter;

use crate::error::{ApiError, ApiResult};
use crate::graphql::city::City;
use crate::graphql::date::PartialDateObject;
use crate::graphql::enums::ActivityKind;
use crate::graphql::filter::condition;
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::loader::{Loaders, by_id, load_list, many_to_many};
use crate::graphql::organization::Organization;
use crate::graphql::pagination::{Conn, PageArgs, paginate};
use crate::graphql::{city, db, plan, readable, scope};
use entity::activity;

by_id!(
    /// Key: an activity id.
    ActivityById => activity
);
many_to_many!(
    /// Key: the cities taking part in an activity.
    CitiesOfActivity => activity_city (ActivityId, CityId, CityId) => city
);
many_to_many!(
    /// Key: the organizations taking part in an activity.
    OrganizationsOfActivity => activity_organization (ActivityId, OrganizationId, OrganizationId) => organization
);
many_to_many!(
    /// Key: the plans that list an activity.
    PlansOfActivity => plan_activity (ActivityId, PlanId, PlanId) => plan
);

/// A cooperation activity.
#[derive(Clone)]
pub struct Activity(pub activity::Model);

/// A cooperation activity.
#[Object]
impl Activity {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        NodeKind::Activity.id(self.0.id)
    }
    /// First sentence of the published text.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The full published text.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Form of the activity.
    async fn kind(&self) -> ActivityKind {
        self.0.kind.into()
    }
    /// When it took place, with its precision.
    async fn date(&self) -> Option<PartialDateObject> {
        PartialDateObject::from_columns(
            self.0.date_text.as_deref(),
            self.0.date_precision,
            self.0.date_start,
            self.0.date_end,
        )
    }
    /// Where it took place, as published ("Brussels", "online").
    async fn place(&self) -> Option<&str> {
        self.0.place_text.as_deref()
    }
    /// The city where it took place, when it is one.
    async fn place_city(&self, ctx: &Context<'_>) -> ApiResult<Option<City>> {
        match self.0.place_city_id {
            Some(id) => city::load(ctx, id).await,
            None => Ok(None),
        }
    }
    /// Cities taking part.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn cities(&self, ctx: &Context<'_>) -> ApiResult<Vec<City>> {
        load_list(ctx, CitiesOfActivity(self.0.id), City).await
    }
    /// Organizations taking part.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn organizations(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organization>> {
        load_list(ctx, OrganizationsOfActivity(self.0.id), Organization).await
    }
    /// Whether it is a draft, visible only to the organizations of its plans.
    async fn draft(&self) -> bool {
        self.0.draft
    }
    /// Internal note (null unless the caller's organization takes part in one of its plans).
    async fn internal_note(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        if self.0.internal_note.is_none() {
            return Ok(None);
        }
        let plans = ctx
            .data::<Loaders>()?
            .load_one(PlansOfActivity(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(scope(ctx)?.private(self.0.internal_note.as_deref(), plans.iter().map(|p| p.id)))
    }
    /// Plans that list this activity.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn plans(&self, ctx: &Context<'_>) -> ApiResult<Vec<plan::Plan>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(PlansOfActivity(self.0.id))
            .await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(plan::Plan)
            .collect())
    }
    /// Optimistic-concurrency version.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// Activities matching `filter`, in `orderBy` order.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::cost::page(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ActivityFilter>,
        order_by: Option<ActivityOrder>,
    ) -> ApiResult<Conn<Activity>> {
        let args = PageArgs::new(first, after, last, before);
        let mut select = readable::<activity::Entity>(ctx)?;
        if let Some(filter) = &filter {
            select = select.filter(condition(filter)?);
        }
        paginate(
            db(ctx)?,
            select,
            order_by.unwrap_or_default(),
            &args,
            Activity,
        )
        .await
    }

    /// One activity by ID.
    async fn activity(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Activity> {
        let id = decode_int(&id, NodeKind::Activity, "id")?;
        let row = ctx.data::<Loaders>()?.load_one(ActivityById(id)).await?;
        row.map(Activity).ok_or(ApiError::NotFound)
    }
}
