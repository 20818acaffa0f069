//! An expected result of a plan, and its row in `expected-results.csv`.

use chrono::{DateTime, Utc};
use sea_orm::ActiveEnum;
use serde::{Deserialize, Serialize};

use super::{Plan, Ref, code, ids};
use crate::export::csv::cell;
use entity::enums::ResultKind;

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

/// A row of `expected-results.csv`.
#[derive(Debug, Default, Serialize)]
pub struct ExpectedResultRow<'a> {
    plan_id: i64,
    result_id: i64,
    position: i16,
    kind: String,
    description: &'a str,
    #[serde(serialize_with = "cell::ids")]
    city_ids: Vec<i64>,
    #[serde(serialize_with = "cell::ids")]
    organization_ids: Vec<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

impl<'a> ExpectedResultRow<'a> {
    /// The rows of `plan`'s expected results.
    pub fn of(plan: &'a Plan) -> impl Iterator<Item = Self> + 'a {
        plan.expected_results.iter().map(|r| Self {
            plan_id: plan.id,
            result_id: r.id,
            position: r.position,
            kind: r.kind.to_value(),
            description: &r.description,
            city_ids: ids(&r.cities),
            organization_ids: ids(&r.organizations),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        })
    }
}
