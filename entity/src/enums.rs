//! The domain's vocabularies, stored as short upper-case strings so that SQLite and PostgreSQL hold the
//! same text and SQL stays readable. The API exposes them as GraphQL enums (remote enums in `api/`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// How precisely a published date is known: "2017" is a year, "May 2017" a month.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum DatePrecision {
    #[sea_orm(string_value = "YEAR")]
    Year,
    #[sea_orm(string_value = "QUARTER")]
    Quarter,
    #[sea_orm(string_value = "MONTH")]
    Month,
    #[sea_orm(string_value = "DAY")]
    Day,
}

/// Publication state of a plan: drafts are visible to the plan's own organizations only.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(10))")]
pub enum PlanStatus {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
}

/// What kind of place a "city" of the programme is: partners are not always municipalities.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum CityKind {
    #[sea_orm(string_value = "CITY")]
    City,
    #[sea_orm(string_value = "REGION")]
    Region,
    #[sea_orm(string_value = "DISTRICT")]
    District,
    #[sea_orm(string_value = "DEVELOPMENT_ZONE")]
    DevelopmentZone,
    #[sea_orm(string_value = "ASSOCIATION")]
    Association,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// How a name of a city relates to it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(10))")]
pub enum CityNameKind {
    #[sea_orm(string_value = "NATIVE")]
    Native,
    #[sea_orm(string_value = "ROMANISED")]
    Romanised,
    #[sea_orm(string_value = "ALIAS")]
    Alias,
}

/// The kind of institution through which a city acts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(14))")]
pub enum OrganizationKind {
    #[sea_orm(string_value = "MUNICIPALITY")]
    Municipality,
    #[sea_orm(string_value = "DISTRICT")]
    District,
    #[sea_orm(string_value = "UNIVERSITY")]
    University,
    #[sea_orm(string_value = "COMPANY")]
    Company,
    #[sea_orm(string_value = "HOSPITAL")]
    Hospital,
    #[sea_orm(string_value = "AGENCY")]
    Agency,
    #[sea_orm(string_value = "NETWORK")]
    Network,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Which list of a plan a statement belongs to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(10))")]
pub enum StatementKind {
    #[sea_orm(string_value = "FOCUS")]
    Focus,
    #[sea_orm(string_value = "CHALLENGE")]
    Challenge,
    #[sea_orm(string_value = "OBJECTIVE")]
    Objective,
}

/// The form a cooperation activity took (default: other).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(14))")]
pub enum ActivityKind {
    #[sea_orm(string_value = "MISSION")]
    Mission,
    #[sea_orm(string_value = "STUDY_VISIT")]
    StudyVisit,
    #[sea_orm(string_value = "MEETING")]
    Meeting,
    #[sea_orm(string_value = "ONLINE_MEETING")]
    OnlineMeeting,
    #[sea_orm(string_value = "FORUM")]
    Forum,
    #[sea_orm(string_value = "CONFERENCE")]
    Conference,
    #[sea_orm(string_value = "WORKSHOP")]
    Workshop,
    #[sea_orm(string_value = "TRAINING")]
    Training,
    #[sea_orm(string_value = "PILOT")]
    Pilot,
    #[sea_orm(string_value = "MATCHMAKING")]
    Matchmaking,
    #[sea_orm(string_value = "MOU_SIGNING")]
    MouSigning,
    #[default]
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// The kind of outcome a plan expects.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ResultKind {
    #[sea_orm(string_value = "MOU")]
    Mou,
    #[sea_orm(string_value = "JOINT_PROJECT")]
    JointProject,
    #[sea_orm(string_value = "VIRTUAL_LAB")]
    VirtualLab,
    #[sea_orm(string_value = "CLUSTER")]
    Cluster,
    #[sea_orm(string_value = "JOINT_RD_CENTRE")]
    JointRdCentre,
    #[sea_orm(string_value = "PUBLICATION")]
    Publication,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Where a memorandum of understanding stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum MouStatus {
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    #[sea_orm(string_value = "NEGOTIATING")]
    Negotiating,
    #[sea_orm(string_value = "SIGNED")]
    Signed,
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
    #[sea_orm(string_value = "TERMINATED")]
    Terminated,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// How serious a data-quality finding is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum Severity {
    #[sea_orm(string_value = "INFO")]
    Info,
    #[sea_orm(string_value = "WARNING")]
    Warning,
    #[sea_orm(string_value = "ERROR")]
    Error,
}

/// Which kind of record a data issue is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum IssueEntity {
    #[sea_orm(string_value = "PLAN")]
    Plan,
    #[sea_orm(string_value = "CITY")]
    City,
    #[sea_orm(string_value = "THEME")]
    Theme,
    #[sea_orm(string_value = "STATEMENT")]
    Statement,
    #[sea_orm(string_value = "ACTIVITY")]
    Activity,
    #[sea_orm(string_value = "EXPECTED_RESULT")]
    ExpectedResult,
    #[sea_orm(string_value = "MOU")]
    Mou,
    #[sea_orm(string_value = "SOURCE")]
    Source,
}

/// What an access token may do: `Admin` everything, `Editor` write the records of its
/// organizations' plans, `Viewer` read their non-public data. Stored, signed into tokens and exposed
/// in GraphQL under the same upper-case names.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(10))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "EDITOR")]
    Editor,
    #[sea_orm(string_value = "VIEWER")]
    Viewer,
}

/// How an organization takes part in a plan.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ParticipantRole {
    #[sea_orm(string_value = "FOCAL")]
    Focal,
    #[sea_orm(string_value = "PARTNER")]
    Partner,
    #[sea_orm(string_value = "STAKEHOLDER")]
    Stakeholder,
    #[sea_orm(string_value = "FUNDER")]
    Funder,
    #[sea_orm(string_value = "PROGRAMME_TEAM")]
    ProgrammeTeam,
}
