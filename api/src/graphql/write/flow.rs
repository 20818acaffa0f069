//! The write flow of the records of plans, written once: the ordered parts of one plan (themes,
//! statements, expected results) and the records several plans share (activities, MoUs). Each kind
//! says what is its own through [`PlanRecord`]; a mutation starts with [`Creating::start`] or
//! [`Updating::start`], applies its input, and ends with `finish` (or calls [`delete`]). A shared
//! record ([`Shared`]) is also linked into and out of further plans ([`link`], [`unlink`]).
//!
//! Every write of such a record locks its plans (see [`lock_plan`]) and reads the record again
//! under the lock, so two writers of one plan run one after the other and the second sees the
//! first one's version.

use std::future::Future;
use std::marker::PhantomData;

use async_graphql::{Context, ID, InputType};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, ValueType};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, ModelTrait, QueryFilter, QuerySelect};

use super::{
    DeletePayload, Diff, Entry, Fields, Idempotent, Operation, Write, check_version,
    delete_versioned, readable_plan, save_versioned, versioned::find_column,
};
use crate::auth::Permission;
use crate::auth::policy::{Guarded, record_is_public};
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::position::{List, lock_plan};

/// A kind of record of plans: what the shared flow needs to know of it.
pub trait PlanRecord: Guarded
where
    Self::Model: Sync,
{
    const KIND: NodeKind;
    /// Its audited fields.
    const FIELDS: &'static Fields<Self::Model>;

    /// Whether the record is a draft, seen only by its plans' organizations: its `draft` column,
    /// for the kinds that have one.
    fn draft(row: &Self::Model) -> bool {
        use sea_orm::{IdenStatic, Iterable};
        let column = Self::Column::iter().find(|c| c.as_str() == "draft");
        column.is_some_and(|c| row.get(c) == sea_orm::Value::Bool(Some(true)))
    }

    /// Where a part of one plan stands: its plan, and its place in an ordered list there.
    fn part_of(_row: &Self::Model) -> Option<Part<Self>> {
        None
    }

    /// The plans listing the record: a part's plan unless the kind says otherwise.
    fn plans(_w: &Write, row: &Self::Model) -> impl Future<Output = ApiResult<Vec<i64>>> + Send {
        let plans = Self::part_of(row).map(|p| p.plan).into_iter().collect();
        async move { Ok(plans) }
    }

    /// Lists a new record in plan `plan`, noting it in `diff` (a part is in its plan already).
    fn place(
        _w: &Write,
        _plan: i64,
        _row: &Self::Model,
        _diff: &mut Diff,
    ) -> impl Future<Output = ApiResult<()>> + Send {
        async { Ok(()) }
    }

    /// Notes in `diff` what of its own goes with a record being deleted (its links).
    fn deleting(
        _w: &Write,
        _row: &Self::Model,
        _diff: &mut Diff,
    ) -> impl Future<Output = ApiResult<()>> + Send {
        async { Ok(()) }
    }
}

/// Where a part of one plan stands.
pub struct Part<E: EntityTrait> {
    pub plan: i64,
    /// The ordered list it is in.
    pub list: List<E>,
    pub position: i16,
}

/// A create under way: the plan is checked writable and locked.
pub struct Creating<E> {
    pub w: Write,
    pub plan: i64,
    key: Option<Idempotent>,
    kind: PhantomData<E>,
}

