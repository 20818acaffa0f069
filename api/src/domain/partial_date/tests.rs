//! Tests of every published spelling, the refusals and their messages, stored rows, dates found
//! in bullets and texts, ordering and the canonical form.
//! Long because it is one catalogue: every spelling the summaries use and every way a date can be
//! wrong is a case here, with its expected bounds or message, through the same few helpers.

use super::*;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn check(text: &str, precision: DatePrecision, start: NaiveDate, end: NaiveDate) {
    let date = PartialDate::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(date.precision(), precision, "{text:?}");
    assert_eq!(date.start(), start, "{text:?}");
    assert_eq!(date.end(), end, "{text:?}");
    assert_eq!(date.text(), text.trim());
}

#[test]
fn parses_years() {
    check(
        "2017",
        DatePrecision::Year,
        ymd(2017, 1, 1),
        ymd(2017, 12, 31),
    );
    check(
        "  2017 ",
        DatePrecision::Year,
        ymd(2017, 1, 1),
        ymd(2017, 12, 31),
    );
}

#[test]
fn parses_quarters_in_every_spelling() {
    for text in [
        "Q2 2019",
        "2019-Q2",
        "2nd quarter 2019",
        "q2 2019",
        "Q2/2019",
        "2019 Q2",
        "second quarter of 2019",
    ] {
        check(
            text,
            DatePrecision::Quarter,
            ymd(2019, 4, 1),
            ymd(2019, 6, 30),
        );
    }
    check(
        "Q4 2020",
        DatePrecision::Quarter,
        ymd(2020, 10, 1),
        ymd(2020, 12, 31),
    );
    check(
        "1st quarter 2021",
        DatePrecision::Quarter,
        ymd(2021, 1, 1),
        ymd(2021, 3, 31),
    );
}

#[test]
fn parses_months_in_every_spelling() {
    check(
        "May 2017",
        DatePrecision::Month,
        ymd(2017, 5, 1),
        ymd(2017, 5, 31),
    );
    for text in [
        "Sept. 2019",
        "Sep 2019",
        "september 2019",
        "SEPTEMBER 2019",
        "2019-09",
        "09/2019",
        "9/2019",
        "Sept 2019",
        "2019/09",
    ] {
        check(
            text,
            DatePrecision::Month,
            ymd(2019, 9, 1),
            ymd(2019, 9, 30),
        );
    }
    check(
        "2021-03",
        DatePrecision::Month,
        ymd(2021, 3, 1),
        ymd(2021, 3, 31),
    );
    check(
        "Feb 2020",
        DatePrecision::Month,
        ymd(2020, 2, 1),
        ymd(2020, 2, 29),
    );
    check(
        "Feb. 2019",
        DatePrecision::Month,
        ymd(2019, 2, 1),
        ymd(2019, 2, 28),
    );
    check(
        "Dec 2019",
        DatePrecision::Month,
        ymd(2019, 12, 1),
        ymd(2019, 12, 31),
    );
}

#[test]
fn parses_days_in_every_spelling() {
    for text in [
        "14 November 2019",
        "November 14, 2019",
        "14th November 2019",
        "2019-11-14",
        "14.11.2019",
        "14/11/2019",
        "Nov. 14, 2019",
        "14 nov 2019",
        "14. November 2019",
    ] {
        check(
            text,
            DatePrecision::Day,
            ymd(2019, 11, 14),
            ymd(2019, 11, 14),
        );
    }
    check(
        "1st May 2020",
        DatePrecision::Day,
        ymd(2020, 5, 1),
        ymd(2020, 5, 1),
    );
    check(
        "29 February 2020",
        DatePrecision::Day,
        ymd(2020, 2, 29),
        ymd(2020, 2, 29),
    );
}

#[test]
fn parses_month_ranges_within_a_year() {
    for text in [
        "April–May 2019",
        "April-May 2019",
        "Apr - May 2019",
        "April to May 2019",
    ] {
        check(
            text,
            DatePrecision::Month,
            ymd(2019, 4, 1),
            ymd(2019, 5, 31),
        );
    }
}

