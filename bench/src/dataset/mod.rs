//! The synthetic dataset: real cities from the gazetteer (Asian and American focal cities, European
//! partners), plans with 2–6 partners, 3–6 themes and the SDGs and Urban Agenda partnerships those
//! themes imply, ~50 dated activities a plan (some shared by two plans), MoUs with two parties,
//! expected results and the organizations cities act through. Deterministic for a given seed.

mod activities;
mod mous;
mod plans;
pub mod write;

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::enums::{CityKind, CityNameKind};
use entity::{city, city_name, contact, organization, plan, plan_partner_city, plan_sdg_goal};
use entity::{plan_sdg_target, plan_urban_agenda, statement, theme};
use ucap::domain::text::name_key;

use super::catalogue::{self, ThemeSpec};
use super::gazetteer::{self, GazCity};
use super::rng::Rng;

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub plans: usize,
    pub activities: usize,
    pub mous: usize,
    pub cities: usize,
}

/// Code lists seeded by the migrations, which generated plans link to.
pub struct Codes {
    /// SDG target codes by goal number.
    pub targets: HashMap<i16, Vec<String>>,
    /// Urban Agenda partnership ids by key.
    pub partnerships: HashMap<String, i64>,
}

/// Every row to insert, table by table.
#[derive(Default)]
pub struct Tables {
    pub cities: Vec<city::Model>,
    pub city_names: Vec<city_name::Model>,
    pub organizations: Vec<organization::Model>,
    pub plans: Vec<plan::Model>,
    pub partners: Vec<plan_partner_city::Model>,
    pub themes: Vec<theme::Model>,
    pub statements: Vec<statement::Model>,
    pub sdg_goals: Vec<plan_sdg_goal::Model>,
    pub sdg_targets: Vec<plan_sdg_target::Model>,
    pub partnerships: Vec<plan_urban_agenda::Model>,
    pub contacts: Vec<contact::Model>,
    pub activities: Vec<entity::activity::Model>,
    pub plan_activities: Vec<entity::plan_activity::Model>,
    pub activity_cities: Vec<entity::activity_city::Model>,
    pub activity_organizations: Vec<entity::activity_organization::Model>,
    pub results: Vec<entity::expected_result::Model>,
    pub result_cities: Vec<entity::expected_result_city::Model>,
    pub mous: Vec<entity::mou::Model>,
    pub mou_parties: Vec<entity::mou_party::Model>,
    pub plan_mous: Vec<entity::plan_mou::Model>,
}

/// A generated city as the later generators need it.
struct Place {
    id: i64,
    name: String,
    /// Its organizations; the first is the municipal government.
    orgs: Vec<i64>,
}

/// A generated plan as the activity and MoU generators need it.
struct Sketch {
    id: i64,
    /// Index into the places.
    focal: usize,
    partners: Vec<usize>,
    start: NaiveDate,
    themes: Vec<&'static ThemeSpec>,
}

/// All rows carry the same timestamps so that two runs produce identical databases.
fn stamp() -> DateTime<Utc> {
    DateTime::from_timestamp(1_748_736_000, 0).unwrap_or_default()
}

/// Builds the whole dataset in memory.
pub fn build(sizes: &Sizes, seed: u64, gazetteer: &[GazCity], codes: &Codes) -> Tables {
    let mut rng = Rng::new(seed);
    let mut t = Tables::default();
    let n_focal = (sizes.cities * 45 / 100).max(1);
    let focal = gazetteer::choose(gazetteer, catalogue::FOCAL_COUNTRIES, n_focal);
    let partners = gazetteer::choose(
        gazetteer,
        catalogue::PARTNER_COUNTRIES,
        sizes.cities.saturating_sub(focal.len()).max(6),
    );
    let mut places = Vec::new();
    for g in focal.iter().chain(&partners) {
        add_city(&mut t, &mut places, g);
    }
    let sketches = plans::add_plans(&mut t, &mut rng, &places, focal.len(), sizes.plans, codes);
    activities::add(&mut t, &mut rng, &places, &sketches, sizes.activities);
    mous::add_results(&mut t, &mut rng, &places, &sketches);
    mous::add_mous(&mut t, &mut rng, &places, &sketches, sizes.mous);
    t
}

fn add_city(t: &mut Tables, places: &mut Vec<Place>, g: &GazCity) {
    let id = places.len() as i64 + 1;
    t.cities.push(city::Model {
        id,
        name: g.name.clone(),
        native_name: g.native_name.clone(),
        name_key: name_key(&g.name),
        kind: CityKind::City,
        region: g.region.clone(),
        country_code: Some(g.country_code.clone()),
        geonames_id: Some(g.geonames_id),
        latitude: Some(g.latitude),
        longitude: Some(g.longitude),
        population: Some(g.population),
        population_text: None,
        population_year: None,
        population_source: Some("GeoNames".to_owned()),
        area_km2: None,
        area_text: None,
        created_at: stamp(),
        updated_at: stamp(),
        version: 1,
    });
    if let Some(native) = &g.native_name {
        t.city_names.push(city_name::Model {
            id: t.city_names.len() as i64 + 1,
            city_id: id,
            name: native.clone(),
            script: None,
            kind: CityNameKind::Native,
        });
    }
    let mut orgs = Vec::new();
    for (pattern, kind) in catalogue::ORGANIZATIONS {
        let name = pattern.replace("{}", &g.name);
        let org_id = t.organizations.len() as i64 + 1;
        t.organizations.push(organization::Model {
            id: org_id,
            name_key: format!("{} {}", name_key(&name), g.country_code.to_lowercase()),
            name,
            kind: *kind,
            city_id: Some(id),
            website: None,
            created_at: stamp(),
            updated_at: stamp(),
            version: 1,
        });
        orgs.push(org_id);
    }
    places.push(Place {
        id,
        name: g.name.clone(),
        orgs,
    });
}

fn last_of_month(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(first)
}
