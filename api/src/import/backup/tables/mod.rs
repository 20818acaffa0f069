//! The document as rows of each table, checked while it is walked: every reference resolves inside
//! the document, every code is seeded, no id or unique key is claimed twice, and a record listed by
//! several plans is told the same way by each. A document that passes inserts without a constraint
//! error on an empty database.

mod places;
mod plans;
mod shared;

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

use super::{Counts, RestoreError};
use crate::export::document::{self as doc, Document, FORMAT, FORMAT_VERSION};
use entity::{
    activity, activity_city, activity_organization, city, city_name, contact, country, data_issue,
    expected_result, expected_result_city, expected_result_organization, mou, mou_party,
    organization, plan, plan_activity, plan_mou, plan_participant, plan_partner_city,
    plan_sdg_goal, plan_sdg_target, plan_urban_agenda, sdg_goal, sdg_target, source_document,
    statement, theme, urban_agenda_partnership,
};

/// The seeded code lists a document's links must name.
#[derive(Debug, Clone, Default)]
pub struct Codes {
    pub goals: HashSet<i16>,
    pub targets: HashSet<String>,
    /// Urban Agenda partnership key → its id in this database (ids are generated when seeding).
    pub partnerships: HashMap<String, i64>,
    pub countries: HashSet<String>,
}

impl Codes {
    pub async fn load<C: ConnectionTrait>(conn: &C) -> Result<Self, DbErr> {
        Ok(Self {
            goals: sdg_goal::Entity::find()
                .all(conn)
                .await?
                .into_iter()
                .map(|g| g.number)
                .collect(),
            targets: sdg_target::Entity::find()
                .all(conn)
                .await?
                .into_iter()
                .map(|t| t.code)
                .collect(),
            partnerships: urban_agenda_partnership::Entity::find()
                .all(conn)
                .await?
                .into_iter()
                .map(|p| (p.key, p.id))
                .collect(),
            countries: country::Entity::find()
                .all(conn)
                .await?
                .into_iter()
                .map(|c| c.code)
                .collect(),
        })
    }
}

/// A plan whose `lastUpdatedAt` is later than any of its records (a deletion, or the change-feed
/// entry a write appends a moment after stamping its rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    pub plan_id: i64,
    pub public: bool,
    pub at: DateTime<Utc>,
}

/// Every row to insert, table by table, in foreign-key order. Rows without an id in the document
/// (city names, MoU parties) get theirs from the database, in document order.
#[derive(Default)]
pub struct Tables {
    pub source_documents: Vec<source_document::Model>,
    pub cities: Vec<city::Model>,
    pub city_names: Vec<city_name::ActiveModel>,
    pub organizations: Vec<organization::Model>,
    pub plans: Vec<plan::Model>,
    pub partners: Vec<plan_partner_city::Model>,
    pub participants: Vec<plan_participant::Model>,
    pub themes: Vec<theme::Model>,
    pub statements: Vec<statement::Model>,
    pub sdg_goals: Vec<plan_sdg_goal::Model>,
    pub sdg_targets: Vec<plan_sdg_target::Model>,
    pub urban_agenda: Vec<plan_urban_agenda::Model>,
    pub results: Vec<expected_result::Model>,
    pub result_cities: Vec<expected_result_city::Model>,
    pub result_organizations: Vec<expected_result_organization::Model>,
    pub contacts: Vec<contact::Model>,
    pub activities: Vec<activity::Model>,
    pub plan_activities: Vec<plan_activity::Model>,
    pub activity_cities: Vec<activity_city::Model>,
    pub activity_organizations: Vec<activity_organization::Model>,
    pub mous: Vec<mou::Model>,
    pub mou_parties: Vec<mou_party::ActiveModel>,
    pub plan_mous: Vec<plan_mou::Model>,
    pub data_issues: Vec<data_issue::Model>,
    pub feed: Vec<FeedEntry>,
}

impl Tables {
    /// Checks `doc` and returns its rows; the first problem found is the error.
    pub fn from_document(doc: &Document, codes: &Codes) -> Result<Self, RestoreError> {
        if doc.format != FORMAT {
            return Err(RestoreError::Format(doc.format.clone()));
        }
        if doc.format_version != FORMAT_VERSION {
            return Err(RestoreError::Version(doc.format_version));
        }
        if let Some(since) = doc.updated_since {
            return Err(RestoreError::Incremental(since));
        }
        let mut walk = Walk {
            codes,
            t: Tables::default(),
            cities: HashSet::new(),
            organizations: HashSet::new(),
            ids: HashMap::new(),
            keys: HashMap::new(),
            sources: HashMap::new(),
            activities: HashMap::new(),
            mous: HashMap::new(),
        };
        for c in &doc.cities {
            walk.city(c)?;
        }
        for o in &doc.organizations {
            walk.organization(o)?;
        }
        for p in &doc.plans {
            walk.plan(p)?;
        }
        for i in &doc.data_issues {
            walk.data_issue(None, &format!("data issue {}", i.id), i)?;
        }
        Ok(walk.t)
    }

