//! `plan_urban_agenda`: the Urban Agenda partnerships a plan cites, optionally under one of its themes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlanUrbanAgenda::Table)
                    .col(big_integer(PlanUrbanAgenda::PlanId))
                    .col(big_integer(PlanUrbanAgenda::PartnershipId))
                    .col(big_integer_null(PlanUrbanAgenda::ThemeId))
                    .col(string_null(PlanUrbanAgenda::PublishedText))
                    .primary_key(
                        Index::create()
                            .name("pk_plan_urban_agenda")
                            .col(PlanUrbanAgenda::PlanId)
                            .col(PlanUrbanAgenda::PartnershipId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_urban_agenda_plan_id")
                            .from(PlanUrbanAgenda::Table, PlanUrbanAgenda::PlanId)
                            .to(Plan::Table, Plan::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_urban_agenda_partnership_id")
                            .from(PlanUrbanAgenda::Table, PlanUrbanAgenda::PartnershipId)
                            .to(UrbanAgendaPartnership::Table, UrbanAgendaPartnership::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_urban_agenda_theme_id")
                            .from(PlanUrbanAgenda::Table, PlanUrbanAgenda::ThemeId)
                            .to(Theme::Table, Theme::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_urban_agenda_partnership_id")
                    .table(PlanUrbanAgenda::Table)
                    .col(PlanUrbanAgenda::PartnershipId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlanUrbanAgenda::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PlanUrbanAgenda {
    Table,
    PlanId,
    PartnershipId,
    ThemeId,
    PublishedText,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum UrbanAgendaPartnership {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Theme {
    Table,
    Id,
}
