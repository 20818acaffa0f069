//! Unit tests of the shape limits on sample documents, among them fragment bombs, unselected
//! operations and fragment cycles. Kept apart so that `mod.rs` is the measuring walk alone.

use super::*;

fn limits() -> QueryLimits {
    QueryLimits {
        max_bytes: 1000,
        max_nesting: 8,
        max_depth: 8,
        max_complexity: 100,
        max_aliases: 3,
        max_root_fields: 3,
        max_directives: 3,
        max_expanded_size: 1000,
    }
}

/// The refusal of the whole document (the first operation selected), or `OK`.
fn check_all(query: &str, limits: &QueryLimits) -> String {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return "UNPARSED".to_owned();
    };
    let selected = document.operations.iter().next().map(|(_, op)| &op.node);
    match check_document(&document, selected, limits) {
        Ok(_) => "OK".to_owned(),
        Err(refusal) => refusal.reason.to_owned(),
    }
}

/// Fragments G1 … Gn, each spreading the one below twice.
fn bomb(levels: usize) -> String {
    let mut text = String::from(" fragment G0 on Plan { id }");
    for i in 1..=levels {
        text.push_str(&format!(
            " fragment G{i} on Plan {{ ...G{} ...G{} }}",
            i - 1,
            i - 1
        ));
    }
    text
}

/// The reason of the refusal, or `OK` (with `+I` when introspecting).
fn check(query: &str) -> String {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return "UNPARSED".to_owned();
    };
    let Some((_, operation)) = document.operations.iter().next() else {
        return "NO_OPERATION".to_owned();
    };
    match check_document(&document, Some(&operation.node), &limits()) {
        Ok(shape) if shape.introspection => "OK+I".to_owned(),
        Ok(_) => "OK".to_owned(),
        Err(refusal) => refusal.reason.to_owned(),
    }
}

#[test]
fn the_text_is_bounded_in_length_and_nesting() {
    assert!(check_text("{ a { b } }", &limits()).is_ok());
    let long = format!("{{ a }}{}", " ".repeat(1000));
    assert_eq!(
        check_text(&long, &limits()).map_err(|e| e.reason),
        Err("QUERY_TOO_LONG")
    );
    let deep = format!("{}{}", "{a".repeat(9), "}".repeat(9));
    assert_eq!(
        check_text(&deep, &limits()).map_err(|e| e.reason),
        Err("NESTING")
    );
}

#[test]
fn aliases_root_fields_and_directives_count_through_fragments() {
    assert_eq!(check("{ a: x b: x c: x }"), "OK");
    assert_eq!(check("{ a: x b: x c: x d: x }"), "ALIASES");
    assert_eq!(
        check("{ ...F ...F } fragment F on Q { a: x b: x }"),
        "ALIASES"
    );
    assert_eq!(check("{ x { a b c d e } }"), "OK");
    assert_eq!(
        check("{ x ...F } fragment F on Q { y ... { z w } }"),
        "ROOT_FIELDS"
    );
    assert_eq!(check("query @a { x @b y @c }"), "OK");
    assert_eq!(check("query ($v: Int @d) @a { x @b y @c }"), "DIRECTIVES");
    assert_eq!(
        check("{ ...F @a ...F } fragment F on Q @b { x @c }"),
        "DIRECTIVES"
    );
}

#[test]
fn a_fragment_bomb_is_counted_not_expanded() {
    let mut query = String::from("{ a { ...F0 } } fragment F0 on T { x }");
    for i in 1..=60 {
        query.push_str(&format!(
            " fragment F{i} on T {{ ...F{} ...F{} }}",
            i - 1,
            i - 1
        ));
    }
    query = query.replacen("...F0", "...F60", 1);
    let mut limits = limits();
    limits.max_nesting = 100;
    let document = async_graphql::parser::parse_query(&query);
    let refusal = document.ok().and_then(|document| {
        let (_, operation) = document.operations.iter().next()?;
        check_document(&document, Some(&operation.node), &limits).err()
    });
    assert_eq!(refusal.map(|r| r.reason), Some("COMPLEXITY"));
}

#[test]
fn an_operation_that_is_not_selected_is_bounded_too() {
    let mut limits = limits();
    limits.max_nesting = 100;
    limits.max_complexity = 1_000_000;
    limits.max_expanded_size = 100_000;
    let query = format!(
        "query Small {{ __typename }} query Big {{ plan(id: \"x\") {{ ...G40 }} }}{}",
        bomb(40)
    );
    assert_eq!(check_all(&query, &limits), "COMPLEXITY");
    let query = "query Small { __typename } query Big { x { a: y b: y c: y d: y } }";
    assert_eq!(check_all(query, &limits), "ALIASES");
}

#[test]
fn unused_fragments_count_toward_the_size_of_the_document() {
    let mut limits = limits();
    limits.max_nesting = 100;
    limits.max_complexity = 1_000_000;
    limits.max_expanded_size = 1_000;
    // 2^7 fields, walked once per definition (about 2 × 2^7 × 3 nodes): within the size.
    assert_eq!(
        check_all(&format!("{{ __typename }}{}", bomb(7)), &limits),
        "OK"
    );
    assert_eq!(
        check_all(&format!("{{ __typename }}{}", bomb(12)), &limits),
        "DOCUMENT_SIZE"
    );
}

#[test]
fn argument_values_count_toward_the_size_of_the_document() {
    let mut limits = limits();
    limits.max_expanded_size = 1_000;
    let list = vec!["1"; 300].join(",");
    let once = format!("{{ x(a: [{list}]) }}");
    assert_eq!(check_all(&once, &limits), "OK");
    let spread = format!("{{ y {{ ...F ...F ...F ...F }} }} fragment F on Q {{ x(a: [{list}]) }}");
    assert_eq!(check_all(&spread, &limits), "DOCUMENT_SIZE");
}

#[test]
fn fragments_count_toward_the_nesting() {
    assert_eq!(check("{ a { b { c } } }"), "OK");
    let chain = "{ ...F1 } fragment F1 on Q { a { ...F2 } } fragment F2 on Q { a { ...F3 } } \
                 fragment F3 on Q { a { ...F4 } } fragment F4 on Q { a { b { x } } }";
    assert_eq!(check(chain), "NESTING");
    // Measured once, spread again deeper: still too deep.
    let reused = "{ ...F2 a { a { a { a { a { ...F2 } } } } } } \
                  fragment F2 on Q { a { ...F3 } } fragment F3 on Q { a { x } }";
    assert_eq!(check(reused), "NESTING");
}

#[test]
fn cycles_and_unknown_fragments_are_left_to_validation() {
    assert_eq!(
        check("{ ...A } fragment A on Q { x ...B } fragment B on Q { ...A }"),
        "OK"
    );
    assert_eq!(check("{ ...Missing }"), "OK");
}

#[test]
fn introspection_at_the_root_is_noticed() {
    assert_eq!(check("{ __schema { types { name } } }"), "OK+I");
    assert_eq!(
        check("{ ...F } fragment F on Q { __type(name: \"Q\") { name } }"),
        "OK+I"
    );
    assert_eq!(check("{ __typename a { __typename } }"), "OK");
}
