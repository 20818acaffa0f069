//! `urban_agenda_alias`: other names under which plans cite a partnership, seeded (see
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
                    .table(UrbanAgendaAlias::Table)
                    .col(big_pk_auto(UrbanAgendaAlias::Id))
                    .col(big_integer(UrbanAgendaAlias::PartnershipId))
                    .col(string(UrbanAgendaAlias::Alias))
                    .index(
                        Index::create()
                            .name("uq_urban_agenda_alias_partnership_id_alias")
                            .col(UrbanAgendaAlias::PartnershipId)
                            .col(UrbanAgendaAlias::Alias)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_urban_agenda_alias_partnership_id")
                            .from(UrbanAgendaAlias::Table, UrbanAgendaAlias::PartnershipId)
                            .to(UrbanAgendaPartnership::Table, UrbanAgendaPartnership::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UrbanAgendaAlias::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum UrbanAgendaAlias {
    Table,
    Id,
    PartnershipId,
    Alias,
}

#[derive(DeriveIden)]
enum UrbanAgendaPartnership {
    Table,
    Id,
}
