//! Tests on the Guangzhou sample: partners, focal city, activity places, cities named in texts
//! and what is reported when a place is unknown.

use super::*;
use crate::import::model::{ParsedActivity, ParsedPlace, ParsedResult};
use entity::enums::{ActivityKind, IssueEntity, ResultKind, Severity};

fn activity(description: &str, place: Option<&str>) -> ParsedActivity {
    ParsedActivity {
        date: None,
        kind: ActivityKind::Other,
        title: description.split('.').next().unwrap_or_default().to_owned(),
        description: description.to_owned(),
        place: place.map(str::to_owned),
        organizations: Vec::new(),
    }
}

fn result(position: u16, description: &str) -> ParsedResult {
    ParsedResult {
        position,
        kind: ResultKind::Other,
        description: description.to_owned(),
        organizations: Vec::new(),
        mou_subject: None,
        mou_parties_named: false,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The Guangzhou sample as the parser reads it (only what the resolver looks at).
fn guangzhou(partners: &[&str], countries: &[&str]) -> ParsedSummary {
    ParsedSummary {
        focal: ParsedPlace {
            name: "Guangzhou".to_owned(),
            region: Some("Guangdong".to_owned()),
            country: Some("China".to_owned()),
            population: None,
            area_km2: None,
        },
        partners: strings(partners),
        partner_regions: strings(&["Catalonia", "Baden-Württemberg", "Italy"]),
        partner_countries: strings(countries),
        period: None,
        period_text: None,
        period_context: None,
        themes: Vec::new(),
        sdgs: Vec::new(),
        urban_agenda: Vec::new(),
        focus: Vec::new(),
        challenges: Vec::new(),
        objectives: Vec::new(),
        activities: vec![
            activity(
                "Mission and meetings with European cities in Brussels (EU-China High Level \
                 Seminar on Regional Policy). Focus on themes and stakeholder mix for pilots.",
                Some("Brussels"),
            ),
            activity(
                "EU cities representatives visit Guangzhou and co-organize the Sino-EU \
                 Characteristic Town Cooperation Forum",
                Some("Guangzhou"),
            ),
            activity(
                "Guangzhou participates in an online discussion on public security and \
                 cross-border health threats and shared the Guangzhou experience",
                Some("online"),
            ),
            activity(
                "Online meeting Bologna – Guangzhou for the development of the Industrial \
                 Design Cooperation project including the creativity cluster and the \
                 University of Bologna",
                Some("online"),
            ),
        ],
        expected_results: vec![
            result(
                1,
                "MoUs with Granada, Rome and Barcelona on cooperation of Biotechnology and \
                 Health technology.",
            ),
            result(
                4,
                "Possible development of China-Europe health care cluster based on Bio-tech \
                 Island and former collaboration with Barcelona Hospital in Guangzhou DDG",
            ),
            result(
                5,
                "Co-launching joint R&D center in Guangzhou DDG with EU partners in specific \
                 fields: e.g. high-end manufacturing (with Mannheim and Stuttgart; digital \
                 economy (with Manchester)",
            ),
        ],
        contact_emails: Vec::new(),
        issues: Vec::new(),
    }
}

fn sample() -> ResolvedSummary {
    resolve(
        guangzhou(
            &["Barcelona", "Bologna", "Granada", "Stuttgart", "Rome"],
            &["Spain", "Germany", "Italy"],
        ),
        Gazetteer::bundled(),
    )
}

fn names(places: &[PlaceRef]) -> Vec<String> {
    places
        .iter()
        .map(|p| format!("{}/{}", p.name, p.country_code.as_deref().unwrap_or("-")))
        .collect()
}

#[test]
fn partners_get_their_own_countries_from_the_gazetteer() {
    let s = sample();
    assert_eq!(
        names(&s.partners),
        [
            "Barcelona/ES",
            "Bologna/IT",
            "Granada/ES",
            "Stuttgart/DE",
            "Rome/IT"
        ]
    );
    assert!(s.partners.iter().all(|p| p.entry.is_some()));
    assert_eq!(s.issues, []);
}

#[test]
fn partner_regions_keep_the_published_spelling() {
    let s = sample();
    let regions: Vec<Option<&str>> = s.partners.iter().map(|p| p.region.as_deref()).collect();
    assert_eq!(regions[0], Some("Catalonia"));
    assert_eq!(regions[3], Some("Baden-Württemberg"));
}

#[test]
fn the_focal_city_has_its_native_name_and_published_region() {
    let s = sample();
    assert_eq!(s.focal.country_code.as_deref(), Some("CN"));
    assert_eq!(s.focal.region.as_deref(), Some("Guangdong"));
    let native = s
        .focal
        .entry
        .as_ref()
        .and_then(|e| e.native_name.as_deref());
    assert_eq!(native, Some("广州"));
}

#[test]
fn results_name_plan_cities_and_other_cities() {
    let s = sample();
    let r: Vec<Vec<String>> = s.result_cities.iter().map(|c| names(c)).collect();
    assert_eq!(r[0], ["Granada/ES", "Rome/IT", "Barcelona/ES"]);
    assert_eq!(r[1], ["Barcelona/ES", "Guangzhou/CN"]);
    assert_eq!(
        r[2],
        [
            "Guangzhou/CN",
            "Mannheim/DE",
            "Stuttgart/DE",
            "Manchester/GB"
        ]
    );
}

#[test]
fn activities_get_places_and_named_cities() {
    let s = sample();
    let places: Vec<Option<String>> = s
        .activity_places
        .iter()
        .map(|p| {
            p.as_ref()
                .map(|p| format!("{}/{}", p.name, p.country_code.as_deref().unwrap_or("-")))
        })
        .collect();
    assert_eq!(
        places,
        [
            Some("Brussels/BE".to_owned()),
            Some("Guangzhou/CN".to_owned()),
            None,
            None
        ]
    );
    let cities: Vec<Vec<String>> = s.activity_cities.iter().map(|c| names(c)).collect();
    assert_eq!(cities[0], ["Brussels/BE"]);
    assert_eq!(cities[1], ["Guangzhou/CN"]);
    assert_eq!(cities[2], ["Guangzhou/CN"], "each city once");
    assert_eq!(cities[3], ["Bologna/IT", "Guangzhou/CN"]);
    assert_eq!(s.issues, []);
}

#[test]
fn an_unknown_partner_is_kept_with_an_issue() {
    let s = resolve(
        guangzhou(&["Barcelona", "Xyzzyville", "Rome"], &["Spain", "Italy"]),
        Gazetteer::bundled(),
    );
    assert_eq!(
        names(&s.partners),
        ["Barcelona/ES", "Xyzzyville/-", "Rome/IT"]
    );
    assert_eq!(s.issues.len(), 1);
    let issue = &s.issues[0];
    assert_eq!(
        (
            issue.entity,
            issue.field.as_str(),
            issue.severity,
            issue.code.as_str()
        ),
        (
            IssueEntity::City,
            "partner_cities",
            Severity::Warning,
            "unknown-city"
        )
    );
    assert!(issue.message.contains("Xyzzyville"), "{}", issue.message);
}

#[test]
fn an_unknown_partner_takes_the_only_listed_country() {
    let s = resolve(
        guangzhou(&["Rome", "Xyzzyville"], &["Italy"]),
        Gazetteer::bundled(),
    );
    assert_eq!(names(&s.partners), ["Rome/IT", "Xyzzyville/IT"]);
    assert_eq!(s.issues.len(), 1);
    assert!(
        s.issues[0].message.contains("Italy"),
        "{}",
        s.issues[0].message
    );
}

#[test]
fn a_composite_partner_takes_its_core_citys_country_and_keeps_its_name() {
    let s = resolve(
        guangzhou(
            &[
                "Stuttgart Region",
                "Metropolitan City of Bologna",
                "Guangzhou Development District",
            ],
            &["Germany", "Italy"],
        ),
        Gazetteer::bundled(),
    );
    assert_eq!(
        names(&s.partners),
        [
            "Stuttgart Region/DE",
            "Metropolitan City of Bologna/IT",
            "Guangzhou Development District/CN"
        ]
    );
    assert!(s.partners.iter().all(|p| p.entry.is_none()));
    assert_eq!(s.partners[0].region.as_deref(), Some("Baden-Württemberg"));
    assert_eq!(s.issues, []);
}

#[test]
fn plan_places_the_gazetteer_lacks_are_found_in_texts_by_their_published_name() {
    let mut parsed = guangzhou(&["Stuttgart Region", "Rome"], &["Germany", "Italy"]);
    parsed.expected_results = vec![result(1, "Joint lab with Stuttgart Region and Rome")];
    let s = resolve(parsed, Gazetteer::bundled());
    assert_eq!(
        names(&s.result_cities[0]),
        ["Stuttgart Region/DE", "Rome/IT"]
    );
}

#[test]
fn native_and_alias_names_of_plan_cities_count_in_texts() {
    let mut parsed = guangzhou(&["Rome"], &["Italy"]);
    parsed.expected_results = vec![result(1, "广州市 and Roma sign an MoU; Canton hosts")];
    let s = resolve(parsed, Gazetteer::bundled());
    let found: Vec<(String, Option<i64>)> = s.result_cities[0]
        .iter()
        .map(|p| (p.name.clone(), p.entry.as_ref().map(|e| e.geonames_id)))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, "广州市");
    assert_eq!(found[1].0, "Roma");
}

#[test]
fn an_unknown_country_is_reported() {
    let s = resolve(
        guangzhou(&["Rome"], &["Italy", "Atlantis"]),
        Gazetteer::bundled(),
    );
    assert_eq!(names(&s.partners), ["Rome/IT"]);
    let codes: Vec<&str> = s.issues.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["unknown-country"]);
}