#[test]
fn parses_other_ranges() {
    check(
        "14–15 November 2019",
        DatePrecision::Day,
        ymd(2019, 11, 14),
        ymd(2019, 11, 15),
    );
    check(
        "November 14-15, 2019",
        DatePrecision::Day,
        ymd(2019, 11, 14),
        ymd(2019, 11, 15),
    );
    check(
        "30 October – 2 November 2019",
        DatePrecision::Day,
        ymd(2019, 10, 30),
        ymd(2019, 11, 2),
    );
    check(
        "December 2019 – January 2020",
        DatePrecision::Month,
        ymd(2019, 12, 1),
        ymd(2020, 1, 31),
    );
    check(
        "2019–2020",
        DatePrecision::Year,
        ymd(2019, 1, 1),
        ymd(2020, 12, 31),
    );
    check(
        "Q1 2020 - Q2 2020",
        DatePrecision::Quarter,
        ymd(2020, 1, 1),
        ymd(2020, 6, 30),
    );
}

#[test]
fn rejects_impossible_dates_with_a_reason() {
    assert!(matches!(
        PartialDate::parse("31 February 2020"),
        Err(PartialDateError::DayOutOfRange {
            day: 31,
            month: 2,
            year: 2020,
            ..
        })
    ));
    assert!(matches!(
        PartialDate::parse("29 February 2019"),
        Err(PartialDateError::DayOutOfRange { .. })
    ));
    assert!(matches!(
        PartialDate::parse("2019-13"),
        Err(PartialDateError::MonthOutOfRange { month: 13, .. })
    ));
    assert!(matches!(
        PartialDate::parse("2019-00"),
        Err(PartialDateError::MonthOutOfRange { month: 0, .. })
    ));
    assert!(matches!(
        PartialDate::parse("2019-02-30"),
        Err(PartialDateError::DayOutOfRange { .. })
    ));
    assert!(matches!(
        PartialDate::parse("14.13.2019"),
        Err(PartialDateError::MonthOutOfRange { .. })
    ));
    assert!(matches!(
        PartialDate::parse("0 May 2019"),
        Err(PartialDateError::DayOutOfRange { day: 0, .. })
    ));
    assert!(matches!(
        PartialDate::parse("Q5 2019"),
        Err(PartialDateError::QuarterOutOfRange { quarter: 5, .. })
    ));
    assert!(matches!(
        PartialDate::parse("Q0 2019"),
        Err(PartialDateError::QuarterOutOfRange { .. })
    ));
    assert!(matches!(
        PartialDate::parse("1500"),
        Err(PartialDateError::YearOutOfRange { year: 1500, .. })
    ));
    assert!(matches!(
        PartialDate::parse("May–April 2019"),
        Err(PartialDateError::ReversedRange { .. })
    ));
    assert!(matches!(
        PartialDate::parse("2020-2019"),
        Err(PartialDateError::ReversedRange { .. })
    ));
}

#[test]
fn rejects_what_is_not_a_date() {
    assert_eq!(PartialDate::parse("   "), Err(PartialDateError::Empty));
    for text in [
        "soon",
        "May",
        "14 November",
        "2019 and beyond",
        "20190",
        "2019-",
        "Mayday 2019",
        "2019 May 14",
        "2019 - 05",
    ] {
        assert!(
            matches!(
                PartialDate::parse(text),
                Err(PartialDateError::Unrecognised { .. })
            ),
            "{text:?} was accepted"
        );
    }
}

#[test]
fn error_messages_speak_to_people() {
    let msg = PartialDate::parse("31 February 2020")
        .unwrap_err()
        .to_string();
    assert_eq!(msg, "\"31 February 2020\": February 2020 has no day 31");
    let msg = PartialDate::parse("2019-13").unwrap_err().to_string();
    assert_eq!(
        msg,
        "\"2019-13\": there is no month 13; months run from 1 to 12"
    );
    let msg = PartialDate::parse("soon").unwrap_err().to_string();
    assert!(
        msg.starts_with("\"soon\" is not a date in a known form"),
        "{msg}"
    );
    let err =
        PartialDate::new("x", DatePrecision::Month, ymd(2019, 5, 3), ymd(2019, 5, 31)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "2019-05-03 to 2019-05-31 is not a whole number of months"
    );
}

