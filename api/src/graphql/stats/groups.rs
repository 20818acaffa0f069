//! The three groups of counts: plans, their activities, their MoUs.

use async_graphql::Object;
use sea_orm::EntityTrait;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Query, SelectStatement};

use super::{Bucket, Stats, count_distinct, grouped, within};
use crate::error::ApiResult;
use entity::{
    activity, activity_city, city, country, mou, mou_party, plan, plan_sdg_goal, plan_urban_agenda,
    sdg_goal, theme, urban_agenda_partnership,
};

/// Plan counts.
pub struct PlanStats<'a>(pub(super) &'a Stats);

/// Plan counts.
#[Object]
impl PlanStats<'_> {
    /// Number of plans.
    async fn total(&self) -> ApiResult<i64> {
        self.0
            .total(
                plan::Entity,
                Condition::all().add(within(
                    Expr::col((plan::Entity, plan::Column::Id)),
                    &self.0.plans,
                )),
            )
            .await
    }
    /// By the focal city's country (ISO code).
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn by_country(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = by_city_country::<plan::Entity>(
            plan::Column::Id,
            plan::Column::FocalCityId,
            &self.0.plans,
        );
        self.0.buckets(stmt).await
    }
    /// By SDG goal (number).
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn by_sdg_goal(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = Query::select()
            .expr_as(
                Expr::col((plan_sdg_goal::Entity, plan_sdg_goal::Column::GoalNumber)),
                Alias::new("k"),
            )
            .expr_as(
                Expr::col((sdg_goal::Entity, sdg_goal::Column::Title)),
                Alias::new("l"),
            )
            .expr_as(
                count_distinct((plan_sdg_goal::Entity, plan_sdg_goal::Column::PlanId)),
                Alias::new("n"),
            )
            .from(plan_sdg_goal::Entity)
            .inner_join(
                sdg_goal::Entity,
                Expr::col((sdg_goal::Entity, sdg_goal::Column::Number))
                    .equals((plan_sdg_goal::Entity, plan_sdg_goal::Column::GoalNumber)),
            )
            .and_where(within(
                Expr::col((plan_sdg_goal::Entity, plan_sdg_goal::Column::PlanId)),
                &self.0.plans,
            ))
            .add_group_by([
                Expr::col((plan_sdg_goal::Entity, plan_sdg_goal::Column::GoalNumber)),
                Expr::col((sdg_goal::Entity, sdg_goal::Column::Title)),
            ])
            .to_owned();
        self.0.buckets(stmt).await
    }
    /// By Urban Agenda partnership (key).
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn by_urban_agenda_partnership(&self) -> ApiResult<Vec<Bucket>> {
        let p = urban_agenda_partnership::Entity;
        let stmt = Query::select()
            .expr_as(
                Expr::col((p, urban_agenda_partnership::Column::Key)),
                Alias::new("k"),
            )
            .expr_as(
                Expr::col((p, urban_agenda_partnership::Column::Name)),
                Alias::new("l"),
            )
            .expr_as(
                count_distinct((plan_urban_agenda::Entity, plan_urban_agenda::Column::PlanId)),
                Alias::new("n"),
            )
            .from(plan_urban_agenda::Entity)
            .inner_join(
                p,
                Expr::col((p, urban_agenda_partnership::Column::Id)).equals((
                    plan_urban_agenda::Entity,
                    plan_urban_agenda::Column::PartnershipId,
                )),
            )
            .and_where(within(
                Expr::col((plan_urban_agenda::Entity, plan_urban_agenda::Column::PlanId)),
                &self.0.plans,
            ))
            .add_group_by([
                Expr::col((p, urban_agenda_partnership::Column::Key)),
                Expr::col((p, urban_agenda_partnership::Column::Name)),
            ])
            .to_owned();
        self.0.buckets(stmt).await
    }
    /// By theme title (themes are free text per plan; equal titles group together).
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn by_theme(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = Query::select()
            .expr_as(
                Expr::col((theme::Entity, theme::Column::Title)),
                Alias::new("k"),
            )
            .expr_as(
                count_distinct((theme::Entity, theme::Column::PlanId)),
                Alias::new("n"),
            )
            .from(theme::Entity)
            .and_where(within(
                Expr::col((theme::Entity, theme::Column::PlanId)),
                &self.0.plans,
            ))
            .add_group_by([Expr::col((theme::Entity, theme::Column::Title))])
            .to_owned();
        self.0.buckets(stmt).await
    }
    /// By the year the cooperation period starts.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn by_year(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = grouped::<plan::Entity>(
            plan::Column::PeriodStart,
            plan::Column::Id,
            self.0.plans.clone(),
        );
        self.0.years(stmt).await
    }
    /// By publication state.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn by_status(&self) -> ApiResult<Vec<Bucket>> {
        let stmt =
            grouped::<plan::Entity>(plan::Column::Status, plan::Column::Id, self.0.plans.clone());
        self.0.buckets(stmt).await
    }
}

