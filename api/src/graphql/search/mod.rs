//! Full-text search over plans, themes, activities, MoUs, organizations and cities: one ranked
//! connection of hits, each with its record and the matched snippet. The index is kept by the
//! database (see the `create_search_index` migration); this module turns text into terms, asks for a
//! page of the ranking and loads the records, one query per kind.

mod sql;
mod terms;

use std::collections::HashMap;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, Object, SimpleObject, Union};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::activity::{Activity, ActivityById};
use super::city::{City, CityById};
use super::loader::Loaders;
use super::mou::{Mou, MouById};
use super::organization::{Organization, OrganizationById};
use super::pagination::{Conn, PageArgs, TotalCount};
use super::plan::{Plan, PlanById};
use super::theme::{Theme, ThemeById};
use super::{db, scope};
use crate::auth::Scope;
use crate::auth::policy::Guarded;
use crate::error::{ApiError, ApiResult};
use entity::{activity, mou, plan, theme};
use sea_orm::DbBackend;
use sea_orm::sea_query::{
    Alias, Condition, Expr, ExprTrait as _, PostgresQueryBuilder, Query, SqliteQueryBuilder,
};
use terms::Terms;

/// The kinds of record that `search` finds.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SearchKind {
    /// A plan (by title, slug and its focal city's names).
    Plan,
    /// A cooperation theme (by title and description).
    Theme,
    /// An activity (by title, description and place).
    Activity,
    /// A memorandum of understanding (by subject).
    Mou,
    /// An organization (by name).
    Organization,
    /// A city (by name, native name, region and aliases).
    City,
}

impl SearchKind {
    const ALL: [Self; 6] = [
        Self::Plan,
        Self::Theme,
        Self::Activity,
        Self::Mou,
        Self::Organization,
        Self::City,
    ];

    /// The kind as stored in `search_index.kind`.
    fn stored(self) -> &'static str {
        match self {
            Self::Plan => "PLAN",
            Self::Theme => "THEME",
            Self::Activity => "ACTIVITY",
            Self::Mou => "MOU",
            Self::Organization => "ORGANIZATION",
            Self::City => "CITY",
        }
    }

    fn from_stored(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.stored() == kind)
    }
}

/// A record found by `search`.
#[derive(Union)]
pub enum SearchResult {
    Plan(Plan),
    Theme(Theme),
    Activity(Activity),
    Mou(Mou),
    Organization(Organization),
    City(City),
}

/// One search hit: the record, how well it matched and where.
#[derive(SimpleObject)]
pub struct SearchHit {
    /// What kind of record this is.
    kind: SearchKind,
    /// Relevance; higher is better. Comparable within one search only.
    score: f64,
    /// The matched text with the matches in `[` `]`, at most 200 characters.
    snippet: String,
    /// The record.
    record: SearchResult,
}

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Full-text search over plans, themes, activities, MoUs, organizations and cities, best hits
    /// first. Every word must match the start of a word of the record, ignoring case and accents
    /// ("wurttemberg" finds "Baden-Württemberg"); Chinese, Japanese, Korean or Thai text matches
    /// anywhere ("广州" finds Guangzhou). Punctuation is ignored: there is no query syntax.
    #[graphql(complexity = "crate::graphql::cost::page(first, None, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for: 1 to 200 characters, not blank.")] text: String,
        #[graphql(desc = "Only these kinds of record (all when omitted; none when empty).")]
        kinds: Option<Vec<SearchKind>>,
        #[graphql(desc = "Page size (at most 100, default 20).")] first: Option<i32>,
        #[graphql(desc = "Return the hits after this cursor.")] after: Option<String>,
    ) -> ApiResult<Conn<SearchHit>> {
        let terms = Terms::parse(&text)?;
        // The page size is checked as everywhere; the cursor is a rank (see `cursor`).
        let window = PageArgs::new(first, None, None, None).window(CURSOR_PREFIX)?;
        let offset = match after.as_deref() {
            Some(after) => position(after)?.saturating_add(1),
            None => 0,
        };
        let kinds = kinds.map(|ks| {
            SearchKind::ALL
                .into_iter()
                .filter(|k| ks.contains(k))
                .map(SearchKind::stored)
                .collect::<Vec<_>>()
        });
        if terms.is_empty() || kinds.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Connection::with_additional_fields(
                false,
                false,
                TotalCount::fixed(0),
            ));
        }
        let db = db(ctx)?;
        let mut search = sql::Search {
            terms: &terms,
            kinds,
            readable: readable_hits(scope(ctx)?, db.get_database_backend()),
            limit: window.size,
            offset,
        };
        let rows = sql::page(db, &search).await?;
        let total = match rows.first() {
            Some(row) => row.total,
            None if offset == 0 && window.size > 0 => 0,
            // Past the end (or an empty page): the count comes with any one hit.
            None => {
                (search.limit, search.offset) = (1, 0);
                sql::page(db, &search).await?.first().map_or(0, |r| r.total)
            }
        };
        let total = u64::try_from(total).unwrap_or_default();
        let mut records = load_records(ctx, &rows).await?;
        let mut conn = Connection::with_additional_fields(
            offset > 0,
            offset + (rows.len() as u64) < total,
            TotalCount::fixed(total),
        );
        for (position, row) in (offset..).zip(rows) {
            let Some(kind) = SearchKind::from_stored(&row.kind) else {
                continue;
            };
            // A record deleted since the search ran is left out.
            let Some(record) = records.remove(&(kind, row.record_id)) else {
                continue;
            };
            let snippet = match &row.snippet {
                Some(snippet) => terms::clip(snippet),
                None => terms.mark_runs(&row.title, &row.body),
            };
            conn.edges.push(Edge::new(
                cursor(position),
                SearchHit {
                    kind,
                    score: row.score,
                    snippet,
                    record,
                },
            ));
        }
        Ok(conn)
    }
}

