//! Summaries written in the sample's layout: Nagoya (tabs and a space-separated row, `<li>` lists,
//! day and quarter dates, goal and target SDGs) and Curitiba (BOM, CRLF, dotted thousands, a year
//! period, renumbered results).

use super::*;

#[test]
fn nagoya_reads_millions_decimal_commas_and_a_space_separated_row() {
    let s = parse(NAGOYA);
    assert_eq!(s.focal.name, "Nagoya");
    assert_eq!(
        s.focal.population.as_ref().unwrap().as_i64(),
        Some(2_300_000)
    );
    assert_eq!(
        s.focal.area_km2.as_ref().unwrap().area_km2(),
        Some("326.45".parse().unwrap())
    );
    assert_eq!(s.focal.country.as_deref(), Some("Japan"));
    assert_eq!(s.partners, ["Turin", "Milan", "Lyon", "Bilbao"]);
    assert_eq!(
        s.partner_regions,
        [
            "Piedmont",
            "Lombardy",
            "Auvergne-Rhône-Alpes",
            "Basque Country"
        ]
    );
    assert_eq!(s.partner_countries, ["Italy", "France", "Spain"]);
    let period = s.period.unwrap();
    assert_eq!(
        (period.precision(), period.start()),
        (DatePrecision::Quarter, ymd(2019, 10, 1))
    );
    assert_eq!(
        s.period_context.as_deref(),
        Some("following the Smart City Expo World Congress in Barcelona")
    );
    assert_eq!(
        titles(&s.themes),
        [
            Some("Urban Mobility"),
            Some("Ageing Society and Health Care")
        ]
    );
    assert_eq!(
        s.themes[0].text,
        "Low-carbon public transport and mobility as a service"
    );
    assert_eq!(titles(&s.objectives), [None, None]);
}

#[test]
fn nagoya_reads_goals_targets_and_the_urban_mobility_partnership() {
    let s = parse(NAGOYA);
    let refs: Vec<(u8, Option<&str>)> = s
        .sdgs
        .iter()
        .map(|m| (m.sdg.goal().number(), m.sdg.target().map(|t| t.code())))
        .collect();
    assert_eq!(refs, [(11, None), (11, Some("11.a"))]);
    assert_eq!(
        s.urban_agenda
            .iter()
            .map(|m| m.key.as_str())
            .collect::<Vec<_>>(),
        ["urban-mobility"]
    );
    let unmatched = s
        .issues
        .iter()
        .find(|i| i.code == "unmatched-topic")
        .unwrap();
    assert_eq!(
        unmatched.published_value.as_deref(),
        Some("Smart specialisation")
    );
}

#[test]
fn nagoya_list_items_are_activities_across_a_continuation_row() {
    let s = parse(NAGOYA);
    let dates: Vec<Option<(DatePrecision, NaiveDate)>> = s
        .activities
        .iter()
        .map(|a| a.date.as_ref().map(|d| (d.precision(), d.start())))
        .collect();
    assert_eq!(
        dates,
        [
            Some((DatePrecision::Day, ymd(2019, 11, 14))),
            Some((DatePrecision::Quarter, ymd(2020, 7, 1))),
            Some((DatePrecision::Day, ymd(2021, 1, 21))),
            None
        ]
    );
    use ActivityKind as K;
    let kinds: Vec<ActivityKind> = s.activities.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [K::StudyVisit, K::OnlineMeeting, K::Matchmaking, K::Other]
    );
    assert_eq!(s.activities[0].place.as_deref(), Some("Turin"));
    assert_eq!(
        s.activities[0].organizations,
        ["Nagoya Municipal Government"]
    );
    assert_eq!(
        s.activities[2].title,
        "Matchmaking event for start-ups in Nagoya"
    );
    assert_eq!(s.activities[3].organizations, ["Chubu University"]);
    assert_eq!(codes(&s), ["unmatched-topic", "undated-activity"]);
}

