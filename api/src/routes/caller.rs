//! The one gate of every operation, whatever carries it: a GraphQL request over HTTP, each
//! operation over the WebSocket, an export download, GraphiQL. The caller is decided here from
//! its token's current state (revocation and expiry, as read at most `token_cache_ttl` ago), then
//! counted against its rate limit, and its scope resolved — the same code for every transport,
//! re-run for every operation, so no way in can keep a token's old rights.

use std::net::IpAddr;

use actix_web::http::header;
use actix_web::{HttpMessage as _, HttpRequest};

use crate::auth::tokens::Refusal;
use crate::auth::{Scope, Viewer};
use crate::error::ApiError;
use crate::graphql::loader;
use crate::routes::AppState;
use crate::throttle::{Account, CostAccount};

/// Who runs an operation and whose allowances it draws on.
#[derive(Clone, Debug)]
pub struct Caller {
    pub viewer: Viewer,
    pub account: Account,
}

/// Why a caller is turned away before anything runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// The token was revoked.
    Revoked,
    /// The token is not (or no longer) valid: malformed, forged, unknown or expired.
    Invalid,
    /// A trusted issuer's valid token that names no ucap role or organization, or one ucap does
    /// not know: the bearer is authenticated but granted nothing here (403, with the message).
    Unmapped(String),
    /// Token records cannot be read now.
    Unavailable,
}

impl From<Denial> for ApiError {
    fn from(denial: Denial) -> Self {
        match denial {
            Denial::Revoked | Denial::Invalid => ApiError::Unauthenticated,
            Denial::Unmapped(message) => ApiError::NotGranted(message),
            Denial::Unavailable => ApiError::Unavailable,
        }
    }
}

impl Caller {
    /// The caller of an HTTP request: its `Authorization` header (none is anonymous, a bad token
    /// is refused, never anonymous) from its client address. The viewer is kept in the request's
    /// extensions for the request log line.
    pub async fn of_request(state: &AppState, http: &HttpRequest) -> Result<Self, Denial> {
        let authorization = http
            .headers()
            .get(header::AUTHORIZATION)
            .map(header::HeaderValue::as_bytes);
        let client = state.throttle.client_address(http);
        let caller = Self::identify(state, authorization, client).await?;
        http.extensions_mut().insert(caller.viewer.clone());
        Ok(caller)
    }

    /// The caller presenting `authorization` (an `Authorization` header value) from `client`.
    pub async fn identify(
        state: &AppState,
        authorization: Option<&[u8]>,
        client: IpAddr,
    ) -> Result<Self, Denial> {
        let viewer = match state.tokens.authenticate(authorization).await {
            Ok(viewer) => viewer,
            Err(refusal) if refusal.is_unavailable() => {
                tracing::error!(%refusal, "cannot read token records");
                return Err(Denial::Unavailable);
            }
            Err(refusal) => {
                tracing::info!(%refusal, "access token refused");
                state.metrics.token_refused(refusal.class());
                return Err(match (&refusal, refusal.unmapped()) {
                    (Refusal::Revoked, _) => Denial::Revoked,
                    (_, Some(message)) => Denial::Unmapped(message.to_owned()),
                    _ => Denial::Invalid,
                });
            }
        };
        let account = state.throttle.account(&viewer, client);
        Ok(Self { viewer, account })
    }

    /// Counts one operation against the caller's rate limit.
    pub async fn admit(&self, state: &AppState) -> Result<(), ApiError> {
        state
            .throttle
            .admit(&self.account)
            .await
            .map_err(ApiError::from)
    }

    /// What the caller may read now.
    pub async fn scope(&self, state: &AppState) -> Result<Scope, ApiError> {
        Scope::of(&self.viewer, &state.db).await.map_err(|err| {
            tracing::error!(error = ?err, "cannot resolve the caller's plans");
            ApiError::Unavailable
        })
    }

    /// The request with everything its resolvers need of the caller: viewer, scope, loaders of
    /// that scope and the cost budget its complexity is charged to. A subscription lives long:
    /// its loaders (`live`) batch but never cache, so that each event reads fresh rows.
    pub fn attach(
        &self,
        state: &AppState,
        scope: Scope,
        request: async_graphql::Request,
        live: bool,
    ) -> async_graphql::Request {
        let loaders = loader::new_loaders(state.db.clone(), scope.clone());
        if live {
            loaders.enable_all_cache(false);
        }
        request
            .data(self.viewer.clone())
            .data(scope)
            .data(loaders)
            .data(CostAccount::new(&state.throttle, self.account))
    }

    /// Whether the caller may introspect the schema, see GraphiQL and "Did you mean …?" hints.
    pub fn may_inspect_schema(&self, state: &AppState) -> bool {
        self.viewer
            .may_inspect_schema(state.settings.env, state.settings.public_schema)
    }
}
