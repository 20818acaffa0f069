//! `mou_party`: the parties of an MoU in published order; each is a city or an organization.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MouParty::Table)
                    .col(big_pk_auto(MouParty::Id))
                    .col(big_integer(MouParty::MouId))
                    .col(small_integer(MouParty::Position))
                    .col(big_integer_null(MouParty::CityId))
                    .col(big_integer_null(MouParty::OrganizationId))
                    // Exactly one of the two: a party is either a city or an organization.
                    .check(Check::named(
                        "ck_mou_party_city_or_organization",
                        Expr::col(MouParty::CityId)
                            .is_not_null()
                            .and(Expr::col(MouParty::OrganizationId).is_null())
                            .or(Expr::col(MouParty::CityId)
                                .is_null()
                                .and(Expr::col(MouParty::OrganizationId).is_not_null())),
                    ))
                    .index(
                        Index::create()
                            .name("uq_mou_party_mou_id_position")
                            .col(MouParty::MouId)
                            .col(MouParty::Position)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mou_party_mou_id")
                            .from(MouParty::Table, MouParty::MouId)
                            .to(Mou::Table, Mou::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mou_party_city_id")
                            .from(MouParty::Table, MouParty::CityId)
                            .to(City::Table, City::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mou_party_organization_id")
                            .from(MouParty::Table, MouParty::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_mou_party_city_id", MouParty::CityId),
            ("idx_mou_party_organization_id", MouParty::OrganizationId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(MouParty::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MouParty::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum MouParty {
    Table,
    Id,
    MouId,
    Position,
    CityId,
    OrganizationId,
}

#[derive(DeriveIden)]
enum Mou {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum City {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}
