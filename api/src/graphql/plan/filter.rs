//! Plan filters and orderings.

use async_graphql::{Enum, ID, InputObject};
use chrono::NaiveDate;
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Condition, Expr};

use crate::error::ApiResult;
use crate::graphql::enums::PlanStatus;
use crate::graphql::filter::{
    BoolFilter, bool_structure, check_range, contains_text, country_code, exact_text, ids_where,
    overlaps,
};
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::pagination::{SortKey, SortOrder};
use entity::{
    city, country, plan, plan_partner_city, plan_sdg_goal, plan_sdg_target, plan_urban_agenda,
    theme, urban_agenda_partnership,
};

/// Which plans to return; all given fields must hold. Combine with `and`, `or`, `not`.
#[derive(InputObject, Default, Clone)]
pub struct PlanFilter {
    /// All of these filters hold.
    pub and: Option<Vec<PlanFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<PlanFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<PlanFilter>>,
    /// The plan's focal city.
    pub focal_city: Option<ID>,
    /// A partner city of the plan.
    pub partner_city: Option<ID>,
    /// The focal city or a partner city.
    pub city: Option<ID>,
    /// ISO 3166-1 alpha-2 code of the focal city's or a partner city's country ("CN").
    pub country: Option<String>,
    /// ISO code of the focal city's country only.
    pub focal_country: Option<String>,
    /// UN M49 sub-region ("Eastern Asia") or continent ("Europe") of the focal or a partner city.
    pub world_region: Option<String>,
    /// Text in a theme's title or description (case-insensitive, taken literally).
    pub theme_text: Option<String>,
    /// SDG goal number (1–17).
    pub sdg_goal: Option<i32>,
    /// SDG target code ("11.a").
    pub sdg_target: Option<String>,
    /// Key of an Urban Agenda partnership ("energy-transition").
    pub urban_agenda_partnership: Option<String>,
    /// Publication state.
    pub status: Option<PlanStatus>,
    /// The period of cooperation overlaps the range starting at this day.
    pub period_from: Option<NaiveDate>,
    /// The period of cooperation overlaps the range ending at this day.
    pub period_to: Option<NaiveDate>,
}

/// Plans whose focal or a partner city satisfies `cities` (a condition on the city table).
fn focal_or_partner(cities: Condition, partners_too: bool) -> Condition {
    let city_ids = ids_where::<city::Entity>(city::Column::Id, cities);
    let mut any = Condition::any().add(plan::Column::FocalCityId.in_subquery(city_ids.clone()));
    if partners_too {
        let plan_ids = ids_where::<plan_partner_city::Entity>(
            plan_partner_city::Column::PlanId,
            Condition::all().add(plan_partner_city::Column::CityId.in_subquery(city_ids)),
        );
        any = any.add(plan::Column::Id.in_subquery(plan_ids));
    }
    any
}

impl BoolFilter for PlanFilter {
    bool_structure!();

