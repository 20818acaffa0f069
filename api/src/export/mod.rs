//! Open-data exports: the plans a caller may read, in bulk, as CSV tables, one nested JSON document
//! or an IATI 2.03 activity file. Every export is produced chunk by chunk from a [`PlanCursor`] (or
//! a keyset cursor over one table) inside one read-only transaction, so it is a consistent snapshot
//! and its memory does not grow with the number of plans. The HTTP routes stream the chunks; the
//! CLI writes them to files.

pub mod bundle;
pub mod csv;
pub mod document;
pub mod iati;
pub mod json;
pub mod related;

use chrono::{DateTime, Utc};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    IsolationLevel, Statement, TransactionTrait,
};

pub use bundle::{PlanBatch, PlanCursor, Selection};

/// One export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// `plans.json`: the nested document.
    Json,
    /// `iati.xml`: IATI 2.03 activities.
    Iati,
    /// One of the CSV tables.
    Csv(csv::Table),
}

impl Export {
    /// Every export, in the order the CLI writes them.
    pub fn all() -> impl Iterator<Item = Export> {
        [Export::Json, Export::Iati]
            .into_iter()
            .chain(csv::Table::ALL.iter().copied().map(Export::Csv))
    }

    /// Its file name (and the last segment of its URL).
    pub fn file_name(self) -> &'static str {
        match self {
            Export::Json => "plans.json",
            Export::Iati => "iati.xml",
            Export::Csv(table) => table.file_name(),
        }
    }

    pub fn from_file_name(name: &str) -> Option<Export> {
        Export::all().find(|e| e.file_name() == name)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Export::Json => "application/json",
            Export::Iati => "application/xml; charset=utf-8",
            Export::Csv(_) => "text/csv; charset=utf-8; header=present",
        }
    }
}

/// What the publisher says of itself in the IATI export (from the settings).
#[derive(Debug, Clone)]
pub struct Publisher {
    pub reference: String,
    pub name: String,
    pub kind: String,
}

impl Publisher {
    pub fn from_settings(settings: &crate::settings::Settings) -> Self {
        Self {
            reference: settings.iati_reporting_org_ref.clone(),
            name: settings.iati_reporting_org_name.clone(),
            kind: settings.iati_reporting_org_type.clone(),
        }
    }
}

/// An export being produced: call [`Exporter::next_chunk`] until it returns `None`.
pub enum Exporter {
    Json(json::JsonExport),
    Iati(iati::IatiExport),
    Csv(csv::CsvExport),
}

impl Exporter {
    /// Starts `export` of `selection`, as of `now` (the document's generation time).
    pub async fn open<C: ConnectionTrait>(
        conn: &C,
        export: Export,
        selection: Selection,
        publisher: &Publisher,
        now: DateTime<Utc>,
    ) -> Result<Self, DbErr> {
        Ok(match export {
            Export::Json => Exporter::Json(json::JsonExport::open(conn, selection, now).await?),
            Export::Iati => Exporter::Iati(
                iati::IatiExport::open(conn, selection, publisher.clone(), now).await?,
            ),
            Export::Csv(table) => Exporter::Csv(csv::CsvExport::new(table, selection)),
        })
    }

    /// The next piece of the file, or `None` once it is complete.
    pub async fn next_chunk<C: ConnectionTrait>(
        &mut self,
        conn: &C,
    ) -> Result<Option<Vec<u8>>, DbErr> {
        match self {
            Exporter::Json(e) => e.next_chunk(conn).await,
            Exporter::Iati(e) => e.next_chunk(conn).await,
            Exporter::Csv(e) => e.next_chunk(conn).await,
        }
    }
}

/// An `updatedSince` value: an RFC 3339 instant, or a date meaning its midnight UTC.
pub fn parse_instant(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        })
        .map_err(|_| {
            format!(
                "`{value}` is not an RFC 3339 instant (2024-05-01T00:00:00Z) or a date (2024-05-01)"
            )
        })
}

/// A read-only transaction that sees one committed state for the whole export (PostgreSQL:
/// repeatable read; SQLite: a deferred transaction reads one WAL snapshot from its first read).
pub async fn snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await
        }
        _ => db.begin().await,
    }
}

/// What identifies the state of the data an export is made from: the data version (every write
/// moves it, deletions included) and the latest change recorded in the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataState {
    pub version: i64,
    pub last_modified: Option<DateTime<Utc>>,
}

impl DataState {
    pub async fn read<C: ConnectionTrait>(conn: &C) -> Result<Self, DbErr> {
        let version = crate::db::data_version(conn).await?;
        let latest = [
            "plan",
            "city",
            "organization",
            "activity",
            "mou",
            "theme",
            "statement",
            "expected_result",
            "contact",
            "data_issue",
            "plan_participant",
        ]
        .iter()
        .map(|t| format!("SELECT MAX(updated_at) AS at FROM {t}"))
        .chain(std::iter::once(
            "SELECT MAX(at) AS at FROM change_event".to_owned(),
        ))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
        let mut last_modified: Option<DateTime<Utc>> = None;
        for row in conn
            .query_all_raw(Statement::from_string(conn.get_database_backend(), latest))
            .await?
        {
            let at: Option<DateTime<Utc>> = row.try_get_by_index(0)?;
            last_modified = last_modified.max(at);
        }
        Ok(Self {
            version,
            last_modified,
        })
    }
}
