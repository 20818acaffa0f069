//! Focus, challenge and objective statements of a plan.

use async_graphql::SimpleObject;

use super::loader::has_many;
use entity::statement;

has_many!(
    /// Key: the statements of a plan (all kinds, ordered by position).
    StatementsOfPlan => statement, PlanId, Position
);

/// An ordered statement of a plan, optionally titled ("Industrial design: Launching …").
#[derive(SimpleObject, Clone)]
pub struct Statement {
    /// 1-based position within its list.
    pub position: i16,
    /// Title, when the statement has one.
    pub title: Option<String>,
    /// The statement.
    pub description: String,
}

impl From<statement::Model> for Statement {
    fn from(m: statement::Model) -> Self {
        Self {
            position: m.position,
            title: m.title,
            description: m.text,
        }
    }
}

impl Statement {
    /// One-line form for lists of plain strings: "Title: text".
    pub fn line(&self) -> String {
        match &self.title {
            Some(t) => format!("{t}: {}", self.description),
            None => self.description.clone(),
        }
    }
}