    fn fields(&self) -> ApiResult<Condition> {
        let mut c = Condition::all();
        if let Some(id) = &self.focal_city {
            c = c.add(plan::Column::FocalCityId.eq(decode_int(
                id,
                NodeKind::City,
                "filter.focalCity",
            )?));
        }
        if let Some(id) = &self.partner_city {
            let id = decode_int(id, NodeKind::City, "filter.partnerCity")?;
            c = c.add(
                plan::Column::Id.in_subquery(ids_where::<plan_partner_city::Entity>(
                    plan_partner_city::Column::PlanId,
                    Condition::all().add(plan_partner_city::Column::CityId.eq(id)),
                )),
            );
        }
        if let Some(id) = &self.city {
            let id = decode_int(id, NodeKind::City, "filter.city")?;
            c = c.add(focal_or_partner(
                Condition::all().add(city::Column::Id.eq(id)),
                true,
            ));
        }
        if let Some(code) = &self.country {
            let code = country_code(code, "filter.country")?;
            c = c.add(focal_or_partner(
                Condition::all().add(city::Column::CountryCode.eq(code)),
                true,
            ));
        }
        if let Some(code) = &self.focal_country {
            let code = country_code(code, "filter.focalCountry")?;
            c = c.add(focal_or_partner(
                Condition::all().add(city::Column::CountryCode.eq(code)),
                false,
            ));
        }
        if let Some(region) = &self.world_region {
            let region = exact_text(region, "filter.worldRegion")?;
            let codes = ids_where::<country::Entity>(
                country::Column::Code,
                Condition::any()
                    .add(country::Column::Region.eq(region))
                    .add(country::Column::Continent.eq(region)),
            );
            c = c.add(focal_or_partner(
                Condition::all().add(city::Column::CountryCode.in_subquery(codes)),
                true,
            ));
        }
        if let Some(text) = &self.theme_text {
            let title = contains_text(
                Expr::col((theme::Entity, theme::Column::Title)),
                text,
                "filter.themeText",
            )?;
            let body = contains_text(
                Expr::col((theme::Entity, theme::Column::Description)),
                text,
                "filter.themeText",
            )?;
            let plans = ids_where::<theme::Entity>(
                theme::Column::PlanId,
                Condition::any().add(title).add(body),
            );
            c = c.add(plan::Column::Id.in_subquery(plans));
        }
        if let Some(goal) = self.sdg_goal {
            let goal = crate::domain::sdg::SdgGoal::try_from(goal)
                .map_err(|e| crate::error::ApiError::invalid("filter.sdgGoal", e.to_string()))?;
            let plans = ids_where::<plan_sdg_goal::Entity>(
                plan_sdg_goal::Column::PlanId,
                Condition::all()
                    .add(plan_sdg_goal::Column::GoalNumber.eq(i16::from(goal.number()))),
            );
            c = c.add(plan::Column::Id.in_subquery(plans));
        }
        if let Some(target) = &self.sdg_target {
            let target = crate::domain::sdg::SdgTarget::parse(target)
                .map_err(|e| crate::error::ApiError::invalid("filter.sdgTarget", e.to_string()))?;
            let plans = ids_where::<plan_sdg_target::Entity>(
                plan_sdg_target::Column::PlanId,
                Condition::all().add(plan_sdg_target::Column::TargetCode.eq(target.code())),
            );
            c = c.add(plan::Column::Id.in_subquery(plans));
        }
        if let Some(key) = &self.urban_agenda_partnership {
            let partnership = ids_where::<urban_agenda_partnership::Entity>(
                urban_agenda_partnership::Column::Id,
                Condition::all().add(
                    urban_agenda_partnership::Column::Key
                        .eq(exact_text(key, "filter.urbanAgendaPartnership")?),
                ),
            );
            let plans = ids_where::<plan_urban_agenda::Entity>(
                plan_urban_agenda::Column::PlanId,
                Condition::all()
                    .add(plan_urban_agenda::Column::PartnershipId.in_subquery(partnership)),
            );
            c = c.add(plan::Column::Id.in_subquery(plans));
        }
        if let Some(status) = self.status {
            c = c.add(plan::Column::Status.eq(entity::enums::PlanStatus::from(status)));
        }
        check_range(self.period_from, self.period_to, "filter.periodFrom")?;
        if self.period_from.is_some() || self.period_to.is_some() {
            c = c.add(overlaps(
                plan::Column::PeriodStart,
                plan::Column::PeriodEnd,
                self.period_from,
                self.period_to,
            ));
        }
        Ok(c)
    }
}

/// How plans are ordered.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Hash, Debug, Default)]
pub enum PlanOrder {
    /// In order of creation (the default).
    #[default]
    Created,
    /// By title, A to Z.
    TitleAsc,
    /// Earliest period of cooperation first; plans without a period last.
    PeriodAsc,
    /// Latest period of cooperation first; plans without a period last.
    PeriodDesc,
}

impl SortOrder<plan::Entity> for PlanOrder {
    fn name(self) -> &'static str {
        match self {
            Self::Created => "id",
            Self::TitleAsc => "title-asc",
            Self::PeriodAsc => "period-asc",
            Self::PeriodDesc => "period-desc",
        }
    }

    fn keys(self) -> Vec<SortKey<plan::Column>> {
        use plan::Column as C;
        let id = SortKey::col(C::Id);
        match self {
            Self::Created => vec![id],
            Self::TitleAsc => vec![SortKey::col(C::Title), id],
            Self::PeriodAsc => vec![SortKey::nullable(C::PeriodStart, "9999-12-31"), id],
            Self::PeriodDesc => vec![SortKey::nullable(C::PeriodStart, "0001-01-01"), id],
        }
    }

    fn descending(self) -> bool {
        matches!(self, Self::PeriodDesc)
    }
}
