//! Merging a duplicate into the record it duplicates (two organizations or cities an import made
//! from two spellings): every reference moves to the kept record, a link row that would repeat one
//! of the kept record's collapses into it, the removed record is deleted, and one audit entry tells
//! the whole of it. Each kind adds its own conflicts and its alias.

use std::collections::BTreeMap;

use async_graphql::ID;
use sea_orm::sea_query::{Expr, ExprTrait, LockType, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Iterable, ModelTrait,
    PrimaryKeyToColumn, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Map, Value, json};

use super::{Diff, Entry, Fields, Operation, Reference, Write, delete_versioned, save_versioned};
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::{NodeKind, decode_int};

/// The two records of a merge, by database id.
#[derive(Clone, Copy)]
pub struct Merge {
    pub kind: NodeKind,
    pub keep: i64,
    pub remove: i64,
}

impl Merge {
    /// The records arguments `keep` and `remove` name; BAD_USER_INPUT when they are one record.
    pub fn parse(kind: NodeKind, keep: &ID, remove: &ID) -> ApiResult<Self> {
        let keep = decode_int(keep, kind, "keep")?;
        let remove = decode_int(remove, kind, "remove")?;
        if keep == remove {
            return Err(ApiError::invalid(
                "remove",
                "is the record to keep: name two different records",
            ));
        }
        Ok(Self { kind, keep, remove })
    }

    /// The two records, locked until the merge ends (PostgreSQL; SQLite has one writer anyway), in
    /// id order so that two merges of the same pair cannot deadlock. While the removed record is
    /// locked, no other write can add a reference to it: that write waits, then finds it gone.
    /// BAD_USER_INPUT naming the argument when one does not exist.
    pub async fn lock<E>(
        &self,
        conn: &impl ConnectionTrait,
        noun: &str,
    ) -> ApiResult<(E::Model, E::Model)>
    where
        E: EntityTrait,
        E::Model: ModelTrait<Entity = E>,
    {
        let id = E::PrimaryKey::iter()
            .next()
            .map(|k| k.into_column())
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no primary key")))?;
        let mut rows = E::find()
            .filter(id.is_in([self.keep, self.remove]))
            .order_by_asc(id)
            .lock(LockType::Update)
            .all(conn)
            .await?;
        let mut take = |key: i64, field: &str| {
            let at = rows
                .iter()
                .position(|r| r.get(id) == key.into())
                .ok_or_else(|| ApiError::invalid(field, format!("no such {noun}")))?;
            Ok::<_, ApiError>(rows.swap_remove(at))
        };
        let keep = take(self.keep, "keep")?;
        let remove = take(self.remove, "remove")?;
        Ok((keep, remove))
    }

    /// Moves every reference of `references` from the removed record to the kept one; returns
    /// the rows moved per kind of reference ("MoU party": 2). A link row of the removed record
    /// that the kept one already has is dropped, and counted: its fact is now the kept record's.
    pub async fn move_references(
        &self,
        conn: &impl ConnectionTrait,
        references: &[Reference],
    ) -> ApiResult<BTreeMap<&'static str, u64>> {
        let mut moved = BTreeMap::new();
        for reference in references {
            let (table, column) = reference.column.table_and_column();
            let mut n = 0;
            if let Some(per) = reference.per {
                let (_, per) = per.table_and_column();
                let kept = Query::select()
                    .column(per.clone())
                    .from(table.clone())
                    .and_where(Expr::col(column.clone()).eq(self.keep))
                    .to_owned();
                let repeated = Query::delete()
                    .from_table(table.clone())
                    .and_where(Expr::col(column.clone()).eq(self.remove))
                    .and_where(Expr::col(per).in_subquery(kept))
                    .to_owned();
                n += conn.execute(&repeated).await?.rows_affected();
            }
            let update = Query::update()
                .table(table)
                .value(column.clone(), self.keep)
                .and_where(Expr::col(column).eq(self.remove))
                .to_owned();
            n += conn.execute(&update).await?.rows_affected();
            if n > 0 {
                *moved.entry(reference.what).or_default() += n;
            }
        }
        Ok(moved)
    }

    /// Ends the merge: deletes `removed`, saves `kept` at a new version, and commits one audit
    /// entry `action` (both records, what `moved`) with the feed entries `entry` makes of them
    /// (the kept one UPDATED, the removed one DELETED). The kept record, as saved.
    pub async fn finish<E>(
        &self,
        w: Write,
        (kept, removed): (E::Model, E::Model),
        fields: &Fields<E::Model>,
        entry: fn(i64, Operation, Diff) -> Entry,
        (action, moved): (&'static str, &BTreeMap<&'static str, u64>),
    ) -> ApiResult<E::Model>
    where
        E: EntityTrait,
        E::Model: IntoActiveModel<E::ActiveModel> + Sync,
        E::ActiveModel: Send,
    {
        let version = |row: &E::Model| super::flow::int::<E, i32>(row, "version");
        delete_versioned::<E>(&w.txn, self.remove, version(&removed)?).await?;
        let active = kept.clone().into_active_model();
        let updated = save_versioned(&w.txn, active, self.keep, version(&kept)?).await?;
        let mut kept_diff = Diff::default();
        kept_diff.record(Some(&kept), Some(&updated), fields);
        let mut removed_diff = Diff::default();
        removed_diff.record(Some(&removed), None, fields);
        let entries = vec![
            entry(self.keep, Operation::Updated, kept_diff),
            entry(self.remove, Operation::Deleted, removed_diff),
        ];
        w.commit_as_one(action, self.detail(moved), entries).await?;
        Ok(updated)
    }

    /// The audit detail of the merge: both records and what moved.
    pub fn detail(&self, moved: &BTreeMap<&'static str, u64>) -> Map<String, Value> {
        let mut detail = Map::new();
        detail.insert("kept".to_owned(), self.kind.audit(self.keep));
        detail.insert("removed".to_owned(), self.kind.audit(self.remove));
        detail.insert("moved".to_owned(), json!(moved));
        detail
    }
}
