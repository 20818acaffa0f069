//! Unit tests of the partnerships: the seeded list, keys and aliases, the matching rules of
//! `find_all` and `Partnership::parse`. Kept apart so that `mod.rs` is the table and its reader
//! alone.

use super::*;

fn keys(text: &str) -> Vec<&'static str> {
    find_all(text).into_iter().map(|(p, _)| p.key()).collect()
}

#[test]
fn seeds_the_twenty_partnerships_in_launch_order() {
    let list = partnerships();
    assert_eq!(list.len(), 20);
    let years: Vec<i16> = list.iter().map(Partnership::launched_year).collect();
    assert!(years.is_sorted(), "{years:?}");
    assert_eq!(
        list.iter().filter(|p| p.launched_year() <= 2018).count(),
        14
    );
    let pilots: Vec<&str> = list
        .iter()
        .filter(|p| p.launched_year() == 2016)
        .map(|p| p.name())
        .collect();
    assert_eq!(
        pilots,
        [
            "Inclusion of Migrants and Refugees",
            "Air Quality",
            "Urban Poverty",
            "Housing"
        ]
    );
    let of_2018: Vec<&str> = list
        .iter()
        .filter(|p| p.launched_year() == 2018)
        .map(|p| p.name())
        .collect();
    assert_eq!(
        of_2018,
        ["Culture/Cultural Heritage", "Security in Public Spaces"]
    );
    let later: Vec<(&str, i16)> = list
        .iter()
        .filter(|p| p.launched_year() > 2018)
        .map(|p| (p.name(), p.launched_year()))
        .collect();
    assert_eq!(
        later,
        [
            ("Greening Cities", 2022),
            ("Sustainable Tourism", 2022),
            ("Food", 2024),
            ("Cities of Equality", 2024),
            ("Water Sensitive City", 2025),
            ("Building Decarbonisation", 2025),
        ]
    );
}

#[test]
fn keys_are_slugs_of_the_names() {
    for p in partnerships() {
        assert_eq!(
            p.key(),
            name_key(p.name()).replace(' ', "-"),
            "{}",
            p.name()
        );
    }
}

#[test]
fn no_spelling_names_two_partnerships() {
    let mut all: Vec<String> = ALIASES.iter().map(|a| a.words.join(" ")).collect();
    let count = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), count);
    assert_eq!(
        count,
        partnerships()
            .iter()
            .map(|p| 1 + p.aliases().len())
            .sum::<usize>()
    );
}

#[test]
fn finds_the_sample_summary_partnership() {
    let text = "<p>SGD 7, EU Urban Partnership Energy Transition</p>";
    let found = find_all(text);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0.key(), "energy-transition");
    assert_eq!(&text[found[0].1.clone()], "Energy Transition");
}

#[test]
fn finds_names_and_specific_aliases_anywhere() {
    assert_eq!(
        keys("Urban Agenda partnership on Digital Transition"),
        ["digital-transition"]
    );
    assert_eq!(
        keys("joint work on nature-based solutions and land use"),
        [
            "sustainable-use-of-land-and-nature-based-solutions",
            "sustainable-use-of-land-and-nature-based-solutions"
        ]
    );
    assert_eq!(
        keys("Culture/Cultural Heritage"),
        ["culture-cultural-heritage"]
    );
    assert_eq!(
        keys("Jobs and Skills in the Local Economy"),
        ["jobs-and-skills-in-the-local-economy"]
    );
    assert_eq!(
        keys("Innovative and Responsible Public Procurement"),
        ["innovative-and-responsible-public-procurement"]
    );
    assert_eq!(
        keys("inclusion of migrants"),
        ["inclusion-of-migrants-and-refugees"]
    );
    assert_eq!(
        keys("Circular Economy & Energy Transition: joint R&D"),
        ["circular-economy", "energy-transition"]
    );
}

#[test]
fn the_longest_alias_wins() {
    let text = "the partnership Jobs and Skills in the Local Economy";
    let found = find_all(text);
    assert_eq!(found.len(), 1);
    assert_eq!(
        &text[found[0].1.clone()],
        "Jobs and Skills in the Local Economy"
    );
    assert_eq!(
        keys("Urban Agenda: Climate Adaptation"),
        ["climate-adaptation"]
    );
}

#[test]
fn generic_words_need_a_partnership_nearby() {
    assert!(find_all("SDG 7, Affordable and Clean Energy").is_empty());
    assert!(
        find_all("SDG 13 Climate Action; SDG 15 Life on Land; SDG 6 Clean Water and Sanitation")
            .is_empty()
    );
    assert!(
        find_all("SDG 17 Partnerships for the Goals, SDG 7 Affordable and Clean Energy").is_empty()
    );
    assert!(find_all("hydrogen energy for new energy vehicles; housing; food").is_empty());
    assert_eq!(keys("EU Urban Partnership Energy"), ["energy-transition"]);
    assert_eq!(
        keys("Urban Agenda partnerships: Housing, Mobility and Digital"),
        ["housing", "urban-mobility", "digital-transition"]
    );
    assert_eq!(keys("the Food partnership of the UAEU"), ["food"]);
    // A sentence boundary cuts the context off.
    assert!(find_all("Clean Energy. The EU Urban Partnership starts").is_empty());
    assert!(find_all("<p>Affordable and Clean Energy</p><p>EU Urban partnerships</p>").is_empty());
}

#[test]
fn names_do_not_run_across_commas() {
    assert!(find_all("Energy, Transition").is_empty());
}

#[test]
fn parse_reads_keys_names_and_aliases() {
    let energy = Partnership::by_key("energy-transition").unwrap();
    assert_eq!(energy.name(), "Energy Transition");
    assert_eq!(Partnership::parse("energy-transition"), Ok(energy));
    assert_eq!(Partnership::parse("Energy Transition"), Ok(energy));
    assert_eq!(Partnership::parse("energy"), Ok(energy));
    assert_eq!(
        Partnership::parse("EU Urban Partnership Energy Transition"),
        Ok(energy)
    );
    assert_eq!(
        Partnership::parse("Culture / Cultural Heritage")
            .unwrap()
            .key(),
        "culture-cultural-heritage"
    );
    assert_eq!(Partnership::parse(""), Err(UrbanAgendaError::Empty));
    assert!(matches!(
        Partnership::parse("Space Exploration"),
        Err(UrbanAgendaError::Unknown { .. })
    ));
    assert!(matches!(
        Partnership::by_key("Energy Transition"),
        Err(UrbanAgendaError::Unknown { .. })
    ));
    let err = Partnership::parse("Circular Economy and Urban Mobility").unwrap_err();
    assert_eq!(
        err.to_string(),
        "\"Circular Economy and Urban Mobility\" names several Urban Agenda partnerships: Circular Economy, Urban Mobility"
    );
}

#[test]
fn displays_the_name() {
    assert_eq!(
        Partnership::by_key("security-in-public-spaces")
            .unwrap()
            .to_string(),
        "Security in Public Spaces"
    );
}
