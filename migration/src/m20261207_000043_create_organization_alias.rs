//! `organization_alias`: another name of an organization, recorded when a duplicate is merged into
//! it, so the importer resolves that name to the kept organization. A name key is one
//! organization's alias at most.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrganizationAlias::Table)
                    .col(big_pk_auto(OrganizationAlias::Id))
                    .col(big_integer(OrganizationAlias::OrganizationId))
                    .col(string(OrganizationAlias::Name))
                    .col(string_uniq(OrganizationAlias::NameKey))
                    .col(timestamp_with_time_zone(OrganizationAlias::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organization_alias_organization_id")
                            .from(OrganizationAlias::Table, OrganizationAlias::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_organization_alias_organization_id")
                    .table(OrganizationAlias::Table)
                    .col(OrganizationAlias::OrganizationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OrganizationAlias::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum OrganizationAlias {
    Table,
    Id,
    OrganizationId,
    Name,
    NameKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}
