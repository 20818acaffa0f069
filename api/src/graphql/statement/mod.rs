//! Focus, challenge and objective statements of a plan.

mod write;

pub use write::{
    CreateStatementInput, PlanStatementInput, StatementMutation, StatementPayload,
    UpdateStatementInput,
};

use async_graphql::{Context, ID, Object};

use super::enums::StatementKind;
use super::ids::NodeKind;
use super::loader::{by_id, has_many};
use super::plan;
use crate::error::ApiResult;
use entity::statement;

by_id!(
    /// Key: a statement id.
    StatementById => statement
);
has_many!(
    /// Key: the statements of a plan (all kinds, ordered by position).
    StatementsOfPlan => statement, PlanId, Position
);

/// An ordered statement of a plan, optionally titled ("Industrial design: Launching …").
#[derive(Clone)]
pub struct Statement(pub statement::Model);

impl From<statement::Model> for Statement {
    fn from(m: statement::Model) -> Self {
        Self(m)
    }
}

impl Statement {
    /// One-line form for lists of plain strings: "Title: text".
    pub fn line(&self) -> String {
        match &self.0.title {
            Some(t) => format!("{t}: {}", self.0.text),
            None => self.0.text.clone(),
        }
    }
}

/// An ordered statement of a plan, optionally titled ("Industrial design: Launching …").
#[Object]
impl Statement {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        NodeKind::Statement.id(self.0.id)
    }
    /// 1-based position within its list.
    async fn position(&self) -> i16 {
        self.0.position
    }
    /// Title, when the statement has one.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The statement.
    async fn description(&self) -> &str {
        &self.0.text
    }
    /// Which list of the plan it belongs to.
    async fn kind(&self) -> StatementKind {
        self.0.kind.into()
    }
    /// The plan the statement belongs to.
    async fn plan(&self, ctx: &Context<'_>) -> ApiResult<Option<plan::Plan>> {
        plan::load(ctx, self.0.plan_id).await
    }
    /// Optimistic-concurrency version.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
