//! `sdg_goal`: the 17 Sustainable Development Goals, seeded (see `seed_sdg`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SdgGoal::Table)
                    .col(small_integer(SdgGoal::Number).primary_key())
                    .col(string(SdgGoal::Title))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SdgGoal::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SdgGoal {
    Table,
    Number,
    Title,
}
