//! A memorandum of understanding as a plan lists it, and its row in `mous.csv`.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveEnum;
use serde::{Deserialize, Serialize};

use super::{Plan, Ref, code};
use crate::export::csv::cell;
use entity::enums::MouStatus;

/// An MoU as listed by this plan (shared ones appear under each plan, the same).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mou {
    pub id: i64,
    pub subject: String,
    #[serde(with = "code::required")]
    pub status: MouStatus,
    pub signed_on: Option<NaiveDate>,
    pub document_url: Option<String>,
    pub parties: Vec<MouParty>,
    /// The expected result of this plan that the MoU fulfils, if any.
    pub expected_result_id: Option<i64>,
    pub draft: bool,
    pub internal_note: Option<String>,
    pub fingerprint: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MouParty {
    pub position: i16,
    pub city: Option<Ref>,
    pub organization: Option<Ref>,
}

/// A row of `mous.csv`: an MoU of one plan, its parties as two id lists.
#[derive(Debug, Default, Serialize)]
pub struct MouRow<'a> {
    plan_id: i64,
    mou_id: i64,
    subject: &'a str,
    status: String,
    signed_on: Option<NaiveDate>,
    document_url: Option<&'a str>,
    #[serde(serialize_with = "cell::ids")]
    party_city_ids: Vec<i64>,
    #[serde(serialize_with = "cell::ids")]
    party_organization_ids: Vec<i64>,
    expected_result_id: Option<i64>,
    draft: bool,
    internal_note: Option<&'a str>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i32,
}

impl<'a> MouRow<'a> {
    /// The rows of `plan`'s MoUs.
    pub fn of(plan: &'a Plan) -> impl Iterator<Item = Self> + 'a {
        plan.mous.iter().map(|m| Self {
            plan_id: plan.id,
            mou_id: m.id,
            subject: &m.subject,
            status: m.status.to_value(),
            signed_on: m.signed_on,
            document_url: m.document_url.as_deref(),
            party_city_ids: m
                .parties
                .iter()
                .filter_map(|x| x.city.as_ref())
                .map(|c| c.id)
                .collect(),
            party_organization_ids: (m.parties.iter())
                .filter_map(|x| x.organization.as_ref())
                .map(|o| o.id)
                .collect(),
            expected_result_id: m.expected_result_id,
            draft: m.draft,
            internal_note: m.internal_note.as_deref(),
            created_at: m.created_at,
            updated_at: m.updated_at,
            version: m.version,
        })
    }
}
