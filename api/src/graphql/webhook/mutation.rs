//! Admin mutations of webhook endpoints: register (the secret is shown once, in the payload),
//! change, rotate the secret with an overlap, disable and enable, delete, redeliver. Each is one
//! write transaction with its audit entry.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use serde_json::json;

use super::super::actor;
use super::super::ids::{NodeKind, decode_int};
use super::super::write::{Write, opt_text};
use super::{WebhookDelivery, WebhookEndpoint};
use crate::audit::{self, Action, Target};
use crate::auth::{Permission, Writes};
use crate::error::{ApiError, ApiResult};
use crate::webhook::target::{self, AllowedHosts};
use crate::webhook::{EventTypes, Status, message_id, signature};
use entity::{organization, plan, webhook_delivery, webhook_endpoint};

/// Longest overlap of a secret rotation: a week.
const MAX_OVERLAP_SECONDS: i32 = 7 * 24 * 3600;
const DEFAULT_OVERLAP_SECONDS: i32 = 24 * 3600;

/// An endpoint to register.
#[derive(InputObject)]
pub struct CreateWebhookEndpointInput {
    /// The organization whose view of the data the endpoint receives.
    organization: ID,
    /// An http(s) URL of a public address (or of a host in `webhook_allowed_hosts`).
    url: String,
    /// Event types to receive (`activity.created` …, see `webhookEventTypes`); none or empty:
    /// every event.
    event_types: Option<Vec<String>>,
    /// Only changes concerning this plan.
    plan: Option<ID>,
    /// What the endpoint is for.
    description: Option<String>,
}

/// Changes to an endpoint; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateWebhookEndpointInput {
    /// A new http(s) URL, checked as at registration.
    url: Option<String>,
    /// New event types; empty: every event.
    event_types: Option<Vec<String>>,
    /// Only changes concerning this plan; `clearPlan` removes the filter.
    plan: Option<ID>,
    /// True: changes of every plan again.
    clear_plan: Option<bool>,
    /// What the endpoint is for; empty clears it.
    description: Option<String>,
}

/// An endpoint with its signing secret, shown this once.
#[derive(SimpleObject)]
pub struct WebhookSecretPayload {
    /// The endpoint.
    endpoint: WebhookEndpoint,
    /// `whsec_<base64>`: keep it to verify deliveries; it is never shown again.
    secret: String,
}

/// A changed endpoint.
#[derive(SimpleObject)]
pub struct WebhookEndpointPayload {
    /// The endpoint as it is now.
    endpoint: WebhookEndpoint,
}

/// A deleted endpoint.
#[derive(SimpleObject)]
pub struct DeleteWebhookEndpointPayload {
    /// Its global ID.
    deleted_id: ID,
}

