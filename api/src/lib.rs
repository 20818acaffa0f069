//! ucap: a GraphQL API over Urban Cooperation Action Plans.

pub mod audit;
pub mod auth;
pub mod cli;
pub mod db;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod import;
pub mod live;
pub mod metrics;
pub mod routes;
pub mod settings;
pub mod startup;
pub mod telemetry;

use std::process::ExitCode;

use migration::{Migrator, MigratorTrait};

use crate::cli::{Command, MigrateAction};
use crate::settings::Settings;
use crate::startup::Application;

/// Runs one CLI command with loaded settings.
pub async fn run(command: Command, mut settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { bind, no_sample } => {
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            settings.seed_sample &= !no_sample;
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), "listening");
            app.run_until_stopped().await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { action } => {
            let db = db::connect(&settings).await?;
            match action.unwrap_or(MigrateAction::Up) {
                MigrateAction::Up => Migrator::up(&db, None).await?,
                MigrateAction::Down { steps } => Migrator::down(&db, Some(steps)).await?,
                MigrateAction::Status => Migrator::status(&db).await?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { files, dry_run } => import::cli(&settings, &files, dry_run).await,
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys { action } => auth::cli::keys(&settings, action),
        Command::Token { action } => auth::cli::token(&settings, action).await,
    }
}
