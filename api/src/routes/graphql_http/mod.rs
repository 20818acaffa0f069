//! GraphQL over HTTP (<https://graphql.github.io/graphql-over-http/draft/>): our own extractor
//! and responder instead of async-graphql-actix-web's, which reads a body of any size and any
//! content type and executes batches. One operation per request, a JSON body of at most
//! [`MAX_BODY_BYTES`], queries only over GET, a document within the query limits
//! (see [`crate::graphql::document`]).

mod negotiate;
mod response;

use actix_web::http::{Method, header};
use actix_web::{HttpRequest, body, dev, web};
use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType};
use async_graphql::{Executor, ServerError, Variables};
use serde::Deserialize;

use crate::graphql::document::{select_operation, shape, too_complex, with_code};
use crate::persisted::{Documents, Unresolved};
use negotiate::{ResponseMediaType, check_request_content_type};
use response::{BAD_REQUEST, bad_user_input};
pub use response::{GraphQLResponse, Rejection, finish};

use crate::routes::AppState;
use crate::settings::QueryLimits;

pub use crate::settings::MAX_BODY_BYTES;

/// A single GraphQL operation, parsed, with the media type its response will be served in.
pub struct GraphQLRequest {
    request: async_graphql::Request,
    media: ResponseMediaType,
    /// A query (not a mutation): its answer depends on the data and the caller only.
    is_query: bool,
    /// Selects `__schema` or `__type`.
    introspection: bool,
}

impl GraphQLRequest {
    /// Changes the operation's request, e.g. to add request data for resolvers.
    #[must_use]
    pub fn map(mut self, f: impl FnOnce(async_graphql::Request) -> async_graphql::Request) -> Self {
        self.request = f(self.request);
        self
    }

    /// Everything of a query request that its answer depends on, besides the data and the caller;
    /// `None` for mutations.
    pub fn cache_key(&self) -> Option<String> {
        if !self.is_query {
            return None;
        }
        let r = &self.request;
        Some(format!(
            "{:?}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
            self.media,
            r.operation_name.as_deref().unwrap_or(""),
            serde_json::to_string(&r.variables).ok()?,
            serde_json::to_string(&r.extensions).ok()?,
            r.query
        ))
    }

    /// A mutation: it changes data, so it must end the same way whether or not its client stays.
    pub fn is_mutation(&self) -> bool {
        !self.is_query
    }

    /// Refuses an introspection query of a caller who may not inspect the schema. Its schema has
    /// introspection off and would answer `null`; a caller is better told.
    pub fn check_introspection(&self, may_inspect: bool) -> Result<(), Rejection> {
        if !self.introspection || may_inspect {
            return Ok(());
        }
        Err(Rejection::RequestError(
            self.media,
            vec![introspection_disabled()],
        ))
    }

    pub async fn execute(self, executor: &impl Executor) -> GraphQLResponse {
        GraphQLResponse::new(executor.execute(self.request).await, self.media)
    }

    /// Reads the request from its body (or query string). Not an extractor: the caller decides
    /// first whether the body is worth reading (the caller's rate limit). A persisted query's
    /// document comes from `documents`.
    pub async fn read(
        req: &HttpRequest,
        payload: dev::Payload,
        documents: &Documents,
    ) -> Result<Self, Rejection> {
        extract(req, payload, documents).await
    }

    /// The document text the operation comes from.
    pub fn document(&self) -> &str {
        &self.request.query
    }

    /// Refuses the request with a request error (no data, nothing executed).
    pub fn refuse(&self, error: ServerError) -> Rejection {
        Rejection::RequestError(self.media, vec![error])
    }
}

