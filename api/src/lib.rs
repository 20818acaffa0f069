//! ucap: a GraphQL API over Urban Cooperation Action Plans.

pub mod audit;
pub mod auth;
pub mod cli;
pub mod connection;
pub mod db;
pub mod domain;
pub mod error;
pub mod export;
pub mod graphql;
pub mod ids;
pub mod import;
pub mod lifecycle;
pub mod live;
pub mod metrics;
pub mod persisted;
pub mod request_id;
pub mod routes;
pub mod settings;
pub mod startup;
pub mod telemetry;
pub mod throttle;
pub mod webhook;

use std::process::ExitCode;

use migration::{Migrator, MigratorTrait};

use crate::cli::{Command, ImportFormat, MigrateAction};
use crate::settings::Settings;
use crate::startup::Application;

/// The `ucap` command line: parses arguments, loads settings, runs the command. The binaries are
/// this and an allocator (the test suite builds its own copy to run as a child process).
pub fn main() -> ExitCode {
    use clap::Parser as _;
    let cli = cli::Cli::parse();
    let mut settings = match Settings::load(cli.config.clone()) {
        Ok(s) => s,
        Err(err) => {
            eprintln!("ucap: {err}");
            return ExitCode::from(2);
        }
    };
    if let Some(url) = &cli.database_url {
        settings.database_url = url.clone();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("ucap: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        // Inside the runtime: the trace exporter runs its batches on it.
        let telemetry = (!matches!(cli.command, Command::Schema | Command::Health { .. }))
            .then(|| telemetry::init(&settings));
        let result = run(cli.command, settings).await;
        if let Some(telemetry) = telemetry {
            telemetry.shutdown();
        }
        result
    });
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("ucap: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one CLI command with loaded settings.
pub async fn run(command: Command, mut settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve {
            bind,
            no_sample,
            no_migrate,
        } => {
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            settings.seed_sample &= !no_sample;
            settings.migrate &= !no_migrate;
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), "listening");
            app.run_until_terminated().await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { action } => {
            let db = db::connect(&settings).await?;
            match action.unwrap_or(MigrateAction::Up) {
                MigrateAction::Up => db::migrate(&db).await?,
                MigrateAction::Down { steps } => db::rollback(&db, steps).await?,
                MigrateAction::Status => Migrator::status(&db).await?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            files,
            format,
            dry_run,
        } => match format {
            ImportFormat::Summary => import::cli(&settings, &files, dry_run).await,
            ImportFormat::Json => import::backup::cli(&settings, &files, dry_run).await,
        },
        Command::Export {
            format,
            out,
            all,
            updated_since,
        } => cli::export::run(&settings, format, &out, all, updated_since).await,
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::Health { url } => cli::health(&settings, url).await,
        Command::Keys { action } => cli::token::keys(&settings, action),
        Command::Token { action } => cli::token::token(&settings, action).await,
    }
}
