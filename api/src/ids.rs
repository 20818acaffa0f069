//! Opaque global IDs: `base64url("Plan:42")`. Clients must treat them as strings; the type prefix
//! lets `node(id)` dispatch and stops an activity ID from being used as a plan ID.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::ApiError;

/// The record types that have global IDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Plan,
    City,
    Country,
    Organization,
    Theme,
    Statement,
    Activity,
    ExpectedResult,
    Mou,
    DataIssue,
    AccessToken,
    AuditEvent,
    WebhookEndpoint,
    WebhookDelivery,
}

impl NodeKind {
    const ALL: [NodeKind; 14] = [
        Self::Plan,
        Self::City,
        Self::Country,
        Self::Organization,
        Self::Theme,
        Self::Statement,
        Self::Activity,
        Self::ExpectedResult,
        Self::Mou,
        Self::DataIssue,
        Self::AccessToken,
        Self::AuditEvent,
        Self::WebhookEndpoint,
        Self::WebhookDelivery,
    ];

    /// The kind of a type name ("Activity").
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.prefix() == name)
    }

    /// The type name, as in IDs, the audit log and the change feed.
    pub fn name(self) -> &'static str {
        self.prefix()
    }

    fn prefix(self) -> &'static str {
        match self {
            Self::Plan => "Plan",
            Self::City => "City",
            Self::Country => "Country",
            Self::Organization => "Organization",
            Self::Theme => "Theme",
            Self::Statement => "Statement",
            Self::Activity => "Activity",
            Self::ExpectedResult => "ExpectedResult",
            Self::Mou => "Mou",
            Self::DataIssue => "DataIssue",
            Self::AccessToken => "AccessToken",
            Self::AuditEvent => "AuditEvent",
            Self::WebhookEndpoint => "WebhookEndpoint",
            Self::WebhookDelivery => "WebhookDelivery",
        }
    }

    pub fn id(self, key: impl std::fmt::Display) -> ID {
        ID(URL_SAFE_NO_PAD.encode(format!("{}:{key}", self.prefix())))
    }

    /// How audit details name records of this kind: by global ID, as clients know them, never by
    /// database id.
    pub fn audit(self, key: impl std::fmt::Display) -> serde_json::Value {
        self.id(key).0.into()
    }

    /// [`audit`](Self::audit) for an optional reference (null stays null).
    pub fn audit_opt(self, key: Option<i64>) -> serde_json::Value {
        key.map_or(serde_json::Value::Null, |key| self.audit(key))
    }

    /// [`audit`](Self::audit) for a list of records.
    pub fn audit_all<'a>(self, keys: impl IntoIterator<Item = &'a i64>) -> serde_json::Value {
        keys.into_iter().map(|key| self.audit(key)).collect()
    }
}

/// Splits a global ID into its kind and raw key.
pub fn decode_any(id: &str) -> Result<(NodeKind, String), ApiError> {
    let bad = || ApiError::invalid("id", "not a valid ID");
    let raw = URL_SAFE_NO_PAD.decode(id.as_bytes()).map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let (prefix, key) = raw.split_once(':').ok_or_else(bad)?;
    // No key holds NUL, and PostgreSQL fails on text with one.
    if key.contains('\0') {
        return Err(bad());
    }
    let kind = NodeKind::ALL
        .into_iter()
        .find(|k| k.prefix() == prefix)
        .ok_or_else(bad)?;
    Ok((kind, key.to_owned()))
}

/// Decodes an ID that must be of `kind` with an integer key.
pub fn decode_int(id: &str, kind: NodeKind, field: &str) -> Result<i64, ApiError> {
    match decode_any(id) {
        Ok((k, key)) if k == kind => key
            .parse()
            .map_err(|_| ApiError::invalid(field, "not a valid ID")),
        _ => Err(ApiError::invalid(
            field,
            format!("not a valid {} ID", kind.prefix()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_keep_their_kind() {
        let id = NodeKind::Plan.id(42);
        assert_eq!(decode_int(&id, NodeKind::Plan, "id").ok(), Some(42));
        assert!(decode_int(&id, NodeKind::Activity, "id").is_err());
        assert!(decode_int("garbage!", NodeKind::Plan, "id").is_err());
    }
}
