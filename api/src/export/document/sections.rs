//! The plan's themes, statements (key focus, objectives, challenges …) and contacts, and their rows
//! in `themes.csv`, `statements.csv` and `contacts.csv`.

use chrono::{DateTime, Utc};
use sea_orm::ActiveEnum;
use serde::{Deserialize, Serialize};

use super::{Plan, code};
use entity::enums::StatementKind;

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
pub struct Contact {
    pub id: i64,
    pub email: String,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A row of `themes.csv`.
#[derive(Debug, Default, Serialize)]
pub struct ThemeRow<'a> {
    plan_id: i64,
    theme_id: i64,
    position: i16,
    title: &'a str,
    description: Option<&'a str>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

impl<'a> ThemeRow<'a> {
    /// The rows of `plan`'s themes.
    pub fn of(plan: &'a Plan) -> impl Iterator<Item = Self> + 'a {
        plan.themes.iter().map(|t| Self {
            plan_id: plan.id,
            theme_id: t.id,
            position: t.position,
            title: &t.title,
            description: t.description.as_deref(),
            created_at: t.created_at,
            updated_at: t.updated_at,
            version: t.version,
        })
    }
}

/// A row of `statements.csv`.
#[derive(Debug, Default, Serialize)]
pub struct StatementRow<'a> {
    plan_id: i64,
    statement_id: i64,
    kind: String,
    position: i16,
    title: Option<&'a str>,
    text: &'a str,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

impl<'a> StatementRow<'a> {
    /// The rows of `plan`'s statements.
    pub fn of(plan: &'a Plan) -> impl Iterator<Item = Self> + 'a {
        plan.statements.iter().map(|s| Self {
            plan_id: plan.id,
            statement_id: s.id,
            kind: s.kind.to_value(),
            position: s.position,
            title: s.title.as_deref(),
            text: &s.text,
            created_at: s.created_at,
            updated_at: s.updated_at,
            version: s.version,
        })
    }
}

/// A row of `contacts.csv`.
#[derive(Debug, Default, Serialize)]
pub struct ContactRow<'a> {
    plan_id: i64,
    contact_id: i64,
    email: &'a str,
    label: Option<&'a str>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

impl<'a> ContactRow<'a> {
    /// The rows of `plan`'s contacts.
    pub fn of(plan: &'a Plan) -> impl Iterator<Item = Self> + 'a {
        plan.contacts.iter().map(|c| Self {
            plan_id: plan.id,
            contact_id: c.id,
            email: &c.email,
            label: c.label.as_deref(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        })
    }
}
