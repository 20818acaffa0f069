//! The socket under an HTTP connection, for a handler that must cut off a client. A response body
//! is only polled while the client reads, so a handler whose client stopped reading cannot end the
//! connection through actix; it shuts the socket down instead, which wakes actix's dispatcher
//! (the next write fails) and resets the client's connection.

use std::any::Any;
use std::net::Shutdown;
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpRequest;
use actix_web::dev::Extensions;
use socket2::{SockRef, Socket};

/// A second handle on a connection's socket (a duplicated descriptor, closed with the connection).
#[derive(Clone)]
pub struct ConnectionSocket(Arc<Socket>);

impl ConnectionSocket {
    /// `HttpServer::on_connect`: keeps a handle on each TCP connection's socket.
    pub fn remember(connection: &dyn Any, data: &mut Extensions) {
        let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() else {
            return;
        };
        match SockRef::from(stream).try_clone() {
            Ok(socket) => {
                data.insert(Self(Arc::new(socket)));
            }
            Err(err) => tracing::warn!(error = %err, "cannot keep a handle on a connection"),
        }
    }

    /// The socket of the connection `http` came on, when it is a TCP connection.
    pub fn of(http: &HttpRequest) -> Option<Self> {
        http.conn_data::<Self>().cloned()
    }

    /// Ends the connection at once: a reset rather than a close that would wait for the client
    /// to read what is still queued.
    pub fn abort(&self) {
        let _ = self.0.set_linger(Some(Duration::ZERO));
        if let Err(err) = self.0.shutdown(Shutdown::Both) {
            tracing::debug!(error = %err, "cannot shut a connection down");
        }
    }
}
