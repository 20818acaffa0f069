//! The shape of a document, bounded before async-graphql validates or runs it: the length and
//! bracket nesting of the text before parsing, then, for every operation of the document (not only
//! the selected one: validation visits them all), aliases, root fields, directives and fields with
//! fragments expanded, and the expanded size of the whole document. Fragments are measured once
//! each, so a document whose fragments spread each other twice per level (2^n fields from n lines)
//! is measured in linear time and refused, before async-graphql's validation expands it in full.

use std::collections::{HashMap, HashSet};

use async_graphql::Positioned;
use async_graphql::parser::types::{
    Directive, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql_value::{ConstValue, Value};

use super::scan;
use crate::settings::QueryLimits;

/// A limit the document exceeds: `reason` (in `extensions.reason`) names it.
#[derive(Debug, PartialEq, Eq)]
pub struct TooComplex {
    pub reason: &'static str,
    pub message: String,
}

impl TooComplex {
    fn new(reason: &'static str, message: String) -> Self {
        Self { reason, message }
    }
}

/// What the rest of the request needs to know about the operation.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Selects `__schema` or `__type`.
    pub introspection: bool,
}

/// Length and nesting of the query text, before it is parsed.
pub fn check_text(query: &str, limits: &QueryLimits) -> Result<(), TooComplex> {
    if query.len() > limits.max_bytes {
        return Err(TooComplex::new(
            "QUERY_TOO_LONG",
            format!("the query is longer than {} bytes", limits.max_bytes),
        ));
    }
    match scan::nesting_within(query, limits.max_nesting) {
        Some(_) => Ok(()),
        None => Err(too_deeply_nested(limits)),
    }
}

fn too_deeply_nested(limits: &QueryLimits) -> TooComplex {
    TooComplex::new(
        "NESTING",
        format!("the query nests deeper than {} levels", limits.max_nesting),
    )
}

/// The whole document against the limits, in time linear in its length: each operation's counts
/// (fragments expanded) within the per-operation limits, and the expanded size of all operations
/// and fragment definitions together — what async-graphql's validation will walk — within
/// `max_expanded_size`. The shape returned is that of `selected` (default without one).
pub fn check_document(
    document: &ExecutableDocument,
    selected: Option<&OperationDefinition>,
    limits: &QueryLimits,
) -> Result<Shape, TooComplex> {
    let mut walk = Walk {
        document,
        fragments: HashMap::new(),
        visiting: HashSet::new(),
        limits,
    };
    let mut shape = None;
    let mut size = 0usize;
    for (_, operation) in document.operations.iter() {
        let tally = walk.operation(&operation.node)?;
        size = size.saturating_add(tally.size);
        if selected.is_some_and(|s| std::ptr::eq(&operation.node, s)) {
            shape = Some(Shape {
                introspection: tally.introspection,
            });
        }
    }
    // Validation also walks every fragment definition on its own, expanded.
    for name in document.fragments.keys() {
        size = size.saturating_add(walk.fragment(name.as_str(), 0)?.size);
    }
    if size > limits.max_expanded_size {
        return Err(TooComplex::new(
            "DOCUMENT_SIZE",
            format!(
                "the document expands to more than {} fields and values",
                limits.max_expanded_size
            ),
        ));
    }
    Ok(shape.unwrap_or_default())
}

impl<'a> Walk<'a> {
    /// Counts of one operation, fragments expanded, against the per-operation limits. Every field
    /// costs at least 1 in the complexity async-graphql computes later, so more fields than the
    /// complexity limit are refused here already.
    fn operation(&mut self, operation: &'a OperationDefinition) -> Result<Tally, TooComplex> {
        let limits = self.limits;
        let mut tally = self.selection_set(&operation.selection_set.node, 0)?;
        tally.directives = tally
            .directives
            .saturating_add(operation.directives.len())
            .saturating_add(
                operation
                    .variable_definitions
                    .iter()
                    .map(|v| v.node.directives.len())
                    .sum(),
            );
        let over = |reason, what: &str, count: usize, limit: usize| {
            (count > limit).then(|| {
                TooComplex::new(
                    reason,
                    format!("the operation has {count} {what}, more than {limit}"),
                )
            })
        };
        let refusal = over("ALIASES", "aliases", tally.aliases, limits.max_aliases)
            .or_else(|| {
                over(
                    "ROOT_FIELDS",
                    "root fields",
                    tally.top_fields,
                    limits.max_root_fields,
                )
            })
            .or_else(|| {
                over(
                    "DIRECTIVES",
                    "directives",
                    tally.directives,
                    limits.max_directives,
                )
            })
            .or_else(|| {
                over(
                    "COMPLEXITY",
                    "fields with its fragments expanded",
                    tally.fields,
                    limits.max_complexity,
                )
            });
        let variables: usize = operation
            .variable_definitions
            .iter()
            .map(|v| {
                v.node
                    .default_value
                    .as_ref()
                    .map_or(1, |value| const_value_size(&value.node))
            })
            .sum();
        tally.size = tally.size.saturating_add(variables);
        match refusal {
            Some(refusal) => Err(refusal),
            None => Ok(tally),
        }
    }
}

