//! One read per change for all subscribers. A subscription registers an [`Interest`]: the records
//! a change concerns (its `targets`) and the condition a record must meet for it (the caller's
//! visibility and its filter, from the policy). Before broadcasting a change, the relay reads each
//! target record once and evaluates every distinct condition registered for it in the same
//! statement (`CASE WHEN … THEN 1 ELSE 0 END` per condition); subscribers then only look the
//! result up. A thousand subscribers of one plan cost one read per change, not a thousand; the
//! statement grows with the distinct conditions only, which the per-connection bounds keep few.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use prometheus_client::metrics::counter::Counter;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, PostgresQueryBuilder, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait};

use super::Notice;
use entity::{activity, mou, plan};

/// The tables subscriptions watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Plan,
    Activity,
    Mou,
}

/// A record read for a change.
#[derive(Debug, Clone)]
pub enum Row {
    Plan(plan::Model),
    Activity(activity::Model),
    Mou(mou::Model),
}

/// A record read for a change, with the interests (by key) it meets.
#[derive(Debug, Clone)]
pub struct Read {
    table: Table,
    id: i64,
    pub row: Row,
    met: HashSet<Arc<str>>,
}

/// The records of `table` a change concerns, for one kind of subscription.
pub type Targets = fn(&Notice) -> Vec<i64>;

/// Conditions at most evaluated in one statement.
const CONDITIONS_PER_READ: usize = 64;

struct Group {
    condition: Condition,
    targets: Targets,
    subscribers: usize,
}

/// Subscribers sharing one interest, by table and key.
type Groups = HashMap<(Table, Arc<str>), Group>;

/// The interests of this instance's subscribers, by table and condition.
#[derive(Clone)]
pub struct Interests {
    groups: Arc<Mutex<Groups>>,
    /// `ucap_live_records_read`.
    reads: Counter,
}

/// One subscriber's interest, registered until dropped.
pub struct Interest {
    interests: Interests,
    table: Table,
    key: Arc<str>,
}

impl Interests {
    pub fn new(reads: Counter) -> Self {
        Self {
            groups: Arc::default(),
            reads,
        }
    }

    /// Registers a subscriber waiting for the `targets` of each change in `table` that meet
    /// `condition`.
    pub fn register(&self, table: Table, targets: Targets, condition: Condition) -> Interest {
        // The kind of subscription and the condition's SQL with its values: equal interests share
        // one evaluation.
        let sql = Query::select()
            .expr(Expr::cust("1"))
            .cond_where(condition.clone())
            .to_string(PostgresQueryBuilder);
        let key: Arc<str> = format!("{:p} {sql}", targets as *const ()).into();
        let mut groups = self.groups.lock().unwrap_or_else(PoisonError::into_inner);
        let group = groups.entry((table, key.clone())).or_insert_with(|| Group {
            condition,
            targets,
            subscribers: 0,
        });
        group.subscribers += 1;
        Interest {
            interests: self.clone(),
            table,
            key,
        }
    }

    /// Reads what the change concerns for the registered interests, once per record.
    pub async fn evaluate(&self, db: &DatabaseConnection, notice: &Notice) -> Vec<Read> {
        let groups: Vec<(Table, Arc<str>, Condition, Vec<i64>)> = {
            let groups = self.groups.lock().unwrap_or_else(PoisonError::into_inner);
            groups
                .iter()
                .filter_map(|((table, key), g)| {
                    let ids = (g.targets)(notice);
                    (!ids.is_empty()).then(|| (*table, key.clone(), g.condition.clone(), ids))
                })
                .collect()
        };
        let records: BTreeSet<(Table, i64)> = groups
            .iter()
            .flat_map(|(table, _, _, ids)| ids.iter().map(move |id| (*table, *id)))
            .collect();
        let mut reads = Vec::new();
        for (table, id) in records {
            let conditions: Vec<(Arc<str>, Condition)> = groups
                .iter()
                .filter(|(t, _, _, ids)| *t == table && ids.contains(&id))
                .map(|(_, key, condition, _)| (key.clone(), condition.clone()))
                .collect();
            self.reads.inc();
            match read(db, table, id, &conditions).await {
                Ok(Some(read)) => reads.push(read),
                Ok(None) => {}
                Err(err) => tracing::warn!(error = %err, "cannot read a changed record"),
            }
        }
        reads
    }
}

impl Interest {
    /// The record `id` as read for the change, when it meets this interest's condition.
    pub fn row<'a>(&self, notice: &'a Notice, id: i64) -> Option<&'a Row> {
        notice
            .reads
            .iter()
            .find(|r| r.table == self.table && r.id == id && r.met.contains(&self.key))
            .map(|r| &r.row)
    }
}

impl Drop for Interest {
    fn drop(&mut self) {
        let mut groups = self
            .interests
            .groups
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let key = (self.table, self.key.clone());
        if let Some(group) = groups.get_mut(&key) {
            group.subscribers = group.subscribers.saturating_sub(1);
            if group.subscribers == 0 {
                groups.remove(&key);
            }
        }
    }
}

/// Record `id` of `table` and which of `conditions` it meets; `None` when it is gone.
async fn read(
    db: &DatabaseConnection,
    table: Table,
    id: i64,
    conditions: &[(Arc<str>, Condition)],
) -> Result<Option<Read>, DbErr> {
    let row = match table {
        Table::Plan => plan::Entity::find_by_id(id).one(db).await?.map(Row::Plan),
        Table::Activity => activity::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(Row::Activity),
        Table::Mou => mou::Entity::find_by_id(id).one(db).await?.map(Row::Mou),
    };
    let Some(row) = row else {
        return Ok(None);
    };
    let mut met = HashSet::new();
    for chunk in conditions.chunks(CONDITIONS_PER_READ) {
        let mut select = match table {
            Table::Plan => Query::select()
                .from(plan::Entity)
                .and_where(Expr::col((plan::Entity, plan::Column::Id)).eq(id))
                .to_owned(),
            Table::Activity => Query::select()
                .from(activity::Entity)
                .and_where(Expr::col((activity::Entity, activity::Column::Id)).eq(id))
                .to_owned(),
            Table::Mou => Query::select()
                .from(mou::Entity)
                .and_where(Expr::col((mou::Entity, mou::Column::Id)).eq(id))
                .to_owned(),
        };
        for (_, condition) in chunk {
            select.expr(Expr::case(condition.clone(), 1).finally(0));
        }
        let Some(flags) = db.query_one(&select).await? else {
            return Ok(None);
        };
        for (i, (key, _)) in chunk.iter().enumerate() {
            // SQLite answers integers as i64, PostgreSQL as i32.
            let flag = flags
                .try_get_by_index::<i32>(i)
                .map(i64::from)
                .or_else(|_| flags.try_get_by_index::<i64>(i))?;
            if flag == 1 {
                met.insert(key.clone());
            }
        }
    }
    Ok(Some(Read {
        table,
        id,
        row,
        met,
    }))
}
