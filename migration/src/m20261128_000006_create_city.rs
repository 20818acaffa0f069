//! `city`: the places of the programme (cities, regions, districts, …), with gazetteer facts.

use crate::audit::audit_columns;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(City::Table)
            .col(big_pk_auto(City::Id))
            .col(string(City::Name))
            .col(string_null(City::NativeName))
            .col(string(City::NameKey))
            .col(string_len(City::Kind, 20))
            .col(string_null(City::Region))
            .col(char_len_null(City::CountryCode, 2))
            .col(big_integer_null(City::GeonamesId))
            .col(double_null(City::Latitude))
            .col(double_null(City::Longitude))
            .col(big_integer_null(City::Population))
            .col(string_null(City::PopulationText))
            .col(small_integer_null(City::PopulationYear))
            .col(string_null(City::PopulationSource))
            .col(decimal_len_null(City::AreaKm2, 14, 3))
            .col(string_null(City::AreaText))
            .index(
                Index::create()
                    .name("uq_city_name_key_country_code")
                    .col(City::NameKey)
                    .col(City::CountryCode)
                    .unique(),
            )
            .index(
                Index::create()
                    .name("uq_city_geonames_id")
                    .col(City::GeonamesId)
                    .unique(),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_city_country_code")
                    .from(City::Table, City::CountryCode)
                    .to(Country::Table, Country::Code)
                    .on_delete(ForeignKeyAction::Restrict),
            );
        manager
            .create_table(audit_columns(&mut table).take())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_city_country_code")
                    .table(City::Table)
                    .col(City::CountryCode)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(City::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum City {
    Table,
    Id,
    Name,
    NativeName,
    NameKey,
    Kind,
    Region,
    CountryCode,
    GeonamesId,
    Latitude,
    Longitude,
    Population,
    PopulationText,
    PopulationYear,
    PopulationSource,
    AreaKm2,
    AreaText,
}

#[derive(DeriveIden)]
enum Country {
    Table,
    Code,
}
