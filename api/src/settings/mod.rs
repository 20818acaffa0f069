//! Typed configuration, read once at start-up: defaults, then an optional TOML file (`UCAP_CONFIG`),
//! then environment variables. This is the only module that reads the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

pub mod issuers;

pub use issuers::{IssuersError, TrustedIssuer};

/// The largest POST body or WebSocket message read (one byte more is refused), and the largest
/// document an admin may register. Documents of this API are a few KiB.
pub const MAX_BODY_BYTES: usize = 128 * 1024;

/// Everything the service can be configured with. Field names are the TOML keys; environment
/// variables are `UCAP_<FIELD>` (upper case), except the conventional `DATABASE_URL` and `RUST_LOG`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// `sqlite://…` or `postgres://…`; the embedded SQLite file is the default.
    pub database_url: String,
    /// Address the HTTP server binds; port 0 picks a free one (tests).
    pub bind: SocketAddr,
    /// Address of a listener serving only `/metrics`, to anyone who reaches it (Prometheus, on a
    /// private network); unset, there is none. On the API port `/metrics` is for admin tokens.
    pub metrics_bind: Option<SocketAddr>,
    /// `pretty` for a terminal, `json` for log collectors.
    pub log_format: LogFormat,
    /// `tracing-subscriber` filter directives (`RUST_LOG`).
    pub log_filter: String,
    /// Development serves the schema (GraphiQL, `/schema.graphql`, introspection, field
    /// suggestions) to everyone; production does while `public_schema` is on, else to admin
    /// tokens only.
    pub env: Environment,
    /// The schema is the published contract: open to anyone in production too. Off, operators
    /// make probing the API for what it has take an admin token.
    pub public_schema: bool,
    /// Origins allowed by CORS; `*` allows any.
    #[serde(deserialize_with = "comma_list")]
    pub cors_origins: Vec<String>,
    /// Apply pending migrations at start-up. Off (`serve --no-migrate`, when a one-shot `ucap
    /// migrate` job migrates), a server finding one pending refuses to start.
    pub migrate: bool,
    /// Load the bundled Guangzhou summary when the database holds no plan yet.
    pub seed_sample: bool,
    /// Connection pool size.
    pub db_max_connections: u32,
    /// How long a request waits for a pooled connection before failing fast.
    #[serde(with = "seconds")]
    pub db_acquire_timeout: Duration,
    /// How access tokens are signed: `EdDSA` (an Ed25519 key pair) or `HS256` (a shared secret).
    pub jwt_algorithm: JwtAlgorithm,
    /// The Ed25519 private key as PKCS#8 PEM text (a secrets manager's env var); wins over the file.
    pub jwt_private_key: Option<String>,
    /// File holding the Ed25519 private key (PKCS#8 PEM). In development a missing file is created
    /// with a new key; in production it must exist (`ucap keys generate`).
    pub jwt_private_key_file: PathBuf,
    /// The HS256 secret, at least 32 bytes (`jwt_algorithm = "HS256"` only).
    pub jwt_secret: Option<String>,
    /// `iss` written into tokens and required of every token presented.
    pub jwt_issuer: String,
    /// `aud` written into tokens and required of every token presented.
    pub jwt_audience: String,
    /// Longest lifetime a token can be issued with.
    #[serde(with = "seconds")]
    pub token_max_lifetime: Duration,
    /// How long an instance trusts a token record it has read: a token revoked through another
    /// instance is refused here at most this much later.
    #[serde(with = "seconds")]
    pub token_cache_ttl: Duration,
    /// File (TOML, or JSON ending in `.json`) naming the partner identity providers whose tokens
    /// are accepted (docs/identity-providers.md); unset, only ucap's own tokens are.
    pub trusted_issuers_file: Option<PathBuf>,
    /// The issuers of `trusted_issuers_file`, read and checked by [`Settings::load`].
    #[serde(skip)]
    pub trusted_issuers: Vec<TrustedIssuer>,
    /// Shortest time between two fetches of one trusted issuer's keys: a token naming a key not
    /// seen yet fetches them again (a rotation) at most this often.
    #[serde(with = "seconds")]
    pub trusted_issuers_refresh_interval: Duration,
    /// Serve repeated anonymous queries from a cache of whole responses, valid until the next
    /// write (`false` runs every query; the benchmark measures both).
    pub response_cache: bool,
    /// How often an instance re-reads the change feed for its subscribers without being told to.
    /// On PostgreSQL, writes of any instance are announced at once (LISTEN/NOTIFY) and this only
    /// bounds the delay after a lost notification; on SQLite it is how writes of other processes
    /// arrive.
    #[serde(with = "seconds")]
    pub live_poll_interval: Duration,
    /// Longest time one GraphQL request may run; beyond it the answer is SERVICE_UNAVAILABLE and a
    /// mutation's transaction is rolled back.
    #[serde(with = "seconds")]
    pub request_timeout: Duration,
    /// PostgreSQL `statement_timeout` of every pooled connection (0 disables it).
    #[serde(with = "seconds")]
    pub db_statement_timeout: Duration,
    /// GraphQL requests run at once by this instance; more wait for a slot.
    pub max_concurrent_requests: usize,
    /// How long a request waits for a slot before it is refused with 503 and `Retry-After`.
    #[serde(with = "seconds")]
    pub overload_wait: Duration,
    /// After SIGTERM: how long readiness reports false while requests are still served, so that a
    /// load balancer stops sending new ones before the listener closes.
    #[serde(with = "seconds")]
    pub drain_delay: Duration,
    /// After the listener closes: how long in-flight requests may take to finish.
    #[serde(with = "seconds")]
    pub shutdown_timeout: Duration,
    /// OTLP/HTTP collector to export trace spans to (`http://collector:4318`, or its full
    /// `…/v1/traces` URL); unset, nothing is exported. The standard `OTEL_EXPORTER_OTLP_ENDPOINT`
    /// sets it too; `UCAP_OTEL_ENDPOINT` wins over it.
    pub otel_endpoint: Option<String>,
    /// `service.name` of the exported spans; the standard `OTEL_SERVICE_NAME` sets it too
    /// (`UCAP_OTEL_SERVICE_NAME` wins over it).
    pub otel_service_name: String,
    /// Requests a minute one anonymous client address may send to this instance (0: no limit).
    pub rate_limit_anonymous: u32,
    /// Requests a minute one EDITOR or VIEWER token may send to this instance (0: no limit).
    pub rate_limit_token: u32,
    /// Requests a minute one ADMIN token may send to this instance (0: no limit).
    pub rate_limit_admin: u32,
    /// Query complexity units a minute one anonymous client address may spend on this instance
    /// (0: no budget).
    pub cost_budget_anonymous: u32,
    /// Query complexity units a minute one EDITOR or VIEWER token may spend (0: no budget).
    pub cost_budget_token: u32,
    /// Query complexity units a minute one ADMIN token may spend (0: no budget).
    pub cost_budget_admin: u32,
    /// Peers (addresses or CIDR ranges) trusted to say in `X-Forwarded-For` whom they forward
    /// for; anyone else's header is ignored and the peer address is the client's.
    #[serde(deserialize_with = "ip_networks")]
    pub trusted_proxies: Vec<IpNet>,
    /// Whether the rate limits and cost budgets are one allowance for all instances (counted in
    /// PostgreSQL, or Redis with `redis_url`) rather than one per instance. On SQLite, one
    /// instance's file, they are per instance either way.
    pub shared_limits: bool,
    /// Redis (`redis://host:6379/0`, `rediss://…` not supported) holding the shared limits'
    /// counters instead of PostgreSQL.
    pub redis_url: Option<String>,
    /// The start of every key ucap writes in Redis, so that deployments can share one Redis.
    pub redis_prefix: String,
    /// Longest GraphQL document, in bytes of query text; the body cap bounds variables.
    pub query_max_bytes: usize,
    /// Deepest nesting of brackets in the query text, and of selections with fragments expanded:
    /// checked before the (recursive) parser sees the text.
    pub query_max_nesting: usize,
    /// Deepest field nesting of an operation (`nodes`, `edges` and `node` count).
    pub query_max_depth: usize,
    /// Highest cost of an operation: a field costs 1 plus its selections; a page costs its size
    /// (`first`/`last`, default 20) times its selections, an unpaginated list ten times.
    pub query_max_complexity: usize,
    /// Most aliases in an operation, fragments expanded.
    pub query_max_aliases: usize,
    /// Most fields selected at the root of an operation, fragments expanded.
    pub query_max_root_fields: usize,
    /// Most directives (`@include`, `@skip` …) in an operation, fragments expanded.
    pub query_max_directives: usize,
    /// Largest expanded size of a whole document: the fields, argument values and directives of
    /// all its operations and fragment definitions, each fragment spread counted as often as it
    /// is spread. Validation walks all of them, selected or not, so this bounds its work.
    pub query_max_expanded_size: usize,
    /// Operations (subscriptions, queries, mutations) one WebSocket connection runs at once;
    /// beyond, a `subscribe` gets an error with `RATE_LIMITED`.
    pub ws_max_operations: usize,
    /// WebSocket connections one client address holds at once on this instance; beyond, the
    /// upgrade is refused with 429.
    pub ws_max_connections_per_address: usize,
    /// WebSocket connections one token holds at once on this instance; beyond, the connection
    /// is closed after `connection_init` (4429).
    pub ws_max_connections_per_token: usize,
    /// Seconds a WebSocket client has to send `connection_init` (then closed with 4408).
    #[serde(with = "seconds")]
    pub ws_init_timeout: Duration,
    /// Seconds a refusal for going too fast (429, `RATE_LIMITED`) is held before it is sent, at
    /// most its `Retry-After`: a client that retries at once then costs a few refusals a second,
    /// not thousands (0: sent at once).
    #[serde(with = "seconds")]
    pub refusal_delay: Duration,
    /// Exports (`/export/…`) streamed at once; each holds one database connection for as long as
    /// it streams, so beyond this a request gets 503 instead of starving GraphQL of connections.
    pub max_concurrent_exports: usize,
    /// Exports one caller (a token, or an anonymous client address) may stream at once; beyond,
    /// 429 with `Retry-After`, so that one client cannot take every export slot (0: no limit).
    pub max_exports_per_caller: usize,
    /// An export whose client has not taken the next chunk for this long is cut off: its
    /// connection is closed and its database connection and slots are released.
    #[serde(with = "seconds")]
    pub export_idle_timeout: Duration,
    /// IATI organisation identifier of the publisher: the `reporting-org` of the IATI export and
    /// the prefix of every `iati-identifier` in it.
    pub iati_reporting_org_ref: String,
    /// Name of the publisher in the IATI export.
    pub iati_reporting_org_name: String,
    /// IATI OrganisationType code of the publisher (10 government, 15 other public sector, 40
    /// multilateral …).
    pub iati_reporting_org_type: String,
    /// Hosts (names or addresses, as written in webhook URLs) that webhooks may reach although
    /// they are or resolve to loopback, private, link-local, CGNAT or other non-public addresses
    /// (an in-house receiver; the tests' loopback receiver). Everything else must be public.
    #[serde(deserialize_with = "comma_list")]
    pub webhook_allowed_hosts: Vec<String>,
    /// How often each instance looks for webhook deliveries that are due.
    #[serde(with = "seconds")]
    pub webhook_poll_interval: Duration,
    /// Delay before the first retry of a failed webhook delivery; each further retry waits twice
    /// as long (with jitter), up to `webhook_retry_max_delay`.
    #[serde(with = "seconds")]
    pub webhook_retry_base_delay: Duration,
    /// Longest delay between two attempts of one webhook delivery.
    #[serde(with = "seconds")]
    pub webhook_retry_max_delay: Duration,
    /// How long a webhook delivery is retried before it is given up and its endpoint disabled.
    #[serde(with = "seconds")]
    pub webhook_give_up_after: Duration,
    /// Longest wait for a webhook endpoint to accept the connection.
    #[serde(with = "seconds")]
    pub webhook_connect_timeout: Duration,
    /// Longest time one webhook attempt may take, connection and response included.
    #[serde(with = "seconds")]
    pub webhook_timeout: Duration,
}

