//! Numbers as the summaries publish them ("15,3mio", "8.657 km²", "约1500万"), kept with their text, and
//! the plausibility checks that catch misread ones (1,24 km² for 15.3 million people).
//!
//! This file holds the type and its reader; `plausible` holds the checks.

mod plausible;

use std::fmt;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

pub use plausible::{area_issue, density_issue, population_issue};

/// A number with the text it was read from and its unit, if the text gave one ("km²", "ha", "m²",
/// "mi²"). Multipliers ("mio", "bn", "万") are applied to the value, not kept as a unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PublishedNumber {
    text: String,
    value: Decimal,
    unit: Option<String>,
}

/// Why a published text is not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("\"{text}\" holds no number")]
    NoNumber { text: String },
    #[error("\"{text}\" is negative, which a count or an area cannot be")]
    Negative { text: String },
    #[error(
        "\"{text}\": the separators do not form digit groups (thousands come in groups of three, as in \
         \"3,500,000\" or \"3.500.000\", with at most one decimal mark after them)"
    )]
    MisplacedSeparator { text: String },
    #[error(
        "\"{text}\": \"{rest}\" after the number is neither a multiplier (\"mio\", \"bn\", \"万\") nor a unit (\"km²\")"
    )]
    UnexpectedText { text: String, rest: String },
    #[error("\"{text}\" is too large to hold")]
    TooLarge { text: String },
}

impl PublishedNumber {
    /// Reads a published number; `Ok(None)` when the text says there is none ("N/A", "-", "unknown").
    pub fn parse(s: &str) -> Result<Option<Self>, NumberError> {
        let text = s.trim();
        if is_not_available(text) {
            return Ok(None);
        }
        let err_text = || text.to_owned();
        let body = strip_qualifiers(text);
        let unsigned = body.strip_prefix(['-', '−']).map(str::trim_start);
        if unsigned.is_some_and(|u| u.starts_with(|c: char| c.is_ascii_digit())) {
            return Err(NumberError::Negative { text: err_text() });
        }
        let (groups, after_number) =
            scan_digits(body).ok_or_else(|| NumberError::NoNumber { text: err_text() })?;
        let (factor, after_multiplier) = multiplier(&body[after_number..]);
        let unit = unit(after_multiplier).ok_or_else(|| NumberError::UnexpectedText {
            text: err_text(),
            rest: after_multiplier.trim().to_owned(),
        })?;
        let digits = interpret(&groups, factor.is_some())
            .ok_or_else(|| NumberError::MisplacedSeparator { text: err_text() })?;
        let too_large = || NumberError::TooLarge { text: err_text() };
        let mut value: Decimal = digits.parse().map_err(|_| too_large())?;
        if let Some(factor) = factor {
            value = value.checked_mul(factor).ok_or_else(too_large)?;
        }
        Ok(Some(Self {
            text: text.to_owned(),
            value: value.normalize(),
            unit: unit.map(str::to_owned),
        }))
    }

    /// The text as published.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value with any multiplier applied: "15,3mio" is 15 300 000.
    pub fn value(&self) -> Decimal {
        self.value
    }

    /// The unit the text named, normalised ("km²", "m²", "ha", "mi²"); `None` when it named none.
    pub fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }

    /// The value rounded to a whole number (half away from zero), as populations are stored.
    pub fn as_i64(&self) -> Option<i64> {
        self.value
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
    }

    /// The value as an area in km², converting other area units; a unit-less value is taken to be in km²
    /// because the summaries' label says so ("Size (km²)"). `None` for a unit that is not an area.
    pub fn area_km2(&self) -> Option<Decimal> {
        match self.unit.as_deref() {
            None | Some("km²") => Some(self.value),
            Some("ha") => Some(self.value / Decimal::ONE_HUNDRED),
            Some("m²") => self.value.checked_div(Decimal::from(1_000_000)),
            // One international square mile is exactly 2.589988110336 km².
            Some("mi²") => self.value.checked_mul(Decimal::new(2_589_988_110_336, 12)),
            Some(_) => None,
        }
    }
}