/// Counts of the activities the selected plans list.
pub struct ActivityStats<'a>(pub(super) &'a Stats);

/// Counts of the activities the selected plans list.
#[Object]
impl ActivityStats<'_> {
    /// Number of activities.
    async fn total(&self) -> ApiResult<i64> {
        self.0
            .total(
                activity::Entity,
                Condition::all().add(within(
                    Expr::col((activity::Entity, activity::Column::Id)),
                    &self.0.activity_ids(),
                )),
            )
            .await
    }
    /// By the country of the cities involved (an activity with cities of two countries counts in both).
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn by_country(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = by_city_country::<activity_city::Entity>(
            activity_city::Column::ActivityId,
            activity_city::Column::CityId,
            &self.0.activity_ids(),
        );
        self.0.buckets(stmt).await
    }
    /// By the year of the activity's first day.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn by_year(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = grouped::<activity::Entity>(
            activity::Column::DateStart,
            activity::Column::Id,
            self.0.activity_ids(),
        );
        self.0.years(stmt).await
    }
    /// By kind of activity.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn by_kind(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = grouped::<activity::Entity>(
            activity::Column::Kind,
            activity::Column::Id,
            self.0.activity_ids(),
        );
        self.0.buckets(stmt).await
    }
}

/// Counts of the MoUs the selected plans list.
pub struct MouStats<'a>(pub(super) &'a Stats);

/// Counts of the MoUs the selected plans list.
#[Object]
impl MouStats<'_> {
    /// Number of MoUs.
    async fn total(&self) -> ApiResult<i64> {
        self.0
            .total(
                mou::Entity,
                Condition::all().add(within(
                    Expr::col((mou::Entity, mou::Column::Id)),
                    &self.0.mou_ids(),
                )),
            )
            .await
    }
    /// By status.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn by_status(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = grouped::<mou::Entity>(mou::Column::Status, mou::Column::Id, self.0.mou_ids());
        self.0.buckets(stmt).await
    }
    /// By the year of signature (signed MoUs only).
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn by_year(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = grouped::<mou::Entity>(mou::Column::SignedOn, mou::Column::Id, self.0.mou_ids());
        self.0.years(stmt).await
    }
    /// By the country of the parties' cities (an MoU between two countries counts in both).
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn by_country(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = by_city_country::<mou_party::Entity>(
            mou_party::Column::MouId,
            mou_party::Column::CityId,
            &self.0.mou_ids(),
        );
        self.0.buckets(stmt).await
    }
}

/// Records of `L` (`record`) counted by the country of the city `L` names (`city`); a record with
/// cities of two countries counts in both.
fn by_city_country<L: EntityTrait>(
    record: L::Column,
    city_col: L::Column,
    ids: &Option<SelectStatement>,
) -> SelectStatement {
    let code = Expr::col((city::Entity, city::Column::CountryCode));
    let name = Expr::col((country::Entity, country::Column::Name));
    Query::select()
        .expr_as(code.clone(), Alias::new("k"))
        .expr_as(name.clone(), Alias::new("l"))
        .expr_as(count_distinct((L::default(), record)), Alias::new("n"))
        .from(L::default())
        .inner_join(
            city::Entity,
            Expr::col((city::Entity, city::Column::Id)).equals((L::default(), city_col)),
        )
        .left_join(
            country::Entity,
            Expr::col((country::Entity, country::Column::Code))
                .equals((city::Entity, city::Column::CountryCode)),
        )
        .and_where(within(Expr::col((L::default(), record)), ids))
        .and_where(code.clone().is_not_null())
        .add_group_by([code, name])
        .to_owned()
}
