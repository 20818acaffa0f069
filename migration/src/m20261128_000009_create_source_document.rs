//! `source_document`: an imported summary file, recognised by its SHA-256 so a re-import is idempotent.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SourceDocument::Table)
                    .col(big_pk_auto(SourceDocument::Id))
                    .col(string(SourceDocument::FileName))
                    .col(char_len(SourceDocument::Sha256, 64))
                    .col(big_integer(SourceDocument::ByteSize))
                    .col(string(SourceDocument::Format))
                    .col(
                        timestamp_with_time_zone(SourceDocument::ImportedAt)
                            .default(Expr::current_timestamp()),
                    )
                    .index(
                        Index::create()
                            .name("uq_source_document_sha256")
                            .col(SourceDocument::Sha256)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SourceDocument::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SourceDocument {
    Table,
    Id,
    FileName,
    Sha256,
    ByteSize,
    Format,
    ImportedAt,
}