impl fmt::Display for PublishedNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn is_not_available(text: &str) -> bool {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    matches!(
        compact.as_str(),
        "" | "n/a"
            | "na"
            | "n.a."
            | "n.a"
            | "n/d"
            | "-"
            | "--"
            | "–"
            | "—"
            | "?"
            | "/"
            | "unknown"
            | "notavailable"
            | "none"
            | "tbd"
            | "无"
            | "不详"
    )
}

/// Words of approximation the value does without: "ca. 600,000" is 600 000.
const QUALIFIERS: &[&str] = &[
    "approximately",
    "approx.",
    "approx",
    "more than",
    "roughly",
    "around",
    "nearly",
    "almost",
    "circa",
    "about",
    "over",
    "some",
    "est.",
    "ca.",
    "ca",
    "c.",
    "~",
    "≈",
    "大约",
    "约",
    "近",
];

fn strip_qualifiers(mut s: &str) -> &str {
    'again: loop {
        s = s.trim_start();
        for q in QUALIFIERS {
            let Some(head) = s.get(..q.len()) else {
                continue;
            };
            if !head.eq_ignore_ascii_case(q) {
                continue;
            }
            let rest = &s[q.len()..];
            // A word must end where the qualifier does: "ca" is no prefix of "cat".
            let ends_word = !q.ends_with(|c: char| c.is_ascii_alphabetic())
                || !rest.starts_with(|c: char| c.is_alphabetic());
            if ends_word {
                s = rest;
                continue 'again;
            }
        }
        return s;
    }
}

/// A separator seen between digit groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Dot,
    Comma,
    /// A space or an apostrophe ("3 500 000", "3'500'000"): only ever a thousands separator.
    Thousands,
}

/// A run of digits and the separator before it (none for the first).
type Group<'a> = (Option<Sep>, &'a str);

