//! Event types an endpoint subscribes to: `<record>.<operation>` (`activity.created`,
//! `expected_result.deleted` …), one per kind of record in the change feed and what happened.

use crate::ids::NodeKind;

/// Kinds of record whose changes the feed carries.
const KINDS: [NodeKind; 9] = [
    NodeKind::Plan,
    NodeKind::City,
    NodeKind::Organization,
    NodeKind::Theme,
    NodeKind::Statement,
    NodeKind::Activity,
    NodeKind::ExpectedResult,
    NodeKind::Mou,
    NodeKind::DataIssue,
];

const OPERATIONS: [&str; 3] = ["created", "updated", "deleted"];

/// The event type of a change of a `record_kind` record ("ExpectedResult") by `operation`
/// ("UPDATED"): `expected_result.updated`.
pub fn event_type(record_kind: &str, operation: &str) -> String {
    let mut name = String::new();
    for (i, c) in record_kind.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_lowercase());
    }
    format!("{name}.{}", operation.to_ascii_lowercase())
}

/// The event types of an endpoint: sorted, without repeats; empty means every event.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EventTypes(Vec<String>);

impl EventTypes {
    /// Every event type there is.
    pub fn known() -> impl Iterator<Item = String> {
        KINDS
            .into_iter()
            .flat_map(|k| OPERATIONS.into_iter().map(move |o| event_type(k.name(), o)))
    }

    /// Checks each type against [`EventTypes::known`]; the error names the first unknown one.
    pub fn parse(types: &[String]) -> Result<Self, String> {
        let mut out = Vec::with_capacity(types.len());
        for t in types {
            let t = t.trim().to_ascii_lowercase();
            if !Self::known().any(|k| k == t) {
                return Err(format!(
                    "unknown event type `{t}` (use <record>.<created|updated|deleted>, e.g. activity.created)"
                ));
            }
            out.push(t);
        }
        out.sort();
        out.dedup();
        Ok(Self(out))
    }

    /// As stored: a JSON array.
    pub fn from_stored(json: &str) -> Self {
        Self(serde_json::from_str(json).unwrap_or_default())
    }

    pub fn to_stored(&self) -> String {
        serde_json::json!(self.0).to_string()
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Whether an endpoint with these types receives `event` (empty: every event).
    pub fn includes(&self, event: &str) -> bool {
        self.0.is_empty() || self.0.iter().any(|t| t == event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_snake_case_record_and_operation() {
        assert_eq!(
            event_type("ExpectedResult", "UPDATED"),
            "expected_result.updated"
        );
        assert_eq!(event_type("Mou", "CREATED"), "mou.created");
        let types = EventTypes::parse(&["Activity.Created".into(), "activity.created".into()]);
        assert_eq!(
            types.as_ref().map(EventTypes::as_slice),
            Ok(&["activity.created".to_owned()][..])
        );
        assert!(EventTypes::parse(&["activity.exploded".into()]).is_err());
        assert!(EventTypes::default().includes("plan.deleted"));
        assert!(
            !EventTypes::parse(&["plan.created".into()]).is_ok_and(|t| t.includes("plan.deleted"))
        );
    }
}
