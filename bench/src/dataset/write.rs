//! The benchmark's own database: a temporary SQLite file or a new PostgreSQL database (dropped when
//! the run ends, even on error), migrated like the server's, then filled with multi-row INSERTs of at
//! most 500 rows in one transaction.

use std::time::{SystemTime, UNIX_EPOCH};

use entity::{sdg_target, urban_agenda_partnership};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    InsertMany, IntoActiveModel, Statement, TransactionTrait,
};

use super::{Codes, Tables};

/// Rows per INSERT: SQLite binds at most 32 766 parameters a statement and the widest table has 14
/// columns; larger statements gain nothing measurable on PostgreSQL either.
const CHUNK: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that lives as long as the run.
pub struct BenchDb {
    pub url: String,
    place: Place,
    keep: bool,
}

enum Place {
    /// Removed at the end unless kept.
    Sqlite {
        dir: tempfile::TempDir,
    },
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl BenchDb {
    pub async fn create(backend: Backend, pg_admin_url: &str) -> anyhow::Result<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::Builder::new().prefix("ucap-bench-").tempdir()?;
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("bench.db").display()
                );
                Ok(Self {
                    url,
                    place: Place::Sqlite { dir },
                    keep: false,
                })
            }
            Backend::Postgres => {
                let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.subsec_nanos();
                let name = format!("ucap_bench_{}_{nanos}", std::process::id());
                let admin = Database::connect(pg_admin_url).await?;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await?;
                admin.close().await?;
                let Some((server, _)) = pg_admin_url.rsplit_once('/') else {
                    anyhow::bail!("the PostgreSQL admin URL has no database part: {pg_admin_url}");
                };
                Ok(Self {
                    url: format!("{server}/{name}"),
                    place: Place::Postgres {
                        admin_url: pg_admin_url.to_owned(),
                        name,
                    },
                    keep: false,
                })
            }
        }
    }

    /// Leaves the database in place at the end, to look into it.
    pub fn keep(&mut self) {
        self.keep = true;
        if let Place::Sqlite { dir } = &mut self.place {
            dir.disable_cleanup(true);
        }
    }

    /// Where the data lives, for the report.
    pub fn describe(&self) -> String {
        match &self.place {
            Place::Sqlite { .. } => self.url.clone(),
            Place::Postgres { name, .. } => format!("PostgreSQL database {name}"),
        }
    }
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        let Place::Postgres { admin_url, name } = &self.place else {
            return;
        };
        if self.keep {
            return;
        }
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop may run inside the runtime: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    if let Ok(admin) = Database::connect(&admin_url).await {
                        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                        if let Err(e) = admin.execute_unprepared(&sql).await {
                            eprintln!("ucap-bench: could not drop {name}: {e}");
                        }
                        let _ = admin.close().await;
                    }
                });
            }
        })
        .join();
    }
}

/// Connects and applies every migration, as the server would on start.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(2).sqlx_logging(false);
    let db = Database::connect(opts).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// The seeded code lists that plans link to.
pub async fn codes(db: &DatabaseConnection) -> Result<Codes, DbErr> {
    let mut targets = std::collections::HashMap::<i16, Vec<String>>::new();
    for t in sdg_target::Entity::find().all(db).await? {
        targets.entry(t.goal_number).or_default().push(t.code);
    }
    let partnerships = urban_agenda_partnership::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.key, p.id))
        .collect();
    Ok(Codes {
        targets,
        partnerships,
    })
}

