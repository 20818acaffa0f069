//! Activities as a nested connection of a plan, a city or an organization: one statement per
//! request level for all parents (`ROW_NUMBER() OVER (PARTITION BY parent …)`), one for their counts.

use std::collections::HashMap;

use async_graphql::Context;
use async_graphql::dataloader::Loader;
use sea_orm::sea_query::{Alias, DynIden, Expr, ExprTrait, IntoIden, Query};
use sea_orm::{ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait};

use super::{Activity, ActivityOrder};
use crate::auth::Scope;
use crate::auth::policy::{self, Guarded};
use crate::error::{ApiError, ApiResult};
use crate::graphql::loader::{DbLoader, LoadError, Loaders};
use crate::graphql::pagination::{
    Conn, PageArgs, SortOrder, TotalCount, Window, nested_connection, nested_pages,
};
use entity::{activity, activity_city, activity_organization, plan_activity};

/// Whose activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityParent {
    Plan(i64),
    City(i64),
    Organization(i64),
}

impl ActivityParent {
    fn id(self) -> i64 {
        match self {
            Self::Plan(id) | Self::City(id) | Self::Organization(id) => id,
        }
    }

    /// Same kind of parent (so one query serves them all).
    fn family(self) -> u8 {
        match self {
            Self::Plan(_) => 0,
            Self::City(_) => 1,
            Self::Organization(_) => 2,
        }
    }

    /// The parent's link table and its column naming the parent.
    fn link(self) -> (DynIden, (DynIden, DynIden)) {
        fn pair<E: EntityTrait>(e: E, c: E::Column) -> (DynIden, (DynIden, DynIden)) {
            (e.into_iden(), (e.into_iden(), c.into_iden()))
        }
        match self {
            Self::Plan(_) => pair(plan_activity::Entity, plan_activity::Column::PlanId),
            Self::City(_) => pair(activity_city::Entity, activity_city::Column::CityId),
            Self::Organization(_) => pair(
                activity_organization::Entity,
                activity_organization::Column::OrganizationId,
            ),
        }
    }

    /// The activities joined to the parent's link table, and the link column naming the parent.
    fn base(self) -> (sea_orm::Select<activity::Entity>, Expr) {
        let find = activity::Entity::find();
        match self {
            Self::Plan(_) => (
                find.join(JoinType::InnerJoin, activity::Relation::PlanActivity.def()),
                Expr::col((plan_activity::Entity, plan_activity::Column::PlanId)),
            ),
            Self::City(_) => (
                find.join(JoinType::InnerJoin, activity::Relation::ActivityCity.def()),
                Expr::col((activity_city::Entity, activity_city::Column::CityId)),
            ),
            Self::Organization(_) => (
                find.join(
                    JoinType::InnerJoin,
                    activity::Relation::ActivityOrganization.def(),
                ),
                Expr::col((
                    activity_organization::Entity,
                    activity_organization::Column::OrganizationId,
                )),
            ),
        }
    }
}

/// The activities of `parent` the caller reads. A plan parent was itself fetched through the
/// policy, so only the draft rule remains; cities and organizations span plans of any state.
fn readable_under(parent: ActivityParent, scope: &Scope) -> sea_orm::sea_query::Condition {
    match parent {
        ActivityParent::Plan(_) => policy::activity_of_readable_plan(scope),
        _ => activity::Entity::readable(scope),
    }
}

/// Key: one page of a parent's activities.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActivityPage {
    parent: ActivityParent,
    order: ActivityOrder,
    window: Window,
}

impl Loader<ActivityPage> for DbLoader {
    type Value = Vec<activity::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ActivityPage],
    ) -> Result<HashMap<ActivityPage, Self::Value>, Self::Error> {
        let mut groups: HashMap<(u8, ActivityOrder, Window), Vec<&ActivityPage>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.parent.family(), key.order, key.window.clone()))
                .or_default()
                .push(key);
        }
        let mut out = HashMap::new();
        for ((_, order, window), members) in groups {
            let (base, parent) = members[0].parent.base();
            let base = base.filter(readable_under(members[0].parent, &self.scope));
            let ids: Vec<i64> = members.iter().map(|k| k.parent.id()).collect();
            let mut pages = nested_pages(&self.db, base, parent, &ids, order, &window).await?;
            for key in members {
                out.insert(
                    key.clone(),
                    pages.remove(&key.parent.id()).unwrap_or_default(),
                );
            }
        }
        Ok(out)
    }
}

/// Key: how many activities a parent has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActivityCount(pub ActivityParent);

impl Loader<ActivityCount> for DbLoader {
    type Value = u64;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ActivityCount],
    ) -> Result<HashMap<ActivityCount, u64>, Self::Error> {
        let mut out = HashMap::new();
        for family in 0..3u8 {
            let members: Vec<ActivityParent> = keys
                .iter()
                .map(|k| k.0)
                .filter(|p| p.family() == family)
                .collect();
            let Some(first) = members.first() else {
                continue;
            };
            // Admins count the link table alone; other callers only the activities they may read.
            let (link, parent) = first.link();
            let mut stmt = Query::select()
                .expr_as(Expr::col(parent.clone()), Alias::new("parent"))
                .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
                .from(link.clone())
                .and_where(Expr::col(parent.clone()).is_in(members.iter().map(|p| p.id())))
                .group_by_col(parent)
                .to_owned();
            if self.scope != Scope::All {
                stmt.inner_join(
                    activity::Entity,
                    Expr::col((activity::Entity, activity::Column::Id))
                        .equals((link, Alias::new("activity_id"))),
                )
                .cond_where(readable_under(*first, &self.scope));
            }
            let mut rows = Vec::new();
            for row in self.db.query_all(&stmt).await? {
                rows.push((
                    row.try_get::<i64>("", "parent")?,
                    row.try_get::<i64>("", "n")?,
                ));
            }
            let counts: HashMap<i64, i64> = rows.into_iter().collect();
            for p in members {
                out.insert(
                    ActivityCount(p),
                    u64::try_from(counts.get(&p.id()).copied().unwrap_or(0)).unwrap_or(0),
                );
            }
        }
        Ok(out)
    }
}

/// A page of a parent's activities as a connection.
pub async fn activities_of(
    ctx: &Context<'_>,
    parent: ActivityParent,
    args: &PageArgs,
    order: ActivityOrder,
) -> ApiResult<Conn<Activity>> {
    let window = args.window(order.name())?;
    let loaders = ctx.data::<Loaders>()?.clone();
    let key = ActivityPage {
        parent,
        order,
        window: window.clone(),
    };
    let rows = loaders.load_one(key).await?.unwrap_or_default();
    let total = TotalCount::lazy(move || {
        let loaders = loaders.clone();
        Box::pin(async move {
            let n: Option<u64> = loaders.load_one(ActivityCount(parent)).await?;
            n.ok_or(ApiError::NotFound)
        })
    });
    Ok(nested_connection(order, &window, rows, total, Activity))
}
