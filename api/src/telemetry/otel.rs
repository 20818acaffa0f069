//! Optional OpenTelemetry export: spans (the request spans of tracing-actix-web and everything
//! inside them) go to an OTLP/HTTP collector when `otel_endpoint` is set, and nowhere otherwise.

use anyhow::Context as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::{Layer, Registry};

/// OTLP's path for traces, appended to a collector's base URL.
const TRACES_PATH: &str = "/v1/traces";

/// A running span exporter: batches spans on its own thread and posts them to the collector.
pub(super) struct Exporter {
    provider: SdkTracerProvider,
    endpoint: String,
}

impl Exporter {
    /// The exporter for a collector at `endpoint`, its base URL (`http://collector:4318`) or its
    /// traces URL. Also makes incoming W3C `traceparent` headers the parents of request spans.
    pub(super) fn new(endpoint: &str, service_name: &str) -> anyhow::Result<Self> {
        let endpoint = traces_url(endpoint);
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(endpoint.clone())
            .build()
            .with_context(|| format!("invalid OTLP endpoint {endpoint}"))?;
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(
                Resource::builder()
                    .with_service_name(service_name.to_owned())
                    .build(),
            )
            .build();
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        Ok(Self { provider, endpoint })
    }

    pub(super) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The tracing layer that turns spans into OpenTelemetry spans of this exporter. It has its
    /// own filter, not the log's (`RUST_LOG`): quieting the log must not silence traces. Our
    /// crate's spans at `info` (the request spans are built in `telemetry::request`) and the
    /// events inside them.
    pub(super) fn layer(&self) -> Box<dyn Layer<Registry> + Send + Sync> {
        let spans = Targets::new().with_target("ucap", Level::INFO);
        tracing_opentelemetry::layer()
            .with_tracer(self.provider.tracer("ucap"))
            .with_filter(spans)
            .boxed()
    }

    /// Sends what is buffered and stops the export thread.
    pub(super) fn shutdown(self) {
        if let Err(err) = self.provider.shutdown() {
            eprintln!("ucap: cannot flush OpenTelemetry spans: {err}");
        }
    }
}

fn traces_url(endpoint: &str) -> String {
    let base = endpoint.trim().trim_end_matches('/');
    if base.ends_with(TRACES_PATH) {
        base.to_owned()
    } else {
        format!("{base}{TRACES_PATH}")
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    use std::net::TcpListener;
    use std::time::Duration;

    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    #[test]
    fn the_traces_path_is_appended_once() {
        assert_eq!(traces_url("http://c:4318"), "http://c:4318/v1/traces");
        assert_eq!(traces_url("http://c:4318/"), "http://c:4318/v1/traces");
        assert_eq!(
            traces_url("http://c:4318/v1/traces"),
            "http://c:4318/v1/traces"
        );
    }

    #[test]
    fn export_is_off_by_default() {
        assert!(crate::settings::Settings::default().otel_endpoint.is_none());
    }

    /// A collector on a loopback port receives the spans of a subscriber using the layer.
    #[test]
    fn spans_reach_the_configured_collector() -> anyhow::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let collector = std::thread::spawn(move || -> anyhow::Result<(String, usize)> {
            let (stream, _) = listener.accept()?;
            stream.set_read_timeout(Some(Duration::from_secs(10)))?;
            let mut reader = BufReader::new(stream.try_clone()?);
            let mut request_line = String::new();
            reader.read_line(&mut request_line)?;
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line)?;
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse()?;
                }
                if line.trim().is_empty() {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body)?;
            (&stream).write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")?;
            Ok((request_line, body.len()))
        });
        let exporter = Exporter::new(&format!("http://127.0.0.1:{port}"), "ucap")?;
        let subscriber = tracing_subscriber::registry().with(exporter.layer());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info_span!("HTTP request").in_scope(|| tracing::info!("inside"));
        });
        // Shutting down exports synchronously: a span sent at all has been accepted by now, and a
        // connection of our own unblocks the collector (with an empty request) if none was.
        exporter.shutdown();
        drop(std::net::TcpStream::connect(("127.0.0.1", port)));
        let (request_line, body_len) = collector
            .join()
            .map_err(|_| anyhow::anyhow!("collector thread panicked"))??;
        assert!(
            request_line.starts_with("POST /v1/traces "),
            "{request_line}"
        );
        assert!(body_len > 0);
        Ok(())
    }
}