/// Inserts every table in foreign-key order and returns the row counts. On PostgreSQL the id
/// sequences are moved past the explicit ids and the tables vacuumed and analysed, as autovacuum
/// would soon do after a bulk load; SQLite has no automatic statistics, so none are gathered there.
pub async fn insert(db: &DatabaseConnection, t: Tables) -> Result<Vec<(&'static str, u64)>, DbErr> {
    use entity::*;
    let txn = db.begin().await?;
    let triggers_off = db.get_database_backend() == DbBackend::Postgres && superuser(&txn).await?;
    if triggers_off {
        // Foreign-key triggers dominate a PostgreSQL bulk load (one lookup a row and key). The rows
        // are consistent by construction, and the SQLite run, which checks every key, proves it.
        txn.execute_unprepared("SET LOCAL session_replication_role = replica")
            .await?;
    }
    let counts = vec![
        ("city", rows::<city::Entity>(&txn, t.cities).await?),
        (
            "city_name",
            rows::<city_name::Entity>(&txn, t.city_names).await?,
        ),
        (
            "organization",
            rows::<organization::Entity>(&txn, t.organizations).await?,
        ),
        ("plan", rows::<plan::Entity>(&txn, t.plans).await?),
        (
            "plan_partner_city",
            rows::<plan_partner_city::Entity>(&txn, t.partners).await?,
        ),
        ("theme", rows::<theme::Entity>(&txn, t.themes).await?),
        (
            "statement",
            rows::<statement::Entity>(&txn, t.statements).await?,
        ),
        (
            "plan_sdg_goal",
            rows::<plan_sdg_goal::Entity>(&txn, t.sdg_goals).await?,
        ),
        (
            "plan_sdg_target",
            rows::<plan_sdg_target::Entity>(&txn, t.sdg_targets).await?,
        ),
        (
            "plan_urban_agenda",
            rows::<plan_urban_agenda::Entity>(&txn, t.partnerships).await?,
        ),
        ("contact", rows::<contact::Entity>(&txn, t.contacts).await?),
        (
            "activity",
            rows::<activity::Entity>(&txn, t.activities).await?,
        ),
        (
            "plan_activity",
            rows::<plan_activity::Entity>(&txn, t.plan_activities).await?,
        ),
        (
            "activity_city",
            rows::<activity_city::Entity>(&txn, t.activity_cities).await?,
        ),
        (
            "activity_organization",
            rows::<activity_organization::Entity>(&txn, t.activity_organizations).await?,
        ),
        (
            "expected_result",
            rows::<expected_result::Entity>(&txn, t.results).await?,
        ),
        (
            "expected_result_city",
            rows::<expected_result_city::Entity>(&txn, t.result_cities).await?,
        ),
        ("mou", rows::<mou::Entity>(&txn, t.mous).await?),
        (
            "mou_party",
            rows::<mou_party::Entity>(&txn, t.mou_parties).await?,
        ),
        (
            "plan_mou",
            rows::<plan_mou::Entity>(&txn, t.plan_mous).await?,
        ),
    ];
    if triggers_off {
        // The search index is kept by triggers, off for the load: fill it as they would have.
        txn.execute_unprepared(
            "DELETE FROM search_index;
             INSERT INTO search_index (kind, record_id, title, body)
               SELECT kind, record_id, title, body FROM search_document",
        )
        .await?;
    }
    txn.commit().await?;
    if db.get_database_backend() == DbBackend::Postgres {
        for table in [
            "city",
            "city_name",
            "organization",
            "plan",
            "theme",
            "statement",
            "contact",
            "activity",
            "expected_result",
            "mou",
            "mou_party",
        ] {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))"
            ))
            .await?;
        }
        // VACUUM too: after a bulk insert autovacuum would otherwise vacuum the big tables during
        // the first measured query (seen: the explorer at a quarter of its speed).
        db.execute_unprepared("VACUUM ANALYZE").await?;
        // And write the loaded pages out now, not in a checkpoint during a measured query.
        if superuser(db).await? {
            db.execute_unprepared("CHECKPOINT").await?;
        }
    }
    Ok(counts)
}

async fn superuser(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SHOW is_superuser",
        ))
        .await?;
    Ok(row
        .and_then(|r| r.try_get_by_index::<String>(0).ok())
        .is_some_and(|v| v == "on"))
}

async fn rows<E>(db: &impl ConnectionTrait, models: Vec<E::Model>) -> Result<u64, DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let mut written = 0;
    let mut models = models.into_iter().peekable();
    while models.peek().is_some() {
        let chunk: Vec<E::Model> = models.by_ref().take(CHUNK).collect();
        written += InsertMany::<E::ActiveModel>::many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(written)
}