/// Search cursors are positions in the ranking: a ranking by score has no keyset to seek to, and the
/// positions are stable as long as the index does not change between pages.
const CURSOR_PREFIX: &str = "rank";

fn cursor(position: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}:{position}"))
}

fn position(cursor: &str) -> ApiResult<u64> {
    URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.strip_prefix(CURSOR_PREFIX)?
                .strip_prefix(':')?
                .parse::<i64>()
                .ok()
        })
        // A position must also fit the SQL OFFSET, a signed 64-bit integer.
        .and_then(|n| u64::try_from(n).ok().filter(|&n| n < i64::MAX as u64))
        .ok_or_else(|| ApiError::invalid("after", "not a valid cursor"))
}

/// The records of a page, one loader batch (one `IN (…)` query) per kind.
async fn load_records(
    ctx: &Context<'_>,
    rows: &[sql::HitRow],
) -> ApiResult<HashMap<(SearchKind, i64), SearchResult>> {
    let loaders = ctx.data::<Loaders>()?;
    let mut records = HashMap::new();
    macro_rules! load {
        ($kind:ident, $key:ident) => {
            let ids = rows
                .iter()
                .filter(|r| r.kind == SearchKind::$kind.stored())
                .map(|r| $key(r.record_id));
            for (key, model) in loaders.load_many(ids).await? {
                let record = SearchResult::$kind($kind(model));
                records.insert((SearchKind::$kind, key.0), record);
            }
        };
    }
    load!(Plan, PlanById);
    load!(Theme, ThemeById);
    load!(Activity, ActivityById);
    load!(Mou, MouById);
    load!(Organization, OrganizationById);
    load!(City, CityById);
    Ok(records)
}

/// The hits a scope may read, as an SQL condition on `search_index` (empty for admins): the same
/// conditions as every other query path, rendered with their values inlined (ids and fixed codes,
/// never user text). Each is a correlated `EXISTS` on the hit's record, so that only the hits the
/// text matched are checked: `record_id IN (readable ids)` made PostgreSQL collect every readable
/// activity first (0.8 s for a viewer's search on 20 000 activities).
fn readable_hits(scope: &Scope, backend: DbBackend) -> String {
    fn exists<E: Guarded>(id: E::Column, scope: &Scope, backend: DbBackend) -> String {
        let stmt = Query::select()
            .expr(Expr::cust("1"))
            .from(E::default())
            .cond_where(
                Condition::all()
                    .add(
                        Expr::col((E::default(), id))
                            .equals((Alias::new("search_index"), Alias::new("record_id"))),
                    )
                    .add(E::readable(scope)),
            )
            .to_owned();
        match backend {
            DbBackend::Postgres => stmt.to_string(PostgresQueryBuilder),
            _ => stmt.to_string(SqliteQueryBuilder),
        }
    }
    if *scope == Scope::All {
        return String::new();
    }
    format!(
        " AND (kind IN ('ORGANIZATION', 'CITY')
           OR (kind = 'PLAN' AND EXISTS ({}))
           OR (kind = 'THEME' AND EXISTS ({}))
           OR (kind = 'ACTIVITY' AND EXISTS ({}))
           OR (kind = 'MOU' AND EXISTS ({})))",
        exists::<plan::Entity>(plan::Column::Id, scope, backend),
        exists::<theme::Entity>(theme::Column::Id, scope, backend),
        exists::<activity::Entity>(activity::Column::Id, scope, backend),
        exists::<mou::Entity>(mou::Column::Id, scope, backend),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_ranks_and_nothing_else() {
        assert_eq!(position(&cursor(42)).ok(), Some(42));
        let too_far = "rank:18446744073709551615";
        for bad in ["", "rank:", "rank:-1", too_far, "id:3", "cmFuazox"] {
            let encoded = URL_SAFE_NO_PAD.encode(bad);
            assert!(position(&encoded).is_err(), "{bad}");
        }
        assert!(position("not base64!").is_err());
    }

    #[test]
    fn stored_kinds_round_trip() {
        for kind in SearchKind::ALL {
            assert_eq!(SearchKind::from_stored(kind.stored()), Some(kind));
        }
    }
}
