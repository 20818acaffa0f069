//! One WebSocket connection: the protocol loop. Each `subscribe` passes the gate again (token
//! state, rate limit, allow-list, document bounds, scope); queries and mutations take a capacity
//! slot and the request time limit as over HTTP. Every `token_cache_ttl` the token is checked
//! again: a revoked token closes the connection (4403), an expired one too (4401, also at the
//! instant of expiry), and so does a caller whose rights shrank (4403) — its running
//! subscriptions were resolved with the old rights.
//! Long because it is one state machine: the loop and the handlers it calls share the connection's
//! state (caller and scope, running operations, token expiry) and read best together.

use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Session};
use async_graphql::parser::types::OperationType;
use async_graphql::{ErrorExtensions as _, ServerError};
use futures_util::stream::{self, BoxStream, StreamExt as _};
use tokio::time::{Instant, Sleep};
use tokio_stream::StreamMap;

use super::Holder;
use super::protocol::{ClientMessage, ServerMessage, SubscribePayload, close};
use crate::auth::{Scope, Viewer};
use crate::error::{ApiError, request_error};
use crate::persisted::{self, Unresolved};
use crate::routes::AppState;
use crate::routes::graphql_http::{Checked, finish, introspection_disabled};
use crate::routes::{Caller, Denial, MAX_BODY_BYTES, execution};
use crate::throttle::Hold;

/// How often the server pings; a client silent for [`SILENCE`] is gone.
const KEEPALIVE: Duration = Duration::from_secs(30);
const SILENCE: Duration = Duration::from_secs(75);
/// How long one message may wait for a client that does not read before the connection is
/// closed: its subscriptions must not pile up events for it.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// What an operation sends.
enum Frame {
    Next(async_graphql::Response),
    /// Nothing ran (or the operation failed as a whole): ends the operation, no `complete`.
    Error(Vec<ServerError>),
    Complete,
}

/// How a connection ends.
enum End {
    /// The server closes it with this code and reason.
    Close(u16, String),
    /// The client closed it or went away.
    Gone,
}

fn close_with(code: u16, reason: impl Into<String>) -> End {
    End::Close(code, reason.into())
}

/// `message` cut to what a close frame carries (123 bytes of reason), on a character boundary.
fn close_reason(message: &str) -> &str {
    let mut end = message.len().min(123);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}

pub struct Connection {
    state: Arc<AppState>,
    client: IpAddr,
    /// The `Authorization` of the upgrade request, replaced by the `connection_init` payload's.
    authorization: Option<Vec<u8>>,
    _address_hold: Hold<Holder>,
    token_hold: Option<Hold<Holder>>,
    session: Session,
    /// After `connection_ack`: the caller as last checked, with its scope.
    caller: Option<(Caller, Scope)>,
    init_seen: bool,
    operations: StreamMap<String, BoxStream<'static, Frame>>,
    /// When the token expires (far away without one).
    expiry: Pin<Box<Sleep>>,
}

impl Connection {
    pub fn new(
        state: Arc<AppState>,
        client: IpAddr,
        authorization: Option<Vec<u8>>,
        address_hold: Hold<Holder>,
        session: Session,
    ) -> Self {
        Self {
            state,
            client,
            authorization,
            _address_hold: address_hold,
            token_hold: None,
            session,
            caller: None,
            init_seen: false,
            operations: StreamMap::new(),
            expiry: Box::pin(tokio::time::sleep(Duration::from_secs(86_400 * 365))),
        }
    }

    /// Serves the connection until either side ends it.
    pub async fn run(mut self, messages: actix_ws::MessageStream, offered: bool) {
        let end = if offered {
            self.serve(messages).await
        } else {
            close_with(
                close::SUBPROTOCOL_NOT_ACCEPTABLE,
                "the subprotocol spoken here is graphql-transport-ws",
            )
        };
        // Subscriptions end before the close is sent.
        self.operations = StreamMap::new();
        if let End::Close(code, reason) = end {
            tracing::info!(code, %reason, "websocket closed by the server");
            let reason = CloseReason {
                code: CloseCode::Other(code),
                description: Some(reason),
            };
            let _ = tokio::time::timeout(SEND_TIMEOUT, self.session.close(Some(reason))).await;
        }
    }

