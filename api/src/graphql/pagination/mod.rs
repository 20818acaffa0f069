//! Relay connections for every list that can grow: keyset cursors over the sort keys of the chosen
//! order (page 500 costs what page 1 costs), `first`/`last` capped, `totalCount` computed only when
//! asked for, and nested connections cut per parent in SQL (`ROW_NUMBER() OVER (PARTITION BY …)`).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Object, OutputType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, Order, OverStatement, Query, WindowStatement,
};
use sea_orm::{
    ColumnTrait, ColumnType, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    ModelTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Value,
};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};

/// The largest page a client may ask for.
pub const MAX_PAGE: i32 = 100;
/// The page size when the client names none.
pub const DEFAULT_PAGE: i32 = 20;

/// A connection with `totalCount`.
pub type Conn<N> = Connection<String, N, TotalCount>;

type CountFuture = Pin<Box<dyn Future<Output = ApiResult<u64>> + Send>>;

/// `totalCount` of a connection, resolved lazily so a page that doesn't ask never pays for a COUNT.
pub struct TotalCount {
    count: Arc<dyn Fn() -> CountFuture + Send + Sync>,
}

impl TotalCount {
    /// Counts the rows of `select`.
    pub fn of<E>(db: &DatabaseConnection, select: Select<E>) -> Self
    where
        E: EntityTrait,
        E::Model: Sync,
    {
        let db = db.clone();
        Self::lazy(move || {
            let db = db.clone();
            let select = select.clone();
            Box::pin(async move { Ok(select.count(&db).await?) })
        })
    }

    /// A count computed by `f` when asked for (nested connections count through a loader).
    pub fn lazy(f: impl Fn() -> CountFuture + Send + Sync + 'static) -> Self {
        Self { count: Arc::new(f) }
    }

    pub fn fixed(n: u64) -> Self {
        Self::lazy(move || Box::pin(async move { Ok(n) }))
    }
}

/// `totalCount` of a connection, resolved lazily so a page that doesn't ask never pays for a COUNT.
#[Object]
impl TotalCount {
    /// Number of records matching the filter, across all pages.
    async fn total_count(&self) -> ApiResult<u64> {
        (self.count)().await
    }
}

/// `first`/`after`/`last`/`before` as sent by the client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// One value of a cursor's sort key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CursorValue {
    Int(i64),
    Text(String),
}

/// What a cursor holds: the order it was made for and the sort-key values of its row.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct CursorData {
    o: String,
    k: Vec<CursorValue>,
}

/// The checked form of `PageArgs`: a direction, a size and keyset bounds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Window {
    pub size: u64,
    pub backward: bool,
    pub after: Option<Vec<CursorValue>>,
    pub before: Option<Vec<CursorValue>>,
}

impl PageArgs {
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Self {
            first,
            after,
            last,
            before,
        }
    }

    /// Checks sizes and decodes cursors made for `order` (a cursor of another order is refused).
    pub fn window(&self, order: &str) -> ApiResult<Window> {
        let check = |field: &str, n: i32| {
            if !(0..=MAX_PAGE).contains(&n) {
                Err(ApiError::invalid(
                    field,
                    format!("must be between 0 and {MAX_PAGE}"),
                ))
            } else {
                Ok(n as u64)
            }
        };
        let (size, backward) = match (self.first, self.last) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid(
                    "last",
                    "give either first or last, not both",
                ));
            }
            (Some(n), None) => (check("first", n)?, false),
            (None, Some(n)) => (check("last", n)?, true),
            (None, None) => (DEFAULT_PAGE as u64, false),
        };
        let decode = |c: &String, field| decode_cursor(c, order, field);
        Ok(Window {
            size,
            backward,
            after: self
                .after
                .as_ref()
                .map(|c| decode(c, "after"))
                .transpose()?,
            before: self
                .before
                .as_ref()
                .map(|c| decode(c, "before"))
                .transpose()?,
        })
    }
}

/// An opaque cursor for the row with sort-key `keys` under ordering `order`.
pub fn encode_cursor(order: &str, keys: Vec<CursorValue>) -> String {
    let data = CursorData {
        o: order.to_owned(),
        k: keys,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&data).unwrap_or_default())
}

