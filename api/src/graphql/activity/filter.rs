//! Activity filters and orderings.

use async_graphql::{Enum, ID, InputObject};
use chrono::NaiveDate;
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Condition, Expr};

use crate::error::{ApiError, ApiResult};
use crate::graphql::enums::ActivityKind;
use crate::graphql::filter::{
    BoolFilter, bool_structure, check_range, contains_text, country_code, ids_where, overlaps,
};
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::pagination::{SortKey, SortOrder};
use entity::{activity, activity_city, activity_organization, city, plan_activity, plan_sdg_goal};

/// Which activities to return; all given fields must hold. Combine with `and`, `or`, `not`.
#[derive(InputObject, Default, Clone)]
pub struct ActivityFilter {
    /// All of these filters hold.
    pub and: Option<Vec<ActivityFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<ActivityFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<ActivityFilter>>,
    /// Listed by this plan.
    pub plan: Option<ID>,
    /// Took place in, or involved, this city.
    pub city: Option<ID>,
    /// Took place in, or involved a city of, this country (ISO alpha-2).
    pub country: Option<String>,
    /// Involved this organization.
    pub organization: Option<ID>,
    /// One of these kinds.
    pub kind: Option<Vec<ActivityKind>>,
    /// Listed by a plan related to this SDG goal.
    pub sdg_goal: Option<i32>,
    /// The activity's date overlaps the range starting at this day ("April 2019" is in 2019).
    pub date_from: Option<NaiveDate>,
    /// The activity's date overlaps the range ending at this day.
    pub date_to: Option<NaiveDate>,
    /// Text in the title or description (case-insensitive, taken literally).
    pub text: Option<String>,
}

fn in_link<L: sea_orm::EntityTrait>(
    out: L::Column,
    by: L::Column,
    value: sea_orm::sea_query::Value,
) -> Condition {
    Condition::all().add(
        activity::Column::Id.in_subquery(ids_where::<L>(out, Condition::all().add(by.eq(value)))),
    )
}

impl BoolFilter for ActivityFilter {
    bool_structure!();

    fn fields(&self) -> ApiResult<Condition> {
        use activity::Column as A;
        let mut c = Condition::all();
        if let Some(id) = &self.plan {
            let id = decode_int(id, NodeKind::Plan, "filter.plan")?;
            c = c.add(in_link::<plan_activity::Entity>(
                plan_activity::Column::ActivityId,
                plan_activity::Column::PlanId,
                id.into(),
            ));
        }
        if let Some(id) = &self.city {
            let id = decode_int(id, NodeKind::City, "filter.city")?;
            c = c.add(Condition::any().add(A::PlaceCityId.eq(id)).add(in_link::<
                activity_city::Entity,
            >(
                activity_city::Column::ActivityId,
                activity_city::Column::CityId,
                id.into(),
            )));
        }
        if let Some(code) = &self.country {
            let code = country_code(code, "filter.country")?;
            let cities = ids_where::<city::Entity>(
                city::Column::Id,
                Condition::all().add(city::Column::CountryCode.eq(code)),
            );
            let via_link = ids_where::<activity_city::Entity>(
                activity_city::Column::ActivityId,
                Condition::all().add(activity_city::Column::CityId.in_subquery(cities.clone())),
            );
            c = c.add(
                Condition::any()
                    .add(A::PlaceCityId.in_subquery(cities))
                    .add(A::Id.in_subquery(via_link)),
            );
        }
        if let Some(id) = &self.organization {
            let id = decode_int(id, NodeKind::Organization, "filter.organization")?;
            c = c.add(in_link::<activity_organization::Entity>(
                activity_organization::Column::ActivityId,
                activity_organization::Column::OrganizationId,
                id.into(),
            ));
        }
        if let Some(kinds) = &self.kind {
            c = c.add(A::Kind.is_in(kinds.iter().map(|k| entity::enums::ActivityKind::from(*k))));
        }
        if let Some(goal) = self.sdg_goal {
            let goal = crate::domain::sdg::SdgGoal::try_from(goal)
                .map_err(|e| ApiError::invalid("filter.sdgGoal", e.to_string()))?;
            let plans = ids_where::<plan_sdg_goal::Entity>(
                plan_sdg_goal::Column::PlanId,
                Condition::all()
                    .add(plan_sdg_goal::Column::GoalNumber.eq(i16::from(goal.number()))),
            );
            let acts = ids_where::<plan_activity::Entity>(
                plan_activity::Column::ActivityId,
                Condition::all().add(plan_activity::Column::PlanId.in_subquery(plans)),
            );
            c = c.add(A::Id.in_subquery(acts));
        }
        check_range(self.date_from, self.date_to, "filter.dateFrom")?;
        if self.date_from.is_some() || self.date_to.is_some() {
            c = c.add(overlaps(
                A::DateStart,
                A::DateEnd,
                self.date_from,
                self.date_to,
            ));
        }
        if let Some(text) = &self.text {
            c = c.add(
                Condition::any()
                    .add(contains_text(
                        Expr::col((activity::Entity, A::Title)),
                        text,
                        "filter.text",
                    )?)
                    .add(contains_text(
                        Expr::col((activity::Entity, A::Description)),
                        text,
                        "filter.text",
                    )?),
            );
        }
        Ok(c)
    }
}

/// How activities are ordered. Partial dates sort by their first day, then by precision; undated
/// activities come last.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Hash, Debug, Default)]
pub enum ActivityOrder {
    /// Earliest first (the default).
    #[default]
    DateAsc,
    /// Latest first.
    DateDesc,
    /// In order of creation.
    Created,
}

impl SortOrder<activity::Entity> for ActivityOrder {
    fn name(self) -> &'static str {
        match self {
            Self::DateAsc => "date-asc",
            Self::DateDesc => "date-desc",
            Self::Created => "id",
        }
    }

    fn keys(self) -> Vec<SortKey<activity::Column>> {
        use activity::Column as A;
        let precision = SortKey::nullable(A::DatePrecision, "");
        match self {
            Self::DateAsc => vec![
                SortKey::nullable(A::DateStart, "9999-12-31"),
                precision,
                SortKey::col(A::Id),
            ],
            Self::DateDesc => vec![
                SortKey::nullable(A::DateStart, "0001-01-01"),
                precision,
                SortKey::col(A::Id),
            ],
            Self::Created => vec![SortKey::col(A::Id)],
        }
    }

    fn descending(self) -> bool {
        matches!(self, Self::DateDesc)
    }
}
