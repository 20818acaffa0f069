//! `ucap export --format csv|json|iati --out DIR`: the HTTP exports, written to files straight from
//! the database (no server needed). A file is written beside its final name and renamed into place
//! once complete, so an interrupted export never leaves a truncated file behind.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use super::ExportFormat;
use crate::auth::Scope;
use crate::export::{Export, Exporter, Publisher, Selection, snapshot};
use crate::settings::Settings;

pub async fn run(
    settings: &Settings,
    format: ExportFormat,
    out: &Path,
    all: bool,
    since: Option<DateTime<Utc>>,
) -> anyhow::Result<ExitCode> {
    let db = crate::db::connect(settings)
        .await
        .context("cannot connect to the database (DATABASE_URL)")?;
    crate::db::migrate(&db)
        .await
        .context("cannot migrate the database")?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let exports: Vec<Export> = match format {
        ExportFormat::Json => vec![Export::Json],
        ExportFormat::Iati => vec![Export::Iati],
        ExportFormat::Csv => crate::export::csv::Table::ALL
            .iter()
            .copied()
            .map(Export::Csv)
            .collect(),
    };
    let selection = Selection {
        scope: if all { Scope::All } else { Scope::Public },
        since,
    };
    let publisher = Publisher::from_settings(settings);
    // One snapshot for all the files: the CSV tables of one run agree with each other.
    let txn = snapshot(&db).await?;
    let now = Utc::now();
    for export in exports {
        let path = out.join(export.file_name());
        let bytes = write_file(&txn, export, selection.clone(), &publisher, now, &path).await?;
        println!("{}: {bytes} bytes", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

async fn write_file(
    txn: &sea_orm::DatabaseTransaction,
    export: Export,
    selection: Selection,
    publisher: &Publisher,
    now: DateTime<Utc>,
    path: &Path,
) -> anyhow::Result<u64> {
    let partial = partial_path(path);
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    let mut file = std::io::BufWriter::new(file);
    let mut exporter = Exporter::open(txn, export, selection, publisher, now).await?;
    let mut bytes = 0u64;
    let written = async {
        while let Some(chunk) = exporter.next_chunk(txn).await? {
            file.write_all(&chunk)?;
            bytes += chunk.len() as u64;
        }
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        anyhow::Ok(())
    }
    .await;
    if let Err(err) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(err.context(format!("cannot export {}", path.display())));
    }
    std::fs::rename(&partial, path)
        .with_context(|| format!("cannot move {} into place", partial.display()))?;
    Ok(bytes)
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}
