//! Writing cities: reference data of every plan, so admins only. A city still referenced by a
//! plan, an organization, an activity, an expected result or an MoU is not deleted.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::City;
use crate::auth::{Permission, policy};
use crate::error::{ApiError, ApiResult};
use crate::graphql::enums::CityKind;
use crate::graphql::filter::country_code;
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::write::{
    self, DeletePayload, Diff, Entry, Fields, Idempotent, Operation, Reference, Write,
    check_version,
};
use entity::{
    activity, activity_city, city, country, expected_result_city, mou_party, organization, plan,
    plan_partner_city,
};

/// A new city (or region, district, …).
#[derive(InputObject)]
pub struct CreateCityInput {
    /// Name in English or romanised form, 1–200 characters; unique within its country.
    name: String,
    /// Name in the country's own script.
    native_name: Option<String>,
    /// What kind of place it is.
    kind: CityKind,
    /// Province, state or region.
    region: Option<String>,
    /// ISO 3166-1 alpha-2 code of its country ("CN").
    country_code: Option<String>,
    /// Latitude (WGS 84), −90 to 90; given together with the longitude.
    latitude: Option<f64>,
    /// Longitude (WGS 84), −180 to 180; given together with the latitude.
    longitude: Option<f64>,
    /// Population, 0 or more.
    population: Option<i64>,
    /// Client key that makes the create safe to retry (see `createActivity`).
    idempotency_key: Option<String>,
}

/// Changes to a city: absent fields stay as they are; `null` clears an optional field. A new
/// population clears the published text, year and source of the old figure.
#[derive(InputObject, Default)]
pub struct UpdateCityInput {
    name: Option<String>,
    native_name: MaybeUndefined<String>,
    kind: Option<CityKind>,
    region: MaybeUndefined<String>,
    country_code: MaybeUndefined<String>,
    latitude: MaybeUndefined<f64>,
    longitude: MaybeUndefined<f64>,
    population: MaybeUndefined<i64>,
}

/// The city created or changed.
#[derive(SimpleObject)]
pub struct CityPayload {
    pub(super) city: City,
}

#[derive(Default)]
pub struct CityMutation;

#[Object]
impl CityMutation {
    /// Creates a city (admins only); CONFLICT when one of that name exists in the country.
    async fn create_city(
        &self,
        ctx: &Context<'_>,
        input: CreateCityInput,
    ) -> ApiResult<CityPayload> {
        let w = Write::begin(ctx, Permission::Administer).await?;
        let key = match w
            .replay(input.idempotency_key.as_deref(), "createCity", &input)
            .await?
        {
            Some(Idempotent::Done(id)) => return existing(&w, id).await,
            key => key,
        };
        let (name, name_key) = write::name("name", &input.name)?;
        let native_name = write::opt_text("nativeName", input.native_name.as_deref(), 200)?;
        let region = write::opt_text("region", input.region.as_deref(), 200)?;
        let country = match &input.country_code {
            Some(code) => Some(checked_country(&w, code).await?),
            None => None,
        };
        let (latitude, longitude) = checked_position(input.latitude, input.longitude)?;
        let population = input.population.map(checked_population).transpose()?;
        name_free(&w, &name, &name_key, country.as_deref(), None).await?;
        let row = write::insert_new(
            &w.txn,
            city::ActiveModel {
                name: Set(name),
                native_name: Set(native_name),
                name_key: Set(name_key),
                kind: Set(input.kind.into()),
                region: Set(region),
                country_code: Set(country),
                latitude: Set(latitude),
                longitude: Set(longitude),
                population: Set(population),
                ..Default::default()
            },
        )
        .await?;
        w.remember(key, NodeKind::City, row.id).await?;
        let mut diff = Diff::default();
        diff.record(None, Some(&row), FIELDS);
        w.commit(vec![entry(row.id, Operation::Created, diff)])
            .await?;
        Ok(CityPayload { city: City(row) })
    }

