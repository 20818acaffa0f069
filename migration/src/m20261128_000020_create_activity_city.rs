//! `activity_city`: the cities that took part in an activity.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActivityCity::Table)
                    .col(big_integer(ActivityCity::ActivityId))
                    .col(big_integer(ActivityCity::CityId))
                    .primary_key(
                        Index::create()
                            .name("pk_activity_city")
                            .col(ActivityCity::ActivityId)
                            .col(ActivityCity::CityId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_activity_city_activity_id")
                            .from(ActivityCity::Table, ActivityCity::ActivityId)
                            .to(Activity::Table, Activity::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_activity_city_city_id")
                            .from(ActivityCity::Table, ActivityCity::CityId)
                            .to(City::Table, City::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_activity_city_city_id")
                    .table(ActivityCity::Table)
                    .col(ActivityCity::CityId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ActivityCity::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ActivityCity {
    Table,
    ActivityId,
    CityId,
}

#[derive(DeriveIden)]
enum Activity {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum City {
    Table,
    Id,
}
