//! Status codes and bodies of GraphQL over HTTP: executed operations are 200, field errors
//! included; request errors (the document does not parse or validate, no operation can be
//! selected, a non-null variable has no value) have no `data` and are 400 with
//! `application/graphql-response+json`, 200 with `application/json`; requests that are not
//! GraphQL-over-HTTP requests at all are 4xx in `application/json`.
//!
//! Codes: a document over a query limit is `QUERY_TOO_COMPLEX`; any other request error, and any
//! refusal of the HTTP request itself, is `BAD_USER_INPUT` with the specific kind in
//! `extensions.reason`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, Responder, ResponseError};
use async_graphql::ServerError;
use serde::Serialize;

use super::negotiate::ResponseMediaType;
use crate::graphql::document::{QUERY_TOO_COMPLEX, with_reason};
use crate::telemetry::request::ErrorCode;

/// The reason of every refusal by the transport; the status says which.
pub(super) const BAD_REQUEST: &str = "BAD_REQUEST";

/// The result of one executed (or refused) GraphQL operation.
pub struct GraphQLResponse {
    response: async_graphql::Response,
    media: ResponseMediaType,
}

impl GraphQLResponse {
    /// Every error of an executed operation leaves here coded, masked and stamped.
    pub(super) fn new(mut response: async_graphql::Response, media: ResponseMediaType) -> Self {
        crate::error::finish_errors(&mut response.errors);
        Self { response, media }
    }
}

/// An operation's response for a transport other than HTTP: the response with its errors coded,
/// masked and stamped, or, for a request error (nothing executed), those errors alone.
pub fn finish(
    mut response: async_graphql::Response,
) -> Result<async_graphql::Response, Vec<ServerError>> {
    if is_request_error(&response) {
        for error in &mut response.errors {
            classify(error);
        }
        crate::error::finish_errors(&mut response.errors);
        return Err(response.errors);
    }
    crate::error::finish_errors(&mut response.errors);
    Ok(response)
}

/// A response without `data`: a GraphQL request error.
#[derive(Serialize)]
struct Errors<'a> {
    errors: &'a [ServerError],
}

/// async-graphql reports validation errors (and failed limits) as a response without data whose
/// errors have no path; errors raised while executing always carry the path of their field.
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

impl Responder for GraphQLResponse {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, _req: &HttpRequest) -> HttpResponse {
        let Self {
            mut response,
            media,
        } = self;
        if is_request_error(&response) {
            for error in &mut response.errors {
                classify(error);
            }
            return request_error(media, &response.errors);
        }
        let first_code = response.errors.first().map(error_code);
        let mut builder = HttpResponse::Ok();
        if response.is_ok()
            && let Some(cache_control) = response.cache_control.value()
        {
            builder.insert_header((header::CACHE_CONTROL, cache_control));
        }
        for (name, value) in &response.http_headers {
            if let (Ok(name), Ok(value)) = (
                header::HeaderName::from_bytes(name.as_str().as_bytes()),
                header::HeaderValue::from_bytes(value.as_bytes()),
            ) {
                builder.append_header((name, value));
            }
        }
        let mut http = json_body(builder, media, &response);
        if let Some(code) = first_code {
            ErrorCode::note(&mut http, &code);
        }
        http
    }
}

/// An error's `extensions.code`, `ERROR` when it has none (async-graphql's own errors).
fn error_code(error: &ServerError) -> String {
    match error.extensions.as_ref().and_then(|e| e.get("code")) {
        Some(async_graphql::Value::String(code)) => code.clone(),
        _ => "ERROR".to_owned(),
    }
}

