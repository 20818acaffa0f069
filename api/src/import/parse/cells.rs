//! Readers of single cells: name lists, published numbers and their plausibility, the period of
//! cooperation, and the SDG / Urban Agenda row.

use super::extract::{self, issue};
use super::grid::Row;
use crate::domain::number::{PublishedNumber, area_issue, density_issue, population_issue};
use crate::domain::partial_date::PartialDate;
use crate::domain::text::name_key;
use crate::domain::{sdg, urban_agenda};
use crate::import::html;
use crate::import::model::{ParseIssue, SdgMention, UrbanAgendaMention};
use entity::enums::{IssueEntity, Severity};

/// "N/A", "-", "none" and friends: the summaries' ways of saying there is no value.
pub(super) fn is_not_available(s: &str) -> bool {
    let key = name_key(s);
    matches!(
        key.as_str(),
        "" | "n a" | "na" | "none" | "not applicable" | "unknown" | "tbd" | "tbc"
    )
}

/// Splits a list of names on commas, semicolons, " and " and " & " outside parentheses, dropping
/// "N/A". Country names that contain "and" stay whole.
pub(super) fn split_list(cell: &str) -> Vec<String> {
    const WHOLE: &[&str] = &[
        "Antigua and Barbuda",
        "Bosnia and Herzegovina",
        "Saint Kitts and Nevis",
        "Saint Vincent and the Grenadines",
        "Sao Tome and Principe",
        "São Tomé and Príncipe",
        "Trinidad and Tobago",
        "Turks and Caicos Islands",
    ];
    let mut out = Vec::new();
    for block in html::blocks(cell) {
        let mut protected = block.clone();
        for name in WHOLE {
            // A private-use character stands in for the protected " and " while splitting.
            protected = protected.replace(name, &name.replace(" and ", "\u{E000}"));
        }
        let mut depth = 0usize;
        let mut parts = vec![String::new()];
        let mut rest = protected.as_str();
        while let Some(c) = rest.chars().next() {
            let separator = [" and ", " & "]
                .iter()
                .find(|s| rest.starts_with(*s))
                .map(|s| s.len());
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 && (c == ',' || c == ';' || separator.is_some()) {
                parts.push(String::new());
                rest = &rest[separator.unwrap_or(1)..];
                continue;
            }
            if let Some(part) = parts.last_mut() {
                part.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
        out.extend(
            parts
                .into_iter()
                .map(|p| p.replace('\u{E000}', " and ").trim().to_owned())
                .filter(|p| !is_not_available(p)),
        );
    }
    out
}

/// Reads the focal column of a Population or Size row; the partners' column has no place in the
/// model, so a value there is kept as an issue rather than lost.
pub(super) fn number(
    row: Option<&Row>,
    field: &str,
    issues: &mut Vec<ParseIssue>,
) -> Option<PublishedNumber> {
    let row = row?;
    let partners = html::text(row.partners());
    if !is_not_available(&partners) {
        let msg = format!("line {}: the partners' {field} is not stored", row.line);
        issues.push(issue(
            IssueEntity::City,
            field,
            Severity::Info,
            "unused-value",
            msg,
            Some(&partners),
        ));
    }
    let text = html::text(row.focal());
    match PublishedNumber::parse(&text) {
        Ok(number) => number,
        Err(e) => {
            let msg = format!("line {}: {e}", row.line);
            issues.push(issue(
                IssueEntity::City,
                field,
                Severity::Warning,
                "unreadable-number",
                msg,
                Some(&text),
            ));
            None
        }
    }
}

/// Flags impossible values without dropping them: the value stays, as published, beside the issue.
pub(super) fn plausibility(
    population: Option<&PublishedNumber>,
    area: Option<&PublishedNumber>,
    issues: &mut Vec<ParseIssue>,
) {
    let mut flag =
        |field: &str, code: &str, message: Option<String>, published: &PublishedNumber| {
            if let Some(message) = message {
                issues.push(issue(
                    IssueEntity::City,
                    field,
                    Severity::Warning,
                    code,
                    message,
                    Some(published.text()),
                ));
            }
        };
    if let Some(p) = population {
        let unit = p
            .unit()
            .map(|u| format!("a population is a count, not \"{u}\""));
        flag("population", "unexpected-unit", unit, p);
        flag(
            "population",
            "implausible-population",
            population_issue(&p.value()),
            p,
        );
    }
    let area_km2 = area.and_then(|a| a.area_km2());
    if let Some(a) = area {
        let unit = area_km2
            .is_none()
            .then(|| format!("\"{}\" is not a unit of area", a.unit().unwrap_or_default()));
        flag("area_km2", "unexpected-unit", unit, a);
        flag(
            "area_km2",
            "implausible-area",
            area_km2.as_ref().and_then(area_issue),
            a,
        );
    }
    if let (Some(p), Some(a), Some(km2)) = (population, area, area_km2) {
        flag(
            "area_km2",
            "implausible-density",
            density_issue(&p.value(), &km2),
            a,
        );
    }
}

/// "May 2017 (as a follow-up to …)": the date, its text as published, and the rest as context.
pub(super) fn period(
    row: Option<&Row>,
    issues: &mut Vec<ParseIssue>,
) -> (Option<PartialDate>, Option<String>, Option<String>) {
    let Some(row) = row else {
        return (None, None, None);
    };
    let text = html::text(&format!("{}<br>{}", row.focal(), row.partners()));
    if is_not_available(&text) {
        return (None, None, None);
    }
    let Some((date, range)) = PartialDate::find(&text) else {
        let msg = format!("line {}: no date in the period of cooperation", row.line);
        issues.push(issue(
            IssueEntity::Plan,
            "period",
            Severity::Warning,
            "unreadable-date",
            msg,
            Some(&text),
        ));
        return (None, None, Some(text));
    };
    // What joined the date to the rest (", following …", " – ") goes with the date.
    let joint = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '–' | '—');
    let rest = format!(
        "{} {}",
        text[..range.start].trim_end_matches(joint),
        text[range.end..].trim_start_matches(joint)
    );
    let context = html::collapse(&without_outer_parentheses(&rest));
    let context = (!context.is_empty()).then_some(context);
    (Some(date), Some(text[range].to_owned()), context)
}

/// Drops the outermost pair of each parenthesised group, keeping nested ones.
fn without_outer_parentheses(s: &str) -> String {
    let mut depth = 0usize;
    s.chars()
        .filter(|&c| match c {
            '(' => {
                depth += 1;
                depth > 1
            }
            ')' if depth > 0 => {
                depth -= 1;
                depth > 0
            }
            _ => true,
        })
        .collect()
}

/// The SDG row: every paragraph is a mention of goals/targets and/or Urban Agenda partnerships; a
/// paragraph that names neither is kept as an issue.
pub(super) fn topics(
    row: Option<&Row>,
    issues: &mut Vec<ParseIssue>,
) -> (Vec<SdgMention>, Vec<UrbanAgendaMention>) {
    let (mut sdgs, mut agenda) = (Vec::<SdgMention>::new(), Vec::<UrbanAgendaMention>::new());
    for block in row.map(Row::blocks).unwrap_or_default() {
        let text = extract::strip_bullet(&block).to_owned();
        let goals = sdg::find_all(&text);
        let partnerships = urban_agenda::find_all(&text);
        if goals.is_empty() && partnerships.is_empty() {
            let msg = "neither an SDG nor an Urban Agenda partnership was recognised";
            issues.push(issue(
                IssueEntity::Plan,
                "sdgs",
                Severity::Info,
                "unmatched-topic",
                msg,
                Some(&text),
            ));
        }
        for (sdg, _) in goals {
            if !sdgs.iter().any(|m| m.sdg == sdg) {
                sdgs.push(SdgMention {
                    sdg,
                    text: text.clone(),
                });
            }
        }
        for (partnership, _) in partnerships {
            let key = partnership.key().to_owned();
            if !agenda.iter().any(|m| m.key == key) {
                agenda.push(UrbanAgendaMention {
                    key,
                    text: text.clone(),
                });
            }
        }
    }
    (sdgs, agenda)
}
