//! `plan_partner_city`: the partner cities of a plan, in published order.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlanPartnerCity::Table)
                    .col(big_integer(PlanPartnerCity::PlanId))
                    .col(big_integer(PlanPartnerCity::CityId))
                    .col(small_integer(PlanPartnerCity::Position))
                    .primary_key(
                        Index::create()
                            .name("pk_plan_partner_city")
                            .col(PlanPartnerCity::PlanId)
                            .col(PlanPartnerCity::CityId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_partner_city_plan_id")
                            .from(PlanPartnerCity::Table, PlanPartnerCity::PlanId)
                            .to(Plan::Table, Plan::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plan_partner_city_city_id")
                            .from(PlanPartnerCity::Table, PlanPartnerCity::CityId)
                            .to(City::Table, City::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_partner_city_city_id")
                    .table(PlanPartnerCity::Table)
                    .col(PlanPartnerCity::CityId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlanPartnerCity::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PlanPartnerCity {
    Table,
    PlanId,
    CityId,
    Position,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum City {
    Table,
    Id,
}
