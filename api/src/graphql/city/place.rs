//! The city of a named place ("Bologna", Italy), found or made the one way both the importer and
//! the mutations that take cities by name (`createPlan`'s `partnerCities: [{place: …}]`) do, so
//! that the same name always ends at the same row.

use std::collections::HashSet;

use async_graphql::{ID, InputObject, OneofObject};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use super::write::{FIELDS, entry};
use crate::auth::Permission;
use crate::domain::gazetteer::{CityEntry, Gazetteer, PlaceRef};
use crate::domain::text::name_key;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeKind;
use crate::graphql::write::{self, Diff, Entry, Named, Operation, Rows, Write};
use entity::enums::{CityKind, CityNameKind};
use entity::{city, city_name};

/// Finds the city row of a place: by GeoNames id when the gazetteer knows it, else by name and country.
async fn find_city(w: &Rows<'_>, p: &PlaceRef) -> Result<Option<city::Model>, DbErr> {
    if let Some(entry) = &p.entry {
        let hit = city::Entity::find()
            .filter(city::Column::GeonamesId.eq(entry.geonames_id))
            .one(w.txn)
            .await?;
        if hit.is_some() {
            return Ok(hit);
        }
    }
    let mut q = city::Entity::find().filter(city::Column::NameKey.eq(name_key(&display_name(p))));
    q = match &p.country_code {
        Some(cc) => q.filter(city::Column::CountryCode.eq(cc.as_str())),
        None => q.filter(city::Column::CountryCode.is_null()),
    };
    q.one(w.txn).await
}

/// A city that another of its names (one a merge recorded, say) names, in the place's country; a
/// place of no known country takes the city only when just one has that name. The place is that
/// city, as it is.
async fn named_city(w: &Rows<'_>, p: &PlaceRef) -> Result<Option<city::Model>, DbErr> {
    let mut names = vec![p.name.clone()];
    let display = display_name(p);
    if display != p.name {
        names.push(display);
    }
    let mut q = city::Entity::find()
        .inner_join(city_name::Entity)
        .filter(city_name::Column::Name.is_in(names));
    if let Some(cc) = &p.country_code {
        q = q.filter(city::Column::CountryCode.eq(cc.as_str()));
    }
    let mut found = q.distinct().limit(2).all(w.txn).await?;
    Ok(match found.len() {
        1 => found.pop(),
        _ => None,
    })
}

/// The city a place already is, as it is: by GeoNames id, by name and country, or by another of
/// its names.
async fn found(w: &Rows<'_>, p: &PlaceRef) -> Result<Option<city::Model>, DbErr> {
    match find_city(w, p).await? {
        Some(row) => Ok(Some(row)),
        None => named_city(w, p).await,
    }
}

/// The gazetteer's name when matched ("Rome" for "Roma"), else the published one.
fn display_name(p: &PlaceRef) -> String {
    p.entry
        .as_ref()
        .map(|e| e.name.clone())
        .unwrap_or_else(|| p.name.clone())
}

fn guess_kind(name: &str) -> CityKind {
    let key = name_key(name);
    let has = |w: &str| key.split(' ').any(|t| t == w);
    if has("region") || has("metropolitan") || has("province") {
        CityKind::Region
    } else if has("district") || has("ddg") {
        CityKind::District
    } else if has("zone") || (has("new") && has("area")) {
        CityKind::DevelopmentZone
    } else if has("association") || has("union") {
        CityKind::Association
    } else {
        CityKind::City
    }
}

/// The city of a place: found by GeoNames id, by name and country or by another of its names,
/// else made from the gazetteer (or as published when unknown); a city found by id or name takes
/// the gazetteer's figures it lacks. Returns its id.
pub async fn place(w: &mut Rows<'_>, p: &PlaceRef) -> Result<i64, DbErr> {
    let existing = find_city(w, p).await?;
    if existing.is_none()
        && let Some(named) = named_city(w, p).await?
    {
        w.tally.unchanged += 1;
        return Ok(named.id);
    }
    Ok(save(w, p, existing).await?.id)
}

