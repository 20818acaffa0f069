//! The outbox: deliveries written in the transaction of the change they carry, so that a change
//! commits with its deliveries or not at all, and a crash after the commit loses none.

use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, Set};

use super::{EventTypes, Status, event_type};
use crate::auth::Scope;
use entity::{change_event, webhook_delivery, webhook_endpoint};

/// Writes one pending delivery of feed entry `change` (concerning `plans`) for each enabled
/// endpoint that subscribes to its event type and plan and whose organization may read the
/// entry ([`Scope::reads_change`], as for the organization's own tokens). Called by
/// `live::append`, the one way to append to the feed.
pub async fn enqueue(
    txn: &DatabaseTransaction,
    change: &change_event::Model,
    plans: &[i64],
) -> Result<(), DbErr> {
    let endpoints = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .all(txn)
        .await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let event = event_type(&change.record_kind, &change.operation);
    let is_plan = change.record_kind == crate::ids::NodeKind::Plan.name();
    let concerns = |plan: i64| plans.contains(&plan) || (is_plan && change.record_id == plan);
    let now = Utc::now();
    let mut rows = Vec::new();
    let mut scopes: Vec<(i64, Scope)> = Vec::new();
    for endpoint in endpoints {
        if !EventTypes::from_stored(&endpoint.event_types).includes(&event) {
            continue;
        }
        if endpoint.plan_id.is_some_and(|p| !concerns(p)) {
            continue;
        }
        let scope = match scopes.iter().find(|(o, _)| *o == endpoint.organization_id) {
            Some((_, scope)) => scope.clone(),
            None => {
                let scope = Scope::of_organizations(txn, &[endpoint.organization_id]).await?;
                scopes.push((endpoint.organization_id, scope.clone()));
                scope
            }
        };
        if !scope.reads_change(change.public, plans.iter().copied()) {
            continue;
        }
        rows.push(webhook_delivery::ActiveModel {
            endpoint_id: Set(endpoint.id),
            change_event_id: Set(change.id),
            status: Set(Status::Pending.as_str().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            created_at: Set(now),
            ..Default::default()
        });
    }
    if !rows.is_empty() {
        webhook_delivery::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}