async fn extract(
    req: &HttpRequest,
    payload: dev::Payload,
    documents: &Documents,
) -> Result<GraphQLRequest, Rejection> {
    let over_get = req.method() == Method::GET;
    if !over_get {
        check_request_content_type(header_str(req, header::CONTENT_TYPE))
            .map_err(Rejection::UnsupportedMediaType)?;
        if let Some(coding) = header_str(req, header::CONTENT_ENCODING)
            .filter(|c| !c.trim().eq_ignore_ascii_case("identity"))
        {
            // Decompressing would let a small body expand past the cap.
            return Err(Rejection::UnsupportedMediaType(format!(
                "unsupported Content-Encoding `{coding}`"
            )));
        }
    }
    let media = ResponseMediaType::negotiate(header_str(req, header::ACCEPT))
        .ok_or(Rejection::NotAcceptable)?;
    let mut params = if over_get {
        Params::from_query_string(req.query_string())?
    } else {
        Params::from_body(&read_body(req, payload).await?)?
    };
    let resolved = documents
        .resolve(params.query.take(), &params.extensions)
        .await
        .map_err(|unresolved| match unresolved {
            Unresolved::Refused(error) => Rejection::RequestError(media, vec![error]),
            Unresolved::Unavailable => Rejection::Unavailable,
        })?;
    params.query = resolved.query;
    let mut request = params.into_request()?;
    let limits = req
        .app_data::<web::Data<AppState>>()
        .map_or_else(QueryLimits::default, |state| state.settings.query_limits());
    let checked = Checked::parse(&request, &limits)
        .map_err(|errors| Rejection::RequestError(media, errors))?;
    if let Some(hash) = resolved.learn {
        documents.learn(hash, &request.query).await;
    }
    let Checked {
        document,
        operation,
        shape,
        missing_variables,
    } = checked;
    crate::metrics::Operation::note(req, &document, request.operation_name.as_deref(), operation);
    match operation {
        OperationType::Query => {}
        _ if over_get => return Err(Rejection::MutationOverGet(media)),
        OperationType::Subscription => {
            let error = ServerError::new("subscriptions are not served over HTTP", None);
            return Err(Rejection::RequestError(
                media,
                vec![bad_user_input(error, BAD_REQUEST)],
            ));
        }
        OperationType::Mutation => {}
    }
    if !missing_variables.is_empty() {
        return Err(Rejection::RequestError(media, missing_variables));
    }
    let is_query = operation == OperationType::Query;
    request.set_parsed_query(document);
    Ok(GraphQLRequest {
        request,
        media,
        is_query,
        introspection: shape.introspection,
    })
}

/// A document parsed and bounded, whatever transport brought it: within the query limits (text
/// before parsing, the whole document after), its operation selected, its non-null variables
/// known. What is left is async-graphql's validation, whose work the bounds keep small.
pub struct Checked {
    pub document: ExecutableDocument,
    pub operation: OperationType,
    pub shape: shape::Shape,
    /// Non-null variables without a value: request errors, once the transport has had its say.
    pub missing_variables: Vec<ServerError>,
}

impl Checked {
    /// The request's document, or the request errors (coded) that refuse it.
    pub fn parse(
        request: &async_graphql::Request,
        limits: &QueryLimits,
    ) -> Result<Self, Vec<ServerError>> {
        // Before parsing: the parser recurses once per nesting level.
        shape::check_text(&request.query, limits).map_err(|r| vec![too_complex(r)])?;
        let document = async_graphql::parser::parse_query(&request.query).map_err(|err| {
            vec![bad_user_input(
                ServerError::from(err),
                "GRAPHQL_PARSE_FAILED",
            )]
        })?;
        let operation = select_operation(&document, request.operation_name.as_deref());
        // The whole document is bounded even when no operation can be selected: async-graphql
        // validates it all before it reports that.
        let shape = shape::check_document(&document, operation.as_ref().ok().copied(), limits)
            .map_err(|r| vec![too_complex(r)])?;
        let operation = operation
            .map_err(|error| vec![bad_user_input(error, "OPERATION_RESOLUTION_FAILURE")])?;
        let missing_variables = missing_variables(operation, &request.variables);
        let operation = operation.ty;
        Ok(Self {
            document,
            operation,
            shape,
            missing_variables,
        })
    }
}

