//! `transaction`: several writes of plans' records, all or nothing. Each operation is the
//! mutation of the same name, run as it would run alone (same checks, audit entry and change-feed
//! entry), but the writes join one [`Batch`]: they commit together after the last one, or, when
//! one fails, none does and the error names the operation (`extensions.operation`, and the
//! input field under `operations[i]`). Separate root mutations in one request stay separate
//! transactions, as GraphQL runs them one after the other.

use async_graphql::{Context, ID, InputObject, Object, OneofObject, Union};
use chrono::NaiveDate;

use super::activity::{
    ActivityMutation, ActivityPayload, CreateActivityInput, UnlinkActivityPayload,
    UpdateActivityInput,
};
use super::enums::MouStatus;
use super::expected_result::{
    CreateExpectedResultInput, ExpectedResultMutation, ExpectedResultPayload,
    UpdateExpectedResultInput,
};
use super::mou::{CreateMouInput, MouMutation, MouPayload, UnlinkMouPayload, UpdateMouInput};
use super::statement::{
    CreateStatementInput, StatementMutation, StatementPayload, UpdateStatementInput,
};
use super::theme::{CreateThemeInput, ThemeMutation, ThemePayload, UpdateThemeInput};
use super::write::{Batch, DeletePayload};
use crate::error::{ApiError, ApiResult};

/// Operations one `transaction` takes at most.
pub const MAX_OPERATIONS: usize = 200;

/// A record and the version the caller read (deletes).
#[derive(InputObject)]
pub struct VersionedId {
    /// The record.
    id: ID,
    /// The version the caller read.
    version: i32,
}

/// `updateActivity`'s arguments.
#[derive(InputObject)]
pub struct UpdateActivityOperation {
    /// The record.
    id: ID,
    /// The version the caller read.
    version: i32,
    /// The changes.
    input: UpdateActivityInput,
}

/// `updateMou`'s arguments.
#[derive(InputObject)]
pub struct UpdateMouOperation {
    /// The record.
    id: ID,
    /// The version the caller read.
    version: i32,
    /// The changes.
    input: UpdateMouInput,
}

/// `changeMouStatus`'s arguments.
#[derive(InputObject)]
pub struct ChangeMouStatusOperation {
    /// The record.
    id: ID,
    /// The version the caller read.
    version: i32,
    /// The next status.
    status: MouStatus,
    /// Day of signature: required when signing, refused otherwise.
    signed_on: Option<NaiveDate>,
}

/// `updateTheme`'s arguments.
#[derive(InputObject)]
pub struct UpdateThemeOperation {
    /// The record.
    pub(crate) id: ID,
    /// The version the caller read.
    pub(crate) version: i32,
    /// The changes.
    pub(crate) input: UpdateThemeInput,
}

/// `updateStatement`'s arguments.
#[derive(InputObject)]
pub struct UpdateStatementOperation {
    /// The record.
    pub(crate) id: ID,
    /// The version the caller read.
    pub(crate) version: i32,
    /// The changes.
    pub(crate) input: UpdateStatementInput,
}

/// `updateExpectedResult`'s arguments.
#[derive(InputObject)]
pub struct UpdateExpectedResultOperation {
    /// The record.
    pub(crate) id: ID,
    /// The version the caller read.
    pub(crate) version: i32,
    /// The changes.
    pub(crate) input: UpdateExpectedResultInput,
}

/// `linkActivity`'s arguments.
#[derive(InputObject)]
pub struct LinkActivityOperation {
    /// The record.
    id: ID,
    /// The plan to list it in too.
    plan: ID,
    /// Its position in that plan's list (default: last).
    position: Option<i32>,
}

/// `linkMou`'s arguments.
#[derive(InputObject)]
pub struct LinkMouOperation {
    /// The record.
    id: ID,
    /// The plan to list it in too.
    plan: ID,
    /// An expected result of that plan that the MoU fulfils.
    fulfils: Option<ID>,
}

/// `unlinkActivity`'s or `unlinkMou`'s arguments.
#[derive(InputObject)]
pub struct UnlinkOperation {
    /// The record.
    id: ID,
    /// The plan to take it out of.
    plan: ID,
    /// Delete the record when this is its last plan (default: refuse with LAST_PLAN).
    delete_if_last: Option<bool>,
}

/// One write of a `transaction`: exactly one member, named after its mutation.
#[derive(OneofObject)]
pub enum WriteOperation {
    CreateActivity(CreateActivityInput),
    UpdateActivity(UpdateActivityOperation),
    DeleteActivity(VersionedId),
    LinkActivity(LinkActivityOperation),
    UnlinkActivity(UnlinkOperation),
    CreateMou(CreateMouInput),
    UpdateMou(UpdateMouOperation),
    ChangeMouStatus(ChangeMouStatusOperation),
    DeleteMou(VersionedId),
    LinkMou(LinkMouOperation),
    UnlinkMou(UnlinkOperation),
    CreateTheme(CreateThemeInput),
    UpdateTheme(UpdateThemeOperation),
    DeleteTheme(VersionedId),
    CreateStatement(CreateStatementInput),
    UpdateStatement(UpdateStatementOperation),
    DeleteStatement(VersionedId),
    CreateExpectedResult(CreateExpectedResultInput),
    UpdateExpectedResult(UpdateExpectedResultOperation),
    DeleteExpectedResult(VersionedId),
}

