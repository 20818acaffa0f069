//! The `data_version` counter (see [`crate::data_version`]) and the triggers of every data table.
//! Tables added later call `data_version::watch` in their own migration.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::data_version::{unwatch, watch};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every table of the data model (code lists included: their names label the counts).
const TABLES: [&str; 28] = [
    "activity",
    "activity_city",
    "activity_organization",
    "city",
    "city_name",
    "contact",
    "country",
    "data_issue",
    "expected_result",
    "expected_result_city",
    "expected_result_organization",
    "mou",
    "mou_party",
    "organization",
    "plan",
    "plan_activity",
    "plan_mou",
    "plan_partner_city",
    "plan_sdg_goal",
    "plan_sdg_target",
    "plan_urban_agenda",
    "sdg_goal",
    "sdg_target",
    "source_document",
    "statement",
    "theme",
    "urban_agenda_alias",
    "urban_agenda_partnership",
];

/// Bumps the counter once per transaction: the first row of a transaction records the transaction
/// id in a transaction-local setting, the others see it and return.
const POSTGRES_BUMP: &str =
    "CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('ucap.data_version_txid', true) IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('ucap.data_version_txid', txid_current()::text, true);
    UPDATE data_version SET version = version + 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END $$";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(DataVersion::Table)
                    .col(
                        ColumnDef::new(DataVersion::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DataVersion::Version)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("INSERT INTO data_version (id, version) VALUES (1, 0)")
            .await?;
        if backend == DbBackend::Postgres {
            db.execute_unprepared(POSTGRES_BUMP).await?;
        }
        for table in TABLES {
            for sql in watch(backend, table) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        for table in TABLES {
            for sql in unwatch(backend, table) {
                db.execute_unprepared(&sql).await?;
            }
        }
        if backend == DbBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS data_version_bump()")
                .await?;
        }
        manager
            .drop_table(Table::drop().table(DataVersion::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DataVersion {
    Table,
    Id,
    Version,
}