/// A request error refusing introspection to a caller who may not inspect the schema.
pub fn introspection_disabled() -> ServerError {
    response::forbidden(
        ServerError::new("introspection is disabled", None),
        "INTROSPECTION_DISABLED",
    )
}

fn header_str(req: &HttpRequest, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Reads the body up to the cap; a declared or actual size beyond it is a 413, whatever follows
/// is never buffered.
async fn read_body(req: &HttpRequest, payload: dev::Payload) -> Result<web::Bytes, Rejection> {
    let declared =
        header_str(req, header::CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return Err(Rejection::PayloadTooLarge);
    }
    match body::to_bytes_limited(body::BodyStream::new(payload), MAX_BODY_BYTES).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(err)) => Err(Rejection::BadRequest(format!(
            "cannot read the body: {err}"
        ))),
        Err(_) => Err(Rejection::PayloadTooLarge),
    }
}

/// The parameters of a GraphQL-over-HTTP request, with the types the spec requires: a parameter
/// of another type is a 400, unknown properties are ignored, `null` means absent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Params {
    query: Option<String>,
    operation_name: Option<String>,
    #[serde(default)]
    variables: Variables,
    #[serde(default)]
    extensions: async_graphql::Extensions,
}

/// GET parameters: `variables` and `extensions` are JSON texts; an empty value means absent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryStringParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

impl Params {
    fn from_body(body: &[u8]) -> Result<Self, Rejection> {
        if body.trim_ascii_start().starts_with(b"[") {
            return Err(Rejection::BadRequest(
                "batched requests are not supported; send one operation per request".to_owned(),
            ));
        }
        serde_json::from_slice(body)
            .map_err(|err| Rejection::BadRequest(format!("invalid JSON request body: {err}")))
    }

    fn from_query_string(query_string: &str) -> Result<Self, Rejection> {
        let raw = web::Query::<QueryStringParams>::from_query(query_string)
            .map_err(|err| Rejection::BadRequest(format!("invalid query string: {err}")))?
            .into_inner();
        let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
        Ok(Self {
            query: raw.query,
            operation_name: non_empty(raw.operation_name),
            variables: json_parameter("variables", non_empty(raw.variables))?,
            extensions: json_parameter("extensions", non_empty(raw.extensions))?,
        })
    }

    fn into_request(self) -> Result<async_graphql::Request, Rejection> {
        let Some(query) = self.query else {
            return Err(Rejection::BadRequest(
                "the `query` parameter is required".to_owned(),
            ));
        };
        let mut request = async_graphql::Request::new(query).variables(self.variables);
        request.operation_name = self.operation_name;
        request.extensions = self.extensions;
        Ok(request)
    }
}

/// A map parameter of a GET request, sent as JSON text.
fn json_parameter<T: Default + serde::de::DeserializeOwned>(
    name: &str,
    text: Option<String>,
) -> Result<T, Rejection> {
    text.map_or_else(
        || Ok(T::default()),
        |text| {
            serde_json::from_str(&text).map_err(|err| {
                Rejection::BadRequest(format!("`{name}` is not a JSON object: {err}"))
            })
        },
    )
}

/// The part of GraphQL's CoerceVariableValues() that needs no schema: a non-null variable without
/// a value. async-graphql would find it only on reaching the field, as a field error with
/// `data: null` and status 200; the spec makes it a request error, not executed.
fn missing_variables(operation: &OperationDefinition, variables: &Variables) -> Vec<ServerError> {
    operation
        .variable_definitions
        .iter()
        .filter_map(|definition| {
            let definition_pos = definition.pos;
            let definition = &definition.node;
            if definition.var_type.node.nullable {
                return None;
            }
            let problem = match variables.get(&definition.name.node) {
                None if definition.default_value.is_none() => "was not provided",
                Some(async_graphql::Value::Null) => "must not be null",
                _ => return None,
            };
            let message = format!(
                "variable \"${}\" of non-null type \"{}\" {problem}",
                definition.name.node, definition.var_type.node
            );
            Some(with_code(
                ServerError::new(message, Some(definition_pos)),
                "BAD_USER_INPUT",
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests;
