//! Cities: found by GeoNames id or by name and country, created from the gazetteer, and the focal
//! city's published figures.

use std::collections::HashSet;

use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use super::Writer;
use crate::domain::text::name_key;
use crate::import::gazetteer::CityEntry;
use crate::import::resolve::{PlaceRef, ResolvedSummary};
use entity::enums::{CityKind, CityNameKind};
use entity::{city, city_name};

/// Finds the city row of a place: by GeoNames id when the gazetteer knows it, else by name and country.
pub(super) async fn find_city(w: &Writer<'_>, p: &PlaceRef) -> Result<Option<city::Model>, DbErr> {
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
async fn named_city(w: &Writer<'_>, p: &PlaceRef) -> Result<Option<city::Model>, DbErr> {
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

/// The gazetteer's name when matched ("Rome" for "Roma"), else the published one.
pub(super) fn display_name(p: &PlaceRef) -> String {
    p.entry
        .as_ref()
        .map(|e| e.name.clone())
        .unwrap_or_else(|| p.name.clone())
}

pub(super) fn guess_kind(name: &str) -> CityKind {
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

/// Upserts a place from the gazetteer (or as published when unknown); returns its id.
pub(super) async fn place(w: &mut Writer<'_>, p: &PlaceRef) -> Result<i64, DbErr> {
    let existing = find_city(w, p).await?;
    if existing.is_none()
        && let Some(named) = named_city(w, p).await?
    {
        w.tally.unchanged += 1;
        return Ok(named.id);
    }
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
    Ok(row.id)
}

/// The names a new city is known by (native script, romanised, the published spelling).
pub(super) async fn city_names(
    w: &mut Writer<'_>,
    row: &city::Model,
    p: &PlaceRef,
) -> Result<(), DbErr> {
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

/// The focal city, with the summary's own figures (published text beside the parsed value).
pub(super) async fn focal_city(
    w: &mut Writer<'_>,
    summary: &ResolvedSummary,
) -> Result<city::Model, DbErr> {
    let id = place(w, &summary.focal).await?;
    let existing = city::Entity::find_by_id(id).one(w.txn).await?;
    let f = &summary.parsed.focal;
    w.upsert::<city::ActiveModel>("cities", existing, |c| {
        if let Some(region) = &f.region {
            c.region.set_if_not_equals(Some(region.clone()));
        }
        if let Some(pop) = &f.population {
            c.population.set_if_not_equals(pop.as_i64());
            c.population_text
                .set_if_not_equals(Some(pop.text().to_owned()));
            c.population_source
                .set_if_not_equals(Some("U-CAP summary".to_owned()));
        }
        if let Some(area) = &f.area_km2 {
            c.area_km2.set_if_not_equals(area.area_km2());
            c.area_text.set_if_not_equals(Some(area.text().to_owned()));
        }
    })
    .await
}