/// What one operation answered: its mutation's payload.
#[derive(Union)]
pub enum WriteResult {
    Activity(ActivityPayload),
    UnlinkedActivity(UnlinkActivityPayload),
    Mou(MouPayload),
    UnlinkedMou(UnlinkMouPayload),
    Theme(ThemePayload),
    Statement(StatementPayload),
    ExpectedResult(ExpectedResultPayload),
    Deleted(DeletePayload),
}

/// The writes of a transaction, committed.
#[derive(async_graphql::SimpleObject)]
pub struct TransactionPayload {
    /// One result per operation, in their order.
    results: Vec<WriteResult>,
}

#[derive(Default)]
pub struct TransactionMutation;

#[Object]
impl TransactionMutation {
    /// Runs `operations` (at most 200) in order in one transaction: all are written, or none.
    /// Each takes the rights, checks and `idempotencyKey` of its mutation run alone; the first
    /// that fails ends the transaction with its error (`extensions.operation` is its index, a
    /// field error's `extensions.field` is under `operations[i]`) and nothing is written.
    #[graphql(complexity = "crate::graphql::cost::items(operations.len(), child_complexity)")]
    async fn transaction(
        &self,
        ctx: &Context<'_>,
        operations: Vec<WriteOperation>,
    ) -> ApiResult<TransactionPayload> {
        if operations.is_empty() || operations.len() > MAX_OPERATIONS {
            return Err(ApiError::invalid(
                "operations",
                format!("must hold 1 to {MAX_OPERATIONS} operations"),
            ));
        }
        let results = Batch::all_or_nothing(ctx, async {
            let mut results = Vec::with_capacity(operations.len());
            for (index, operation) in operations.into_iter().enumerate() {
                let result = run(ctx, operation)
                    .await
                    .map_err(|e| e.in_item("operations", index))?;
                results.push(result);
            }
            Ok(results)
        })
        .await?;
        Ok(TransactionPayload { results })
    }
}

/// Runs one operation as its mutation.
async fn run(ctx: &Context<'_>, operation: WriteOperation) -> ApiResult<WriteResult> {
    use WriteOperation as O;
    use WriteResult as R;
    let (activity, mou) = (ActivityMutation, MouMutation);
    let (theme, statement, result) = (ThemeMutation, StatementMutation, ExpectedResultMutation);
    Ok(match operation {
        O::CreateActivity(input) => R::Activity(activity.create_activity(ctx, input).await??),
        O::UpdateActivity(o) => R::Activity(
            activity
                .update_activity(ctx, o.id, o.version, o.input)
                .await??,
        ),
        O::DeleteActivity(o) => R::Deleted(activity.delete_activity(ctx, o.id, o.version).await??),
        O::LinkActivity(o) => R::Activity(
            activity
                .link_activity(ctx, o.id, o.plan, o.position)
                .await??,
        ),
        O::UnlinkActivity(o) => R::UnlinkedActivity(
            activity
                .unlink_activity(ctx, o.id, o.plan, o.delete_if_last)
                .await??,
        ),
        O::CreateMou(input) => R::Mou(mou.create_mou(ctx, input).await??),
        O::UpdateMou(o) => R::Mou(mou.update_mou(ctx, o.id, o.version, o.input).await??),
        O::ChangeMouStatus(o) => R::Mou(
            mou.change_mou_status(ctx, o.id, o.version, o.status, o.signed_on)
                .await??,
        ),
        O::DeleteMou(o) => R::Deleted(mou.delete_mou(ctx, o.id, o.version).await??),
        O::LinkMou(o) => R::Mou(mou.link_mou(ctx, o.id, o.plan, o.fulfils).await??),
        O::UnlinkMou(o) => R::UnlinkedMou(
            mou.unlink_mou(ctx, o.id, o.plan, o.delete_if_last)
                .await??,
        ),
        O::CreateTheme(input) => R::Theme(theme.create_theme(ctx, input).await??),
        O::UpdateTheme(o) => R::Theme(theme.update_theme(ctx, o.id, o.version, o.input).await??),
        O::DeleteTheme(o) => R::Deleted(theme.delete_theme(ctx, o.id, o.version).await??),
        O::CreateStatement(input) => R::Statement(statement.create_statement(ctx, input).await??),
        O::UpdateStatement(o) => R::Statement(
            statement
                .update_statement(ctx, o.id, o.version, o.input)
                .await??,
        ),
        O::DeleteStatement(o) => {
            R::Deleted(statement.delete_statement(ctx, o.id, o.version).await??)
        }
        O::CreateExpectedResult(input) => {
            R::ExpectedResult(result.create_expected_result(ctx, input).await??)
        }
        O::UpdateExpectedResult(o) => R::ExpectedResult(
            result
                .update_expected_result(ctx, o.id, o.version, o.input)
                .await??,
        ),
        O::DeleteExpectedResult(o) => R::Deleted(
            result
                .delete_expected_result(ctx, o.id, o.version)
                .await??,
        ),
    })
}
