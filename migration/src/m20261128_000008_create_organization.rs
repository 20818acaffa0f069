//! `organization`: the institutions through which cities act (municipalities, universities, …).

use crate::audit::audit_columns;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Organization::Table)
            .col(big_pk_auto(Organization::Id))
            .col(string(Organization::Name))
            .col(string(Organization::NameKey))
            .col(string_len(Organization::Kind, 14))
            .col(big_integer_null(Organization::CityId))
            .col(string_null(Organization::Website))
            .index(
                Index::create()
                    .name("uq_organization_name_key")
                    .col(Organization::NameKey)
                    .unique(),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_organization_city_id")
                    .from(Organization::Table, Organization::CityId)
                    .to(City::Table, City::Id)
                    .on_delete(ForeignKeyAction::Restrict),
            );
        manager
            .create_table(audit_columns(&mut table).take())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_organization_city_id")
                    .table(Organization::Table)
                    .col(Organization::CityId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Organization::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
    Name,
    NameKey,
    Kind,
    CityId,
    Website,
}

#[derive(DeriveIden)]
enum City {
    Table,
    Id,
}
