//! `plan_sdg_goal`: the SDGs a plan cites, optionally under one of its themes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlanSdgGoal::Table)
                    .col(big_integer(PlanSdgGoal::PlanId))
                    .col(small_integer(PlanSdgGoal::GoalNumber))
                    .col(big_integer_null(PlanSdgGoal::ThemeId))
                    .col(string_null(PlanSdgGoal::PublishedText))
                    .primary_key(
                        Index::create()
                            .name("pk_plan_sdg_goal")
                            .col(PlanSdgGoal::PlanId)
                            .col(PlanSdgGoal::GoalNumber),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_sdg_goal_plan_id")
                            .from(PlanSdgGoal::Table, PlanSdgGoal::PlanId)
                            .to(Plan::Table, Plan::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_sdg_goal_goal_number")
                            .from(PlanSdgGoal::Table, PlanSdgGoal::GoalNumber)
                            .to(SdgGoal::Table, SdgGoal::Number)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_sdg_goal_theme_id")
                            .from(PlanSdgGoal::Table, PlanSdgGoal::ThemeId)
                            .to(Theme::Table, Theme::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_sdg_goal_goal_number")
                    .table(PlanSdgGoal::Table)
                    .col(PlanSdgGoal::GoalNumber)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlanSdgGoal::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PlanSdgGoal {
    Table,
    PlanId,
    GoalNumber,
    ThemeId,
    PublishedText,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SdgGoal {
    Table,
    Number,
}

#[derive(DeriveIden)]
enum Theme {
    Table,
    Id,
}
