//! A token's allow-list of persisted operations as written by issuing, rotating and
//! `setTokenOperations`: the hashes an admin names resolve to registered operations under a shared
//! row lock held until commit, so that none of them is removed before the list names it (removal
//! takes the row's update lock first). A token without rows runs any document.

use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QuerySelect, Set,
};

use crate::error::{ApiError, ApiResult};
use entity::{access_token_persisted_operation, persisted_operation};

/// Makes `hashes` (sha256, either case; empty: no restriction) token `token_id`'s allow-list,
/// replacing any earlier one; returns them sorted, lower-case. An unknown hash is refused
/// (input field `operations`).
pub async fn replace(
    txn: &DatabaseTransaction,
    token_id: i64,
    hashes: &[String],
) -> ApiResult<Vec<String>> {
    let mut hashes: Vec<String> = hashes.iter().map(|h| h.to_ascii_lowercase()).collect();
    hashes.sort_unstable();
    hashes.dedup();
    access_token_persisted_operation::Entity::delete_many()
        .filter(access_token_persisted_operation::Column::TokenId.eq(token_id))
        .exec(txn)
        .await?;
    if hashes.is_empty() {
        return Ok(hashes);
    }
    let found = persisted_operation::Entity::find()
        .filter(persisted_operation::Column::Sha256.is_in(hashes.clone()))
        .lock(LockType::Share)
        .all(txn)
        .await?;
    if let Some(unknown) = hashes
        .iter()
        .find(|h| !found.iter().any(|o| &o.sha256 == *h))
    {
        return Err(ApiError::invalid(
            "operations",
            format!("no persisted operation has sha256 {unknown}"),
        ));
    }
    for operation in &found {
        access_token_persisted_operation::ActiveModel {
            token_id: Set(token_id),
            operation_id: Set(operation.id),
        }
        .insert(txn)
        .await?;
    }
    Ok(hashes)
}

/// The sorted hashes of token `token_id`'s allow-list (empty: it runs any document).
pub async fn hashes(
    db: &impl ConnectionTrait,
    token_id: i64,
) -> Result<Vec<String>, sea_orm::DbErr> {
    let mut hashes: Vec<String> = persisted_operation::Entity::find()
        .inner_join(access_token_persisted_operation::Entity)
        .filter(access_token_persisted_operation::Column::TokenId.eq(token_id))
        .select_only()
        .column(persisted_operation::Column::Sha256)
        .into_tuple()
        .all(db)
        .await?;
    hashes.sort_unstable();
    Ok(hashes)
}
