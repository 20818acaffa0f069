//! `expected_result_city`: the cities an expected result involves.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExpectedResultCity::Table)
                    .col(big_integer(ExpectedResultCity::ExpectedResultId))
                    .col(big_integer(ExpectedResultCity::CityId))
                    .primary_key(
                        Index::create()
                            .name("pk_expected_result_city")
                            .col(ExpectedResultCity::ExpectedResultId)
                            .col(ExpectedResultCity::CityId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_expected_result_city_expected_result_id")
                            .from(
                                ExpectedResultCity::Table,
                                ExpectedResultCity::ExpectedResultId,
                            )
                            .to(ExpectedResult::Table, ExpectedResult::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_expected_result_city_city_id")
                            .from(ExpectedResultCity::Table, ExpectedResultCity::CityId)
                            .to(City::Table, City::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_expected_result_city_city_id")
                    .table(ExpectedResultCity::Table)
                    .col(ExpectedResultCity::CityId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ExpectedResultCity::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ExpectedResultCity {
    Table,
    ExpectedResultId,
    CityId,
}

#[derive(DeriveIden)]
enum ExpectedResult {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum City {
    Table,
    Id,
}
