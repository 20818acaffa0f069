//! The query limits of the extractor for documents that do not come through it (operations over
//! the websocket): the same checks, as an async-graphql extension around parsing. Over HTTP they
//! have passed already and pass again, in linear time.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ServerError, ServerResult, Variables};

use super::{nul, select_operation, shape, too_complex, with_code};
use crate::settings::QueryLimits;

/// Registers the limits with a schema.
pub struct QueryLimitsGuard(pub QueryLimits);

impl ExtensionFactory for QueryLimitsGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Guard {
            limits: self.0,
            operation_name: Mutex::new(None),
        })
    }
}

/// One per request.
struct Guard {
    limits: QueryLimits,
    /// Of the request, to measure the operation it selects.
    operation_name: Mutex<Option<String>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for Guard {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(mut name) = self.operation_name.lock() {
            name.clone_from(&request.operation_name);
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // Before the parser, which recurses once per nesting level.
        shape::check_text(query, &self.limits).map_err(too_complex)?;
        let document = next.run(ctx, query, variables).await?;
        let name = self.operation_name.lock().ok().and_then(|n| n.clone());
        // No such operation is async-graphql's error to report, once the document is bounded.
        let selected = select_operation(&document, name.as_deref()).ok();
        shape::check_document(&document, selected, &self.limits).map_err(too_complex)?;
        if let Some(field) = nul::input_with_nul(&document, variables) {
            let error = ServerError::new("must not contain NUL characters", None);
            let mut error = with_code(error, "BAD_USER_INPUT");
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("field", field);
            return Err(error);
        }
        Ok(document)
    }
}
