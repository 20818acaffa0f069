//! The real `ucap serve` as a child process, for what an in-process server cannot show: signals,
//! SIGKILL and restarts on the same database. The binary is this package's `ucap-server` (the
//! `ucap` command line), passed in by the test as `env!("CARGO_BIN_EXE_ucap-server")` so that it is
//! always the current build.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use crate::test_private_key;

pub struct ServerProcess {
    child: Child,
    pub address: String,
    pub log: PathBuf,
}

impl ServerProcess {
    /// Starts `binary serve` on a free loopback port against `database_url` with the test signing
    /// key and `env`, and waits until it is ready.
    pub async fn start(
        binary: &str,
        database_url: &str,
        env: &[(&str, &str)],
        log_dir: &Path,
    ) -> Self {
        Self::launch(binary, database_url, env, log_dir, None).await
    }

    /// Like [`start`](Self::start), on a port chosen here rather than by the server: for a server
    /// whose log filter (`RUST_LOG=warn`) hides the `listening` line the port is read from.
    pub async fn start_quiet(
        binary: &str,
        database_url: &str,
        env: &[(&str, &str)],
        log_dir: &Path,
    ) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        Self::launch(binary, database_url, env, log_dir, Some(port)).await
    }

    async fn launch(
        binary: &str,
        database_url: &str,
        env: &[(&str, &str)],
        log_dir: &Path,
        port: Option<u16>,
    ) -> Self {
        let log = log_dir.join(format!(
            "server-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        let out = std::fs::File::create(&log).unwrap_or_else(|e| panic!("{e}"));
        let err = out.try_clone().unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new(binary)
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{}", port.unwrap_or(0)),
            ])
            .env("DATABASE_URL", database_url)
            .env("UCAP_JWT_PRIVATE_KEY", test_private_key())
            .env("UCAP_LOG_FORMAT", "json")
            .env("RUST_LOG", "info,sqlx=warn,sea_orm_migration=warn")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
        let mut server = Self {
            child,
            address: String::new(),
            log,
        };
        server.address = format!("http://127.0.0.1:{}", server.wait_listening(port).await);
        server
    }

    /// The port (`known`, or the one of the `listening` log line), once `/readyz` answers 200.
    async fn wait_listening(&mut self, known: Option<u16>) -> u16 {
        let started = Instant::now();
        let client = reqwest::Client::new();
        while started.elapsed() < Duration::from_secs(120) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited with {status}:\n{}", self.log_text());
            }
            let port = known.or_else(|| {
                self.log_text()
                    .lines()
                    .filter(|l| l.contains("\"listening\""))
                    .find_map(|l| {
                        let (_, rest) = l.split_once("\"port\":")?;
                        rest.split(|c: char| !c.is_ascii_digit())
                            .next()?
                            .parse()
                            .ok()
                    })
            });
            if let Some(port) = port {
                let ready = client
                    .get(format!("http://127.0.0.1:{port}/readyz"))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if ready {
                    return port;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not become ready:\n{}", self.log_text());
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends a signal (`TERM`, `KILL`, …) with kill(1).
    pub fn signal(&self, name: &str) {
        let pid = self
            .child
            .id()
            .unwrap_or_else(|| panic!("the server has exited"));
        let status = std::process::Command::new("kill")
            .args([format!("-{name}"), pid.to_string()])
            .status()
            .unwrap_or_else(|e| panic!("cannot run kill: {e}"));
        assert!(status.success(), "kill -{name} {pid} failed");
    }

    /// Waits for the process to exit, at most `limit`.
    pub async fn wait(&mut self, limit: Duration) -> ExitStatus {
        match tokio::time::timeout(limit, self.child.wait()).await {
            Ok(Ok(status)) => status,
            Ok(Err(e)) => panic!("cannot wait for the server: {e}"),
            Err(_) => panic!(
                "the server did not exit within {limit:?}:\n{}",
                self.log_text()
            ),
        }
    }
}
