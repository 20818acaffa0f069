//! `activity`: a cooperation activity (mission, meeting, workshop, …), shared by every plan that reports
//! it and recognised across summaries by its fingerprint.

use crate::audit::audit_columns;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Activity::Table)
            .col(big_pk_auto(Activity::Id))
            .col(string(Activity::Title))
            .col(text_null(Activity::Description))
            .col(string_len(Activity::Kind, 14))
            .col(string_null(Activity::DateText))
            .col(string_len_null(Activity::DatePrecision, 8))
            .col(date_null(Activity::DateStart))
            .col(date_null(Activity::DateEnd))
            .col(string_null(Activity::PlaceText))
            .col(big_integer_null(Activity::PlaceCityId))
            .col(string(Activity::Fingerprint))
            .index(
                Index::create()
                    .name("uq_activity_fingerprint")
                    .col(Activity::Fingerprint)
                    .unique(),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_activity_place_city_id")
                    .from(Activity::Table, Activity::PlaceCityId)
                    .to(City::Table, City::Id)
                    .on_delete(ForeignKeyAction::Restrict),
            );
        manager
            .create_table(audit_columns(&mut table).take())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_activity_date_start_date_end")
                    .table(Activity::Table)
                    .col(Activity::DateStart)
                    .col(Activity::DateEnd)
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_activity_kind", Activity::Kind),
            ("idx_activity_place_city_id", Activity::PlaceCityId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Activity::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Activity::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Activity {
    Table,
    Id,
    Title,
    Description,
    Kind,
    DateText,
    DatePrecision,
    DateStart,
    DateEnd,
    PlaceText,
    PlaceCityId,
    Fingerprint,
}

#[derive(DeriveIden)]
enum City {
    Table,
    Id,
}
