//! The audit log: who did what, when. Written in the transaction of the change it records, so an
//! entry exists exactly when the change does.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;

use crate::error::ApiResult;
use entity::audit_event;

/// Who acted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The `ucap` command line, run by whoever holds the database credentials.
    CommandLine,
    /// The bearer of a token.
    Token { id: i64 },
}

impl Actor {
    pub fn token_id(&self) -> Option<i64> {
        match self {
            Self::CommandLine => None,
            Self::Token { id } => Some(*id),
        }
    }

    /// How listings name the actor.
    pub fn name(&self) -> String {
        match self {
            Self::CommandLine => "command line".to_owned(),
            Self::Token { id } => format!("token {id}"),
        }
    }
}

/// What was done; stored under these upper-case names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    TokenIssued,
    TokenRevoked,
    TokenRotated,
    TokenOperationsSet,
    TokenOperationsCleared,
    PersistedOperationRegistered,
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
        }
    }
}

/// The record an action changed: its kind as the API names it, and its id.
pub struct Target(pub &'static str, pub i64);

/// Appends one entry.
pub async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    action: Action,
    target: Target,
    detail: Value,
) -> ApiResult<()> {
    audit_event::ActiveModel {
        at: Set(Utc::now()),
        actor_token_id: Set(actor.token_id()),
        actor: Set(actor.name()),
        action: Set(action.as_str().to_owned()),
        target_kind: Set(target.0.to_owned()),
        target_id: Set(Some(target.1)),
        detail: Set(detail.to_string()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}
