//! The JSON export's records: one nested object per plan, with the cities and organizations it
//! refers to listed once before the plans. The same types read an export back (`ucap import
//! --format json`), so every stored field of a plan's data is here, and nothing is derived only for
//! display without also keeping what it was derived from.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use entity::enums::{
    ActivityKind, CityKind, CityNameKind, DatePrecision, IssueEntity, MouStatus, OrganizationKind,
    ParticipantRole, PlanStatus, ResultKind, Severity, StatementKind,
};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct City {
    pub id: i64,
    pub name: String,
    pub native_name: Option<String>,
    #[serde(with = "code::required")]
    pub kind: CityKind,
    pub region: Option<String>,
    pub country_code: Option<String>,
    pub geonames_id: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub population: Option<i64>,
    pub population_text: Option<String>,
    pub population_year: Option<i16>,
    pub population_source: Option<String>,
    pub area_km2: Option<Decimal>,
    pub area_text: Option<String>,
    pub names: Vec<CityName>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CityName {
    pub name: String,
    pub script: Option<String>,
    #[serde(with = "code::required")]
    pub kind: CityNameKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    #[serde(with = "code::required")]
    pub kind: OrganizationKind,
    pub city_id: Option<i64>,
    pub website: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A city or organization named where a record refers to it; the full record is listed once at the
/// top of the document (readers of the nested view need no second lookup for the name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ref {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Plan {
    pub id: i64,
    pub slug: String,
    pub title: String,
    #[serde(with = "code::required")]
    pub status: PlanStatus,
    pub focal_city: Ref,
    pub period: PartialDate,
    pub period_context: Option<String>,
    /// The latest change to the plan or to any of its records: what `updatedSince` compares.
    pub last_updated_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    /// Non-public: present for the plan's organizations and admins only.
    pub internal_note: Option<String>,
    pub source_document: Option<SourceDocument>,
    pub partner_cities: Vec<Ref>,
    pub participants: Vec<Participant>,
    pub themes: Vec<Theme>,
    pub statements: Vec<Statement>,
    pub sdg_goals: Vec<SdgGoalLink>,
    pub sdg_targets: Vec<SdgTargetLink>,
    pub urban_agenda: Vec<UrbanAgendaLink>,
    pub expected_results: Vec<ExpectedResult>,
    pub activities: Vec<Activity>,
    pub mous: Vec<Mou>,
    /// Non-public: present for the plan's organizations and admins only.
    pub contacts: Vec<Contact>,
    pub data_issues: Vec<DataIssue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceDocument {
    pub id: i64,
    pub file_name: String,
    pub sha256: String,
    pub byte_size: i64,
    pub format: String,
    pub imported_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Participant {
    pub organization: Ref,
    #[serde(with = "code::required")]
    pub role: ParticipantRole,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Theme {
    pub id: i64,
    pub position: i16,
    pub title: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Statement {
    pub id: i64,
    #[serde(with = "code::required")]
    pub kind: StatementKind,
    pub position: i16,
    pub title: Option<String>,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SdgGoalLink {
    pub goal: i16,
    pub title: String,
    /// The theme the goal is linked through, when not the whole plan.
    pub theme_id: Option<i64>,
    pub published_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SdgTargetLink {
    pub target: String,
    pub theme_id: Option<i64>,
    pub published_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UrbanAgendaLink {
    /// The partnership's stable key (`energy-transition`); its name follows for readers.
    pub partnership: String,
    pub name: String,
    pub theme_id: Option<i64>,
    pub published_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpectedResult {
    pub id: i64,
    pub position: i16,
    #[serde(with = "code::required")]
    pub kind: ResultKind,
    pub description: String,
    pub cities: Vec<Ref>,
    pub organizations: Vec<Ref>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// An activity as listed by this plan; one shared by several plans appears under each, the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Activity {
    pub id: i64,
    /// Its place in this plan's list.
    pub position: i16,
    pub title: String,
    pub description: Option<String>,
    #[serde(with = "code::required")]
    pub kind: ActivityKind,
    pub date: PartialDate,
    pub place_text: Option<String>,
    pub place_city: Option<Ref>,
    pub cities: Vec<Ref>,
    pub organizations: Vec<Ref>,
    pub draft: bool,
    /// Non-public: present for its plans' organizations and admins only.
    pub internal_note: Option<String>,
    /// What identifies the activity across summaries (the same mission in two plans).
    pub fingerprint: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// An MoU as listed by this plan (shared ones appear under each plan, the same).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mou {
    pub id: i64,
    pub subject: String,
    #[serde(with = "code::required")]
    pub status: MouStatus,
    pub signed_on: Option<NaiveDate>,
    pub document_url: Option<String>,
    pub parties: Vec<MouParty>,
    /// The expected result of this plan that the MoU fulfils, if any.
    pub expected_result_id: Option<i64>,
    pub draft: bool,
    pub internal_note: Option<String>,
    pub fingerprint: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MouParty {
    pub position: i16,
    pub city: Option<Ref>,
    pub organization: Option<Ref>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Contact {
    pub id: i64,
    pub email: String,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataIssue {
    pub id: i64,
    #[serde(with = "code::required")]
    pub entity: IssueEntity,
    pub entity_id: Option<i64>,
    pub field: String,
    #[serde(with = "code::required")]
    pub severity: Severity,
    pub code: String,
    pub message: String,
    pub published_value: Option<String>,
    pub internal: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// Code-list values as stored and as GraphQL names them (`MONTH`, `STUDY_VISIT`), not as the Rust
/// variants are spelled; an unknown value is an error that lists the known ones.
pub mod code {
    use sea_orm::{ActiveEnum, Iterable};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S, E>(value: &Option<E>, s: S) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        E: ActiveEnum<Value = String>,
    {
        match value {
            Some(v) => s.serialize_str(&v.to_value()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D, E>(d: D) -> Result<Option<E>, D::Error>
    where
        D: Deserializer<'de>,
        E: ActiveEnum<Value = String> + Iterable,
    {
        Option::<String>::deserialize(d)?
            .map(|s| parse::<E, D::Error>(&s))
            .transpose()
    }

    pub(super) fn parse<E, Er>(s: &str) -> Result<E, Er>
    where
        E: ActiveEnum<Value = String> + Iterable,
        Er: Error,
    {
        E::try_from_value(&s.to_owned()).map_err(|_| {
            let known: Vec<String> = E::iter().map(|v| v.to_value()).collect();
            Er::custom(format!(
                "unknown value `{s}`: expected one of {}",
                known.join(", ")
            ))
        })
    }

    pub mod required {
        use sea_orm::{ActiveEnum, Iterable};
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S, E>(value: &E, s: S) -> Result<S::Ok, S::Error>
        where
            S: Serializer,
            E: ActiveEnum<Value = String>,
        {
            s.serialize_str(&value.to_value())
        }

        pub fn deserialize<'de, D, E>(d: D) -> Result<E, D::Error>
        where
            D: Deserializer<'de>,
            E: ActiveEnum<Value = String> + Iterable,
        {
            super::parse::<E, D::Error>(&String::deserialize(d)?)
        }
    }
}