fn decode_cursor(cursor: &str, order: &str, field: &str) -> ApiResult<Vec<CursorValue>> {
    let data: CursorData = URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| ApiError::invalid(field, "not a valid cursor"))?;
    if data.o != order {
        return Err(ApiError::invalid(
            field,
            "the cursor belongs to another ordering",
        ));
    }
    Ok(data.k)
}

/// One sort key of an ordering: a column and, for nullable columns, the value NULL sorts as.
/// The sentinel is a literal written into the SQL (not a bound parameter) so that the same
/// `COALESCE(…)` expression can be served by an expression index.
pub struct SortKey<C> {
    pub column: C,
    pub null_as: Option<&'static str>,
}

impl<C> SortKey<C> {
    pub fn col(column: C) -> Self {
        Self {
            column,
            null_as: None,
        }
    }

    /// `null_as` must be a plain literal (digits, dashes, or empty): it is inlined into SQL.
    pub fn nullable(column: C, null_as: &'static str) -> Self {
        debug_assert!(null_as.chars().all(|c| c.is_ascii_digit() || c == '-'));
        Self {
            column,
            null_as: Some(null_as),
        }
    }
}

/// An ordering of `E` usable for keyset pagination; its last key must be unique (the id).
pub trait SortOrder<E: EntityTrait>: Copy + Send + Sync + Eq + Hash + 'static {
    /// Stable name, written into cursors.
    fn name(self) -> &'static str;
    fn keys(self) -> Vec<SortKey<E::Column>>;
    fn descending(self) -> bool;
}

/// Order by primary key, ascending: the default of plain lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ById;

/// `SortOrder` by the integer `id` column, for any entity that has one.
pub trait HasIdColumn: EntityTrait {
    fn id_column() -> Self::Column;
}

