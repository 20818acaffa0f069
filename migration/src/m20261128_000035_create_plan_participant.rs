//! `plan_participant`: the organizations that take part in a plan, and how. A token of such an
//! organization reads the plan's non-public data (and, as an editor, writes its records).

use crate::audit::audit_columns;
use crate::data_version::{unwatch, watch};
use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(PlanParticipant::Table)
            .col(big_integer(PlanParticipant::PlanId))
            .col(big_integer(PlanParticipant::OrganizationId))
            .col(string_len(PlanParticipant::Role, 16))
            .primary_key(
                Index::create()
                    .name("pk_plan_participant")
                    .col(PlanParticipant::PlanId)
                    .col(PlanParticipant::OrganizationId),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_plan_participant_plan_id")
                    .from(PlanParticipant::Table, PlanParticipant::PlanId)
                    .to(Plan::Table, Plan::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_plan_participant_organization_id")
                    .from(PlanParticipant::Table, PlanParticipant::OrganizationId)
                    .to(Organization::Table, Organization::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager
            .create_table(audit_columns(&mut table).take())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_participant_organization_id")
                    .table(PlanParticipant::Table)
                    .col(PlanParticipant::OrganizationId)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for sql in watch(manager.get_database_backend(), "plan_participant") {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in unwatch(manager.get_database_backend(), "plan_participant") {
            db.execute_unprepared(&sql).await?;
        }
        manager
            .drop_table(Table::drop().table(PlanParticipant::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PlanParticipant {
    Table,
    PlanId,
    OrganizationId,
    Role,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}
