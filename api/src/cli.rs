//! The `ucap` command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// ucap — a GraphQL API over Urban Cooperation Action Plans (U-CAPs).
///
/// Configuration comes from environment variables (DATABASE_URL, UCAP_BIND, UCAP_LOG_FORMAT,
/// UCAP_ENV, UCAP_CORS_ORIGINS, RUST_LOG …) and an optional TOML file; see the README.
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
    /// GraphQL at /graphql (GraphiQL at /graphiql in development).
    Serve {
        /// Address to listen on, overriding UCAP_BIND (default 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        bind: Option<std::net::SocketAddr>,
        /// Do not load the bundled sample into an empty database.
        #[arg(long)]
        no_sample: bool,
    },
    /// Apply (or roll back) database migrations.
    Migrate {
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Import U-CAP summaries (text extracted from the "U-CAP at a glance" tables). Each file is one
    /// transaction: a file that cannot be read changes nothing. Re-importing updates in place.
    Import {
        /// Summary files to import.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Parse and report, but write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the GraphQL schema (SDL), as committed in schema.graphql.
    Schema,
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
