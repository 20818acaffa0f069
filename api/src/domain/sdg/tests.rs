//! Unit tests of the SDG lists (17 goals, 169 targets, pinned against the seed files), of parsing
//! one reference and of finding mentions in text. Kept apart so that `mod.rs` is the code alone.

use super::*;

fn goal_numbers(text: &str) -> Vec<u8> {
    find_all(text)
        .iter()
        .map(|(r, _)| r.goal().number())
        .collect()
}

fn mentions(text: &str) -> Vec<(String, &str)> {
    find_all(text)
        .into_iter()
        .map(|(r, range)| (r.to_string(), &text[range]))
        .collect()
}

#[test]
fn seeds_the_seventeen_goals_with_their_short_titles() {
    let expected = [
        "No Poverty",
        "Zero Hunger",
        "Good Health and Well-being",
        "Quality Education",
        "Gender Equality",
        "Clean Water and Sanitation",
        "Affordable and Clean Energy",
        "Decent Work and Economic Growth",
        "Industry, Innovation and Infrastructure",
        "Reduced Inequalities",
        "Sustainable Cities and Communities",
        "Responsible Consumption and Production",
        "Climate Action",
        "Life Below Water",
        "Life on Land",
        "Peace, Justice and Strong Institutions",
        "Partnerships for the Goals",
    ];
    assert_eq!(goals().len(), 17);
    for (i, (number, title)) in goals().iter().enumerate() {
        assert_eq!(usize::from(*number), i + 1);
        assert_eq!(*title, expected[i]);
    }
    assert_eq!(
        SdgGoal::new(9).unwrap().title(),
        "Industry, Innovation and Infrastructure"
    );
}

#[test]
fn seeds_all_169_targets() {
    assert_eq!(targets().len(), 169);
    let per_goal = [7, 8, 13, 10, 9, 8, 5, 12, 8, 10, 10, 11, 5, 10, 12, 12, 19];
    for (number, count) in (1..=17).zip(per_goal) {
        let own: Vec<SdgTarget> = SdgGoal::new(number).unwrap().targets().collect();
        assert_eq!(own.len(), count, "goal {number}");
        let positions: Vec<u8> = own.iter().map(|t| t.position()).collect();
        assert_eq!(
            positions,
            (1..=count as u8).collect::<Vec<_>>(),
            "goal {number}"
        );
        assert!(
            own.iter()
                .all(|t| t.code().starts_with(&format!("{number}.")))
        );
    }
    let mut codes: Vec<&str> = targets().iter().map(|t| t.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 169);
    let mut sorted = targets().to_vec();
    sorted.sort();
    assert_eq!(sorted, targets(), "the list is in goal and position order");
}

#[test]
fn goal_numbers_run_from_1_to_17() {
    assert_eq!(SdgGoal::new(1).unwrap().number(), 1);
    assert_eq!(SdgGoal::new(17).unwrap().number(), 17);
    assert_eq!(SdgGoal::new(0), Err(SdgError::NotAGoal { number: 0 }));
    assert_eq!(SdgGoal::new(18), Err(SdgError::NotAGoal { number: 18 }));
    assert_eq!(
        SdgGoal::try_from(-3),
        Err(SdgError::NotAGoal { number: -3 })
    );
    assert_eq!(SdgGoal::try_from(11).unwrap().number(), 11);
    assert_eq!(
        SdgGoal::new(18).unwrap_err().to_string(),
        "there is no SDG 18; the goals are numbered 1 to 17"
    );
}

#[test]
fn targets_come_from_the_seeded_list() {
    let t = SdgTarget::from_code("11.a").unwrap();
    assert_eq!((t.code(), t.goal().number(), t.position()), ("11.a", 11, 8));
    assert_eq!(SdgTarget::from_code("11.A").unwrap(), t);
    assert_eq!(SdgTarget::from_code("3.d").unwrap().position(), 13);
    assert_eq!(SdgTarget::from_code("17.19").unwrap().position(), 19);
    let err = SdgTarget::from_code("11.9").unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no SDG target 11.9; the targets of goal 11 run from 11.1 to 11.c"
    );
    assert!(matches!(
        SdgTarget::from_code("17.a"),
        Err(SdgError::UnknownTarget { .. })
    ));
    assert!(matches!(
        SdgTarget::from_code("18.1"),
        Err(SdgError::NotAGoal { number: 18 })
    ));
    assert!(matches!(
        SdgTarget::from_code("x"),
        Err(SdgError::Unrecognised { .. })
    ));
}

#[test]
fn parses_references_in_their_usual_spellings() {
    let target = |code| SdgRef::to_target(SdgTarget::from_code(code).unwrap());
    let goal = |n| SdgRef::to_goal(SdgGoal::new(n).unwrap());
    assert_eq!(SdgRef::parse("SDG 11.a"), Ok(target("11.a")));
    assert_eq!(SdgRef::parse("sdg 11.A"), Ok(target("11.a")));
    assert_eq!(SdgRef::parse("11.a"), Ok(target("11.a")));
    assert_eq!(SdgRef::parse("SDG target 11.a"), Ok(target("11.a")));
    assert_eq!(SdgRef::parse("Target 17.19"), Ok(target("17.19")));
    for text in [
        "SDG 11",
        "SDG11",
        "Goal 11",
        "ODS 11",
        "SGD 11",
        "11",
        " SDG #11 ",
        "SDG-11",
    ] {
        assert_eq!(SdgRef::parse(text), Ok(goal(11)), "{text:?}");
    }
    assert_eq!(SdgGoal::parse("SDG 9").unwrap().number(), 9);
    assert_eq!("SDG 3.d".parse::<SdgTarget>().unwrap().code(), "3.d");
}

