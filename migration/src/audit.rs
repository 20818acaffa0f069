//! The bookkeeping columns of every table the API or the importer edits. Shared by many migrations, so
//! never change what this writes: a different column set needs a new helper and a new migration.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Audit {
    CreatedAt,
    UpdatedAt,
    Version,
}

/// Adds `created_at` and `updated_at` (UTC, default now) and `version` (starts at 1; the API bumps it on
/// every change and compares it for optimistic concurrency).
pub(crate) fn audit_columns(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(timestamp_with_time_zone(Audit::CreatedAt).default(Expr::current_timestamp()))
        .col(timestamp_with_time_zone(Audit::UpdatedAt).default(Expr::current_timestamp()))
        .col(integer(Audit::Version).default(1))
}
