//! Unit tests of reading a GraphQL-over-HTTP request: selecting the operation, required variables,
//! and the JSON and GET parameters that are refused or absent. Kept apart so that `mod.rs` is the
//! extractor alone.

use serde_json::json;

use super::*;

fn op(query: &str, name: Option<&str>) -> Option<OperationType> {
    let document = async_graphql::parser::parse_query(query).ok()?;
    select_operation(&document, name).ok().map(|op| op.ty)
}

fn missing(query: &str, variables: serde_json::Value) -> usize {
    let document = async_graphql::parser::parse_query(query).ok();
    let operation = document
        .as_ref()
        .and_then(|d| select_operation(d, None).ok());
    operation.map_or(usize::MAX, |op| {
        missing_variables(op, &Variables::from_json(variables)).len()
    })
}

#[test]
fn the_operation_name_selects_the_operation() {
    let doc = "query A { __typename } mutation B { __typename }";
    assert_eq!(op(doc, Some("A")), Some(OperationType::Query));
    assert_eq!(op(doc, Some("B")), Some(OperationType::Mutation));
    assert_eq!(op(doc, Some("C")), None);
    assert_eq!(op(doc, None), None);
    assert_eq!(op("{ __typename }", Some("A")), None);
}

#[test]
fn a_lone_operation_needs_no_name() {
    assert_eq!(
        op("mutation { __typename }", None),
        Some(OperationType::Mutation)
    );
    assert_eq!(op("{ __typename }", None), Some(OperationType::Query));
    assert_eq!(
        op("mutation M { __typename }", None),
        Some(OperationType::Mutation)
    );
    assert_eq!(
        op("subscription { __typename }", None),
        Some(OperationType::Subscription)
    );
}

#[test]
fn a_non_null_variable_needs_a_value_or_a_default() {
    let q = "query($id: ID!, $n: Int! = 3, $s: String) { __typename }";
    assert_eq!(missing(q, json!({ "id": "x" })), 0);
    assert_eq!(missing(q, json!({})), 1);
    assert_eq!(missing(q, json!({ "id": null })), 1);
    assert_eq!(missing(q, json!({ "id": "x", "n": null })), 1);
    assert_eq!(missing(q, json!({ "id": "x", "s": null })), 0);
}

#[test]
fn parameters_of_the_wrong_type_are_refused() {
    for body in [
        r#"{"query": 0}"#,
        r#"{"query": "{ a }", "operationName": false}"#,
        r#"{"query": "{ a }", "variables": "string"}"#,
        r#"{"query": "{ a }", "variables": ["array"]}"#,
        r#"{"query": "{ a }", "extensions": 0}"#,
        r#"[{"query": "{ a }"}]"#,
        r#"{"query": "#,
    ] {
        assert!(Params::from_body(body.as_bytes()).is_err(), "{body}");
    }
    let missing = Params::from_body(br#"{"qeury": "{ a }"}"#).map(Params::into_request);
    assert!(matches!(missing, Ok(Err(_))));
}

#[test]
fn nulls_and_unknown_properties_are_absent() {
    let body = r#"{"query": "{ a }", "operationName": null, "variables": null, "extensions": null, "other": 1}"#;
    let request = Params::from_body(body.as_bytes()).map(Params::into_request);
    assert!(matches!(request, Ok(Ok(r)) if r.operation_name.is_none() && r.variables.is_empty()));
}

#[test]
fn get_parameters_are_json_texts_and_empty_means_absent() {
    let params = Params::from_query_string(
        "query=query%20Q(%24n%3AString!)%7B__type(name%3A%24n)%7Bname%7D%7D&variables=%7B%22n%22%3A%22x%22%7D&operationName=&extensions=",
    );
    let request = params.and_then(Params::into_request);
    assert!(matches!(&request, Ok(r) if r.variables.len() == 1 && r.operation_name.is_none()));
    assert!(Params::from_query_string("query=%7Ba%7D&variables=nope").is_err());
    assert!(Params::from_query_string("query=%7Ba%7D&variables=%5B1%5D").is_err());
}
