//! The client's side of a page: `first`/`after`/`last`/`before` checked into a [`Window`], and the
//! opaque cursors (base64url JSON naming their ordering and their row's sort-key values). Apart from
//! the connections because these are what arrives in a request, before any query is built.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::{DEFAULT_PAGE, MAX_PAGE};
use crate::error::{ApiError, ApiResult};

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
