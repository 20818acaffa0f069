//! Which dates a plan reports: IATI wants a start on every activity and never an actual date in
//! the future, while a plan's own dates are often coarse ("May 2017") or missing.

use chrono::NaiveDate;
use entity::enums::DatePrecision;

use super::codes;
use crate::export::document as doc;

/// One `activity-date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDate {
    /// ActivityDateType code.
    pub kind: &'static str,
    pub date: NaiveDate,
    /// The published text when the source is coarser than a day.
    pub narrative: Option<String>,
}

/// The dates and the status they imply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dates {
    pub status: &'static str,
    pub start: ActivityDate,
    pub end: Option<ActivityDate>,
}

/// The start is the plan's period, else its earliest dated activity, else the day it was
/// recorded; actual when it is past, planned otherwise. The planned end is its latest activity,
/// when that ends after the start.
pub fn dates(plan: &doc::Plan, today: NaiveDate) -> Dates {
    let earliest = plan
        .activities
        .iter()
        .filter_map(|a| Some((a.date.start?, &a.date)))
        .min_by_key(|(start, _)| *start);
    let (start, source) = match (plan.period.start, earliest) {
        (Some(start), _) => (start, Some(&plan.period)),
        (None, Some((start, date))) => (start, Some(date)),
        (None, None) => (plan.created_at.date_naive(), None),
    };
    let latest = plan
        .activities
        .iter()
        .filter_map(|a| Some((a.date.end.or(a.date.start)?, &a.date)))
        .max_by_key(|(end, _)| *end);
    Dates {
        status: if start > today {
            codes::STATUS_PIPELINE
        } else {
            codes::STATUS_IMPLEMENTATION
        },
        start: ActivityDate {
            kind: if start <= today {
                codes::DATE_ACTUAL_START
            } else {
                codes::DATE_PLANNED_START
            },
            date: start,
            narrative: source.and_then(coarse_text),
        },
        end: latest
            .filter(|(end, _)| *end > start)
            .map(|(end, source)| ActivityDate {
                kind: codes::DATE_PLANNED_END,
                date: end,
                narrative: coarse_text(source),
            }),
    }
}

/// The published text of a date not known to the day.
fn coarse_text(date: &doc::PartialDate) -> Option<String> {
    if date.precision == Some(DatePrecision::Day) {
        return None;
    }
    date.text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::export::iati::fixtures::{dated_activity, partial, plan};

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a test date")
    }

    #[test]
    fn the_period_is_the_start_and_a_past_one_is_actual_with_its_text() {
        let mut p = plan();
        p.period = partial("May 2017", DatePrecision::Month, "2017-05-01", "2017-05-31");
        p.activities = vec![
            dated_activity(
                1,
                partial("2016", DatePrecision::Year, "2016-01-01", "2016-12-31"),
            ),
            dated_activity(
                2,
                partial(
                    "March 2020",
                    DatePrecision::Month,
                    "2020-03-01",
                    "2020-03-31",
                ),
            ),
        ];
        let d = dates(&p, day("2024-01-01"));
        assert_eq!(d.status, "2");
        assert_eq!(
            d.start,
            ActivityDate {
                kind: "2",
                date: day("2017-05-01"),
                narrative: Some("May 2017".into())
            }
        );
        assert_eq!(
            d.end,
            Some(ActivityDate {
                kind: "3",
                date: day("2020-03-31"),
                narrative: Some("March 2020".into())
            })
        );
    }

    #[test]
    fn without_a_period_the_earliest_activity_starts_and_a_day_date_has_no_text() {
        let mut p = plan();
        p.activities = vec![
            dated_activity(
                1,
                partial(
                    "1 June 2019",
                    DatePrecision::Day,
                    "2019-06-01",
                    "2019-06-01",
                ),
            ),
            dated_activity(
                2,
                partial(
                    "April 2019",
                    DatePrecision::Month,
                    "2019-04-01",
                    "2019-04-30",
                ),
            ),
        ];
        let d = dates(&p, day("2024-01-01"));
        assert_eq!(d.start.date, day("2019-04-01"));
        assert_eq!(d.start.narrative.as_deref(), Some("April 2019"));
        let end = d.end.expect("an end after the start");
        assert_eq!((end.date, end.narrative), (day("2019-06-01"), None));
    }

    #[test]
    fn a_future_start_is_planned_and_the_plan_in_the_pipeline() {
        let mut p = plan();
        p.period = partial("2031", DatePrecision::Year, "2031-01-01", "2031-12-31");
        let d = dates(&p, day("2030-12-31"));
        assert_eq!((d.status, d.start.kind), ("1", "1"));
        assert_eq!(d.end, None);
        let d = dates(&p, day("2031-01-01"));
        assert_eq!((d.status, d.start.kind), ("2", "2"));
    }

    #[test]
    fn with_no_dates_at_all_the_recording_day_starts_and_no_end_is_invented() {
        let mut p = plan();
        p.activities = vec![dated_activity(
            1,
            doc::PartialDate {
                text: Some("soon".into()),
                precision: None,
                start: None,
                end: None,
            },
        )];
        let d = dates(&p, day("2024-01-01"));
        assert_eq!(d.start.date, p.created_at.date_naive());
        assert_eq!((d.start.kind, d.start.narrative.as_deref()), ("2", None));
        assert_eq!(d.end, None);
    }

    #[test]
    fn an_end_not_after_the_start_is_left_out() {
        let mut p = plan();
        p.period = partial("2020", DatePrecision::Year, "2020-01-01", "2020-12-31");
        p.activities = vec![dated_activity(
            1,
            partial("2019", DatePrecision::Year, "2019-01-01", "2020-01-01"),
        )];
        assert_eq!(dates(&p, day("2024-01-01")).end, None);
    }
}