/// Bounds on the shape of GraphQL documents (the `query_max_*` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    pub max_bytes: usize,
    pub max_nesting: usize,
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_root_fields: usize,
    pub max_directives: usize,
    pub max_expanded_size: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Settings::default().query_limits()
    }
}

/// Signing algorithm of access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JwtAlgorithm {
    #[serde(rename = "EdDSA", alias = "eddsa", alias = "EDDSA")]
    EdDsa,
    #[serde(rename = "HS256", alias = "hs256")]
    Hs256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Production,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: "sqlite://ucap.db?mode=rwc".to_owned(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            metrics_bind: None,
            log_format: LogFormat::Pretty,
            log_filter: "info".to_owned(),
            env: Environment::Development,
            public_schema: true,
            cors_origins: Vec::new(),
            migrate: true,
            seed_sample: true,
            db_max_connections: 10,
            db_acquire_timeout: Duration::from_secs(3),
            jwt_algorithm: JwtAlgorithm::EdDsa,
            jwt_private_key: None,
            jwt_private_key_file: PathBuf::from("ucap-jwt-ed25519.pem"),
            jwt_secret: None,
            jwt_issuer: "ucap".to_owned(),
            jwt_audience: "ucap-api".to_owned(),
            token_max_lifetime: Duration::from_secs(90 * 24 * 3600),
            token_cache_ttl: Duration::from_secs(2),
            trusted_issuers_file: None,
            trusted_issuers: Vec::new(),
            trusted_issuers_refresh_interval: Duration::from_secs(60),
            response_cache: true,
            live_poll_interval: Duration::from_secs(2),
            request_timeout: Duration::from_secs(15),
            db_statement_timeout: Duration::from_secs(10),
            max_concurrent_requests: 256,
            overload_wait: Duration::from_secs(1),
            drain_delay: Duration::ZERO,
            shutdown_timeout: Duration::from_secs(30),
            otel_endpoint: None,
            otel_service_name: "ucap".to_owned(),
            // A browser or a partner system, with room for bursts (a minute's allowance can be
            // spent at once); a client beyond them is a runaway or an attack. The test harness and
            // the throughput benchmark lift them (one loopback address sends everything there).
            rate_limit_anonymous: 1_200,
            rate_limit_token: 6_000,
            rate_limit_admin: 12_000,
            cost_budget_anonymous: 300_000,
            cost_budget_token: 3_000_000,
            cost_budget_admin: 6_000_000,
            trusted_proxies: Vec::new(),
            shared_limits: true,
            redis_url: None,
            redis_prefix: "ucap".to_owned(),
            query_max_bytes: 16 * 1024,
            query_max_nesting: 64,
            query_max_depth: 16,
            query_max_complexity: 100_000,
            query_max_aliases: 30,
            query_max_root_fields: 20,
            query_max_directives: 30,
            query_max_expanded_size: 20_000,
            ws_max_operations: 50,
            ws_max_connections_per_address: 32,
            ws_max_connections_per_token: 32,
            ws_init_timeout: Duration::from_secs(5),
            refusal_delay: Duration::from_secs(1),
            max_concurrent_exports: 4,
            max_exports_per_caller: 2,
            export_idle_timeout: Duration::from_secs(30),
            // The European Commission's Service for Foreign Policy Instruments funded IUC/IURC.
            iati_reporting_org_ref: "XI-IATI-EC_FPI".to_owned(),
            iati_reporting_org_name: "European Commission - Service for Foreign Policy Instruments"
                .to_owned(),
            iati_reporting_org_type: "15".to_owned(),
            webhook_allowed_hosts: Vec::new(),
            webhook_poll_interval: Duration::from_secs(1),
            // 5 s, 10 s, 20 s … then hourly: about 30 attempts in the day before giving up.
            webhook_retry_base_delay: Duration::from_secs(5),
            webhook_retry_max_delay: Duration::from_secs(3600),
            webhook_give_up_after: Duration::from_secs(24 * 3600),
            webhook_connect_timeout: Duration::from_secs(5),
            webhook_timeout: Duration::from_secs(15),
        }
    }
}

