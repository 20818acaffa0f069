//! The release server as a child process on a free loopback port, and what the benchmark reads about
//! it: readiness, the SQL statement counter of `/metrics` and its memory from `/proc`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::process::{Child, Command};

pub struct Server {
    child: Child,
    pub base: String,
    /// The `/metrics` listener (`UCAP_METRICS_BIND`).
    metrics_base: String,
    pub pid: u32,
    log: PathBuf,
    client: reqwest::Client,
}

/// Memory of the server process, in KiB.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// Peak resident set size (`VmHWM`).
    pub peak_kib: u64,
    /// Current resident set size (`VmRSS`).
    pub rss_kib: u64,
}

impl Server {
    /// Starts `binary serve --no-sample` against `database_url`, with `env` added to its
    /// environment, and waits until `/readyz` answers.
    pub async fn start(
        binary: &Path,
        database_url: &str,
        log_filter: &str,
        response_cache: bool,
        log: &Path,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let out = std::fs::File::create(log)?;
        let child = Command::new(binary)
            .args([
                "serve",
                "--no-sample",
                "--bind",
                &format!("127.0.0.1:{port}"),
            ])
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", log_filter)
            .env("UCAP_LOG_FORMAT", "json")
            .env("UCAP_METRICS_BIND", format!("127.0.0.1:{metrics_port}"))
            // As the container image runs it (Dockerfile): two glibc arenas for SQLite's
            // allocations, unless the caller's environment says otherwise.
            .env(
                "MALLOC_ARENA_MAX",
                std::env::var("MALLOC_ARENA_MAX").unwrap_or_else(|_| "2".to_owned()),
            )
            .env("UCAP_RESPONSE_CACHE", response_cache.to_string())
            // Throughput, not limits: every bench client is one loopback address.
            .env("UCAP_RATE_LIMIT_ANONYMOUS", "0")
            .env("UCAP_COST_BUDGET_ANONYMOUS", "0")
            .env("UCAP_RATE_LIMIT_TOKEN", "0")
            .env("UCAP_COST_BUDGET_TOKEN", "0")
            // Next to the log, not in the working directory.
            .env("UCAP_JWT_PRIVATE_KEY_FILE", log.with_extension("pem"))
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let pid = child.id().context("the server exited at once")?;
        let mut server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            metrics_base: format!("http://127.0.0.1:{metrics_port}"),
            pid,
            log: log.to_owned(),
            client: reqwest::Client::new(),
        };
        server.wait_ready(Duration::from_secs(120)).await?;
        Ok(server)
    }

    async fn wait_ready(&mut self, limit: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        let url = format!("{}/readyz", self.base);
        loop {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!("the server exited with {status}:\n{}", self.log_tail());
            }
            if let Ok(res) = self.client.get(&url).send().await
                && res.status().is_success()
            {
                return Ok(());
            }
            if started.elapsed() > limit {
                anyhow::bail!(
                    "the server was not ready after {limit:?}:\n{}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The last lines of the server's log, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// `ucap_sql_statements_total` from `/metrics`, or `None` when the server has no such counter.
    pub async fn sql_statements(&self) -> anyhow::Result<Option<u64>> {
        self.counter("ucap_sql_statements_total").await
    }

    /// A counter of `/metrics` (`None` when the listener does not answer or lacks it).
    pub async fn counter(&self, name: &str) -> anyhow::Result<Option<u64>> {
        let res = self
            .client
            .get(format!("{}/metrics", self.metrics_base))
            .send()
            .await?;
        if !res.status().is_success() {
            return Ok(None);
        }
        let text = res.text().await?;
        Ok(parse_counter(&text, name))
    }

    pub fn memory(&self) -> Option<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        };
        Some(Memory {
            peak_kib: field("VmHWM:")?,
            rss_kib: field("VmRSS:")?,
        })
    }

    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// Sums the samples of a Prometheus counter (with or without labels).
fn parse_counter(text: &str, name: &str) -> Option<u64> {
    let values: Vec<u64> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (metric, value) = l.rsplit_once(' ')?;
            let bare = metric.split('{').next()?.trim();
            (bare == name).then(|| value.trim().parse::<f64>().ok().map(|v| v as u64))?
        })
        .collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_read_with_and_without_labels() {
        let text = "# HELP ucap_sql_statements_total SQL statements\n# TYPE ucap_sql_statements_total counter\nucap_sql_statements_total 42\nother 1\n";
        assert_eq!(parse_counter(text, "ucap_sql_statements_total"), Some(42));
        let labelled = "ucap_sql_statements_total{kind=\"select\"} 5\nucap_sql_statements_total{kind=\"insert\"} 2\n";
        assert_eq!(
            parse_counter(labelled, "ucap_sql_statements_total"),
            Some(7)
        );
        assert_eq!(
            parse_counter("other 1\n", "ucap_sql_statements_total"),
            None
        );
    }
}
