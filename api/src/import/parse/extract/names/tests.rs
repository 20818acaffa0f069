//! Unit tests of the name patterns, one sample sentence per case: places, organizations, MoU parties
//! and subjects, first sentences and truncation. Kept apart so that `mod.rs` is the patterns alone.

use super::*;

#[test]
fn places_follow_in_to_and_visit() {
    assert_eq!(
        place(
            "mission and meetings with European cities in Brussels (EU-China High Level Seminar)"
        )
        .as_deref(),
        Some("Brussels")
    );
    assert_eq!(
        place("EU cities representatives visit Guangzhou and co-organize the Forum").as_deref(),
        Some("Guangzhou")
    );
    assert_eq!(
        place("IUC team visit Guangzhou DDG and Nansha district").as_deref(),
        Some("Guangzhou")
    );
    assert_eq!(
        place("delegation travels to Nagoya's city hall").as_deref(),
        Some("Nagoya")
    );
    assert_eq!(
        place("workshop in New York City, USA").as_deref(),
        Some("New York City")
    );
}

#[test]
fn places_are_not_organizations_months_or_adjectives() {
    assert_eq!(
        place("meeting in May with partners in European cities"),
        None
    );
    assert_eq!(place("lecture in Bologna University"), None);
    assert_eq!(place("support to EU business"), None);
}

#[test]
fn organizations_by_pattern() {
    let orgs = |s| organizations(s);
    assert_eq!(
        orgs("IUC team visit Guangzhou DDG and Nansha district"),
        ["IUC", "Guangzhou DDG"]
    );
    assert_eq!(
        orgs("the creativity cluster and the University of Bologna"),
        ["University of Bologna"]
    );
    assert_eq!(
        orgs("Co-Establishing Virtual Industry Design Lab with Bologna University and more"),
        ["Bologna University"]
    );
    assert_eq!(
        orgs("collaboration with Barcelona Hospital in Guangzhou DDG"),
        ["Barcelona Hospital", "Guangzhou DDG"]
    );
    assert_eq!(
        orgs("with the EU Chamber of Commerce and Nagoya Municipal Government"),
        ["EU Chamber of Commerce", "Nagoya Municipal Government"]
    );
    assert_eq!(
        orgs("Guangzhou Development District (GDD) towards"),
        ["Guangzhou Development District"]
    );
    assert_eq!(
        orgs("Institute of Science and Technology of Curitiba, and Fraunhofer Institute"),
        [
            "Institute of Science and Technology of Curitiba",
            "Fraunhofer Institute"
        ]
    );
    assert_eq!(
        orgs("published with the Lyon Institute of Public Health"),
        ["Lyon Institute of Public Health"]
    );
    assert_eq!(
        orgs("the university and the government; a Development District"),
        Vec::<String>::new()
    );
}

#[test]
fn mou_parties_are_named_by_between_or_as_the_subject_of_signing() {
    for named in [
        "MoU between Guangzhou and Granada on cooperation of Biotechnology",
        "Signing an MoU between the cities of Rome and Granada",
        "Guangzhou and Granada signed an MoU on health technology",
        "Rome and Barcelona will sign a memorandum of understanding",
    ] {
        assert!(mou_parties_named(named), "{named}");
    }
    for partners in [
        "MoUs with Granada, Rome and Barcelona on cooperation of Biotechnology and Health technology.",
        "MoU with Stuttgart Region on electric buses, signed in March 2021",
        "MoU with Granada and Rome signed in 2021",
        "MoU on mobility signed by both mayors",
        "MoU between the two cities",
    ] {
        assert!(!mou_parties_named(partners), "{partners}");
    }
}

#[test]
fn mou_subjects_stop_at_the_end_of_the_subject() {
    let subject = |s| mou_subject(s);
    assert_eq!(subject("MoUs with Granada, Rome and Barcelona on cooperation of Biotechnology and Health technology.").as_deref(), Some("cooperation of Biotechnology and Health technology"));
    assert_eq!(
        subject("MoU with Stuttgart Region on electric buses, signed in March 2021").as_deref(),
        Some("electric buses")
    );
    assert_eq!(
        subject("MoU in the field of urban mobility, energy and health (draft)").as_deref(),
        Some("urban mobility, energy and health")
    );
    assert_eq!(subject("MoU between the two cities"), None);
}

#[test]
fn first_sentences_skip_parentheses_and_abbreviations() {
    assert_eq!(
        first_sentence("mission in Brussels (High Level Seminar. Policy). Focus on themes."),
        "mission in Brussels (High Level Seminar. Policy)"
    );
    assert_eq!(
        first_sentence("visit, e.g. to Rome; then more"),
        "visit, e.g. to Rome"
    );
    assert_eq!(first_sentence("one sentence only."), "one sentence only");
}

#[test]
fn truncation_cuts_at_a_word() {
    assert_eq!(truncate("alpha beta gamma", 12), "alpha beta…");
    assert_eq!(truncate("short", 12), "short");
}