    async fn serve(&mut self, messages: actix_ws::MessageStream) -> End {
        let mut messages = messages
            .max_frame_size(MAX_BODY_BYTES)
            .aggregate_continuations()
            .max_continuation_size(MAX_BODY_BYTES);
        let init_deadline = tokio::time::sleep(self.state.settings.ws_init_timeout);
        tokio::pin!(init_deadline);
        let mut recheck = tokio::time::interval(
            self.state
                .settings
                .token_cache_ttl
                .max(Duration::from_secs(1)),
        );
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut last_heard = Instant::now();
        let mut last_ping = Instant::now();
        loop {
            let end = tokio::select! {
                message = messages.recv() => {
                    last_heard = Instant::now();
                    match message {
                        None | Some(Ok(AggregatedMessage::Close(_))) => Some(End::Gone),
                        Some(Ok(AggregatedMessage::Text(text))) => self.on_text(&text).await,
                        Some(Ok(AggregatedMessage::Binary(_))) => Some(close_with(
                            close::BAD_REQUEST,
                            "messages are JSON text",
                        )),
                        Some(Ok(AggregatedMessage::Ping(bytes))) => {
                            self.session.pong(&bytes).await.err().map(|_| End::Gone)
                        }
                        Some(Ok(AggregatedMessage::Pong(_))) => None,
                        Some(Err(err)) => Some(close_with(close::BAD_REQUEST, err.to_string())),
                    }
                }
                Some((id, frame)) = self.operations.next(), if !self.operations.is_empty() => {
                    self.on_frame(&id, frame).await
                }
                () = &mut init_deadline, if !self.init_seen => {
                    Some(close_with(close::INIT_TIMEOUT, "connection initialisation timeout"))
                }
                _ = recheck.tick(), if self.caller.is_some() => self.recheck().await,
                () = &mut self.expiry => {
                    Some(close_with(close::UNAUTHORIZED, "the access token expired"))
                }
                _ = tick.tick() => {
                    if self.state.lifecycle.is_closing() {
                        Some(close_with(close::GOING_AWAY, "the server is shutting down"))
                    } else if last_heard.elapsed() > SILENCE {
                        Some(close_with(close::POLICY, "no answer to pings"))
                    } else if last_ping.elapsed() >= KEEPALIVE {
                        last_ping = Instant::now();
                        self.session.ping(b"").await.err().map(|_| End::Gone)
                    } else {
                        None
                    }
                }
            };
            if let Some(end) = end {
                return end;
            }
        }
    }

    /// Sends one message, or ends the connection of a client that does not read.
    async fn send(&mut self, message: ServerMessage<'_>) -> Option<End> {
        match tokio::time::timeout(SEND_TIMEOUT, self.session.text(message.text())).await {
            Ok(Ok(())) => None,
            Ok(Err(_)) => Some(End::Gone),
            Err(_) => Some(close_with(
                close::POLICY,
                "the client does not read its messages",
            )),
        }
    }

    /// Sends an operation's `error`. One for going too fast (`RATE_LIMITED`) pauses the
    /// connection, as an HTTP refusal is held (`Throttle::hold_refusal`): a client that floods
    /// its socket is read no faster than its limits let it run operations.
    async fn send_errors(&mut self, id: &str, errors: Vec<ServerError>) -> Option<End> {
        let mut errors = errors;
        crate::error::finish_errors(&mut errors);
        let limited = errors
            .iter()
            .find_map(crate::error::rate_limited)
            .map(|seconds| Duration::from_secs(seconds.unwrap_or(1)));
        let end = self
            .send(ServerMessage::Error {
                id,
                payload: &errors,
            })
            .await;
        if let (None, Some(retry_after)) = (&end, limited) {
            tokio::time::sleep(self.state.throttle.refusal_delay(retry_after)).await;
        }
        end
    }

