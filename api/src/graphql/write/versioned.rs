//! Optimistic versions: a write names the version it read, and saves or deletes the row only if
//! it is still that version (CONFLICT with the current one otherwise).

use chrono::Utc;
use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityName,
    EntityTrait, IntoActiveModel, QueryFilter,
};

use super::rows::Rows;
use crate::error::{ApiError, ApiResult};

/// Inserts a new row `model` at version 1, created and updated now (the one insert of
/// versioned rows, [`Rows::upsert`]).
pub async fn insert_new<A>(
    txn: &DatabaseTransaction,
    model: A,
) -> ApiResult<<A::Entity as EntityTrait>::Model>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A> + Clone,
{
    let table = A::Entity::default().table_name();
    let row = Rows::new(txn)
        .upsert::<A>(table, None, |new| *new = model)
        .await?;
    Ok(row)
}

/// Saves the changed fields of `model` when the row still has version `expected`, moving it to
/// `expected + 1`, and returns the saved row; `StaleVersion` with the current version when
/// another write came first.
pub async fn save_versioned<A>(
    txn: &DatabaseTransaction,
    mut model: A,
    id: i64,
    expected: i32,
) -> ApiResult<<A::Entity as EntityTrait>::Model>
where
    A: ActiveModelTrait + Send,
{
    let entity = A::Entity::default();
    let version_col = find_column::<A::Entity>("version");
    let updated_col = find_column::<A::Entity>("updated_at");
    model.set(version_col, (expected + 1).into());
    model.set(updated_col, Utc::now().into());
    let result = <A::Entity as EntityTrait>::update_many()
        .set(model)
        .filter(Expr::col((entity, Alias::new("id"))).eq(id))
        .filter(Expr::col((entity, Alias::new("version"))).eq(expected))
        .exec(txn)
        .await?;
    if result.rows_affected == 1 {
        return <A::Entity as EntityTrait>::find()
            .filter(Expr::col((entity, Alias::new("id"))).eq(id))
            .one(txn)
            .await?
            .ok_or(ApiError::NotFound);
    }
    Err(match current_version::<A::Entity>(txn, id).await? {
        Some(current) => ApiError::StaleVersion { current },
        None => ApiError::NotFound,
    })
}

/// Deletes row `id` when it still has version `expected`.
pub async fn delete_versioned<E: EntityTrait>(
    txn: &DatabaseTransaction,
    id: i64,
    expected: i32,
) -> ApiResult<()> {
    let entity = E::default();
    let result = E::delete_many()
        .filter(Expr::col((entity, Alias::new("id"))).eq(id))
        .filter(Expr::col((entity, Alias::new("version"))).eq(expected))
        .exec(txn)
        .await?;
    if result.rows_affected == 1 {
        return Ok(());
    }
    Err(match current_version::<E>(txn, id).await? {
        Some(current) => ApiError::StaleVersion { current },
        None => ApiError::NotFound,
    })
}

/// CONFLICT (with the current version) unless `current` is the version the caller read.
pub fn check_version(current: i32, read: i32) -> ApiResult<()> {
    if current == read {
        Ok(())
    } else {
        Err(ApiError::StaleVersion { current })
    }
}

async fn current_version<E: EntityTrait>(
    txn: &DatabaseTransaction,
    id: i64,
) -> ApiResult<Option<i32>> {
    let entity = E::default();
    let stmt = sea_orm::sea_query::Query::select()
        .column((entity, Alias::new("version")))
        .from(entity)
        .and_where(Expr::col((entity, Alias::new("id"))).eq(id))
        .to_owned();
    let row = txn.query_one(&stmt).await?;
    Ok(row.and_then(|r| r.try_get::<i32>("", "version").ok()))
}

pub(super) fn find_column<E: EntityTrait>(name: &str) -> E::Column {
    use sea_orm::{IdenStatic, Iterable};
    E::Column::iter()
        .find(|c| c.as_str() == name)
        .unwrap_or_else(|| panic!("{} has no column {name}", E::default().as_str()))
}
