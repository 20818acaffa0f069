//! What every mutation shares: one write transaction, field validation, optimistic versions,
//! idempotency keys, and the audit entry plus change-feed entry written with the change.
//!
//! The shape of a mutation: [`Write::begin`] (checks the caller may write at all), read and check
//! the record, [`Write::require_plans`], build the change with [`Diff`], [`save_versioned`], then
//! [`Write::commit`] with what changed. An error anywhere drops the transaction: nothing is written.

mod diff;
mod flow;
mod input;
mod lookup;
mod merge;
mod refs;
mod rows;
mod versioned;

use async_graphql::{Context, ID, InputType, SimpleObject};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter, Set,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use serde_json::json;

use super::ids::NodeKind;
use super::{db, scope};
use crate::audit::{self, Target};
use crate::auth::{Permission, Scope, TokenViewer, Viewer};
use crate::error::{ApiError, ApiResult};
use entity::idempotency_key;

pub use crate::live::Operation;
pub use diff::{Diff, Fields};
pub use flow::{
    Creating, Part, PlanRecord, Shared, Updating, delete, id_of, link, plans_listing, unlink,
};
pub use input::{email, field_in, name, opt_text, partial_date, patch_text, text, url};
pub use lookup::{
    Reference, api_fingerprint, city_id, city_ids, organization_ids, readable_plan, references,
    reporters,
};
pub use merge::Merge;
pub use refs::{Named, Refs};
pub use rows::{Rows, Tally};
pub use versioned::{check_version, delete_versioned, insert_new, save_versioned};

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
    /// The batch this write is a step of: its commit hands the transaction back to it.
    batch: Option<Batch>,
}

type Gate = Option<tokio::sync::OwnedMutexGuard<()>>;

tokio::task_local! {
    /// The batch the writes of this task join, while [`Batch::all_or_nothing`] runs them.
    static BATCH: Batch;
}

/// Several writes in one transaction, all or nothing: each [`Write::begin`] inside
/// [`Batch::all_or_nothing`] takes the batch's transaction (the first one begins it), each
/// [`Write::commit`] writes its audit and feed entries and hands the transaction back, and the
/// batch commits the lot after the last step. A step that fails keeps the transaction: the batch then has
/// none to commit, and dropping it rolls everything back.
#[derive(Clone, Default)]
pub struct Batch(std::sync::Arc<tokio::sync::Mutex<Step>>);

#[derive(Default)]
enum Step {
    /// No write yet.
    #[default]
    None,
    /// Between two writes.
    Open(DatabaseTransaction, Gate),
    /// A write holds the transaction (or failed with it).
    Taken,
}

impl Batch {
    /// Runs `steps` as one batch: committed when they succeed (waking the change-feed relay),
    /// rolled back, all of it, when they fail.
    pub async fn all_or_nothing<T>(
        ctx: &Context<'_>,
        steps: impl Future<Output = ApiResult<T>>,
    ) -> ApiResult<T> {
        let batch = Batch::default();
        let value = BATCH.scope(batch.clone(), steps).await?;
        let step = std::mem::take(&mut *batch.0.lock().await);
        match step {
            Step::None => {}
            Step::Open(txn, _gate) => {
                txn.commit().await?;
                if let Some(live) = ctx.data_opt::<crate::live::Live>() {
                    live.poke();
                }
            }
            Step::Taken => {
                return Err(ApiError::internal(anyhow::anyhow!(
                    "a write of the batch kept its transaction"
                )));
            }
        }
        Ok(value)
    }

    /// The batch's transaction, if a write handed it back.
    async fn take(&self) -> ApiResult<Option<(DatabaseTransaction, Gate)>> {
        match std::mem::replace(&mut *self.0.lock().await, Step::Taken) {
            Step::None => Ok(None),
            Step::Open(txn, gate) => Ok(Some((txn, gate))),
            Step::Taken => Err(ApiError::internal(anyhow::anyhow!(
                "a write of the batch began before the last one ended"
            ))),
        }
    }

    async fn give_back(&self, txn: DatabaseTransaction, gate: Gate) {
        *self.0.lock().await = Step::Open(txn, gate);
    }
}

impl Write {
    /// Starts a write for a caller holding `permission`; on SQLite the transaction takes the write
    /// lock at once (`BEGIN IMMEDIATE`), so concurrent writers queue on the busy timeout instead of
    /// failing when a read transaction cannot become a write one.
    pub async fn begin(ctx: &Context<'_>, permission: Permission) -> ApiResult<Self> {
        let viewer = ctx.data::<Viewer>()?.clone();
        viewer.require_write(permission)?;
        let token = viewer.token().ok_or(ApiError::ForbiddenAnonymous)?.clone();
        let batch = BATCH.try_with(Batch::clone).ok();
        let joined = match &batch {
            Some(batch) => batch.take().await?,
            None => None,
        };
        let (txn, gate) = match joined {
            Some(open) => open,
            None => Self::open(ctx).await?,
        };
        Ok(Self {
            txn,
            _gate: gate,
            token,
            scope: scope(ctx)?.clone(),
            viewer,
            live: ctx.data_opt::<crate::live::Live>().cloned(),
            batch,
        })
    }

