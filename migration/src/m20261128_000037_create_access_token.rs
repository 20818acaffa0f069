//! `access_token` and `access_token_organization`: the record of every issued token (never the
//! token or its hash: a token is recognised by its signed `jti`), the organizations it acts for,
//! and its lifecycle (expiry, last use, revocation, rotation).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccessToken::Table)
                    .col(big_pk_auto(AccessToken::Id))
                    .col(string_len(AccessToken::Jti, 64))
                    .col(string_len(AccessToken::Label, 200))
                    .col(string_len(AccessToken::Role, 10))
                    .col(big_integer_null(AccessToken::IssuedById))
                    .col(string_len(AccessToken::IssuedByName, 200))
                    .col(timestamp_with_time_zone(AccessToken::CreatedAt))
                    .col(timestamp_with_time_zone(AccessToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AccessToken::LastUsedAt))
                    .col(timestamp_with_time_zone_null(AccessToken::RevokedAt))
                    .col(big_integer_null(AccessToken::ReplacedById))
                    .index(
                        Index::create()
                            .name("uq_access_token_jti")
                            .col(AccessToken::Jti)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_access_token_issued_by_id")
                            .from(AccessToken::Table, AccessToken::IssuedById)
                            .to(AccessToken::Table, AccessToken::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_access_token_replaced_by_id")
                            .from(AccessToken::Table, AccessToken::ReplacedById)
                            .to(AccessToken::Table, AccessToken::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccessTokenOrganization::Table)
                    .col(big_integer(AccessTokenOrganization::TokenId))
                    .col(big_integer(AccessTokenOrganization::OrganizationId))
                    .primary_key(
                        Index::create()
                            .name("pk_access_token_organization")
                            .col(AccessTokenOrganization::TokenId)
                            .col(AccessTokenOrganization::OrganizationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_access_token_organization_token_id")
                            .from(
                                AccessTokenOrganization::Table,
                                AccessTokenOrganization::TokenId,
                            )
                            .to(AccessToken::Table, AccessToken::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_access_token_organization_organization_id")
                            .from(
                                AccessTokenOrganization::Table,
                                AccessTokenOrganization::OrganizationId,
                            )
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_access_token_organization_organization_id")
                    .table(AccessTokenOrganization::Table)
                    .col(AccessTokenOrganization::OrganizationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(AccessTokenOrganization::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(AccessToken::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AccessToken {
    Table,
    Id,
    Jti,
    Label,
    Role,
    IssuedById,
    IssuedByName,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
    ReplacedById,
}

#[derive(DeriveIden)]
enum AccessTokenOrganization {
    Table,
    TokenId,
    OrganizationId,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}
