//! `statement`: a plan's focus areas, challenges and objectives, each list in published order.

use crate::audit::audit_columns;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Statement::Table)
            .col(big_pk_auto(Statement::Id))
            .col(big_integer(Statement::PlanId))
            .col(string_len(Statement::Kind, 10))
            .col(small_integer(Statement::Position))
            .col(string_null(Statement::Title))
            .col(text(Statement::Text))
            .index(
                Index::create()
                    .name("uq_statement_plan_id_kind_position")
                    .col(Statement::PlanId)
                    .col(Statement::Kind)
                    .col(Statement::Position)
                    .unique(),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_statement_plan_id")
                    .from(Statement::Table, Statement::PlanId)
                    .to(Plan::Table, Plan::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(audit_columns(&mut table).take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Statement::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Statement {
    Table,
    Id,
    PlanId,
    Kind,
    Position,
    Title,
    Text,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}
