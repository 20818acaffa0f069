//! Activities: missions, visits, forums, online meetings … Shared facts that several plans link.

use async_graphql::{Context, ID, Object};
use sea_orm::EntityTrait;

use super::city::City;
use super::date::PartialDateObject;
use super::enums::ActivityKind;
use super::ids::{NodeKind, decode_int};
use super::loader::{Loaders, by_id, load_err, many_to_many};
use super::organization::Organization;
use super::pagination::{Conn, PageArgs, paginate};
use super::{city, db, plan};
use crate::error::{ApiError, ApiResult};
use entity::activity;

by_id!(
    /// Key: an activity id.
    ActivityById => activity
);
many_to_many!(
    /// Key: the activities of a plan.
    ActivitiesOfPlan => plan_activity (PlanId, ActivityId, Position) => activity
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
pub struct Activity(pub activity::Model);

#[Object]
impl Activity {
    /// Opaque global ID.
    async fn id(&self) -> ID {
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
    async fn cities(&self, ctx: &Context<'_>) -> ApiResult<Vec<City>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(CitiesOfActivity(self.0.id))
            .await
            .map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(City).collect())
    }
    /// Organizations taking part.
    async fn organizations(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organization>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(OrganizationsOfActivity(self.0.id))
            .await
            .map_err(load_err)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Organization)
            .collect())
    }
    /// Plans that list this activity.
    async fn plans(&self, ctx: &Context<'_>) -> ApiResult<Vec<plan::Plan>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(PlansOfActivity(self.0.id))
            .await
            .map_err(load_err)?;
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
    /// All activities.
    async fn activities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Activity>> {
        let args = PageArgs::new(first, after, last, before);
        let select = activity::Entity::find();
        paginate(db(ctx)?, select, activity::Column::Id, &args, Activity).await
    }

    /// One activity by ID.
    async fn activity(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Activity> {
        let id = decode_int(&id, NodeKind::Activity, "id")?;
        let row = ctx
            .data::<Loaders>()?
            .load_one(ActivityById(id))
            .await
            .map_err(load_err)?;
        row.map(Activity).ok_or(ApiError::NotFound)
    }
}