    pub fn counts(&self) -> Counts {
        let n = |len: usize| len as u64;
        Counts(vec![
            ("source_document", n(self.source_documents.len())),
            ("city", n(self.cities.len())),
            ("city_name", n(self.city_names.len())),
            ("organization", n(self.organizations.len())),
            ("plan", n(self.plans.len())),
            ("plan_partner_city", n(self.partners.len())),
            ("plan_participant", n(self.participants.len())),
            ("theme", n(self.themes.len())),
            ("statement", n(self.statements.len())),
            ("plan_sdg_goal", n(self.sdg_goals.len())),
            ("plan_sdg_target", n(self.sdg_targets.len())),
            ("plan_urban_agenda", n(self.urban_agenda.len())),
            ("expected_result", n(self.results.len())),
            ("expected_result_city", n(self.result_cities.len())),
            (
                "expected_result_organization",
                n(self.result_organizations.len()),
            ),
            ("contact", n(self.contacts.len())),
            ("activity", n(self.activities.len())),
            ("plan_activity", n(self.plan_activities.len())),
            ("activity_city", n(self.activity_cities.len())),
            (
                "activity_organization",
                n(self.activity_organizations.len()),
            ),
            ("mou", n(self.mous.len())),
            ("mou_party", n(self.mou_parties.len())),
            ("plan_mou", n(self.plan_mous.len())),
            ("data_issue", n(self.data_issues.len())),
        ])
    }
}

/// What the walk has seen so far.
struct Walk<'a> {
    codes: &'a Codes,
    t: Tables,
    cities: HashSet<i64>,
    organizations: HashSet<i64>,
    /// Ids taken, per id space ("theme", "contact" …).
    ids: HashMap<&'static str, HashSet<i64>>,
    /// Unique keys taken, per key ("slug", "city name" …), with the record that took each.
    keys: HashMap<&'static str, HashMap<String, String>>,
    sources: HashMap<i64, doc::SourceDocument>,
    /// Shared records as first seen, with the per-plan fields blanked.
    activities: HashMap<i64, doc::Activity>,
    mous: HashMap<i64, doc::Mou>,
}

impl Walk<'_> {
    /// Claims `id` in its id space.
    fn fresh(&mut self, space: &'static str, id: i64, record: &str) -> Result<(), RestoreError> {
        if self.ids.entry(space).or_default().insert(id) {
            Ok(())
        } else {
            Err(RestoreError::Duplicate {
                record: record.to_owned(),
            })
        }
    }

    /// Claims a unique key (`what` names it in the message).
    fn unique(
        &mut self,
        what: &'static str,
        key: String,
        record: &str,
    ) -> Result<(), RestoreError> {
        match self.keys.entry(what).or_default().entry(key) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(record.to_owned());
                Ok(())
            }
            std::collections::hash_map::Entry::Occupied(o) => Err(RestoreError::Inconsistent {
                record: record.to_owned(),
                problem: format!("its {what} \"{}\" is also that of {}", o.key(), o.get()),
            }),
        }
    }

    fn city_ref(&self, record: &str, id: i64) -> Result<i64, RestoreError> {
        if self.cities.contains(&id) {
            Ok(id)
        } else {
            Err(RestoreError::Missing {
                record: record.to_owned(),
                kind: "city",
                id,
            })
        }
    }

    fn organization_ref(&self, record: &str, id: i64) -> Result<i64, RestoreError> {
        if self.organizations.contains(&id) {
            Ok(id)
        } else {
            Err(RestoreError::Missing {
                record: record.to_owned(),
                kind: "organization",
                id,
            })
        }
    }

    /// A finding of plan `plan_id`, or of none (the document's top-level list).
    fn data_issue(
        &mut self,
        plan_id: Option<i64>,
        record: &str,
        i: &doc::DataIssue,
    ) -> Result<(), RestoreError> {
        self.fresh("data issue", i.id, record)?;
        self.t.data_issues.push(data_issue::Model {
            id: i.id,
            plan_id,
            entity: i.entity,
            entity_id: i.entity_id,
            field: i.field.clone(),
            severity: i.severity,
            code: i.code.clone(),
            message: i.message.clone(),
            published_value: i.published_value.clone(),
            internal: i.internal,
            created_at: i.created_at,
            updated_at: i.updated_at,
            version: i.version,
        });
        Ok(())
    }
}

fn inconsistent(record: &str, problem: &str) -> RestoreError {
    RestoreError::Inconsistent {
        record: record.to_owned(),
        problem: problem.to_owned(),
    }
}

fn unknown(record: &str, what: &'static str, code: impl ToString) -> RestoreError {
    RestoreError::UnknownCode {
        record: record.to_owned(),
        what,
        code: code.to_string(),
    }
}

/// The first of `items` whose key repeats an earlier one's.
fn repeated<T, K: Eq + Hash>(items: &[T], key: impl Fn(&T) -> K) -> Option<&T> {
    let mut seen = HashSet::new();
    items.iter().find(|i| !seen.insert(key(i)))
}
