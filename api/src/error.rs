//! The one error type of the service, mapped once to HTTP statuses and GraphQL `extensions.code`.
//! Internal causes (database, I/O) are logged here and never shown to clients.

use std::sync::Arc;

use actix_web::http::StatusCode;
use async_graphql::ErrorExtensions as _;

///
/// Deliberately not `Display`: async-graphql turns any `Display` error into a client message, so a
/// resolver returning `Result<_, ApiError>` can only reach the client through the mapping below, and
/// a database error can only get there as `ApiError` (masked).
#[derive(Debug, Clone)]
pub enum ApiError {
    NotFound,
    Unauthenticated,
    Forbidden,
    /// A write without a token: forbidden like any write the caller may not make.
    ForbiddenAnonymous,
    /// A trusted issuer's valid token whose claims grant nothing ucap knows; the message says
    /// what (an unknown organization or role).
    NotGranted(String),
    InvalidInput {
        field: String,
        message: String,
    },
    Conflict(String),
    /// Unlinking a shared record from the last plan listing it, which would leave it in none;
    /// the kind's name ("activity", "MoU").
    LastPlan(&'static str),
    /// Merging two records would leave an inconsistent one (both parties of one MoU); says what.
    MergeConflict(String),
    /// An update or delete named a version the record no longer has (optimistic concurrency).
    StaleVersion {
        current: i32,
    },
    /// Over a rate limit or cost budget ([`crate::throttle`]); retry in this many seconds.
    RateLimited {
        retry_after: u64,
    },
    Unavailable,
    /// A persisted query's hash that no document is known by: Apollo's automatic persisted
    /// queries resend the document on exactly this message and code.
    PersistedQueryNotFound,
    /// Shared so the error is `Clone`, as async-graphql requires of resolver errors.
    Internal(Arc<anyhow::Error>),
    /// The error of item `index` of input list `list` (`transaction`'s `operations`,
    /// `createPlan`'s `themes`, …): its code, its field under `list[index]`.
    InOperation {
        list: &'static str,
        index: usize,
        error: Box<ApiError>,
    },
}

impl ApiError {
    /// An unexpected failure; a database error inside it that only means "not now" stays
    /// `Unavailable`.
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        let err = err.into();
        match err.downcast_ref::<sea_orm::DbErr>() {
            Some(db) if is_transient(db) => {
                tracing::warn!(error = %db, "database unavailable");
                Self::Unavailable
            }
            _ => Self::Internal(Arc::new(err)),
        }
    }

    /// This error as item `index` of input list `list`'s; a database outage stays the request's.
    pub fn in_item(self, list: &'static str, index: usize) -> Self {
        match self {
            Self::Unavailable => Self::Unavailable,
            error => Self::InOperation {
                list,
                index,
                error: Box::new(error),
            },
        }
    }

    /// This error with its field under input field `parent` (`new` + `cities[1]` →
    /// `new.cities[1]`).
    pub fn under(self, parent: &str) -> Self {
        match self {
            Self::InvalidInput { field, message } => Self::InvalidInput {
                field: format!("{parent}.{field}"),
                message,
            },
            error => error,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The message clients see; never the internal cause.
    pub fn message(&self) -> String {
        match self {
            Self::NotFound => "not found".to_owned(),
            Self::Unauthenticated => "authentication required".to_owned(),
            Self::Forbidden => "forbidden".to_owned(),
            Self::ForbiddenAnonymous => {
                "forbidden: writing needs an access token (Authorization: Bearer …)".to_owned()
            }
            Self::NotGranted(message) => format!("forbidden: {message}"),
            Self::InvalidInput { field, message } => format!("invalid {field}: {message}"),
            Self::Conflict(message) => format!("conflict: {message}"),
            Self::LastPlan(kind) => format!(
                "the {kind} is in no other plan: unlinking it would leave it in none; \
                 set deleteIfLast to delete it instead"
            ),
            Self::MergeConflict(what) => format!("these records cannot be merged: {what}"),
            Self::StaleVersion { current } => format!(
                "conflict: the record was changed meanwhile and is now at version {current}; \
                 read it again and retry"
            ),
            Self::RateLimited { retry_after } => {
                format!(
                    "rate limited: too many requests or too costly ones; retry in {retry_after} s"
                )
            }
            Self::Unavailable => "service unavailable, try again later".to_owned(),
            Self::PersistedQueryNotFound => "PersistedQueryNotFound".to_owned(),
            Self::Internal(_) => INTERNAL_MESSAGE.to_owned(),
            Self::InOperation { list, index, error } => {
                format!("{list}[{index}]: {}", error.message())
            }
        }
    }

    /// Stable machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "NOT_FOUND",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden | Self::ForbiddenAnonymous | Self::NotGranted(_) => "FORBIDDEN",
            Self::InvalidInput { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) | Self::StaleVersion { .. } => "CONFLICT",
            Self::LastPlan(_) => "LAST_PLAN",
            Self::MergeConflict(_) => "MERGE_CONFLICT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable => "SERVICE_UNAVAILABLE",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::Internal(_) => "INTERNAL",
            Self::InOperation { error, .. } => error.code(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::ForbiddenAnonymous | Self::NotGranted(_) => {
                StatusCode::FORBIDDEN
            }
            Self::InvalidInput { .. } => StatusCode::BAD_REQUEST,
            Self::Conflict(_)
            | Self::StaleVersion { .. }
            | Self::LastPlan(_)
            | Self::MergeConflict(_) => StatusCode::CONFLICT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::PersistedQueryNotFound => StatusCode::OK,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::InOperation { error, .. } => error.status(),
        }
    }
}

/// Database errors: a lost, killed or exhausted connection, a statement timeout, a busy SQLite file
/// or a serialization conflict is `Unavailable` (nothing was written; retry later); anything else is
/// an internal error whose SQL text stays in the log.
impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        if is_transient(&err) {
            tracing::warn!(error = %err, "database unavailable");
            Self::Unavailable
        } else {
            Self::Internal(Arc::new(err.into()))
        }
    }
}

