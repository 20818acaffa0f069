//! One tracing subscriber for the process: human-readable in a terminal, JSON for collectors, and
//! spans exported over OTLP when an endpoint is configured.

mod otel;
pub mod request;

use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer, Registry};

use crate::settings::{LogFormat, Settings};

/// What must outlive the server: the span exporter, flushed on [`Telemetry::shutdown`].
#[must_use = "call shutdown() before exiting, or buffered spans are lost"]
pub struct Telemetry {
    tracer: Option<otel::Exporter>,
}

impl Telemetry {
    /// Exports the spans still buffered; call once, after the server has stopped.
    pub fn shutdown(self) {
        if let Some(tracer) = self.tracer {
            tracer.shutdown();
        }
    }
}

/// Installs the global subscriber; a second call (tests) is a no-op.
pub fn init(settings: &Settings) -> Telemetry {
    let filter =
        EnvFilter::try_new(&settings.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    // Each layer filters for itself: the log's filter is the log's, the exporter has its own.
    let mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> = vec![match settings.log_format {
        LogFormat::Json => fmt
            .json()
            .flatten_event(true)
            .with_current_span(true)
            // The current span already has the request's fields; the list would repeat them.
            .with_span_list(false)
            .with_filter(filter)
            .boxed(),
        LogFormat::Pretty => fmt.compact().with_filter(filter).boxed(),
    }];
    let endpoint = settings
        .otel_endpoint
        .as_deref()
        .filter(|e| !e.trim().is_empty());
    let exporter = endpoint.map(|e| otel::Exporter::new(e, &settings.otel_service_name));
    let tracer = match exporter {
        None => None,
        Some(Ok(exporter)) => {
            layers.push(exporter.layer());
            Some(exporter)
        }
        Some(Err(err)) => {
            // Tracing is optional: the service runs without it rather than not at all.
            eprintln!("ucap: OpenTelemetry export disabled: {err:#}");
            None
        }
    };
    let installed = tracing_subscriber::registry()
        .with(layers)
        .try_init()
        .is_ok();
    if let (true, Some(exporter)) = (installed, &tracer) {
        tracing::info!(endpoint = exporter.endpoint(), "exporting spans over OTLP");
    }
    Telemetry { tracer }
}
