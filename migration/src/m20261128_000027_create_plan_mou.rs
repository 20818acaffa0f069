//! `plan_mou`: which plans report an MoU, optionally as the fulfilment of one of their expected results.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlanMou::Table)
                    .col(big_integer(PlanMou::PlanId))
                    .col(big_integer(PlanMou::MouId))
                    .col(big_integer_null(PlanMou::ExpectedResultId))
                    .primary_key(
                        Index::create()
                            .name("pk_plan_mou")
                            .col(PlanMou::PlanId)
                            .col(PlanMou::MouId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_mou_plan_id")
                            .from(PlanMou::Table, PlanMou::PlanId)
                            .to(Plan::Table, Plan::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_mou_mou_id")
                            .from(PlanMou::Table, PlanMou::MouId)
                            .to(Mou::Table, Mou::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_mou_expected_result_id")
                            .from(PlanMou::Table, PlanMou::ExpectedResultId)
                            .to(ExpectedResult::Table, ExpectedResult::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_mou_mou_id")
                    .table(PlanMou::Table)
                    .col(PlanMou::MouId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlanMou::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PlanMou {
    Table,
    PlanId,
    MouId,
    ExpectedResultId,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Mou {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ExpectedResult {
    Table,
    Id,
}
