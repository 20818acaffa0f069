//! Dashboard counts: plans, activities and MoUs grouped by country, SDG goal, Urban Agenda
//! partnership, theme, year, kind and status — over the plans a `PlanFilter` selects. Each grouping
//! is one GROUP BY statement, run only when asked for.

use std::collections::BTreeMap;

use async_graphql::{Context, Object, SimpleObject};
use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, QueryResult};

use super::db;
use super::filter::{condition, ids_where};
use super::plan::PlanFilter;
use crate::error::ApiResult;
use entity::{
    activity, activity_city, city, country, mou, mou_party, plan, plan_activity, plan_mou,
    plan_sdg_goal, plan_urban_agenda, sdg_goal, theme, urban_agenda_partnership,
};

/// One group of a count: its key ("CN", "9", "2019", "SIGNED"), a label for people, the count.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// Stable key of the group.
    pub key: String,
    /// Human-readable name of the group, where one exists ("China", "Industry, Innovation and Infrastructure").
    pub label: Option<String>,
    /// Number of records in the group.
    pub count: i64,
}

/// Reads a group's key whatever SQL type it came back as.
fn key_of(row: &QueryResult) -> String {
    if let Ok(v) = row.try_get::<String>("", "k") {
        return v;
    }
    if let Ok(v) = row.try_get::<i64>("", "k") {
        return v.to_string();
    }
    if let Ok(v) = row.try_get::<i32>("", "k") {
        return v.to_string();
    }
    row.try_get::<i16>("", "k")
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// Runs a statement selecting `k`, optional `l` and `n`; largest groups first.
async fn buckets(db: &DatabaseConnection, mut stmt: SelectStatement) -> ApiResult<Vec<Bucket>> {
    stmt.order_by(Alias::new("n"), Order::Desc)
        .order_by(Alias::new("k"), Order::Asc);
    let rows = db.query_all(&stmt).await?;
    Ok(rows
        .iter()
        .map(|r| Bucket {
            key: key_of(r),
            label: r.try_get::<Option<String>>("", "l").ok().flatten(),
            count: r.try_get::<i64>("", "n").unwrap_or(0),
        })
        .collect())
}

/// Counts by calendar year of a date column (computed here: year extraction differs per database).
async fn by_year(db: &DatabaseConnection, mut stmt: SelectStatement) -> ApiResult<Vec<Bucket>> {
    stmt.order_by(Alias::new("k"), Order::Asc);
    let mut years: BTreeMap<i32, i64> = BTreeMap::new();
    for row in db.query_all(&stmt).await? {
        if let Ok(Some(day)) = row.try_get::<Option<NaiveDate>>("", "k") {
            *years.entry(day.year()).or_default() += row.try_get::<i64>("", "n").unwrap_or(0);
        }
    }
    Ok(years
        .into_iter()
        .map(|(y, n)| Bucket {
            key: y.to_string(),
            label: None,
            count: n,
        })
        .collect())
}

async fn total(
    db: &DatabaseConnection,
    table: impl sea_orm::sea_query::IntoTableRef,
    cond: Condition,
) -> ApiResult<i64> {
    let stmt = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(table)
        .cond_where(cond)
        .to_owned();
    Ok(db
        .query_one(&stmt)
        .await?
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(0))
}

fn count_distinct(col: impl sea_orm::sea_query::IntoColumnRef) -> Expr {
    Func::count_distinct(Expr::col(col)).into()
}

/// Counts over the plans selected by a filter.
pub struct Stats {
    db: DatabaseConnection,
    plans: SelectStatement,
}

impl Stats {
    fn activity_ids(&self) -> SelectStatement {
        ids_where::<plan_activity::Entity>(
            plan_activity::Column::ActivityId,
            Condition::all().add(plan_activity::Column::PlanId.in_subquery(self.plans.clone())),
        )
    }

    fn mou_ids(&self) -> SelectStatement {
        ids_where::<plan_mou::Entity>(
            plan_mou::Column::MouId,
            Condition::all().add(plan_mou::Column::PlanId.in_subquery(self.plans.clone())),
        )
    }
}

/// Plan counts.
pub struct PlanStats<'a>(&'a Stats);