#[test]
fn new_accepts_rows_that_fit_their_precision() {
    let d = PartialDate::new(
        "May 2017",
        DatePrecision::Month,
        ymd(2017, 5, 1),
        ymd(2017, 5, 31),
    )
    .unwrap();
    assert_eq!(d, PartialDate::parse("May 2017").unwrap());
    PartialDate::new(
        "2019",
        DatePrecision::Year,
        ymd(2019, 1, 1),
        ymd(2019, 12, 31),
    )
    .unwrap();
    PartialDate::new(
        "2019–2020",
        DatePrecision::Year,
        ymd(2019, 1, 1),
        ymd(2020, 12, 31),
    )
    .unwrap();
    PartialDate::new(
        "Q2 2019",
        DatePrecision::Quarter,
        ymd(2019, 4, 1),
        ymd(2019, 6, 30),
    )
    .unwrap();
    PartialDate::new(
        "April–May 2019",
        DatePrecision::Month,
        ymd(2019, 4, 1),
        ymd(2019, 5, 31),
    )
    .unwrap();
    PartialDate::new(
        "3 May 2019",
        DatePrecision::Day,
        ymd(2019, 5, 3),
        ymd(2019, 5, 3),
    )
    .unwrap();
}

#[test]
fn new_refuses_rows_that_do_not() {
    let new = |p, s, e| PartialDate::new("x", p, s, e);
    assert!(matches!(
        new(DatePrecision::Day, ymd(2019, 5, 3), ymd(2019, 5, 2)),
        Err(PartialDateError::StartAfterEnd { .. })
    ));
    assert!(matches!(
        new(DatePrecision::Year, ymd(2019, 1, 1), ymd(2019, 12, 30)),
        Err(PartialDateError::Misaligned { .. })
    ));
    assert!(matches!(
        new(DatePrecision::Quarter, ymd(2019, 2, 1), ymd(2019, 4, 30)),
        Err(PartialDateError::Misaligned { .. })
    ));
    assert!(matches!(
        new(DatePrecision::Quarter, ymd(2019, 4, 1), ymd(2019, 6, 29)),
        Err(PartialDateError::Misaligned { .. })
    ));
    assert!(matches!(
        new(DatePrecision::Month, ymd(2019, 5, 1), ymd(2019, 5, 30)),
        Err(PartialDateError::Misaligned { .. })
    ));
    assert_eq!(
        PartialDate::new(" ", DatePrecision::Day, ymd(2019, 5, 3), ymd(2019, 5, 3)),
        Err(PartialDateError::Empty)
    );
}

#[test]
fn leading_reads_the_date_of_a_bullet() {
    let (d, rest) =
        PartialDate::leading("April 2019: mission and meetings with European cities").unwrap();
    assert_eq!(
        (d.text(), d.precision(), d.start()),
        ("April 2019", DatePrecision::Month, ymd(2019, 4, 1))
    );
    assert_eq!(rest, "mission and meetings with European cities");

    let (d, rest) = PartialDate::leading("14 November 2019 – Forum on urban regeneration").unwrap();
    assert_eq!(
        (d.text(), d.start()),
        ("14 November 2019", ymd(2019, 11, 14))
    );
    assert_eq!(rest, "Forum on urban regeneration");

    let (d, rest) = PartialDate::leading("→ May 2020: Online meeting Bologna – Guangzhou").unwrap();
    assert_eq!(d.text(), "May 2020");
    assert_eq!(rest, "Online meeting Bologna – Guangzhou");

    let (d, rest) = PartialDate::leading("2019-Q2, visit").unwrap();
    assert_eq!((d.precision(), rest), (DatePrecision::Quarter, "visit"));

    let (d, rest) =
        PartialDate::leading("September 2019 - EU cities representatives visit").unwrap();
    assert_eq!(
        (d.text(), rest),
        ("September 2019", "EU cities representatives visit")
    );

    let (d, rest) = PartialDate::leading("2019 – 15 cities joined").unwrap();
    assert_eq!(
        (d.precision(), rest),
        (DatePrecision::Year, "15 cities joined")
    );

    let (d, rest) = PartialDate::leading("May 2020").unwrap();
    assert_eq!((d.text(), rest), ("May 2020", ""));
}

#[test]
fn leading_needs_a_date_first() {
    assert!(PartialDate::leading("Mission to Brussels, April 2019").is_none());
    assert!(PartialDate::leading("31 February 2020: nothing").is_none());
    assert!(PartialDate::leading("").is_none());
    assert!(PartialDate::leading("2019ers").is_none());
}

