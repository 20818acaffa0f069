//! NUL in any string an operation takes is bad input, refused before execution: PostgreSQL
//! cannot hold it in text (the statement fails, an INTERNAL error) and SQLite would store it. One
//! check of every argument (literal or variable, at any depth of an input object or list) instead
//! of one per resolver; it runs in the query-limits guard, which every transport goes through.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use std::convert::Infallible;

use async_graphql::{Name, Value as ConstValue, Variables};

/// The input field (or argument) of the first string input holding a NUL, if any: the innermost
/// input object key, else the argument's name.
pub fn input_with_nul(document: &ExecutableDocument, variables: &Variables) -> Option<String> {
    let defaults = |name: &Name| {
        document.operations.iter().find_map(|(_, operation)| {
            operation
                .node
                .variable_definitions
                .iter()
                .find(|d| d.node.name.node == *name)
                .and_then(|d| d.node.default_value.as_ref())
                .map(|v| v.node.clone())
        })
    };
    let check = |set: &SelectionSet| in_selection_set(set, variables, &defaults);
    document
        .operations
        .iter()
        .find_map(|(_, operation)| check(&operation.node.selection_set.node))
        .or_else(|| {
            document
                .fragments
                .values()
                .find_map(|fragment| check(&fragment.node.selection_set.node))
        })
}

fn in_selection_set(
    set: &SelectionSet,
    variables: &Variables,
    defaults: &dyn Fn(&Name) -> Option<ConstValue>,
) -> Option<String> {
    set.items
        .iter()
        .find_map(|selection| match &selection.node {
            Selection::Field(field) => field
                .node
                .arguments
                .iter()
                .find_map(|(name, value)| {
                    // Variables replaced by their values (or defaults): one walk for both.
                    let value = value.node.clone().into_const_with(|variable| {
                        let value = variables.get(&variable).cloned();
                        Ok::<_, Infallible>(
                            value.or_else(|| defaults(&variable)).unwrap_or_default(),
                        )
                    });
                    value.ok().and_then(|v| in_const(&name.node, &v))
                })
                .or_else(|| in_selection_set(&field.node.selection_set.node, variables, defaults)),
            Selection::InlineFragment(fragment) => {
                in_selection_set(&fragment.node.selection_set.node, variables, defaults)
            }
            Selection::FragmentSpread(_) => None,
        })
}

fn in_const(field: &str, value: &ConstValue) -> Option<String> {
    match value {
        ConstValue::String(s) => s.contains('\0').then(|| field.to_owned()),
        ConstValue::List(items) => items.iter().find_map(|v| in_const(field, v)),
        ConstValue::Object(fields) => fields.iter().find_map(|(k, v)| in_const(k, v)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn nul(query: &str, variables: serde_json::Value) -> Option<String> {
        let document = async_graphql::parser::parse_query(query).ok()?;
        input_with_nul(&document, &Variables::from_json(variables))
    }

    #[test]
    fn nul_is_found_in_literals_variables_objects_lists_and_defaults() {
        let q =
            "mutation($e: String!) { removePlanContact(plan: \"p\", email: $e) { plan { id } } }";
        assert_eq!(
            nul(q, json!({ "e": "a\u{0}@b.org" })).as_deref(),
            Some("email")
        );
        assert_eq!(nul(q, json!({ "e": "a@b.org" })), None);
        let q = "mutation($i: CreateInput!) { create(input: $i) { id } }";
        let input = json!({ "i": { "title": "ok", "cities": ["x", "y\u{0}"] } });
        assert_eq!(nul(q, input).as_deref(), Some("cities"));
        let q = "{ a { ... on B { c(filter: { name: \"x\\u0000\" }) } } }";
        assert_eq!(nul(q, json!({})).as_deref(), Some("name"));
        let q = "query($s: String = \"\\u0000\") { a(s: $s) } ";
        assert_eq!(nul(q, json!({})).as_deref(), Some("s"));
        let q = "query { ...F } fragment F on Query { a(label: \"\\u0000\") }";
        assert_eq!(nul(q, json!({})).as_deref(), Some("label"));
    }
}