    /// Changes a city read at `version` (admins only); CONFLICT with the current version when it
    /// changed meanwhile.
    async fn update_city(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateCityInput,
    ) -> ApiResult<CityPayload> {
        let w = Write::begin(ctx, Permission::Administer).await?;
        let id = decode_int(&id, NodeKind::City, "id")?;
        let current = city::Entity::find_by_id(id)
            .one(&w.txn)
            .await?
            .ok_or(ApiError::NotFound)?;
        check_version(current.version, version)?;
        let mut row: city::ActiveModel = current.clone().into();
        if let Some(name) = &input.name {
            let (name, key) = write::name("name", name)?;
            row.name.set_if_not_equals(name);
            row.name_key.set_if_not_equals(key);
        }
        let opt = |v: &MaybeUndefined<String>, field: &str| -> ApiResult<Option<Option<String>>> {
            Ok(match v {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(t) => Some(write::opt_text(field, Some(t), 200)?),
            })
        };
        if let Some(native) = opt(&input.native_name, "nativeName")? {
            row.native_name.set_if_not_equals(native);
        }
        if let Some(region) = opt(&input.region, "region")? {
            row.region.set_if_not_equals(region);
        }
        if let Some(kind) = input.kind {
            row.kind.set_if_not_equals(kind.into());
        }
        match &input.country_code {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.country_code.set_if_not_equals(None),
            MaybeUndefined::Value(code) => row
                .country_code
                .set_if_not_equals(Some(checked_country(&w, code).await?)),
        }
        let latitude = match input.latitude {
            MaybeUndefined::Undefined => current.latitude,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(v) => Some(v),
        };
        let longitude = match input.longitude {
            MaybeUndefined::Undefined => current.longitude,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(v) => Some(v),
        };
        let (latitude, longitude) = checked_position(latitude, longitude)?;
        row.latitude.set_if_not_equals(latitude);
        row.longitude.set_if_not_equals(longitude);
        let population = match input.population {
            MaybeUndefined::Undefined => current.population,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(v) => Some(checked_population(v)?),
        };
        if population != current.population {
            // The published text, year and source described the old figure.
            row.population = Set(population);
            row.population_text.set_if_not_equals(None);
            row.population_year.set_if_not_equals(None);
            row.population_source.set_if_not_equals(None);
        }
        if row.name_key.is_set() || row.country_code.is_set() {
            let name = row.name.as_ref().clone();
            let key = row.name_key.as_ref().clone();
            let country = row.country_code.as_ref().clone();
            name_free(&w, &name, &key, country.as_deref(), Some(id)).await?;
        }
        if !row.is_changed() {
            w.commit(Vec::new()).await?;
            return Ok(CityPayload {
                city: City(current),
            });
        }
        let updated = write::save_versioned(&w.txn, row, id, version).await?;
        let mut diff = Diff::default();
        diff.record(Some(&current), Some(&updated), FIELDS);
        w.commit(vec![entry(id, Operation::Updated, diff)]).await?;
        Ok(CityPayload {
            city: City(updated),
        })
    }

    /// Deletes a city read at `version` (admins only); CONFLICT while a plan, a partner link, an
    /// organization, an activity, an expected result or an MoU refers to it.
    async fn delete_city(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> ApiResult<DeletePayload> {
        let w = Write::begin(ctx, Permission::Administer).await?;
        let id = decode_int(&id, NodeKind::City, "id")?;
        let current = city::Entity::find_by_id(id)
            .one(&w.txn)
            .await?
            .ok_or(ApiError::NotFound)?;
        check_version(current.version, version)?;
        let uses = write::references(&w.txn, id, REFERENCES).await?;
        if !uses.is_empty() {
            return Err(in_use(&current.name, &uses));
        }
        let deleted = city::Entity::delete_many()
            .filter(city::Column::Id.eq(id))
            .filter(city::Column::Version.eq(version))
            .exec(&w.txn)
            .await
            .map_err(|e| match e.sql_err() {
                // A reference committed after the check above (PostgreSQL).
                Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
                    in_use(&current.name, &["a record written meanwhile".to_owned()])
                }
                _ => e.into(),
            })?;
        if deleted.rows_affected != 1 {
            return Err(match city::Entity::find_by_id(id).one(&w.txn).await? {
                Some(now) => ApiError::StaleVersion {
                    current: now.version,
                },
                None => ApiError::NotFound,
            });
        }
        let mut diff = Diff::default();
        diff.record(Some(&current), None, FIELDS);
        w.commit(vec![entry(id, Operation::Deleted, diff)]).await?;
        Ok(DeletePayload::new(NodeKind::City, id))
    }
}

