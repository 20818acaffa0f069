//! The audit diff of a write: which fields of a record changed, from what to what.

use serde::Serialize;
use serde_json::{Value, json};

/// Field changes of one record: `(field, before, after)`, only fields whose value changed.
#[derive(Debug, Default)]
pub struct Diff(Vec<(&'static str, Value, Value)>);

impl Diff {
    /// Notes `field` going from `before` to `after`, when they differ.
    pub fn field<T: Serialize + PartialEq>(&mut self, field: &'static str, before: T, after: T) {
        if before != after {
            self.0.push((
                field,
                serde_json::to_value(before).unwrap_or(Value::Null),
                serde_json::to_value(after).unwrap_or(Value::Null),
            ));
        }
    }

    /// Notes a created record's field (before: null).
    pub fn created<T: Serialize>(&mut self, field: &'static str, value: T) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        if !Value::is_null(&value) {
            self.0.push((field, Value::Null, value));
        }
    }

    /// Notes a deleted record's field (after: null).
    pub fn deleted<T: Serialize>(&mut self, field: &'static str, value: T) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        if !Value::is_null(&value) {
            self.0.push((field, value, Value::Null));
        }
    }

    /// Notes the audited `fields` of a record: created (`before` none), changed, or deleted
    /// (`after` none).
    pub fn record<M>(&mut self, before: Option<&M>, after: Option<&M>, fields: &Fields<M>) {
        for (name, f) in fields {
            match (before, after) {
                (None, Some(a)) => self.created(name, f(a)),
                (Some(b), Some(a)) => self.field(name, f(b), f(a)),
                (Some(b), None) => self.deleted(name, f(b)),
                (None, None) => {}
            }
        }
    }

    /// Adds the changes `other` noted, after these.
    pub fn extend(&mut self, other: Diff) {
        self.0.extend(other.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> Vec<&'static str> {
        self.0.iter().map(|(f, _, _)| *f).collect()
    }

    pub(super) fn to_json(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|(f, b, a)| json!({ "field": f, "before": b, "after": a }))
                .collect(),
        )
    }
}

/// The audited fields of a record type: each name with how to read it from a row.
pub type Fields<M> = [(&'static str, fn(&M) -> Value)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_keep_only_changed_fields() {
        let mut d = Diff::default();
        d.field("title", "a", "a");
        d.field("title", "a", "b");
        d.field("draft", false, true);
        assert_eq!(d.fields(), ["title", "draft"]);
    }
}