/// Gives a request error of async-graphql a code, unless it has one. Its limits are told apart
/// from validation errors by their messages only (async-graphql 7.2, `validation/mod.rs` and
/// `schema.rs`): matched here, and nowhere else.
fn classify(error: &mut ServerError) {
    if error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
    {
        return;
    }
    let message = error.message.as_str();
    let limit = match message {
        "Query is too complex." => Some("COMPLEXITY"),
        "Query is nested too deep." => Some("DEPTH"),
        _ if message.starts_with("The recursion depth of the query cannot be greater than") => {
            Some("NESTING")
        }
        _ if message.starts_with("The number of directives on the field") => Some("DIRECTIVES"),
        _ => None,
    };
    let extensions = error.extensions.get_or_insert_with(Default::default);
    match limit {
        Some(reason) => {
            extensions.set("code", QUERY_TOO_COMPLEX);
            extensions.set("reason", reason);
        }
        None => {
            extensions.set("code", BAD_USER_INPUT);
            extensions.set("reason", "GRAPHQL_VALIDATION_FAILED");
        }
    }
}

/// 400 or 200 by media type (spec: "Status Codes"), the errors only; 429 with `Retry-After` for
/// an operation over its caller's cost budget (`crate::throttle`).
fn request_error(media: ResponseMediaType, errors: &[ServerError]) -> HttpResponse {
    let mut errors = errors.to_vec();
    crate::error::finish_errors(&mut errors);
    let errors = errors.as_slice();
    if let Some(retry_after) = errors
        .iter()
        .find_map(|e| crate::error::rate_limited(e).flatten())
    {
        let mut builder = HttpResponse::TooManyRequests();
        builder.insert_header((header::RETRY_AFTER, retry_after));
        return json_body(builder, media, &Errors { errors });
    }
    let status = match media {
        ResponseMediaType::GraphQLResponseJson => StatusCode::BAD_REQUEST,
        ResponseMediaType::Json => StatusCode::OK,
    };
    let mut response = json_body(HttpResponse::build(status), media, &Errors { errors });
    if let Some(error) = errors.first() {
        ErrorCode::note(&mut response, &error_code(error));
    }
    response
}

/// The response varies with `Accept`, which caches of GET responses must know.
fn json_body(
    mut builder: HttpResponseBuilder,
    media: ResponseMediaType,
    body: &impl Serialize,
) -> HttpResponse {
    match serde_json::to_vec(body) {
        Ok(bytes) => builder
            .content_type(media.content_type())
            .append_header((header::VARY, "Accept"))
            .body(bytes),
        Err(err) => {
            tracing::error!(error = %err, "cannot serialize a GraphQL response");
            transport_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error",
                "INTERNAL",
            )
        }
    }
}

/// Why a request is not served.
#[derive(Debug)]
pub enum Rejection {
    /// 415: not a JSON body in UTF-8, or a compressed one.
    UnsupportedMediaType(String),
    /// 406: `Accept` admits neither GraphQL response type.
    NotAcceptable,
    /// 413: a body over [`super::MAX_BODY_BYTES`].
    PayloadTooLarge,
    /// 400: not a GraphQL-over-HTTP request (malformed JSON, a batch, a parameter missing or of
    /// the wrong type).
    BadRequest(String),
    /// 405: a mutation or subscription over GET (safe methods must not change anything).
    MutationOverGet(ResponseMediaType),
    /// 405: a method other than GET and POST.
    MethodNotAllowed,
    /// A GraphQL request error found before execution (the document does not parse).
    RequestError(ResponseMediaType, Vec<ServerError>),
    /// 401: an `Authorization` header that is not a valid, unrevoked token (never anonymous).
    Unauthenticated,
    /// 403: a trusted issuer's valid token whose claims grant nothing ucap knows (the message
    /// says what was not known).
    NotGranted(String),
    /// 503: the database cannot say who the caller is, the instance is over capacity or shutting
    /// down, or the operation ran past the request time limit.
    Unavailable,
    /// 500: the operation failed in a way that is a bug (a panic); the detail is in the log.
    Internal,
}

impl Rejection {
    /// The handler of other methods on `/graphql`.
    pub async fn method_not_allowed() -> HttpResponse {
        Self::MethodNotAllowed.error_response()
    }

