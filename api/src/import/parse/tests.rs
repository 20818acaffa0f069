//! Fixture-driven tests of the summary parser: the published Guangzhou sample here, two summaries
//! written in the same layout in [`written`], and the malformed files it must refuse in [`refusals`].
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use chrono::NaiveDate;
use entity::enums::{ActivityKind, DatePrecision, IssueEntity, ResultKind, Severity};

mod refusals;
mod written;

const GUANGZHOU: &[u8] = include_bytes!("../../../tests/fixtures/summaries/guangzhou.txt");
const NAGOYA: &[u8] = include_bytes!("../../../tests/fixtures/summaries/nagoya.txt");
const CURITIBA: &[u8] = include_bytes!("../../../tests/fixtures/summaries/curitiba.txt");
const EMPTY: &[u8] = include_bytes!("../../../tests/fixtures/summaries/empty.txt");
const NO_CITY: &[u8] = include_bytes!("../../../tests/fixtures/summaries/no-city.txt");
const BINARY: &[u8] = include_bytes!("../../../tests/fixtures/summaries/binary.bin");

fn parse(bytes: &[u8]) -> ParsedSummary {
    parse_summary(bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn codes(s: &ParsedSummary) -> Vec<&str> {
    s.issues.iter().map(|i| i.code.as_str()).collect()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn titles(items: &[crate::import::model::Titled]) -> Vec<Option<&str>> {
    items.iter().map(|t| t.title.as_deref()).collect()
}

#[test]
fn guangzhou_focal_city_is_read_and_its_density_flagged() {
    let s = parse(GUANGZHOU);
    assert_eq!(s.focal.name, "Guangzhou");
    assert_eq!(s.focal.region.as_deref(), Some("Guangdong"));
    assert_eq!(s.focal.country.as_deref(), Some("China"));
    let population = s.focal.population.as_ref().unwrap();
    assert_eq!(
        (population.text(), population.as_i64()),
        ("15,3mio", Some(15_300_000))
    );
    let area = s.focal.area_km2.as_ref().unwrap();
    assert_eq!(area.area_km2(), Some("1.24".parse().unwrap()));
    let density = s
        .issues
        .iter()
        .find(|i| i.code == "implausible-density")
        .unwrap();
    assert_eq!(
        (density.entity, density.field.as_str()),
        (IssueEntity::City, "area_km2")
    );
    assert_eq!(
        (density.severity, density.published_value.as_deref()),
        (Severity::Warning, Some("1,24km ²"))
    );
}

#[test]
fn guangzhou_partners_regions_and_countries_are_lists_as_published() {
    let s = parse(GUANGZHOU);
    assert_eq!(
        s.partners,
        ["Barcelona", "Bologna", "Granada", "Stuttgart", "Rome"]
    );
    assert_eq!(
        s.partner_regions,
        ["Catalonia", "Baden-Württemberg", "Italy"]
    );
    assert_eq!(s.partner_countries, ["Spain", "Germany", "Italy"]);
}

#[test]
fn guangzhou_period_is_may_2017_with_its_context() {
    let s = parse(GUANGZHOU);
    let period = s.period.unwrap();
    assert_eq!(
        (period.precision(), period.start(), period.end()),
        (DatePrecision::Month, ymd(2017, 5, 1), ymd(2017, 5, 31))
    );
    assert_eq!(s.period_text.as_deref(), Some("May 2017"));
    assert_eq!(
        s.period_context.as_deref(),
        Some(
            "as a follow-up to Wuhan's engagement in previous EU-China urban project World Cities"
        )
    );
}

#[test]
fn guangzhou_themes_and_statements_keep_their_titles() {
    let s = parse(GUANGZHOU);
    assert_eq!(
        titles(&s.themes),
        [
            Some("Smart City & Digital Transition"),
            Some("Health Care and Biotechnology"),
            Some("Culture, Tourism and Education"),
            Some("Circular Economy & Energy Transition"),
        ]
    );
    assert!(
        s.themes[0]
            .text
            .starts_with("Support stakeholders from Guangzhou")
    );
    assert!(s.themes[1].text.starts_with("Support EU institutions"));
    assert_eq!(
        titles(&s.focus),
        [
            Some("Industrial design"),
            Some("Life Sciences and Healthy City"),
            Some("Education")
        ]
    );
    assert!(s.focus[1].text.starts_with("Promote joint activities"));
    assert!(
        s.focus[2]
            .text
            .starts_with("Promote and define joint activities")
    );
    assert_eq!(titles(&s.challenges), [None]);
    assert!(
        s.challenges[0]
            .text
            .starts_with("Internationalization of Guangzhou Development District (GDD)")
    );
    assert_eq!(titles(&s.objectives), [None]);
    assert!(
        s.objectives[0]
            .text
            .starts_with("Launch concrete cooperation projects")
    );
}

#[test]
fn guangzhou_sdgs_keep_their_order_and_energy_transition_is_found() {
    let s = parse(GUANGZHOU);
    let goals: Vec<u8> = s.sdgs.iter().map(|m| m.sdg.goal().number()).collect();
    assert_eq!(goals, [9, 3, 4, 7]);
    assert_eq!(
        s.sdgs[0].text,
        "SGD 9, Industry, Innovation and Infrastructure"
    );
    let agenda: Vec<&str> = s.urban_agenda.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(agenda, ["energy-transition"]);
    assert_eq!(
        s.urban_agenda[0].text,
        "SGD 7, EU Urban Partnership Energy Transition"
    );
}

#[test]
fn guangzhou_activities_are_dated_classified_and_placed() {
    let s = parse(GUANGZHOU);
    let dates: Vec<&str> = s
        .activities
        .iter()
        .map(|a| a.date.as_ref().unwrap().text())
        .collect();
    assert_eq!(
        dates,
        [
            "April 2019",
            "September 2019",
            "January 2020",
            "March 2020",
            "May 2020"
        ]
    );
    let kinds: Vec<ActivityKind> = s.activities.iter().map(|a| a.kind).collect();
    // September 2019 is a visit: EU representatives travel to Guangzhou, and the forum is what they
    // co-organise there; the bullet leads with the visit.
    use ActivityKind as K;
    assert_eq!(
        kinds,
        [
            K::Mission,
            K::StudyVisit,
            K::StudyVisit,
            K::OnlineMeeting,
            K::OnlineMeeting
        ]
    );
    let places: Vec<Option<&str>> = s.activities.iter().map(|a| a.place.as_deref()).collect();
    assert_eq!(
        places,
        [
            Some("Brussels"),
            Some("Guangzhou"),
            Some("Guangzhou"),
            Some("online"),
            Some("online")
        ]
    );
    let first = &s.activities[0];
    assert_eq!(
        first.title,
        "Mission and meetings with European cities in Brussels (EU-China High Level Seminar on Regional Policy)"
    );
    assert!(
        first
            .description
            .ends_with("Focus on themes and stakeholder mix for pilots and cooperation models.")
    );
    assert_eq!(s.activities[2].organizations, ["IUC", "Guangzhou DDG"]);
    assert_eq!(s.activities[4].organizations, ["University of Bologna"]);
    assert!(
        s.activities[4]
            .description
            .contains("the Industrial Design Cooperation project")
    );
    assert!(
        s.activities
            .iter()
            .all(|a| !a.description.contains('→') && !a.title.contains('<'))
    );
}

#[test]
fn guangzhou_expected_results_have_kinds_organizations_and_an_mou_subject() {
    let s = parse(GUANGZHOU);
    let positions: Vec<u16> = s.expected_results.iter().map(|r| r.position).collect();
    assert_eq!(positions, [1, 2, 3, 4, 5]);
    let kinds: Vec<ResultKind> = s.expected_results.iter().map(|r| r.kind).collect();
    use ResultKind as K;
    assert_eq!(
        kinds,
        [
            K::Mou,
            K::JointProject,
            K::VirtualLab,
            K::Cluster,
            K::JointRdCentre
        ]
    );
    assert_eq!(
        s.expected_results[0].mou_subject.as_deref(),
        Some("cooperation of Biotechnology and Health technology")
    );
    assert_eq!(s.expected_results[2].organizations, ["Bologna University"]);
    assert_eq!(
        s.expected_results[3].organizations,
        ["Barcelona Hospital", "Guangzhou DDG"]
    );
    assert!(
        s.expected_results[4]
            .description
            .starts_with("Co-launching joint R&D center in Guangzhou DDG")
    );
}

#[test]
fn guangzhou_contact_is_its_mailbox_and_only_two_findings_are_reported() {
    let s = parse(GUANGZHOU);
    assert_eq!(s.contact_emails, ["IUC-ASIA_office@iuc-asia.eu"]);
    // The trailing lone "→" is an empty bullet; nothing else in the sample is unreadable.
    assert_eq!(codes(&s), ["implausible-density", "empty-bullet"]);
}
