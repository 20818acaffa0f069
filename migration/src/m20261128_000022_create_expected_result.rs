//! `expected_result`: the outcomes a plan expects (MoUs, joint projects, …), in published order.

use crate::audit::audit_columns;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(ExpectedResult::Table)
            .col(big_pk_auto(ExpectedResult::Id))
            .col(big_integer(ExpectedResult::PlanId))
            .col(small_integer(ExpectedResult::Position))
            .col(string_len(ExpectedResult::Kind, 16))
            .col(text(ExpectedResult::Description))
            .index(
                Index::create()
                    .name("uq_expected_result_plan_id_position")
                    .col(ExpectedResult::PlanId)
                    .col(ExpectedResult::Position)
                    .unique(),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_expected_result_plan_id")
                    .from(ExpectedResult::Table, ExpectedResult::PlanId)
                    .to(Plan::Table, Plan::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(audit_columns(&mut table).take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ExpectedResult::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ExpectedResult {
    Table,
    Id,
    PlanId,
    Position,
    Kind,
    Description,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}
