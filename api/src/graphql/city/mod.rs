//! Cities and other programme places (regions, districts, development zones).

mod merge;
pub mod place;
mod write;

pub use merge::CityMergeMutation;
pub use write::CityMutation;

use async_graphql::{Context, ID, InputObject, Object};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::activity::{Activity, ActivityOrder, ActivityParent, activities_of};
use super::country::Country;
use super::enums::CityKind;
use super::filter::{
    BoolFilter, bool_structure, condition, contains_text, country_code, ids_where,
};
use super::ids::{NodeKind, decode_int};
use super::loader::{Loaders, by_id, has_many, load_list, many_to_many};
use super::pagination::{ById, Conn, PageArgs, paginate};
use super::plan::Plan;
use super::{country, db};
use crate::error::{ApiError, ApiResult};
use entity::{city, plan};

by_id!(
    /// Key: a city id.
    CityById => city
);

/// A city, region, district or development zone of the programme.
#[derive(Clone)]
pub struct City(pub city::Model);

/// A city, region, district or development zone of the programme.
#[Object]
impl City {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        NodeKind::City.id(self.0.id)
    }
    /// Name in English/romanised form ("Guangzhou").
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Name in the country's own script ("广州"), when known.
    async fn native_name(&self) -> Option<&str> {
        self.0.native_name.as_deref()
    }
    /// What kind of place this is.
    async fn kind(&self) -> CityKind {
        self.0.kind.into()
    }
    /// Province, state or region ("Guangdong").
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    /// The country; null when it could not be determined (see the plan's data issues).
    async fn country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
        country::load(ctx, self.0.country_code.as_deref()).await
    }
    /// Population as a number (15 300 000 for "15,3mio").
    async fn population(&self) -> Option<i64> {
        self.0.population
    }
    /// Population as published.
    async fn population_text(&self) -> Option<&str> {
        self.0.population_text.as_deref()
    }
    /// Year the population figure refers to, when known.
    async fn population_year(&self) -> Option<i16> {
        self.0.population_year
    }
    /// Where the population figure comes from ("U-CAP summary", "GeoNames").
    async fn population_source(&self) -> Option<&str> {
        self.0.population_source.as_deref()
    }
    /// Area in km², as a number.
    async fn area_km2(&self) -> Option<Decimal> {
        self.0.area_km2
    }
    /// Area as published.
    async fn area_text(&self) -> Option<&str> {
        self.0.area_text.as_deref()
    }
    /// Latitude (WGS 84), from the gazetteer.
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }
    /// Longitude (WGS 84), from the gazetteer.
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }
    /// Plans whose focal city this is.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn focal_plans(&self, ctx: &Context<'_>) -> ApiResult<Vec<Plan>> {
        load_list(ctx, FocalPlansOfCity(self.0.id), Plan).await
    }
    /// Plans in which this city is a partner.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn partner_plans(&self, ctx: &Context<'_>) -> ApiResult<Vec<Plan>> {
        load_list(ctx, PartnerPlansOfCity(self.0.id), Plan).await
    }
    /// Activities that took place in or involved this city, paginated.
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
            ActivityParent::City(self.0.id),
            &args,
            order_by.unwrap_or_default(),
        )
        .await
    }
    /// GeoNames identifier, when the city was matched in the gazetteer.
    async fn geonames_id(&self) -> Option<i64> {
        self.0.geonames_id
    }
    /// Optimistic-concurrency version.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Which cities to return; all given fields must hold. Combine with `and`, `or`, `not`.
#[derive(InputObject, Default, Clone)]
pub struct CityFilter {
    /// All of these filters hold.
    pub and: Option<Vec<CityFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<CityFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<CityFilter>>,
    /// ISO 3166-1 alpha-2 code of the city's country.
    pub country: Option<String>,
    /// Text in the name or native name (case-insensitive, taken literally).
    pub name: Option<String>,
    /// One of these kinds of place.
    pub kind: Option<Vec<CityKind>>,
    /// Focal city of at least one plan.
    pub is_focal: Option<bool>,
}

impl BoolFilter for CityFilter {
    bool_structure!();

    fn fields(&self) -> ApiResult<Condition> {
        let mut c = Condition::all();
        if let Some(code) = &self.country {
            c = c.add(city::Column::CountryCode.eq(country_code(code, "filter.country")?));
        }
        if let Some(text) = &self.name {
            c = c.add(
                Condition::any()
                    .add(contains_text(
                        Expr::col((city::Entity, city::Column::Name)),
                        text,
                        "filter.name",
                    )?)
                    .add(contains_text(
                        Expr::col((city::Entity, city::Column::NativeName)),
                        text,
                        "filter.name",
                    )?),
            );
        }
        if let Some(kinds) = &self.kind {
            c = c.add(
                city::Column::Kind.is_in(kinds.iter().map(|k| entity::enums::CityKind::from(*k))),
            );
        }
        if let Some(focal) = self.is_focal {
            let focal_ids = ids_where::<plan::Entity>(plan::Column::FocalCityId, Condition::all());
            c = c.add(if focal {
                city::Column::Id.in_subquery(focal_ids)
            } else {
                city::Column::Id.not_in_subquery(focal_ids)
            });
        }
        Ok(c)
    }
}

has_many!(
    /// Key: the plans whose focal city this is.
    FocalPlansOfCity => plan, FocalCityId, Id
);
many_to_many!(
    /// Key: the plans in which this city is a partner.
    PartnerPlansOfCity => plan_partner_city (CityId, PlanId, PlanId) => plan
);

/// Loads a city by id through the request's loader.
pub async fn load(ctx: &Context<'_>, id: i64) -> ApiResult<Option<City>> {
    Ok(ctx
        .data::<Loaders>()?
        .load_one(CityById(id))
        .await?
        .map(City))
}

#[derive(Default)]
pub struct CityQuery;

#[Object]
impl CityQuery {
    /// Cities matching `filter`.
    #[graphql(complexity = "crate::graphql::cost::page(first, last, child_complexity)")]
    async fn cities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CityFilter>,
    ) -> ApiResult<Conn<City>> {
        let args = PageArgs::new(first, after, last, before);
        let mut select = city::Entity::find();
        if let Some(filter) = &filter {
            select = select.filter(condition(filter)?);
        }
        paginate(db(ctx)?, select, ById, &args, City).await
    }

    /// One city by ID.
    async fn city(&self, ctx: &Context<'_>, id: ID) -> ApiResult<City> {
        let id = decode_int(&id, NodeKind::City, "id")?;
        load(ctx, id).await?.ok_or(ApiError::NotFound)
    }
}
