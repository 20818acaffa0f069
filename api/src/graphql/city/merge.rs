//! Merging a duplicate city into the one it duplicates (admins): plans (focal and partner),
//! organizations, activities, expected results, MoU parties and other names move, and its name
//! becomes another name of the kept city (`city_name`, ALIAS) that the importer resolves to it.

use std::collections::HashSet;

use async_graphql::{Context, ID, Object};
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use super::City;
use super::write::{CityPayload, FIELDS, REFERENCES, entry};
use crate::auth::Permission;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeKind;
use crate::graphql::position::{List, lock_plan};
use crate::graphql::write::{Merge, Reference, Write};
use entity::enums::CityNameKind;
use entity::{city, city_name, mou_party, plan, plan_partner_city};

/// What a merge moves besides what keeps a city from being deleted: its other names (one row per
/// name).
const ALSO_MOVED: &[Reference] = &[Reference::link(
    &city_name::Column::CityId,
    &city_name::Column::Name,
    "other name",
)];

#[derive(Default)]
pub struct CityMergeMutation;

#[Object]
impl CityMergeMutation {
    /// Merges city `remove` into `keep` (admins only): everything that referred to `remove` refers
    /// to `keep` (a link both have, such as an activity both take part in, stays one), `remove` is
    /// deleted, and its name becomes another name of `keep`, so the next import naming it finds
    /// `keep`. MERGE_CONFLICT when they are in different countries, both are parties of one MoU,
    /// or a plan has one as its focal city and the other as a partner; BAD_USER_INPUT when they
    /// are one city. Audited as CITY_MERGED.
    async fn merge_cities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city that stays.")] keep: ID,
        #[graphql(desc = "The duplicate, deleted once merged.")] remove: ID,
    ) -> ApiResult<CityPayload> {
        let w = Write::begin(ctx, Permission::Administer).await?;
        let merge = Merge::parse(NodeKind::City, &keep, &remove)?;
        let (kept, removed) = merge.lock::<city::Entity>(&w.txn, "city").await?;
        conflicts(&w, &merge, &kept, &removed).await?;
        let gaps = shared_partner_lists(&w, &merge).await?;
        let mut moved = merge.move_references(&w.txn, REFERENCES).await?;
        moved.extend(merge.move_references(&w.txn, ALSO_MOVED).await?);
        for (plan, at) in gaps {
            let list = Condition::all().add(plan_partner_city::Column::PlanId.eq(plan));
            List::<plan_partner_city::Entity>::new(list, plan_partner_city::Column::Position)
                .close(&w.txn, at)
                .await?;
        }
        record_alias(&w, kept.id, &removed.name).await?;
        let merged = (kept, removed);
        let updated = merge
            .finish::<city::Entity>(w, merged, FIELDS, entry, ("CITY_MERGED", &moved))
            .await?;
        Ok(CityPayload {
            city: City(updated),
        })
    }
}

/// MERGE_CONFLICT when the merged city would be inconsistent: in two countries, a party of an MoU
/// with itself, or a partner of its own plan.
async fn conflicts(
    w: &Write,
    merge: &Merge,
    kept: &city::Model,
    removed: &city::Model,
) -> ApiResult<()> {
    if let (Some(a), Some(b)) = (&kept.country_code, &removed.country_code)
        && a != b
    {
        return Err(ApiError::MergeConflict(format!(
            "the cities are in different countries ({a}, {b})"
        )));
    }
    let mous = |id: i64| {
        mou_party::Entity::find()
            .select_only()
            .column(mou_party::Column::MouId)
            .filter(mou_party::Column::CityId.eq(id))
            .into_tuple::<i64>()
            .all(&w.txn)
    };
    let kept_mous: HashSet<i64> = mous(merge.keep).await?.into_iter().collect();
    if let Some(mou) = mous(merge.remove)
        .await?
        .into_iter()
        .find(|m| kept_mous.contains(m))
    {
        return Err(ApiError::MergeConflict(format!(
            "both cities are parties of MoU {}",
            NodeKind::Mou.id(mou).0
        )));
    }
    for (focal, partner) in [(merge.keep, merge.remove), (merge.remove, merge.keep)] {
        let plan = plan_partner_city::Entity::find()
            .inner_join(plan::Entity)
            .filter(plan::Column::FocalCityId.eq(focal))
            .filter(plan_partner_city::Column::CityId.eq(partner))
            .one(&w.txn)
            .await?;
        if let Some(link) = plan {
            return Err(ApiError::MergeConflict(format!(
                "plan {} has one city as its focal city and the other as a partner",
                NodeKind::Plan.id(link.plan_id).0
            )));
        }
    }
    Ok(())
}

/// Plans listing both cities as partners, each locked, and the removed city's position there: its
/// row collapses into the kept city's, and the positions after it close up.
async fn shared_partner_lists(w: &Write, merge: &Merge) -> ApiResult<Vec<(i64, i16)>> {
    let kept: HashSet<i64> = plan_partner_city::Entity::find()
        .filter(plan_partner_city::Column::CityId.eq(merge.keep))
        .all(&w.txn)
        .await?
        .into_iter()
        .map(|l| l.plan_id)
        .collect();
    let plans: Vec<i64> = plan_partner_city::Entity::find()
        .filter(plan_partner_city::Column::CityId.eq(merge.remove))
        .all(&w.txn)
        .await?
        .into_iter()
        .map(|l| l.plan_id)
        .filter(|p| kept.contains(p))
        .collect();
    let mut gaps = Vec::new();
    for plan in plans {
        // Positions are read under the plan's lock, which every write of the list takes.
        lock_plan(&w.txn, plan).await?;
        let link = plan_partner_city::Entity::find_by_id((plan, merge.remove))
            .one(&w.txn)
            .await?;
        if let Some(link) = link {
            gaps.push((plan, link.position));
        }
    }
    Ok(gaps)
}

/// Records `name` as another name (ALIAS) of city `id`, unless it is one already.
async fn record_alias(w: &Write, id: i64, name: &str) -> ApiResult<()> {
    let known = city_name::Entity::find()
        .filter(city_name::Column::CityId.eq(id))
        .filter(city_name::Column::Name.eq(name))
        .one(&w.txn)
        .await?;
    if known.is_none() {
        city_name::ActiveModel {
            city_id: Set(id),
            name: Set(name.to_owned()),
            kind: Set(CityNameKind::Alias),
            ..Default::default()
        }
        .insert(&w.txn)
        .await?;
    }
    Ok(())
}
