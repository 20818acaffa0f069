//! Data-quality findings: values that were published but look wrong or could not be read.

use async_graphql::{ID, Object};

use super::enums::{IssueEntity, Severity};
use super::ids::NodeKind;
use super::loader::{by_id, has_many};
use entity::data_issue;

by_id!(
    /// Key: a record id.
    DataIssueById => data_issue
);
has_many!(
    /// Key: the data issues of a plan.
    IssuesOfPlan => data_issue, PlanId, Id
);

/// A finding about a published value ("area 1,24 km² for 15.3 million people is implausible").
#[derive(Clone)]
pub struct DataIssue(pub data_issue::Model);

/// A finding about a published value ("area 1,24 km² for 15.3 million people is implausible").
#[Object]
impl DataIssue {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        NodeKind::DataIssue.id(self.0.id)
    }
    /// Kind of record concerned.
    async fn entity(&self) -> IssueEntity {
        self.0.entity.into()
    }
    /// Field concerned ("area_km2").
    async fn field(&self) -> &str {
        &self.0.field
    }
    /// How serious it is.
    async fn severity(&self) -> Severity {
        self.0.severity.into()
    }
    /// Stable machine code ("implausible-density").
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Explanation for people.
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// The value as published.
    async fn published_value(&self) -> Option<&str> {
        self.0.published_value.as_deref()
    }
}
