//! The SQL side of keyset pagination: a cursor's values as SQL values of its sort keys and back,
//! and the filter and order that start a page right after (or before) its cursor. Apart from the
//! connection types because it is where a cursor meets the query builder and the two backends.

use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, Order};
use sea_orm::{ColumnTrait, ColumnType, EntityTrait, ModelTrait, Value};

use super::{CursorValue, SortKey, SortOrder, Window, encode_cursor};
use crate::error::{ApiError, ApiResult};

#[derive(Clone, Copy)]
enum KeyKind {
    Int,
    Date,
    Text,
}

fn kind_of<C: ColumnTrait>(c: C) -> KeyKind {
    match c.def().get_column_type() {
        ColumnType::Date => KeyKind::Date,
        ColumnType::BigInteger | ColumnType::Integer | ColumnType::SmallInteger => KeyKind::Int,
        _ => KeyKind::Text,
    }
}

fn to_value(kind: KeyKind, v: &CursorValue, field: &str) -> ApiResult<Value> {
    let bad = || ApiError::invalid(field, "not a valid cursor");
    Ok(match (kind, v) {
        (KeyKind::Int, CursorValue::Int(n)) => Value::BigInt(Some(*n)),
        (KeyKind::Date, CursorValue::Text(s)) => {
            Value::from(s.parse::<chrono::NaiveDate>().map_err(|_| bad())?)
        }
        (KeyKind::Text, CursorValue::Text(s)) => Value::from(s.clone()),
        _ => return Err(bad()),
    })
}

fn from_value(v: Value, null_as: Option<&'static str>) -> CursorValue {
    match v {
        Value::BigInt(Some(n)) => CursorValue::Int(n),
        Value::Int(Some(n)) => CursorValue::Int(i64::from(n)),
        Value::SmallInt(Some(n)) => CursorValue::Int(i64::from(n)),
        Value::String(Some(s)) => CursorValue::Text(s),
        Value::ChronoDate(Some(d)) => CursorValue::Text(d.to_string()),
        other => match null_as {
            Some(n) => CursorValue::Text(n.to_owned()),
            None => CursorValue::Text(format!("{other:?}")),
        },
    }
}

/// The SQL expression of a key: the qualified column, NULLs replaced by the key's sentinel.
fn key_expr<E: EntityTrait>(key: &SortKey<E::Column>) -> ApiResult<Expr> {
    let col = Expr::col((E::default(), key.column));
    Ok(match key.null_as {
        None => col,
        Some(literal) => Func::coalesce([col, Expr::cust(format!("'{literal}'"))]).into(),
    })
}

/// Rows strictly beyond `values` in the direction `greater`: a lexicographic tuple comparison
/// written out as OR/AND, led by a redundant bound on the first key so that both SQLite and
/// PostgreSQL start an index range scan at the cursor instead of filtering from the beginning.
fn beyond<E: EntityTrait>(
    keys: &[SortKey<E::Column>],
    values: &[CursorValue],
    greater: bool,
    field: &str,
) -> ApiResult<Condition> {
    if keys.is_empty() || keys.len() != values.len() {
        return Err(ApiError::invalid(field, "not a valid cursor"));
    }
    let mut any = Condition::any();
    for i in 0..keys.len() {
        let mut all = Condition::all();
        for (key, value) in keys.iter().zip(values).take(i) {
            all = all.add(key_expr::<E>(key)?.eq(to_value(kind_of(key.column), value, field)?));
        }
        let (key, value) = (&keys[i], &values[i]);
        let v = to_value(kind_of(key.column), value, field)?;
        all = all.add(if greater {
            key_expr::<E>(key)?.gt(v)
        } else {
            key_expr::<E>(key)?.lt(v)
        });
        any = any.add(all);
    }
    let (first, v0) = (&keys[0], &values[0]);
    let v0 = to_value(kind_of(first.column), v0, field)?;
    let bound = if greater {
        key_expr::<E>(first)?.gte(v0)
    } else {
        key_expr::<E>(first)?.lte(v0)
    };
    Ok(Condition::all().add(bound).add(any))
}

/// The keyset filter and the SQL order (reversed for `last`) of a window.
pub(super) fn window_sql<E: EntityTrait, O: SortOrder<E>>(
    order: O,
    window: &Window,
) -> ApiResult<(Condition, Vec<(Expr, Order)>)> {
    let keys = order.keys();
    let desc = order.descending();
    let mut cond = Condition::all();
    if let Some(after) = &window.after {
        cond = cond.add(beyond::<E>(&keys, after, !desc, "after")?);
    }
    if let Some(before) = &window.before {
        cond = cond.add(beyond::<E>(&keys, before, desc, "before")?);
    }
    let reverse = desc != window.backward;
    let dir = if reverse { Order::Desc } else { Order::Asc };
    let sort = keys
        .iter()
        .map(|k| Ok((key_expr::<E>(k)?, dir.clone())))
        .collect::<ApiResult<_>>()?;
    Ok((cond, sort))
}

pub(super) fn cursor_of<E: EntityTrait, O: SortOrder<E>>(order: O, row: &E::Model) -> String {
    let keys = order
        .keys()
        .iter()
        .map(|k| from_value(row.get(k.column), k.null_as))
        .collect();
    encode_cursor(order.name(), keys)
}