/// The digit groups at the start of `s` and the byte offset after them; `None` when `s` does not start
/// with a digit.
fn scan_digits(s: &str) -> Option<(Vec<Group<'_>>, usize)> {
    let digits_at = |at: usize| {
        s[at..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(s.len(), |n| at + n)
    };
    let first_end = digits_at(0);
    if first_end == 0 {
        return None;
    }
    let mut groups = vec![(None, &s[..first_end])];
    let mut pos = first_end;
    while let Some(c) = s[pos..].chars().next() {
        let sep = match c {
            '.' => Sep::Dot,
            ',' => Sep::Comma,
            ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '\'' | '’' => Sep::Thousands,
            _ => break,
        };
        let group_start = pos + c.len_utf8();
        let group_end = digits_at(group_start);
        let len = group_end - group_start;
        // A space only separates thousands when exactly three digits follow; "7434 sq km" ends at "7434".
        if len == 0 || (sep == Sep::Thousands && len != 3) {
            break;
        }
        groups.push((Some(sep), &s[group_start..group_end]));
        pos = group_end;
    }
    Some((groups, pos))
}

/// Turns digit groups into a plain decimal string ("15.3"), deciding which separator is the decimal
/// mark; `None` when the groups do not fit any reading.
fn interpret(groups: &[Group], has_multiplier: bool) -> Option<String> {
    let marks: Vec<(usize, Sep)> = groups
        .iter()
        .enumerate()
        .filter_map(|(i, (sep, _))| sep.filter(|s| *s != Sep::Thousands).map(|s| (i, s)))
        .collect();
    let has_spaces = groups.iter().any(|(sep, _)| *sep == Some(Sep::Thousands));
    let decimal_at = match marks.as_slice() {
        [] => None,
        [(i, _)] => {
            let before = groups.first().map_or("", |g| g.1);
            let after = groups.get(*i).map_or("", |g| g.1);
            // A lone separator is a thousands separator when exactly three digits follow and nothing
            // makes it a decimal: a multiplier ("1.500 mio"), spaces already grouping the thousands,
            // a leading zero ("0.250") or a first group too long for thousands ("1234,567").
            let thousands = after.len() == 3
                && !has_multiplier
                && !has_spaces
                && before != "0"
                && before.len() <= 3;
            if thousands { None } else { Some(*i) }
        }
        [.., (last_i, last)] => {
            if marks.iter().all(|(_, s)| s == last) {
                None // "3,500,000": the same separator repeated groups thousands
            } else {
                // Both "." and ",": the last one is the decimal mark, and it must be alone.
                let decimals = marks.iter().filter(|(_, s)| s == last).count();
                if decimals != 1 {
                    return None;
                }
                Some(*last_i)
            }
        }
    };
    let thousands_end = decimal_at.unwrap_or(groups.len());
    if thousands_end > 1 {
        let lens: Vec<usize> = groups[..thousands_end].iter().map(|g| g.1.len()).collect();
        let western = (1..=3).contains(&lens[0]) && lens[1..].iter().all(|&n| n == 3);
        // India groups lakhs and crores by two: "1,23,45,678".
        let commas = groups[1..thousands_end]
            .iter()
            .all(|g| g.0 == Some(Sep::Comma));
        let indian = commas
            && (1..=2).contains(&lens[0])
            && lens[1..]
                .split_last()
                .is_some_and(|(&last, middle)| last == 3 && middle.iter().all(|&n| n == 2));
        if !western && !indian {
            return None;
        }
    }
    if decimal_at.is_some_and(|i| i + 1 != groups.len()) {
        return None; // nothing may follow the decimal part
    }
    let mut out = String::new();
    for (i, (_, digits)) in groups.iter().enumerate() {
        if Some(i) == decimal_at {
            out.push('.');
        }
        out.push_str(digits);
    }
    Some(out)
}

/// Multipliers, longest spellings first; Latin ones are matched case-insensitively as whole words.
const MULTIPLIERS: &[(&str, i64)] = &[
    ("millions", 1_000_000),
    ("million", 1_000_000),
    ("milliards", 1_000_000_000),
    ("milliard", 1_000_000_000),
    ("billions", 1_000_000_000),
    ("billion", 1_000_000_000),
    ("thousands", 1_000),
    ("thousand", 1_000),
    ("crore", 10_000_000),
    ("lakh", 100_000),
    ("mio", 1_000_000),
    ("mln", 1_000_000),
    ("mrd", 1_000_000_000),
    ("mn", 1_000_000),
    ("bn", 1_000_000_000),
    ("m", 1_000_000),
    ("k", 1_000),
    ("千万", 10_000_000),
    ("百万", 1_000_000),
    ("亿", 100_000_000),
    ("万", 10_000),
    ("千", 1_000),
];

/// The multiplier right after a number ("15,3mio", "15.3 million", "1500万") and the text after it.
fn multiplier(s: &str) -> (Option<Decimal>, &str) {
    let t = s.trim_start();
    for (word, factor) in MULTIPLIERS {
        let Some(head) = t.get(..word.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(word) {
            continue;
        }
        let mut rest = &t[word.len()..];
        if word.is_ascii() {
            if rest.starts_with(|c: char| c.is_alphabetic()) {
                continue;
            }
            // "7 m²" is an area in square metres, not seven million.
            if *word == "m" && rest.trim_start().starts_with(['²', '2', '^']) {
                continue;
            }
            rest = rest.strip_prefix('.').unwrap_or(rest); // "mio.", "mln."
        }
        return (Some(Decimal::from(*factor)), rest);
    }
    (None, s)
}

/// The unit (or a population noun, which is no unit) in what follows the number; `None` for anything
/// else. Spaces and dots are ignored so that "km ²", "sq. km" and "km2" meet; a trailing parenthesis
/// ("(2018)") is a note, not part of the value.
fn unit(s: &str) -> Option<Option<&'static str>> {
    let mut s = s.trim();
    while let Some(open) = s
        .strip_suffix([')', '）'])
        .and_then(|t| t.rfind(['(', '（']))
    {
        s = s[..open].trim_end();
    }
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .flat_map(char::to_lowercase)
        .collect();
    let unit = match compact.as_str() {
        "" | "inhabitants" | "inh" | "people" | "persons" | "residents" | "population" | "人"
        | "居民" | "常住人口" => None,
        "km²" | "km2" | "km^2" | "sqkm" | "kmsq" | "squarekm" | "squarekilometres"
        | "squarekilometers" | "平方公里" | "平方千米" => Some("km²"),
        "m²" | "m2" | "m^2" | "sqm" | "squaremetres" | "squaremeters" | "平方米" => Some("m²"),
        "ha" | "hectare" | "hectares" | "公顷" => Some("ha"),
        "mi²" | "mi2" | "sqmi" | "squaremiles" => Some("mi²"),
        _ => return None,
    };
    Some(unit)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
