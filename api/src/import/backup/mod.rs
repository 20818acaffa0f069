//! `ucap import --format json`: the JSON export (`plans.json`) read back into an empty database, so
//! that the export doubles as backup and migration format (SQLite ⇄ PostgreSQL). The whole document
//! is read and checked before anything is written, then every row goes in with its id, timestamps
//! and version, in one transaction.

mod tables;
#[cfg(test)]
mod tests;
mod write;

use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};

use crate::export::document::Document;
use crate::settings::Settings;
pub use tables::Codes;
use tables::Tables;
use write::restore_tables;

/// Why a document was not imported. Nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// Not JSON, or not the document's shape: the JSON path, then serde's message with line and column.
    #[error("{0}")]
    Syntax(String),
    #[error("not a ucap export: format is \"{0}\"")]
    Format(String),
    #[error("format version {0} is not read by this ucap (it reads version {expected})", expected = crate::export::document::FORMAT_VERSION)]
    Version(u32),
    #[error(
        "an incremental export (updatedSince {0}) holds only what changed: it cannot restore a database"
    )]
    Incremental(DateTime<Utc>),
    #[error("{record}: {kind} {id} is not in the document")]
    Missing {
        record: String,
        kind: &'static str,
        id: i64,
    },
    #[error("{record}: unknown {what} \"{code}\"")]
    UnknownCode {
        record: String,
        what: &'static str,
        code: String,
    },
    #[error("{record} is listed twice")]
    Duplicate { record: String },
    /// Two records that must agree do not (a shared activity told differently, a theme of another
    /// plan, two cities with one name).
    #[error("{record}: {problem}")]
    Inconsistent { record: String, problem: String },
    #[error("the database already holds data ({0}): a document is only restored into an empty one")]
    NotEmpty(String),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

/// Rows per table, in insertion order, of a restore (or of one that a dry run would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(pub Vec<(&'static str, u64)>);

impl Counts {
    pub fn get(&self, table: &str) -> u64 {
        self.0
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| format!("{n} {t}"))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

/// Reads a document; a bad one is named by JSON path, line and column.
pub fn read(bytes: &[u8]) -> Result<Document, RestoreError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| RestoreError::Syntax(e.to_string()))
}

/// Checks `doc` as a whole against the seeded code lists of `conn` and returns its rows.
pub async fn check<C: ConnectionTrait>(conn: &C, doc: &Document) -> Result<Counts, RestoreError> {
    let codes = Codes::load(conn).await?;
    Ok(Tables::from_document(doc, &codes)?.counts())
}

/// Restores `doc` into the empty database `db` in one transaction.
pub async fn restore(db: &DatabaseConnection, doc: &Document) -> Result<Counts, RestoreError> {
    let codes = Codes::load(db).await?;
    let tables = Tables::from_document(doc, &codes)?;
    restore_tables(db, doc, tables).await
}

/// `ucap import --format json FILE`. A dry run checks the file against the code lists the
/// migrations seed, in a private in-memory database: it needs no database and looks at none.
pub async fn cli(
    settings: &Settings,
    files: &[PathBuf],
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let [path] = files else {
        anyhow::bail!(
            "--format json restores one file into an empty database; got {}",
            files.len()
        );
    };
    let outcome = async {
        let bytes = std::fs::read(path)?;
        let doc = read(&bytes)?;
        if dry_run {
            let scratch = scratch_database().await?;
            let counts = check(&scratch, &doc).await?;
            return anyhow::Ok(format!("would restore {counts} (dry run)"));
        }
        let db = crate::db::connect(settings).await?;
        crate::db::migrate(&db).await?;
        let counts = restore(&db, &doc).await?;
        anyhow::Ok(format!("restored {counts}"))
    }
    .await;
    match outcome {
        Ok(report) => {
            println!("{}: {report}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("{}: error: {err:#}", path.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// A migrated in-memory SQLite database: the code lists, nothing else. One connection, since every
/// in-memory connection is a database of its own (a dry run is over long before it would expire).
async fn scratch_database() -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new("sqlite::memory:");
    opts.max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    let db = Database::connect(opts).await?;
    crate::db::migrate(&db).await?;
    Ok(db)
}
