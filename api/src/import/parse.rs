//! The U-CAP summary parser: the bytes of a "U-CAP at a glance" text export in, a [`ParsedSummary`]
//! out. Pure: no database, no gazetteer. What it cannot read cleanly becomes a
//! [`ParseIssue`](crate::import::model::ParseIssue); input it cannot trust at all (binary,
//! oversized, no focal city) is refused with a [`ParseError`], so the caller writes nothing.
//!
//! Layers: [`grid`] splits lines into rows and cells, `html` turns cells into text blocks, [`cells`]
//! reads the single-value cells, [`extract`] the list cells (themes, activities, results).

use crate::domain::email;
use crate::import::html;
use crate::import::model::{ParsedPlace, ParsedSummary};

mod cells;
mod extract;
mod grid;
#[cfg(test)]
mod tests;

use cells::{is_not_available, number, period, plausibility, split_list, topics};
use grid::{Field, Grid, Row};

/// A one-page summary is a few KiB; anything near this is not one.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
/// The largest real cell (activities with continuation rows) is about 2 KiB.
pub const MAX_CELL_BYTES: usize = 32 * 1024;
/// The summary table has 13 rows; a few unknown ones are tolerated, hundreds are another document.
pub const MAX_ROWS: usize = 200;
/// Real cells hold a few dozen tags; thousands (deeply nested `<div>`s) only cost parsing time.
pub const MAX_CELL_TAGS: usize = 2_000;

/// Why a file is refused as a whole. Every variant names the line or the field, so the person
/// uploading can find the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not text: byte {offset} (line {line}) is binary data or not UTF-8")]
    NotText { line: usize, offset: usize },
    #[error("the file has {bytes} bytes; a summary may have at most {limit}")]
    TooLarge { bytes: usize, limit: usize },
    #[error("line {line}: the \"{field}\" cell has {bytes} bytes; a cell may have at most {limit}")]
    CellTooLarge {
        line: usize,
        field: String,
        bytes: usize,
        limit: usize,
    },
    #[error(
        "line {line}: the \"{field}\" cell has {tags} HTML tags; a cell may have at most {limit}"
    )]
    CellTooComplex {
        line: usize,
        field: String,
        tags: usize,
        limit: usize,
    },
    #[error("line {line}: more than {limit} rows; this is not a one-page summary")]
    TooManyRows { line: usize, limit: usize },
    #[error("there is no \"{field}\" row; a summary must name its focal city")]
    MissingRow { field: &'static str },
    #[error("line {line}: the \"{field}\" row names no focal city")]
    MissingValue { line: usize, field: &'static str },
}

impl ParseError {
    /// A stable code for API error extensions and tests (messages may change, codes do not).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "EMPTY_FILE",
            Self::NotText { .. } => "NOT_TEXT",
            Self::TooLarge { .. } => "FILE_TOO_LARGE",
            Self::CellTooLarge { .. } => "CELL_TOO_LARGE",
            Self::CellTooComplex { .. } => "CELL_TOO_COMPLEX",
            Self::TooManyRows { .. } => "TOO_MANY_ROWS",
            Self::MissingRow { .. } => "MISSING_ROW",
            Self::MissingValue { .. } => "MISSING_VALUE",
        }
    }
}

/// Parses one summary. Refuses binary, oversized or city-less input; everything else is read as far
/// as it goes, with what could not be read recorded in `issues`.
pub fn parse_summary(bytes: &[u8]) -> Result<ParsedSummary, ParseError> {
    let text = decode(bytes)?;
    let mut issues = Vec::new();
    let grid = Grid::read(text, &mut issues)?;

    let city = grid
        .row(Field::City)
        .ok_or(ParseError::MissingRow { field: "City" })?;
    let name = html::text(city.focal());
    if is_not_available(&name) {
        return Err(ParseError::MissingValue {
            line: city.line,
            field: "City",
        });
    }
    let region = grid.row(Field::Region);
    let country = grid.row(Field::Country);
    let population = number(grid.row(Field::Population), "population", &mut issues);
    let area = number(grid.row(Field::Area), "area_km2", &mut issues);
    plausibility(population.as_ref(), area.as_ref(), &mut issues);
    let focal = ParsedPlace {
        name,
        region: region
            .map(|r| html::text(r.focal()))
            .filter(|s| !is_not_available(s)),
        country: country
            .map(|r| html::text(r.focal()))
            .filter(|s| !is_not_available(s)),
        population,
        area_km2: area,
    };

    let (period, period_text, period_context) = period(grid.row(Field::Period), &mut issues);
    let (sdgs, urban_agenda) = topics(grid.row(Field::Sdgs), &mut issues);
    let blocks = |field| grid.row(field).map(Row::blocks).unwrap_or_default();
    let summary = ParsedSummary {
        focal,
        partners: split_list(city.partners()),
        partner_regions: region.map(|r| split_list(r.partners())).unwrap_or_default(),
        partner_countries: country
            .map(|r| split_list(r.partners()))
            .unwrap_or_default(),
        period,
        period_text,
        period_context,
        themes: extract::titled_items(&blocks(Field::Themes)),
        sdgs,
        urban_agenda,
        focus: extract::titled_items(&blocks(Field::Focus)),
        challenges: extract::titled_items(&blocks(Field::Challenges)),
        objectives: extract::titled_items(&blocks(Field::Objectives)),
        activities: extract::activities(&blocks(Field::Activities), &mut issues),
        expected_results: extract::expected_results(&blocks(Field::Results), &mut issues),
        contact_emails: contact_emails(text),
        issues,
    };
    Ok(summary)
}

/// Checks size and encoding and drops a UTF-8 byte order mark.
fn decode(bytes: &[u8]) -> Result<&str, ParseError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ParseError::TooLarge {
            bytes: bytes.len(),
            limit: MAX_FILE_BYTES,
        });
    }
    // NUL and other control bytes mean binary data (UTF-8 never uses them inside a character); tab,
    // CR and LF are the format, and a form feed is how PDF-to-text tools mark a page break.
    let control = bytes
        .iter()
        .position(|&b| b.is_ascii_control() && !matches!(b, b'\t' | b'\n' | b'\r' | b'\x0C'));
    let text = match (std::str::from_utf8(bytes), control) {
        (Ok(text), None) => text,
        (decoded, control) => {
            let invalid = decoded.err().map(|e| e.valid_up_to());
            let offset = control.into_iter().chain(invalid).min().unwrap_or_default();
            let line = 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count();
            return Err(ParseError::NotText { line, offset });
        }
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    Ok(text)
}

/// Addresses anywhere in the file (the contact section, in practice), each once. Personal ones are
/// kept too: telling them apart (and not storing them) is the loader's decision.
fn contact_emails(text: &str) -> Vec<String> {
    email::find_all(text)
        .iter()
        .map(|e| e.as_str().to_owned())
        .collect()
}
