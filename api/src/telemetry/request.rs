//! Every HTTP request, observed in one place: its request id (tracing-actix-web's [`RequestId`],
//! sent back as `x-request-id`), one log line when it ends, its span's GraphQL fields, and the
//! request metrics of `/graphql`. Handlers only leave notes in the request and response
//! extensions: the [`Operation`] the extractor selected, the `Viewer` the handler authenticated,
//! the [`ErrorCode`] a response carries.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage as _, HttpRequest, HttpResponse, web};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use tracing::Span;
use tracing::field::Empty;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

use crate::auth::Viewer;
use crate::metrics::{Metrics, Operation, RequestRecord};

/// The response header that carries the request id.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The transport's generic refusal code: the HTTP status says more.
const GENERIC_CODE: &str = "BAD_REQUEST";

/// The id of the request, as logged and sent in `x-request-id`.
pub fn request_id(req: &HttpRequest) -> Option<RequestId> {
    req.extensions().get::<RequestId>().copied()
}

impl Operation {
    /// Notes the operation `requested` (the `operationName` parameter) selects in `document`.
    pub fn note(
        req: &HttpRequest,
        document: &ExecutableDocument,
        requested: Option<&str>,
        ty: OperationType,
    ) {
        let name = requested
            .map(str::to_owned)
            .or_else(|| match &document.operations {
                DocumentOperations::Multiple(operations) if operations.len() == 1 => {
                    operations.keys().next().map(ToString::to_string)
                }
                _ => None,
            });
        let kind = match ty {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        };
        req.extensions_mut().insert(Self { name, kind });
    }
}

/// The `extensions.code` of a response's first error, noted by whoever builds the response.
#[derive(Clone, Debug)]
pub struct ErrorCode(pub String);

impl ErrorCode {
    /// Notes `code` on `response`.
    pub fn note(response: &mut HttpResponse, code: &str) {
        response.extensions_mut().insert(Self(code.to_owned()));
    }

    /// The code noted on `response`, if any.
    pub fn of<B>(response: &HttpResponse<B>) -> Option<Self> {
        response.extensions().get::<Self>().cloned()
    }
}

/// Root spans with the GraphQL fields that OpenTelemetry backends show next to the HTTP ones.
pub struct RootSpan;

impl RootSpanBuilder for RootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        tracing_actix_web::root_span!(
            request,
            graphql.operation.name = Empty,
            graphql.operation.type = Empty,
            outcome = Empty
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// The middleware (inside the `TracingLogger`, so within the request's root span).
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(ToString::to_string)
        .unwrap_or_default();
    let mut res = match next.call(req).await {
        Ok(res) => res,
        Err(err) => {
            // Only middleware errors get here (handler errors are responses by now); actix turns
            // them into responses after us, so this line has the status but no request details.
            let status = err.as_response_error().status_code().as_u16();
            tracing::info!(%request_id, status, outcome = %format!("http_{status}"), "request");
            return Err(err);
        }
    };
    let elapsed = started.elapsed();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let outcome = outcome(res.response());
    let operation = res.request().extensions().get::<Operation>().cloned();
    let organizations = res
        .request()
        .extensions()
        .get::<Viewer>()
        .and_then(|viewer| viewer.token().map(|token| token.organizations.clone()));
    let (name, kind) = operation
        .as_ref()
        .map_or((None, "-"), |o| (o.name.as_deref(), o.kind));
    let span = Span::current();
    span.record("graphql.operation.name", name);
    span.record("graphql.operation.type", kind);
    span.record("outcome", outcome.as_str());

    let route = res.request().match_pattern();
    if route.as_deref() == Some("/graphql")
        && let Some(metrics) = res.request().app_data::<web::Data<Arc<Metrics>>>()
    {
        metrics.record_request(&RequestRecord {
            operation: operation.as_ref(),
            outcome: &outcome,
            elapsed,
        });
    }
    RequestLine {
        request_id: &request_id,
        method: res.request().method().as_str(),
        path: route.unwrap_or_else(|| res.request().path().to_owned()),
        status: res.status().as_u16(),
        operation: name.map(|n| truncate(n, 100)),
        operation_type: kind,
        organizations,
        outcome: &outcome,
        latency_ms: elapsed.as_secs_f64() * 1000.0,
    }
    .emit();
    Ok(res)
}

/// The one log line of a request.
struct RequestLine<'a> {
    request_id: &'a str,
    method: &'a str,
    path: String,
    status: u16,
    operation: Option<&'a str>,
    operation_type: &'static str,
    organizations: Option<Vec<i64>>,
    outcome: &'a str,
    latency_ms: f64,
}

impl RequestLine<'_> {
    fn emit(&self) {
        macro_rules! log {
            ($level:ident) => {
                tracing::$level!(
                    request_id = %self.request_id,
                    method = self.method,
                    path = %self.path,
                    status = self.status,
                    operation = self.operation,
                    operation_type = self.operation_type,
                    organizations = self.organizations.as_ref().map(|o| tracing::field::debug(o)),
                    outcome = self.outcome,
                    latency_ms = (self.latency_ms * 100.0).round() / 100.0,
                    "request"
                )
            };
        }
        // Probes and scrapes arrive every few seconds and say nothing about the clients.
        if matches!(self.path.as_str(), "/healthz" | "/readyz" | "/metrics") && self.status < 400 {
            log!(debug);
        } else {
            log!(info);
        }
    }
}

/// How a request ended, as a metrics label: `ok`; the first error's code, lower-cased; or
/// `http_<status>` for a refusal with only the transport's generic code, or none at all.
fn outcome<B>(response: &HttpResponse<B>) -> String {
    let status = response.status();
    match ErrorCode::of(response) {
        Some(ErrorCode(code)) if code != GENERIC_CODE => label(&code),
        _ if status.is_client_error() || status.is_server_error() => {
            format!("http_{}", status.as_u16())
        }
        _ => "ok".to_owned(),
    }
}

/// Codes are ours, but a label must stay a short identifier whatever happens.
fn label(code: &str) -> String {
    if code.is_empty()
        || code.len() > 40
        || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return "other".to_owned();
    }
    code.to_ascii_lowercase()
}

fn truncate(text: &str, max: usize) -> &str {
    text.char_indices()
        .nth(max)
        .map_or(text, |(at, _)| &text[..at])
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;

    use super::*;

    fn response(status: StatusCode, code: Option<&str>) -> HttpResponse {
        let mut response = HttpResponse::build(status).finish();
        if let Some(code) = code {
            ErrorCode::note(&mut response, code);
        }
        response
    }

    #[test]
    fn outcomes_are_codes_or_statuses() {
        assert_eq!(outcome(&response(StatusCode::OK, None)), "ok");
        assert_eq!(
            outcome(&response(StatusCode::OK, Some("NOT_FOUND"))),
            "not_found"
        );
        assert_eq!(
            outcome(&response(StatusCode::UNAUTHORIZED, Some("UNAUTHENTICATED"))),
            "unauthenticated"
        );
        assert_eq!(
            outcome(&response(StatusCode::PAYLOAD_TOO_LARGE, Some(GENERIC_CODE))),
            "http_413"
        );
        assert_eq!(outcome(&response(StatusCode::NOT_FOUND, None)), "http_404");
        assert_eq!(
            outcome(&response(StatusCode::OK, Some("no such code!"))),
            "other"
        );
    }

    #[test]
    fn long_names_are_cut_on_a_character_boundary() {
        assert_eq!(truncate("abc", 2), "ab");
        assert_eq!(truncate("ab", 5), "ab");
        assert_eq!(truncate("éé", 1), "é");
    }
}
