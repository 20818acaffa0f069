//! `data_issue`: data-quality findings about a plan or its parts. The natural key (plan_id, entity,
//! entity_id, field, code) is enforced by the importer: its NULLs would make a unique constraint useless.

use crate::audit::audit_columns;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(DataIssue::Table)
            .col(big_pk_auto(DataIssue::Id))
            .col(big_integer_null(DataIssue::PlanId))
            .col(string_len(DataIssue::Entity, 16))
            .col(big_integer_null(DataIssue::EntityId))
            .col(string(DataIssue::Field))
            .col(string_len(DataIssue::Severity, 8))
            .col(string(DataIssue::Code))
            .col(text(DataIssue::Message))
            .col(text_null(DataIssue::PublishedValue))
            .col(boolean(DataIssue::Internal).default(false))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_data_issue_plan_id")
                    .from(DataIssue::Table, DataIssue::PlanId)
                    .to(Plan::Table, Plan::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager
            .create_table(audit_columns(&mut table).take())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_data_issue_plan_id")
                    .table(DataIssue::Table)
                    .col(DataIssue::PlanId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DataIssue::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DataIssue {
    Table,
    Id,
    PlanId,
    Entity,
    EntityId,
    Field,
    Severity,
    Code,
    Message,
    PublishedValue,
    Internal,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}
