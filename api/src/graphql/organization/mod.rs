//! Organizations through which cities act: municipal governments, universities, hospitals, …

mod merge;
pub mod named;
mod participants;
mod write;

pub use merge::OrganizationMergeMutation;
pub use participants::{NewParticipantInput, ParticipantMutation};
pub use write::OrganizationMutation;

use async_graphql::{Context, ID, Object, SimpleObject};
use sea_orm::EntityTrait;

use super::activity::{Activity, ActivityOrder, ActivityParent, activities_of};
use super::enums::{OrganizationKind, ParticipantRole};
use super::ids::{NodeKind, decode_int};
use super::loader::{Loaders, by_id, has_many};
use super::pagination::{ById, Conn, PageArgs, paginate};
use super::plan::{self, Plan};
use super::{city, db};
use crate::error::{ApiError, ApiResult};
use entity::organization;

by_id!(
    /// Key: an organization id.
    OrganizationById => organization
);

/// An institution taking part in plans, activities or MoUs.
#[derive(Clone)]
pub struct Organization(pub organization::Model);

/// An institution taking part in plans, activities or MoUs.
#[Object]
impl Organization {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        NodeKind::Organization.id(self.0.id)
    }
    /// Name ("University of Bologna").
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Optimistic-concurrency version: pass it to updates and deletes.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Kind of institution.
    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }
    /// City where it is based, when known.
    async fn city(&self, ctx: &Context<'_>) -> ApiResult<Option<city::City>> {
        match self.0.city_id {
            Some(id) => city::load(ctx, id).await,
            None => Ok(None),
        }
    }
    /// Activities the organization took part in, paginated.
    #[graphql(complexity = "crate::graphql::cost::page(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        order_by: Option<ActivityOrder>,
    ) -> ApiResult<Conn<Activity>> {
        let args = PageArgs::new(first, after, last, before);
        activities_of(
            ctx,
            ActivityParent::Organization(self.0.id),
            &args,
            order_by.unwrap_or_default(),
        )
        .await
    }
    /// Website.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }
    /// The plans it takes part in (that the caller may read), with its role in each.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn participations(&self, ctx: &Context<'_>) -> ApiResult<Vec<Participation>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(ParticipationsOfOrganization(self.0.id))
            .await?
            .unwrap_or_default();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            if let Some(plan) = plan::load(ctx, row.plan_id).await? {
                out.push(Participation {
                    plan,
                    role: row.role.into(),
                });
            }
        }
        Ok(out)
    }
}

has_many!(
    /// Key: the plans an organization takes part in.
    ParticipationsOfOrganization => plan_participant, OrganizationId, PlanId
);

/// An organization's part in a plan.
#[derive(SimpleObject)]
pub struct Participation {
    /// The plan.
    plan: Plan,
    /// How the organization takes part.
    role: ParticipantRole,
}

/// Loads organizations by id in one batch, in the order given (`None` where there is none).
pub async fn load_many(
    ctx: &Context<'_>,
    ids: impl IntoIterator<Item = i64>,
) -> ApiResult<Vec<Option<Organization>>> {
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut found = ctx
        .data::<Loaders>()?
        .load_many(ids.iter().copied().map(OrganizationById))
        .await?;
    Ok(ids
        .iter()
        .map(|id| found.remove(&OrganizationById(*id)).map(Organization))
        .collect())
}

/// Loads an organization by id through the request's loader.
pub async fn load(ctx: &Context<'_>, id: i64) -> ApiResult<Option<Organization>> {
    Ok(ctx
        .data::<Loaders>()?
        .load_one(OrganizationById(id))
        .await?
        .map(Organization))
}

#[derive(Default)]
pub struct OrganizationQuery;

#[Object]
impl OrganizationQuery {
    /// All organizations.
    #[graphql(complexity = "crate::graphql::cost::page(first, last, child_complexity)")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Organization>> {
        let args = PageArgs::new(first, after, last, before);
        paginate(
            db(ctx)?,
            organization::Entity::find(),
            ById,
            &args,
            Organization,
        )
        .await
    }

    /// One organization by ID.
    async fn organization(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Organization> {
        let id = decode_int(&id, NodeKind::Organization, "id")?;
        load(ctx, id).await?.ok_or(ApiError::NotFound)
    }
}
