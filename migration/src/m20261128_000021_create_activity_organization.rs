//! `activity_organization`: the organizations that took part in an activity.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActivityOrganization::Table)
                    .col(big_integer(ActivityOrganization::ActivityId))
                    .col(big_integer(ActivityOrganization::OrganizationId))
                    .primary_key(
                        Index::create()
                            .name("pk_activity_organization")
                            .col(ActivityOrganization::ActivityId)
                            .col(ActivityOrganization::OrganizationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_activity_organization_activity_id")
                            .from(
                                ActivityOrganization::Table,
                                ActivityOrganization::ActivityId,
                            )
                            .to(Activity::Table, Activity::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_activity_organization_organization_id")
                            .from(
                                ActivityOrganization::Table,
                                ActivityOrganization::OrganizationId,
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
                    .name("idx_activity_organization_organization_id")
                    .table(ActivityOrganization::Table)
                    .col(ActivityOrganization::OrganizationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ActivityOrganization::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ActivityOrganization {
    Table,
    ActivityId,
    OrganizationId,
}

#[derive(DeriveIden)]
enum Activity {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}
