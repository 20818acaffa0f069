//! Writing MoUs: editors of a plan's organizations record them; a party signs them; the status
//! moves along a fixed path (see [`next_statuses`]).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde::Serialize;

use super::Mou;
use crate::auth::Permission;
use crate::auth::policy::Guarded;
use crate::error::{ApiError, ApiResult};
use crate::graphql::activity::{
    DeletePayload, any_published, api_fingerprint, city_id, readable_plan,
};
use crate::graphql::enums::MouStatus;
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::write::{
    self, Diff, Entry, Fields, Idempotent, Operation, Write, check_version, delete_versioned,
    save_versioned,
};
use entity::enums::{MouStatus as Status, PlanStatus};
use entity::{mou, mou_party, organization, plan_mou};

/// Most parties an MoU may have.
const MAX_PARTIES: usize = 20;
/// The input field of the parties, for errors.
const PARTIES: &str = "parties";

/// A party to an MoU: exactly one of `city` and `organization`.
#[derive(InputObject)]
pub struct MouPartyInput {
    /// The city that is the party.
    city: Option<ID>,
    /// The organization that is the party.
    organization: Option<ID>,
}

/// A new MoU of a plan. It starts PLANNED; its status then changes with `changeMouStatus`.
#[derive(InputObject)]
pub struct CreateMouInput {
    /// The plan that reports it (one the caller's organization takes part in).
    plan: ID,
    /// What the MoU is about, 1–500 characters.
    subject: String,
    /// The parties in order: 1–20, each a city or an organization, none twice.
    parties: Vec<MouPartyInput>,
    /// Link to the document: an http(s) URL of at most 500 characters.
    document_url: Option<String>,
    /// A draft is seen only by the organizations of its plans (default false).
    #[graphql(default)]
    draft: bool,
    /// Internal note for the plan's organizations, up to 5 000 characters.
    internal_note: Option<String>,
    /// Client key that makes the create safe to retry: a repeated request with the same key
    /// returns the MoU the first one created (keys are per token, 1–200 characters).
    idempotency_key: Option<String>,
}

/// Changes to an MoU: absent fields stay as they are; `null` clears an optional field. The status
/// changes with `changeMouStatus`.
#[derive(InputObject, Default)]
pub struct UpdateMouInput {
    /// New subject, 1–500 characters.
    subject: Option<String>,
    /// New link to the document (an http(s) URL), or null for none.
    document_url: MaybeUndefined<String>,
    /// Replaces the parties: 1–20 in order, each a city or an organization, none twice.
    parties: Option<Vec<MouPartyInput>>,
    /// Whether it is a draft, seen only by the organizations of its plans.
    draft: Option<bool>,
    /// New internal note (up to 5 000 characters), or null for none.
    internal_note: MaybeUndefined<String>,
}

/// The MoU created or changed.
#[derive(SimpleObject)]
pub struct MouPayload {
    /// The MoU as it is now.
    mou: Mou,
}

#[derive(Default)]
pub struct MouMutation;

