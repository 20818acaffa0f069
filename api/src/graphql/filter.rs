//! What every filter input shares: `and`/`or`/`not` around the type's own fields, a depth limit,
//! literal text matching, and subquery helpers for "id IN (SELECT …)" conditions.

use chrono::NaiveDate;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr, Query, SelectStatement};
use sea_orm::{ColumnTrait, EntityTrait};

use crate::error::{ApiError, ApiResult};

/// How deeply `and`/`or`/`not` may nest: enough for any screen, too little for abuse.
pub const MAX_DEPTH: usize = 5;

/// A filter input with boolean structure; `fields` is the condition of its own fields (all hold).
pub trait BoolFilter: Sized {
    fn and(&self) -> Option<&[Self]>;
    fn or(&self) -> Option<&[Self]>;
    fn not(&self) -> Option<&Self>;
    fn fields(&self) -> ApiResult<Condition>;
}

/// The `and`/`or`/`not` accessors of a filter input whose fields carry those names.
macro_rules! bool_structure {
    () => {
        fn and(&self) -> Option<&[Self]> {
            self.and.as_deref()
        }
        fn or(&self) -> Option<&[Self]> {
            self.or.as_deref()
        }
        fn not(&self) -> Option<&Self> {
            self.not.as_deref()
        }
    };
}
pub(crate) use bool_structure;

/// The SQL condition of a filter, recursively.
pub fn condition<F: BoolFilter>(filter: &F) -> ApiResult<Condition> {
    condition_at(filter, 0)
}

fn condition_at<F: BoolFilter>(filter: &F, depth: usize) -> ApiResult<Condition> {
    if depth > MAX_DEPTH {
        return Err(ApiError::invalid(
            "filter",
            format!("nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    let mut cond = filter.fields()?;
    if let Some(all) = filter.and() {
        for sub in all {
            cond = cond.add(condition_at(sub, depth + 1)?);
        }
    }
    if let Some(any) = filter.or() {
        if any.is_empty() {
            return Err(ApiError::invalid(
                "filter.or",
                "must list at least one filter",
            ));
        }
        let mut either = Condition::any();
        for sub in any {
            either = either.add(condition_at(sub, depth + 1)?);
        }
        cond = cond.add(either);
    }
    if let Some(not) = filter.not() {
        cond = cond.add(condition_at(not, depth + 1)?.not());
    }
    Ok(cond)
}

/// Case-insensitive substring match of user text, taken literally (`%`, `_` and `\` escaped).
pub fn contains_text(expr: Expr, text: &str, field: &str) -> ApiResult<Expr> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 200 {
        return Err(ApiError::invalid(field, "must be 1 to 200 characters"));
    }
    if text.contains('\0') {
        return Err(ApiError::invalid(field, "must not contain NUL"));
    }
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Ok(Expr::expr(Func::lower(expr)).like(LikeExpr::new(pattern).escape('\\')))
}

/// User text compared for equality, trimmed. PostgreSQL cannot hold NUL in text (a query with one
/// fails), so it is refused here as bad input on every database.
pub fn exact_text<'a>(text: &'a str, field: &str) -> ApiResult<&'a str> {
    if text.contains('\0') {
        return Err(ApiError::invalid(field, "must not contain NUL"));
    }
    Ok(text.trim())
}

/// `SELECT out FROM E WHERE cond`, for `x IN (…)` conditions.
pub fn ids_where<E: EntityTrait>(out: E::Column, cond: Condition) -> SelectStatement {
    Query::select()
        .column((E::default(), out))
        .from(E::default())
        .cond_where(cond)
        .to_owned()
}

/// Partial-date overlap: the record's [start, end] meets [from, to] (either bound optional).
pub fn overlaps<C: ColumnTrait>(
    start: C,
    end: C,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Condition {
    let mut cond = Condition::all();
    if let Some(from) = from {
        cond = cond.add(end.gte(from));
    }
    if let Some(to) = to {
        cond = cond.add(start.lte(to));
    }
    cond
}

/// Rejects an inverted range.
pub fn check_range(from: Option<NaiveDate>, to: Option<NaiveDate>, field: &str) -> ApiResult<()> {
    match (from, to) {
        (Some(f), Some(t)) if f > t => {
            Err(ApiError::invalid(field, "the range ends before it starts"))
        }
        _ => Ok(()),
    }
}

/// Normalises an ISO 3166-1 alpha-2 code given by a client.
pub fn country_code(code: &str, field: &str) -> ApiResult<String> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(ApiError::invalid(
            field,
            "must be an ISO 3166-1 alpha-2 code such as \"CN\"",
        ));
    }
    Ok(code)
}
