//! Unit tests of reading published numbers (multipliers, separators, decimal marks, units,
//! refusals) and of the plausibility checks, one published spelling per case. Kept apart so that
//! `mod.rs` is the reader alone.

use super::plausible::grouped;
use super::*;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn num(text: &str) -> PublishedNumber {
    PublishedNumber::parse(text)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
        .unwrap_or_else(|| panic!("{text:?} read as not available"))
}

fn check(text: &str, value: &str, unit: Option<&str>) {
    let n = num(text);
    assert_eq!(n.value(), dec(value), "{text:?}");
    assert_eq!(n.unit(), unit, "{text:?}");
    assert_eq!(n.text(), text.trim());
}

#[test]
fn reads_the_sample_summary() {
    check("15,3mio", "15300000", None);
    check("1,24km ²", "1.24", Some("km²"));
    assert_eq!(PublishedNumber::parse("N/A"), Ok(None));
}

#[test]
fn reads_multipliers() {
    check("15.3 million", "15300000", None);
    check("15.3 Million", "15300000", None);
    check("1.2 bn", "1200000000", None);
    check("1.2 billion", "1200000000", None);
    check("18.7M", "18700000", None);
    check("18.7 m", "18700000", None);
    check("15 mio. inhabitants", "15000000", None);
    check("1.5 mln", "1500000", None);
    check("600k", "600000", None);
    check("2 lakh", "200000", None);
    check("1.2 crore", "12000000", None);
    check("约1500万", "15000000", None);
    check("1500万", "15000000", None);
    check("1500 万人", "15000000", None);
    check("1.5亿", "150000000", None);
    check("1,500 mio", "1500000", None); // a multiplier makes a lone separator decimal…
    check("1.500 mio", "1500000", None); // …in either tradition
}

#[test]
fn reads_thousands_separators() {
    check("8.657 km²", "8657", Some("km²"));
    check("3 500 000", "3500000", None);
    check("3,500,000", "3500000", None);
    check("3.500.000", "3500000", None);
    check("12 345 678", "12345678", None);
    check("3'500'000", "3500000", None);
    check("3\u{a0}500\u{a0}000", "3500000", None);
    check("ca. 600,000", "600000", None);
    check("~7,434 km2", "7434", Some("km²"));
    check("1.234.567,89", "1234567.89", None);
    check("1,234,567.89", "1234567.89", None);
    check("1 234,5", "1234.5", None);
    check("1,23,45,678", "12345678", None);
    check("12,34,567.5", "1234567.5", None);
}

#[test]
fn reads_decimal_marks() {
    check("1,24", "1.24", None);
    check("1.2345", "1.2345", None);
    check("0.250", "0.25", None);
    check("1234,567", "1234.567", None);
    check("7434", "7434", None);
    check("7 434,5 km²", "7434.5", Some("km²"));
}

#[test]
fn reads_units_and_qualifiers() {
    check("7434 sq km", "7434", Some("km²"));
    check("7434 sq. km", "7434", Some("km²"));
    check("7434 square kilometres", "7434", Some("km²"));
    check("7434平方公里", "7434", Some("km²"));
    check("about 250 ha", "250", Some("ha"));
    check("approx. 3 m²", "3", Some("m²"));
    check("≈ 100 mi2", "100", Some("mi²"));
    check("circa 2,1 Mio. (2018)", "2100000", None);
    check("14.9 million people (2018)", "14900000", None);
    check("more than 600,000", "600000", None);
}

#[test]
fn not_available_is_none() {
    for text in [
        "N/A",
        "n.a.",
        "-",
        "",
        "   ",
        "unknown",
        "Unknown",
        "n/a",
        "–",
        "NA",
        "not available",
    ] {
        assert_eq!(PublishedNumber::parse(text), Ok(None), "{text:?}");
    }
}

