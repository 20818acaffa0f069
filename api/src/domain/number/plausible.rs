//! The plausibility checks run on numbers read from a summary: a population, an area, and the
//! density they make together, each with a message that says what is wrong. They live apart from the
//! reader: they judge values, whatever text the values were read from.

use rust_decimal::{Decimal, RoundingStrategy};

/// More persons per km² than this is a misread number: the densest real cities hold about 45 000.
const MAX_DENSITY: i64 = 60_000;
/// Larger than any country (Russia covers 17.1 million km²).
const MAX_AREA_KM2: i64 = 20_000_000;
/// More than any city proper or metropolitan area holds (the largest hold about 40 million).
const MAX_POPULATION: i64 = 50_000_000;

/// A message when population and area together give an impossible density; `None` when plausible, or
/// when the area is not positive (that is [`area_issue`]'s to report).
pub fn density_issue(population: &Decimal, area_km2: &Decimal) -> Option<String> {
    if *area_km2 <= Decimal::ZERO || *population <= Decimal::ZERO {
        return None;
    }
    let density = population.checked_div(*area_km2)?;
    let subject = format!(
        "{} people on {} km² make {} per km²",
        grouped(population),
        grouped(area_km2),
        grouped(&density)
    );
    if density > Decimal::from(MAX_DENSITY) {
        Some(format!(
            "{subject}, more than {} (the densest cities reach about 45 000 per km²): the population or \
             the area is probably misread",
            grouped(&Decimal::from(MAX_DENSITY))
        ))
    } else if density < Decimal::ONE {
        Some(format!(
            "{subject}, fewer than one person per km²: the population or the area is probably misread"
        ))
    } else {
        None
    }
}

/// A message for an area no city can have: zero or less, or more than 20 million km².
pub fn area_issue(area_km2: &Decimal) -> Option<String> {
    if *area_km2 <= Decimal::ZERO {
        Some(format!(
            "an area of {} km² is impossible for a city",
            grouped(area_km2)
        ))
    } else if *area_km2 > Decimal::from(MAX_AREA_KM2) {
        Some(format!(
            "an area of {} km² is larger than any country (Russia covers 17.1 million km²)",
            grouped(area_km2)
        ))
    } else {
        None
    }
}

/// A message for a population no city can have: zero or less, or more than 50 million.
pub fn population_issue(population: &Decimal) -> Option<String> {
    if *population <= Decimal::ZERO {
        Some(format!(
            "a population of {} is impossible for a city",
            grouped(population)
        ))
    } else if *population > Decimal::from(MAX_POPULATION) {
        Some(format!(
            "a population of {} is more than any city holds (the largest metropolitan areas hold about \
             40 million)",
            grouped(population)
        ))
    } else {
        None
    }
}

/// "12338709.677" → "12 338 710", "1.24" → "1.24": whole digits grouped by spaces (SI style, neutral
/// between the decimal-comma and decimal-point traditions), at most two decimals.
pub(super) fn grouped(d: &Decimal) -> String {
    let dp = if d.abs() >= Decimal::ONE_HUNDRED {
        0
    } else {
        2
    };
    let text = d
        .round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
        .to_string();
    let (sign, unsigned) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |t| ("-", t));
    let (whole, fraction) = unsigned
        .split_once('.')
        .map_or((unsigned, None), |(w, f)| (w, Some(f)));
    let mut out = String::from(sign);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}
