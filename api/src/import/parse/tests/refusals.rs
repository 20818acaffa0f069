//! Files the parser must refuse, each naming the line or field, and small inputs at the edges.

use super::*;

#[test]
fn refuses_an_empty_file() {
    assert_eq!(parse_summary(EMPTY), Err(ParseError::Empty));
    assert_eq!(parse_summary(b""), Err(ParseError::Empty));
    assert_eq!(
        parse_summary("\u{FEFF}\r\n".as_bytes()),
        Err(ParseError::Empty)
    );
}

#[test]
fn refuses_a_file_without_a_city_row() {
    let err = parse_summary(NO_CITY).unwrap_err();
    assert_eq!(err, ParseError::MissingRow { field: "City" });
    assert_eq!(err.code(), "MISSING_ROW");
}

#[test]
fn refuses_a_city_row_without_a_focal_city() {
    let err = parse_summary(b"Title\n\nCity:\tN/A\tBarcelona\n").unwrap_err();
    assert_eq!(
        err,
        ParseError::MissingValue {
            line: 3,
            field: "City"
        }
    );
    assert!(err.to_string().starts_with("line 3:"));
}

#[test]
fn refuses_binary_data_naming_the_line() {
    assert_eq!(
        parse_summary(BINARY),
        Err(ParseError::NotText {
            line: 2,
            offset: 26
        })
    );
    assert!(matches!(
        parse_summary(b"City:\tX\t\xff\xfe"),
        Err(ParseError::NotText { line: 1, offset: 8 })
    ));
}

#[test]
fn refuses_a_file_over_one_mebibyte() {
    let big = vec![b'a'; MAX_FILE_BYTES + 1];
    assert_eq!(
        parse_summary(&big),
        Err(ParseError::TooLarge {
            bytes: MAX_FILE_BYTES + 1,
            limit: MAX_FILE_BYTES
        })
    );
}

#[test]
fn refuses_a_huge_cell_even_when_spread_over_continuation_rows() {
    let chunk = format!("<p>{}</p>", "→ May 2020: meeting ".repeat(500));
    let mut text = format!("City:\tGuangzhou\tRome\nExpected results and benefits:\t{chunk}\t\n");
    for _ in 0..4 {
        text.push_str(&format!("\t{chunk}\t\n"));
    }
    let err = parse_summary(text.as_bytes()).unwrap_err();
    assert!(
        matches!(&err, ParseError::CellTooLarge { line: 2, field, limit, .. } if field == "Expected results and benefits" && *limit == MAX_CELL_BYTES),
        "{err:?}"
    );
}

#[test]
fn refuses_a_table_with_too_many_rows() {
    let text = "City:\tGuangzhou\t\n".to_owned() + &"Note:\tx\t\n".repeat(MAX_ROWS);
    assert_eq!(
        parse_summary(text.as_bytes()),
        Err(ParseError::TooManyRows {
            line: MAX_ROWS + 1,
            limit: MAX_ROWS
        })
    );
}

#[test]
fn a_minimal_summary_is_a_city_alone() {
    let s = parse(b"City:\tNagoya\t\n");
    assert_eq!(
        (s.focal.name.as_str(), s.partners.len(), s.activities.len()),
        ("Nagoya", 0, 0)
    );
    assert!(s.period.is_none() && s.issues.is_empty());
}

#[test]
fn unreadable_numbers_and_dates_are_issues_that_keep_the_text() {
    let s = parse("City:\tX\tY\nPopulation:\tabout a million\tN/A\nPeriod of cooperation\tsoon\t\nDuplicate:\n".as_bytes());
    assert!(s.focal.population.is_none() && s.period.is_none());
    assert_eq!(s.period_context.as_deref(), Some("soon"));
    let number = s
        .issues
        .iter()
        .find(|i| i.code == "unreadable-number")
        .unwrap();
    assert_eq!(
        (number.field.as_str(), number.published_value.as_deref()),
        ("population", Some("about a million"))
    );
    assert_eq!(
        codes(&s),
        ["unknown-text", "unreadable-number", "unreadable-date"]
    );
}

#[test]
fn partner_lists_split_on_separators_outside_parentheses() {
    assert_eq!(
        split_list("Turin, Lyon and Bilbao"),
        ["Turin", "Lyon", "Bilbao"]
    );
    assert_eq!(
        split_list("Stuttgart (Region, DE); Porto & Braga"),
        ["Stuttgart (Region, DE)", "Porto", "Braga"]
    );
    assert_eq!(
        split_list("Bosnia and Herzegovina, Trinidad and Tobago"),
        ["Bosnia and Herzegovina", "Trinidad and Tobago"]
    );
    assert_eq!(split_list("<p>Rome</p><p>Milan</p>"), ["Rome", "Milan"]);
    assert!(split_list("N/A").is_empty());
}

#[test]
fn refuses_a_cell_of_thousands_of_tags() {
    let text = format!(
        "City:\tGuangzhou\t\nCooperation Themes:\t{}x\t\n",
        "<div>".repeat(MAX_CELL_TAGS + 1)
    );
    let err = parse_summary(text.as_bytes()).unwrap_err();
    assert!(
        matches!(err, ParseError::CellTooComplex { line: 2, ref field, .. } if field == "Cooperation Themes"),
        "{err:?}"
    );
    assert_eq!(err.code(), "CELL_TOO_COMPLEX");
}