#[Object]
impl PlanStats<'_> {
    /// Number of plans.
    async fn total(&self) -> ApiResult<i64> {
        total(
            &self.0.db,
            plan::Entity,
            Condition::all().add(plan::Column::Id.in_subquery(self.0.plans.clone())),
        )
        .await
    }
    /// By the focal city's country (ISO code).
    async fn by_country(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = Query::select()
            .expr_as(
                Expr::col((city::Entity, city::Column::CountryCode)),
                Alias::new("k"),
            )
            .expr_as(
                Expr::col((country::Entity, country::Column::Name)),
                Alias::new("l"),
            )
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(plan::Entity)
            .inner_join(
                city::Entity,
                Expr::col((city::Entity, city::Column::Id))
                    .equals((plan::Entity, plan::Column::FocalCityId)),
            )
            .left_join(
                country::Entity,
                Expr::col((country::Entity, country::Column::Code))
                    .equals((city::Entity, city::Column::CountryCode)),
            )
            .and_where(plan::Column::Id.in_subquery(self.0.plans.clone()))
            .and_where(Expr::col((city::Entity, city::Column::CountryCode)).is_not_null())
            .add_group_by([
                Expr::col((city::Entity, city::Column::CountryCode)),
                Expr::col((country::Entity, country::Column::Name)),
            ])
            .to_owned();
        buckets(&self.0.db, stmt).await
    }
    /// By SDG goal (number).
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
            .and_where(plan_sdg_goal::Column::PlanId.in_subquery(self.0.plans.clone()))
            .add_group_by([
                Expr::col((plan_sdg_goal::Entity, plan_sdg_goal::Column::GoalNumber)),
                Expr::col((sdg_goal::Entity, sdg_goal::Column::Title)),
            ])
            .to_owned();
        buckets(&self.0.db, stmt).await
    }
    /// By Urban Agenda partnership (key).
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
            .and_where(plan_urban_agenda::Column::PlanId.in_subquery(self.0.plans.clone()))
            .add_group_by([
                Expr::col((p, urban_agenda_partnership::Column::Key)),
                Expr::col((p, urban_agenda_partnership::Column::Name)),
            ])
            .to_owned();
        buckets(&self.0.db, stmt).await
    }
    /// By theme title (themes are free text per plan; equal titles group together).
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
            .and_where(theme::Column::PlanId.in_subquery(self.0.plans.clone()))
            .add_group_by([Expr::col((theme::Entity, theme::Column::Title))])
            .to_owned();
        buckets(&self.0.db, stmt).await
    }
    /// By the year the cooperation period starts.
    async fn by_year(&self) -> ApiResult<Vec<Bucket>> {
        let col = Expr::col((plan::Entity, plan::Column::PeriodStart));
        let stmt = Query::select()
            .expr_as(col.clone(), Alias::new("k"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(plan::Entity)
            .and_where(plan::Column::Id.in_subquery(self.0.plans.clone()))
            .add_group_by([col])
            .to_owned();
        by_year(&self.0.db, stmt).await
    }
    /// By publication state.
    async fn by_status(&self) -> ApiResult<Vec<Bucket>> {
        let col = Expr::col((plan::Entity, plan::Column::Status));
        let stmt = Query::select()
            .expr_as(col.clone(), Alias::new("k"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(plan::Entity)
            .and_where(plan::Column::Id.in_subquery(self.0.plans.clone()))
            .add_group_by([col])
            .to_owned();
        buckets(&self.0.db, stmt).await
    }
}

/// Counts of the activities the selected plans list.
pub struct ActivityStats<'a>(&'a Stats);

#[Object]
impl ActivityStats<'_> {
    /// Number of activities.
    async fn total(&self) -> ApiResult<i64> {
        total(
            &self.0.db,
            activity::Entity,
            Condition::all().add(activity::Column::Id.in_subquery(self.0.activity_ids())),
        )
        .await
    }
    /// By the country of the cities involved (an activity with cities of two countries counts in both).
    async fn by_country(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = Query::select()
            .expr_as(
                Expr::col((city::Entity, city::Column::CountryCode)),
                Alias::new("k"),
            )
            .expr_as(
                Expr::col((country::Entity, country::Column::Name)),
                Alias::new("l"),
            )
            .expr_as(
                count_distinct((activity_city::Entity, activity_city::Column::ActivityId)),
                Alias::new("n"),
            )
            .from(activity_city::Entity)
            .inner_join(
                city::Entity,
                Expr::col((city::Entity, city::Column::Id))
                    .equals((activity_city::Entity, activity_city::Column::CityId)),
            )
            .left_join(
                country::Entity,
                Expr::col((country::Entity, country::Column::Code))
                    .equals((city::Entity, city::Column::CountryCode)),
            )
            .and_where(activity_city::Column::ActivityId.in_subquery(self.0.activity_ids()))
            .and_where(Expr::col((city::Entity, city::Column::CountryCode)).is_not_null())
            .add_group_by([
                Expr::col((city::Entity, city::Column::CountryCode)),
                Expr::col((country::Entity, country::Column::Name)),
            ])
            .to_owned();
        buckets(&self.0.db, stmt).await
    }
    /// By the year of the activity's first day.
    async fn by_year(&self) -> ApiResult<Vec<Bucket>> {
        let col = Expr::col((activity::Entity, activity::Column::DateStart));
        let stmt = Query::select()
            .expr_as(col.clone(), Alias::new("k"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(activity::Entity)
            .and_where(activity::Column::Id.in_subquery(self.0.activity_ids()))
            .add_group_by([col])
            .to_owned();
        by_year(&self.0.db, stmt).await
    }
    /// By kind of activity.
    async fn by_kind(&self) -> ApiResult<Vec<Bucket>> {
        let col = Expr::col((activity::Entity, activity::Column::Kind));
        let stmt = Query::select()
            .expr_as(col.clone(), Alias::new("k"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(activity::Entity)
            .and_where(activity::Column::Id.in_subquery(self.0.activity_ids()))
            .add_group_by([col])
            .to_owned();
        buckets(&self.0.db, stmt).await
    }
}

/// Counts of the MoUs the selected plans list.
pub struct MouStats<'a>(&'a Stats);

#[Object]
impl MouStats<'_> {
    /// Number of MoUs.
    async fn total(&self) -> ApiResult<i64> {
        total(
            &self.0.db,
            mou::Entity,
            Condition::all().add(mou::Column::Id.in_subquery(self.0.mou_ids())),
        )
        .await
    }
    /// By status.
    async fn by_status(&self) -> ApiResult<Vec<Bucket>> {
        let col = Expr::col((mou::Entity, mou::Column::Status));
        let stmt = Query::select()
            .expr_as(col.clone(), Alias::new("k"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(mou::Entity)
            .and_where(mou::Column::Id.in_subquery(self.0.mou_ids()))
            .add_group_by([col])
            .to_owned();
        buckets(&self.0.db, stmt).await
    }
    /// By the year of signature (signed MoUs only).
    async fn by_year(&self) -> ApiResult<Vec<Bucket>> {
        let col = Expr::col((mou::Entity, mou::Column::SignedOn));
        let stmt = Query::select()
            .expr_as(col.clone(), Alias::new("k"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(mou::Entity)
            .and_where(mou::Column::Id.in_subquery(self.0.mou_ids()))
            .add_group_by([col])
            .to_owned();
        by_year(&self.0.db, stmt).await
    }
    /// By the country of the parties' cities (an MoU between two countries counts in both).
    async fn by_country(&self) -> ApiResult<Vec<Bucket>> {
        let stmt = Query::select()
            .expr_as(
                Expr::col((city::Entity, city::Column::CountryCode)),
                Alias::new("k"),
            )
            .expr_as(
                Expr::col((country::Entity, country::Column::Name)),
                Alias::new("l"),
            )
            .expr_as(
                count_distinct((mou_party::Entity, mou_party::Column::MouId)),
                Alias::new("n"),
            )
            .from(mou_party::Entity)
            .inner_join(
                city::Entity,
                Expr::col((city::Entity, city::Column::Id))
                    .equals((mou_party::Entity, mou_party::Column::CityId)),
            )
            .left_join(
                country::Entity,
                Expr::col((country::Entity, country::Column::Code))
                    .equals((city::Entity, city::Column::CountryCode)),
            )
            .and_where(mou_party::Column::MouId.in_subquery(self.0.mou_ids()))
            .and_where(Expr::col((city::Entity, city::Column::CountryCode)).is_not_null())
            .add_group_by([
                Expr::col((city::Entity, city::Column::CountryCode)),
                Expr::col((country::Entity, country::Column::Name)),
            ])
            .to_owned();
        buckets(&self.0.db, stmt).await
    }
}

#[Object]
impl Stats {
    /// Counts of the selected plans.
    async fn plans(&self) -> PlanStats<'_> {
        PlanStats(self)
    }
    /// Counts of the activities the selected plans list.
    async fn activities(&self) -> ActivityStats<'_> {
        ActivityStats(self)
    }
    /// Counts of the MoUs the selected plans list.
    async fn mous(&self) -> MouStats<'_> {
        MouStats(self)
    }
}

#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// Counts for dashboards over the plans matching `filter` (all plans without one).
    async fn stats(&self, ctx: &Context<'_>, filter: Option<PlanFilter>) -> ApiResult<Stats> {
        let cond = match &filter {
            Some(f) => condition(f)?,
            None => Condition::all(),
        };
        Ok(Stats {
            db: db(ctx)?.clone(),
            plans: ids_where::<plan::Entity>(plan::Column::Id, cond),
        })
    }
}