#[test]
fn rejects_what_is_no_reference() {
    assert_eq!(SdgRef::parse(""), Err(SdgError::Empty));
    assert!(matches!(
        SdgRef::parse("SDG 0"),
        Err(SdgError::NotAGoal { number: 0 })
    ));
    assert!(matches!(
        SdgRef::parse("SDG 18"),
        Err(SdgError::NotAGoal { number: 18 })
    ));
    assert!(matches!(
        SdgRef::parse("SDG 11.z"),
        Err(SdgError::UnknownTarget { .. })
    ));
    for text in [
        "SDG",
        "Quality Education",
        "SDG 9, Industry",
        "11a",
        "SDG 3 and 4",
    ] {
        assert!(
            matches!(SdgRef::parse(text), Err(SdgError::Unrecognised { .. })),
            "{text:?}"
        );
    }
    assert!(matches!(
        SdgGoal::parse("11.a"),
        Err(SdgError::ExpectedGoal { .. })
    ));
    assert!(matches!(
        SdgTarget::parse("SDG 11"),
        Err(SdgError::ExpectedTarget { .. })
    ));
}

#[test]
fn displays_references() {
    assert_eq!(SdgRef::parse("sgd 9").unwrap().to_string(), "SDG 9");
    assert_eq!(SdgRef::parse("11.A").unwrap().to_string(), "SDG 11.a");
    assert_eq!(SdgGoal::new(7).unwrap().to_string(), "SDG 7");
    assert_eq!(SdgTarget::from_code("7.b").unwrap().to_string(), "7.b");
}

#[test]
fn finds_the_sample_summary_mentions() {
    let cell = "<p>SGD 9, Industry, Innovation and Infrastructure</p> <p>SGD 3, Good Health and Well-being</p> \
                <p>SGD 4, Quality Education</p> <p>SGD 7, EU Urban Partnership Energy Transition</p>";
    assert_eq!(
        mentions(cell),
        [
            ("SDG 9".to_owned(), "SGD 9"),
            ("SDG 3".to_owned(), "SGD 3"),
            ("SDG 4".to_owned(), "SGD 4"),
            ("SDG 7".to_owned(), "SGD 7"),
        ]
    );
}

#[test]
fn finds_lists_ranges_and_targets() {
    assert_eq!(goal_numbers("SDGs 3 and 4"), [3, 4]);
    assert_eq!(
        mentions("see SDG 3, 4 and 9."),
        [
            ("SDG 3".to_owned(), "SDG 3"),
            ("SDG 4".to_owned(), "4"),
            ("SDG 9".to_owned(), "9")
        ]
    );
    assert_eq!(goal_numbers("SDG11 and Goal 13; ODS 7"), [11, 13, 7]);
    assert_eq!(goal_numbers("SDGs 3–5"), [3, 4, 5]);
    assert_eq!(goal_numbers("the SDG's 6 & 14"), [6, 14]);
    assert_eq!(goal_numbers("SDG 3, 4, and 9"), [3, 4, 9]);
    assert_eq!(goal_numbers("SDG 7 y 13"), [7, 13]);
    assert_eq!(
        goal_numbers("Sustainable Development Goal 11: Sustainable Cities"),
        [11]
    );
    assert_eq!(
        mentions("SDG 11.a and 11.b"),
        [
            ("SDG 11.a".to_owned(), "SDG 11.a"),
            ("SDG 11.b".to_owned(), "11.b")
        ]
    );
    assert_eq!(
        mentions("SDG target 11.3"),
        [("SDG 11.3".to_owned(), "SDG target 11.3")]
    );
    assert_eq!(
        mentions("Targets 6.1 and 6.2"),
        [
            ("SDG 6.1".to_owned(), "Targets 6.1"),
            ("SDG 6.2".to_owned(), "6.2")
        ]
    );
    assert_eq!(mentions("SDG 11. Next"), [("SDG 11".to_owned(), "SDG 11")]);
    assert_eq!(mentions("SDG 3.10"), [("SDG 3".to_owned(), "SDG 3.10")]);
}

#[test]
fn ignores_non_mentions() {
    assert!(find_all("Affordable and Clean Energy, Quality Education").is_empty());
    assert!(find_all("SDG 0, SDG 18, SDG 2030").is_empty());
    assert!(find_all("our goal 2030; target 40 %; 11.a alone; 3 odd cases").is_empty());
    assert!(find_all("SDGs are important; the SGD currency").is_empty());
    assert!(find_all("ASDG 9, SDG9x").is_empty());
    assert_eq!(goal_numbers("SDG 9, 2019 and 3"), [9]);
    assert_eq!(goal_numbers("SDG 4 and 19"), [4]);
}
