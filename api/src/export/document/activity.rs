//! An activity (a mission, a workshop …) as a plan lists it, its row in `activities.csv`, and its
//! database row both ways (export reads it, restore writes it): a new column of `activity` is
//! described here once for every export and the restore.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveEnum;
use serde::{Deserialize, Serialize};

use super::{PartialDate, Plan, Ref, code, ids};
use crate::export::csv::cell;
use entity::activity;
use entity::enums::ActivityKind;

/// An activity as listed by this plan; one shared by several plans appears under each, the same.
/// (`Default`: a blank activity for builders that name only what they set.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Activity {
    pub id: i64,
    /// Its place in this plan's list.
    pub position: i16,
    pub title: String,
    pub description: Option<String>,
    #[serde(with = "code::required")]
    pub kind: ActivityKind,
    pub date: PartialDate,
    pub place_text: Option<String>,
    pub place_city: Option<Ref>,
    pub cities: Vec<Ref>,
    pub organizations: Vec<Ref>,
    pub draft: bool,
    /// Non-public: present for its plans' organizations and admins only.
    pub internal_note: Option<String>,
    /// What identifies the activity across summaries (the same mission in two plans).
    pub fingerprint: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// What a plan's listing adds to an activity's own row: its place in the plan and the records it
/// names, as the export shows them.
pub struct Listing {
    pub position: i16,
    pub place_city: Option<Ref>,
    pub cities: Vec<Ref>,
    pub organizations: Vec<Ref>,
    /// Whether the reader sees its plans' private data (the internal note).
    pub reads_private: bool,
}

impl Activity {
    /// The activity of database row `a` as one plan lists it.
    pub fn from_row(a: &activity::Model, listing: Listing) -> Self {
        Self {
            id: a.id,
            position: listing.position,
            title: a.title.clone(),
            description: a.description.clone(),
            kind: a.kind,
            date: PartialDate {
                text: a.date_text.clone(),
                precision: a.date_precision,
                start: a.date_start,
                end: a.date_end,
            },
            place_text: a.place_text.clone(),
            place_city: listing.place_city,
            cities: listing.cities,
            organizations: listing.organizations,
            draft: a.draft,
            internal_note: a.internal_note.clone().filter(|_| listing.reads_private),
            fingerprint: a.fingerprint.clone(),
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        }
    }

    /// The database row of this activity (its links are rows of their own).
    pub fn to_row(&self) -> activity::Model {
        activity::Model {
            id: self.id,
            title: self.title.clone(),
            description: self.description.clone(),
            kind: self.kind,
            date_text: self.date.text.clone(),
            date_precision: self.date.precision,
            date_start: self.date.start,
            date_end: self.date.end,
            place_text: self.place_text.clone(),
            place_city_id: self.place_city.as_ref().map(|c| c.id),
            fingerprint: self.fingerprint.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
            internal_note: self.internal_note.clone(),
            draft: self.draft,
        }
    }
}

/// A row of `activities.csv`: an activity of one plan (a shared one is a row of each).
#[derive(Debug, Default, Serialize)]
pub struct ActivityRow<'a> {
    plan_id: i64,
    activity_id: i64,
    position: i16,
    title: &'a str,
    kind: String,
    date_text: Option<&'a str>,
    date_precision: Option<String>,
    date_start: Option<NaiveDate>,
    date_end: Option<NaiveDate>,
    place_text: Option<&'a str>,
    place_city_id: Option<i64>,
    #[serde(serialize_with = "cell::ids")]
    city_ids: Vec<i64>,
    #[serde(serialize_with = "cell::ids")]
    organization_ids: Vec<i64>,
    description: Option<&'a str>,
    draft: bool,
    internal_note: Option<&'a str>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

impl<'a> ActivityRow<'a> {
    /// The rows of `plan`'s activities.
    pub fn of(plan: &'a Plan) -> impl Iterator<Item = Self> + 'a {
        plan.activities.iter().map(|a| Self {
            plan_id: plan.id,
            activity_id: a.id,
            position: a.position,
            title: &a.title,
            kind: a.kind.to_value(),
            date_text: a.date.text.as_deref(),
            date_precision: a.date.precision.map(|p| p.to_value()),
            date_start: a.date.start,
            date_end: a.date.end,
            place_text: a.place_text.as_deref(),
            place_city_id: a.place_city.as_ref().map(|c| c.id),
            city_ids: ids(&a.cities),
            organization_ids: ids(&a.organizations),
            description: a.description.as_deref(),
            draft: a.draft,
            internal_note: a.internal_note.as_deref(),
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        })
    }
}