    async fn on_text(&mut self, text: &str) -> Option<End> {
        let Ok(message) = serde_json::from_str::<ClientMessage>(text) else {
            return Some(close_with(close::BAD_REQUEST, "invalid message"));
        };
        match message {
            ClientMessage::ConnectionInit { payload } => self.init(payload).await,
            ClientMessage::Ping { .. } => self.send(ServerMessage::Pong).await,
            ClientMessage::Pong { .. } => None,
            ClientMessage::Subscribe { id, payload } => {
                if self.caller.is_none() {
                    return Some(close_with(close::UNAUTHORIZED, "Unauthorized"));
                }
                if self.operations.contains_key(&id) {
                    return Some(close_with(
                        close::SUBSCRIBER_EXISTS,
                        format!("Subscriber for {id} already exists"),
                    ));
                }
                self.subscribe(id, payload).await
            }
            ClientMessage::Complete { id } => {
                self.operations.remove(&id);
                None
            }
        }
    }

    /// `connection_init`: the token of its payload (`{"Authorization": "Bearer …"}` or
    /// `{"token": "…"}`), else the upgrade request's, decides the caller.
    async fn init(&mut self, payload: Option<serde_json::Value>) -> Option<End> {
        if std::mem::replace(&mut self.init_seen, true) {
            return Some(close_with(
                close::TOO_MANY_INIT,
                "Too many initialisation requests",
            ));
        }
        let payload = payload.unwrap_or_default();
        let from_payload = ["Authorization", "authorization"]
            .iter()
            .find_map(|k| payload.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
            .or_else(|| {
                payload
                    .get("token")
                    .and_then(|v| v.as_str())
                    .map(|t| format!("Bearer {t}"))
            });
        if let Some(authorization) = from_payload {
            self.authorization = Some(authorization.into_bytes());
        }
        let caller = match self.identify().await {
            Ok(caller) => caller,
            Err(end) => return Some(end),
        };
        if let Some(token) = caller.viewer.token() {
            let max = self.state.settings.ws_max_connections_per_token;
            match self
                .state
                .sockets
                .hold(Holder::Token(token.bearer.key()), max)
            {
                Some(hold) => self.token_hold = Some(hold),
                None => {
                    return Some(close_with(
                        close::TOO_MANY_INIT,
                        "too many connections with this token",
                    ));
                }
            }
            let left = (token.expires_at - chrono::Utc::now())
                .to_std()
                .unwrap_or_default();
            self.expiry = Box::pin(tokio::time::sleep(left));
        }
        let scope = match caller.scope(&self.state).await {
            Ok(scope) => scope,
            Err(_) => return Some(close_with(close::TRY_AGAIN_LATER, "try again later")),
        };
        self.caller = Some((caller, scope));
        self.send(ServerMessage::ConnectionAck).await
    }

    /// The caller as its token says now; a refused token ends the connection.
    async fn identify(&self) -> Result<Caller, End> {
        Caller::identify(&self.state, self.authorization.as_deref(), self.client)
            .await
            .map_err(|denial| match denial {
                Denial::Revoked => close_with(close::FORBIDDEN, "the access token was revoked"),
                Denial::Unmapped(message) => close_with(close::FORBIDDEN, close_reason(&message)),
                Denial::Invalid => close_with(
                    match self.caller {
                        // Refused at `connection_init`: the server forbids the connection.
                        None => close::FORBIDDEN,
                        Some(_) => close::UNAUTHORIZED,
                    },
                    "the access token is invalid or expired",
                ),
                Denial::Unavailable => close_with(close::TRY_AGAIN_LATER, "try again later"),
            })
    }

    /// The token checked again: refused, it ends the connection; with fewer rights than the
    /// running operations were resolved with, too.
    async fn recheck(&mut self) -> Option<End> {
        let caller = match self.identify().await {
            Ok(caller) => caller,
            // A database that does not answer for a moment does not close every connection.
            Err(End::Close(close::TRY_AGAIN_LATER, _)) => return None,
            Err(end) => return Some(end),
        };
        // Without running operations there is nothing resolved with old rights; the next
        // `subscribe` resolves the scope anew.
        if self.operations.is_empty() {
            return None;
        }
        // A database that does not answer for a moment leaves the connection as it is.
        self.refresh(caller).await.unwrap_or(None)
    }

    /// Keeps `caller` (and its scope now) as the connection's caller, or ends the connection when
    /// its rights shrank since; `Err` when the scope cannot be read now.
    async fn refresh(&mut self, caller: Caller) -> Result<Option<End>, ApiError> {
        let Some((previous, previous_scope)) = &self.caller else {
            return Ok(None);
        };
        let same_token = match (previous.viewer.token(), caller.viewer.token()) {
            (Some(a), Some(b)) => a == b,
            (None, None) => true,
            _ => false,
        };
        if !same_token {
            return Ok(Some(close_with(
                close::FORBIDDEN,
                "the access token changed",
            )));
        }
        if !matches!(caller.viewer, Viewer::Token(_)) {
            return Ok(None);
        }
        let scope = caller.scope(&self.state).await?;
        if !scope.covers(previous_scope) {
            return Ok(Some(close_with(
                close::FORBIDDEN,
                "the caller's access changed: connect again",
            )));
        }
        self.caller = Some((caller, scope));
        Ok(None)
    }

    async fn on_frame(&mut self, id: &str, frame: Frame) -> Option<End> {
        match frame {
            Frame::Next(response) => {
                self.send(ServerMessage::Next {
                    id,
                    payload: &response,
                })
                .await
            }
            Frame::Error(errors) => {
                self.operations.remove(id);
                self.send(ServerMessage::Error {
                    id,
                    payload: &errors,
                })
                .await
            }
            Frame::Complete => self.send(ServerMessage::Complete { id }).await,
        }
    }

    /// `subscribe`: the operation passes the gate, then runs.
    async fn subscribe(&mut self, id: String, payload: SubscribePayload) -> Option<End> {
        if self.operations.len() >= self.state.settings.ws_max_operations {
            let error = refusal(
                format!(
                    "this connection runs {} operations already; complete one first",
                    self.operations.len()
                ),
                "RATE_LIMITED",
                "OPERATIONS",
            );
            return self.send_errors(&id, vec![error]).await;
        }
        let caller = match self.identify().await {
            Ok(caller) => caller,
            Err(End::Close(close::TRY_AGAIN_LATER, _)) => {
                let error = request_error(ApiError::Unavailable.into());
                return self.send_errors(&id, vec![error]).await;
            }
            Err(end) => return Some(end),
        };
        match self.refresh(caller.clone()).await {
            Ok(None) => {}
            Ok(Some(end)) => return Some(end),
            Err(error) => {
                return self
                    .send_errors(&id, vec![request_error(error.into())])
                    .await;
            }
        }
        // Resolved just now by `refresh` (for a token; an anonymous caller's is public).
        let scope = match &self.caller {
            Some((_, scope)) => scope.clone(),
            None => return None,
        };
        match self.prepare(&caller, scope, payload).await {
            Ok(operation) => {
                self.operations.insert(id, operation);
                None
            }
            Err(errors) => self.send_errors(&id, errors).await,
        }
    }

    /// The operation's frames, or the request errors that refuse it.
    async fn prepare(
        &self,
        caller: &Caller,
        scope: Scope,
        payload: SubscribePayload,
    ) -> Result<BoxStream<'static, Frame>, Vec<ServerError>> {
        let state = &self.state;
        let api_error = |e: ApiError| vec![request_error(e.into())];
        caller.admit(state).await.map_err(api_error)?;
        let extensions = payload.extensions.unwrap_or_default();
        let resolved = state
            .persisted
            .resolve(payload.query, &extensions)
            .await
            .map_err(|unresolved| match unresolved {
                Unresolved::Refused(error) => vec![error],
                Unresolved::Unavailable => vec![request_error(ApiError::Unavailable.into())],
            })?;
        let query = resolved.query.ok_or_else(|| {
            vec![refusal(
                "the `query` parameter is required",
                "BAD_USER_INPUT",
                "BAD_REQUEST",
            )]
        })?;
        persisted::check_allowed(&caller.viewer, &query).map_err(|e| vec![e])?;
        let mut request =
            async_graphql::Request::new(query).variables(payload.variables.unwrap_or_default());
        request.operation_name = payload.operation_name;
        request.extensions = extensions;
        let checked = Checked::parse(&request, &state.settings.query_limits())?;
        if let Some(hash) = resolved.learn {
            state.persisted.learn(hash, &request.query).await;
        }
        if !checked.missing_variables.is_empty() {
            return Err(checked.missing_variables);
        }
        let may_inspect = caller.may_inspect_schema(state);
        if checked.shape.introspection && !may_inspect {
            return Err(vec![introspection_disabled()]);
        }
        let operation = checked.operation;
        request.set_parsed_query(checked.document);
        let live = operation == OperationType::Subscription;
        let request = caller.attach(state, scope, request, live);
        let schema = state.schemas.get(may_inspect).clone();
        let frames: BoxStream<'static, Frame> = if live {
            // Up to the first request error; every response of a subscription is an event.
            schema
                .execute_stream(request)
                .map(|response| match finish(response) {
                    Ok(response) => Frame::Next(response),
                    Err(errors) => Frame::Error(errors),
                })
                .scan(false, |ended, frame| {
                    let item = (!*ended).then(|| {
                        *ended = matches!(frame, Frame::Error(_));
                        frame
                    });
                    async move { item }
                })
                .chain(stream::once(async { Frame::Complete }))
                .boxed()
        } else {
            let state = Arc::clone(&self.state);
            stream::once(async move { run_once(&state, schema, request, operation).await })
                .flat_map(|frame| match frame {
                    Frame::Next(_) => stream::iter(vec![frame, Frame::Complete]),
                    other => stream::iter(vec![other]),
                })
                .boxed()
        };
        Ok(frames)
    }
}

