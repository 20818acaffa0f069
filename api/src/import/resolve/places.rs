//! The summary's own places: the focal city, each partner with its country (whole city or a
//! composite name such as "Stuttgart Region") and each activity's place, with the issues for
//! names the gazetteer lacks.

use entity::enums::{IssueEntity, Severity};

use super::texts::PlanPlaces;
use super::{PlaceRef, TEXT_MIN_POPULATION, place_from};
use crate::domain::gazetteer::{CityEntry, CountryEntry, Gazetteer};
use crate::domain::text::name_key;
use crate::import::model::{ParseIssue, ParsedSummary};

/// Words that make a place out of a city's name: "Stuttgart Region", "City of Rome",
/// "Guangzhou Development District". Stripped to find the core city's country.
const GENERIC_WORDS: &[&str] = &[
    "agglomeration",
    "area",
    "association",
    "capital",
    "city",
    "council",
    "county",
    "development",
    "district",
    "economic",
    "government",
    "greater",
    "high",
    "hightech",
    "industrial",
    "metropolitan",
    "metropolis",
    "municipal",
    "municipality",
    "new",
    "of",
    "park",
    "prefecture",
    "province",
    "region",
    "regional",
    "tech",
    "technology",
    "the",
    "urban",
    "zone",
];

pub(super) fn resolve_focal(
    parsed: &ParsedSummary,
    gazetteer: &Gazetteer,
    issues: &mut Vec<ParseIssue>,
) -> PlaceRef {
    let focal = &parsed.focal;
    let country = focal.country.as_deref().and_then(|c| {
        let found = gazetteer.find_country(c);
        if found.is_none() {
            issues.push(unknown_country(IssueEntity::City, "country", c));
        }
        found
    });
    // The Country cell is the publisher's word: a namesake elsewhere is not the focal city.
    let place = gazetteer.place_in(&focal.name, country);
    let core = if place.entry.is_none() {
        let hints: Vec<&str> = country.iter().map(|c| c.code.as_str()).collect();
        core_city(&focal.name, gazetteer, &hints)
            .filter(|e| country.is_none_or(|c| c.code == e.country_code))
    } else {
        None
    };
    if place.entry.is_none() && core.is_none() {
        issues.push(unknown_city("city", &focal.name, country));
    }
    PlaceRef {
        country_code: place
            .country_code
            .or_else(|| core.map(|e| e.country_code.clone())),
        region: focal
            .region
            .clone()
            .or(place.region)
            .or_else(|| core.and_then(|e| e.region.clone())),
        ..place
    }
}

pub(super) fn resolve_partners(
    parsed: &ParsedSummary,
    gazetteer: &Gazetteer,
    issues: &mut Vec<ParseIssue>,
) -> Vec<PlaceRef> {
    let mut countries: Vec<&CountryEntry> = Vec::new();
    for published in &parsed.partner_countries {
        match gazetteer.find_country(published) {
            Some(c) if !countries.iter().any(|k| k.code == c.code) => countries.push(c),
            Some(_) => {}
            // The Country cell belongs to the plan, not to any one partner.
            None => issues.push(unknown_country(
                IssueEntity::Plan,
                "partner_countries",
                published,
            )),
        }
    }
    let hints: Vec<&str> = countries.iter().map(|c| c.code.as_str()).collect();
    let only_country = match countries.as_slice() {
        [only] => Some(*only),
        _ => None,
    };

    parsed
        .partners
        .iter()
        .map(|name| {
            let entry = gazetteer
                .find_city(name, &hints)
                .filter(|e| plausible_partner(e, &hints, name))
                .cloned();
            if let Some(e) = entry {
                return PlaceRef {
                    name: name.clone(),
                    country_code: Some(e.country_code.clone()),
                    region: published_region(e.region.as_deref(), &parsed.partner_regions),
                    entry: Some(e),
                };
            }
            // "Stuttgart Region": the region is not the city, but it lies in the city's country.
            let core = core_city(name, gazetteer, &hints)
                .filter(|e| only_country.is_none_or(|c| c.code == e.country_code));
            match core {
                Some(core) => PlaceRef {
                    name: name.clone(),
                    entry: None,
                    country_code: Some(core.country_code.clone()),
                    region: published_region(core.region.as_deref(), &parsed.partner_regions),
                },
                None => {
                    issues.push(unknown_city("partner_cities", name, only_country));
                    PlaceRef {
                        name: name.clone(),
                        entry: None,
                        country_code: only_country.map(|c| c.code.clone()),
                        region: None,
                    }
                }
            }
        })
        .collect()
}

