//! The checks of a GraphQL document before the library validates it, the same on every path
//! (HTTP, WebSocket, and again inside the schema by [`QueryLimitsGuard`]): the query limits of
//! the whole document, counted without expanding fragments ([`shape`]), and NUL characters in its
//! inputs ([`nul`]), which PostgreSQL text cannot hold.

mod guard;
pub mod nul;
mod scan;
pub mod shape;

use async_graphql::ServerError;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition};

pub use guard::QueryLimitsGuard;

pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";

/// The error with `extensions.code` set.
pub fn with_code(mut error: ServerError, code: &'static str) -> ServerError {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

/// The error with `extensions.code` and `extensions.reason` set.
pub fn with_reason(error: ServerError, code: &'static str, reason: &'static str) -> ServerError {
    let mut error = with_code(error, code);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("reason", reason);
    error
}

/// A document over one of the query limits.
pub fn too_complex(refusal: shape::TooComplex) -> ServerError {
    with_reason(
        ServerError::new(refusal.message, None),
        QUERY_TOO_COMPLEX,
        refusal.reason,
    )
}

/// The operation `operation_name` selects (GraphQL's GetOperation()), an error when it selects
/// none.
pub fn select_operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Result<&'a OperationDefinition, ServerError> {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => Some(operation),
        (DocumentOperations::Single(_), Some(_)) => None,
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => {
            return Err(ServerError::new(
                "the document has several operations: name one in `operationName`",
                None,
            ));
        }
    };
    let name = operation_name.unwrap_or_default();
    operation
        .map(|operation| &operation.node)
        .ok_or_else(|| ServerError::new(format!("unknown operation named \"{name}\""), None))
}