/// A configuration that cannot be used; the message names the offending key.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("invalid configuration: {0}")]
    Figment(#[from] Box<figment::Error>),
    #[error("invalid configuration: {0}")]
    TrustedIssuers(#[from] IssuersError),
}

impl Settings {
    /// Defaults ← `UCAP_CONFIG` file (or `config_file`) ← environment.
    pub fn load(config_file: Option<PathBuf>) -> Result<Self, SettingsError> {
        let file = config_file.or_else(|| Env::var("UCAP_CONFIG").map(PathBuf::from));
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        let mut settings: Self = figment
            // OpenTelemetry's standard variables, under ours: an operator's `UCAP_…` is the
            // more specific word.
            .merge(
                Env::raw()
                    .only(&["OTEL_EXPORTER_OTLP_ENDPOINT"])
                    .map(|_| "otel_endpoint".into()),
            )
            .merge(
                Env::raw()
                    .only(&["OTEL_SERVICE_NAME"])
                    .map(|_| "otel_service_name".into()),
            )
            .merge(Env::prefixed("UCAP_").ignore(&["CONFIG"]))
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(Env::raw().only(&["RUST_LOG"]).map(|_| "log_filter".into()))
            .extract()
            .map_err(|e| SettingsError::Figment(Box::new(e)))?;
        if let Some(file) = &settings.trusted_issuers_file {
            settings.trusted_issuers = issuers::load(file)?;
            // A token of that `iss` would be read as a partner's, never as ours.
            if let Some(same) = settings
                .trusted_issuers
                .iter()
                .find(|i| i.issuer == settings.jwt_issuer)
            {
                return Err(IssuersError {
                    file: file.display().to_string(),
                    message: format!("`{}` is ucap's own jwt_issuer", same.issuer),
                }
                .into());
            }
        }
        Ok(settings)
    }

    pub fn query_limits(&self) -> QueryLimits {
        QueryLimits {
            max_bytes: self.query_max_bytes,
            max_nesting: self.query_max_nesting,
            max_depth: self.query_max_depth,
            max_complexity: self.query_max_complexity,
            max_aliases: self.query_max_aliases,
            max_root_fields: self.query_max_root_fields,
            max_directives: self.query_max_directives,
            max_expanded_size: self.query_max_expanded_size,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// Accepts a list (TOML) or one comma-separated string (environment variables).
fn comma_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        OneOrMany::Many(v) => v,
    })
}

/// A comma list of networks; a bare address is a network of one.
fn ip_networks<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<IpNet>, D::Error> {
    comma_list(d)?
        .iter()
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| serde::de::Error::custom(format!("`{s}` is not an address or CIDR")))
        })
        .collect()
}

mod seconds {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closure signature, not ours
mod tests;