#[test]
fn find_locates_the_first_date_in_a_text() {
    let text = "May 2017 (as a follow-up to Wuhan's engagement in previous EU-China urban project World Cities)";
    let (d, range) = PartialDate::find(text).unwrap();
    assert_eq!((d.text(), range), ("May 2017", 0..8));

    let text = "Signed on 14th November 2019 in Brussels, renewed in 2021";
    let (d, range) = PartialDate::find(text).unwrap();
    assert_eq!(&text[range], "14th November 2019");
    assert_eq!(d.start(), ymd(2019, 11, 14));

    let text = "Cooperation since April–May 2019.";
    assert_eq!(PartialDate::find(text).unwrap().0.end(), ymd(2019, 5, 31));

    let text = "Kick-off → 广州 2019年 visit in Q3 2020";
    let (d, range) = PartialDate::find(text).unwrap();
    assert_eq!(&text[range.clone()], "Q3 2020");
    assert_eq!(d.text(), "Q3 2020");
}

#[test]
fn find_skips_impossible_dates_and_non_dates() {
    let (d, _) = PartialDate::find("On 31 February 2020, or rather 2 March 2020").unwrap();
    assert_eq!(d.start(), ymd(2020, 3, 2));
    assert!(PartialDate::find("约1500万 inhabitants, ISO 14001, COVID-19").is_none());
    assert!(PartialDate::find("code A2019B").is_none());
    assert!(PartialDate::find("").is_none());
}

#[test]
fn overlap_includes_partial_dates_touching_the_window() {
    let april = PartialDate::parse("April 2019").unwrap();
    let (y2019_start, y2019_end) = (Some(ymd(2019, 1, 1)), Some(ymd(2019, 12, 31)));
    assert!(april.overlaps(y2019_start, y2019_end));
    assert!(april.overlaps(None, None));
    assert!(april.overlaps(Some(ymd(2019, 4, 30)), None));
    assert!(april.overlaps(None, Some(ymd(2019, 4, 1))));
    assert!(!april.overlaps(Some(ymd(2019, 5, 1)), None));
    assert!(!april.overlaps(None, Some(ymd(2019, 3, 31))));
    let year = PartialDate::parse("2019").unwrap();
    assert!(year.overlaps(Some(ymd(2019, 6, 1)), Some(ymd(2019, 6, 1))));
}

#[test]
fn sorting_uses_the_first_day_then_the_precision() {
    let mut dates: Vec<PartialDate> = [
        "2 January 2019",
        "January 2019",
        "2019",
        "1 January 2019",
        "Q1 2019",
        "2018",
    ]
    .into_iter()
    .map(|t| PartialDate::parse(t).unwrap())
    .collect();
    dates.sort();
    let texts: Vec<&str> = dates.iter().map(PartialDate::text).collect();
    assert_eq!(
        texts,
        [
            "2018",
            "2019",
            "Q1 2019",
            "January 2019",
            "1 January 2019",
            "2 January 2019"
        ]
    );
    assert!(dates[1].sort_key() < dates[2].sort_key());
}

#[test]
fn display_shows_the_published_text() {
    assert_eq!(
        PartialDate::parse("Sept. 2019").unwrap().to_string(),
        "Sept. 2019"
    );
    let d: PartialDate = "Q2 2019".parse().unwrap();
    assert_eq!(d.to_string(), "Q2 2019");
    assert!(PartialDate::try_from("2019").is_ok());
}

#[test]
fn canonical_form_reads_back_to_the_same_bounds() {
    for (text, iso) in [
        ("2017", "2017"),
        ("2nd quarter 2019", "2019-Q2"),
        ("Sept. 2019", "2019-09"),
        ("14th November 2019", "2019-11-14"),
        ("April–May 2019", "2019-04/2019-05"),
        ("2019–2020", "2019/2020"),
        ("14–15 November 2019", "2019-11-14/2019-11-15"),
    ] {
        let d = PartialDate::parse(text).unwrap();
        assert_eq!(d.canonical(), iso);
        let back = PartialDate::parse(iso).unwrap();
        assert_eq!(
            (back.precision(), back.start(), back.end()),
            (d.precision(), d.start(), d.end()),
            "{iso}"
        );
    }
}
