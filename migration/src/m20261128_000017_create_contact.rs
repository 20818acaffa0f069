//! `contact`: the e-mail addresses a plan publishes.

use crate::audit::audit_columns;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Contact::Table)
            .col(big_pk_auto(Contact::Id))
            .col(big_integer(Contact::PlanId))
            .col(string(Contact::Email))
            .col(string_null(Contact::Label))
            .index(
                Index::create()
                    .name("uq_contact_plan_id_email")
                    .col(Contact::PlanId)
                    .col(Contact::Email)
                    .unique(),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_contact_plan_id")
                    .from(Contact::Table, Contact::PlanId)
                    .to(Plan::Table, Plan::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(audit_columns(&mut table).take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Contact::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Contact {
    Table,
    Id,
    PlanId,
    Email,
    Label,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}
