//! Webhook endpoints for admins: partner institutions receive the change feed by push, as their
//! organization sees it (see `crate::webhook`). Here: the endpoint and delivery-log types and the
//! admin-only queries; the mutations in `mutation`, the payload rendering in `render`.

mod mutation;
mod render;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::db;
use super::ids::{NodeKind, decode_int};
use super::organization::{self, Organization};
use super::pagination::{ById, Conn, PageArgs, paginate};
use super::plan::{self, Plan};
use crate::auth::{Permission, Requires};
use crate::error::ApiResult;
use crate::webhook::{EventTypes, Status, message_id};
use entity::{webhook_attempt, webhook_delivery, webhook_endpoint};

pub use mutation::WebhookMutation;
pub use render::ChangeRenderer;

/// A partner's URL that receives the change feed by push (Standard Webhooks, signed).
#[derive(Clone)]
pub struct WebhookEndpoint(pub webhook_endpoint::Model);

#[Object]
impl WebhookEndpoint {
    /// Global ID.
    async fn id(&self) -> ID {
        NodeKind::WebhookEndpoint.id(self.0.id)
    }
    /// The organization whose view of the data the endpoint receives.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        organization::load(ctx, self.0.organization_id).await
    }
    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// What the endpoint is for.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Event types received (`activity.created` …); empty: every event.
    async fn event_types(&self) -> Vec<String> {
        EventTypes::from_stored(&self.0.event_types)
            .as_slice()
            .to_vec()
    }
    /// Only changes concerning this plan, when set.
    async fn plan(&self, ctx: &Context<'_>) -> ApiResult<Option<Plan>> {
        match self.0.plan_id {
            Some(id) => plan::load(ctx, id).await,
            None => Ok(None),
        }
    }
    /// Whether deliveries are made; a disabled endpoint receives nothing new.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// Why the endpoint was disabled: by an admin, or after deliveries failed for
    /// `webhook_give_up_after`.
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }
    /// Until when the secret replaced by the last rotation still signs deliveries too.
    async fn previous_secret_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0
            .previous_secret_until
            .filter(|until| *until > Utc::now())
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When an admin or the worker (disabling it) last changed it.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The delivery log, oldest first (`last` for the newest).
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        status: Option<WebhookDeliveryStatus>,
    ) -> ApiResult<Conn<WebhookDelivery>> {
        let args = PageArgs::new(first, after, last, before);
        let mut select = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::EndpointId.eq(self.0.id));
        if let Some(status) = status {
            select = select.filter(webhook_delivery::Column::Status.eq(status.stored().as_str()));
        }
        paginate(db(ctx)?, select, ById, &args, WebhookDelivery).await
    }
}

/// Where a delivery is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum WebhookDeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up after `webhook_give_up_after` of failures; the endpoint was disabled.
    Failed,
    /// Not sent: the organization no longer sees the change.
    Skipped,
}

impl WebhookDeliveryStatus {
    fn stored(self) -> Status {
        match self {
            Self::Pending => Status::Pending,
            Self::Delivered => Status::Delivered,
            Self::Failed => Status::Failed,
            Self::Skipped => Status::Skipped,
        }
    }

    fn of(status: &str) -> Self {
        match Status::parse(status) {
            Some(Status::Delivered) => Self::Delivered,
            Some(Status::Failed) => Self::Failed,
            Some(Status::Skipped) => Self::Skipped,
            _ => Self::Pending,
        }
    }
}

/// One change-feed entry for one endpoint.
pub struct WebhookDelivery(pub webhook_delivery::Model);

#[Object]
impl WebhookDelivery {
    /// Global ID (for `redeliverWebhook`).
    async fn id(&self) -> ID {
        NodeKind::WebhookDelivery.id(self.0.id)
    }
    /// The `webhook-id` header of every attempt: receivers deduplicate by it.
    async fn webhook_id(&self) -> String {
        message_id(self.0.id)
    }
    /// Where the delivery is.
    async fn status(&self) -> WebhookDeliveryStatus {
        WebhookDeliveryStatus::of(&self.0.status)
    }
    /// Attempts made so far.
    async fn attempt_count(&self) -> i32 {
        self.0.attempts
    }
    /// When the next attempt is due (pending deliveries).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == Status::Pending.as_str()).then_some(self.0.next_attempt_at)
    }
    /// When the change committed and the delivery was queued with it.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was delivered, given up or skipped.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// The error of the last failed attempt.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// The JSON body sent (rendered at the first attempt).
    async fn payload(&self) -> Option<&str> {
        self.0.body.as_deref()
    }
    /// Every attempt, oldest first.
    async fn attempts(&self, ctx: &Context<'_>) -> ApiResult<Vec<WebhookAttempt>> {
        Ok(webhook_attempt::Entity::find()
            .filter(webhook_attempt::Column::DeliveryId.eq(self.0.id))
            .order_by_asc(webhook_attempt::Column::Id)
            .all(db(ctx)?)
            .await?
            .into_iter()
            .map(WebhookAttempt::from)
            .collect())
    }
}

/// One try to deliver a webhook.
#[derive(SimpleObject)]
pub struct WebhookAttempt {
    /// 1 for the first attempt.
    attempt: i32,
    /// When it ended.
    at: DateTime<Utc>,
    /// The HTTP status answered; null when no answer came (refused, unreachable, timed out).
    status_code: Option<i32>,
    /// From sending the request to the end of the answer (or the failure).
    latency_ms: i64,
    /// Why it failed; null for a 2xx answer.
    error: Option<String>,
}

impl From<webhook_attempt::Model> for WebhookAttempt {
    fn from(m: webhook_attempt::Model) -> Self {
        Self {
            attempt: m.attempt,
            at: m.at,
            status_code: m.status_code,
            latency_ms: m.latency_ms,
            error: m.error,
        }
    }
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// Webhook endpoints, oldest first, optionally of one organization (admins only).
    #[graphql(guard = "Requires(Permission::Administer)")]
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        organization: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<WebhookEndpoint>> {
        let args = PageArgs::new(first, after, last, before);
        let mut select = webhook_endpoint::Entity::find();
        if let Some(org) = organization {
            let org = decode_int(&org, NodeKind::Organization, "organization")?;
            select = select.filter(webhook_endpoint::Column::OrganizationId.eq(org));
        }
        paginate(db(ctx)?, select, ById, &args, WebhookEndpoint).await
    }

    /// One webhook endpoint (admins only).
    #[graphql(guard = "Requires(Permission::Administer)")]
    async fn webhook_endpoint(&self, ctx: &Context<'_>, id: ID) -> ApiResult<WebhookEndpoint> {
        let id = decode_int(&id, NodeKind::WebhookEndpoint, "id")?;
        Ok(WebhookEndpoint(mutation::find(db(ctx)?, id).await?))
    }

    /// Every event type an endpoint can subscribe to (admins only).
    #[graphql(guard = "Requires(Permission::Administer)")]
    async fn webhook_event_types(&self) -> Vec<String> {
        EventTypes::known().collect()
    }
}
