//! Partial dates as GraphQL objects: the published text, its precision and the days it covers.

use async_graphql::SimpleObject;
use chrono::NaiveDate;

use super::enums::DatePrecision;

/// A date known to a year, quarter, month or day: "May 2017" covers 2017-05-01 to 2017-05-31.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "PartialDate")]
pub struct PartialDateObject {
    /// The date as published ("May 2017").
    pub text: String,
    /// How precisely it is known.
    pub precision: DatePrecision,
    /// First day covered.
    pub start: NaiveDate,
    /// Last day covered.
    pub end: NaiveDate,
}

impl PartialDateObject {
    /// Builds the object from nullable columns; all four must be present.
    pub fn from_columns(
        text: Option<&str>,
        precision: Option<entity::enums::DatePrecision>,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Option<Self> {
        Some(Self {
            text: text?.to_owned(),
            precision: precision?.into(),
            start: start?,
            end: end?,
        })
    }
}