impl<E: PlanRecord> Creating<E>
where
    E::Model: Sync,
{
    /// Starts creating a record in plan `plan` (input field `plan`) for an editor of it; for a
    /// request repeated with its idempotency key, `Err` with the record the first one made.
    pub async fn start(
        ctx: &Context<'_>,
        plan: &ID,
        idempotency_key: Option<&str>,
        operation: &'static str,
        input: &impl InputType,
    ) -> ApiResult<Result<Self, E::Model>> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let plan = decode_int(plan, NodeKind::Plan, "plan")?;
        readable_plan(&w, plan).await?;
        w.require_plans(&[plan])?;
        lock_plan(&w.txn, plan).await?;
        match w.replay(idempotency_key, operation, input).await? {
            Some(Idempotent::Done(id)) => {
                let done = readable::<E>(&w, id).await?;
                // Nothing to write; in a batch, the transaction goes back to it.
                w.commit(Vec::new()).await?;
                Ok(Err(done))
            }
            key => Ok(Ok(Self {
                w,
                plan,
                key,
                kind: PhantomData,
            })),
        }
    }

    /// Lists the new `row` in its plan, remembers the idempotency key and commits, the entry
    /// naming its audited fields and what the kind noted in `extra`.
    pub async fn finish(self, row: E::Model, mut extra: Diff) -> ApiResult<E::Model> {
        E::place(&self.w, self.plan, &row, &mut extra).await?;
        self.finish_placed(row, extra).await
    }

    /// [`Self::finish`] for a record already listed in its plan.
    async fn finish_placed(self, row: E::Model, extra: Diff) -> ApiResult<E::Model> {
        let Self { w, plan, key, .. } = self;
        let id = int::<E, i64>(&row, "id")?;
        let mut diff = Diff::default();
        diff.record(None, Some(&row), E::FIELDS);
        diff.extend(extra);
        w.remember(key, E::KIND, id).await?;
        let public = record_is_public(&w.txn, E::KIND, &[plan], E::draft(&row)).await?;
        let entry = Entry::new(E::KIND, id, Operation::Created, vec![plan], public, diff);
        w.commit(vec![entry]).await?;
        Ok(row)
    }
}

impl<E: PlanRecord + Shared> Creating<E>
where
    E::Model: Sync,
{
    /// [`Self::finish`] for a shared record listed in its plan with `link` (an MoU with the
    /// expected result it fulfils) instead of the kind's default.
    pub async fn finish_linked(
        self,
        row: E::Model,
        mut extra: Diff,
        link: &E::Link,
    ) -> ApiResult<E::Model> {
        <E as Shared>::link(&self.w, self.plan, &row, link, &mut extra).await?;
        extra.created("plan", NodeKind::Plan.audit(self.plan));
        self.finish_placed(row, extra).await
    }
}

/// A change under way: the record as it is, and the plans listing it.
pub struct Updating<E: EntityTrait> {
    pub w: Write,
    pub current: E::Model,
    pub plans: Vec<i64>,
}

impl<E: PlanRecord> Updating<E>
where
    E::Model: Sync,
{
    /// Starts changing record `id` (NOT_FOUND unless the caller reads it) read at `version`, for
    /// an editor of all its plans.
    pub async fn start(ctx: &Context<'_>, id: &ID, version: i32) -> ApiResult<Self> {
        let mut this = Self::open(ctx, id).await?;
        this.w.require_plans(&this.plans)?;
        this.lock().await?;
        check_version(int::<E, i32>(&this.current, "version")?, version)?;
        Ok(this)
    }

    /// Reads record `id` (NOT_FOUND unless the caller reads it) and its plans, checking no
    /// permission: the caller checks its own, then calls [`Self::lock`].
    pub async fn open(ctx: &Context<'_>, id: &ID) -> ApiResult<Self> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(id, E::KIND, "id")?;
        let current = readable::<E>(&w, id).await?;
        let plans = E::plans(&w, &current).await?;
        Ok(Self { w, current, plans })
    }

    /// Locks the record's plans and reads it again under the lock: another write of a plan may
    /// have changed it, or shifted its position.
    pub async fn lock(&mut self) -> ApiResult<()> {
        let mut plans = self.plans.clone();
        plans.sort_unstable();
        for plan in plans {
            lock_plan(&self.w.txn, plan).await?;
        }
        let id = int::<E, i64>(&self.current, "id")?;
        self.current = E::find()
            .filter(id_is::<E>(id))
            .one(&self.w.txn)
            .await?
            .ok_or(ApiError::NotFound)?;
        Ok(())
    }

    /// Saves `row` (the record with the input applied) and commits, the entry naming what the
    /// kind noted in `extra` and the audited fields, under audit action `action` (default
    /// `<KIND>_UPDATED`). When nothing changed, nothing is written.
    pub async fn finish(
        self,
        row: E::ActiveModel,
        extra: Diff,
        action: Option<&'static str>,
    ) -> ApiResult<E::Model>
    where
        E::ActiveModel: Send,
    {
        let Self { w, current, plans } = self;
        if !row.is_changed() && extra.is_empty() {
            w.commit(Vec::new()).await?;
            return Ok(current);
        }
        let id = int::<E, i64>(&current, "id")?;
        let version = int::<E, i32>(&current, "version")?;
        let updated = save_versioned(&w.txn, row, id, version).await?;
        let mut diff = extra;
        diff.record(Some(&current), Some(&updated), E::FIELDS);
        // Public before or after: a record that stops being public reaches public mirrors as a
        // tombstone (its node is no longer readable to them).
        let draft = E::draft(&current) && E::draft(&updated);
        let public = record_is_public(&w.txn, E::KIND, &plans, draft).await?;
        let mut entry = Entry::new(E::KIND, id, Operation::Updated, plans, public, diff);
        entry.action = action;
        w.commit(vec![entry]).await?;
        Ok(updated)
    }
}

