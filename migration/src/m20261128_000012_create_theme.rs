//! `theme`: the numbered themes of a plan's cooperation.

use crate::audit::audit_columns;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Theme::Table)
            .col(big_pk_auto(Theme::Id))
            .col(big_integer(Theme::PlanId))
            .col(small_integer(Theme::Position))
            .col(string(Theme::Title))
            .col(text_null(Theme::Description))
            .index(
                Index::create()
                    .name("uq_theme_plan_id_position")
                    .col(Theme::PlanId)
                    .col(Theme::Position)
                    .unique(),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_theme_plan_id")
                    .from(Theme::Table, Theme::PlanId)
                    .to(Plan::Table, Plan::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(audit_columns(&mut table).take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Theme::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Theme {
    Table,
    Id,
    PlanId,
    Position,
    Title,
    Description,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}
