//! `plan_sdg_target`: the SDG targets a plan cites, optionally under one of its themes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlanSdgTarget::Table)
                    .col(big_integer(PlanSdgTarget::PlanId))
                    .col(string_len(PlanSdgTarget::TargetCode, 8))
                    .col(big_integer_null(PlanSdgTarget::ThemeId))
                    .col(string_null(PlanSdgTarget::PublishedText))
                    .primary_key(
                        Index::create()
                            .name("pk_plan_sdg_target")
                            .col(PlanSdgTarget::PlanId)
                            .col(PlanSdgTarget::TargetCode),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_sdg_target_plan_id")
                            .from(PlanSdgTarget::Table, PlanSdgTarget::PlanId)
                            .to(Plan::Table, Plan::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_sdg_target_target_code")
                            .from(PlanSdgTarget::Table, PlanSdgTarget::TargetCode)
                            .to(SdgTarget::Table, SdgTarget::Code)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_sdg_target_theme_id")
                            .from(PlanSdgTarget::Table, PlanSdgTarget::ThemeId)
                            .to(Theme::Table, Theme::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_sdg_target_target_code")
                    .table(PlanSdgTarget::Table)
                    .col(PlanSdgTarget::TargetCode)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlanSdgTarget::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PlanSdgTarget {
    Table,
    PlanId,
    TargetCode,
    ThemeId,
    PublishedText,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SdgTarget {
    Table,
    Code,
}

#[derive(DeriveIden)]
enum Theme {
    Table,
    Id,
}
