//! GraphQL over WebSocket (`/graphql/ws`, graphql-transport-ws): subscriptions, and queries and
//! mutations for clients that keep one connection. Every operation passes the same gate as an
//! HTTP request ([`Caller`], re-run per `subscribe`), and the connection is bounded: operations per
//! connection, connections per client address and per token, time to `connection_init`, a client
//! that stops reading. Our own protocol loop instead of async-graphql's, which polls every
//! subscription on every wake-up, never times out `connection_init` and decides the caller once.

mod connection;
mod protocol;

use std::net::IpAddr;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{ApiError, HttpError};
use crate::routes::AppState;
use crate::throttle::{Holds, address_key};

/// The WebSocket upgrade: refused (429) when the client address holds its share of connections
/// already; the caller is decided at `connection_init` and again at every operation.
pub async fn upgrade(
    state: web::Data<AppState>,
    http: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, HttpError> {
    if state.lifecycle.is_closing() {
        return Err(HttpError(ApiError::Unavailable));
    }
    let client = state.throttle.client_address(&http);
    let Some(address_hold) = state.sockets.hold(
        Holder::Address(address_key(client)),
        state.settings.ws_max_connections_per_address,
    ) else {
        tracing::info!(%client, "too many websocket connections from one address");
        return Err(HttpError(ApiError::RateLimited { retry_after: 60 }));
    };
    let offered = protocol::offered(
        http.headers()
            .get(header::SEC_WEBSOCKET_PROTOCOL)
            .and_then(|v| v.to_str().ok()),
    );
    let header = http
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes().to_vec());
    let (response, session, messages) =
        actix_ws::handle_with_protocols(&http, payload, &[protocol::SUBPROTOCOL])
            .map_err(|err| HttpError(ApiError::invalid("websocket", err.to_string())))?;
    let connection =
        connection::Connection::new(state.into_inner(), client, header, address_hold, session);
    actix_web::rt::spawn(connection.run(messages, offered));
    Ok(response)
}

/// Whose share of connections a connection counts against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Holder {
    Address(IpAddr),
    Token(crate::auth::BearerKey),
}

/// The WebSocket connections open on this instance, by holder.
pub type Sockets = Holds<Holder>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_gets_its_share_and_it_comes_back_when_dropped() {
        let sockets = Sockets::default();
        let a = Holder::Token(crate::auth::BearerKey::Issued(1));
        let first = sockets.hold(a, 2);
        let second = sockets.hold(a, 2);
        assert!(first.is_some() && second.is_some());
        assert!(sockets.hold(a, 2).is_none());
        assert!(
            sockets
                .hold(Holder::Token(crate::auth::BearerKey::Issued(2)), 2)
                .is_some()
        );
        drop(first);
        assert!(sockets.hold(a, 2).is_some());
    }
}
