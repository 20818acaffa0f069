//! `data_version`: one counter that moves whenever a committed transaction changed the data. Caches
//! of derived answers (dashboard counts) key on it, so every `ucap` instance on the same database
//! sees a write at its next read, whoever wrote — the API, the importer or plain SQL.
//!
//! SQLite: a row trigger per watched table (SQLite has one writer, so the counter never contends).
//! PostgreSQL: a deferred constraint trigger per table that bumps the counter once per transaction,
//! at commit: the counter's row lock is then the last lock a writer takes, so two writers cannot
//! deadlock on it, and a reader never sees a new value before the data it stands for.

use sea_orm_migration::sea_orm::DbBackend;

/// Statements that make writes to `table` move the counter.
pub fn watch(backend: DbBackend, table: &str) -> Vec<String> {
    match backend {
        DbBackend::Postgres => vec![format!(
            "CREATE CONSTRAINT TRIGGER data_version_{table} AFTER INSERT OR UPDATE OR DELETE ON {table}
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump()"
        )],
        _ => ["INSERT", "UPDATE", "DELETE"]
            .iter()
            .map(|op| {
                format!(
                    "CREATE TRIGGER data_version_{table}_{} AFTER {op} ON {table}
                     BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END",
                    op.to_lowercase()
                )
            })
            .collect(),
    }
}

/// Statements that undo [`watch`].
pub fn unwatch(backend: DbBackend, table: &str) -> Vec<String> {
    match backend {
        DbBackend::Postgres => vec![format!(
            "DROP TRIGGER IF EXISTS data_version_{table} ON {table}"
        )],
        _ => ["insert", "update", "delete"]
            .iter()
            .map(|op| format!("DROP TRIGGER IF EXISTS data_version_{table}_{op}"))
            .collect(),
    }
}
