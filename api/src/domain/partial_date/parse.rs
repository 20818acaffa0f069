//! The grammar: every written form of a single date or of a range, and the check of its numbers
//! that turns what it recognised into a precision and the first and last day.

use chrono::{Datelike, Months, NaiveDate};
use entity::enums::DatePrecision;

use super::tokens::{Cur, Kind, Tok};
use super::{MAX_YEAR, MIN_YEAR, PartialDateError};

/// A single date before its numbers are checked: the grammar recognises "31 February 2020" so that it can
/// say why that is no date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Point {
    Year(i64),
    Quarter(i64, u64),
    Month(i64, u64),
    Day(i64, u64, u64),
}

impl Point {
    fn same_precision(self, other: Point) -> bool {
        std::mem::discriminant(&self) == std::mem::discriminant(&other)
    }
}

type Pattern = fn(&mut Cur) -> Option<Point>;

/// Every form of a single date, most specific first (ties in length go to the earlier pattern).
const POINT_PATTERNS: &[Pattern] = &[
    // 14 November 2019, 14th November, 2019, 14. November 2019
    |c| {
        let d = c.day()?;
        c.punct(Kind::Dot);
        let m = c.month_name()?;
        c.punct(Kind::Comma);
        Some(Point::Day(c.year()?, u64::from(m), d))
    },
    // November 14, 2019
    |c| {
        let m = c.month_name()?;
        let d = c.day()?;
        c.punct(Kind::Comma);
        Some(Point::Day(c.year()?, u64::from(m), d))
    },
    // 2019-11-14, 2019/11/14
    |c| {
        let y = c.year()?;
        let sep = glued_one_of(c, &[Kind::Dash, Kind::Slash, Kind::Dot])?;
        let m = glued_small(c)?;
        glued_one_of(c, &[sep])?;
        Some(Point::Day(y, m, glued_small(c)?))
    },
    // 14.11.2019, 14/11/2019, 14-11-2019 (European order: the programme's summaries are written in the EU)
    |c| {
        let d = c.small()?;
        let sep = glued_one_of(c, &[Kind::Dot, Kind::Slash, Kind::Dash])?;
        let m = glued_small(c)?;
        glued_one_of(c, &[sep])?;
        if !c.glued() {
            return None;
        }
        Some(Point::Day(c.year()?, m, d))
    },
    // Q2 2019, Q2/2019
    |c| {
        if !c.word(&["q"]) || !c.glued() {
            return None;
        }
        let q = c.num(1..=1, false)?;
        c.one_of(&[Kind::Slash, Kind::Dash, Kind::Comma]);
        Some(Point::Quarter(c.year()?, q))
    },
    // 2019-Q2, 2019 Q2
    |c| {
        let y = c.year()?;
        c.one_of(&[Kind::Dash, Kind::Slash]);
        if !c.word(&["q"]) || !c.glued() {
            return None;
        }
        Some(Point::Quarter(y, c.num(1..=1, false)?))
    },
    // 2nd quarter 2019, second quarter of 2019
    |c| {
        let q = c.ordinal()?;
        if !c.word(&["quarter"]) {
            return None;
        }
        c.word(&["of"]);
        c.punct(Kind::Comma);
        Some(Point::Quarter(c.year()?, q))
    },
    // May 2017, Sept. 2019
    |c| {
        let m = c.month_name()?;
        c.punct(Kind::Comma);
        c.word(&["of"]);
        Some(Point::Month(c.year()?, u64::from(m)))
    },
    // 2019-05, 2019/05
    |c| {
        let y = c.year()?;
        glued_one_of(c, &[Kind::Dash, Kind::Slash])?;
        Some(Point::Month(y, glued_small(c)?))
    },
    // 05/2019, 05.2019
    |c| {
        let m = c.small()?;
        glued_one_of(c, &[Kind::Slash, Kind::Dot])?;
        if !c.glued() {
            return None;
        }
        Some(Point::Month(c.year()?, m))
    },
    // 2017
    |c| Some(Point::Year(c.year()?)),
];

/// Ranges whose first half leaves out what the second half says ("April–May 2019", "14–15 November
/// 2019"); fully written ranges ("May 2019 – June 2020") are joined in `spans`.
pub(super) type Span = (Point, Point);
type RangePattern = fn(&mut Cur) -> Option<Span>;

