//! A data-quality finding (of a plan's record, or of no plan), and its row in `data-issues.csv`.

use chrono::{DateTime, Utc};
use sea_orm::ActiveEnum;
use serde::{Deserialize, Serialize};

use super::{Plan, code};
use entity::enums::{IssueEntity, Severity};

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

/// A row of `data-issues.csv`; `plan_id` is empty for a finding of no plan.
#[derive(Debug, Default, Serialize)]
pub struct IssueRow<'a> {
    plan_id: Option<i64>,
    issue_id: i64,
    entity: String,
    entity_id: Option<i64>,
    field: &'a str,
    severity: String,
    code: &'a str,
    message: &'a str,
    published_value: Option<&'a str>,
    internal: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

impl<'a> IssueRow<'a> {
    pub fn new(plan_id: Option<i64>, i: &'a DataIssue) -> Self {
        Self {
            plan_id,
            issue_id: i.id,
            entity: i.entity.to_value(),
            entity_id: i.entity_id,
            field: &i.field,
            severity: i.severity.to_value(),
            code: &i.code,
            message: &i.message,
            published_value: i.published_value.as_deref(),
            internal: i.internal,
            created_at: i.created_at,
            updated_at: i.updated_at,
            version: i.version,
        }
    }

    /// The rows of `plan`'s findings.
    pub fn of(plan: &'a Plan) -> impl Iterator<Item = Self> + 'a {
        plan.data_issues.iter().map(|i| Self::new(Some(plan.id), i))
    }
}
