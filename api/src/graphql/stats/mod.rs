//! Dashboard counts: plans, activities and MoUs grouped by country, SDG goal, Urban Agenda
//! partnership, theme, year, kind and status — over the plans a `PlanFilter` selects. Each grouping
//! is one GROUP BY statement, run only when asked for and cached until the data changes.

use std::collections::BTreeMap;

use async_graphql::{Context, Object, SimpleObject};
use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, QueryResult};

mod cache;
mod groups;

pub use cache::StatsCache;

use crate::db::data_version;
use cache::Reading;
use groups::{ActivityStats, MouStats, PlanStats};

use super::filter::{condition, ids_where};
use super::plan::PlanFilter;
use super::{db, scope};
use crate::auth::Scope;
use crate::auth::policy::{self, Guarded};
use crate::error::ApiResult;
use entity::{activity, mou, plan, plan_activity, plan_mou};

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

async fn total(db: &DatabaseConnection, stmt: &SelectStatement) -> ApiResult<i64> {
    Ok(db
        .query_one(stmt)
        .await?
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(0))
}

pub(super) fn count_distinct(col: impl sea_orm::sea_query::IntoColumnRef) -> Expr {
    Func::count_distinct(Expr::col(col)).into()
}

/// `col IN (ids)`, or no restriction at all when every record is selected.
pub(super) fn within(col: Expr, ids: &Option<SelectStatement>) -> Expr {
    match ids {
        Some(ids) => col.in_subquery(ids.clone()),
        None => Expr::cust("TRUE"),
    }
}

/// `SELECT col AS k, COUNT(*) AS n FROM table WHERE table.id IN (ids) GROUP BY col`.
pub(super) fn grouped<E: sea_orm::EntityTrait>(
    col: E::Column,
    id: E::Column,
    ids: Option<SelectStatement>,
) -> SelectStatement {
    let key = Expr::col((E::default(), col));
    Query::select()
        .expr_as(key.clone(), Alias::new("k"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(E::default())
        .and_where(within(Expr::col((E::default(), id)), &ids))
        .add_group_by([key])
        .to_owned()
}

/// Counts over the plans selected by a filter.
pub struct Stats {
    db: DatabaseConnection,
    cache: StatsCache,
    /// The data version the counts are read at (the cache key).
    version: i64,
    /// What the caller may read: no count includes a record it cannot fetch.
    scope: Scope,
    /// The selected (and readable) plans' ids; `None` selects every plan, so no subquery narrows
    /// the counts.
    pub(super) plans: Option<SelectStatement>,
}

impl Stats {
    /// Groups of a statement selecting `k`, optional `l` and `n`; largest groups first.
    pub(super) async fn buckets(&self, stmt: SelectStatement) -> ApiResult<Vec<Bucket>> {
        let answer = self
            .cache
            .get_or_compute(self.version, Reading::Buckets, &stmt, || {
                let (db, stmt) = (self.db.clone(), stmt.clone());
                async move { buckets(&db, stmt).await }
            })
            .await?;
        Ok(answer.to_vec())
    }

    /// Groups by calendar year of a statement selecting a date `k` and `n`.
    pub(super) async fn years(&self, stmt: SelectStatement) -> ApiResult<Vec<Bucket>> {
        let answer = self
            .cache
            .get_or_compute(self.version, Reading::Years, &stmt, || {
                let (db, stmt) = (self.db.clone(), stmt.clone());
                async move { by_year(&db, stmt).await }
            })
            .await?;
        Ok(answer.to_vec())
    }

    /// Number of rows of `table` matching `cond`.
    pub(super) async fn total(
        &self,
        table: impl sea_orm::sea_query::IntoTableRef,
        cond: Condition,
    ) -> ApiResult<i64> {
        let stmt = Query::select()
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(table)
            .cond_where(cond)
            .to_owned();
        let answer = self
            .cache
            .get_or_compute(self.version, Reading::Total, &stmt, || {
                let (db, stmt) = (self.db.clone(), stmt.clone());
                async move {
                    let n = total(&db, &stmt).await?;
                    Ok(vec![Bucket {
                        key: String::new(),
                        label: None,
                        count: n,
                    }])
                }
            })
            .await?;
        Ok(answer.first().map_or(0, |b| b.count))
    }

    /// Ids of the readable activities the selected plans list; `None` when nothing narrows them.
    pub(super) fn activity_ids(&self) -> Option<SelectStatement> {
        let plans = self.plans.as_ref()?;
        let listed = ids_where::<plan_activity::Entity>(
            plan_activity::Column::ActivityId,
            Condition::all().add(plan_activity::Column::PlanId.in_subquery(plans.clone())),
        );
        Some(ids_where::<activity::Entity>(
            activity::Column::Id,
            Condition::all()
                .add(activity::Column::Id.in_subquery(listed))
                .add(policy::activity_of_readable_plan(&self.scope)),
        ))
    }

    /// Ids of the readable MoUs the selected plans list; `None` when nothing narrows them.
    pub(super) fn mou_ids(&self) -> Option<SelectStatement> {
        let plans = self.plans.as_ref()?;
        let listed = ids_where::<plan_mou::Entity>(
            plan_mou::Column::MouId,
            Condition::all().add(plan_mou::Column::PlanId.in_subquery(plans.clone())),
        );
        Some(ids_where::<mou::Entity>(
            mou::Column::Id,
            Condition::all()
                .add(mou::Column::Id.in_subquery(listed))
                .add(policy::mou_of_readable_plan(&self.scope)),
        ))
    }
}

/// Counts over the plans selected by a filter.
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
        let scope = scope(ctx)?.clone();
        let mut cond = Condition::all().add(plan::Entity::readable(&scope));
        if let Some(f) = &filter {
            cond = cond.add(condition(f)?);
        }
        let db = db(ctx)?.clone();
        let narrowed = filter.is_some() || scope != Scope::All;
        Ok(Stats {
            version: data_version(&db).await?,
            cache: ctx.data::<StatsCache>()?.clone(),
            db,
            plans: narrowed.then(|| ids_where::<plan::Entity>(plan::Column::Id, cond)),
            scope,
        })
    }
}