/// Whether a database error says "not now" rather than "never": the same statement may succeed once
/// the database is back, the connection replaced or the competing transaction gone.
pub fn is_transient(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            is_transient_sqlx(e)
        }
        _ => false,
    }
}

fn is_transient_sqlx(err: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match err {
        Error::Io(_)
        | Error::Tls(_)
        | Error::Protocol(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        Error::Database(db) => {
            let sqlite = db
                .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
                .is_some();
            db.code()
                .is_some_and(|code| is_transient_code(&code, sqlite))
        }
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs: connection exceptions (class 08), shutdown and restart (57P01–57P03), a
/// cancelled statement (57014: `statement_timeout`), too many connections (53300), serialization
/// failures and deadlocks (40001, 40P01), a lock not available (55P03). SQLite result codes: BUSY
/// (5) and LOCKED (6), with their extended codes.
fn is_transient_code(code: &str, sqlite: bool) -> bool {
    if sqlite {
        return code.parse::<u32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6));
    }
    code.starts_with("08")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "57014" | "53300" | "40001" | "40P01" | "55P03"
        )
}

/// Errors of async-graphql itself inside a resolver (missing context data): internal.
impl From<async_graphql::Error> for ApiError {
    fn from(err: async_graphql::Error) -> Self {
        Self::Internal(Arc::new(anyhow::anyhow!("graphql: {}", err.message)))
    }
}

/// The one mapping to GraphQL: message, `extensions.code` (and `field` for bad input).
impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        let (inner, at) = match &err {
            ApiError::InOperation { list, index, error } => (&**error, Some((*list, *index))),
            other => (other, None),
        };
        if let ApiError::Internal(cause) = inner {
            tracing::error!(error = ?cause, "internal error");
        }
        async_graphql::Error::new(err.message()).extend_with(|_, ext| {
            ext.set("code", err.code());
            match at {
                Some(("operations", index)) => ext.set("operation", index),
                Some((list, index)) => ext.set("item", format!("{list}[{index}]")),
                None => {}
            }
            match inner {
                ApiError::InvalidInput { field, .. } => match at {
                    Some((list, index)) => ext.set("field", format!("{list}[{index}].{field}")),
                    None => ext.set("field", field.as_str()),
                },
                ApiError::StaleVersion { current } => ext.set("currentVersion", *current),
                ApiError::RateLimited { retry_after } => ext.set("retryAfter", *retry_after),
                _ => {}
            }
        })
    }
}

/// Whether `error` refuses for going too fast (`RATE_LIMITED`), and the seconds its
/// `extensions.retryAfter` asks to wait, when it says.
pub fn rate_limited(error: &async_graphql::ServerError) -> Option<Option<u64>> {
    let extensions = error.extensions.as_ref()?;
    if extensions.get("code") != Some(&async_graphql::Value::from("RATE_LIMITED")) {
        return None;
    }
    Some(match extensions.get("retryAfter") {
        Some(async_graphql::Value::Number(n)) => n.as_u64(),
        _ => None,
    })
}