#[Object]
impl MouMutation {
    /// Records a new MoU in a plan, PLANNED (editors of the plan's organizations, admins).
    async fn create_mou(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The MoU to record.")] input: CreateMouInput,
    ) -> ApiResult<MouPayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let plan_id = decode_int(&input.plan, NodeKind::Plan, "plan")?;
        let plan = readable_plan(&w, plan_id).await?;
        w.require_plans(&[plan_id])?;
        let key = match w
            .replay(input.idempotency_key.as_deref(), "createMou", &input)
            .await?
        {
            Some(Idempotent::Done(id)) => return existing(&w, id).await,
            key => key,
        };
        let subject = write::text("subject", &input.subject, 500)?;
        check_count(&input.parties)?;
        let document_url = opt_url("documentUrl", input.document_url.as_deref())?;
        let internal_note = write::opt_text("internalNote", input.internal_note.as_deref(), 5_000)?;
        let now = Utc::now();
        let row = mou::ActiveModel {
            subject: Set(subject),
            status: Set(Status::Planned),
            signed_on: Set(None),
            document_url: Set(document_url),
            fingerprint: Set(api_fingerprint()?),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            internal_note: Set(internal_note),
            draft: Set(input.draft),
            ..Default::default()
        }
        .insert(&w.txn)
        .await?;
        // Each party is checked as it is written: a bad one rolls the whole create back.
        let parties = check_parties(&w, &input.parties, Some(row.id)).await?;
        plan_mou::ActiveModel {
            plan_id: Set(plan_id),
            mou_id: Set(row.id),
            expected_result_id: Set(None),
        }
        .insert(&w.txn)
        .await?;
        w.remember(key, NodeKind::Mou, row.id).await?;
        let mut diff = Diff::default();
        diff.record(None, Some(&row), FIELDS);
        diff.created("parties", &parties);
        diff.created("plan", NodeKind::Plan.audit(plan_id));
        let public = plan.status == PlanStatus::Published && !row.draft;
        w.commit(vec![Entry::new(
            NodeKind::Mou,
            row.id,
            Operation::Created,
            vec![plan_id],
            public,
            diff,
        )])
        .await?;
        Ok(MouPayload { mou: Mou(row) })
    }

    /// Changes an MoU read at `version`, but not its status (editors of all its plans'
    /// organizations, admins); CONFLICT with the current version when it changed meanwhile.
    async fn update_mou(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The MoU to change.")] id: ID,
        #[graphql(desc = "The version the caller read.")] version: i32,
        #[graphql(desc = "The changes.")] input: UpdateMouInput,
    ) -> ApiResult<MouPayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(&id, NodeKind::Mou, "id")?;
        let (current, plans) = readable(&w, id).await?;
        w.require_plans(&plans)?;
        check_version(current.version, version)?;
        let mut row: mou::ActiveModel = current.clone().into();
        if let Some(subject) = &input.subject {
            row.subject
                .set_if_not_equals(write::text("subject", subject, 500)?);
        }
        match &input.document_url {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.document_url.set_if_not_equals(None),
            MaybeUndefined::Value(u) => row
                .document_url
                .set_if_not_equals(opt_url("documentUrl", Some(u))?),
        }
        if let Some(draft) = input.draft {
            row.draft.set_if_not_equals(draft);
        }
        match &input.internal_note {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.internal_note.set_if_not_equals(None),
            MaybeUndefined::Value(n) => row.internal_note.set_if_not_equals(write::opt_text(
                "internalNote",
                Some(n),
                5_000,
            )?),
        }
        let mut diff = Diff::default();
        let mut new_parties = None;
        if let Some(parties) = &input.parties {
            let new = check_parties(&w, parties, None).await?;
            let old = parties_of(&w, id).await?;
            if old != new {
                diff.field("parties", old, new.clone());
                new_parties = Some(new);
            }
        }
        if !row.is_changed() && new_parties.is_none() {
            w.commit(Vec::new()).await?;
            return Ok(MouPayload { mou: Mou(current) });
        }
        // The versioned save comes first: it holds the row, so a concurrent update of the same
        // version fails on the version, not on the parties' positions.
        let updated = save_versioned(&w.txn, row, id, version).await?;
        if let Some(new) = &new_parties {
            mou_party::Entity::delete_many()
                .filter(mou_party::Column::MouId.eq(id))
                .exec(&w.txn)
                .await?;
            for (i, party) in new.iter().enumerate() {
                insert_party(&w, id, i, *party).await?;
            }
        }
        diff.record(Some(&current), Some(&updated), FIELDS);
        // Public before or after (a record that stops being public is a tombstone to the public).
        let public = (!updated.draft || !current.draft) && any_published(&w, &plans).await?;
        w.commit(vec![Entry::new(
            NodeKind::Mou,
            id,
            Operation::Updated,
            plans,
            public,
            diff,
        )])
        .await?;
        Ok(MouPayload { mou: Mou(updated) })
    }

    /// Moves an MoU read at `version` to its next status: PLANNED → NEGOTIATING → SIGNED →
    /// EXPIRED or TERMINATED; PLANNED or NEGOTIATING → CANCELLED. Signing takes `signedOn` and an
    /// editor of an organization that is a party (or an admin); the other steps take the editors
    /// of all its plans' organizations (or an admin).
    async fn change_mou_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The MoU to move.")] id: ID,
        #[graphql(desc = "The version the caller read.")] version: i32,
        #[graphql(desc = "The next status.")] status: MouStatus,
        #[graphql(desc = "Day of signature, not in the future: required when signing, \
                          refused otherwise.")]
        signed_on: Option<NaiveDate>,
    ) -> ApiResult<MouPayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(&id, NodeKind::Mou, "id")?;
        let (current, plans) = readable(&w, id).await?;
        let to: Status = status.into();
        if to == Status::Signed {
            let organizations: Vec<i64> = parties_of(&w, id)
                .await?
                .into_iter()
                .filter_map(|p| match p {
                    Party::Organization(o) => Some(o),
                    Party::City(_) => None,
                })
                .collect();
            w.require_party(&organizations)?;
        } else {
            w.require_plans(&plans)?;
        }
        check_version(current.version, version)?;
        let from = current.status;
        let allowed = next_statuses(from);
        if !allowed.contains(&to) {
            let next = if allowed.is_empty() {
                "none, it is final".to_owned()
            } else {
                allowed
                    .iter()
                    .map(|s| s.to_value())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(ApiError::invalid(
                "status",
                format!(
                    "an MoU that is {} cannot become {}; its next status can be: {next}",
                    from.to_value(),
                    to.to_value()
                ),
            ));
        }
        let mut row: mou::ActiveModel = current.clone().into();
        row.status = Set(to);
        match (to, signed_on) {
            (Status::Signed, Some(day)) => {
                // Today anywhere on Earth (UTC+14 is a day ahead of UTC for part of the day).
                let latest = (Utc::now() + Duration::hours(14)).date_naive();
                if day > latest {
                    return Err(ApiError::invalid("signedOn", "must not be in the future"));
                }
                row.signed_on = Set(Some(day));
            }
            (Status::Signed, None) => {
                return Err(ApiError::invalid("signedOn", "is required to sign"));
            }
            (_, Some(_)) => {
                return Err(ApiError::invalid("signedOn", "is only given when signing"));
            }
            (_, None) => {}
        }
        let updated = save_versioned(&w.txn, row, id, version).await?;
        let mut diff = Diff::default();
        diff.record(Some(&current), Some(&updated), FIELDS);
        // Public before or after (a record that stops being public is a tombstone to the public).
        let public = (!updated.draft || !current.draft) && any_published(&w, &plans).await?;
        w.commit(vec![Entry {
            kind: NodeKind::Mou,
            id,
            operation: Operation::Updated,
            plans,
            public,
            diff,
            action: Some("MOU_STATUS_CHANGED"),
        }])
        .await?;
        Ok(MouPayload { mou: Mou(updated) })
    }

    /// Deletes an MoU read at `version`, with its parties and its links to plans (editors of all
    /// its plans' organizations, admins).
    async fn delete_mou(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The MoU to delete.")] id: ID,
        #[graphql(desc = "The version the caller read.")] version: i32,
    ) -> ApiResult<DeletePayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(&id, NodeKind::Mou, "id")?;
        let (current, plans) = readable(&w, id).await?;
        w.require_plans(&plans)?;
        check_version(current.version, version)?;
        let public = !current.draft && any_published(&w, &plans).await?;
        let parties = parties_of(&w, id).await?;
        delete_versioned::<mou::Entity>(&w.txn, id, version).await?;
        let mut diff = Diff::default();
        diff.record(Some(&current), Some(&deleted_shape(&current)), FIELDS);
        diff.field("parties", parties, Vec::new());
        w.commit(vec![Entry::new(
            NodeKind::Mou,
            id,
            Operation::Deleted,
            plans,
            public,
            diff,
        )])
        .await?;
        Ok(DeletePayload::new(NodeKind::Mou, id))
    }
}

