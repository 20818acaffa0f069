//! The rows of the data, written once for every writer: the mutations and the importer insert
//! and update versioned rows here (created and updated stamps, version 1 then +1 at each real
//! change), and the importer makes a parent's link rows match what it read. Counting what was
//! written per table is what an import reports.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ActiveValue, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, ModelTrait, Value,
};

/// Rows created, updated and deleted per table, and how many were already as published.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub created: BTreeMap<&'static str, u32>,
    pub updated: BTreeMap<&'static str, u32>,
    pub deleted: BTreeMap<&'static str, u32>,
    pub unchanged: u32,
}

impl Tally {
    pub fn changed(&self) -> bool {
        !(self.created.is_empty() && self.updated.is_empty() && self.deleted.is_empty())
    }
}

type ModelOf<A> = <<A as ActiveModelTrait>::Entity as EntityTrait>::Model;

/// Rows written in one transaction at one instant, counted per table.
pub struct Rows<'a> {
    pub txn: &'a DatabaseTransaction,
    pub now: DateTime<Utc>,
    pub tally: Tally,
}

impl<'a> Rows<'a> {
    /// Rows written in `txn`, stamped now.
    pub fn new(txn: &'a DatabaseTransaction) -> Self {
        Self {
            txn,
            now: Utc::now(),
            tally: Tally::default(),
        }
    }

    /// Inserts (when `existing` is None) or updates a versioned row; `fill` sets the wanted values
    /// with `set_if_not_equals`, so an update happens only when a value really differs.
    pub async fn upsert<A>(
        &mut self,
        table: &'static str,
        existing: Option<ModelOf<A>>,
        fill: impl FnOnce(&mut A),
    ) -> Result<ModelOf<A>, DbErr>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        ModelOf<A>: IntoActiveModel<A> + Clone,
    {
        let col = |name: &str| {
            <<A::Entity as EntityTrait>::Column as FromStr>::from_str(name)
                .map_err(|_| DbErr::Custom(format!("{table} has no column {name}")))
        };
        match existing {
            None => {
                let mut am = A::default();
                fill(&mut am);
                am.set(col("created_at")?, self.now.into());
                am.set(col("updated_at")?, self.now.into());
                am.set(col("version")?, Value::Int(Some(1)));
                *self.tally.created.entry(table).or_default() += 1;
                am.insert(self.txn).await
            }
            Some(model) => {
                let mut am = model.clone().into_active_model();
                fill(&mut am);
                if !am.is_changed() {
                    self.tally.unchanged += 1;
                    return Ok(model);
                }
                let version = match am.get(col("version")?) {
                    ActiveValue::Set(Value::Int(Some(v)))
                    | ActiveValue::Unchanged(Value::Int(Some(v))) => v,
                    _ => 1,
                };
                am.set(col("version")?, Value::Int(Some(version + 1)));
                am.set(col("updated_at")?, self.now.into());
                *self.tally.updated.entry(table).or_default() += 1;
                am.update(self.txn).await
            }
        }
    }

    /// Makes the link rows of one parent exactly `wanted` (insert missing, update changed, delete
    /// extra); link tables carry no version.
    pub async fn sync_links<A, K>(
        &mut self,
        table: &'static str,
        existing: Vec<ModelOf<A>>,
        key: impl Fn(&ModelOf<A>) -> K,
        wanted: Vec<(K, A)>,
    ) -> Result<(), DbErr>
    where
        A: ActiveModelTrait + ActiveModelBehavior + Send,
        ModelOf<A>: IntoActiveModel<A> + Clone,
        K: Eq + std::hash::Hash,
    {
        let mut current: HashMap<K, ModelOf<A>> =
            existing.into_iter().map(|m| (key(&m), m)).collect();
        for (k, am) in wanted {
            match current.remove(&k) {
                None => {
                    *self.tally.created.entry(table).or_default() += 1;
                    am.insert(self.txn).await?;
                }
                Some(model) => {
                    let mut update = model.into_active_model();
                    let mut changed = false;
                    for c in <<A::Entity as EntityTrait>::Column as sea_orm::Iterable>::iter() {
                        if let ActiveValue::Set(v) = am.get(c)
                            && update.get(c).into_value().as_ref() != Some(&v)
                        {
                            update.set(c, v);
                            changed = true;
                        }
                    }
                    if changed {
                        *self.tally.updated.entry(table).or_default() += 1;
                        update.update(self.txn).await?;
                    } else {
                        self.tally.unchanged += 1;
                    }
                }
            }
        }
        for (_, stale) in current {
            *self.tally.deleted.entry(table).or_default() += 1;
            stale.delete(self.txn).await?;
        }
        Ok(())
    }
}
