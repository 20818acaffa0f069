//! A plan with everything it holds, and its rows in `plans.csv`, `plan-cities.csv` and
//! `participants.csv`.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveEnum;
use serde::{Deserialize, Serialize};

use super::{
    Activity, Contact, DataIssue, ExpectedResult, Mou, PartialDate, Ref, SdgGoalLink,
    SdgTargetLink, Statement, Theme, UrbanAgendaLink, code, ids,
};
use crate::export::csv::cell;
use entity::enums::{ParticipantRole, PlanStatus};

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

/// A row of `plans.csv`: the plan's own fields, its partner cities as an id list.
#[derive(Debug, Default, Serialize)]
pub struct PlanRow<'a> {
    plan_id: i64,
    slug: &'a str,
    title: &'a str,
    status: String,
    focal_city_id: i64,
    focal_city: &'a str,
    period_text: Option<&'a str>,
    period_precision: Option<String>,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    period_context: Option<&'a str>,
    #[serde(serialize_with = "cell::ids")]
    partner_city_ids: Vec<i64>,
    source_file: Option<&'a str>,
    source_sha256: Option<&'a str>,
    last_updated_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
    internal_note: Option<&'a str>,
}

impl<'a> From<&'a Plan> for PlanRow<'a> {
    fn from(p: &'a Plan) -> Self {
        Self {
            plan_id: p.id,
            slug: &p.slug,
            title: &p.title,
            status: p.status.to_value(),
            focal_city_id: p.focal_city.id,
            focal_city: &p.focal_city.name,
            period_text: p.period.text.as_deref(),
            period_precision: p.period.precision.map(|x| x.to_value()),
            period_start: p.period.start,
            period_end: p.period.end,
            period_context: p.period_context.as_deref(),
            partner_city_ids: ids(&p.partner_cities),
            source_file: p.source_document.as_ref().map(|s| s.file_name.as_str()),
            source_sha256: p.source_document.as_ref().map(|s| s.sha256.as_str()),
            last_updated_at: p.last_updated_at,
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
            internal_note: p.internal_note.as_deref(),
        }
    }
}

/// A row of `plan-cities.csv`: the focal city (position 0), then the partner cities in order.
#[derive(Debug, Default, Serialize)]
pub struct PlanCityRow<'a> {
    plan_id: i64,
    city_id: i64,
    city: &'a str,
    role: &'static str,
    position: usize,
}

impl<'a> PlanCityRow<'a> {
    /// The rows of `plan`'s cities.
    pub fn of(plan: &'a Plan) -> impl Iterator<Item = Self> + 'a {
        let focal = std::iter::once(("FOCAL", &plan.focal_city));
        let partners = plan.partner_cities.iter().map(|c| ("PARTNER", c));
        (focal.chain(partners).enumerate()).map(|(position, (role, c))| Self {
            plan_id: plan.id,
            city_id: c.id,
            city: &c.name,
            role,
            position,
        })
    }
}

/// A row of `participants.csv`.
#[derive(Debug, Default, Serialize)]
pub struct ParticipantRow<'a> {
    plan_id: i64,
    organization_id: i64,
    organization: &'a str,
    role: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

impl<'a> ParticipantRow<'a> {
    /// The rows of `plan`'s participants.
    pub fn of(plan: &'a Plan) -> impl Iterator<Item = Self> + 'a {
        plan.participants.iter().map(|x| Self {
            plan_id: plan.id,
            organization_id: x.organization.id,
            organization: &x.organization.name,
            role: x.role.to_value(),
            created_at: x.created_at,
            updated_at: x.updated_at,
            version: x.version,
        })
    }
}