/// Writes the city of place `p`: `existing` (found by GeoNames id or name) takes the gazetteer's
/// figures it lacks; none: a new city with its names.
async fn save(
    w: &mut Rows<'_>,
    p: &PlaceRef,
    existing: Option<city::Model>,
) -> Result<city::Model, DbErr> {
    let name = display_name(p);
    let entry: Option<&CityEntry> = p.entry.as_ref();
    let is_new = existing.is_none();
    let row = w
        .upsert::<city::ActiveModel>("cities", existing, |c| {
            c.name.set_if_not_equals(name.clone());
            c.name_key.set_if_not_equals(name_key(&name));
            c.country_code.set_if_not_equals(p.country_code.clone());
            if let Some(e) = entry {
                c.native_name.set_if_not_equals(e.native_name.clone());
                c.geonames_id.set_if_not_equals(Some(e.geonames_id));
                c.latitude.set_if_not_equals(Some(e.latitude));
                c.longitude.set_if_not_equals(Some(e.longitude));
            }
            if c.kind.is_not_set() {
                c.kind = ActiveValue::Set(if entry.is_some() {
                    CityKind::City
                } else {
                    guess_kind(&p.name)
                });
            }
            if c.region.is_not_set() || matches!(&c.region, ActiveValue::Unchanged(None)) {
                c.region
                    .set_if_not_equals(p.region.clone().or(entry.and_then(|e| e.region.clone())));
            }
            // A population already recorded (from a summary, with its source) wins over GeoNames.
            if let Some(pop) = entry.and_then(|e| e.population)
                && (c.population.is_not_set()
                    || matches!(&c.population, ActiveValue::Unchanged(None)))
            {
                c.population = ActiveValue::Set(Some(pop));
                c.population_source = ActiveValue::Set(Some("GeoNames".to_owned()));
            }
        })
        .await?;
    if is_new {
        city_names(w, &row, p).await?;
    }
    Ok(row)
}

/// The names a new city is known by (native script, romanised, the published spelling).
async fn city_names(w: &mut Rows<'_>, row: &city::Model, p: &PlaceRef) -> Result<(), DbErr> {
    let mut names: Vec<(String, CityNameKind)> = Vec::new();
    if let Some(native) = &row.native_name {
        names.push((native.clone(), CityNameKind::Native));
    }
    names.push((row.name.clone(), CityNameKind::Romanised));
    names.push((p.name.clone(), CityNameKind::Alias));
    if let Some(e) = &p.entry {
        names.extend(e.aliases.iter().map(|a| (a.clone(), CityNameKind::Alias)));
    }
    let mut seen = HashSet::new();
    for (name, kind) in names {
        if name.is_empty() || !seen.insert(name.clone()) {
            continue;
        }
        let am = city_name::ActiveModel {
            city_id: ActiveValue::Set(row.id),
            name: ActiveValue::Set(name),
            kind: ActiveValue::Set(kind),
            ..Default::default()
        };
        *w.tally.created.entry("city names").or_default() += 1;
        am.insert(w.txn).await?;
    }
    Ok(())
}

/// A city of an input: an existing one by ID, or a place by name and country.
#[derive(OneofObject)]
pub enum CityRefInput {
    /// An existing city.
    Id(ID),
    /// A place by name, found as the importer finds it (GeoNames id, name and country, other
    /// names), else made from the gazetteer (admins only).
    Place(PlaceInput),
}

/// A place by name.
#[derive(InputObject)]
pub struct PlaceInput {
    /// Its name in any of the gazetteer's spellings ("Roma", "Rome"), 1–200 characters.
    pub name: String,
    /// Its country: ISO 3166 alpha-2 or alpha-3 code, or name ("IT", "Italy", "Italia").
    pub country: Option<String>,
}

impl Named for CityRefInput {
    async fn resolve(self, w: &Write, field: &str) -> ApiResult<(ID, Vec<Entry>)> {
        match self {
            Self::Id(id) => Ok((id, Vec::new())),
            Self::Place(place) => {
                let (id, made) = place.resolve(w, &write::field_in(field, "place")).await?;
                Ok((id, made.into_iter().collect()))
            }
        }
    }
}

impl PlaceInput {
    /// The place's city, found or made (see [`CityRefInput::Place`]), and the change-feed entry of
    /// a city made for it. `field` is the input field ("focalPlace").
    pub async fn resolve(&self, w: &Write, field: &str) -> ApiResult<(ID, Option<Entry>)> {
        let (name, _) = write::name(&write::field_in(field, "name"), &self.name)?;
        let gazetteer = Gazetteer::bundled();
        let country = match self.country.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(gazetteer.find_country(c).ok_or_else(|| {
                ApiError::invalid(
                    write::field_in(field, "country"),
                    format!("no country is called {c:?}"),
                )
            })?),
        };
        let place = gazetteer.place_in(&name, country);
        let mut rows = Rows::new(&w.txn);
        if let Some(row) = found(&rows, &place).await? {
            return Ok((NodeKind::City.id(row.id), None));
        }
        // Making a city is an admin's decision, like createCity.
        w.require(Permission::Administer)?;
        let row = save(&mut rows, &place, None).await?;
        let id = row.id;
        let mut diff = Diff::default();
        diff.record(None, Some(&row), FIELDS);
        Ok((
            NodeKind::City.id(id),
            Some(entry(id, Operation::Created, diff)),
        ))
    }
}