/// The statuses an MoU of status `from` may move to.
fn next_statuses(from: Status) -> &'static [Status] {
    match from {
        Status::Planned => &[Status::Negotiating, Status::Cancelled],
        Status::Negotiating => &[Status::Signed, Status::Cancelled],
        Status::Signed => &[Status::Expired, Status::Terminated],
        Status::Expired | Status::Terminated | Status::Cancelled => &[],
    }
}

/// A party of an MoU, as written and audited (`{"city": "<global ID>"}` or
/// `{"organization": "<global ID>"}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
enum Party {
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
fn check_count(inputs: &[MouPartyInput]) -> ApiResult<()> {
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
async fn check_parties(
    w: &Write,
    inputs: &[MouPartyInput],
    mou_id: Option<i64>,
) -> ApiResult<Vec<Party>> {
    check_count(inputs)?;
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        let party = match (&input.city, &input.organization) {
            (Some(c), None) => Party::City(city_id(w, c, PARTIES).await?),
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
async fn insert_party(w: &Write, mou_id: i64, index: usize, party: Party) -> ApiResult<()> {
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
async fn parties_of(w: &Write, id: i64) -> ApiResult<Vec<Party>> {
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

/// An optional http(s) URL: empty or whitespace-only means none.
fn opt_url(field: &str, value: Option<&str>) -> ApiResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => write::url(field, v).map(Some),
    }
}

/// The audited fields of an MoU.
const FIELDS: &Fields<mou::Model> = &[
    ("subject", |m| m.subject.clone().into()),
    ("status", |m| m.status.to_value().into()),
    ("signedOn", |m| m.signed_on.map(|d| d.to_string()).into()),
    ("documentUrl", |m| m.document_url.clone().into()),
    ("draft", |m| m.draft.into()),
    ("internalNote", |m| m.internal_note.clone().into()),
    ("version", |m| m.version.into()),
];

/// A deleted MoU for the audit diff: every text field gone.
fn deleted_shape(m: &mou::Model) -> mou::Model {
    mou::Model {
        subject: String::new(),
        signed_on: None,
        document_url: None,
        internal_note: None,
        ..m.clone()
    }
}

/// The answer to a replayed create: the MoU as it is now.
async fn existing(w: &Write, id: i64) -> ApiResult<MouPayload> {
    let row = mou::Entity::find_by_id(id)
        .filter(mou::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(MouPayload { mou: Mou(row) })
}

/// The MoU (NOT_FOUND unless the caller reads it) and the plans that list it.
async fn readable(w: &Write, id: i64) -> ApiResult<(mou::Model, Vec<i64>)> {
    let current = mou::Entity::find_by_id(id)
        .filter(mou::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let plans: Vec<i64> = plan_mou::Entity::find()
        .filter(plan_mou::Column::MouId.eq(id))
        .select_only()
        .column(plan_mou::Column::PlanId)
        .into_tuple()
        .all(&w.txn)
        .await?;
    Ok((current, plans))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_path_is_one_way() {
        use Status::*;
        let all = [Planned, Negotiating, Signed, Expired, Terminated, Cancelled];
        let allowed: Vec<(Status, Status)> = all
            .iter()
            .flat_map(|f| next_statuses(*f).iter().map(move |t| (*f, *t)))
            .collect();
        assert_eq!(
            allowed,
            [
                (Planned, Negotiating),
                (Planned, Cancelled),
                (Negotiating, Signed),
                (Negotiating, Cancelled),
                (Signed, Expired),
                (Signed, Terminated),
            ]
        );
    }
}