const ELIDED_RANGE_PATTERNS: &[RangePattern] = &[
    // April–May 2019
    |c| {
        let m1 = c.month_name()?;
        if !c.range_separator() {
            return None;
        }
        let m2 = c.month_name()?;
        c.punct(Kind::Comma);
        let y = c.year()?;
        Some((
            Point::Month(y, u64::from(m1)),
            Point::Month(y, u64::from(m2)),
        ))
    },
    // 14–15 November 2019
    |c| {
        let d1 = c.day()?;
        if !c.range_separator() {
            return None;
        }
        let d2 = c.day()?;
        c.punct(Kind::Dot);
        let m = u64::from(c.month_name()?);
        c.punct(Kind::Comma);
        let y = c.year()?;
        Some((Point::Day(y, m, d1), Point::Day(y, m, d2)))
    },
    // 30 October – 2 November 2019
    |c| {
        let d1 = c.day()?;
        c.punct(Kind::Dot);
        let m1 = u64::from(c.month_name()?);
        if !c.range_separator() {
            return None;
        }
        let d2 = c.day()?;
        c.punct(Kind::Dot);
        let m2 = u64::from(c.month_name()?);
        c.punct(Kind::Comma);
        let y = c.year()?;
        Some((Point::Day(y, m1, d1), Point::Day(y, m2, d2)))
    },
    // November 14–15, 2019
    |c| {
        let m = u64::from(c.month_name()?);
        let d1 = c.day()?;
        if !c.range_separator() {
            return None;
        }
        let d2 = c.day()?;
        c.punct(Kind::Comma);
        let y = c.year()?;
        Some((Point::Day(y, m, d1), Point::Day(y, m, d2)))
    },
];

fn glued_one_of(c: &mut Cur, kinds: &[Kind]) -> Option<Kind> {
    if c.glued() { c.one_of(kinds) } else { None }
}

fn glued_small(c: &mut Cur) -> Option<u64> {
    if c.glued() { c.small() } else { None }
}

/// The longest date (single or range) that starts at token `i`, with the index of the token after it.
pub(super) fn longest_span(toks: &[Tok], i: usize) -> Option<(Span, usize)> {
    let mut best: Option<(Span, usize)> = None;
    let mut consider = |span: Span, end: usize| {
        if best.is_none_or(|(_, e)| end > e) {
            best = Some((span, end));
        }
    };
    for (first, after_first) in points(toks, i) {
        consider((first, first), after_first);
        let mut c = Cur {
            toks,
            i: after_first,
        };
        if c.range_separator() {
            for (second, after_second) in points(toks, c.i) {
                if first.same_precision(second) {
                    consider((first, second), after_second);
                }
            }
        }
    }
    for pattern in ELIDED_RANGE_PATTERNS {
        let mut c = Cur { toks, i };
        if let Some(span) = pattern(&mut c) {
            consider(span, c.i);
        }
    }
    best
}

fn points(toks: &[Tok], i: usize) -> Vec<(Point, usize)> {
    POINT_PATTERNS
        .iter()
        .filter_map(|pattern| {
            let mut c = Cur { toks, i };
            pattern(&mut c).map(|p| (p, c.i))
        })
        .collect()
}

/// Checks the numbers of a recognised span and returns its precision and bounds.
pub(super) fn resolve(
    span: Span,
    text: &str,
) -> Result<(DatePrecision, NaiveDate, NaiveDate), PartialDateError> {
    let (precision, start, _) = bounds(span.0, text)?;
    let (_, second_start, end) = bounds(span.1, text)?;
    if second_start < start {
        return Err(PartialDateError::ReversedRange {
            text: text.to_owned(),
        });
    }
    Ok((precision, start, end))
}

fn bounds(
    point: Point,
    text: &str,
) -> Result<(DatePrecision, NaiveDate, NaiveDate), PartialDateError> {
    let year = match point {
        Point::Year(y) | Point::Quarter(y, _) | Point::Month(y, _) | Point::Day(y, _, _) => y,
    };
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(PartialDateError::YearOutOfRange {
            text: text.to_owned(),
            year,
        });
    }
    // In range, so the conversion cannot fail; the fallback only satisfies the type.
    let y = i32::try_from(year).unwrap_or(i32::MAX);
    let month_error = |month: u64| PartialDateError::MonthOutOfRange {
        text: text.to_owned(),
        month,
    };
    let month_span = |first: u64, count: u32| -> Result<(NaiveDate, NaiveDate), PartialDateError> {
        let first = u32::try_from(first).map_err(|_| month_error(first))?;
        let start =
            NaiveDate::from_ymd_opt(y, first, 1).ok_or_else(|| month_error(u64::from(first)))?;
        let end = start
            .checked_add_months(Months::new(count))
            .and_then(|d| d.pred_opt())
            .ok_or_else(|| month_error(u64::from(first)))?;
        Ok((start, end))
    };
    match point {
        Point::Year(_) => {
            let (start, end) = month_span(1, 12)?;
            Ok((DatePrecision::Year, start, end))
        }
        Point::Quarter(_, q) => {
            if !(1..=4).contains(&q) {
                return Err(PartialDateError::QuarterOutOfRange {
                    text: text.to_owned(),
                    quarter: q,
                });
            }
            let (start, end) = month_span(q * 3 - 2, 3)?;
            Ok((DatePrecision::Quarter, start, end))
        }
        Point::Month(_, m) => {
            let (start, end) = month_span(m, 1)?;
            Ok((DatePrecision::Month, start, end))
        }
        Point::Day(_, m, d) => {
            let (first, last) = month_span(m, 1)?;
            let day = u32::try_from(d)
                .ok()
                .and_then(|d| first.with_day(d))
                .filter(|date| *date <= last)
                .ok_or_else(|| PartialDateError::DayOutOfRange {
                    text: text.to_owned(),
                    year,
                    month: first.month(),
                    day: d,
                })?;
            Ok((DatePrecision::Day, day, day))
        }
    }
}
