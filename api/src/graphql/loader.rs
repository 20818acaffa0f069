//! The one DataLoader of the schema. Each domain module implements `Loader<Key>` for it with its own
//! key type, so every relation is one `IN (…)` query per request level, whatever the number of rows.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, ModelTrait, QueryFilter, QueryOrder};

use crate::auth::Scope;
use crate::auth::policy::Guarded;
use crate::error::ApiError;

/// Loads relations for one request; every load keeps to the rows the request's scope may read.
#[derive(Clone)]
pub struct DbLoader {
    pub db: DatabaseConnection,
    pub scope: Scope,
}

/// Shared (`Arc`) so lazily resolved fields such as `totalCount` can hold on to it.
pub type Loaders = Arc<DataLoader<DbLoader>>;

/// DataLoader errors must be `Clone`: the API's error is (its internal cause is shared).
pub type LoadError = ApiError;

/// The loaders of one request (batching across the request's resolvers, never across callers).
pub fn new_loaders(db: DatabaseConnection, scope: Scope) -> Loaders {
    Arc::new(DataLoader::new(DbLoader { db, scope }, tokio::spawn))
}

/// Reads an integer column of a model.
pub fn int_of<M: ModelTrait>(row: &M, col: <M::Entity as EntityTrait>::Column) -> Option<i64> {
    match row.get(col) {
        sea_orm::Value::BigInt(Some(v)) => Some(v),
        sea_orm::Value::Int(Some(v)) => Some(i64::from(v)),
        sea_orm::Value::SmallInt(Some(v)) => Some(i64::from(v)),
        _ => None,
    }
}

/// Rows of `E` whose `fk` is one of `parents`, ordered by `order`, grouped by parent.
pub async fn children<E, K>(
    db: &DatabaseConnection,
    scope: &Scope,
    fk: E::Column,
    order: E::Column,
    parents: &[K],
    parent_id: impl Fn(&K) -> i64,
) -> Result<HashMap<K, Vec<E::Model>>, LoadError>
where
    E: Guarded,
    K: Clone + Eq + Hash,
{
    let ids: Vec<i64> = parents.iter().map(&parent_id).collect();
    let rows = E::find()
        .filter(fk.is_in(ids))
        .filter(E::readable(scope))
        .order_by_asc(order)
        .all(db)
        .await?;
    let mut grouped: HashMap<i64, Vec<E::Model>> = HashMap::new();
    for row in rows {
        if let Some(parent) = int_of(&row, fk) {
            grouped.entry(parent).or_default().push(row);
        }
    }
    Ok(parents
        .iter()
        .map(|k| (k.clone(), grouped.remove(&parent_id(k)).unwrap_or_default()))
        .collect())
}

/// Rows of `E` by primary key `pk`.
pub async fn by_ids<E>(
    db: &DatabaseConnection,
    scope: &Scope,
    pk: E::Column,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, E::Model>, LoadError>
where
    E: Guarded,
{
    // No early return for an empty list: a statement per relation level, whatever the data.
    let ids: Vec<i64> = ids.into_iter().collect();
    let rows = E::find()
        .filter(pk.is_in(ids))
        .filter(E::readable(scope))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| int_of(&r, pk).map(|id| (id, r)))
        .collect())
}

/// Many-to-many through link table `L`: for each parent, the linked `T` rows in link order.
pub async fn linked<L, T, K>(
    db: &DatabaseConnection,
    scope: &Scope,
    (from, to, order): (L::Column, L::Column, L::Column),
    target_pk: T::Column,
    parents: &[K],
    parent_id: impl Fn(&K) -> i64,
) -> Result<HashMap<K, Vec<T::Model>>, LoadError>
where
    L: Guarded,
    T: Guarded,
    T::Model: Clone,
    K: Clone + Eq + Hash,
{
    let links = children::<L, K>(db, scope, from, order, parents, &parent_id).await?;
    let targets = by_ids::<T>(
        db,
        scope,
        target_pk,
        links.values().flatten().filter_map(|l| int_of(l, to)),
    )
    .await?;
    Ok(links
        .into_iter()
        .map(|(k, ls)| {
            let rows = ls
                .iter()
                .filter_map(|l| int_of(l, to).and_then(|id| targets.get(&id).cloned()))
                .collect();
            (k, rows)
        })
        .collect())
}

/// Declares a key type and its `Loader` impl for a one-to-many relation.
macro_rules! has_many {
    ($(#[$m:meta])* $key:ident => $entity:ident, $fk:ident, $order:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl async_graphql::dataloader::Loader<$key> for $crate::graphql::loader::DbLoader {
            type Value = Vec<entity::$entity::Model>;
            type Error = $crate::graphql::loader::LoadError;

            async fn load(
                &self,
                keys: &[$key],
            ) -> Result<std::collections::HashMap<$key, Self::Value>, Self::Error> {
                $crate::graphql::loader::children::<entity::$entity::Entity, $key>(
                    &self.db,
                    &self.scope,
                    entity::$entity::Column::$fk,
                    entity::$entity::Column::$order,
                    keys,
                    |k| k.0,
                )
                .await
            }
        }
    };
}

/// Declares a key type and its `Loader` impl for a many-to-many relation through a link table.
macro_rules! many_to_many {
    ($(#[$m:meta])* $key:ident => $link:ident ($from:ident, $to:ident, $order:ident) => $target:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl async_graphql::dataloader::Loader<$key> for $crate::graphql::loader::DbLoader {
            type Value = Vec<entity::$target::Model>;
            type Error = $crate::graphql::loader::LoadError;

            async fn load(
                &self,
                keys: &[$key],
            ) -> Result<std::collections::HashMap<$key, Self::Value>, Self::Error> {
                $crate::graphql::loader::linked::<entity::$link::Entity, entity::$target::Entity, $key>(
                    &self.db,
                    &self.scope,
                    (
                        entity::$link::Column::$from,
                        entity::$link::Column::$to,
                        entity::$link::Column::$order,
                    ),
                    entity::$target::Column::Id,
                    keys,
                    |k| k.0,
                )
                .await
            }
        }
    };
}

/// Declares a key type and its `Loader` impl for loading records by integer primary key.
macro_rules! by_id {
    ($(#[$m:meta])* $key:ident => $entity:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $key(pub i64);

        impl async_graphql::dataloader::Loader<$key> for $crate::graphql::loader::DbLoader {
            type Value = entity::$entity::Model;
            type Error = $crate::graphql::loader::LoadError;

            async fn load(
                &self,
                keys: &[$key],
            ) -> Result<std::collections::HashMap<$key, Self::Value>, Self::Error> {
                let rows = $crate::graphql::loader::by_ids::<entity::$entity::Entity>(
                    &self.db,
                    &self.scope,
                    entity::$entity::Column::Id,
                    keys.iter().map(|k| k.0),
                )
                .await?;
                Ok(rows.into_iter().map(|(id, row)| ($key(id), row)).collect())
            }
        }
    };
}

pub(crate) use {by_id, has_many, many_to_many};

/// A to-many relation of the current object through the request's loader, wrapped as GraphQL nodes.
pub async fn load_list<K, M, N>(
    ctx: &async_graphql::Context<'_>,
    key: K,
    wrap: impl Fn(M) -> N,
) -> crate::error::ApiResult<Vec<N>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    M: Send + Sync + Clone + 'static,
    DbLoader: async_graphql::dataloader::Loader<K, Value = Vec<M>, Error = ApiError>,
{
    let rows = ctx.data::<Loaders>()?.load_one(key).await?;
    Ok(rows.unwrap_or_default().into_iter().map(wrap).collect())
}
