//! The messages of graphql-transport-ws
//! (<https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md>) and its close codes.

use async_graphql::ServerError;
use serde::{Deserialize, Serialize};

/// The subprotocol spoken here.
pub const SUBPROTOCOL: &str = "graphql-transport-ws";

/// Close codes of the protocol (and two of RFC 6455).
pub mod close {
    /// A message the protocol does not allow.
    pub const BAD_REQUEST: u16 = 4400;
    /// `subscribe` before the connection was acknowledged; a token that is no longer valid.
    pub const UNAUTHORIZED: u16 = 4401;
    /// The token was refused at `connection_init`, revoked, or its rights shrank.
    pub const FORBIDDEN: u16 = 4403;
    /// No `Sec-WebSocket-Protocol` the server speaks.
    pub const SUBPROTOCOL_NOT_ACCEPTABLE: u16 = 4406;
    /// No `connection_init` in time.
    pub const INIT_TIMEOUT: u16 = 4408;
    /// A `subscribe` with the id of an operation still running.
    pub const SUBSCRIBER_EXISTS: u16 = 4409;
    /// A second `connection_init`; too many connections of one token.
    pub const TOO_MANY_INIT: u16 = 4429;
    /// The server is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// The client does not read what it is sent.
    pub const POLICY: u16 = 1008;
    /// The token records cannot be read now.
    pub const TRY_AGAIN_LATER: u16 = 1013;
}

/// A message from the client.
#[derive(Deserialize, Debug)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<serde_json::Value>,
    },
    /// Its payload, if any, is ignored (the protocol lets it carry anything).
    Ping {},
    Pong {},
    Subscribe {
        id: String,
        payload: SubscribePayload,
    },
    Complete {
        id: String,
    },
}

/// What `subscribe` asks to run: the GraphQL-over-HTTP parameters.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct SubscribePayload {
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub operation_name: Option<String>,
    #[serde(default)]
    pub variables: Option<async_graphql::Variables>,
    #[serde(default)]
    pub extensions: Option<async_graphql::Extensions>,
}

/// A message to the client.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage<'a> {
    ConnectionAck,
    Pong,
    Next {
        id: &'a str,
        payload: &'a async_graphql::Response,
    },
    Error {
        id: &'a str,
        payload: &'a [ServerError],
    },
    Complete {
        id: &'a str,
    },
}

impl ServerMessage<'_> {
    pub fn text(&self) -> String {
        // Serialising these types cannot fail: strings, numbers and async-graphql values only.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Whether the client offered graphql-transport-ws, or no subprotocol at all (taken to mean it).
pub fn offered(protocols: Option<&str>) -> bool {
    protocols.is_none_or(|p| p.split(',').any(|p| p.trim() == SUBPROTOCOL))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_parse_by_type() {
        let m: Result<ClientMessage, _> = serde_json::from_str(
            r#"{"type":"subscribe","id":"1","payload":{"query":"{ a }","variables":null}}"#,
        );
        assert!(matches!(m, Ok(ClientMessage::Subscribe { id, .. }) if id == "1"));
        let m: Result<ClientMessage, _> = serde_json::from_str(r#"{"type":"connection_init"}"#);
        assert!(matches!(
            m,
            Ok(ClientMessage::ConnectionInit { payload: None })
        ));
        let m: Result<ClientMessage, _> =
            serde_json::from_str(r#"{"type":"ping","payload":{"at":1}}"#);
        assert!(matches!(m, Ok(ClientMessage::Ping {})));
        for bad in [
            r#"{"type":"start","id":"1"}"#,
            r#"{"type":"subscribe","payload":{}}"#,
            r#"{"id":"1"}"#,
            "[]",
        ] {
            assert!(serde_json::from_str::<ClientMessage>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_subprotocol_must_be_offered_when_any_is() {
        assert!(offered(None));
        assert!(offered(Some("graphql-transport-ws")));
        assert!(offered(Some("graphql-ws, graphql-transport-ws")));
        assert!(!offered(Some("graphql-ws")));
    }

    #[test]
    fn server_messages_carry_their_type() {
        let response = async_graphql::Response::new(async_graphql::Value::Null);
        let next = ServerMessage::Next {
            id: "7",
            payload: &response,
        }
        .text();
        assert!(
            next.starts_with(r#"{"type":"next","id":"7","payload":"#),
            "{next}"
        );
        assert_eq!(
            ServerMessage::ConnectionAck.text(),
            r#"{"type":"connection_ack"}"#
        );
    }
}