/// Counts of one selection set, fragments expanded (saturating: a fragment bomb counts to the
/// maximum, not around).
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    fields: usize,
    aliases: usize,
    directives: usize,
    /// Fields at the level of the selection set itself.
    top_fields: usize,
    /// `__schema` or `__type` at the level of the selection set itself.
    introspection: bool,
    /// Levels of selection sets and fragments below this one.
    depth: usize,
    /// Fields, argument values and directives, fragments expanded: what validation walks.
    size: usize,
}

impl Tally {
    /// Adds a selection set nested one level below (a field's selections).
    fn nest(&mut self, inner: Tally) {
        self.fields = self.fields.saturating_add(inner.fields);
        self.aliases = self.aliases.saturating_add(inner.aliases);
        self.directives = self.directives.saturating_add(inner.directives);
        self.size = self.size.saturating_add(inner.size);
        self.depth = self.depth.max(inner.depth.saturating_add(1));
    }

    /// Adds a fragment spread or inline fragment: its fields are at this level.
    fn spread(&mut self, inner: Tally) {
        self.nest(inner);
        self.top_fields = self.top_fields.saturating_add(inner.top_fields);
        self.introspection |= inner.introspection;
    }
}

struct Walk<'a> {
    document: &'a ExecutableDocument,
    /// Fragments measured so far.
    fragments: HashMap<&'a str, Tally>,
    /// Fragments being measured: a spread of one of them is a cycle, which async-graphql's
    /// validation refuses (it is counted as empty here).
    visiting: HashSet<&'a str>,
    limits: &'a QueryLimits,
}

impl<'a> Walk<'a> {
    /// `level` counts the selection sets and fragments above (bounding this recursion too).
    fn selection_set(&mut self, set: &'a SelectionSet, level: usize) -> Result<Tally, TooComplex> {
        if level > self.limits.max_nesting {
            return Err(too_deeply_nested(self.limits));
        }
        let mut tally = Tally::default();
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    tally.fields = tally.fields.saturating_add(1);
                    tally.top_fields = tally.top_fields.saturating_add(1);
                    tally.aliases = tally
                        .aliases
                        .saturating_add(usize::from(field.alias.is_some()));
                    tally.directives = tally.directives.saturating_add(field.directives.len());
                    let values: usize = field
                        .arguments
                        .iter()
                        .map(|(_, value)| value_size(&value.node))
                        .sum();
                    tally.size = tally
                        .size
                        .saturating_add(1)
                        .saturating_add(values)
                        .saturating_add(directives_size(&field.directives));
                    tally.introspection |=
                        matches!(field.name.node.as_str(), "__schema" | "__type");
                    if !field.selection_set.node.items.is_empty() {
                        tally.nest(self.selection_set(&field.selection_set.node, level + 1)?);
                    }
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    tally.directives = tally.directives.saturating_add(inline.directives.len());
                    tally.size = tally
                        .size
                        .saturating_add(1)
                        .saturating_add(directives_size(&inline.directives));
                    tally.spread(self.selection_set(&inline.selection_set.node, level + 1)?);
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    tally.directives = tally.directives.saturating_add(spread.directives.len());
                    tally.size = tally
                        .size
                        .saturating_add(1)
                        .saturating_add(directives_size(&spread.directives));
                    tally.spread(self.fragment(spread.fragment_name.node.as_str(), level + 1)?);
                }
            }
        }
        Ok(tally)
    }

    fn fragment(&mut self, name: &'a str, level: usize) -> Result<Tally, TooComplex> {
        if let Some(tally) = self.fragments.get(name) {
            if level.saturating_add(tally.depth) > self.limits.max_nesting {
                return Err(too_deeply_nested(self.limits));
            }
            return Ok(*tally);
        }
        // An unknown fragment is async-graphql's validation error to report.
        let Some(definition) = self.document.fragments.get(name) else {
            return Ok(Tally::default());
        };
        if !self.visiting.insert(name) {
            return Ok(Tally::default());
        }
        let definition = &definition.node;
        let mut tally = self.selection_set(&definition.selection_set.node, level)?;
        tally.directives = tally.directives.saturating_add(definition.directives.len());
        tally.size = tally
            .size
            .saturating_add(directives_size(&definition.directives));
        self.visiting.remove(name);
        self.fragments.insert(name, tally);
        Ok(tally)
    }
}

/// Nodes of an argument value (a list or object counts its items, recursively).
fn value_size(value: &Value) -> usize {
    match value {
        Value::List(items) => items.iter().fold(1, |n, v| n.saturating_add(value_size(v))),
        Value::Object(fields) => fields
            .values()
            .fold(1, |n, v| n.saturating_add(value_size(v))),
        _ => 1,
    }
}

/// Nodes of a variable's default value.
fn const_value_size(value: &ConstValue) -> usize {
    match value {
        ConstValue::List(items) => items
            .iter()
            .fold(1, |n, v| n.saturating_add(const_value_size(v))),
        ConstValue::Object(fields) => fields
            .values()
            .fold(1, |n, v| n.saturating_add(const_value_size(v))),
        _ => 1,
    }
}

/// Directives with their argument values.
fn directives_size(directives: &[Positioned<Directive>]) -> usize {
    directives.iter().fold(0, |n, d| {
        d.node
            .arguments
            .iter()
            .fold(n.saturating_add(1), |n, (_, v)| {
                n.saturating_add(value_size(&v.node))
            })
    })
}

#[cfg(test)]
mod tests;
