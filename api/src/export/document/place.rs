//! Cities and organizations, listed once before the plans that name them, and their rows in
//! `cities.csv` and `organizations.csv`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::ActiveEnum;
use serde::{Deserialize, Serialize};

use super::code;
use crate::export::csv::cell;
use entity::enums::{CityKind, CityNameKind, OrganizationKind};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct City {
    pub id: i64,
    pub name: String,
    pub native_name: Option<String>,
    #[serde(with = "code::required")]
    pub kind: CityKind,
    pub region: Option<String>,
    pub country_code: Option<String>,
    pub geonames_id: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub population: Option<i64>,
    pub population_text: Option<String>,
    pub population_year: Option<i16>,
    pub population_source: Option<String>,
    pub area_km2: Option<Decimal>,
    pub area_text: Option<String>,
    pub names: Vec<CityName>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CityName {
    pub name: String,
    pub script: Option<String>,
    #[serde(with = "code::required")]
    pub kind: CityNameKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    #[serde(with = "code::required")]
    pub kind: OrganizationKind,
    pub city_id: Option<i64>,
    pub website: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A row of `cities.csv`, its other names `;`-separated.
#[derive(Debug, Default, Serialize)]
pub struct CityRow<'a> {
    city_id: i64,
    name: &'a str,
    native_name: Option<&'a str>,
    other_names: String,
    kind: String,
    region: Option<&'a str>,
    country_code: Option<&'a str>,
    geonames_id: Option<i64>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    population: Option<i64>,
    population_text: Option<&'a str>,
    population_year: Option<i16>,
    population_source: Option<&'a str>,
    #[serde(serialize_with = "cell::number")]
    area_km2: Option<Decimal>,
    area_text: Option<&'a str>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

impl<'a> From<&'a City> for CityRow<'a> {
    fn from(c: &'a City) -> Self {
        Self {
            city_id: c.id,
            name: &c.name,
            native_name: c.native_name.as_deref(),
            other_names: (c.names.iter().map(|n| n.name.as_str()))
                .collect::<Vec<_>>()
                .join(";"),
            kind: c.kind.to_value(),
            region: c.region.as_deref(),
            country_code: c.country_code.as_deref(),
            geonames_id: c.geonames_id,
            latitude: c.latitude,
            longitude: c.longitude,
            population: c.population,
            population_text: c.population_text.as_deref(),
            population_year: c.population_year,
            population_source: c.population_source.as_deref(),
            area_km2: c.area_km2,
            area_text: c.area_text.as_deref(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

/// A row of `organizations.csv`.
#[derive(Debug, Default, Serialize)]
pub struct OrganizationRow<'a> {
    organization_id: i64,
    name: &'a str,
    kind: String,
    city_id: Option<i64>,
    website: Option<&'a str>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

impl<'a> From<&'a Organization> for OrganizationRow<'a> {
    fn from(o: &'a Organization) -> Self {
        Self {
            organization_id: o.id,
            name: &o.name,
            kind: o.kind.to_value(),
            city_id: o.city_id,
            website: o.website.as_deref(),
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}
