//! Merging a duplicate organization into the one it duplicates (admins): its plan participations,
//! tokens, MoU parties, activities, expected results, webhook endpoints and aliases move, and its
//! name becomes an alias that the importer resolves to the kept organization.

use std::collections::HashSet;

use async_graphql::{Context, ID, Object};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use super::Organization;
use super::write::{FIELDS, OrganizationPayload, REFERENCES, org_entry};
use crate::auth::Permission;
use crate::auth::tokens::{Tokens, changes};
use crate::domain::text::name_key;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeKind;
use crate::graphql::write::{Merge, Reference, Write};
use entity::{
    access_token, access_token_organization, mou_party, organization, organization_alias,
    webhook_endpoint,
};

/// What a merge moves besides what keeps an organization from being deleted: what a deleted one
/// would take with it.
const ALSO_MOVED: &[Reference] = &[
    Reference::to(
        &webhook_endpoint::Column::OrganizationId,
        "webhook endpoint",
    ),
    Reference::to(&organization_alias::Column::OrganizationId, "alias"),
];

#[derive(Default)]
pub struct OrganizationMergeMutation;

#[Object]
impl OrganizationMergeMutation {
    /// Merges organization `remove` into `keep` (admins only): everything that referred to
    /// `remove` refers to `keep` (a plan both take part in keeps `keep`'s participation), `remove`
    /// is deleted, and its name becomes an alias of `keep`, so the next import naming it finds
    /// `keep`. MERGE_CONFLICT when both are parties of one MoU; BAD_USER_INPUT when they are one
    /// organization. Audited as ORGANIZATION_MERGED.
    async fn merge_organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization that stays.")] keep: ID,
        #[graphql(desc = "The duplicate, deleted once merged.")] remove: ID,
    ) -> ApiResult<OrganizationPayload> {
        let w = Write::begin(ctx, Permission::Administer).await?;
        let merge = Merge::parse(NodeKind::Organization, &keep, &remove)?;
        let (kept, removed) = merge
            .lock::<organization::Entity>(&w.txn, "organization")
            .await?;
        shared_mous(&w, &merge).await?;
        let tokens = token_ids_of(&w, removed.id).await?;
        let mut moved = merge.move_references(&w.txn, REFERENCES).await?;
        moved.extend(merge.move_references(&w.txn, ALSO_MOVED).await?);
        record_alias(&w, kept.id, &removed.name).await?;
        for jti in &tokens {
            changes::announce(&w.txn, jti).await?;
        }
        let merged = (kept, removed);
        let action = ("ORGANIZATION_MERGED", &moved);
        let updated = merge
            .finish::<organization::Entity>(w, merged, FIELDS, org_entry, action)
            .await?;
        // Their cached records name the removed organization; from now on they are refused here
        // (and on every instance, at the commit) as their claims no longer match the record.
        let cache = ctx.data::<Tokens>()?;
        for jti in &tokens {
            cache.forget(jti).await;
        }
        Ok(OrganizationPayload {
            organization: Organization(updated),
        })
    }
}

/// The `jti` of every token acting for organization `id`.
async fn token_ids_of(w: &Write, id: i64) -> ApiResult<Vec<String>> {
    Ok(access_token::Entity::find()
        .inner_join(access_token_organization::Entity)
        .filter(access_token_organization::Column::OrganizationId.eq(id))
        .select_only()
        .column(access_token::Column::Jti)
        .into_tuple::<String>()
        .all(&w.txn)
        .await?)
}

/// MERGE_CONFLICT when both organizations are parties of one MoU: merged, it would be an MoU of
/// one organization with itself.
async fn shared_mous(w: &Write, merge: &Merge) -> ApiResult<()> {
    let mous = |id: i64| {
        mou_party::Entity::find()
            .select_only()
            .column(mou_party::Column::MouId)
            .filter(mou_party::Column::OrganizationId.eq(id))
            .into_tuple::<i64>()
            .all(&w.txn)
    };
    let kept: HashSet<i64> = mous(merge.keep).await?.into_iter().collect();
    let mut both: Vec<i64> = mous(merge.remove)
        .await?
        .into_iter()
        .filter(|m| kept.contains(m))
        .collect();
    both.sort_unstable();
    both.dedup();
    if both.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = both.iter().map(|m| NodeKind::Mou.id(m).0).collect();
    Err(ApiError::MergeConflict(format!(
        "both organizations are parties of MoU {}",
        ids.join(", ")
    )))
}

/// Records `name` as an alias of organization `id`; an alias of that name another organization
/// had is now this one's (the latest merge says where the name belongs).
async fn record_alias(w: &Write, id: i64, name: &str) -> ApiResult<()> {
    let key = name_key(name);
    organization_alias::Entity::delete_many()
        .filter(organization_alias::Column::NameKey.eq(&key))
        .exec(&w.txn)
        .await?;
    organization_alias::ActiveModel {
        organization_id: Set(id),
        name: Set(name.to_owned()),
        name_key: Set(key),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&w.txn)
    .await?;
    Ok(())
}