/// A delivery queued again.
#[derive(SimpleObject)]
pub struct RedeliverWebhookPayload {
    /// The delivery, pending.
    delivery: WebhookDelivery,
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers an endpoint (admins only); the payload holds its signing secret, shown once.
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookEndpointInput,
    ) -> ApiResult<WebhookSecretPayload> {
        let organization_id =
            decode_int(&input.organization, NodeKind::Organization, "organization")?;
        let url = checked_url(ctx, &input.url).await?;
        let types = event_types(input.event_types.as_deref().unwrap_or_default())?;
        let description = opt_text("description", input.description.as_deref(), 500)?;
        let plan_id = input
            .plan
            .map(|p| decode_int(&p, NodeKind::Plan, "plan"))
            .transpose()?;
        let secret = new_secret()?;
        let w = Write::begin(ctx, Permission::Administer).await?;
        organization::Entity::find_by_id(organization_id)
            .one(&w.txn)
            .await?
            .ok_or_else(|| ApiError::invalid("organization", "no such organization"))?;
        check_plan(&w.txn, plan_id).await?;
        let now = Utc::now();
        let endpoint = webhook_endpoint::ActiveModel {
            organization_id: Set(organization_id),
            url: Set(url),
            description: Set(description.unwrap_or_default()),
            event_types: Set(types.to_stored()),
            plan_id: Set(plan_id),
            secret: Set(secret.clone()),
            enabled: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&w.txn)
        .await?;
        let detail = json!({
            "organization": NodeKind::Organization.audit(organization_id),
            "url": endpoint.url,
            "eventTypes": types.as_slice(),
            "plan": NodeKind::Plan.audit_opt(plan_id),
        });
        audit_and_commit(ctx, w, Action::WebhookEndpointCreated, endpoint.id, detail).await?;
        Ok(WebhookSecretPayload {
            endpoint: WebhookEndpoint(endpoint),
            secret,
        })
    }

    /// Changes an endpoint's URL, event types, plan filter or description (admins only).
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateWebhookEndpointInput,
    ) -> ApiResult<WebhookEndpointPayload> {
        let id = decode_int(&id, NodeKind::WebhookEndpoint, "id")?;
        let url = match &input.url {
            Some(url) => Some(checked_url(ctx, url).await?),
            None => None,
        };
        let types = input.event_types.as_deref().map(event_types).transpose()?;
        let plan_id = input
            .plan
            .map(|p| decode_int(&p, NodeKind::Plan, "plan"))
            .transpose()?;
        let w = Write::begin(ctx, Permission::Administer).await?;
        let mut row = find(&w.txn, id).await?.into_active_model();
        let mut detail = serde_json::Map::new();
        if let Some(url) = url {
            detail.insert("url".into(), json!(url));
            row.url = Set(url);
        }
        if let Some(types) = types {
            detail.insert("eventTypes".into(), json!(types.as_slice()));
            row.event_types = Set(types.to_stored());
        }
        if input.clear_plan == Some(true) {
            detail.insert("plan".into(), json!(null));
            row.plan_id = Set(None);
        } else if plan_id.is_some() {
            check_plan(&w.txn, plan_id).await?;
            detail.insert("plan".into(), NodeKind::Plan.audit_opt(plan_id));
            row.plan_id = Set(plan_id);
        }
        if let Some(description) = &input.description {
            let description = opt_text("description", Some(description), 500)?;
            detail.insert("description".into(), json!(description));
            row.description = Set(description.unwrap_or_default());
        }
        row.updated_at = Set(Utc::now());
        let endpoint = row.update(&w.txn).await?;
        let detail = serde_json::Value::Object(detail);
        audit_and_commit(ctx, w, Action::WebhookEndpointUpdated, id, detail).await?;
        Ok(WebhookEndpointPayload {
            endpoint: WebhookEndpoint(endpoint),
        })
    }

    /// Gives an endpoint a new secret (admins only), shown once in the payload. For
    /// `overlapSeconds` (default a day, at most a week) deliveries are signed with the old secret
    /// as well, so that receivers can switch without missing one.
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        id: ID,
        overlap_seconds: Option<i32>,
    ) -> ApiResult<WebhookSecretPayload> {
        let id = decode_int(&id, NodeKind::WebhookEndpoint, "id")?;
        let overlap = overlap_seconds.unwrap_or(DEFAULT_OVERLAP_SECONDS);
        if !(0..=MAX_OVERLAP_SECONDS).contains(&overlap) {
            return Err(ApiError::invalid(
                "overlapSeconds",
                format!("must be 0 to {MAX_OVERLAP_SECONDS}"),
            ));
        }
        let secret = new_secret()?;
        let w = Write::begin(ctx, Permission::Administer).await?;
        let endpoint = find(&w.txn, id).await?;
        let now = Utc::now();
        let until = now + chrono::Duration::seconds(i64::from(overlap));
        let mut row = endpoint.clone().into_active_model();
        row.previous_secret = Set((overlap > 0).then(|| endpoint.secret.clone()));
        row.previous_secret_until = Set((overlap > 0).then_some(until));
        row.secret = Set(secret.clone());
        row.updated_at = Set(now);
        let endpoint = row.update(&w.txn).await?;
        let detail = json!({ "overlapSeconds": overlap });
        audit_and_commit(ctx, w, Action::WebhookSecretRotated, id, detail).await?;
        Ok(WebhookSecretPayload {
            endpoint: WebhookEndpoint(endpoint),
            secret,
        })
    }

    /// Stops deliveries to an endpoint (admins only); pending ones wait until it is enabled.
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn disable_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> ApiResult<WebhookEndpointPayload> {
        let id = decode_int(&id, NodeKind::WebhookEndpoint, "id")?;
        let reason = super::super::write::text("reason", &reason, 500)?;
        let w = Write::begin(ctx, Permission::Administer).await?;
        let mut row = find(&w.txn, id).await?.into_active_model();
        row.enabled = Set(false);
        row.disabled_reason = Set(Some(reason.clone()));
        row.updated_at = Set(Utc::now());
        let endpoint = row.update(&w.txn).await?;
        let detail = json!({ "reason": reason });
        audit_and_commit(ctx, w, Action::WebhookEndpointDisabled, id, detail).await?;
        Ok(WebhookEndpointPayload {
            endpoint: WebhookEndpoint(endpoint),
        })
    }

    /// Resumes deliveries to an endpoint (admins only): the pending ones are due at once, and
    /// changes from now on are delivered again.
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn enable_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<WebhookEndpointPayload> {
        let id = decode_int(&id, NodeKind::WebhookEndpoint, "id")?;
        let w = Write::begin(ctx, Permission::Administer).await?;
        let endpoint = find(&w.txn, id).await?;
        checked_url(ctx, &endpoint.url).await?;
        let now = Utc::now();
        let mut row = endpoint.into_active_model();
        row.enabled = Set(true);
        row.disabled_reason = Set(None);
        row.updated_at = Set(now);
        let endpoint = row.update(&w.txn).await?;
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::NextAttemptAt, now.into())
            .col_expr(
                webhook_delivery::Column::FailingSince,
                Option::<chrono::DateTime<Utc>>::None.into(),
            )
            .filter(webhook_delivery::Column::EndpointId.eq(id))
            .filter(webhook_delivery::Column::Status.eq(Status::Pending.as_str()))
            .exec(&w.txn)
            .await?;
        audit_and_commit(ctx, w, Action::WebhookEndpointEnabled, id, json!({})).await?;
        Ok(WebhookEndpointPayload {
            endpoint: WebhookEndpoint(endpoint),
        })
    }

    /// Deletes an endpoint with its deliveries and their log (admins only).
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<DeleteWebhookEndpointPayload> {
        let raw = decode_int(&id, NodeKind::WebhookEndpoint, "id")?;
        let w = Write::begin(ctx, Permission::Administer).await?;
        let endpoint = find(&w.txn, raw).await?;
        webhook_endpoint::Entity::delete_by_id(raw)
            .exec(&w.txn)
            .await?;
        let detail = json!({ "url": endpoint.url });
        audit_and_commit(ctx, w, Action::WebhookEndpointDeleted, raw, detail).await?;
        Ok(DeleteWebhookEndpointPayload {
            deleted_id: NodeKind::WebhookEndpoint.id(raw),
        })
    }

    /// Queues a delivery again, with its `webhook-id` and payload (admins only): it is due at
    /// once, in its place in its endpoint's order.
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<RedeliverWebhookPayload> {
        let raw = decode_int(&id, NodeKind::WebhookDelivery, "id")?;
        let w = Write::begin(ctx, Permission::Administer).await?;
        let delivery = webhook_delivery::Entity::find_by_id(raw)
            .one(&w.txn)
            .await?
            .ok_or(ApiError::NotFound)?;
        if delivery.status == Status::Skipped.as_str() {
            return Err(ApiError::Conflict(
                "the organization no longer sees this change; there is nothing to send".to_owned(),
            ));
        }
        let endpoint_id = delivery.endpoint_id;
        let mut row = delivery.into_active_model();
        row.status = Set(Status::Pending.as_str().to_owned());
        row.next_attempt_at = Set(Utc::now());
        row.failing_since = Set(None);
        row.finished_at = Set(None);
        let delivery = row.update(&w.txn).await?;
        let detail = json!({
            "webhookId": message_id(raw),
            "endpoint": NodeKind::WebhookEndpoint.audit(endpoint_id),
        });
        let actor = actor(ctx)?;
        let target = Target("WebhookDelivery", Some(raw));
        audit::record(&w.txn, &actor, Action::WebhookRedelivered, target, detail).await?;
        w.commit(Vec::new()).await?;
        Ok(RedeliverWebhookPayload {
            delivery: WebhookDelivery(delivery),
        })
    }
}

