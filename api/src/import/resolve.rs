//! Resolves a parsed summary's places against the gazetteer: the focal city, each partner with its
//! own country (the summary's Country cell lists fewer entries than partners), and the cities that
//! activities and expected results name. Pure: what cannot be resolved is kept and reported.

use std::ops::Range;

use entity::enums::{IssueEntity, Severity};

use crate::domain::text::name_key;
use crate::import::gazetteer::{CityEntry, CountryEntry, Gazetteer};
use crate::import::model::{ParseIssue, ParsedSummary};

/// Cities that texts name in passing must be this big unless they are in a plan country.
const TEXT_MIN_POPULATION: i64 = 100_000;

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

/// A place as published, with what the gazetteer knows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceRef {
    /// The name as the summary writes it.
    pub name: String,
    /// The gazetteer city, when the name is one ("Stuttgart Region" is not).
    pub entry: Option<CityEntry>,
    /// ISO alpha-2, from the gazetteer city, the summary's Country cell, or the core city's country.
    pub country_code: Option<String>,
    /// Province or state: as published where the summary gives it, else the gazetteer's.
    pub region: Option<String>,
}

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

fn resolve_focal(
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
    let hints: Vec<&str> = country.iter().map(|c| c.code.as_str()).collect();
    // The Country cell is the publisher's word: a namesake elsewhere is not the focal city.
    let entry = gazetteer
        .find_city(&focal.name, &hints)
        .filter(|e| country.is_none_or(|c| c.code == e.country_code))
        .cloned();
    let core = if entry.is_none() {
        core_city(&focal.name, gazetteer, &hints)
            .filter(|e| country.is_none_or(|c| c.code == e.country_code))
    } else {
        None
    };
    if entry.is_none() && core.is_none() {
        issues.push(unknown_city("city", &focal.name, country));
    }
    let known = entry.as_ref().or(core);
    PlaceRef {
        name: focal.name.clone(),
        country_code: country
            .map(|c| c.code.clone())
            .or_else(|| known.map(|e| e.country_code.clone())),
        region: focal
            .region
            .clone()
            .or_else(|| known.and_then(|e| e.region.clone())),
        entry,
    }
}

fn resolve_partners(
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
fn resolve_place(
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

fn place_from(published: &str, e: &CityEntry) -> PlaceRef {
    PlaceRef {
        name: published.to_owned(),
        entry: Some(e.clone()),
        country_code: Some(e.country_code.clone()),
        region: e.region.clone(),
    }
}

/// The plan's own places with every name they may be written by in its texts.
struct PlanPlaces<'a> {
    /// (match key, place), longest keys first so that "Stuttgart Region" wins over "Stuttgart".
    names: Vec<(String, &'a PlaceRef)>,
}

impl<'a> PlanPlaces<'a> {
    fn new(places: impl Iterator<Item = &'a PlaceRef>) -> Self {
        let mut names = Vec::new();
        for place in places {
            let mut own = vec![place.name.clone()];
            if let Some(e) = &place.entry {
                own.extend([e.name.clone(), e.ascii_name.clone()]);
                own.extend(e.native_name.clone());
                // Aliases of four letters or more: "Canton", "广州市"; not "Rom".
                own.extend(
                    e.aliases
                        .iter()
                        .filter(|a| a.chars().count() >= 4 || is_cjk_name(a))
                        .cloned(),
                );
            }
            for n in own {
                let key = name_key(&n);
                if !key.is_empty() && !names.iter().any(|(k, _)| *k == key) {
                    names.push((key, place));
                }
            }
        }
        names.sort_by_key(|(k, _)| std::cmp::Reverse(k.chars().count()));
        PlanPlaces { names }
    }
}

/// The cities a text names: the plan's own places (even those the gazetteer does not know) and
/// other gazetteer cities, in text order, each once.
fn cities_named(
    text: &str,
    plan: &PlanPlaces<'_>,
    gazetteer: &Gazetteer,
    plan_countries: &[&str],
) -> Vec<PlaceRef> {
    let words = words(text);
    let mut found: Vec<(Range<usize>, PlaceRef)> = Vec::new();
    for (key, place) in &plan.names {
        for range in mentions(text, &words, key) {
            if !found.iter().any(|(r, _)| overlaps(r, &range)) {
                let name = text[range.clone()].to_owned();
                found.push((
                    range,
                    PlaceRef {
                        name,
                        ..(*place).clone()
                    },
                ));
            }
        }
    }
    for (entry, range) in gazetteer.cities_in_text(text, TEXT_MIN_POPULATION, plan_countries) {
        if !found.iter().any(|(r, _)| overlaps(r, &range)) {
            found.push((range.clone(), place_from(&text[range], entry)));
        }
    }
    found.sort_by_key(|(r, _)| r.start);
    let mut out: Vec<PlaceRef> = Vec::new();
    for (_, place) in found {
        if !out.iter().any(|p| same_place(p, &place)) {
            out.push(place);
        }
    }
    out
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

fn same_place(a: &PlaceRef, b: &PlaceRef) -> bool {
    match (&a.entry, &b.entry) {
        (Some(x), Some(y)) => x.geonames_id == y.geonames_id,
        (None, None) => name_key(&a.name) == name_key(&b.name) && a.country_code == b.country_code,
        _ => false,
    }
}

/// A word of a text with its match key and byte range; a possessive "'s" is left out ("Wuhan's").
struct Word {
    key: String,
    range: Range<usize>,
    capitalised: bool,
}

fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(b, c)) in chars.iter().enumerate() {
        let next = chars.get(i + 1).map(|&(_, n)| n);
        let after = chars.get(i + 2).map(|&(_, n)| n);
        let apostrophe = c == '\'' || c == '\u{2019}';
        let possessive =
            matches!(next, Some('s' | 'S')) && !after.is_some_and(char::is_alphanumeric);
        let inner =
            apostrophe && start.is_some() && next.is_some_and(char::is_alphabetic) && !possessive;
        if c.is_alphanumeric() || inner {
            start.get_or_insert(b);
            continue;
        }
        if let Some(s) = start.take() {
            out.push(word(text, s..b));
        }
    }
    if let Some(s) = start {
        out.push(word(text, s..text.len()));
    }
    out
}

fn word(text: &str, range: Range<usize>) -> Word {
    let first = text[range.clone()].chars().next();
    Word {
        key: name_key(&text[range.clone()]),
        // Scripts without case (Han, Hangul) count as capitalised.
        capitalised: first.is_some_and(|c| c.is_uppercase() || !c.is_lowercase()),
        range,
    }
}

/// Where a name (by key) appears in a text: as whole words starting with a capital, or for
/// Han, kana and Hangul anywhere (those scripts do not space their words).
fn mentions(text: &str, words: &[Word], key: &str) -> Vec<Range<usize>> {
    if is_cjk_name(key) {
        return text
            .match_indices(key)
            .map(|(b, m)| b..b + m.len())
            .collect();
    }
    let parts: Vec<&str> = key.split(' ').collect();
    words
        .windows(parts.len())
        .filter(|w| w[0].capitalised && w.iter().zip(&parts).all(|(word, part)| word.key == *part))
        .map(|w| w[0].range.start..w[w.len() - 1].range.end)
        .collect()
}

fn is_cjk_name(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF)
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::model::{ParsedActivity, ParsedPlace, ParsedResult};
    use entity::enums::{ActivityKind, ResultKind};

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
}
