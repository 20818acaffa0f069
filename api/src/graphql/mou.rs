//! Memoranda of understanding: shared facts between cities/organizations, linked to plans.

use async_graphql::{Context, ID, Object};
use chrono::NaiveDate;
use sea_orm::EntityTrait;

use super::city::City;
use super::enums::MouStatus;
use super::ids::{NodeKind, decode_int};
use super::loader::{Loaders, by_id, has_many, load_err, many_to_many};
use super::organization::Organization;
use super::pagination::{Conn, PageArgs, paginate};
use super::{city, db, organization, plan};
use crate::error::{ApiError, ApiResult};
use entity::{mou, mou_party};

by_id!(
    /// Key: an MoU id.
    MouById => mou
);
has_many!(
    /// Key: the parties of an MoU.
    PartiesOfMou => mou_party, MouId, Position
);
many_to_many!(
    /// Key: the MoUs of a plan.
    MousOfPlan => plan_mou (PlanId, MouId, MouId) => mou
);
many_to_many!(
    /// Key: the plans that list an MoU.
    PlansOfMou => plan_mou (MouId, PlanId, PlanId) => plan
);

/// A memorandum of understanding.
pub struct Mou(pub mou::Model);

#[Object]
impl Mou {
    /// Opaque global ID.
    async fn id(&self) -> ID {
        NodeKind::Mou.id(self.0.id)
    }
    /// What the MoU is about.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// Where it stands.
    async fn status(&self) -> MouStatus {
        self.0.status.into()
    }
    /// Day of signature, once signed.
    async fn signed_on(&self) -> Option<NaiveDate> {
        self.0.signed_on
    }
    /// Link to the signed document.
    async fn document_url(&self) -> Option<&str> {
        self.0.document_url.as_deref()
    }
    /// The parties, in published order.
    async fn parties(&self, ctx: &Context<'_>) -> ApiResult<Vec<MouParty>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(PartiesOfMou(self.0.id))
            .await
            .map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(MouParty).collect())
    }
    /// Plans that list this MoU.
    async fn plans(&self, ctx: &Context<'_>) -> ApiResult<Vec<plan::Plan>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(PlansOfMou(self.0.id))
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

/// A party to an MoU: a city or an organization.
pub struct MouParty(pub mou_party::Model);

impl MouParty {
    async fn load_city(&self, ctx: &Context<'_>) -> ApiResult<Option<City>> {
        match self.0.city_id {
            Some(id) => city::load(ctx, id).await,
            None => Ok(None),
        }
    }

    async fn load_organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        match self.0.organization_id {
            Some(id) => organization::load(ctx, id).await,
            None => Ok(None),
        }
    }
}

#[Object]
impl MouParty {
    /// Display name of the party (the organization's name, else the city's).
    async fn name(&self, ctx: &Context<'_>) -> ApiResult<String> {
        if let Some(org) = self.load_organization(ctx).await? {
            return Ok(org.0.name);
        }
        Ok(self
            .load_city(ctx)
            .await?
            .map(|c| c.0.name)
            .unwrap_or_default())
    }
    /// The city, when the party is a city.
    async fn city(&self, ctx: &Context<'_>) -> ApiResult<Option<City>> {
        self.load_city(ctx).await
    }
    /// The organization, when the party is an organization.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        self.load_organization(ctx).await
    }
}

#[derive(Default)]
pub struct MouQuery;

#[Object]
impl MouQuery {
    /// All MoUs.
    async fn mous(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Mou>> {
        let args = PageArgs::new(first, after, last, before);
        paginate(db(ctx)?, mou::Entity::find(), mou::Column::Id, &args, Mou).await
    }

    /// One MoU by ID.
    async fn mou(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Mou> {
        let id = decode_int(&id, NodeKind::Mou, "id")?;
        let row = ctx
            .data::<Loaders>()?
            .load_one(MouById(id))
            .await
            .map_err(load_err)?;
        row.map(Mou).ok_or(ApiError::NotFound)
    }
}