/// The endpoint `id`, or NOT_FOUND.
pub(super) async fn find(
    conn: &impl ConnectionTrait,
    id: i64,
) -> ApiResult<webhook_endpoint::Model> {
    webhook_endpoint::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn checked_url(ctx: &Context<'_>, url: &str) -> ApiResult<String> {
    if url.len() > 2000 {
        return Err(ApiError::invalid("url", "must be at most 2000 characters"));
    }
    let allowed = ctx.data::<AllowedHosts>()?;
    target::check(url, allowed)
        .await
        .map(|url| url.to_string())
        .map_err(|refusal| ApiError::invalid("url", refusal.to_string()))
}

fn event_types(types: &[String]) -> ApiResult<EventTypes> {
    EventTypes::parse(types).map_err(|message| ApiError::invalid("eventTypes", message))
}

async fn check_plan(conn: &impl ConnectionTrait, plan_id: Option<i64>) -> ApiResult<()> {
    if let Some(id) = plan_id {
        plan::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| ApiError::invalid("plan", "no such plan"))?;
    }
    Ok(())
}

fn new_secret() -> ApiResult<String> {
    signature::generate_secret().map_err(|e| ApiError::internal(anyhow::anyhow!("random: {e}")))
}

async fn audit_and_commit(
    ctx: &Context<'_>,
    w: Write,
    action: Action,
    id: i64,
    detail: serde_json::Value,
) -> ApiResult<()> {
    let target = Target("WebhookEndpoint", Some(id));
    audit::record(&w.txn, &actor(ctx)?, action, target, detail).await?;
    w.commit(Vec::new()).await
}
