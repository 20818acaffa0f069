//! What the summary parser produces: typed records, still unresolved against the database or the
//! gazetteer. The loader turns these into rows.

use crate::domain::number::PublishedNumber;
use crate::domain::partial_date::PartialDate;
use crate::domain::sdg::SdgRef;
use entity::enums::{ActivityKind, IssueEntity, ResultKind, Severity};

/// One parsed "U-CAP at a glance" summary.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedSummary {
    /// The focal (Asian or American) city, from the first value column.
    pub focal: ParsedPlace,
    /// Partner cities in published order, from the second value column of the City row.
    pub partners: Vec<String>,
    /// Province/state/region names of the partners' column as published (fewer than partners, in general).
    pub partner_regions: Vec<String>,
    /// Country names of the partners' column as published (fewer than partners, in general).
    pub partner_countries: Vec<String>,
    /// "Period of cooperation": the date (if one could be read), the text as published, the free-text context.
    pub period: Option<PartialDate>,
    pub period_text: Option<String>,
    pub period_context: Option<String>,
    /// Ordered cooperation themes.
    pub themes: Vec<Titled>,
    /// SDG goals/targets read from "Related SDGs and Urban Agenda topics".
    pub sdgs: Vec<SdgMention>,
    /// Urban Agenda partnerships (by the seeded key, e.g. "energy-transition") read from the same row.
    pub urban_agenda: Vec<UrbanAgendaMention>,
    pub focus: Vec<Titled>,
    pub challenges: Vec<Titled>,
    pub objectives: Vec<Titled>,
    pub activities: Vec<ParsedActivity>,
    pub expected_results: Vec<ParsedResult>,
    /// Functional mailboxes found in the contact section (or anywhere in the text).
    pub contact_emails: Vec<String>,
    /// What the parser could not read cleanly; stored as data issues, never silently dropped.
    pub issues: Vec<ParseIssue>,
}

/// The focal city as published.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedPlace {
    pub name: String,
    pub region: Option<String>,
    pub country: Option<String>,
    pub population: Option<PublishedNumber>,
    pub area_km2: Option<PublishedNumber>,
}

/// An ordered statement, optionally titled ("Industrial design: Launching …").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Titled {
    pub title: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdgMention {
    pub sdg: SdgRef,
    /// The published fragment, e.g. "SGD 9, Industry, Innovation and Infrastructure".
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrbanAgendaMention {
    /// Key of the seeded partnership (`data/codelists/urban_agenda_partnerships.tsv`).
    pub key: String,
    pub text: String,
}

/// A dated (or undated) bullet of the activities cell.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedActivity {
    pub date: Option<PartialDate>,
    pub kind: ActivityKind,
    /// First sentence, capitalised, without the date prefix.
    pub title: String,
    /// The full bullet text without the date prefix.
    pub description: String,
    /// "Brussels", "Guangzhou", "online" …, when the text names where it happened.
    pub place: Option<String>,
    /// Organization names the text mentions ("University of Bologna").
    pub organizations: Vec<String>,
}

/// A numbered expected result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedResult {
    pub position: u16,
    pub kind: ResultKind,
    pub description: String,
    /// Organization names the text mentions.
    pub organizations: Vec<String>,
    /// For kind MoU: the subject ("cooperation of Biotechnology and Health technology") when stated.
    pub mou_subject: Option<String>,
    /// For kind MoU: the text names every party ("an MoU between Guangzhou and Granada",
    /// "Guangzhou and Granada signed an MoU"), so the plan's own city is a party only if named.
    pub mou_parties_named: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIssue {
    pub entity: IssueEntity,
    /// The summary field ("area_km2", "activities", "sdgs" …).
    pub field: String,
    pub severity: Severity,
    /// Stable machine code, e.g. "unreadable-date", "implausible-density".
    pub code: String,
    pub message: String,
    pub published_value: Option<String>,
}