/// The last word on the errors of every GraphQL response: each carries the request id; an error
/// raised during execution without a code did not come through [`ApiError`] — async-graphql's own
/// coercion of an argument is bad input, anything else is a bug whose text (possibly SQL) goes to
/// the log only.
pub fn finish_errors(errors: &mut [async_graphql::ServerError]) {
    let request_id = crate::request_id::current();
    for error in errors {
        let coded = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if !coded && !error.path.is_empty() {
            let code = if is_input_coercion(&error.message) {
                "BAD_USER_INPUT"
            } else {
                tracing::error!(error = %error.message, path = ?error.path, "uncoded error masked");
                error.message = INTERNAL_MESSAGE.to_owned();
                "INTERNAL"
            };
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
        if let Some(id) = &request_id {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("requestId", id.as_str());
        }
    }
}

/// async-graphql's messages for an argument value it cannot coerce to the declared type: the
/// client's input, echoed, never server state.
fn is_input_coercion(message: &str) -> bool {
    [
        "Failed to parse \"",
        "Expected input type \"",
        "Invalid value for argument",
    ]
    .iter()
    .any(|prefix| message.starts_with(prefix))
}

/// The one mapping to HTTP, for errors raised outside GraphQL execution.
#[derive(Debug)]
pub struct HttpError(pub ApiError);

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message())
    }
}

impl actix_web::ResponseError for HttpError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        if let ApiError::Internal(cause) = &self.0 {
            tracing::error!(error = ?cause, "internal error");
        }
        let mut body = error_body(&self.0.message(), self.0.code());
        let mut response = actix_web::HttpResponse::build(self.0.status());
        match &self.0 {
            ApiError::RateLimited { retry_after } => {
                body["errors"][0]["extensions"]["retryAfter"] = (*retry_after).into();
                response.insert_header((actix_web::http::header::RETRY_AFTER, *retry_after));
            }
            ApiError::InvalidInput { field, .. } => {
                body["errors"][0]["extensions"]["field"] = field.as_str().into();
            }
            ApiError::Unavailable => {
                response.insert_header((actix_web::http::header::RETRY_AFTER, 1));
            }
            ApiError::Unauthenticated => {
                response.insert_header((
                    actix_web::http::header::WWW_AUTHENTICATE,
                    r#"Bearer error="invalid_token""#,
                ));
            }
            _ => {}
        }
        response.json(body)
    }
}

/// The JSON body of an error answered outside GraphQL execution: one error with its code and the
/// request's id.
pub fn error_body(message: &str, code: &str) -> serde_json::Value {
    let mut extensions = serde_json::json!({ "code": code });
    if let Some(id) = crate::request_id::current() {
        extensions["requestId"] = id.into();
    }
    serde_json::json!({ "errors": [{ "message": message, "extensions": extensions }] })
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What a client is told of an internal error, whatever its cause.
const INTERNAL_MESSAGE: &str = "internal error";

/// An error of the whole request, refused before execution: no location, no path, as
/// validation errors are.
pub fn request_error(error: async_graphql::Error) -> async_graphql::ServerError {
    let mut server_error = async_graphql::ServerError::new(error.message, None);
    server_error.extensions = error.extensions;
    server_error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_loss_timeouts_and_busy_files_are_transient() {
        for code in ["08006", "08003", "57P01", "57014", "40001", "40P01"] {
            assert!(is_transient_code(code, false), "{code}");
        }
        for code in ["5", "517", "6", "262"] {
            assert!(is_transient_code(code, true), "{code}");
        }
        for code in ["23505", "23503", "42P01", "42601", "00005"] {
            assert!(!is_transient_code(code, false), "{code}");
        }
        for code in ["19", "1", "2067", "787"] {
            assert!(!is_transient_code(code, true), "{code}");
        }
    }

    #[test]
    fn a_lost_connection_inside_an_internal_error_is_unavailable() {
        let lost = sea_orm::DbErr::Conn(sea_orm::RuntimeErr::Internal("gone".to_owned()));
        assert_eq!(ApiError::internal(lost).code(), "SERVICE_UNAVAILABLE");
        let bug = sea_orm::DbErr::Custom("bug".to_owned());
        assert_eq!(ApiError::internal(bug).code(), "INTERNAL");
        assert_eq!(
            ApiError::from(sea_orm::DbErr::RecordNotInserted).code(),
            "INTERNAL"
        );
    }
}