    fn message(&self) -> String {
        match self {
            Self::UnsupportedMediaType(reason) | Self::BadRequest(reason) => reason.clone(),
            Self::NotAcceptable => {
                "send Accept: application/graphql-response+json or application/json".to_owned()
            }
            Self::PayloadTooLarge => format!(
                "the request body is larger than {} KiB",
                super::MAX_BODY_BYTES / 1024
            ),
            Self::MutationOverGet(_) => "only queries run over GET".to_owned(),
            Self::MethodNotAllowed => "GraphQL is served over GET and POST".to_owned(),
            Self::Unauthenticated => "the access token is invalid, expired or revoked".to_owned(),
            Self::NotGranted(message) => format!("forbidden: {message}"),
            Self::Unavailable => "the service is temporarily unavailable".to_owned(),
            Self::Internal => "internal error".to_owned(),
            Self::RequestError(_, errors) => errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl ResponseError for Rejection {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::MutationOverGet(_) | Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::RequestError(ResponseMediaType::GraphQLResponseJson, _) => {
                StatusCode::BAD_REQUEST
            }
            Self::RequestError(ResponseMediaType::Json, _) => StatusCode::OK,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::NotGranted(_) => StatusCode::FORBIDDEN,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::RequestError(media, errors) => request_error(*media, errors),
            Self::MutationOverGet(media) => {
                let error = ServerError::new(self.message(), None);
                let mut builder = HttpResponse::MethodNotAllowed();
                builder.insert_header((header::ALLOW, "POST"));
                let mut errors = [bad_user_input(error, BAD_REQUEST)];
                crate::error::finish_errors(&mut errors);
                let mut response = json_body(builder, *media, &Errors { errors: &errors });
                ErrorCode::note(&mut response, BAD_REQUEST);
                response
            }
            Self::MethodNotAllowed => {
                let mut response = transport_refusal(self.status_code(), &self.message());
                response
                    .headers_mut()
                    .insert(header::ALLOW, header::HeaderValue::from_static("GET, POST"));
                response
            }
            Self::Unauthenticated => {
                let mut response =
                    transport_error(self.status_code(), &self.message(), "UNAUTHENTICATED");
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static(r#"Bearer error="invalid_token""#),
                );
                response
            }
            Self::Unavailable => {
                let mut response =
                    transport_error(self.status_code(), &self.message(), "SERVICE_UNAVAILABLE");
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
                response
            }
            Self::Internal => transport_error(self.status_code(), &self.message(), "INTERNAL"),
            Self::NotGranted(_) => {
                let mut response =
                    transport_error(self.status_code(), &self.message(), "FORBIDDEN");
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static(r#"Bearer error="insufficient_scope""#),
                );
                response
            }
            _ => transport_refusal(self.status_code(), &self.message()),
        }
    }
}

const BAD_USER_INPUT: &str = "BAD_USER_INPUT";

/// A request error of the client's making; `reason` says which.
pub(super) fn bad_user_input(error: ServerError, reason: &'static str) -> ServerError {
    with_reason(error, BAD_USER_INPUT, reason)
}

/// A request the caller's role does not allow; `reason` says which.
pub(super) fn forbidden(error: ServerError, reason: &'static str) -> ServerError {
    with_reason(error, "FORBIDDEN", reason)
}

/// A refusal of the HTTP request itself (the status says why): `BAD_USER_INPUT`.
fn transport_refusal(status: StatusCode, message: &str) -> HttpResponse {
    let mut body = crate::error::error_body(message, BAD_USER_INPUT);
    body["errors"][0]["extensions"]["reason"] = BAD_REQUEST.into();
    HttpResponse::build(status)
        .content_type(ResponseMediaType::Json.content_type())
        .body(body.to_string())
}

/// A refusal before there is a GraphQL request: always `application/json`, since
/// `application/graphql-response+json` promises a GraphQL response and these are HTTP errors.
fn transport_error(status: StatusCode, message: &str, code: &str) -> HttpResponse {
    let body = crate::error::error_body(message, code);
    let mut response = HttpResponse::build(status)
        .content_type(ResponseMediaType::Json.content_type())
        .body(body.to_string());
    ErrorCode::note(&mut response, code);
    response
}
