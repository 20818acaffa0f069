//! `change_event.position`: the feed's order and its public `sequence`, the commit instant in
//! microseconds made strictly increasing (`max(now_µs, previous + 1)`). Unlike the row id, the
//! difference between two positions counts nothing the caller may not see. Existing entries are
//! numbered the same way in id order (the commit order the feed lock kept).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ChangeEvent::Table)
                    .add_column(
                        ColumnDef::new(ChangeEvent::Position)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        // position_i = max over j ≤ i of (µs_j + i − j): max(µs_i, position_{i−1} + 1) unrolled.
        let micros = match manager.get_database_backend() {
            DbBackend::Postgres => "CAST(EXTRACT(EPOCH FROM at) * 1000000 AS BIGINT)",
            // julianday keeps some tens of microseconds; the formula keeps positions increasing.
            _ => "CAST(ROUND((julianday(at) - 2440587.5) * 86400000000.0) AS INTEGER)",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE change_event SET position = numbered.position FROM ( \
                   SELECT id, rn + MAX(us - rn) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) \
                     AS position \
                   FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn, {micros} AS us \
                         FROM change_event) AS dated \
                 ) AS numbered WHERE change_event.id = numbered.id"
            ))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_change_event_position")
                    .table(ChangeEvent::Table)
                    .col(ChangeEvent::Position)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("uq_change_event_position")
                    .table(ChangeEvent::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ChangeEvent::Table)
                    .drop_column(ChangeEvent::Position)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ChangeEvent {
    Table,
    Position,
}
