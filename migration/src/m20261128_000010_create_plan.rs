//! `plan`: an Urban Cooperation Action Plan of a focal city.

use crate::audit::audit_columns;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Plan::Table)
            .col(big_pk_auto(Plan::Id))
            .col(string(Plan::Slug))
            .col(string(Plan::Title))
            .col(string_len(Plan::Status, 10))
            .col(big_integer(Plan::FocalCityId))
            .col(string_null(Plan::PeriodText))
            .col(string_len_null(Plan::PeriodPrecision, 8))
            .col(date_null(Plan::PeriodStart))
            .col(date_null(Plan::PeriodEnd))
            .col(text_null(Plan::PeriodContext))
            .col(big_integer_null(Plan::SourceDocumentId))
            .index(
                Index::create()
                    .name("uq_plan_slug")
                    .col(Plan::Slug)
                    .unique(),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_plan_focal_city_id")
                    .from(Plan::Table, Plan::FocalCityId)
                    .to(City::Table, City::Id)
                    .on_delete(ForeignKeyAction::Restrict),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_plan_source_document_id")
                    .from(Plan::Table, Plan::SourceDocumentId)
                    .to(SourceDocument::Table, SourceDocument::Id)
                    .on_delete(ForeignKeyAction::Restrict),
            );
        manager
            .create_table(audit_columns(&mut table).take())
            .await?;
        for (name, column) in [
            ("idx_plan_focal_city_id", Plan::FocalCityId),
            ("idx_plan_status", Plan::Status),
            ("idx_plan_period_start", Plan::PeriodStart),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Plan::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Plan::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
    Slug,
    Title,
    Status,
    FocalCityId,
    PeriodText,
    PeriodPrecision,
    PeriodStart,
    PeriodEnd,
    PeriodContext,
    SourceDocumentId,
}

#[derive(DeriveIden)]
enum City {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SourceDocument {
    Table,
    Id,
}