/// A partner found outside the listed countries must be a city in its own right, not a small
/// namesake reached through an alias.
fn plausible_partner(e: &CityEntry, hints: &[&str], published: &str) -> bool {
    if hints.is_empty() || hints.contains(&e.country_code.as_str()) {
        return true;
    }
    let own_name = [Some(&e.name), Some(&e.ascii_name), e.native_name.as_ref()]
        .into_iter()
        .flatten()
        .any(|n| name_key(n) == name_key(published));
    own_name && e.population.unwrap_or(0) >= TEXT_MIN_POPULATION
}

/// The city a composite name is built on: "Stuttgart Region" → Stuttgart, "City of Rome" → Rome.
fn core_city<'g>(name: &str, gazetteer: &'g Gazetteer, hints: &[&str]) -> Option<&'g CityEntry> {
    let key = name_key(name);
    let words: Vec<&str> = key.split(' ').collect();
    let generic = |w: &&str| GENERIC_WORDS.contains(w);
    let start = words.iter().position(|w| !generic(w))?;
    let end = words.iter().rposition(|w| !generic(w))? + 1;
    if end - start == words.len() {
        return None;
    }
    let core = words[start..end].join(" ");
    gazetteer
        .find_city(&core, hints)
        .filter(|e| plausible_partner(e, hints, &core))
}

/// The published spelling of a partner's region when the summary lists it ("Catalonia"), else the
/// gazetteer's.
fn published_region(gazetteer_region: Option<&str>, published: &[String]) -> Option<String> {
    let region = gazetteer_region?;
    let key = name_key(region);
    let same = published.iter().find(|p| name_key(p) == key);
    Some(same.map_or_else(|| region.to_owned(), Clone::clone))
}

/// An activity's place: one of the plan's own places by name, else a gazetteer city, else kept as
/// published with a warning.
pub(super) fn resolve_place(
    published: &str,
    plan: &PlanPlaces<'_>,
    gazetteer: &Gazetteer,
    plan_countries: &[&str],
    issues: &mut Vec<ParseIssue>,
) -> PlaceRef {
    let key = name_key(published);
    if let Some((_, place)) = plan.names.iter().find(|(k, _)| *k == key) {
        return PlaceRef {
            name: published.to_owned(),
            ..(*place).clone()
        };
    }
    match gazetteer.find_city(published, plan_countries) {
        Some(e) => place_from(published, e),
        None => {
            issues.push(ParseIssue {
                entity: IssueEntity::Activity,
                field: "place".to_owned(),
                severity: Severity::Warning,
                code: "unknown-city".to_owned(),
                message: format!("the activity place \"{published}\" is not in the gazetteer"),
                published_value: Some(published.to_owned()),
            });
            PlaceRef {
                name: published.to_owned(),
                entry: None,
                country_code: None,
                region: None,
            }
        }
    }
}

fn unknown_city(field: &str, name: &str, assumed: Option<&CountryEntry>) -> ParseIssue {
    let consequence = match assumed {
        Some(c) => format!("kept as published in {}, the only country listed", c.name),
        None => "kept as published without a country".to_owned(),
    };
    ParseIssue {
        entity: IssueEntity::City,
        field: field.to_owned(),
        severity: Severity::Warning,
        code: "unknown-city".to_owned(),
        message: format!("\"{name}\" is not in the gazetteer; {consequence}"),
        published_value: Some(name.to_owned()),
    }
}

fn unknown_country(entity: IssueEntity, field: &str, name: &str) -> ParseIssue {
    ParseIssue {
        entity,
        field: field.to_owned(),
        severity: Severity::Warning,
        code: "unknown-country".to_owned(),
        message: format!("the country \"{name}\" is not in ISO 3166"),
        published_value: Some(name.to_owned()),
    }
}
