//! Dates as the summaries publish them ("2017", "Q2 2019", "May 2017", "14 November 2019"), kept with
//! their precision and the first and last day they cover: "May 2017" is not 2017-05-01.
//!
//! This file holds the type, its constructors and queries; `tokens` splits a text into tokens and
//! `parse` holds the grammar and the check of its numbers.

mod parse;
mod tokens;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use entity::enums::DatePrecision;

use parse::{longest_span, resolve};
use tokens::tokenize;

/// Years outside this window are typos in this domain (the programme began in 2016); refusing them keeps
/// "1500万" or an ISO standard number from being read as a year.
const MIN_YEAR: i64 = 1900;
const MAX_YEAR: i64 = 2100;

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date of year, quarter, month or day precision, with the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartialDate {
    text: String,
    precision: DatePrecision,
    start: NaiveDate,
    end: NaiveDate,
}

/// Why a text or a stored row is not a [`PartialDate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartialDateError {
    #[error("the date is empty")]
    Empty,
    #[error(
        "\"{text}\" is not a date in a known form (for example \"2019\", \"Q2 2019\", \"May 2019\", \
         \"2019-05\", \"14 November 2019\" or \"2019-11-14\")"
    )]
    Unrecognised { text: String },
    #[error("\"{text}\": there is no month {month}; months run from 1 to 12")]
    MonthOutOfRange { text: String, month: u64 },
    #[error("\"{text}\": {} {year} has no day {day}", month_name(*.month))]
    DayOutOfRange {
        text: String,
        year: i64,
        month: u32,
        day: u64,
    },
    #[error("\"{text}\": there is no quarter {quarter}; quarters run from 1 to 4")]
    QuarterOutOfRange { text: String, quarter: u64 },
    #[error("\"{text}\": the year {year} is outside {MIN_YEAR}–{MAX_YEAR}")]
    YearOutOfRange { text: String, year: i64 },
    #[error("\"{text}\": the range ends before it starts")]
    ReversedRange { text: String },
    #[error("a date cannot start on {start} and end earlier, on {end}")]
    StartAfterEnd { start: NaiveDate, end: NaiveDate },
    #[error("{start} to {end} is not a whole number of {}s", precision_word(*.precision))]
    Misaligned {
        precision: DatePrecision,
        start: NaiveDate,
        end: NaiveDate,
    },
}

impl PartialDate {
    /// Reads a whole text as one date (or one range of dates of the same precision).
    pub fn parse(s: &str) -> Result<Self, PartialDateError> {
        let text = s.trim();
        if text.is_empty() {
            return Err(PartialDateError::Empty);
        }
        let toks = tokenize(text);
        let unrecognised = || PartialDateError::Unrecognised {
            text: text.to_owned(),
        };
        let (span, end) = longest_span(&toks, 0).ok_or_else(unrecognised)?;
        if end != toks.len() {
            return Err(unrecognised());
        }
        let (precision, start, end) = resolve(span, text)?;
        Ok(Self {
            text: text.to_owned(),
            precision,
            start,
            end,
        })
    }