impl<E: HasIdColumn> SortOrder<E> for ById {
    fn name(self) -> &'static str {
        "id"
    }
    fn keys(self) -> Vec<SortKey<E::Column>> {
        vec![SortKey::col(E::id_column())]
    }
    fn descending(self) -> bool {
        false
    }
}

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
fn window_sql<E: EntityTrait, O: SortOrder<E>>(
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

fn cursor_of<E: EntityTrait, O: SortOrder<E>>(order: O, row: &E::Model) -> String {
    let keys = order
        .keys()
        .iter()
        .map(|k| from_value(row.get(k.column), k.null_as))
        .collect();
    encode_cursor(order.name(), keys)
}

/// Turns fetched rows (size + 1 at most, in fetch order) into a connection.
fn assemble<E, O, N>(
    order: O,
    window: &Window,
    mut rows: Vec<E::Model>,
    total: TotalCount,
    node: impl Fn(E::Model) -> N,
) -> Conn<N>
where
    E: EntityTrait,
    O: SortOrder<E>,
    N: OutputType,
{
    let has_more = rows.len() as u64 > window.size;
    rows.truncate(window.size as usize);
    if window.backward {
        rows.reverse();
    }
    let (has_previous, has_next) = if window.backward {
        (has_more, window.before.is_some())
    } else {
        (window.after.is_some(), has_more)
    };
    let mut conn = Connection::with_additional_fields(has_previous, has_next, total);
    conn.edges.extend(
        rows.into_iter()
            .map(|row| Edge::new(cursor_of::<E, O>(order, &row), node(row))),
    );
    conn
}

/// One page of `select` in `order`.
pub async fn paginate<E, O, N>(
    db: &DatabaseConnection,
    select: Select<E>,
    order: O,
    args: &PageArgs,
    node: impl Fn(E::Model) -> N,
) -> ApiResult<Conn<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    O: SortOrder<E>,
    N: OutputType,
{
    let window = args.window(order.name())?;
    let total = TotalCount::of(db, select.clone());
    let (cond, sort) = window_sql::<E, O>(order, &window)?;
    let mut page = select.filter(cond);
    for (expr, dir) in sort {
        page = page.order_by(expr, dir);
    }
    let rows = page.limit(window.size + 1).all(db).await?;
    Ok(assemble::<E, O, N>(order, &window, rows, total, node))
}

/// Pages of children for many parents in one statement: `base` selects the children joined so
/// that `parent` (a qualified column) names each row's parent.
pub async fn nested_pages<E, O>(
    db: &DatabaseConnection,
    base: Select<E>,
    parent: Expr,
    parents: &[i64],
    order: O,
    window: &Window,
) -> ApiResult<HashMap<i64, Vec<E::Model>>>
where
    E: EntityTrait,
    O: SortOrder<E>,
{
    let (cond, sort) = window_sql::<E, O>(order, window)?;
    let mut inner = base
        .filter(parent.clone().is_in(parents.iter().copied()))
        .filter(cond)
        .into_query();
    let mut over = WindowStatement::new();
    over.add_partition_by(parent.clone());
    for (expr, dir) in sort {
        over.order_by_expr(expr, dir);
    }
    inner
        .expr_as(parent, Alias::new("ucap_parent"))
        .expr_window_as(Func::cust("ROW_NUMBER"), over, Alias::new("ucap_rn"));
    let outer = Query::select()
        .column(Asterisk)
        .from_subquery(inner, Alias::new("ucap_page"))
        .and_where(Expr::col(Alias::new("ucap_rn")).lte(window.size as i64 + 1))
        .order_by(Alias::new("ucap_parent"), Order::Asc)
        .order_by(Alias::new("ucap_rn"), Order::Asc)
        .to_owned();
    let mut pages: HashMap<i64, Vec<E::Model>> = HashMap::new();
    for row in db.query_all(&outer).await? {
        let parent: i64 = row.try_get("", "ucap_parent")?;
        pages
            .entry(parent)
            .or_default()
            .push(E::Model::from_query_result(&row, "")?);
    }
    Ok(pages)
}

/// A page of a nested connection from rows fetched by `nested_pages`.
pub fn nested_connection<E, O, N>(
    order: O,
    window: &Window,
    rows: Vec<E::Model>,
    total: TotalCount,
    node: impl Fn(E::Model) -> N,
) -> Conn<N>
where
    E: EntityTrait,
    O: SortOrder<E>,
    N: OutputType,
{
    assemble::<E, O, N>(order, window, rows, total, node)
}

/// An already ordered, bounded list as a connection; cursors are positions in that order.
pub fn from_vec<N: OutputType>(items: Vec<N>, args: &PageArgs) -> ApiResult<Conn<N>> {
    let window = args.window("position")?;
    let position = |c: &Option<Vec<CursorValue>>| match c.as_deref() {
        Some([CursorValue::Int(i)]) => Ok(Some(*i)),
        None => Ok(None),
        Some(_) => Err(ApiError::invalid("after", "not a valid cursor")),
    };
    let (after, before) = (position(&window.after)?, position(&window.before)?);
    let total = items.len() as u64;
    let mut rows: Vec<(i64, N)> = items
        .into_iter()
        .enumerate()
        .map(|(i, n)| (i as i64, n))
        .filter(|(i, _)| after.is_none_or(|a| *i > a) && before.is_none_or(|b| *i < b))
        .collect();
    let len = rows.len() as u64;
    let (has_previous, has_next) = if window.backward {
        let skip = len.saturating_sub(window.size) as usize;
        rows.drain(..skip);
        (skip > 0, before.is_some())
    } else {
        rows.truncate(window.size as usize);
        (after.is_some(), len > window.size)
    };
    let mut conn =
        Connection::with_additional_fields(has_previous, has_next, TotalCount::fixed(total));
    conn.edges.extend(
        rows.into_iter()
            .map(|(i, n)| Edge::new(encode_cursor("position", vec![CursorValue::Int(i)]), n)),
    );
    Ok(conn)
}

/// Entities with an integer `id` primary key.
macro_rules! has_id {
    ($($entity:ident),* $(,)?) => {
        $(impl HasIdColumn for entity::$entity::Entity {
            fn id_column() -> Self::Column {
                entity::$entity::Column::Id
            }
        })*
    };
}

has_id!(
    plan,
    city,
    organization,
    activity,
    mou,
    theme,
    expected_result,
    data_issue,
    access_token,
    audit_event,
    change_event,
    persisted_operation
);

#[cfg(test)]
mod tests;
