//! Ordered lists of a plan's parts (themes, statements of one kind, expected results, partner
//! cities): 1-based positions, unique within their list, kept without gaps by the writes.
//!
//! Shifting a run of positions by one is done in two statements (first to the negated target
//! value, then back), because both engines check a unique index row by row: a plain
//! `position = position + 1` collides with the next row before that row has moved.
//! Siblings that only shift keep their version: their own content did not change, and the entry
//! of the record that moved names the new position.

use sea_orm::sea_query::{Condition, Expr, ExprTrait, LockType};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};

use crate::error::{ApiError, ApiResult};
use entity::plan;

/// Takes plan `plan_id`'s write lock for the rest of the transaction, so that two writers of its
/// lists or links (reading the last position, then inserting after it) run one after the other
/// instead of colliding on a unique index. PostgreSQL only (`FOR NO KEY UPDATE`, which leaves
/// inserts of other records of the plan free); SQLite has one writer at a time anyway.
pub async fn lock_plan(txn: &DatabaseTransaction, plan_id: i64) -> ApiResult<()> {
    plan::Entity::find_by_id(plan_id)
        .lock(LockType::NoKeyUpdate)
        .one(txn)
        .await?;
    Ok(())
}

/// The positions of one list: rows of `E` matching `list`, their position in column `column`.
pub struct List<E: EntityTrait> {
    pub list: Condition,
    pub column: E::Column,
}

impl<E: EntityTrait> List<E> {
    pub fn new(list: Condition, column: E::Column) -> Self {
        Self { list, column }
    }

    /// The highest position of the list (0 when it is empty).
    pub async fn max(&self, txn: &DatabaseTransaction) -> ApiResult<i16> {
        let max: Option<Option<i16>> = E::find()
            .filter(self.list.clone())
            .select_only()
            .column_as(Expr::col(self.column).max(), "max")
            .into_tuple()
            .one(txn)
            .await?;
        Ok(max.flatten().unwrap_or(0))
    }

    /// The position of a new row: `wanted` (1 to max + 1, input `field`) or max + 1; makes room
    /// at it.
    pub async fn insert_at(
        &self,
        txn: &DatabaseTransaction,
        wanted: Option<i32>,
        field: &str,
    ) -> ApiResult<i16> {
        let max = self.max(txn).await?;
        let last = max
            .checked_add(1)
            .ok_or_else(|| ApiError::invalid(field, "the list is full"))?;
        let at = match wanted {
            None => last,
            Some(p) => checked(p, last, field)?,
        };
        self.open(txn, at).await?;
        Ok(at)
    }

    /// Checks `wanted` (1 to max, input `field`) as the new position of a row already in the list.
    pub async fn move_target(
        &self,
        txn: &DatabaseTransaction,
        wanted: i32,
        field: &str,
    ) -> ApiResult<i16> {
        let max = self.max(txn).await?;
        checked(wanted, Ord::max(max, 1), field)
    }

    /// Moves the row matching `row`, now at `from`, to `wanted` (1 to max, input `field`); the
    /// rows in between move by one. The new position, when it is another.
    pub async fn move_row(
        &self,
        txn: &DatabaseTransaction,
        row: Expr,
        from: i16,
        wanted: i32,
        field: &str,
    ) -> ApiResult<Option<i16>> {
        let to = self.move_target(txn, wanted, field).await?;
        if to == from {
            return Ok(None);
        }
        self.park(txn, row).await?;
        self.close(txn, from).await?;
        self.open(txn, to).await?;
        Ok(Some(to))
    }

    /// Takes the row(s) matching `row` out of the list (position 0) while the others shift.
    pub async fn park(&self, txn: &DatabaseTransaction, row: Expr) -> ApiResult<()> {
        E::update_many()
            .col_expr(self.column, Expr::val(0))
            .filter(row)
            .exec(txn)
            .await?;
        Ok(())
    }

    /// Makes room at `at`: every position from `at` on moves up by one.
    pub async fn open(&self, txn: &DatabaseTransaction, at: i16) -> ApiResult<()> {
        self.shift(txn, self.column.gte(at), 1).await
    }

    /// Closes the gap a row left at `at`: every later position moves down by one.
    pub async fn close(&self, txn: &DatabaseTransaction, at: i16) -> ApiResult<()> {
        self.shift(txn, self.column.gt(at), -1).await
    }

    async fn shift(&self, txn: &DatabaseTransaction, rows: Expr, by: i32) -> ApiResult<()> {
        let col = self.column;
        E::update_many()
            .col_expr(col, Expr::col(col).add(by).mul(-1))
            .filter(self.list.clone())
            .filter(rows)
            .exec(txn)
            .await?;
        E::update_many()
            .col_expr(col, Expr::col(col).mul(-1))
            .filter(self.list.clone())
            .filter(col.lt(0))
            .exec(txn)
            .await?;
        Ok(())
    }
}

/// `wanted` as a position from 1 to `last` (input `field`).
pub fn checked(wanted: i32, last: i16, field: &str) -> ApiResult<i16> {
    match i16::try_from(wanted) {
        Ok(p) if (1..=last).contains(&p) => Ok(p),
        _ => Err(ApiError::invalid(
            field,
            format!("must be between 1 and {last}"),
        )),
    }
}
