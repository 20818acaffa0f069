//! Builds the application: database, schema, HTTP server. The listener is bound before the server
//! starts so that port 0 works and tests learn the real port.

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;

use crate::auth::keys::Keys;
use crate::auth::tokens::Tokens;
use crate::graphql::build_schemas;
use crate::graphql::webhook::ChangeRenderer;
use crate::lifecycle::{Lifecycle, Shutdown};
use crate::metrics::Metrics;
use crate::persisted::Documents;
use crate::routes::{AppState, Capacity, ResponseCache};
use crate::settings::Settings;
use crate::throttle::Throttle;
use crate::{db, import, routes, telemetry};

/// A built, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
    /// The `/metrics` listener of `metrics_bind`, with its port.
    metrics: Option<(u16, Server)>,
    lifecycle: Lifecycle,
    drain_delay: std::time::Duration,
    /// This instance's webhook delivery worker, stopped after the server.
    webhooks: crate::webhook::Worker,
}

impl Application {
    /// Connects and migrates the database (or, with `migrate` off, refuses one that lacks a
    /// migration), loads the bundled sample into an empty database (when configured), binds the
    /// listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let mut db = db::connect(&settings)
            .await
            .with_context(|| "cannot connect to the database (DATABASE_URL)")?;
        if settings.migrate {
            db::migrate(&db)
                .await
                .context("cannot migrate the database")?;
        } else {
            let pending = db::pending_migrations(&db)
                .await
                .context("cannot read the applied migrations")?;
            if let Some(first) = pending.first() {
                anyhow::bail!(
                    "the database lacks {} migration(s), from {first}: run `ucap migrate` first, \
                     or start without --no-migrate (UCAP_MIGRATE=false)",
                    pending.len()
                );
            }
        }
        if settings.seed_sample {
            import::seed_sample_if_empty(&db)
                .await
                .context("cannot load the bundled sample")?;
        }
        let keys = Keys::from_settings(&settings).context("cannot load the token signing key")?;
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("cannot bind {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let metrics_listener = match settings.metrics_bind {
            Some(address) => Some(
                TcpListener::bind(address)
                    .with_context(|| format!("cannot bind {address} (metrics)"))?,
            ),
            None => None,
        };
        // The change-feed relay reads on its own schedule: started on the connection before it is
        // instrumented, so its reads never count as a request's statements.
        let metrics = Arc::new(Metrics::default());
        let live = crate::live::Live::start(
            db.clone(),
            settings.database_url.clone(),
            settings.live_poll_interval,
            metrics.live_reads.clone(),
        )
        .await;
        // The webhook worker too: its polls and renders are no request's statements.
        let uncounted = db.clone();
        metrics.instrument(&mut db);
        let tokens = Tokens::new(db.clone(), keys, &settings);
        tokens.follow_changes(settings.database_url.clone()).await;
        let responses = response_cache(&settings);
        let lifecycle = Lifecycle::default();
        let drain_delay = settings.drain_delay;
        let capacity = Capacity::new(&settings, metrics.operations_in_flight.clone());
        let throttle = Throttle::start(&settings, metrics.clone(), uncounted.clone())?;
        let persisted = Documents::new(db.clone(), settings.token_cache_ttl);
        // Committed changes wake the webhook worker (its poll only bounds the delay otherwise).
        let commits = live.subscribe();
        let schemas = build_schemas(
            db.clone(),
            tokens.clone(),
            persisted.clone(),
            live,
            &settings,
        );
        // Webhook payloads are the change feed as each endpoint's organization reads it: rendered
        // by the schema itself.
        let renderer = ChangeRenderer::new(schemas.admin.clone(), uncounted.clone());
        let webhooks = crate::webhook::Worker::start(
            uncounted,
            &settings,
            Arc::new(renderer),
            metrics.webhooks.clone(),
            commits,
        )
        .context("cannot start the webhook worker")?;
        let state = AppState {
            schemas,
            exports: Arc::new(tokio::sync::Semaphore::new(settings.max_concurrent_exports)),
            sockets: routes::Sockets::default(),
            db,
            settings,
            metrics,
            tokens,
            responses,
            capacity,
            lifecycle: lifecycle.clone(),
            throttle,
            persisted,
        };
        let metrics = match metrics_listener {
            Some(listener) => Some((
                listener.local_addr()?.port(),
                serve_metrics(listener, &state)?,
            )),
            None => None,
        };
        let server = serve(listener, state)?;
        Ok(Self {
            port,
            server,
            metrics,
            lifecycle,
            drain_delay,
            webhooks,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the `/metrics` listener, when `metrics_bind` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// Runs until stopped through [`Application::shutdown`]'s handle (tests).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = with_metrics(self.server, self.metrics).await;
        self.webhooks.stop().await;
        result
    }

    /// What stops this server gracefully.
    pub fn shutdown(&self) -> Shutdown {
        Shutdown {
            lifecycle: self.lifecycle.clone(),
            server: self.server.handle(),
            drain_delay: self.drain_delay,
        }
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully (`ucap serve`).
    pub async fn run_until_terminated(self) -> std::io::Result<()> {
        let shutdown = self.shutdown();
        tokio::spawn(async move {
            crate::lifecycle::terminated().await;
            shutdown.run().await;
        });
        let result = with_metrics(self.server, self.metrics).await;
        // Attempts under way finish (or time out) before the process exits.
        self.webhooks.stop().await;
        result
    }
}

/// Runs `server` and the metrics listener beside it; the listener stops with the server.
async fn with_metrics(server: Server, metrics: Option<(u16, Server)>) -> std::io::Result<()> {
    let Some((_, metrics)) = metrics else {
        return server.await;
    };
    let handle = metrics.handle();
    let running = tokio::spawn(metrics);
    let result = server.await;
    handle.stop(false).await;
    let _ = running.await;
    result
}

/// The listener of `metrics_bind`: `/metrics` and nothing else, to whoever reaches it.
fn serve_metrics(listener: TcpListener, state: &AppState) -> std::io::Result<Server> {
    let state = state.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(state.clone()))
            .app_data(web::Data::new(state.metrics.clone()))
            .configure(routes::metrics::configure_listener)
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

fn serve(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let shutdown_timeout = state.settings.shutdown_timeout.as_secs();
    let server = HttpServer::new(move || {
        App::new()
            .wrap(actix_web::middleware::from_fn(
                routes::compression::mark_small,
            ))
            .wrap(actix_web::middleware::Compress::default())
            .wrap(actix_web::middleware::from_fn(routes::compression::unmark))
            .wrap(actix_web::middleware::from_fn(routes::slow_refusals::hold))
            .wrap(actix_web::middleware::from_fn(crate::request_id::scope))
            .wrap(cors(&state.settings.cors_origins))
            .wrap(actix_web::middleware::from_fn(telemetry::request::observe))
            .wrap(tracing_actix_web::TracingLogger::<
                telemetry::request::RootSpan,
            >::new())
            .app_data(web::Data::new(state.clone()))
            .app_data(web::Data::new(state.metrics.clone()))
            .configure(routes::configure)
            .configure(routes::metrics::configure)
    })
    // Export streams cut off a client that stopped reading through its socket.
    .on_connect(crate::connection::ConnectionSocket::remember)
    // Signals are ours (lifecycle): readiness turns false before the listener closes.
    .disable_signals()
    .shutdown_timeout(shutdown_timeout)
    .listen(listener)?
    .run();
    Ok(server)
}

/// CORS for the configured origins only; `*` opens it to any origin (read-only public data).
fn cors(origins: &[String]) -> Cors {
    let base = Cors::default()
        .allowed_methods(["GET", "POST", "OPTIONS"])
        .allowed_headers(["content-type", "authorization", "accept"])
        // So that browser clients can quote it in a support request.
        .expose_headers([telemetry::request::REQUEST_ID_HEADER])
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        return base.allow_any_origin();
    }
    origins.iter().fold(base, |c, o| c.allowed_origin(o))
}

/// 64 MiB of anonymous responses, unless disabled.
fn response_cache(settings: &Settings) -> Option<ResponseCache> {
    settings
        .response_cache
        .then(|| ResponseCache::new(64 * 1024 * 1024))
}
