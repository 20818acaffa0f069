//! The parties of an MoU: checked from the input one by one, written in order, read back for the
//! audit diff and for who may sign.

use async_graphql::{ID, InputObject};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;

use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::write::{self, Write};
use entity::{mou_party, organization};

/// Most parties an MoU may have.
const MAX_PARTIES: usize = 20;
/// The input field of the parties, for errors.
const PARTIES: &str = "parties";

/// A party to an MoU: exactly one of `city` and `organization`.
#[derive(InputObject)]
pub struct MouPartyInput {
    /// The city that is the party.
    pub city: Option<ID>,
    /// The organization that is the party.
    pub organization: Option<ID>,
}

/// A party of an MoU, as written and audited (`{"city": "<global ID>"}` or
/// `{"organization": "<global ID>"}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Party {
    #[serde(serialize_with = "city_gid")]
    City(i64),
    #[serde(serialize_with = "organization_gid")]
    Organization(i64),
}

fn city_gid<S: serde::Serializer>(id: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&NodeKind::City.id(id).0)
}

fn organization_gid<S: serde::Serializer>(id: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&NodeKind::Organization.id(id).0)
}

/// Checks the count of input `parties`: 1–20.
pub(super) fn check_count(inputs: &[MouPartyInput]) -> ApiResult<()> {
    if inputs.is_empty() {
        return Err(ApiError::invalid(PARTIES, "an MoU has at least one party"));
    }
    if inputs.len() > MAX_PARTIES {
        return Err(ApiError::invalid(
            PARTIES,
            format!("at most {MAX_PARTIES} parties"),
        ));
    }
    Ok(())
}

/// Checks input `parties` one by one: each exactly a city or an organization that exists, none
/// twice. With `mou_id`, each party is written to that MoU as soon as it is checked, so a bad one
/// comes after the good ones were written (and the transaction undoes them).
pub(super) async fn check_parties(
    w: &Write,
    inputs: &[MouPartyInput],
    mou_id: Option<i64>,
) -> ApiResult<Vec<Party>> {
    check_count(inputs)?;
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        let party = match (&input.city, &input.organization) {
            (Some(c), None) => Party::City(write::city_id(w, c, PARTIES).await?),
            (None, Some(o)) => Party::Organization(organization_id(w, o).await?),
            _ => {
                return Err(ApiError::invalid(
                    PARTIES,
                    "each party is either a city or an organization: give exactly one",
                ));
            }
        };
        if out.contains(&party) {
            return Err(ApiError::invalid(PARTIES, "a party is listed twice"));
        }
        if let Some(mou_id) = mou_id {
            insert_party(w, mou_id, out.len(), party).await?;
        }
        out.push(party);
    }
    Ok(out)
}

/// An organization ID of input `parties` that exists.
async fn organization_id(w: &Write, id: &ID) -> ApiResult<i64> {
    let id = decode_int(id, NodeKind::Organization, PARTIES)?;
    organization::Entity::find_by_id(id)
        .one(&w.txn)
        .await?
        .map(|o| o.id)
        .ok_or_else(|| ApiError::invalid(PARTIES, "no such organization"))
}

/// Writes `party` as the party at `index` (from 0) of MoU `mou_id`.
pub(super) async fn insert_party(
    w: &Write,
    mou_id: i64,
    index: usize,
    party: Party,
) -> ApiResult<()> {
    let position =
        i16::try_from(index + 1).map_err(|_| ApiError::invalid(PARTIES, "too many parties"))?;
    let (city_id, organization_id) = match party {
        Party::City(id) => (Some(id), None),
        Party::Organization(id) => (None, Some(id)),
    };
    mou_party::ActiveModel {
        mou_id: Set(mou_id),
        position: Set(position),
        city_id: Set(city_id),
        organization_id: Set(organization_id),
        ..Default::default()
    }
    .insert(&w.txn)
    .await?;
    Ok(())
}

/// The parties of MoU `id`, in order.
pub(super) async fn parties_of(w: &Write, id: i64) -> ApiResult<Vec<Party>> {
    Ok(mou_party::Entity::find()
        .filter(mou_party::Column::MouId.eq(id))
        .order_by_asc(mou_party::Column::Position)
        .all(&w.txn)
        .await?
        .into_iter()
        .filter_map(|p| match (p.city_id, p.organization_id) {
            (Some(c), _) => Some(Party::City(c)),
            (None, Some(o)) => Some(Party::Organization(o)),
            (None, None) => None,
        })
        .collect())
}
