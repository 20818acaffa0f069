//! Relay connections for every list that can grow: keyset cursors on the primary key (page 500 costs
//! what page 1 costs), `first`/`last` capped, `totalCount` computed only when asked for.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Object, OutputType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::loader::int_of;
use crate::error::{ApiError, ApiResult};

/// The largest page a client may ask for.
pub const MAX_PAGE: i32 = 100;
/// The page size when the client names none.
pub const DEFAULT_PAGE: i32 = 20;

/// A connection with `totalCount`.
pub type Conn<N> = Connection<String, N, TotalCount>;

type CountFuture = Pin<Box<dyn Future<Output = Result<u64, DbErr>> + Send>>;

/// `totalCount` of a connection, resolved lazily so a page that doesn't ask never pays for a COUNT.
pub struct TotalCount {
    count: Arc<dyn Fn() -> CountFuture + Send + Sync>,
}

impl TotalCount {
    pub fn of<E>(db: &DatabaseConnection, select: Select<E>) -> Self
    where
        E: EntityTrait,
        E::Model: Sync,
    {
        let db = db.clone();
        Self {
            count: Arc::new(move || {
                let db = db.clone();
                let select = select.clone();
                Box::pin(async move { select.count(&db).await })
            }),
        }
    }

    pub fn fixed(n: u64) -> Self {
        Self {
            count: Arc::new(move || Box::pin(async move { Ok(n) })),
        }
    }
}

#[Object]
impl TotalCount {
    /// Number of records matching the filter, across all pages.
    async fn total_count(&self) -> ApiResult<u64> {
        Ok((self.count)().await.map_err(ApiError::from)?)
    }
}

/// `first`/`after`/`last`/`before` as sent by the client, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// The checked form: a direction, a size and keyset bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    pub size: u64,
    pub backward: bool,
    pub after: Option<i64>,
    pub before: Option<i64>,
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

    pub fn window(&self) -> ApiResult<Window> {
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
        Ok(Window {
            size,
            backward,
            after: self
                .after
                .as_deref()
                .map(|c| decode_cursor(c, "after"))
                .transpose()?,
            before: self
                .before
                .as_deref()
                .map(|c| decode_cursor(c, "before"))
                .transpose()?,
        })
    }
}

pub fn encode_cursor(key: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("k:{key}"))
}

fn decode_cursor(cursor: &str, field: &str) -> ApiResult<i64> {
    URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("k:").and_then(|k| k.parse().ok()))
        .ok_or_else(|| ApiError::invalid(field, "not a valid cursor"))
}

/// One page of `select`, ordered by its integer primary key `key`.
pub async fn paginate<E, N>(
    db: &DatabaseConnection,
    select: Select<E>,
    key: E::Column,
    args: &PageArgs,
    node: impl Fn(E::Model) -> N,
) -> ApiResult<Conn<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    N: OutputType,
{
    let window = args.window()?;
    let total = TotalCount::of(db, select.clone());
    let mut page = select;
    if let Some(after) = window.after {
        page = page.filter(key.gt(after));
    }
    if let Some(before) = window.before {
        page = page.filter(key.lt(before));
    }
    page = if window.backward {
        page.order_by_desc(key)
    } else {
        page.order_by_asc(key)
    };
    let mut rows = page.limit(window.size + 1).all(db).await?;
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
    conn.edges.extend(rows.into_iter().map(|row| {
        let cursor = encode_cursor(int_of(&row, key).unwrap_or_default());
        Edge::new(cursor, node(row))
    }));
    Ok(conn)
}

/// An already ordered list as a connection; cursors are positions in that order.
pub fn from_vec<N: OutputType>(items: Vec<N>, args: &PageArgs) -> ApiResult<Conn<N>> {
    let window = args.window()?;
    let total = items.len() as u64;
    let mut rows: Vec<(i64, N)> = items
        .into_iter()
        .enumerate()
        .map(|(i, n)| (i as i64, n))
        .filter(|(i, _)| {
            window.after.is_none_or(|a| *i > a) && window.before.is_none_or(|b| *i < b)
        })
        .collect();
    let len = rows.len() as u64;
    let (has_previous, has_next) = if window.backward {
        let skip = len.saturating_sub(window.size) as usize;
        rows.drain(..skip);
        (skip > 0, window.before.is_some())
    } else {
        rows.truncate(window.size as usize);
        (window.after.is_some(), len > window.size)
    };
    let mut conn =
        Connection::with_additional_fields(has_previous, has_next, TotalCount::fixed(total));
    conn.edges.extend(
        rows.into_iter()
            .map(|(i, n)| Edge::new(encode_cursor(i), n)),
    );
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_capped_and_cursors_checked() {
        assert!(PageArgs::new(Some(101), None, None, None).window().is_err());
        assert!(PageArgs::new(Some(-1), None, None, None).window().is_err());
        assert!(
            PageArgs::new(Some(1), None, Some(1), None)
                .window()
                .is_err()
        );
        assert!(
            PageArgs::new(Some(1), Some("nope".into()), None, None)
                .window()
                .is_err()
        );
        let w = PageArgs::new(None, Some(encode_cursor(7)), None, None).window();
        assert_eq!(w.ok().and_then(|w| w.after), Some(7));
    }
}
