//! `persisted_operation` and `access_token_persisted_operation`: GraphQL documents registered by
//! admins under the sha256 of their exact text, and the allow-list of a token restricted to some
//! of them (a token without rows runs any document).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PersistedOperation::Table)
                    .col(big_pk_auto(PersistedOperation::Id))
                    .col(string_len(PersistedOperation::Sha256, 64))
                    .col(string_len(PersistedOperation::Name, 200))
                    .col(text(PersistedOperation::Document))
                    .col(timestamp_with_time_zone(PersistedOperation::CreatedAt))
                    .col(big_integer_null(PersistedOperation::CreatedById))
                    .index(
                        Index::create()
                            .name("uq_persisted_operation_sha256")
                            .col(PersistedOperation::Sha256)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_persisted_operation_created_by_id")
                            .from(PersistedOperation::Table, PersistedOperation::CreatedById)
                            .to(AccessToken::Table, AccessToken::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccessTokenPersistedOperation::Table)
                    .col(big_integer(AccessTokenPersistedOperation::TokenId))
                    .col(big_integer(AccessTokenPersistedOperation::OperationId))
                    .primary_key(
                        Index::create()
                            .name("pk_access_token_persisted_operation")
                            .col(AccessTokenPersistedOperation::TokenId)
                            .col(AccessTokenPersistedOperation::OperationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_access_token_persisted_operation_token_id")
                            .from(
                                AccessTokenPersistedOperation::Table,
                                AccessTokenPersistedOperation::TokenId,
                            )
                            .to(AccessToken::Table, AccessToken::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_access_token_persisted_operation_operation_id")
                            .from(
                                AccessTokenPersistedOperation::Table,
                                AccessTokenPersistedOperation::OperationId,
                            )
                            .to(PersistedOperation::Table, PersistedOperation::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_access_token_persisted_operation_operation_id")
                    .table(AccessTokenPersistedOperation::Table)
                    .col(AccessTokenPersistedOperation::OperationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(AccessTokenPersistedOperation::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(PersistedOperation::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PersistedOperation {
    Table,
    Id,
    #[sea_orm(iden = "sha256")]
    Sha256,
    Name,
    Document,
    CreatedAt,
    CreatedById,
}

#[derive(DeriveIden)]
enum AccessTokenPersistedOperation {
    Table,
    TokenId,
    OperationId,
}

#[derive(DeriveIden)]
enum AccessToken {
    Table,
    Id,
}
