//! `country`: the ISO 3166-1 code list, seeded from the gazetteer (see `seed_countries`). `numeric` is
//! nullable because Kosovo (XK) has a user-assigned alpha code but no numeric one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Country::Table)
                    .col(char_len(Country::Code, 2).primary_key())
                    .col(char_len(Country::Alpha3, 3))
                    .col(char_len_null(Country::Numeric, 3))
                    .col(string(Country::Name))
                    .col(string_null(Country::OfficialName))
                    .col(string_null(Country::Region))
                    .col(string_null(Country::Continent))
                    .index(
                        Index::create()
                            .name("uq_country_alpha3")
                            .col(Country::Alpha3)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Country::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Country {
    Table,
    Code,
    Alpha3,
    Numeric,
    Name,
    OfficialName,
    Region,
    Continent,
}
