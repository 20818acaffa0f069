//! The `ucap` binary: wiring only.

use std::process::ExitCode;

use clap::Parser;
use ucap::cli::{Cli, Command};
use ucap::settings::Settings;

/// Responses are built from many small allocations (one a resolved field); mimalloc serves them
/// from per-thread pages instead of glibc's contended arenas.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
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
    if !matches!(cli.command, Command::Schema) {
        ucap::telemetry::init(&settings);
    }
    match ucap::run(cli.command, settings).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("ucap: {err:#}");
            ExitCode::FAILURE
        }
    }
}
