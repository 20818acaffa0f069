//! `rate_window`: the rate-limit and cost-budget counters every instance shares, one row per
//! allowance key and minute (api/src/throttle/shared.rs). PostgreSQL only — a SQLite file serves
//! one instance, whose limits stay in its memory — and UNLOGGED: counters of the last two minutes
//! are not worth a write-ahead log, and a crash that empties them only forgives a minute.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNLOGGED TABLE rate_window (
                   key text NOT NULL,
                   minute bigint NOT NULL,
                   used bigint NOT NULL,
                   PRIMARY KEY (key, minute)
                 )",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE rate_window")
            .await
            .map(|_| ())
    }
}