    /// Rebuilds a date from stored columns; refuses rows whose bounds do not fit the precision, so a
    /// hand-edited row cannot claim "MONTH" for 3 to 17 May.
    pub fn new(
        text: impl Into<String>,
        precision: DatePrecision,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Self, PartialDateError> {
        let text = text.into();
        if text.trim().is_empty() {
            return Err(PartialDateError::Empty);
        }
        if start > end {
            return Err(PartialDateError::StartAfterEnd { start, end });
        }
        let aligned = match precision {
            DatePrecision::Year => {
                (start.month(), start.day()) == (1, 1) && (end.month(), end.day()) == (12, 31)
            }
            DatePrecision::Quarter => {
                start.day() == 1
                    && start.month() % 3 == 1
                    && end.month().is_multiple_of(3)
                    && is_last_day(end)
            }
            DatePrecision::Month => start.day() == 1 && is_last_day(end),
            DatePrecision::Day => true,
        };
        if !aligned {
            return Err(PartialDateError::Misaligned {
                precision,
                start,
                end,
            });
        }
        Ok(Self {
            text,
            precision,
            start,
            end,
        })
    }

    /// A date at the start of a bullet ("April 2019: mission …"), and the rest of the bullet after the
    /// separator. Bullet glyphs ("→", "•") before the date are skipped.
    pub fn leading(s: &str) -> Option<(PartialDate, &str)> {
        let body = s.trim_start_matches(|c: char| c.is_whitespace() || BULLETS.contains(&c));
        let offset = s.len() - body.len();
        let toks = tokenize(body);
        let (span, end_tok) = longest_span(&toks, 0)?;
        let end = toks.get(end_tok.checked_sub(1)?)?.end;
        if !boundary_after(body, end) {
            return None;
        }
        let text = &s[offset..offset + end];
        let (precision, start, last) = resolve(span, text).ok()?;
        let rest = body[end..]
            .trim_start_matches(|c: char| c.is_whitespace() || LEAD_SEPARATORS.contains(&c));
        Some((
            PartialDate {
                text: text.to_owned(),
                precision,
                start,
                end: last,
            },
            rest,
        ))
    }

    /// The first date anywhere in a text ("May 2017 (as a follow-up to …)"), with its byte range.
    pub fn find(s: &str) -> Option<(PartialDate, Range<usize>)> {
        let toks = tokenize(s);
        let mut i = 0;
        while i < toks.len() {
            let Some((span, end_tok)) = longest_span(&toks, i) else {
                i += 1;
                continue;
            };
            let range = toks[i].start..toks[end_tok - 1].end;
            if boundary_before(s, range.start) && boundary_after(s, range.end) {
                let text = &s[range.clone()];
                if let Ok((precision, start, end)) = resolve(span, text) {
                    return Some((
                        PartialDate {
                            text: text.to_owned(),
                            precision,
                            start,
                            end,
                        },
                        range,
                    ));
                }
                // "31 February 2020" is no date, and neither is the "February 2020" inside it.
                i = end_tok;
            } else {
                i += 1;
            }
        }
        None
    }

    /// The text as published.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn precision(&self) -> DatePrecision {
        self.precision
    }

    /// The earliest day the date covers.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The latest day the date covers.
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// Sorting uses the earliest day, then the precision: "2019" before "January 2019" before
    /// "1 January 2019".
    pub fn sort_key(&self) -> (NaiveDate, DatePrecision) {
        (self.start, self.precision)
    }

    /// Whether any day of this date falls within `from..=to` (open ends are unbounded): "activities in
    /// 2019" include "April 2019" and "2018–2019".
    pub fn overlaps(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
        from.is_none_or(|from| self.end >= from) && to.is_none_or(|to| self.start <= to)
    }

    /// The ISO 8601 form ("2019", "2019-Q2", "2019-05", "2019-05-14", ranges as "2019-04/2019-05"), which
    /// [`PartialDate::parse`] reads back to the same bounds.
    pub fn canonical(&self) -> String {
        let first = iso(self.precision, self.start);
        let last = iso(self.precision, self.end);
        if first == last {
            first
        } else {
            format!("{first}/{last}")
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for PartialDate {
    type Err = PartialDateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for PartialDate {
    type Error = PartialDateError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PartialDate {
    /// [`PartialDate::sort_key`] first; the rest only keeps the order consistent with equality.
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key()
            .cmp(&other.sort_key())
            .then(self.end.cmp(&other.end))
            .then_with(|| self.text.cmp(&other.text))
    }
}

const BULLETS: [char; 8] = ['→', '•', '·', '▪', '►', '*', '➢', '✓'];
const LEAD_SEPARATORS: [char; 7] = [':', '–', '—', '-', '‐', '−', ','];

fn month_name(month: u32) -> &'static str {
    month
        .checked_sub(1)
        .and_then(|i| MONTH_NAMES.get(i as usize))
        .copied()
        .unwrap_or("?")
}

fn precision_word(precision: DatePrecision) -> &'static str {
    match precision {
        DatePrecision::Year => "year",
        DatePrecision::Quarter => "quarter",
        DatePrecision::Month => "month",
        DatePrecision::Day => "day",
    }
}

fn iso(precision: DatePrecision, d: NaiveDate) -> String {
    match precision {
        DatePrecision::Year => format!("{:04}", d.year()),
        DatePrecision::Quarter => format!("{:04}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
        DatePrecision::Month => format!("{:04}-{:02}", d.year(), d.month()),
        DatePrecision::Day => d.format("%Y-%m-%d").to_string(),
    }
}

fn is_last_day(d: NaiveDate) -> bool {
    d.succ_opt().is_none_or(|next| next.day() == 1)
}

fn boundary_before(s: &str, at: usize) -> bool {
    s[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

fn boundary_after(s: &str, at: usize) -> bool {
    s[at..].chars().next().is_none_or(|c| !c.is_alphanumeric())
}
