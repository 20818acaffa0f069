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
    InvalidInput {
        field: String,
        message: String,
    },
    Conflict(String),
    /// An update or delete named a version the record no longer has (optimistic concurrency).
    StaleVersion {
        current: i32,
    },
    RateLimited,
    Unavailable,
    /// Shared so the error is `Clone`, as async-graphql requires of resolver errors.
    Internal(Arc<anyhow::Error>),
}

impl ApiError {
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(err.into()))
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
            Self::InvalidInput { field, message } => format!("invalid {field}: {message}"),
            Self::Conflict(message) => format!("conflict: {message}"),
            Self::StaleVersion { current } => format!(
                "conflict: the record was changed meanwhile and is now at version {current}; \
                 read it again and retry"
            ),
            Self::RateLimited => "rate limited".to_owned(),
            Self::Unavailable => "service unavailable, try again later".to_owned(),
            Self::Internal(_) => "internal error".to_owned(),
        }
    }

    /// Stable machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "NOT_FOUND",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden | Self::ForbiddenAnonymous => "FORBIDDEN",
            Self::InvalidInput { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) | Self::StaleVersion { .. } => "CONFLICT",
            Self::RateLimited => "RATE_LIMITED",
            Self::Unavailable => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::ForbiddenAnonymous => StatusCode::FORBIDDEN,
            Self::InvalidInput { .. } => StatusCode::BAD_REQUEST,
            Self::Conflict(_) | Self::StaleVersion { .. } => StatusCode::CONFLICT,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Database errors: a lost or exhausted connection is `Unavailable` (retry later); anything else is
/// an internal error whose SQL text stays in the log.
impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        use sea_orm::DbErr;
        match err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                tracing::warn!(error = %err, "database unavailable");
                Self::Unavailable
            }
            // SQLite's busy timeout ran out (another process held the write lock): retry later.
            ref e if e.to_string().contains("database is locked") => {
                tracing::warn!(error = %err, "database busy");
                Self::Unavailable
            }
            other => Self::Internal(Arc::new(other.into())),
        }
    }
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
        if let ApiError::Internal(cause) = &err {
            tracing::error!(error = ?cause, "internal error");
        }
        async_graphql::Error::new(err.message()).extend_with(|_, ext| {
            ext.set("code", err.code());
            match &err {
                ApiError::InvalidInput { field, .. } => ext.set("field", field.as_str()),
                ApiError::StaleVersion { current } => ext.set("currentVersion", *current),
                _ => {}
            }
        })
    }
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
        actix_web::HttpResponse::build(self.0.status()).json(serde_json::json!({
            "errors": [{ "message": self.0.message(), "extensions": { "code": self.0.code() } }]
        }))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
