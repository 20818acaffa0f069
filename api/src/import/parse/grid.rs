//! The table layer of a summary: lines → rows of (label, focal cell, partners' cell). Continuation
//! lines (starting with a tab) join the row before, even across blank lines; lines without cells
//! (the title, the contact paragraph) are set apart, and unknown ones kept as issues.

use super::extract::issue;
use super::{MAX_CELL_BYTES, MAX_CELL_TAGS, MAX_ROWS, ParseError};
use crate::domain::text::name_key;
use crate::import::html;
use crate::import::model::ParseIssue;
use entity::enums::{IssueEntity, Severity};

/// The rows of the summary table, recognised by keywords of their label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    City,
    Region,
    Country,
    Population,
    Area,
    Period,
    Themes,
    Sdgs,
    Focus,
    Challenges,
    Objectives,
    Activities,
    Results,
}

impl Field {
    /// Labels vary between summaries ("Size (km²)", "Area"; "Key challenges of cooperation
    /// theme(s)"), so they are matched by keywords, the most specific first: "Key focus of
    /// cooperation themes" is Focus, not Themes.
    fn classify(label: &str) -> Option<Self> {
        let key = name_key(label);
        let words: Vec<&str> = key.split(' ').collect();
        let has = |prefixes: &[&str]| {
            words
                .iter()
                .any(|w| prefixes.iter().any(|p| w.starts_with(p)))
        };
        let rules: &[(&[&str], Field)] = &[
            (&["sdg", "sgd"], Self::Sdgs),
            (&["agenda"], Self::Sdgs),
            (&["focus"], Self::Focus),
            (&["challenge"], Self::Challenges),
            (&["objective", "aim"], Self::Objectives),
            (&["activit", "output"], Self::Activities),
            (&["expected", "result", "benefit", "outcome"], Self::Results),
            (&["theme", "topic"], Self::Themes),
            (&["period", "duration", "timeframe"], Self::Period),
            (&["population", "inhabitant"], Self::Population),
            (&["size", "area", "surface", "km"], Self::Area),
            (&["countr"], Self::Country),
            (
                &["province", "state", "department", "region", "prefecture"],
                Self::Region,
            ),
        ];
        if let Some(&(_, field)) = rules.iter().find(|(prefixes, _)| has(prefixes)) {
            return Some(field);
        }
        let city = ["city", "cities", "municipality", "municipalities"];
        (words.iter().any(|w| city.contains(w)) && words.len() <= 4).then_some(Self::City)
    }

    /// The field name used in issues.
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::City => "city",
            Self::Region => "region",
            Self::Country => "country",
            Self::Population => "population",
            Self::Area => "area_km2",
            Self::Period => "period",
            Self::Themes => "themes",
            Self::Sdgs => "sdgs",
            Self::Focus => "focus",
            Self::Challenges => "challenges",
            Self::Objectives => "objectives",
            Self::Activities => "activities",
            Self::Results => "expected_results",
        }
    }
}

/// One row: its first line, its label as clean text, and its two cells as published (HTML), each
/// with its continuation parts joined by a line break.
#[derive(Debug)]
pub(super) struct Row {
    pub(super) line: usize,
    pub(super) label: String,
    field: Option<Field>,
    cells: [String; 2],
}

impl Row {
    pub(super) fn focal(&self) -> &str {
        &self.cells[0]
    }

    pub(super) fn partners(&self) -> &str {
        &self.cells[1]
    }

    /// The text blocks of both cells: plan-wide rows put their content in either column.
    pub(super) fn blocks(&self) -> Vec<String> {
        let mut blocks = html::blocks(self.focal());
        blocks.extend(html::blocks(self.partners()));
        blocks
    }

