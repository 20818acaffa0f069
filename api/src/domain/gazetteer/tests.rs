//! Tests of the bundled data, the lookups by name and code, the free-text matching and the
//! TSV reader.

use super::*;

fn g() -> &'static Gazetteer {
    Gazetteer::bundled()
}

fn names(text: &str, hints: &[&str]) -> Vec<String> {
    g().cities_in_text(text, 100_000, hints)
        .into_iter()
        .map(|(c, r)| format!("{}@{}", c.name, &text[r]))
        .collect()
}

#[test]
fn bundled_data_loads_in_full() {
    assert_eq!(Gazetteer::bundled_error(), None);
    assert!(g().countries().len() >= 249);
    assert!(g().cities().len() > 15_000);
    assert!(!COMMON_WORDS.is_empty());
}

#[test]
fn every_city_has_a_known_country() {
    for c in g().cities() {
        assert!(g().country(&c.country_code).is_some(), "{c:?}");
    }
}

#[test]
fn countries_are_found_by_name_alias_translation_and_code() {
    let code = |n: &str| g().find_country(n).map(|c| c.code.as_str());
    for (name, expected) in [
        ("China", "CN"),
        ("P.R. China", "CN"),
        ("People's Republic of China", "CN"),
        ("中国", "CN"),
        ("Spain", "ES"),
        ("España", "ES"),
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("Italy", "IT"),
        ("Korea", "KR"),
        ("South Korea", "KR"),
        ("USA", "US"),
        ("UK", "GB"),
        ("Viet Nam", "VN"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Czechia", "CZ"),
        ("CN", "CN"),
        ("ESP", "ES"),
        ("  italy ", "IT"),
    ] {
        assert_eq!(code(name), Some(expected), "{name}");
    }
    assert_eq!(code("EU"), None);
    assert_eq!(code("Europe"), None);
    assert_eq!(code(""), None);
}

#[test]
fn country_entries_carry_regions_and_common_names() {
    let kr = g()
        .country("kr")
        .map(|c| (c.name.as_str(), c.region.as_deref()));
    assert_eq!(kr, Some(("South Korea", Some("Eastern Asia"))));
    let es = g().country("ES").and_then(|c| c.continent.as_deref());
    assert_eq!(es, Some("Europe"));
    assert_eq!(g().country("ESP"), None, "alpha-2 only");
}

#[test]
fn sample_cities_resolve_to_their_countries() {
    let cc = |n: &str, hints: &[&str]| g().find_city(n, hints).map(|c| c.country_code.clone());
    let hints = ["ES", "DE", "IT"];
    for (name, expected) in [
        ("Barcelona", "ES"),
        ("Granada", "ES"),
        ("Bologna", "IT"),
        ("Rome", "IT"),
        ("Roma", "IT"),
        ("Stuttgart", "DE"),
        ("Mannheim", "DE"),
        ("München", "DE"),
        ("Manchester", "GB"),
        ("Brussels", "BE"),
    ] {
        assert_eq!(cc(name, &hints).as_deref(), Some(expected), "{name}");
        assert_eq!(
            cc(name, &[]).as_deref(),
            Some(expected),
            "{name} without hints"
        );
    }
    assert_eq!(cc("Stuttgart Region", &hints), None);
}

#[test]
fn focal_cities_have_native_names() {
    let native = |n: &str| g().find_city(n, &[]).and_then(|c| c.native_name.clone());
    assert_eq!(native("Guangzhou").as_deref(), Some("广州"));
    assert_eq!(native("Tokyo").as_deref(), Some("東京"));
    assert_eq!(native("Seoul").as_deref(), Some("서울"));
    assert_eq!(native("Rome").as_deref(), Some("Roma"));
    assert_eq!(native("Munich").as_deref(), Some("München"));
    let gz = g()
        .find_city("广州", &[])
        .map(|c| (c.name.as_str(), c.region.as_deref()));
    assert_eq!(gz, Some(("Guangzhou", Some("Guangdong"))));
    assert_eq!(
        g().find_city("Canton", &["CN"]).map(|c| c.name.as_str()),
        Some("Guangzhou")
    );
}

#[test]
fn hints_and_own_names_decide_between_namesakes() {
    let cc = |n: &str, hints: &[&str]| g().find_city(n, hints).map(|c| c.country_code.clone());
    assert_eq!(cc("Granada", &["NI"]).as_deref(), Some("NI"));
    assert_eq!(cc("Granada", &["es"]).as_deref(), Some("ES"));
    // Canton, Ohio is called so; Guangzhou only by an alias.
    assert_eq!(cc("Canton", &[]).as_deref(), Some("US"));
}

#[test]
fn finds_the_sample_cities_in_activity_and_result_texts() {
    let hints = ["CN", "ES", "DE", "IT"];
    for (text, expected) in [
        (
            "EU cities representatives visit Guangzhou",
            vec!["Guangzhou@Guangzhou"],
        ),
        (
            "Online meeting Bologna – Guangzhou",
            vec!["Bologna@Bologna", "Guangzhou@Guangzhou"],
        ),
        (
            "MoUs with Granada, Rome and Barcelona",
            vec!["Granada@Granada", "Rome@Rome", "Barcelona@Barcelona"],
        ),
        (
            "with Mannheim and Stuttgart; digital economy (with Manchester)",
            vec![
                "Mannheim@Mannheim",
                "Stuttgart@Stuttgart",
                "Manchester@Manchester",
            ],
        ),
        (
            "Barcelona Hospital in Guangzhou DDG",
            vec!["Barcelona@Barcelona", "Guangzhou@Guangzhou"],
        ),
        ("European cities in Brussels", vec!["Brussels@Brussels"]),
        ("a follow-up to Wuhan's engagement", vec!["Wuhan@Wuhan"]),
        ("the University of Bologna", vec!["Bologna@Bologna"]),
        (
            "In Granada. Visit Mannheim",
            vec!["Granada@Granada", "Mannheim@Mannheim"],
        ),
    ] {
        assert_eq!(names(text, &hints), expected, "{text}");
        assert_eq!(names(text, &[]), expected, "{text} without hints");
    }
}

#[test]
fn ignores_theme_words_countries_and_acronyms() {
    for text in [
        "Smart City & Digital Transition",
        "Health Care and Biotechnology",
        "Circular Economy & Energy Transition",
        "Industrial Design: Launching a bilateral platform",
        "China-Europe health care cluster based on Bio-tech Island",
        "support EU institutions to expand business in China",
        "Sino-EU Characteristic Town Cooperation Forum",
        "EU-China High Level Seminar on Regional Policy",
        "Mission and meetings. Reading list. Split decision",
        "→ March 2020: participates in an online discussion",
        "Pearl River Delta and the Greater Bay Area",
    ] {
        assert_eq!(
            names(text, &["CN", "ES", "DE", "IT"]),
            Vec::<String>::new(),
            "{text}"
        );
    }
}

#[test]
fn a_region_named_after_a_city_is_not_that_city() {
    let text = "Catalonia, Baden-Württemberg, Italy";
    assert_eq!(names(text, &["ES", "DE", "IT"]), Vec::<String>::new());
}

#[test]
fn a_common_word_needs_a_big_or_hinted_city_mid_sentence() {
    assert_eq!(
        names("a meeting in Split with the mayor", &[]),
        Vec::<String>::new()
    );
    assert_eq!(
        names("a meeting in Split with the mayor", &["HR"]),
        vec!["Split@Split"]
    );
}

#[test]
fn matches_multi_word_and_cjk_names() {
    assert_eq!(
        names(
            "delegations from Ho Chi Minh City and Frankfurt am Main",
            &[]
        ),
        vec![
            "Ho Chi Minh City@Ho Chi Minh City",
            "Frankfurt am Main@Frankfurt am Main"
        ]
    );
    assert_eq!(names("广州市与巴塞罗那合作", &[]), vec!["Guangzhou@广州市"]);
}

#[test]
fn mentions_carry_byte_ranges_into_the_text() {
    let text = "Bologna – Guangzhou";
    let found = g().cities_in_text(text, 100_000, &[]);
    let ranges: Vec<_> = found.iter().map(|(_, r)| r.clone()).collect();
    assert_eq!(ranges, vec![0..7, 12..21]);
}

#[test]
fn rejects_malformed_rows_with_their_line() {
    let countries = "code\talpha3\tnumeric\tname\tofficial_name\tregion\tcontinent\taliases\n\
                     ES\tESP\t724\tSpain\t\t\t\t\n";
    let cities = "geonames_id\tname\tascii_name\tnative_name\tcountry_code\tregion\tpopulation\tlatitude\tlongitude\taliases\n\
                  1\tX\tX\t\tES\t\tmany\t1\t2\t\n";
    let err = Gazetteer::from_tsv(countries, cities).err();
    assert!(
        matches!(err, Some(GazetteerError::BadRow { line: 2, .. })),
        "{err:?}"
    );
    let short = Gazetteer::from_tsv("code\talpha3\n", cities).err();
    assert!(matches!(
        short,
        Some(GazetteerError::MissingColumn {
            column: "numeric",
            ..
        })
    ));
    assert!(matches!(
        Gazetteer::from_tsv("", cities),
        Err(GazetteerError::Empty { .. })
    ));
}

#[test]
fn small_tables_parse_with_empty_fields() {
    let countries = "code\talpha3\tnumeric\tname\tofficial_name\tregion\tcontinent\taliases\n\
                     XK\tXKX\t\tKosovo\t\t\t\tKosova|Republic of Kosovo\n";
    let cities = "geonames_id\tname\tascii_name\tnative_name\tcountry_code\tregion\tpopulation\tlatitude\tlongitude\taliases\n\
                  786714\tPristina\tPristina\tPrishtinë\tXK\t\t\t42.67\t21.17\tPrishtina\n";
    let g = Gazetteer::from_tsv(countries, cities).ok();
    let g = g.as_ref();
    assert_eq!(
        g.and_then(|g| g.find_country("Kosova"))
            .map(|c| c.numeric.as_str()),
        Some("")
    );
    let city = g.and_then(|g| g.find_city("Prishtinë", &[]));
    assert_eq!(
        city.map(|c| (c.population, c.region.clone())),
        Some((None, None))
    );
}