/// A query or mutation: a capacity slot, the request time limit, a mutation detached from the
/// connection (it ends the same way if the client leaves).
async fn run_once(
    state: &AppState,
    schema: crate::graphql::AppSchema,
    request: async_graphql::Request,
    operation: OperationType,
) -> Frame {
    let unavailable = || Frame::Error(vec![request_error(ApiError::Unavailable.into())]);
    let Some(_slot) = state.capacity.slot().await else {
        tracing::warn!("over capacity: websocket operation refused");
        return unavailable();
    };
    let detach = operation == OperationType::Mutation;
    let work = async move { schema.execute(request).await };
    match execution::run(work, detach, state.settings.request_timeout).await {
        Ok(response) => match finish(response) {
            Ok(response) => Frame::Next(response),
            Err(errors) => Frame::Error(errors),
        },
        Err(execution::Failure::TimedOut) => unavailable(),
        Err(execution::Failure::Panicked) => Frame::Error(vec![request_error(
            ApiError::internal(anyhow::anyhow!("a resolver panicked")).into(),
        )]),
    }
}

/// A refusal with its code and the specific reason.
fn refusal(message: impl Into<String>, code: &'static str, reason: &'static str) -> ServerError {
    request_error(async_graphql::Error::new(message).extend_with(|_, e| {
        e.set("code", code);
        e.set("reason", reason);
    }))
}