    fn append(
        &mut self,
        parts: &[&str],
        line: usize,
        issues: &mut Vec<ParseIssue>,
    ) -> Result<(), ParseError> {
        let mut partners = parts
            .get(1)
            .map(|p| p.trim().to_owned())
            .unwrap_or_default();
        let extra: Vec<&str> = parts
            .iter()
            .skip(2)
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        if !extra.is_empty() {
            let msg = format!(
                "line {line}: more than two value columns; the extra ones were added to the partners' column"
            );
            let field = self
                .field
                .map_or_else(|| self.label.clone(), |f| f.name().to_owned());
            issues.push(issue(
                IssueEntity::Source,
                &field,
                Severity::Info,
                "extra-cells",
                msg,
                Some(&extra.join(" | ")),
            ));
            for part in extra {
                if !partners.is_empty() {
                    partners.push(' ');
                }
                partners.push_str(part);
            }
        }
        let focal = parts.first().map_or("", |p| p.trim());
        for (cell, part) in self.cells.iter_mut().zip([focal, partners.trim()]) {
            if part.is_empty() {
                continue;
            }
            if !cell.is_empty() {
                cell.push_str("\n<br>");
            }
            cell.push_str(part);
            if cell.len() > MAX_CELL_BYTES {
                let field = self.label.clone();
                return Err(ParseError::CellTooLarge {
                    line: self.line,
                    field,
                    bytes: cell.len(),
                    limit: MAX_CELL_BYTES,
                });
            }
            let tags = cell.matches('<').count();
            if tags > MAX_CELL_TAGS {
                return Err(ParseError::CellTooComplex {
                    line: self.line,
                    field: self.label.clone(),
                    tags,
                    limit: MAX_CELL_TAGS,
                });
            }
        }
        Ok(())
    }

