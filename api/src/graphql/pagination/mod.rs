//! Relay connections for every list that can grow: keyset cursors over the sort keys of the chosen
//! order (page 500 costs what page 1 costs), `first`/`last` capped, `totalCount` computed only when
//! asked for, and nested connections cut per parent in SQL (`ROW_NUMBER() OVER (PARTITION BY …)`).
//!
//! `cursor` reads the page arguments and cursors of a request; `keyset` turns them into SQL filters
//! and orders, and rows back into cursors.

mod cursor;
mod keyset;

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Object, OutputType};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, Order, OverStatement, Query, WindowStatement,
};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select,
};

use crate::error::{ApiError, ApiResult};
pub use cursor::{CursorValue, PageArgs, Window, encode_cursor};
use keyset::{cursor_of, window_sql};

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
    persisted_operation,
    webhook_endpoint,
    webhook_delivery
);

#[cfg(test)]
mod tests;
