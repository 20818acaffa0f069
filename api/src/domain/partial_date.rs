//! Dates as the summaries publish them ("2017", "Q2 2019", "May 2017", "14 November 2019"), kept with
//! their precision and the first and last day they cover: "May 2017" is not 2017-05-01.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use entity::enums::DatePrecision;

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

fn month_number(word: &str) -> Option<u32> {
    let m = match word {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

// Tokens: the grammar works on digit runs, letter runs and punctuation, keeping byte offsets so that
// `find` and `leading` can return the published text.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A run of ASCII digits; `ordinal` when glued to "st", "nd", "rd" or "th" ("14th").
    Num {
        value: u64,
        digits: usize,
        ordinal: bool,
    },
    Word,
    Dash,
    Slash,
    Dot,
    Comma,
    Other,
}

#[derive(Debug, Clone)]
struct Tok {
    kind: Kind,
    /// Lower-cased letters of a word; empty for other tokens.
    word: String,
    start: usize,
    end: usize,
}

fn tokenize(s: &str) -> Vec<Tok> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let offset = |i: usize| chars.get(i).map_or(s.len(), |&(o, _)| o);
    let mut toks = Vec::new();
    let mut i = 0;
    while let Some(&(start, c)) = chars.get(i) {
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let kind = if c.is_ascii_digit() {
            while chars.get(j).is_some_and(|&(_, c)| c.is_ascii_digit()) {
                j += 1;
            }
            let digits = j - i;
            let value = s[start..offset(j)].bytes().fold(0u64, |acc, b| {
                acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
            });
            let mut k = j;
            while chars.get(k).is_some_and(|&(_, c)| c.is_alphabetic()) {
                k += 1;
            }
            let suffix = s[offset(j)..offset(k)].to_lowercase();
            let ordinal = matches!(suffix.as_str(), "st" | "nd" | "rd" | "th");
            if ordinal {
                j = k;
            }
            Kind::Num {
                value,
                digits,
                ordinal,
            }
        } else if c.is_alphabetic() {
            while chars.get(j).is_some_and(|&(_, c)| c.is_alphabetic()) {
                j += 1;
            }
            Kind::Word
        } else {
            match c {
                '-' | '‐' | '‑' | '‒' | '–' | '—' | '−' => Kind::Dash,
                '/' => Kind::Slash,
                '.' => Kind::Dot,
                ',' => Kind::Comma,
                _ => Kind::Other,
            }
        };
        let end = offset(j);
        let word = if kind == Kind::Word {
            s[start..end].to_lowercase()
        } else {
            String::new()
        };
        toks.push(Tok {
            kind,
            word,
            start,
            end,
        });
        i = j;
    }
    toks
}

/// A position in the token list; every method consumes on success only.
#[derive(Clone, Copy)]
struct Cur<'t> {
    toks: &'t [Tok],
    i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i)
    }

    /// Whether the next token touches the previous one, as in "2019-05" (no spaces).
    fn glued(&self) -> bool {
        match (
            self.i.checked_sub(1).and_then(|p| self.toks.get(p)),
            self.peek(),
        ) {
            (Some(prev), Some(next)) => prev.end == next.start,
            _ => false,
        }
    }

    fn num(&mut self, digits: std::ops::RangeInclusive<usize>, ordinal_ok: bool) -> Option<u64> {
        match self.peek()?.kind {
            Kind::Num {
                value,
                digits: d,
                ordinal,
            } if digits.contains(&d) && (ordinal_ok || !ordinal) => {
                self.i += 1;
                Some(value)
            }
            _ => None,
        }
    }

    fn year(&mut self) -> Option<i64> {
        self.num(4..=4, false).map(|y| y as i64)
    }

    /// A one- or two-digit month or day number without an ordinal suffix.
    fn small(&mut self) -> Option<u64> {
        self.num(1..=2, false)
    }

    /// A day of the month as words write it: "14" or "14th".
    fn day(&mut self) -> Option<u64> {
        self.num(1..=2, true)
    }

    fn punct(&mut self, kind: Kind) -> bool {
        let hit = self.peek().is_some_and(|t| t.kind == kind);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn one_of(&mut self, kinds: &[Kind]) -> Option<Kind> {
        let kind = self.peek()?.kind;
        if kinds.contains(&kind) {
            self.i += 1;
            Some(kind)
        } else {
            None
        }
    }

    fn word(&mut self, words: &[&str]) -> bool {
        let hit = self
            .peek()
            .is_some_and(|t| t.kind == Kind::Word && words.contains(&t.word.as_str()));
        if hit {
            self.i += 1;
        }
        hit
    }

    /// "November", "Nov", "Nov." or "Sept.".
    fn month_name(&mut self) -> Option<u32> {
        let tok = self.peek()?;
        if tok.kind != Kind::Word {
            return None;
        }
        let m = month_number(&tok.word)?;
        self.i += 1;
        if self.glued() {
            self.punct(Kind::Dot);
        }
        Some(m)
    }

    /// "2nd" or "second", as in "2nd quarter 2019".
    fn ordinal(&mut self) -> Option<u64> {
        if let Some(Kind::Num {
            value,
            digits: 1,
            ordinal: true,
        }) = self.peek().map(|t| t.kind)
        {
            self.i += 1;
            return Some(value);
        }
        let tok = self.peek()?;
        let n = match tok.word.as_str() {
            "first" => 1,
            "second" => 2,
            "third" => 3,
            "fourth" => 4,
            _ => return None,
        };
        self.i += 1;
        Some(n)
    }

    fn range_separator(&mut self) -> bool {
        self.one_of(&[Kind::Dash, Kind::Slash]).is_some()
            || self.word(&["to", "until", "till", "through"])
    }
}

/// A single date before its numbers are checked: the grammar recognises "31 February 2020" so that it can
/// say why that is no date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Point {
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
type Span = (Point, Point);
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
fn longest_span(toks: &[Tok], i: usize) -> Option<(Span, usize)> {
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
fn resolve(
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
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
        let err = PartialDate::new("x", DatePrecision::Month, ymd(2019, 5, 3), ymd(2019, 5, 31))
            .unwrap_err();
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

        let (d, rest) =
            PartialDate::leading("14 November 2019 – Forum on urban regeneration").unwrap();
        assert_eq!(
            (d.text(), d.start()),
            ("14 November 2019", ymd(2019, 11, 14))
        );
        assert_eq!(rest, "Forum on urban regeneration");

        let (d, rest) =
            PartialDate::leading("→ May 2020: Online meeting Bologna – Guangzhou").unwrap();
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
}
