//! What every mutation shares: one write transaction, field validation, optimistic versions,
//! idempotency keys, and the audit entry plus change-feed entry written with the change.
//!
//! The shape of a mutation: [`Write::begin`] (checks the caller may write at all), read and check
//! the record, [`Write::require_plans`], build the change with [`Diff`], [`save_versioned`], then
//! [`Write::commit`] with what changed. An error anywhere drops the transaction: nothing is written.

use async_graphql::{Context, InputType};
use chrono::Utc;
use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, Set, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use serde::Serialize;
use serde_json::{Value, json};

use super::ids::NodeKind;
use super::{db, scope};
use crate::audit::Actor;
use crate::auth::{Permission, Scope, TokenViewer, Viewer};
use crate::domain::partial_date::PartialDate;
use crate::error::{ApiError, ApiResult};
use entity::{audit_event, idempotency_key};

/// What happened to a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Operation {
    Created,
    Updated,
    Deleted,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Updated => "UPDATED",
            Self::Deleted => "DELETED",
        }
    }
}

/// Field changes of one record: `(field, before, after)`, only fields whose value changed.
#[derive(Debug, Default)]
pub struct Diff(Vec<(&'static str, Value, Value)>);

impl Diff {
    /// Notes `field` going from `before` to `after`, when they differ.
    pub fn field<T: Serialize + PartialEq>(&mut self, field: &'static str, before: T, after: T) {
        if before != after {
            self.0.push((
                field,
                serde_json::to_value(before).unwrap_or(Value::Null),
                serde_json::to_value(after).unwrap_or(Value::Null),
            ));
        }
    }

    /// Notes a created record's field (before: null).
    pub fn created<T: Serialize>(&mut self, field: &'static str, value: T) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        if !Value::is_null(&value) {
            self.0.push((field, Value::Null, value));
        }
    }

    /// Notes a deleted record's field (after: null).
    pub fn deleted<T: Serialize>(&mut self, field: &'static str, value: T) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        if !Value::is_null(&value) {
            self.0.push((field, value, Value::Null));
        }
    }

    /// Notes the audited `fields` of a record: created (`before` none), changed, or deleted
    /// (`after` none).
    pub fn record<M>(&mut self, before: Option<&M>, after: Option<&M>, fields: &Fields<M>) {
        for (name, f) in fields {
            match (before, after) {
                (None, Some(a)) => self.created(name, f(a)),
                (Some(b), Some(a)) => self.field(name, f(b), f(a)),
                (Some(b), None) => self.deleted(name, f(b)),
                (None, None) => {}
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> Vec<&'static str> {
        self.0.iter().map(|(f, _, _)| *f).collect()
    }

    fn to_json(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|(f, b, a)| json!({ "field": f, "before": b, "after": a }))
                .collect(),
        )
    }
}

