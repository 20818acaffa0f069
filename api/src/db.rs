//! Database connection and schema migration, for SQLite (embedded default) and PostgreSQL.

use std::str::FromStr;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::settings::Settings;

/// Opens the pool. SQLite gets WAL (readers never block the writer), a busy timeout instead of
/// immediate "database is locked" errors, and enforced foreign keys. PostgreSQL plans every
/// statement for its values: the driver prepares statements, and after five runs PostgreSQL may
/// switch to a generic plan that cannot see which plan ids a page asks for — a hash join over every
/// activity (~30 ms) instead of an index lookup of the twenty plans' rows (< 1 ms).
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(settings.database_url.clone());
    opts.max_connections(settings.db_max_connections)
        .min_connections(1)
        .acquire_timeout(settings.db_acquire_timeout)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if settings.is_sqlite() {
        // Validate the URL here so a typo is reported as such, not as a pool error.
        SqliteConnectOptions::from_str(&settings.database_url)
            .map_err(|e| DbErr::Custom(format!("invalid DATABASE_URL: {e}")))?;
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // 1 MiB of page cache per connection (SQLite's default is 2): the OS caches the
                // file anyway, and ten connections' caches were a fifth of the server's memory.
                .pragma("cache_size", "-1000")
        });
    } else {
        // A runaway statement is cancelled by the server itself (57014 → SERVICE_UNAVAILABLE).
        let statement_timeout = format!("{}ms", settings.db_statement_timeout.as_millis());
        opts.map_sqlx_postgres_opts(move |o| {
            o.options([
                ("plan_cache_mode", "force_custom_plan"),
                ("statement_timeout", statement_timeout.as_str()),
            ])
        });
    }
    Database::connect(opts).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// The database's data version: a counter that triggers move at every committed write (see the
/// `data_version` migration). Caches of derived answers key on it.
pub async fn data_version<C: sea_orm::ConnectionTrait>(db: &C) -> Result<i64, sea_orm::DbErr> {
    let stmt = sea_orm::Statement::from_string(
        db.get_database_backend(),
        "SELECT version FROM data_version WHERE id = 1",
    );
    let row = db.query_one_raw(stmt).await?;
    Ok(row
        .and_then(|r| r.try_get::<i64>("", "version").ok())
        .unwrap_or(0))
}
