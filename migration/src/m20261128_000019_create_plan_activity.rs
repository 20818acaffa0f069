//! `plan_activity`: which plans report an activity, and where in each plan's list it appears.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlanActivity::Table)
                    .col(big_integer(PlanActivity::PlanId))
                    .col(big_integer(PlanActivity::ActivityId))
                    .col(small_integer(PlanActivity::Position))
                    .primary_key(
                        Index::create()
                            .name("pk_plan_activity")
                            .col(PlanActivity::PlanId)
                            .col(PlanActivity::ActivityId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_activity_plan_id")
                            .from(PlanActivity::Table, PlanActivity::PlanId)
                            .to(Plan::Table, Plan::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_activity_activity_id")
                            .from(PlanActivity::Table, PlanActivity::ActivityId)
                            .to(Activity::Table, Activity::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_activity_activity_id")
                    .table(PlanActivity::Table)
                    .col(PlanActivity::ActivityId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlanActivity::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PlanActivity {
    Table,
    PlanId,
    ActivityId,
    Position,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Activity {
    Table,
    Id,
}
