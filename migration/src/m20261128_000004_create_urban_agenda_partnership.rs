//! `urban_agenda_partnership`: the partnerships of the Urban Agenda for the EU, seeded (see
//! `seed_urban_agenda`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UrbanAgendaPartnership::Table)
                    .col(big_pk_auto(UrbanAgendaPartnership::Id))
                    .col(string(UrbanAgendaPartnership::Key))
                    .col(string(UrbanAgendaPartnership::Name))
                    .col(small_integer(UrbanAgendaPartnership::LaunchedYear))
                    .index(
                        Index::create()
                            .name("uq_urban_agenda_partnership_key")
                            .col(UrbanAgendaPartnership::Key)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(UrbanAgendaPartnership::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum UrbanAgendaPartnership {
    Table,
    Id,
    Key,
    Name,
    LaunchedYear,
}
