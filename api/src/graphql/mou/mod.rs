//! Memoranda of understanding: shared facts between cities/organizations, linked to plans.

mod parties;
mod write;

pub use write::{
    CreateMouInput, MouMutation, MouPayload, PlanMouInput, UnlinkMouPayload, UpdateMouInput,
};

use async_graphql::{Context, ID, InputObject, Object};
use chrono::NaiveDate;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, QueryFilter};

use super::city::City;
use super::enums::MouStatus;
use super::filter::{BoolFilter, bool_structure, check_range, condition, ids_where};
use super::ids::{NodeKind, decode_any, decode_int};
use super::loader::{Loaders, by_id, has_many, load_list, many_to_many};
use super::organization::Organization;
use super::pagination::{ById, Conn, PageArgs, paginate};
use super::{city, db, organization, plan, readable, scope};
use crate::error::{ApiError, ApiResult};
use entity::{mou, mou_party, plan_mou};

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
#[derive(Clone)]
pub struct Mou(pub mou::Model);

/// A memorandum of understanding.
#[Object]
impl Mou {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
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
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn parties(&self, ctx: &Context<'_>) -> ApiResult<Vec<MouParty>> {
        load_list(ctx, PartiesOfMou(self.0.id), MouParty).await
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
            .load_one(PlansOfMou(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(scope(ctx)?.private(self.0.internal_note.as_deref(), plans.iter().map(|p| p.id)))
    }
    /// Plans that list this MoU.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn plans(&self, ctx: &Context<'_>) -> ApiResult<Vec<plan::Plan>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(PlansOfMou(self.0.id))
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

/// A party to an MoU: a city or an organization.
#[derive(Clone)]
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

/// A party to an MoU: a city or an organization.
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

/// Which MoUs to return; all given fields must hold. Combine with `and`, `or`, `not`.
#[derive(InputObject, Default, Clone)]
pub struct MouFilter {
    /// All of these filters hold.
    pub and: Option<Vec<MouFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<MouFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<MouFilter>>,
    /// Listed by this plan.
    pub plan: Option<ID>,
    /// One of these statuses.
    pub status: Option<Vec<MouStatus>>,
    /// A party: a city or an organization ID.
    pub party: Option<ID>,
    /// Signed on or after this day.
    pub signed_from: Option<NaiveDate>,
    /// Signed on or before this day.
    pub signed_to: Option<NaiveDate>,
}

impl BoolFilter for MouFilter {
    bool_structure!();

    fn fields(&self) -> ApiResult<Condition> {
        let mut c = Condition::all();
        if let Some(id) = &self.plan {
            let id = decode_int(id, NodeKind::Plan, "filter.plan")?;
            let mous = ids_where::<plan_mou::Entity>(
                plan_mou::Column::MouId,
                Condition::all().add(plan_mou::Column::PlanId.eq(id)),
            );
            c = c.add(mou::Column::Id.in_subquery(mous));
        }
        if let Some(statuses) = &self.status {
            c = c.add(
                mou::Column::Status
                    .is_in(statuses.iter().map(|s| entity::enums::MouStatus::from(*s))),
            );
        }
        if let Some(id) = &self.party {
            let party = match decode_any(id)? {
                (NodeKind::City, key) => mou_party::Column::CityId.eq(parse_key(&key)?),
                (NodeKind::Organization, key) => {
                    mou_party::Column::OrganizationId.eq(parse_key(&key)?)
                }
                _ => {
                    return Err(ApiError::invalid(
                        "filter.party",
                        "must be a City or Organization ID",
                    ));
                }
            };
            let mous = ids_where::<mou_party::Entity>(
                mou_party::Column::MouId,
                Condition::all().add(party),
            );
            c = c.add(mou::Column::Id.in_subquery(mous));
        }
        check_range(self.signed_from, self.signed_to, "filter.signedFrom")?;
        if let Some(from) = self.signed_from {
            c = c.add(mou::Column::SignedOn.gte(from));
        }
        if let Some(to) = self.signed_to {
            c = c.add(mou::Column::SignedOn.lte(to));
        }
        Ok(c)
    }
}

fn parse_key(key: &str) -> ApiResult<i64> {
    key.parse()
        .map_err(|_| ApiError::invalid("filter.party", "not a valid ID"))
}

#[derive(Default)]
pub struct MouQuery;

#[Object]
impl MouQuery {
    /// MoUs matching `filter`.
    #[graphql(complexity = "crate::graphql::cost::page(first, last, child_complexity)")]
    async fn mous(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<MouFilter>,
    ) -> ApiResult<Conn<Mou>> {
        let args = PageArgs::new(first, after, last, before);
        let mut select = readable::<mou::Entity>(ctx)?;
        if let Some(filter) = &filter {
            select = select.filter(condition(filter)?);
        }
        paginate(db(ctx)?, select, ById, &args, Mou).await
    }

    /// One MoU by ID.
    async fn mou(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Mou> {
        let id = decode_int(&id, NodeKind::Mou, "id")?;
        let row = ctx.data::<Loaders>()?.load_one(MouById(id)).await?;
        row.map(Mou).ok_or(ApiError::NotFound)
    }
}