#[test]
fn nagoya_results_from_list_items_include_a_publication() {
    let s = parse(NAGOYA);
    use ResultKind as K;
    let kinds: Vec<(u16, ResultKind)> = s
        .expected_results
        .iter()
        .map(|r| (r.position, r.kind))
        .collect();
    assert_eq!(
        kinds,
        [(1, K::JointProject), (2, K::Publication), (3, K::Mou)]
    );
    assert_eq!(
        s.expected_results[1].organizations,
        ["Lyon Institute of Public Health"]
    );
    assert_eq!(
        s.expected_results[2].mou_subject.as_deref(),
        Some("cooperation on hydrogen buses")
    );
    assert_eq!(s.contact_emails, ["iuc-asia.office@iuc-asia.eu"]);
}

#[test]
fn curitiba_reads_a_crlf_file_with_a_byte_order_mark() {
    let s = parse(CURITIBA);
    assert_eq!(s.focal.name, "Curitiba");
    assert_eq!(s.focal.region.as_deref(), Some("Paraná"));
    assert_eq!(
        s.focal.population.as_ref().unwrap().as_i64(),
        Some(1_963_726)
    );
    assert_eq!(
        s.focal.area_km2.as_ref().unwrap().area_km2(),
        Some(435.into())
    );
    assert_eq!(s.partners, ["Stuttgart Region", "Porto"]);
    assert_eq!(s.partner_countries, ["Germany", "Portugal"]);
    let period = s.period.unwrap();
    assert_eq!(
        (period.precision(), period.end()),
        (DatePrecision::Year, ymd(2018, 12, 31))
    );
    assert_eq!(
        (s.period_text.as_deref(), s.period_context),
        (Some("2018"), None)
    );
    assert_eq!(
        titles(&s.themes),
        [Some("Smart Mobility"), Some("Innovation Ecosystems")]
    );
    assert_eq!(
        s.sdgs
            .iter()
            .map(|m| m.sdg.goal().number())
            .collect::<Vec<_>>(),
        [11, 13]
    );
    assert_eq!(
        s.challenges[0].text,
        "Decarbonising a bus fleet of 1 200 vehicles"
    );
    assert!(s.focus.is_empty() && s.objectives.is_empty() && s.urban_agenda.is_empty());
    assert_eq!(s.contact_emails, ["info@iurc-latam.eu"]);
}

#[test]
fn curitiba_keeps_an_unknown_row_and_an_undated_activity() {
    let s = parse(CURITIBA);
    let unknown = s.issues.iter().find(|i| i.code == "unknown-row").unwrap();
    assert_eq!(
        (unknown.field.as_str(), unknown.published_value.as_deref()),
        ("Budget (EUR)", Some("120.000"))
    );
    use ActivityKind as K;
    let kinds: Vec<ActivityKind> = s.activities.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [K::Mission, K::Training, K::MouSigning, K::Other, K::Pilot]
    );
    assert!(s.activities[3].date.is_none());
    assert_eq!(s.activities[4].date.as_ref().unwrap().text(), "2022");
    assert_eq!(s.activities[0].organizations, ["University of Stuttgart"]);
    assert_eq!(s.activities[1].place.as_deref(), Some("Curitiba"));
}

#[test]
fn curitiba_results_are_renumbered_and_the_mou_subject_ends_before_signed() {
    let s = parse(CURITIBA);
    use ResultKind as K;
    let kinds: Vec<(u16, ResultKind)> = s
        .expected_results
        .iter()
        .map(|r| (r.position, r.kind))
        .collect();
    assert_eq!(
        kinds,
        [(1, K::Mou), (2, K::JointProject), (3, K::Publication)]
    );
    assert_eq!(
        s.expected_results[0].mou_subject.as_deref(),
        Some("electric mobility")
    );
    assert!(
        s.expected_results[0]
            .description
            .ends_with("signed in March 2021")
    );
    assert_eq!(
        s.expected_results[1].organizations,
        ["Stuttgart Chamber of Commerce"]
    );
    assert_eq!(s.expected_results[2].organizations, ["Porto Municipality"]);
    let renumbered = s
        .issues
        .iter()
        .find(|i| i.code == "renumbered-result")
        .unwrap();
    assert_eq!(renumbered.published_value.as_deref(), Some("1, 2, 4"));
    assert_eq!(
        codes(&s),
        ["unknown-row", "undated-activity", "renumbered-result"]
    );
}