#[test]
fn text_without_a_number_is_an_error() {
    for text in ["many", "Guangzhou", "ca.", "million", ".5"] {
        assert!(
            matches!(
                PublishedNumber::parse(text),
                Err(NumberError::NoNumber { .. })
            ),
            "{text:?}"
        );
    }
    assert!(matches!(
        PublishedNumber::parse("-5"),
        Err(NumberError::Negative { .. })
    ));
}

#[test]
fn malformed_groups_and_trailing_words_are_errors() {
    for text in [
        "1,2,3",
        "1.234,5.6",
        "12.34.567",
        "1,234,56",
        "1234.567.890",
        "1,234.5,6",
    ] {
        assert!(
            matches!(
                PublishedNumber::parse(text),
                Err(NumberError::MisplacedSeparator { .. })
            ),
            "{text:?}"
        );
    }
    let err = PublishedNumber::parse("15 apples").unwrap_err();
    assert_eq!(
        err,
        NumberError::UnexpectedText {
            text: "15 apples".into(),
            rest: "apples".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "\"15 apples\": \"apples\" after the number is neither a multiplier (\"mio\", \"bn\", \"万\") nor a unit (\"km²\")"
    );
    assert!(matches!(
        PublishedNumber::parse("99999999999999999999999999999999 bn"),
        Err(NumberError::TooLarge { .. })
    ));
}

#[test]
fn as_i64_rounds_for_population() {
    assert_eq!(num("15,3mio").as_i64(), Some(15_300_000));
    assert_eq!(num("2.5").as_i64(), Some(3));
    assert_eq!(num("1,24").as_i64(), Some(1));
    assert_eq!(num("99999999999999999999999").as_i64(), None);
}

#[test]
fn area_km2_converts_units() {
    assert_eq!(num("7434 km²").area_km2(), Some(dec("7434")));
    assert_eq!(num("7434").area_km2(), Some(dec("7434")));
    assert_eq!(num("250 ha").area_km2(), Some(dec("2.5")));
    assert_eq!(num("3 500 000 m²").area_km2(), Some(dec("3.5")));
    assert_eq!(num("1 mi²").area_km2(), Some(dec("2.589988110336")));
}

#[test]
fn display_shows_the_published_text() {
    assert_eq!(num("  15,3mio ").to_string(), "15,3mio");
}

#[test]
fn flags_the_sample_density() {
    let population = num("15,3mio").value();
    let area = num("1,24km ²").area_km2().unwrap();
    let msg = density_issue(&population, &area).unwrap();
    assert!(
        msg.starts_with("15 300 000 people on 1.24 km² make 12 338 710 per km²"),
        "{msg}"
    );
    assert_eq!(density_issue(&population, &dec("7434")), None);
}

#[test]
fn flags_densities_outside_the_real_range() {
    assert!(
        density_issue(&dec("100"), &dec("1000"))
            .unwrap()
            .contains("fewer than one person")
    );
    assert_eq!(density_issue(&dec("60000"), &dec("1")), None);
    assert!(density_issue(&dec("60001"), &dec("1")).is_some());
    assert_eq!(density_issue(&dec("1000"), &dec("1000")), None);
    assert_eq!(density_issue(&dec("1000"), &Decimal::ZERO), None);
}

#[test]
fn flags_absurd_areas_and_populations() {
    assert!(area_issue(&Decimal::ZERO).is_some());
    assert!(area_issue(&dec("20000001")).is_some());
    assert_eq!(area_issue(&dec("7434")), None);
    assert_eq!(area_issue(&dec("1.24")), None);
    assert!(population_issue(&Decimal::ZERO).is_some());
    assert!(
        population_issue(&dec("50000001"))
            .unwrap()
            .contains("50 000 001")
    );
    assert_eq!(population_issue(&dec("15300000")), None);
}

#[test]
fn groups_digits_for_messages() {
    assert_eq!(grouped(&dec("12338709.677")), "12 338 710");
    assert_eq!(grouped(&dec("1.2449")), "1.24");
    assert_eq!(grouped(&dec("100")), "100");
    assert_eq!(grouped(&dec("-1234")), "-1 234");
    assert_eq!(grouped(&dec("0")), "0");
}
