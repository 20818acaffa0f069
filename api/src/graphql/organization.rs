//! Organizations through which cities act: municipal governments, universities, hospitals, …

use async_graphql::{Context, ID, Object};
use sea_orm::EntityTrait;

use super::activity::{Activity, ActivityOrder, ActivityParent, activities_of};
use super::enums::OrganizationKind;
use super::ids::{NodeKind, decode_int};
use super::loader::{Loaders, by_id};
use super::pagination::{ById, Conn, PageArgs, paginate};
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
