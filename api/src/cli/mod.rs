//! The `ucap` command line: its arguments here, the commands that are more than a call into the
//! library in `token` (keys and tokens) and `export`.

pub mod export;
pub mod token;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// ucap — a GraphQL API over Urban Cooperation Action Plans (U-CAPs).
///
/// Configuration comes from environment variables (DATABASE_URL, UCAP_BIND, UCAP_LOG_FORMAT,
/// UCAP_ENV, UCAP_CORS_ORIGINS, RUST_LOG …) and an optional TOML file; see docs/configuration.md.
#[derive(Debug, Parser)]
#[command(name = "ucap", version, about, long_about = None)]
pub struct Cli {
    /// TOML configuration file (default: $UCAP_CONFIG, if set).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL, overriding DATABASE_URL (sqlite://FILE?mode=rwc or postgres://…).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, load the bundled Guangzhou U-CAP into an empty one, and serve
    /// GraphQL at /graphql (GraphiQL at /graphiql, the SDL at /schema.graphql).
    Serve {
        /// Address to listen on, overriding UCAP_BIND (default 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        bind: Option<std::net::SocketAddr>,
        /// Do not load the bundled sample into an empty database.
        #[arg(long)]
        no_sample: bool,
        /// Do not migrate (a one-shot `ucap migrate` job does); refuse to start while a migration
        /// is pending. Overrides UCAP_MIGRATE.
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply (or roll back) database migrations.
    Migrate {
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Import U-CAP summaries (text extracted from the "U-CAP at a glance" tables), or restore a
    /// JSON export into an empty database (`--format json`). Each file is one transaction: a file
    /// that cannot be read changes nothing. Re-importing a summary updates in place.
    Import {
        /// Summary files to import, or the one JSON export to restore.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// What the files are.
        #[arg(long, value_enum, default_value_t = ImportFormat::Summary)]
        format: ImportFormat,
        /// Parse, check and report, but write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the open-data exports to files: the same documents as `GET /export/…`.
    Export {
        /// csv (every table), json (plans.json, the nested document) or iati (iati.xml).
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Directory to write into (created if missing); each file is replaced only once complete.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Include drafts and non-public fields, as an admin sees them (a backup). Default: the
        /// public subset, as anonymous callers get it.
        #[arg(long)]
        all: bool,
        /// Only plans and records changed since (RFC 3339 instant or YYYY-MM-DD).
        #[arg(long, value_name = "WHEN", value_parser = crate::export::parse_instant)]
        updated_since: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Print the GraphQL schema (SDL), as committed in schema.graphql.
    Schema,
    /// Ask a running server whether it is ready (GET /readyz): exit status 0 when it answers 200,
    /// 1 otherwise. A container health check that needs no curl in the image.
    Health {
        /// What to ask (default: /readyz on 127.0.0.1 at the port of UCAP_BIND).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Manage the token signing key.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Issue, list and revoke access tokens straight from the database (to bootstrap the first
    /// admin, or when the API is unreachable).
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
}

/// What `ucap import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// "U-CAP at a glance" summaries as text.
    Summary,
    /// A JSON export (`plans.json`), restored into an empty database: backup and migration.
    Json,
}

#[derive(Debug, Subcommand, Clone)]
pub enum KeysAction {
    /// Write a new Ed25519 private key (PKCS#8 PEM, mode 0600) and print its public key. Tokens
    /// signed with the previous key stop verifying once the servers use the new one.
    Generate {
        /// Where to write the private key (default: the configured jwt_private_key_file).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand, Clone)]
pub enum TokenAction {
    /// Issue a token and print it alone on the last line of standard output.
    Issue {
        /// Organization the token acts for, by ID or exact name (repeatable; optional for ADMIN).
        #[arg(long = "organization", value_name = "ID-OR-NAME")]
        organizations: Vec<String>,
        /// ADMIN, EDITOR or VIEWER.
        #[arg(long, value_parser = parse_role)]
        role: entity::enums::Role,
        /// What the token is for.
        #[arg(long)]
        label: String,
        /// Lifetime in seconds (default and maximum: the configured token_max_lifetime).
        #[arg(long, value_name = "SECONDS")]
        expires_in: Option<u64>,
        /// Restrict it to the persisted operation with this sha256 (repeatable; default: any
        /// document).
        #[arg(long = "operation", value_name = "SHA256")]
        operations: Vec<String>,
    },
    /// List token records (never the tokens).
    List,
    /// Revoke a token by its record ID (as `token list` shows it).
    Revoke {
        /// The token's ID.
        id: String,
    },
}

/// Asks `url` (default: `/readyz` on the loopback address at the configured port) whether the
/// server is ready; says why not.
pub async fn health(
    settings: &crate::settings::Settings,
    url: Option<String>,
) -> anyhow::Result<std::process::ExitCode> {
    let url = url.unwrap_or_else(|| format!("http://127.0.0.1:{}/readyz", settings.bind.port()));
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(3))
        .build()?;
    match client.get(&url).send().await {
        Ok(res) if res.status().is_success() => Ok(std::process::ExitCode::SUCCESS),
        Ok(res) => {
            eprintln!("ucap: {url} answered {}", res.status());
            Ok(std::process::ExitCode::FAILURE)
        }
        Err(e) => {
            eprintln!("ucap: {url} did not answer: {e}");
            Ok(std::process::ExitCode::FAILURE)
        }
    }
}

fn parse_role(value: &str) -> Result<entity::enums::Role, String> {
    match value.to_ascii_uppercase().as_str() {
        "ADMIN" => Ok(entity::enums::Role::Admin),
        "EDITOR" => Ok(entity::enums::Role::Editor),
        "VIEWER" => Ok(entity::enums::Role::Viewer),
        _ => Err(format!(
            "unknown role `{value}`: use ADMIN, EDITOR or VIEWER"
        )),
    }
}

/// What `ucap export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
    Iati,
}

#[derive(Debug, Subcommand, Clone, Copy)]
pub enum MigrateAction {
    /// Apply all pending migrations (the default).
    Up,
    /// Roll back the last N migrations.
    Down {
        /// How many migrations to roll back.
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether they are applied.
    Status,
}
