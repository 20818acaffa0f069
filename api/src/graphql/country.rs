//! Countries (ISO 3166-1), a seeded code list.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, Object};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::loader::{DbLoader, LoadError, Loaders};
use super::pagination::{Conn, PageArgs, from_vec};
use super::{db, ids::NodeKind};
use crate::error::ApiResult;
use entity::country;

/// A country, identified by its ISO 3166-1 alpha-2 code.
#[derive(Clone)]
pub struct Country(pub country::Model);

/// A country, identified by its ISO 3166-1 alpha-2 code.
#[Object]
impl Country {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        NodeKind::Country.id(&self.0.code)
    }
    /// ISO 3166-1 alpha-2 code ("CN").
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// ISO 3166-1 alpha-3 code ("CHN").
    async fn alpha3(&self) -> &str {
        &self.0.alpha3
    }
    /// Common English short name ("China").
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Official name, where it differs.
    async fn official_name(&self) -> Option<&str> {
        self.0.official_name.as_deref()
    }
    /// UN M49 sub-region ("Eastern Asia").
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    /// Continent ("Asia").
    async fn continent(&self) -> Option<&str> {
        self.0.continent.as_deref()
    }
}

/// Key: a country code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountryByCode(pub String);

impl Loader<CountryByCode> for DbLoader {
    type Value = country::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[CountryByCode],
    ) -> Result<HashMap<CountryByCode, Self::Value>, Self::Error> {
        let rows = country::Entity::find()
            .filter(country::Column::Code.is_in(keys.iter().map(|k| k.0.clone())))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (CountryByCode(r.code.clone()), r))
            .collect())
    }
}

/// Loads a country by code through the request's loader.
pub async fn load(ctx: &Context<'_>, code: Option<&str>) -> ApiResult<Option<Country>> {
    let Some(code) = code else { return Ok(None) };
    let loaders = ctx.data::<Loaders>()?;
    Ok(loaders
        .load_one(CountryByCode(code.to_owned()))
        .await?
        .map(Country))
}

#[derive(Default)]
pub struct CountryQuery;

#[Object]
impl CountryQuery {
    /// All countries of ISO 3166-1, by code.
    #[graphql(complexity = "crate::graphql::cost::page(first, last, child_complexity)")]
    async fn countries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Country>> {
        let rows = country::Entity::find()
            .order_by_asc(country::Column::Code)
            .all(db(ctx)?)
            .await?;
        from_vec(
            rows.into_iter().map(Country).collect(),
            &PageArgs::new(first, after, last, before),
        )
    }

    /// One country by its ISO alpha-2 code ("CN"), case-insensitive.
    async fn country(&self, ctx: &Context<'_>, code: String) -> ApiResult<Option<Country>> {
        let code = super::filter::exact_text(&code, "code")?;
        load(ctx, Some(&code.to_ascii_uppercase())).await
    }
}
