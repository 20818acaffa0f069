//! `mou`: a memorandum of understanding, shared by the plans that report it and recognised by its
//! fingerprint (sorted parties + subject key).

use crate::audit::audit_columns;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Mou::Table)
            .col(big_pk_auto(Mou::Id))
            .col(string(Mou::Subject))
            .col(string_len(Mou::Status, 12))
            .col(date_null(Mou::SignedOn))
            .col(string_null(Mou::DocumentUrl))
            .col(string(Mou::Fingerprint))
            .index(
                Index::create()
                    .name("uq_mou_fingerprint")
                    .col(Mou::Fingerprint)
                    .unique(),
            );
        manager
            .create_table(audit_columns(&mut table).take())
            .await?;
        for (name, column) in [
            ("idx_mou_status", Mou::Status),
            ("idx_mou_signed_on", Mou::SignedOn),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Mou::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Mou::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Mou {
    Table,
    Id,
    Subject,
    Status,
    SignedOn,
    DocumentUrl,
    Fingerprint,
}