/// Deletes record `id` read at `version` (editors of all its plans, admins); a part's later
/// siblings move up by one.
pub async fn delete<E: PlanRecord>(
    ctx: &Context<'_>,
    id: &ID,
    version: i32,
) -> ApiResult<DeletePayload>
where
    E::Model: Sync,
{
    let Updating { w, current, plans } = Updating::<E>::start(ctx, id, version).await?;
    remove::<E>(w, current, plans).await
}

/// Deletes `current`, listed by `plans`, and commits.
async fn remove<E: PlanRecord>(
    w: Write,
    current: E::Model,
    plans: Vec<i64>,
) -> ApiResult<DeletePayload>
where
    E::Model: Sync,
{
    let id = int::<E, i64>(&current, "id")?;
    let version = int::<E, i32>(&current, "version")?;
    let public = record_is_public(&w.txn, E::KIND, &plans, E::draft(&current)).await?;
    let mut diff = Diff::default();
    diff.record(Some(&current), None, E::FIELDS);
    E::deleting(&w, &current, &mut diff).await?;
    delete_versioned::<E>(&w.txn, id, version).await?;
    if let Some(part) = E::part_of(&current) {
        part.list.close(&w.txn, part.position).await?;
    }
    let entry = Entry::new(E::KIND, id, Operation::Deleted, plans, public, diff);
    w.commit(vec![entry]).await?;
    Ok(DeletePayload::new(E::KIND, id))
}

