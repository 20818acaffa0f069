//! `sdg_target`: the 169 SDG targets ("11.a", "17.19"), seeded (see `seed_sdg`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SdgTarget::Table)
                    .col(string_len(SdgTarget::Code, 8).primary_key())
                    .col(small_integer(SdgTarget::GoalNumber))
                    .col(small_integer(SdgTarget::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sdg_target_goal_number")
                            .from(SdgTarget::Table, SdgTarget::GoalNumber)
                            .to(SdgGoal::Table, SdgGoal::Number)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SdgTarget::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SdgTarget {
    Table,
    Code,
    GoalNumber,
    Position,
}

#[derive(DeriveIden)]
enum SdgGoal {
    Table,
    Number,
}
