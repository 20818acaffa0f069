//! `expected_result_organization`: the organizations an expected result involves.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExpectedResultOrganization::Table)
                    .col(big_integer(ExpectedResultOrganization::ExpectedResultId))
                    .col(big_integer(ExpectedResultOrganization::OrganizationId))
                    .primary_key(
                        Index::create()
                            .name("pk_expected_result_organization")
                            .col(ExpectedResultOrganization::ExpectedResultId)
                            .col(ExpectedResultOrganization::OrganizationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_expected_result_organization_expected_result_id")
                            .from(
                                ExpectedResultOrganization::Table,
                                ExpectedResultOrganization::ExpectedResultId,
                            )
                            .to(ExpectedResult::Table, ExpectedResult::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_expected_result_organization_organization_id")
                            .from(
                                ExpectedResultOrganization::Table,
                                ExpectedResultOrganization::OrganizationId,
                            )
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_expected_result_organization_organization_id")
                    .table(ExpectedResultOrganization::Table)
                    .col(ExpectedResultOrganization::OrganizationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(ExpectedResultOrganization::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ExpectedResultOrganization {
    Table,
    ExpectedResultId,
    OrganizationId,
}

#[derive(DeriveIden)]
enum ExpectedResult {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}
