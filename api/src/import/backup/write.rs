//! Writes checked rows into an empty database in one transaction: multi-row inserts with the
//! document's ids, then the id sequences (PostgreSQL), one audit entry and the feed entries that
//! keep each plan's `lastUpdatedAt`. The search index and the data version follow by trigger.

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, InsertMany, IntoActiveModel, PaginatorTrait, TransactionTrait,
};

use super::tables::{FeedEntry, Tables};
use super::{Counts, RestoreError};
use crate::audit::{self, Action, Actor, Target};
use crate::export::document::Document;
use crate::ids::NodeKind;
use crate::live::Operation;
use entity::*;

/// Rows per INSERT: SQLite binds at most 32 766 parameters a statement and the widest table (city)
/// has 20 columns.
const CHUNK: usize = 500;

/// Tables whose ids come from the document: their PostgreSQL sequences must move past them, or the
/// next API insert would collide with a restored row.
const SEQUENCED: [&str; 11] = [
    "source_document",
    "city",
    "organization",
    "plan",
    "theme",
    "statement",
    "expected_result",
    "contact",
    "activity",
    "mou",
    "data_issue",
];

/// Inserts `t` (checked from `doc`) into `db`, which must hold no data yet.
pub async fn restore_tables(
    db: &DatabaseConnection,
    doc: &Document,
    t: Tables,
) -> Result<Counts, RestoreError> {
    let counts = t.counts();
    let txn = db.begin().await?;
    refuse_unless_empty(&txn).await?;
    insert(&txn, t.source_documents).await?;
    insert(&txn, t.cities).await?;
    insert(&txn, t.city_names).await?;
    insert(&txn, t.organizations).await?;
    insert(&txn, t.plans).await?;
    insert(&txn, t.partners).await?;
    insert(&txn, t.participants).await?;
    insert(&txn, t.themes).await?;
    insert(&txn, t.statements).await?;
    insert(&txn, t.sdg_goals).await?;
    insert(&txn, t.sdg_targets).await?;
    insert(&txn, t.urban_agenda).await?;
    insert(&txn, t.results).await?;
    insert(&txn, t.result_cities).await?;
    insert(&txn, t.result_organizations).await?;
    insert(&txn, t.contacts).await?;
    insert(&txn, t.activities).await?;
    insert(&txn, t.plan_activities).await?;
    insert(&txn, t.activity_cities).await?;
    insert(&txn, t.activity_organizations).await?;
    insert(&txn, t.mous).await?;
    insert(&txn, t.mou_parties).await?;
    insert(&txn, t.plan_mous).await?;
    insert(&txn, t.data_issues).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        for table in SEQUENCED {
            txn.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), \
                 (SELECT MAX(id) FROM \"{table}\"))"
            ))
            .await?;
        }
    }
    let counted: serde_json::Map<String, serde_json::Value> = counts
        .0
        .iter()
        .map(|(table, n)| ((*table).to_owned(), (*n).into()))
        .collect();
    let audit = audit::record(
        &txn,
        &Actor::Importer,
        Action::DataRestored,
        Target("Database", None),
        serde_json::json!({
            "exportedAt": doc.exported_at,
            "visibility": doc.visibility,
            "created": counted,
        }),
    )
    .await?;
    feed(&txn, t.feed, audit).await?;
    txn.commit().await?;
    Ok(counts)
}

/// Refuses a database that holds any plan data (the seeded code lists and tokens do not count):
/// restored ids would collide with, or silently merge into, what is there.
async fn refuse_unless_empty(txn: &DatabaseTransaction) -> Result<(), RestoreError> {
    let held = [
        ("plan", plan::Entity::find().count(txn).await?),
        ("city", city::Entity::find().count(txn).await?),
        (
            "organization",
            organization::Entity::find().count(txn).await?,
        ),
        ("activity", activity::Entity::find().count(txn).await?),
        ("mou", mou::Entity::find().count(txn).await?),
        (
            "source_document",
            source_document::Entity::find().count(txn).await?,
        ),
        ("data_issue", data_issue::Entity::find().count(txn).await?),
    ];
    let held: Vec<String> = held
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(table, n)| format!("{n} {table}"))
        .collect();
    if held.is_empty() {
        Ok(())
    } else {
        Err(RestoreError::NotEmpty(held.join(", ")))
    }
}

async fn insert<A, M>(txn: &DatabaseTransaction, rows: Vec<M>) -> Result<(), DbErr>
where
    A: ActiveModelTrait,
    M: IntoActiveModel<A>,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        InsertMany::<A>::many(rows.by_ref().take(CHUNK))
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Feed entries dated as the document dates the plans, not now: the export derives each plan's
/// `lastUpdatedAt` (and what `updatedSince` selects) from them, so entries of the import's own time
/// would make every restored plan look changed at the restore and the round trip differ. Plans whose
/// records already carry their date get none. In date order, so the feed's sequence follows time.
async fn feed(
    txn: &DatabaseTransaction,
    mut entries: Vec<FeedEntry>,
    audit: i64,
) -> Result<(), DbErr> {
    entries.sort_by_key(|e| (e.at, e.plan_id));
    for e in entries {
        crate::live::append(
            txn,
            crate::live::NewChange {
                kind: NodeKind::Plan,
                id: e.plan_id,
                operation: Operation::Updated,
                record_public: e.public,
                fields: vec!["restore"],
                plans: vec![e.plan_id],
                audit_event_id: Some(audit),
                at: Some(e.at),
            },
        )
        .await?;
    }
    Ok(())
}