/// The audited fields of a record type: each name with how to read it from a row.
pub type Fields<M> = [(&'static str, fn(&M) -> Value)];

/// One record a mutation changed, for the audit log and the change feed.
pub struct Entry {
    pub kind: NodeKind,
    pub id: i64,
    pub operation: Operation,
    /// Plans the record belongs to (their organizations see the change in the feed).
    pub plans: Vec<i64>,
    /// Whether anonymous readers see the record (after the change; before it, for a deletion).
    pub public: bool,
    pub diff: Diff,
    /// Action name for the audit log when not `<KIND>_<OPERATION>` (e.g. `MOU_SIGNED`).
    pub action: Option<&'static str>,
}

impl Entry {
    /// The entry of a change under its default audit action (`<KIND>_<OPERATION>`).
    pub fn new(
        kind: NodeKind,
        id: i64,
        operation: Operation,
        plans: Vec<i64>,
        public: bool,
        diff: Diff,
    ) -> Self {
        Self {
            kind,
            id,
            operation,
            plans,
            public,
            diff,
            action: None,
        }
    }
}

/// Serializes this instance's writes on SQLite, which has one writer at a time anyway: a queued
/// write then waits here without holding a pool connection, so waiting writers cannot starve the
/// pool that the running one (and every reader) needs. Other processes queue on the busy timeout.
#[derive(Clone, Default)]
pub struct WriteGate(std::sync::Arc<tokio::sync::Mutex<()>>);

/// An open write of one caller: its transaction and who it is.
pub struct Write {
    pub txn: DatabaseTransaction,
    /// Held until the transaction ends (SQLite only).
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
    pub token: TokenViewer,
    pub scope: Scope,
    viewer: Viewer,
    live: Option<crate::live::Live>,
}

impl Write {
    /// Starts a write for a caller holding `permission`; on SQLite the transaction takes the write
    /// lock at once (`BEGIN IMMEDIATE`), so concurrent writers queue on the busy timeout instead of
    /// failing when a read transaction cannot become a write one.
    pub async fn begin(ctx: &Context<'_>, permission: Permission) -> ApiResult<Self> {
        let viewer = ctx.data::<Viewer>()?.clone();
        viewer.require_write(permission)?;
        let token = viewer.token().ok_or(ApiError::ForbiddenAnonymous)?.clone();
        let db = db(ctx)?;
        let backend = db.get_database_backend();
        let mut gate = None;
        let txn = match backend {
            DbBackend::Sqlite => {
                let lock = ctx.data::<WriteGate>()?.0.clone();
                gate = Some(lock.lock_owned().await);
                db.begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await?
            }
            _ => db.begin().await?,
        };
        Ok(Self {
            txn,
            _gate: gate,
            token,
            scope: scope(ctx)?.clone(),
            viewer,
            live: ctx.data_opt::<crate::live::Live>().cloned(),
        })
    }

    /// FORBIDDEN unless the caller may write records of every one of `plans`.
    pub fn require_plans(&self, plans: &[i64]) -> ApiResult<()> {
        self.viewer.require_plans(&self.scope, plans)
    }

    /// FORBIDDEN unless the caller is an admin or an editor of one of `organizations`.
    pub fn require_party(&self, organizations: &[i64]) -> ApiResult<()> {
        self.viewer.require_party(organizations)
    }

    pub fn is_admin(&self) -> bool {
        self.token.role == entity::enums::Role::Admin
    }

    /// Writes the audit and feed entries of `entries`, then commits.
    pub async fn commit(self, entries: Vec<Entry>) -> ApiResult<()> {
        let actor = Actor::Token {
            id: self.token.token_id,
        };
        let now = Utc::now();
        for entry in &entries {
            let kind = entry.kind.name();
            let action = entry
                .action
                .map(str::to_owned)
                .unwrap_or_else(|| format!("{}_{}", upper_snake(kind), entry.operation.as_str()));
            let audit = audit_event::ActiveModel {
                at: Set(now),
                actor_token_id: Set(Some(self.token.token_id)),
                actor: Set(actor.name()),
                actor_organizations: Set(Some(json!(self.token.organizations).to_string())),
                action: Set(action),
                target_kind: Set(kind.to_owned()),
                target_id: Set(Some(entry.id)),
                detail: Set(json!({
                    "changes": entry.diff.to_json(),
                    "plans": NodeKind::Plan.audit_all(&entry.plans),
                })
                .to_string()),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
            let fields = entry.diff.fields();
            crate::live::append(
                &self.txn,
                crate::live::NewChange {
                    kind,
                    id: entry.id,
                    operation: entry.operation.as_str(),
                    public: crate::auth::policy::change_is_public(
                        entry.kind,
                        entry.operation == Operation::Updated,
                        entry.public,
                        &fields,
                    ),
                    fields,
                    plans: entry.plans.clone(),
                    audit_event_id: Some(audit.id),
                },
            )
            .await?;
        }
        self.txn.commit().await?;
        if let (Some(live), false) = (&self.live, entries.is_empty()) {
            live.poke();
        }
        Ok(())
    }

    /// The record an earlier request with the same idempotency key created, if any; CONFLICT when
    /// the key was used for a different request. Call first in a create, before writing anything.
    pub async fn replay(
        &self,
        key: Option<&str>,
        operation: &'static str,
        request: &impl InputType,
    ) -> ApiResult<Option<Idempotent>> {
        let Some(key) = key else { return Ok(None) };
        let key = text("idempotencyKey", key, 200)?;
        let request = request.to_value().to_string();
        let found = idempotency_key::Entity::find()
            .filter(idempotency_key::Column::TokenId.eq(self.token.token_id))
            .filter(idempotency_key::Column::Key.eq(&key))
            .one(&self.txn)
            .await?;
        match found {
            Some(k) if k.operation == operation && k.request == request => {
                Ok(Some(Idempotent::Done(k.record_id)))
            }
            Some(_) => Err(ApiError::invalid(
                "idempotencyKey",
                "this key was used for a different request",
            )),
            None => Ok(Some(Idempotent::New {
                key,
                operation,
                request,
            })),
        }
    }

    /// Records that `key` made record `id` (in the same transaction as the record).
    pub async fn remember(
        &self,
        key: Option<Idempotent>,
        kind: NodeKind,
        id: i64,
    ) -> ApiResult<()> {
        let Some(Idempotent::New {
            key,
            operation,
            request,
        }) = key
        else {
            return Ok(());
        };
        idempotency_key::ActiveModel {
            token_id: Set(self.token.token_id),
            key: Set(key),
            operation: Set(operation.to_owned()),
            request: Set(request),
            record_kind: Set(kind.name().to_owned()),
            record_id: Set(id),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.txn)
        .await
        .map_err(|e| match e.sql_err() {
            // A concurrent request with the same key committed first (PostgreSQL): this one is
            // rolled back; its retry gets the first one's record.
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ApiError::Conflict(
                "a request with this idempotency key was made at the same time; retry to get its result"
                    .to_owned(),
            ),
            _ => e.into(),
        })?;
        Ok(())
    }
}

/// What an idempotency key says about a create.
pub enum Idempotent {
    /// An earlier request with this key created this record: answer with it.
    Done(i64),
    /// A new key: remember it with the record made now.
    New {
        key: String,
        operation: &'static str,
        request: String,
    },
}

/// Saves the changed fields of `model` when the row still has version `expected`, moving it to
/// `expected + 1`, and returns the saved row; `StaleVersion` with the current version when
/// another write came first.
pub async fn save_versioned<A>(
    txn: &DatabaseTransaction,
    mut model: A,
    id: i64,
    expected: i32,
) -> ApiResult<<A::Entity as EntityTrait>::Model>
where
    A: ActiveModelTrait + Send,
{
    let entity = A::Entity::default();
    let version_col = find_column::<A::Entity>("version");
    let updated_col = find_column::<A::Entity>("updated_at");
    model.set(version_col, (expected + 1).into());
    model.set(updated_col, Utc::now().into());
    let result = <A::Entity as EntityTrait>::update_many()
        .set(model)
        .filter(Expr::col((entity, Alias::new("id"))).eq(id))
        .filter(Expr::col((entity, Alias::new("version"))).eq(expected))
        .exec(txn)
        .await?;
    if result.rows_affected == 1 {
        return <A::Entity as EntityTrait>::find()
            .filter(Expr::col((entity, Alias::new("id"))).eq(id))
            .one(txn)
            .await?
            .ok_or(ApiError::NotFound);
    }
    Err(match current_version::<A::Entity>(txn, id).await? {
        Some(current) => ApiError::StaleVersion { current },
        None => ApiError::NotFound,
    })
}

/// Deletes row `id` when it still has version `expected`.
pub async fn delete_versioned<E: EntityTrait>(
    txn: &DatabaseTransaction,
    id: i64,
    expected: i32,
) -> ApiResult<()> {
    let entity = E::default();
    let result = E::delete_many()
        .filter(Expr::col((entity, Alias::new("id"))).eq(id))
        .filter(Expr::col((entity, Alias::new("version"))).eq(expected))
        .exec(txn)
        .await?;
    if result.rows_affected == 1 {
        return Ok(());
    }
    Err(match current_version::<E>(txn, id).await? {
        Some(current) => ApiError::StaleVersion { current },
        None => ApiError::NotFound,
    })
}

/// CONFLICT (with the current version) unless `current` is the version the caller read.
pub fn check_version(current: i32, read: i32) -> ApiResult<()> {
    if current == read {
        Ok(())
    } else {
        Err(ApiError::StaleVersion { current })
    }
}

async fn current_version<E: EntityTrait>(
    txn: &DatabaseTransaction,
    id: i64,
) -> ApiResult<Option<i32>> {
    let entity = E::default();
    let stmt = sea_orm::sea_query::Query::select()
        .column((entity, Alias::new("version")))
        .from(entity)
        .and_where(Expr::col((entity, Alias::new("id"))).eq(id))
        .to_owned();
    let row = txn.query_one(&stmt).await?;
    Ok(row.and_then(|r| r.try_get::<i32>("", "version").ok()))
}

fn find_column<E: EntityTrait>(name: &str) -> E::Column {
    use sea_orm::{IdenStatic, Iterable};
    E::Column::iter()
        .find(|c| c.as_str() == name)
        .unwrap_or_else(|| panic!("{} has no column {name}", E::default().as_str()))
}

fn upper_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

// ---- Field validation: each error names the input field (`extensions.field`). ----

/// Trimmed text of 1 to `max` characters, without NUL or other control characters but newlines
/// and tabs.
pub fn text(field: &str, value: &str, max: usize) -> ApiResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    checked_chars(field, value)?;
    if value.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// A name ([`text`] of at most 200 characters) with its matching key (case, accents and spacing
/// folded), which must keep a letter or a digit; names are unique by key.
pub fn name(field: &str, value: &str) -> ApiResult<(String, String)> {
    let name = text(field, value, 200)?;
    let key = crate::domain::text::name_key(&name);
    if key.is_empty() {
        return Err(ApiError::invalid(field, "must contain a letter or a digit"));
    }
    Ok((name, key))
}

/// Optional text: empty or whitespace-only means none.
pub fn opt_text(field: &str, value: Option<&str>, max: usize) -> ApiResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text(field, v, max).map(Some),
    }
}

fn checked_chars(field: &str, value: &str) -> ApiResult<()> {
    if value.contains('\0') {
        return Err(ApiError::invalid(field, "must not contain NUL characters"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(ApiError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// An http(s) URL with a host, at most 500 characters.
pub fn url(field: &str, value: &str) -> ApiResult<String> {
    let value = value.trim();
    checked_chars(field, value)?;
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = host.is_some_and(|h| {
        !h.is_empty()
            && h.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'))
    }) && value.len() <= 500
        && !value.chars().any(char::is_whitespace);
    if ok {
        Ok(value.to_owned())
    } else {
        Err(ApiError::invalid(
            field,
            "must be an http(s) URL with a host, of at most 500 characters",
        ))
    }
}

/// An e-mail address.
pub fn email(field: &str, value: &str) -> ApiResult<String> {
    crate::domain::email::Email::parse(value.trim())
        .map(|e| e.as_str().to_owned())
        .map_err(|e| ApiError::invalid(field, e.to_string()))
}

/// A partial date that exists ("2021", "Q2 2021", "2021-03", "March 2021", "2021-03-14").
pub fn partial_date(field: &str, value: &str) -> ApiResult<PartialDate> {
    checked_chars(field, value)?;
    PartialDate::parse(value).map_err(|e| ApiError::invalid(field, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(r: ApiResult<impl std::fmt::Debug>) -> String {
        match r {
            Err(ApiError::InvalidInput { field, .. }) => field,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(
            text("title", "  Joint workshop ", 20).ok().as_deref(),
            Some("Joint workshop")
        );
        assert_eq!(field_of(text("title", "   ", 20)), "title");
        assert_eq!(field_of(text("title", "a\0b", 20)), "title");
        assert_eq!(field_of(text("title", "a\u{7}b", 20)), "title");
        assert_eq!(field_of(text("title", &"x".repeat(21), 20)), "title");
        assert_eq!(
            text("t", "line\nnext", 20).ok().as_deref(),
            Some("line\nnext")
        );
        assert_eq!(opt_text("t", Some("  "), 5).ok(), Some(None));
    }

    #[test]
    fn urls_need_a_scheme_and_a_host() {
        assert!(url("u", "https://example.org/a?b=c").is_ok());
        for bad in [
            "ftp://x.org",
            "https://",
            "https:///path",
            "https://a b.org",
            "javascript:alert(1)",
        ] {
            assert_eq!(field_of(url("u", bad)), "u", "{bad}");
        }
    }

    #[test]
    fn dates_must_exist() {
        assert!(partial_date("date", "2021-03").is_ok());
        assert!(partial_date("date", "Q2 2021").is_ok());
        for bad in ["2021-02-30", "2021-13", "soon", "", "2021\0"] {
            assert_eq!(field_of(partial_date("date", bad)), "date", "{bad}");
        }
    }

    #[test]
    fn diffs_keep_only_changed_fields() {
        let mut d = Diff::default();
        d.field("title", "a", "a");
        d.field("title", "a", "b");
        d.field("draft", false, true);
        assert_eq!(d.fields(), ["title", "draft"]);
        assert_eq!(upper_snake("ExpectedResult"), "EXPECTED_RESULT");
    }
}