/// The audited fields of a city.
pub(super) const FIELDS: &Fields<city::Model> = &[
    ("name", |m| m.name.clone().into()),
    ("nativeName", |m| m.native_name.clone().into()),
    ("kind", |m| m.kind.to_value().into()),
    ("region", |m| m.region.clone().into()),
    ("countryCode", |m| m.country_code.clone().into()),
    ("latitude", |m| m.latitude.into()),
    ("longitude", |m| m.longitude.into()),
    ("population", |m| m.population.into()),
    ("populationText", |m| m.population_text.clone().into()),
    ("populationYear", |m| m.population_year.into()),
    ("populationSource", |m| m.population_source.clone().into()),
    ("version", |m| m.version.into()),
];

/// Cities are public reference data of no plan in particular.
pub(super) fn entry(id: i64, operation: Operation, diff: Diff) -> Entry {
    let public = policy::is_reference_data(NodeKind::City);
    Entry::new(NodeKind::City, id, operation, Vec::new(), public, diff)
}

/// A country code of the country table.
async fn checked_country(w: &Write, code: &str) -> ApiResult<String> {
    let code = country_code(code, "countryCode")?;
    country::Entity::find_by_id(code.clone())
        .one(&w.txn)
        .await?
        .map(|c| c.code)
        .ok_or_else(|| ApiError::invalid("countryCode", format!("no country has code {code}")))
}

/// Latitude and longitude: both or neither, each in its range.
fn checked_position(
    latitude: Option<f64>,
    longitude: Option<f64>,
) -> ApiResult<(Option<f64>, Option<f64>)> {
    if let Some(lat) = latitude
        && !(lat.is_finite() && (-90.0..=90.0).contains(&lat))
    {
        return Err(ApiError::invalid("latitude", "must be between -90 and 90"));
    }
    if let Some(lon) = longitude
        && !(lon.is_finite() && (-180.0..=180.0).contains(&lon))
    {
        return Err(ApiError::invalid(
            "longitude",
            "must be between -180 and 180",
        ));
    }
    match (latitude, longitude) {
        (Some(_), None) => Err(ApiError::invalid(
            "longitude",
            "must be given with the latitude",
        )),
        (None, Some(_)) => Err(ApiError::invalid(
            "latitude",
            "must be given with the longitude",
        )),
        both => Ok(both),
    }
}

fn checked_population(population: i64) -> ApiResult<i64> {
    if population < 0 {
        return Err(ApiError::invalid("population", "must be 0 or more"));
    }
    Ok(population)
}

/// CONFLICT when another city of the country has the same name key.
async fn name_free(
    w: &Write,
    name: &str,
    key: &str,
    country: Option<&str>,
    except: Option<i64>,
) -> ApiResult<()> {
    let mut find = city::Entity::find().filter(city::Column::NameKey.eq(key));
    find = match country {
        Some(cc) => find.filter(city::Column::CountryCode.eq(cc)),
        None => find.filter(city::Column::CountryCode.is_null()),
    };
    if let Some(id) = except {
        find = find.filter(city::Column::Id.ne(id));
    }
    if find.one(&w.txn).await?.is_some() {
        return Err(ApiError::Conflict(match country {
            Some(cc) => format!("a city named \"{name}\" exists in {cc}"),
            None => format!("a city named \"{name}\" without a country exists"),
        }));
    }
    Ok(())
}

/// What refers to a city.
pub(super) const REFERENCES: &[Reference] = &[
    Reference::to(&plan::Column::FocalCityId, "plan (focal city)"),
    Reference::link(
        &plan_partner_city::Column::CityId,
        &plan_partner_city::Column::PlanId,
        "plan (partner city)",
    ),
    Reference::to(&organization::Column::CityId, "organization"),
    Reference::to(&activity::Column::PlaceCityId, "activity (place)"),
    Reference::link(
        &activity_city::Column::CityId,
        &activity_city::Column::ActivityId,
        "activity (taking part)",
    ),
    Reference::link(
        &expected_result_city::Column::CityId,
        &expected_result_city::Column::ExpectedResultId,
        "expected result",
    ),
    Reference::to(&mou_party::Column::CityId, "MoU party"),
];

fn in_use(name: &str, uses: &[String]) -> ApiError {
    ApiError::Conflict(format!(
        "the city \"{name}\" is still referenced by {}; remove those references first",
        uses.join(", ")
    ))
}

/// The answer to a replayed create: the city as it is now.
async fn existing(w: &Write, id: i64) -> ApiResult<CityPayload> {
    let row = city::Entity::find_by_id(id)
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(CityPayload { city: City(row) })
}
