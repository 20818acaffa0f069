//! Cities and other programme places (regions, districts, development zones).

use async_graphql::{Context, ID, Object};
use rust_decimal::Decimal;
use sea_orm::EntityTrait;

use super::country::Country;
use super::enums::CityKind;
use super::ids::{NodeKind, decode_int};
use super::loader::{Loaders, by_id, load_err};
use super::pagination::{Conn, PageArgs, paginate};
use super::{country, db};
use crate::error::{ApiError, ApiResult};
use entity::city;

by_id!(
    /// Key: a city id.
    CityById => city
);

/// A city, region, district or development zone of the programme.
pub struct City(pub city::Model);

#[Object]
impl City {
    /// Opaque global ID.
    async fn id(&self) -> ID {
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
    /// GeoNames identifier, when the city was matched in the gazetteer.
    async fn geonames_id(&self) -> Option<i64> {
        self.0.geonames_id
    }
}

/// Loads a city by id through the request's loader.
pub async fn load(ctx: &Context<'_>, id: i64) -> ApiResult<Option<City>> {
    Ok(ctx
        .data::<Loaders>()?
        .load_one(CityById(id))
        .await
        .map_err(load_err)?
        .map(City))
}

#[derive(Default)]
pub struct CityQuery;

#[Object]
impl CityQuery {
    /// All cities known to the service.
    async fn cities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<City>> {
        let args = PageArgs::new(first, after, last, before);
        paginate(
            db(ctx)?,
            city::Entity::find(),
            city::Column::Id,
            &args,
            City,
        )
        .await
    }

    /// One city by ID.
    async fn city(&self, ctx: &Context<'_>, id: ID) -> ApiResult<City> {
        let id = decode_int(&id, NodeKind::City, "id")?;
        load(ctx, id).await?.ok_or(ApiError::NotFound)
    }
}