    /// A new transaction (and on SQLite this instance's write gate).
    async fn open(ctx: &Context<'_>) -> ApiResult<(DatabaseTransaction, Gate)> {
        let db = db(ctx)?;
        match db.get_database_backend() {
            DbBackend::Sqlite => {
                let lock = ctx.data::<WriteGate>()?.0.clone();
                let gate = lock.lock_owned().await;
                let txn = db
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await?;
                Ok((txn, Some(gate)))
            }
            _ => Ok((db.begin().await?, None)),
        }
    }

    /// FORBIDDEN unless the caller holds `permission` too (a write that makes more than it began
    /// for: a city named in an input that does not exist yet).
    pub fn require(&self, permission: Permission) -> ApiResult<()> {
        self.viewer.require_write(permission)
    }

    /// FORBIDDEN unless the caller may write records of every one of `plans`.
    pub fn require_plans(&self, plans: &[i64]) -> ApiResult<()> {
        self.viewer.require_plans(&self.scope, plans)
    }

    /// FORBIDDEN unless the caller is an admin or an editor of one of `organizations`.
    pub fn require_party(&self, organizations: &[i64]) -> ApiResult<()> {
        self.viewer.require_party(organizations)
    }

    /// FORBIDDEN unless the caller may name `organizations` as a record's reporters.
    pub fn require_reporters(&self, organizations: &[i64]) -> ApiResult<()> {
        self.viewer.require_reporters(organizations)
    }

    pub fn is_admin(&self) -> bool {
        self.token.role == entity::enums::Role::Admin
    }

    /// Writes the audit and feed entries of `entries`, then commits.
    pub async fn commit(self, entries: Vec<Entry>) -> ApiResult<()> {
        let actor = self.viewer.actor().ok_or(ApiError::ForbiddenAnonymous)?;
        for entry in &entries {
            let kind = entry.kind.name();
            let action = entry
                .action
                .map(str::to_owned)
                .unwrap_or_else(|| format!("{}_{}", upper_snake(kind), entry.operation.as_str()));
            let detail = json!({
                "changes": entry.diff.to_json(),
                "plans": NodeKind::Plan.audit_all(&entry.plans),
            });
            let audit = audit::record(
                &self.txn,
                &actor,
                action,
                Target(kind, Some(entry.id)),
                detail,
            )
            .await?;
            self.append(entry, audit).await?;
        }
        self.finish(!entries.is_empty()).await
    }

    /// Writes one audit entry for a change of several records that is one decision (a merge):
    /// `action` on the first of `entries`, with `detail` and that entry's `changes`; then each
    /// entry's feed entry, all linked to it, and commits.
    pub async fn commit_as_one(
        self,
        action: &'static str,
        mut detail: serde_json::Map<String, serde_json::Value>,
        entries: Vec<Entry>,
    ) -> ApiResult<()> {
        let actor = self.viewer.actor().ok_or(ApiError::ForbiddenAnonymous)?;
        let Some(first) = entries.first() else {
            return self.finish(false).await;
        };
        detail.insert("changes".to_owned(), first.diff.to_json());
        let detail = serde_json::Value::Object(detail);
        let target = Target(first.kind.name(), Some(first.id));
        let audit = audit::record(&self.txn, &actor, action, target, detail).await?;
        for entry in &entries {
            self.append(entry, audit).await?;
        }
        self.finish(true).await
    }

    /// The change-feed entry of `entry`, linked to audit entry `audit`.
    async fn append(&self, entry: &Entry, audit: i64) -> ApiResult<()> {
        crate::live::append(
            &self.txn,
            crate::live::NewChange {
                kind: entry.kind,
                id: entry.id,
                operation: entry.operation,
                record_public: entry.public,
                fields: entry.diff.fields(),
                plans: entry.plans.clone(),
                audit_event_id: Some(audit),
                at: None,
            },
        )
        .await?;
        Ok(())
    }

    /// Commits; wakes the live feed when the write changed something.
    async fn finish(self, changed: bool) -> ApiResult<()> {
        if let Some(batch) = self.batch {
            batch.give_back(self.txn, self._gate).await;
            return Ok(());
        }
        self.txn.commit().await?;
        if let (Some(live), true) = (&self.live, changed) {
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
        // Kept per bearer: a token record, or a trusted issuer's subject.
        let token_id = self.token.bearer.owner_id();
        let key = text("idempotencyKey", key, 200)?;
        let request = request.to_value().to_string();
        let found = idempotency_key::Entity::find()
            .filter(idempotency_key::Column::TokenId.eq(token_id))
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
        let token_id = self.token.bearer.owner_id();
        idempotency_key::ActiveModel {
            token_id: Set(token_id),
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

/// What a delete removed.
#[derive(SimpleObject)]
pub struct DeletePayload {
    /// ID of the deleted record.
    deleted_id: ID,
}

impl DeletePayload {
    pub fn new(kind: NodeKind, id: i64) -> Self {
        Self {
            deleted_id: kind.id(id),
        }
    }

    pub fn into_id(self) -> ID {
        self.deleted_id
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

#[cfg(test)]
mod tests {
    #[test]
    fn actions_are_upper_snake_case() {
        assert_eq!(super::upper_snake("ExpectedResult"), "EXPECTED_RESULT");
    }
}
