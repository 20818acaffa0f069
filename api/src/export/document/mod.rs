//! The exported records, one file per kind: each record as the JSON export nests it and, beside it,
//! its row in the CSV table that lists it. The JSON export has one nested object per plan, with the
//! cities and organizations it refers to listed once before the plans. The same types read an export
//! back (`ucap import --format json`), so every stored field of a plan's data is here, and nothing is
//! derived only for display without also keeping what it was derived from. A CSV row borrows from
//! its record and is written by the `csv` crate: its field names are the table's header (taken
//! from its `Default`, so that a table without rows has one too).

mod activity;
pub mod code;
mod issue;
mod links;
mod mou;
mod place;
mod plan;
mod result;
mod sections;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use entity::enums::DatePrecision;

pub use activity::{Activity, ActivityRow, Listing};
pub use issue::{DataIssue, IssueRow};
pub use links::{SdgGoalLink, SdgLinkRow, SdgTargetLink, UrbanAgendaLink, UrbanAgendaRow};
pub use mou::{Mou, MouParty, MouRow};
pub use place::{City, CityName, CityRow, Organization, OrganizationRow};
pub use plan::{Participant, ParticipantRow, Plan, PlanCityRow, PlanRow, SourceDocument};
pub use result::{ExpectedResult, ExpectedResultRow};
pub use sections::{Contact, ContactRow, Statement, StatementRow, Theme, ThemeRow};

/// What the document is; a reader refuses another format or a newer version.
pub const FORMAT: &str = "ucap-export";
/// Bumped whenever a reader of the previous version would misread a document.
pub const FORMAT_VERSION: u32 = 1;

/// Everything before the first city: what the document is and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    pub format: String,
    pub format_version: u32,
    pub exported_at: DateTime<Utc>,
    /// PUBLIC (anonymous), MEMBER (a token's organizations) or ALL (admins, the CLI's `--all`).
    pub visibility: String,
    /// Only plans (and their records) changed at or after this instant, when set.
    pub updated_since: Option<DateTime<Utc>>,
}

/// The whole document, as read back by the importer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Document {
    pub format: String,
    pub format_version: u32,
    pub exported_at: DateTime<Utc>,
    pub visibility: String,
    pub updated_since: Option<DateTime<Utc>>,
    pub cities: Vec<City>,
    pub organizations: Vec<Organization>,
    pub plans: Vec<Plan>,
    /// Findings that belong to no plan (a city's, say).
    pub data_issues: Vec<DataIssue>,
}

/// A date as published ("May 2017") with the days it covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartialDate {
    pub text: Option<String>,
    #[serde(with = "code")]
    pub precision: Option<DatePrecision>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

impl PartialDate {
    pub fn is_empty(&self) -> bool {
        self.text.is_none() && self.precision.is_none() && self.start.is_none()
    }
}

/// A city or organization named where a record refers to it; the full record is listed once at the
/// top of the document (readers of the nested view need no second lookup for the name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ref {
    pub id: i64,
    pub name: String,
}

/// The ids of `refs`, as a CSV cell lists them.
fn ids(refs: &[Ref]) -> Vec<i64> {
    refs.iter().map(|r| r.id).collect()
}