    fn published(&self) -> String {
        let cells = [html::text(self.focal()), html::text(self.partners())];
        cells
            .into_iter()
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

/// The rows of a summary, in published order.
#[derive(Debug)]
pub(super) struct Grid {
    rows: Vec<Row>,
}

impl Grid {
    pub(super) fn read(text: &str, issues: &mut Vec<ParseIssue>) -> Result<Self, ParseError> {
        // CRLF and LF files split alike; a file of bare CRs (old Mac exports) splits on those.
        let separator = if text.contains('\n') { '\n' } else { '\r' };
        let mut rows: Vec<Row> = Vec::new();
        let mut free: Vec<(usize, &str)> = Vec::new();
        for (index, raw) in text.split(separator).enumerate() {
            let line = index + 1;
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.trim().is_empty() {
                continue;
            }
            let Some(cells) = cells(raw, !rows.is_empty()) else {
                free.push((line, raw));
                continue;
            };
            match (cells[0].trim().is_empty(), rows.last_mut()) {
                (true, Some(row)) => row.append(&cells[1..], line, issues)?,
                (true, None) => free.push((line, raw)),
                (false, _) => {
                    if rows.len() >= MAX_ROWS {
                        return Err(ParseError::TooManyRows {
                            line,
                            limit: MAX_ROWS,
                        });
                    }
                    let label = html::text(cells[0]).trim_end_matches([':', ' ']).to_owned();
                    let mut row = Row {
                        line,
                        field: Field::classify(&label),
                        label,
                        cells: Default::default(),
                    };
                    row.append(&cells[1..], line, issues)?;
                    rows.push(row);
                }
            }
        }
        let grid = Self { rows };
        grid.report(&free, issues);
        Ok(grid)
    }

    /// The first row of a field; later ones are reported as duplicates.
    pub(super) fn row(&self, field: Field) -> Option<&Row> {
        self.rows.iter().find(|r| r.field == Some(field))
    }

    fn report(&self, free: &[(usize, &str)], issues: &mut Vec<ParseIssue>) {
        for (i, row) in self.rows.iter().enumerate() {
            match row.field {
                None => {
                    let msg = format!(
                        "line {}: unknown row \"{}\"; its text is kept here",
                        row.line, row.label
                    );
                    issues.push(issue(
                        IssueEntity::Plan,
                        &row.label,
                        Severity::Info,
                        "unknown-row",
                        msg,
                        Some(&row.published()),
                    ));
                }
                Some(field) if self.rows[..i].iter().any(|r| r.field == Some(field)) => {
                    let msg = format!(
                        "line {}: a second \"{}\" row was not read; its text is kept here",
                        row.line, row.label
                    );
                    issues.push(issue(
                        IssueEntity::Plan,
                        field.name(),
                        Severity::Warning,
                        "duplicate-row",
                        msg,
                        Some(&row.published()),
                    ));
                }
                Some(_) => {}
            }
        }
        for &(line, raw) in free {
            let text = html::text(raw);
            let key = name_key(&text);
            // The title, the contact paragraph and its mailbox are expected outside the table.
            let expected = ["summary", "action plan", "contact", "further information"]
                .iter()
                .any(|k| key.contains(k))
                || text.contains('@');
            if !expected {
                let msg = format!("line {line}: text outside the table; it is kept here");
                issues.push(issue(
                    IssueEntity::Plan,
                    "text",
                    Severity::Info,
                    "unknown-text",
                    msg,
                    Some(&text),
                ));
            }
        }
    }
}

/// The cells of a line: split on tabs. Exports that turned tabs into runs of spaces are split on
/// runs of two or more spaces, but only when the first part is a known label; an indented line of
/// markup or bullets inside the table continues the row before (indented prose may be the contact
/// paragraph, so it does not).
fn cells(line: &str, in_table: bool) -> Option<Vec<&str>> {
    if line.contains('\t') {
        return Some(line.split('\t').collect());
    }
    let content = line.trim_start();
    if in_table && line.starts_with("  ") && content.starts_with(['<', '→']) {
        return Some(vec!["", content.trim_end()]);
    }
    let (label, rest) = split_spaces(line)?;
    Field::classify(&html::text(label))?;
    let (focal, partners) = split_spaces(rest).unwrap_or((rest, ""));
    Some(vec![label, focal, partners])
}

fn split_spaces(s: &str) -> Option<(&str, &str)> {
    let at = s.find("  ")?;
    Some((&s[..at], s[at..].trim_start_matches(' ')))
}

#[cfg(test)]
mod tests {
    use super::{Field, Grid, cells};

    #[test]
    fn labels_are_recognised_by_keywords() {
        let cases = [
            ("City:", Field::City),
            ("Province, State, Department...:", Field::Region),
            ("Size (km²)", Field::Area),
            ("Area", Field::Area),
            (
                "<p>Key <u>focus</u> of cooperation themes:</p>",
                Field::Focus,
            ),
            ("Key challenges of cooperation theme(s)", Field::Challenges),
            ("Related SDGs and Urban Agenda topics:", Field::Sdgs),
            ("Cooperation Themes:", Field::Themes),
            (
                "Short description of main activities and key outputs (e.g. pilot projects):",
                Field::Activities,
            ),
            ("Expected results and benefits:", Field::Results),
            ("Period of cooperation", Field::Period),
        ];
        for (label, field) in cases {
            assert_eq!(
                Field::classify(&crate::import::html::text(label)),
                Some(field),
                "{label}"
            );
        }
        assert_eq!(Field::classify("Budget"), None);
    }

    #[test]
    fn space_separated_lines_split_only_on_known_labels() {
        assert_eq!(
            cells("City:   Nagoya    Turin, Lyon", false),
            Some(vec!["City:", "Nagoya", "Turin, Lyon"])
        );
        assert_eq!(cells("For further  information", false), None);
        assert_eq!(cells("   For further information, contact:", true), None);
        assert_eq!(
            cells("  <p>→ more</p>", true),
            Some(vec!["", "<p>→ more</p>"])
        );
    }

    #[test]
    fn continuations_join_across_blank_lines() {
        let mut issues = Vec::new();
        let grid = Grid::read("Title\nCity:\tA\tB\n\n\n\tA2\t\nBudget\t5\n", &mut issues)
            .unwrap_or_else(|e| panic!("{e}"));
        let city = grid.row(Field::City).unwrap_or_else(|| panic!("no city"));
        assert_eq!(city.focal(), "A\n<br>A2");
        assert_eq!(
            issues.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(),
            ["unknown-row", "unknown-text"]
        );
    }

    #[test]
    fn a_second_row_of_a_field_is_reported_not_read() {
        let mut issues = Vec::new();
        let grid =
            Grid::read("City:\tA\t\nCity:\tB\tC\n", &mut issues).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(grid.row(Field::City).map(|r| r.focal()), Some("A"));
        let issue = issues.first().unwrap_or_else(|| panic!("no issue"));
        assert_eq!(
            (issue.code.as_str(), issue.published_value.as_deref()),
            ("duplicate-row", Some("B | C"))
        );
    }
}
