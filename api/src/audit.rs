//! The audit log: who did what, when. Written in the transaction of the change it records, so an
//! entry exists exactly when the change does.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use serde_json::{Value, json};

use entity::audit_event;

/// Who acted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The `ucap` command line, run by whoever holds the database credentials.
    CommandLine,
    /// The importer: a summary loaded, or a backup restored (by the command line or at start-up).
    Importer,
    /// The bearer of a token, with the organizations it acts for.
    Token { id: i64, organizations: Vec<i64> },
    /// The bearer of a trusted issuer's token: who the issuer says it is (`sub`), with the
    /// organizations its claims map to.
    Federated {
        issuer: String,
        subject: String,
        organizations: Vec<i64>,
    },
}

impl Actor {
    pub fn token_id(&self) -> Option<i64> {
        match self {
            Self::CommandLine | Self::Importer | Self::Federated { .. } => None,
            Self::Token { id, .. } => Some(*id),
        }
    }

    /// How listings name the actor.
    pub fn name(&self) -> String {
        match self {
            Self::CommandLine => "command line".to_owned(),
            Self::Importer => "importer".to_owned(),
            Self::Token { id, .. } => format!("token {id}"),
            // Cut to the 200 characters the column holds; issuers' `sub`s are far shorter.
            Self::Federated {
                issuer, subject, ..
            } => format!("subject {subject} of {issuer}")
                .chars()
                .take(200)
                .collect(),
        }
    }

    /// The organizations a token acted for, as stored (a JSON array of ids).
    fn organizations(&self) -> Option<String> {
        match self {
            Self::Token { organizations, .. } | Self::Federated { organizations, .. } => {
                Some(json!(organizations).to_string())
            }
            _ => None,
        }
    }
}

/// What was done, for the actions of fixed name; stored under these upper-case names (record
/// writes are named `<KIND>_<OPERATION>` by the write layer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    TokenIssued,
    TokenRevoked,
    TokenRotated,
    TokenOperationsSet,
    TokenOperationsCleared,
    PersistedOperationRegistered,
    PersistedOperationRemoved,
    PlanImported,
    DataRestored,
    WebhookEndpointCreated,
    WebhookEndpointUpdated,
    WebhookSecretRotated,
    WebhookEndpointDisabled,
    WebhookEndpointEnabled,
    WebhookEndpointDeleted,
    WebhookRedelivered,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TokenIssued => "TOKEN_ISSUED",
            Self::TokenRevoked => "TOKEN_REVOKED",
            Self::TokenRotated => "TOKEN_ROTATED",
            Self::TokenOperationsSet => "TOKEN_OPERATIONS_SET",
            Self::TokenOperationsCleared => "TOKEN_OPERATIONS_CLEARED",
            Self::PersistedOperationRegistered => "PERSISTED_OPERATION_REGISTERED",
            Self::PersistedOperationRemoved => "PERSISTED_OPERATION_REMOVED",
            Self::PlanImported => "PLAN_IMPORTED",
            Self::DataRestored => "DATA_RESTORED",
            Self::WebhookEndpointCreated => "WEBHOOK_ENDPOINT_CREATED",
            Self::WebhookEndpointUpdated => "WEBHOOK_ENDPOINT_UPDATED",
            Self::WebhookSecretRotated => "WEBHOOK_SECRET_ROTATED",
            Self::WebhookEndpointDisabled => "WEBHOOK_ENDPOINT_DISABLED",
            Self::WebhookEndpointEnabled => "WEBHOOK_ENDPOINT_ENABLED",
            Self::WebhookEndpointDeleted => "WEBHOOK_ENDPOINT_DELETED",
            Self::WebhookRedelivered => "WEBHOOK_REDELIVERED",
        }
    }
}

impl AsRef<str> for Action {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// The record an action changed: its kind as the API names it, and its id (none for the
/// database as a whole).
pub struct Target(pub &'static str, pub Option<i64>);

/// Appends one entry, the one way every writer does; returns its id (the change feed links it).
pub async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    action: impl AsRef<str>,
    target: Target,
    detail: Value,
) -> Result<i64, DbErr> {
    let entry = audit_event::ActiveModel {
        at: Set(Utc::now()),
        actor_token_id: Set(actor.token_id()),
        actor: Set(actor.name()),
        actor_organizations: Set(actor.organizations()),
        action: Set(action.as_ref().to_owned()),
        target_kind: Set(target.0.to_owned()),
        target_id: Set(target.1),
        detail: Set(detail.to_string()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(entry.id)
}
