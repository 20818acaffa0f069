//! The tables exported row by row rather than by plan (cities, organizations, findings of no plan):
//! keyset pages in id order, narrowed by `updatedSince`, shared by the JSON and CSV writers.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use super::Selection;
use crate::auth::policy::Guarded;
use entity::{city, data_issue, organization};

/// Rows of a flat table per page.
pub const ROWS: u64 = 500;

/// The next page of cities after id `after`.
pub async fn cities_after<C: ConnectionTrait>(
    conn: &C,
    after: i64,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<city::Model>, DbErr> {
    let mut query = city::Entity::find()
        .filter(city::Column::Id.gt(after))
        .order_by_asc(city::Column::Id)
        .limit(ROWS);
    if let Some(since) = since {
        query = query.filter(city::Column::UpdatedAt.gte(since));
    }
    query.all(conn).await
}

/// The next page of organizations after id `after`.
pub async fn organizations_after<C: ConnectionTrait>(
    conn: &C,
    after: i64,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<organization::Model>, DbErr> {
    let mut query = organization::Entity::find()
        .filter(organization::Column::Id.gt(after))
        .order_by_asc(organization::Column::Id)
        .limit(ROWS);
    if let Some(since) = since {
        query = query.filter(organization::Column::UpdatedAt.gte(since));
    }
    query.all(conn).await
}

/// Findings of no plan (a city's, say) that the selection reads, in id order.
pub fn unattached_issues(selection: &Selection) -> Select<data_issue::Entity> {
    let mut query = data_issue::Entity::find()
        .filter(data_issue::Column::PlanId.is_null())
        .filter(data_issue::Entity::readable(&selection.scope))
        .order_by_asc(data_issue::Column::Id);
    if let Some(since) = selection.since {
        query = query.filter(data_issue::Column::UpdatedAt.gte(since));
    }
    query
}
