//! Plans related to a batch's plans: the other plans that list one of the same activities or MoUs
//! (a mission two cities took part in, an MoU both signed). Only plans the caller reads count, so
//! that an anonymous export never names a draft plan.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::bundle::lists::fixed_lists;
use crate::auth::policy::{Guarded, Scope};
use entity::plan;

/// One kind of shared record: which records each plan lists (`(plan, record)` pairs) and which
/// plans list each record the caller reads (records it may not read are absent).
pub struct Shared<'a> {
    pub listed: &'a [(i64, i64)],
    pub listed_by: &'a HashMap<i64, Vec<i64>>,
}

/// Plan id → the slugs of the other readable plans sharing a record with it, sorted by plan id.
pub async fn related_plans<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    shared: &[Shared<'_>],
) -> Result<HashMap<i64, Vec<String>>, DbErr> {
    let mut others: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for kind in shared {
        for &(plan_id, record) in kind.listed {
            for &other in kind.listed_by.get(&record).into_iter().flatten() {
                if other != plan_id {
                    others.entry(plan_id).or_default().insert(other);
                }
            }
        }
    }
    let wanted: BTreeSet<i64> = others.values().flatten().copied().collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let mut slugs: HashMap<i64, String> = HashMap::new();
    for list in fixed_lists(wanted) {
        let found = plan::Entity::find()
            .select_only()
            .column(plan::Column::Id)
            .column(plan::Column::Slug)
            .filter(plan::Column::Id.is_in(list))
            .filter(plan::Entity::readable(scope))
            .into_tuple::<(i64, String)>()
            .all(conn)
            .await?;
        slugs.extend(found);
    }
    Ok(others
        .into_iter()
        .map(|(plan_id, ids)| {
            let readable = ids.iter().filter_map(|id| slugs.get(id).cloned()).collect();
            (plan_id, readable)
        })
        .collect())
}
