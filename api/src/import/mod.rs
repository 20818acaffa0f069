//! Importing U-CAP summaries: parse (pure) → resolve places (gazetteer) → store (one transaction).
//! [`backup`] restores a JSON export instead.

pub mod backup;
mod html;
mod load;
pub mod model;
pub mod parse;
pub mod resolve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait, PaginatorTrait,
    TransactionTrait,
};

pub use load::{ImportReport, Tally};

use crate::settings::Settings;

/// The Guangzhou summary, compiled in so that a new installation serves real data at once.
pub const SAMPLE: &[u8] = include_bytes!("../../tests/fixtures/summaries/guangzhou.txt");

/// Why a file was not imported. Nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Parse(#[from] parse::ParseError),
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// Parses, resolves and stores one summary in one transaction.
pub async fn import_bytes(
    db: &DatabaseConnection,
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportReport, ImportError> {
    let txn = db.begin().await?;
    let report = import_in(&txn, file_name, bytes).await?;
    txn.commit().await?;
    Ok(report)
}

/// Parses, resolves and stores one summary in `txn`.
async fn import_in(
    txn: &DatabaseTransaction,
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportReport, ImportError> {
    let parsed = parse::parse_summary(bytes)?;
    let resolved = resolve::resolve(parsed, crate::domain::gazetteer::Gazetteer::bundled());
    Ok(load::store(txn, &resolved, file_name, bytes).await?)
}

/// Loads the bundled sample when the database holds no plan at all. On PostgreSQL the check and
/// the load run under the migration lock, so that of replicas starting together on an empty
/// database one loads the sample and the others then find its plan.
pub async fn seed_sample_if_empty(db: &DatabaseConnection) -> Result<(), ImportError> {
    const NAME: &str = "ucap-guangzhou.txt";
    let report = if db.get_database_backend() == DbBackend::Postgres {
        let txn = crate::db::begin_exclusive(db).await?;
        let report = if entity::plan::Entity::find().count(&txn).await? == 0 {
            Some(import_in(&txn, NAME, SAMPLE).await?)
        } else {
            None
        };
        txn.commit().await?;
        report
    } else if entity::plan::Entity::find().count(db).await? == 0 {
        // One process serves a SQLite file: nobody else loads it meanwhile.
        Some(import_bytes(db, NAME, SAMPLE).await?)
    } else {
        None
    };
    if let Some(report) = report {
        tracing::info!(plan = %report.plan_slug, "loaded the bundled sample U-CAP");
    }
    Ok(())
}

/// `ucap import FILE…`: each file is its own transaction; the exit code is non-zero when any failed.
pub async fn cli(
    settings: &Settings,
    files: &[PathBuf],
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let mut failed = 0usize;
    let db = if dry_run {
        None
    } else {
        let db = crate::db::connect(settings).await?;
        crate::db::migrate(&db).await?;
        Some(db)
    };
    for path in files {
        match import_one(db.as_ref(), path).await {
            Ok(summary) => println!("{}: {summary}", path.display()),
            Err(err) => {
                failed += 1;
                eprintln!("{}: error: {err:#}", path.display());
            }
        }
    }
    if failed > 0 {
        eprintln!(
            "{failed} of {} file(s) not imported; nothing of them was written",
            files.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

async fn import_one(db: Option<&DatabaseConnection>, path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match db {
        Some(db) => Ok(import_bytes(db, &name, &bytes).await?.to_string()),
        None => {
            let parsed = parse::parse_summary(&bytes)?;
            let resolved = resolve::resolve(parsed, crate::domain::gazetteer::Gazetteer::bundled());
            Ok(format!(
                "would import {} with {} partner(s), {} activities, {} expected results, {} data issue(s) (dry run)",
                resolved.parsed.focal.name,
                resolved.partners.len(),
                resolved.parsed.activities.len(),
                resolved.parsed.expected_results.len(),
                resolved.parsed.issues.len() + resolved.issues.len(),
            ))
        }
    }
}
