//! What writes through the API need besides the data: idempotency keys (a retried create returns
//! the record the first attempt made), the organizations of an audit entry's actor, and the change
//! feed (`change_event`, with the plans each change concerns in `change_event_plan`), whose ids
//! follow commit order because writers take a transaction lock before appending to it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(big_pk_auto(IdempotencyKey::Id))
                    .col(big_integer(IdempotencyKey::TokenId))
                    .col(string_len(IdempotencyKey::Key, 200))
                    .col(string_len(IdempotencyKey::Operation, 60))
                    .col(text(IdempotencyKey::Request))
                    .col(string_len(IdempotencyKey::RecordKind, 40))
                    .col(big_integer(IdempotencyKey::RecordId))
                    .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_idempotency_key_token_id_key")
                    .table(IdempotencyKey::Table)
                    .col(IdempotencyKey::TokenId)
                    .col(IdempotencyKey::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvent::Table)
                    .add_column(text_null(AuditEvent::ActorOrganizations))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChangeEvent::Table)
                    .col(big_pk_auto(ChangeEvent::Id))
                    .col(timestamp_with_time_zone(ChangeEvent::At))
                    .col(string_len(ChangeEvent::RecordKind, 40))
                    .col(big_integer(ChangeEvent::RecordId))
                    .col(string_len(ChangeEvent::Operation, 10))
                    .col(boolean(ChangeEvent::Public))
                    .col(text(ChangeEvent::Fields))
                    .col(big_integer_null(ChangeEvent::AuditEventId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_change_event_record")
                    .table(ChangeEvent::Table)
                    .col(ChangeEvent::RecordKind)
                    .col(ChangeEvent::RecordId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChangeEventPlan::Table)
                    .col(big_integer(ChangeEventPlan::ChangeEventId))
                    .col(big_integer(ChangeEventPlan::PlanId))
                    .primary_key(
                        Index::create()
                            .name("pk_change_event_plan")
                            .col(ChangeEventPlan::ChangeEventId)
                            .col(ChangeEventPlan::PlanId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_change_event_plan_change_event_id")
                            .from(ChangeEventPlan::Table, ChangeEventPlan::ChangeEventId)
                            .to(ChangeEvent::Table, ChangeEvent::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_change_event_plan_plan_id")
                    .table(ChangeEventPlan::Table)
                    .col(ChangeEventPlan::PlanId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ChangeEventPlan::Table.into_iden(),
            ChangeEvent::Table.into_iden(),
            IdempotencyKey::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvent::Table)
                    .drop_column(AuditEvent::ActorOrganizations)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    Id,
    TokenId,
    Key,
    Operation,
    Request,
    RecordKind,
    RecordId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    ActorOrganizations,
}

#[derive(DeriveIden)]
enum ChangeEvent {
    Table,
    Id,
    At,
    RecordKind,
    RecordId,
    Operation,
    Public,
    Fields,
    AuditEventId,
}

#[derive(DeriveIden)]
enum ChangeEventPlan {
    Table,
    ChangeEventId,
    PlanId,
}
