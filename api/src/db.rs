//! Database connection and schema migration, for SQLite (embedded default) and PostgreSQL.

use std::str::FromStr;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, Statement, TransactionTrait,
};

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

/// Key of the PostgreSQL advisory lock under which instances migrate and load the sample, one at a
/// time ("ucapmigr"). Fixed for good: every version of ucap must take the same one.
pub const MIGRATION_LOCK: i64 = 0x7563_6170_6d69_6772;

/// A transaction holding [`MIGRATION_LOCK`] until it ends (PostgreSQL): replicas starting together
/// wait here while one migrates, then find nothing left to do. A transaction-level lock, not a
/// session one: the pool gives each `begin` whichever connection it likes, so a session lock would
/// not cover migrations run on the pool; everything run on this transaction stays on its one
/// connection (sea-orm-migration's per-migration transactions become savepoints), and a lost
/// connection ends the work and the lock together. No statement timeout: waiting for a long
/// migration, or running one, is not a request.
pub async fn begin_exclusive(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL statement_timeout = 0")
            .await?;
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [MIGRATION_LOCK.into()],
        ))
        .await?;
    }
    Ok(txn)
}

/// Applies every pending migration, all in one transaction under [`MIGRATION_LOCK`] on
/// PostgreSQL. SQLite takes no lock: its database is a file that one process serves (several
/// instances need PostgreSQL), and that process migrates before it serves.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Migrator::up(db, None).await;
    }
    let txn = begin_exclusive(db).await?;
    Migrator::up(&txn, None).await?;
    txn.commit().await
}

/// Rolls back the last `steps` migrations, under the same lock as [`migrate`].
pub async fn rollback(db: &DatabaseConnection, steps: u32) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Migrator::down(db, Some(steps)).await;
    }
    let txn = begin_exclusive(db).await?;
    Migrator::down(&txn, Some(steps)).await?;
    txn.commit().await
}

/// The names of the migrations not yet applied, read without writing anything (`serve
/// --no-migrate` may run as a database user that cannot create tables).
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    Ok(Migrator::get_pending_migrations_read_only(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect())
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

/// What a listening connection heard.
#[derive(Debug)]
pub enum Heard {
    /// Listening (again): whatever was notified before went unheard.
    Listening,
    /// A notification, with its payload.
    Notification(String),
}

/// How long to wait before listening again after the listening connection failed.
const RECONNECT: Duration = Duration::from_secs(2);

/// Listens on PostgreSQL channel `channel` on a connection of its own (notifications are per
/// session, so not a pooled one), reconnecting `RECONNECT` after a failure, until the receiver is
/// dropped. Each (re)start is [`Heard::Listening`]: notifications sent while the connection was
/// down are lost, and the receiver must catch up by other means.
pub fn listen(database_url: String, channel: &'static str) -> tokio::sync::mpsc::Receiver<Heard> {
    use sea_orm::sqlx::postgres::PgListener;
    let (heard, receiver) = tokio::sync::mpsc::channel(256);
    tokio::spawn(async move {
        while !heard.is_closed() {
            match PgListener::connect(&database_url).await {
                Ok(mut listener) => match listener.listen(channel).await {
                    Ok(()) => {
                        if heard.send(Heard::Listening).await.is_err() {
                            return;
                        }
                        // `None`: the connection was lost. Not `recv`, which reconnects silently
                        // and so would hide the gap.
                        loop {
                            match listener.try_recv().await {
                                Ok(Some(n)) => {
                                    let payload = Heard::Notification(n.payload().to_owned());
                                    if heard.send(payload).await.is_err() {
                                        return;
                                    }
                                }
                                Ok(None) => {
                                    tracing::warn!(channel, "notifications interrupted");
                                    break;
                                }
                                Err(err) => {
                                    tracing::warn!(error = %err, channel, "notifications interrupted");
                                    break;
                                }
                            }
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, channel, "cannot LISTEN"),
                },
                Err(err) => tracing::warn!(error = %err, channel, "cannot connect to LISTEN"),
            }
            tokio::time::sleep(RECONNECT).await;
        }
    });
    receiver
}
