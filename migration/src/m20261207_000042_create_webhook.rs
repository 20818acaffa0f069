//! `webhook_endpoint`, `webhook_delivery` and `webhook_attempt`: partner endpoints that receive the
//! change feed by push, the outbox of deliveries written with each change (so a crash between
//! commit and delivery loses nothing), and the log of every attempt.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoint::Table)
                    .col(big_pk_auto(WebhookEndpoint::Id))
                    .col(big_integer(WebhookEndpoint::OrganizationId))
                    .col(string_len(WebhookEndpoint::Url, 2000))
                    .col(string_len(WebhookEndpoint::Description, 500))
                    .col(text(WebhookEndpoint::EventTypes))
                    .col(big_integer_null(WebhookEndpoint::PlanId))
                    .col(string_len(WebhookEndpoint::Secret, 100))
                    .col(string_len_null(WebhookEndpoint::PreviousSecret, 100))
                    .col(timestamp_with_time_zone_null(
                        WebhookEndpoint::PreviousSecretUntil,
                    ))
                    .col(boolean(WebhookEndpoint::Enabled))
                    .col(text_null(WebhookEndpoint::DisabledReason))
                    .col(timestamp_with_time_zone(WebhookEndpoint::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookEndpoint::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_endpoint_organization_id")
                            .from(WebhookEndpoint::Table, WebhookEndpoint::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_endpoint_plan_id")
                            .from(WebhookEndpoint::Table, WebhookEndpoint::PlanId)
                            .to(Plan::Table, Plan::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .col(big_pk_auto(WebhookDelivery::Id))
                    .col(big_integer(WebhookDelivery::EndpointId))
                    .col(big_integer(WebhookDelivery::ChangeEventId))
                    .col(string_len(WebhookDelivery::Status, 16))
                    .col(integer(WebhookDelivery::Attempts).default(0))
                    .col(timestamp_with_time_zone(WebhookDelivery::NextAttemptAt))
                    .col(text_null(WebhookDelivery::Body))
                    .col(timestamp_with_time_zone(WebhookDelivery::CreatedAt))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::FailingSince))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::FinishedAt))
                    .col(text_null(WebhookDelivery::LastError))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_delivery_endpoint_id")
                            .from(WebhookDelivery::Table, WebhookDelivery::EndpointId)
                            .to(WebhookEndpoint::Table, WebhookEndpoint::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_delivery_change_event_id")
                            .from(WebhookDelivery::Table, WebhookDelivery::ChangeEventId)
                            .to(ChangeEvent::Table, ChangeEvent::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // An endpoint's head of line (its oldest pending delivery) and the due deliveries.
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_endpoint_status")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::EndpointId)
                    .col(WebhookDelivery::Status)
                    .col(WebhookDelivery::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_status_next")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::Status)
                    .col(WebhookDelivery::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempt::Table)
                    .col(big_pk_auto(WebhookAttempt::Id))
                    .col(big_integer(WebhookAttempt::DeliveryId))
                    .col(integer(WebhookAttempt::Attempt))
                    .col(timestamp_with_time_zone(WebhookAttempt::At))
                    .col(integer_null(WebhookAttempt::StatusCode))
                    .col(big_integer(WebhookAttempt::LatencyMs))
                    .col(text_null(WebhookAttempt::Error))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_attempt_delivery_id")
                            .from(WebhookAttempt::Table, WebhookAttempt::DeliveryId)
                            .to(WebhookDelivery::Table, WebhookDelivery::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_attempt_delivery_id")
                    .table(WebhookAttempt::Table)
                    .col(WebhookAttempt::DeliveryId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookAttempt::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(WebhookDelivery::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(WebhookEndpoint::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum WebhookEndpoint {
    Table,
    Id,
    OrganizationId,
    Url,
    Description,
    EventTypes,
    PlanId,
    Secret,
    PreviousSecret,
    PreviousSecretUntil,
    Enabled,
    DisabledReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    EndpointId,
    ChangeEventId,
    Status,
    Attempts,
    NextAttemptAt,
    Body,
    CreatedAt,
    FailingSince,
    FinishedAt,
    LastError,
}

#[derive(DeriveIden)]
enum WebhookAttempt {
    Table,
    Id,
    DeliveryId,
    Attempt,
    At,
    StatusCode,
    LatencyMs,
    Error,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ChangeEvent {
    Table,
    Id,
}
