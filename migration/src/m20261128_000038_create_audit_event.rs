//! `audit_event`: who did what, when — token actions now, every write later. Append-only; the actor
//! is kept by name too, so an entry outlives the token that made it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(big_pk_auto(AuditEvent::Id))
                    .col(timestamp_with_time_zone(AuditEvent::At))
                    .col(big_integer_null(AuditEvent::ActorTokenId))
                    .col(string_len(AuditEvent::Actor, 200))
                    .col(string_len(AuditEvent::Action, 40))
                    .col(string_len(AuditEvent::TargetKind, 40))
                    .col(big_integer_null(AuditEvent::TargetId))
                    .col(text(AuditEvent::Detail))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_audit_event_at", AuditEvent::At),
            ("idx_audit_event_actor_token_id", AuditEvent::ActorTokenId),
            ("idx_audit_event_target_id", AuditEvent::TargetId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditEvent::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEvent::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    At,
    ActorTokenId,
    Actor,
    Action,
    TargetKind,
    TargetId,
    Detail,
}
