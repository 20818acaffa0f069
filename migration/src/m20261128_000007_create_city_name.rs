//! `city_name`: the other names of a city (native script, romanisations, aliases), for matching.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CityName::Table)
                    .col(big_pk_auto(CityName::Id))
                    .col(big_integer(CityName::CityId))
                    .col(string(CityName::Name))
                    .col(string_null(CityName::Script))
                    .col(string_len(CityName::Kind, 10))
                    .index(
                        Index::create()
                            .name("uq_city_name_city_id_name")
                            .col(CityName::CityId)
                            .col(CityName::Name)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_city_name_city_id")
                            .from(CityName::Table, CityName::CityId)
                            .to(City::Table, City::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CityName::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CityName {
    Table,
    Id,
    CityId,
    Name,
    Script,
    Kind,
}

#[derive(DeriveIden)]
enum City {
    Table,
    Id,
}
