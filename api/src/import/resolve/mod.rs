//! Resolves a parsed summary's places against the gazetteer: the focal city, each partner with its
//! own country (the summary's Country cell lists fewer entries than partners), and the cities that
//! activities and expected results name. Pure: what cannot be resolved is kept and reported.
//!
//! This file holds the resolved types and the walk over a summary; `places` resolves the summary's
//! own places (focal city, partners, activity places) and `texts` the cities its texts name.

mod places;
mod texts;

#[cfg(test)]
mod tests;

pub use crate::domain::gazetteer::PlaceRef;
use crate::domain::gazetteer::{CityEntry, Gazetteer};
use crate::domain::text::name_key;
use crate::import::model::{ParseIssue, ParsedSummary};

use places::{resolve_focal, resolve_partners, resolve_place};
use texts::{PlanPlaces, cities_named};

/// Cities that texts name in passing must be this big unless they are in a plan country.
const TEXT_MIN_POPULATION: i64 = 100_000;

/// A parsed summary with its places resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSummary {
    pub parsed: ParsedSummary,
    pub focal: PlaceRef,
    /// In published order; a partner the gazetteer does not know is kept with `entry: None`.
    pub partners: Vec<PlaceRef>,
    /// Per activity, same order: where it took place (`None` when online or not said).
    pub activity_places: Vec<Option<PlaceRef>>,
    /// Per activity: the cities its text names, in text order, each once.
    pub activity_cities: Vec<Vec<PlaceRef>>,
    /// Per expected result: the cities its text names.
    pub result_cities: Vec<Vec<PlaceRef>>,
    /// What the resolver could not resolve (the parser's own issues stay in `parsed.issues`).
    pub issues: Vec<ParseIssue>,
}

/// Resolves every place of a summary. Never drops a published place.
pub fn resolve(parsed: ParsedSummary, gazetteer: &Gazetteer) -> ResolvedSummary {
    let mut issues = Vec::new();
    let focal = resolve_focal(&parsed, gazetteer, &mut issues);
    let partners = resolve_partners(&parsed, gazetteer, &mut issues);

    let mut plan_countries: Vec<&str> = Vec::new();
    for code in std::iter::once(&focal)
        .chain(&partners)
        .filter_map(|p| p.country_code.as_deref())
    {
        if !plan_countries.contains(&code) {
            plan_countries.push(code);
        }
    }
    let plan = PlanPlaces::new(std::iter::once(&focal).chain(&partners));

    let mut activity_places = Vec::with_capacity(parsed.activities.len());
    let mut activity_cities = Vec::with_capacity(parsed.activities.len());
    for a in &parsed.activities {
        let place = a.place.as_deref().map(str::trim).filter(|p| !p.is_empty());
        let resolved = match place {
            Some(p) if name_key(p) == "online" => None,
            Some(p) => Some(resolve_place(
                p,
                &plan,
                gazetteer,
                &plan_countries,
                &mut issues,
            )),
            None => None,
        };
        activity_places.push(resolved);
        let text = if a.description.contains(&a.title) {
            a.description.clone()
        } else {
            format!("{}. {}", a.title, a.description)
        };
        activity_cities.push(cities_named(&text, &plan, gazetteer, &plan_countries));
    }
    let result_cities = parsed
        .expected_results
        .iter()
        .map(|r| cities_named(&r.description, &plan, gazetteer, &plan_countries))
        .collect();

    ResolvedSummary {
        parsed,
        focal,
        partners,
        activity_places,
        activity_cities,
        result_cities,
        issues,
    }
}

fn place_from(published: &str, e: &CityEntry) -> PlaceRef {
    PlaceRef {
        name: published.to_owned(),
        entry: Some(e.clone()),
        country_code: Some(e.country_code.clone()),
        region: e.region.clone(),
    }
}
