//! What writes look up besides the record they change: the plan an input names, the cities it
//! names, and what still refers to a record that is to be deleted.

use async_graphql::ID;
use sea_orm::sea_query::{DynIden, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::Write;
use crate::auth::policy::Guarded;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::{NodeKind, decode_int};
use entity::{city, organization, plan};

/// A plan the caller reads; NOT_FOUND (field `plan`) otherwise.
pub async fn readable_plan(w: &Write, id: i64) -> ApiResult<plan::Model> {
    plan::Entity::find_by_id(id)
        .filter(plan::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or_else(|| ApiError::invalid("plan", "no such plan"))
}

/// A city ID of input `field` that exists.
pub async fn city_id(w: &Write, id: &ID, field: &str) -> ApiResult<i64> {
    let id = decode_int(id, NodeKind::City, field)?;
    city::Entity::find_by_id(id)
        .one(&w.txn)
        .await?
        .map(|c| c.id)
        .ok_or_else(|| ApiError::invalid(field, "no such city"))
}

/// City IDs of input `field`, each existing, without repeats, in order.
pub async fn city_ids(w: &Write, ids: &[ID], field: &str) -> ApiResult<Vec<i64>> {
    if ids.len() > 100 {
        return Err(ApiError::invalid(field, "at most 100 cities"));
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let id = city_id(w, id, field).await?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// Organization IDs of input `field`, each existing, without repeats, in order.
pub async fn organization_ids(w: &Write, ids: &[ID], field: &str) -> ApiResult<Vec<i64>> {
    if ids.len() > 100 {
        return Err(ApiError::invalid(field, "at most 100 organizations"));
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let id = decode_int(id, NodeKind::Organization, field)?;
        organization::Entity::find_by_id(id)
            .one(&w.txn)
            .await?
            .ok_or_else(|| ApiError::invalid(field, "no such organization"))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// The reporting organizations of input `field` (see [`organization_ids`]), ones the caller may
/// name (an editor its own); `None` (not given): the caller's.
pub async fn reporters(w: &Write, ids: Option<&[ID]>, field: &str) -> ApiResult<Vec<i64>> {
    let Some(ids) = ids else {
        return Ok(w.token.organizations.clone());
    };
    let out = organization_ids(w, ids, field).await?;
    w.require_reporters(&out)?;
    Ok(out)
}

/// Fingerprint of an API-created activity or MoU: unique, so two partners' records that happen to
/// share a date, kind and title (or parties and subject) stay two (the importer's fingerprints read
/// date|kind|title, or parties|subject).
pub fn api_fingerprint() -> ApiResult<String> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(anyhow::anyhow!("random: {e}")))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("api:{hex}"))
}

/// A column that refers to a record, and what a row that does is ("plan (focal city)"; the plural
/// comes from the noun before any parenthesis). Deletes count these; merges move them.
pub struct Reference {
    pub column: &'static dyn ColumnName,
    pub what: &'static str,
    /// In a link table, the column that with `column` keys a row (a partner city's plan): a merge
    /// keeps one row per value of it.
    pub per: Option<&'static dyn ColumnName>,
}

impl Reference {
    /// A plain foreign key.
    pub const fn to(column: &'static dyn ColumnName, what: &'static str) -> Self {
        Self {
            column,
            what,
            per: None,
        }
    }

    /// A link table's foreign key, unique `per` row of the other column.
    pub const fn link(
        column: &'static dyn ColumnName,
        per: &'static dyn ColumnName,
        what: &'static str,
    ) -> Self {
        Self {
            column,
            what,
            per: Some(per),
        }
    }
}

/// A column of some table, named for a counting query.
pub trait ColumnName: Sync {
    fn table_and_column(&self) -> (DynIden, DynIden);
}

impl<C: ColumnTrait + Sync> ColumnName for C {
    fn table_and_column(&self) -> (DynIden, DynIden) {
        self.as_column_ref()
    }
}

/// What still refers to record `id` through `references`, as "2 plans (focal city)" phrases, all
/// counted in one statement.
pub async fn references(
    conn: &impl ConnectionTrait,
    id: i64,
    references: &[Reference],
) -> ApiResult<Vec<String>> {
    let mut select = Query::select();
    for (i, reference) in references.iter().enumerate() {
        let (table, column) = reference.column.table_and_column();
        let count = Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from(table.clone())
            .and_where(Expr::col((table, column)).eq(id))
            .to_owned();
        select.expr_as(
            Expr::SubQuery(None, Box::new(count.into())),
            format!("n{i}"),
        );
    }
    let Some(row) = conn.query_one(&select).await? else {
        return Ok(Vec::new());
    };
    let mut uses = Vec::new();
    for (i, Reference { what, .. }) in references.iter().enumerate() {
        let n: i64 = row.try_get("", &format!("n{i}"))?;
        if n > 0 {
            uses.push(format!(
                "{n} {}",
                if n == 1 {
                    what.to_string()
                } else {
                    plural(what)
                }
            ));
        }
    }
    Ok(uses)
}

/// "plan (focal city)" → "plans (focal city)", "MoU party" → "MoU parties".
fn plural(what: &str) -> String {
    let (head, rest) = what.split_at(what.find(" (").unwrap_or(what.len()));
    let noun = match head.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
        _ => format!("{head}s"),
    };
    format!("{noun}{rest}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn plurals_of_what_refers() {
        assert_eq!(super::plural("plan (focal city)"), "plans (focal city)");
        assert_eq!(super::plural("activity (place)"), "activities (place)");
        assert_eq!(super::plural("MoU party"), "MoU parties");
        assert_eq!(super::plural("access token"), "access tokens");
    }
}
