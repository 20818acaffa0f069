//! A loopback TCP proxy in front of several instances, the stand-in for the load balancer (Caddy
//! in docker-compose) in tests of more than one instance. Each connection goes to the next backend
//! in turn, or to the one after when that one refuses it (it has died). It forwards bytes, so HTTP
//! keep-alive and WebSocket upgrades pass as they are. Written by hand: it is some forty lines,
//! and a proxy crate would add a dependency and nothing else.

use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub struct Proxy {
    /// `http://127.0.0.1:<port>`, an address like a server's.
    pub address: String,
    accepting: JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free loopback port in front of `backends` (`http://host:port` addresses).
    pub async fn start(backends: &[&str]) -> Self {
        let backends: Arc<[String]> = backends
            .iter()
            .map(|b| b.trim_start_matches("http://").to_owned())
            .collect();
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("cannot listen: {e}"));
        let address = listener
            .local_addr()
            .map(|a| format!("http://{a}"))
            .unwrap_or_else(|e| panic!("{e}"));
        let accepting = tokio::spawn(async move {
            let mut turn = 0;
            while let Ok((mut client, _)) = listener.accept().await {
                let first = turn;
                turn = (turn + 1) % backends.len();
                let backends = Arc::clone(&backends);
                tokio::spawn(async move {
                    for i in 0..backends.len() {
                        let backend = &backends[(first + i) % backends.len()];
                        if let Ok(mut server) = TcpStream::connect(backend).await {
                            // Small requests and answers go out at once, not after a delayed ACK.
                            let _ = client.set_nodelay(true);
                            let _ = server.set_nodelay(true);
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                            return;
                        }
                    }
                    // No backend took it: dropping the connection tells the client so.
                });
            }
        });
        Self { address, accepting }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}