/// A record several plans share (activities, MoUs): one fact that more than one plan reports.
pub trait Shared: PlanRecord
where
    Self::Model: Sync,
{
    /// The kind in messages ("activity").
    const NOUN: &'static str;
    /// Audit actions of a link and an unlink (`ACTIVITY_LINKED`, …).
    const LINKED: &'static str;
    const UNLINKED: &'static str;
    /// What a link says besides its plan (an activity's position there, the expected result an
    /// MoU fulfils), as the mutation's input gives it.
    type Link: Send + Sync;

    /// Lists `row` in plan `plan` (where it is not yet) as `link` says, noting it in `diff`.
    fn link(
        w: &Write,
        plan: i64,
        row: &Self::Model,
        link: &Self::Link,
        diff: &mut Diff,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    /// Takes `row` out of plan `plan` (which lists it).
    fn unlink(
        w: &Write,
        plan: i64,
        row: &Self::Model,
    ) -> impl Future<Output = ApiResult<()>> + Send;
}

/// The shared record `id` (NOT_FOUND unless the caller reads it) with plan `plan` (input field
/// `plan`), for an editor of that plan: both plans' sets locked, the record and its plans read
/// again under the locks.
async fn open_shared<E: Shared>(
    ctx: &Context<'_>,
    id: &ID,
    plan: &ID,
) -> ApiResult<(Updating<E>, i64)>
where
    E::Model: Sync,
{
    let mut u = Updating::<E>::open(ctx, id).await?;
    let plan = decode_int(plan, NodeKind::Plan, "plan")?;
    readable_plan(&u.w, plan).await?;
    u.w.require_plans(&[plan])?;
    if !u.plans.contains(&plan) {
        u.plans.push(plan);
    }
    u.lock().await?;
    u.plans = E::plans(&u.w, &u.current).await?;
    Ok((u, plan))
}

/// Links shared record `id` into plan `plan` as `link` says (an editor of that plan who reads the
/// record); the record's entry names its plans before and after.
pub async fn link<E: Shared>(
    ctx: &Context<'_>,
    id: &ID,
    plan: &ID,
    link: E::Link,
) -> ApiResult<E::Model>
where
    E::Model: Sync,
{
    let (Updating { w, current, plans }, plan) = open_shared::<E>(ctx, id, plan).await?;
    if plans.contains(&plan) {
        return Err(ApiError::invalid(
            "plan",
            format!("the {} is in this plan already", E::NOUN),
        ));
    }
    let mut diff = Diff::default();
    E::link(&w, plan, &current, &link, &mut diff).await?;
    let mut after = plans.clone();
    after.push(plan);
    commit_plans::<E>(w, &current, (plans, after), diff, E::LINKED).await?;
    Ok(current)
}

/// Commits the change of shared record `row`'s plans from `before` to `after` (with what `diff`
/// noted): one UPDATED entry under `action`, naming every plan of either list, so that the
/// organizations of a plan it leaves see it go; public when it is or was.
async fn commit_plans<E: Shared>(
    w: Write,
    row: &E::Model,
    (before, after): (Vec<i64>, Vec<i64>),
    mut diff: Diff,
    action: &'static str,
) -> ApiResult<()>
where
    E::Model: Sync,
{
    let id = int::<E, i64>(row, "id")?;
    diff.field(
        "plans",
        NodeKind::Plan.audit_all(&before),
        NodeKind::Plan.audit_all(&after),
    );
    let mut plans = before;
    plans.extend(
        after
            .into_iter()
            .filter(|p| !plans.contains(p))
            .collect::<Vec<_>>(),
    );
    let public = record_is_public(&w.txn, E::KIND, &plans, E::draft(row)).await?;
    let mut entry = Entry::new(E::KIND, id, Operation::Updated, plans, public, diff);
    entry.action = Some(action);
    w.commit(vec![entry]).await
}

/// What an unlink did.
pub enum Unlinked<M> {
    /// The record, in its other plans.
    Kept(M),
    /// It was in no other plan, and deleted as asked.
    Deleted(DeletePayload),
}

impl<M> Unlinked<M> {
    /// The record kept, or the ID of the one deleted: the two fields of an unlink payload.
    pub fn into_parts(self) -> (Option<M>, Option<ID>) {
        match self {
            Self::Kept(row) => (Some(row), None),
            Self::Deleted(deleted) => (None, Some(deleted.into_id())),
        }
    }
}

/// Takes shared record `id` out of plan `plan` (an editor of that plan who reads the record).
/// The last plan of a record keeps it (LAST_PLAN) unless `delete_if_last`, which deletes it.
pub async fn unlink<E: Shared>(
    ctx: &Context<'_>,
    id: &ID,
    plan: &ID,
    delete_if_last: bool,
) -> ApiResult<Unlinked<E::Model>>
where
    E::Model: Sync,
{
    let (Updating { w, current, plans }, plan) = open_shared::<E>(ctx, id, plan).await?;
    if !plans.contains(&plan) {
        return Err(ApiError::invalid(
            "plan",
            format!("the {} is not in this plan", E::NOUN),
        ));
    }
    if plans == [plan] {
        if !delete_if_last {
            return Err(ApiError::LastPlan(E::NOUN));
        }
        return Ok(Unlinked::Deleted(remove::<E>(w, current, plans).await?));
    }
    E::unlink(&w, plan, &current).await?;
    let after: Vec<i64> = plans.iter().copied().filter(|p| *p != plan).collect();
    let diff = Diff::default();
    commit_plans::<E>(w, &current, (plans, after), diff, E::UNLINKED).await?;
    Ok(Unlinked::Kept(current))
}

/// The plans that list shared record `id` through link table `L` (its columns `record` and
/// `plan`).
pub async fn plans_listing<L: EntityTrait>(
    w: &Write,
    record: L::Column,
    plan: L::Column,
    id: i64,
) -> ApiResult<Vec<i64>> {
    Ok(L::find()
        .filter(record.eq(id))
        .select_only()
        .column(plan)
        .into_tuple()
        .all(&w.txn)
        .await?)
}

/// Record `id` of `E` if the caller reads it.
async fn readable<E: Guarded>(w: &Write, id: i64) -> ApiResult<E::Model> {
    E::find()
        .filter(id_is::<E>(id))
        .filter(E::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)
}

fn id_is<E: EntityTrait>(id: i64) -> Expr {
    Expr::col((E::default(), Alias::new("id"))).eq(id)
}

/// The id of a row of `E`.
pub fn id_of<E: EntityTrait>(row: &E::Model) -> ApiResult<i64> {
    int::<E, i64>(row, "id")
}

/// An integer column of a row (its id, its version), read without knowing the model type.
pub(super) fn int<E: EntityTrait, T: ValueType>(row: &E::Model, column: &str) -> ApiResult<T> {
    T::try_from(row.get(find_column::<E>(column))).map_err(|_| {
        let table = E::default().table_name().to_owned();
        ApiError::internal(anyhow::anyhow!("{column} of {table} is no integer"))
    })
}
