//! Writing MoUs: editors of a plan's organizations record them; a party signs them; the status
//! moves along a fixed path (see [`next_statuses`]).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, OneofObject, SimpleObject};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::Mou;
use super::parties::{MouPartyInput, Party, check_count, check_parties, insert_party, parties_of};
use crate::error::{ApiError, ApiResult};
use crate::graphql::city::place::CityRefInput;
use crate::graphql::enums::MouStatus;
use crate::graphql::ids::NodeKind;
use crate::graphql::ids::decode_int;
use crate::graphql::organization::named::OrganizationRefInput;
use crate::graphql::write::{
    self, Creating, DeletePayload, Diff, Fields, PlanRecord, Refs, Shared, Updating, Write,
    check_version,
};
use entity::enums::MouStatus as Status;
use entity::{expected_result, mou, mou_party, plan_mou};

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
    /// An expected result of the plan that the MoU fulfils.
    fulfils: Option<ID>,
    /// Client key that makes the create safe to retry: a repeated request with the same key
    /// returns the MoU the first one created (keys are per token, 1–200 characters).
    idempotency_key: Option<String>,
}

/// An MoU of a plan being created (`createPlan`'s `mous`, in order): a new one, or an existing
/// one (`id`) that this plan reports too.
#[derive(OneofObject)]
pub enum PlanMouInput {
    /// A new MoU.
    New(NewMouInput),
    /// An existing MoU, linked.
    Existing(ID),
}

/// A new MoU of a plan being created; parties by ID or by name.
#[derive(InputObject)]
pub struct NewMouInput {
    /// What the MoU is about, 1–500 characters.
    subject: String,
    /// The parties in order: 1–20, each a city or an organization, none twice.
    parties: Vec<PlanMouPartyInput>,
    /// Link to the document: an http(s) URL of at most 500 characters.
    document_url: Option<String>,
    /// A draft is seen only by the organizations of its plans (default false).
    #[graphql(default)]
    draft: bool,
    /// Internal note for the plan's organizations, up to 5 000 characters.
    internal_note: Option<String>,
    /// The expected result of the same `createPlan` input that the MoU fulfils: its index
    /// (0-based) in `expectedResults`.
    fulfils: Option<i32>,
}

/// A party to an MoU of a plan being created: exactly one of `city` and `organization`.
#[derive(InputObject)]
pub struct PlanMouPartyInput {
    /// The city that is the party.
    city: Option<CityRefInput>,
    /// The organization that is the party.
    organization: Option<OrganizationRefInput>,
}

impl NewMouInput {
    /// The `createMou` input of this MoU, in plan `plan`, its parties resolved in `refs`; `results`
    /// are the expected results the same input made, in order.
    pub async fn in_plan(
        self,
        refs: &mut Refs,
        plan: ID,
        results: &[ID],
    ) -> ApiResult<CreateMouInput> {
        let mut parties = Vec::with_capacity(self.parties.len());
        for (i, party) in self.parties.into_iter().enumerate() {
            let field = format!("parties[{i}]");
            let city = match party.city {
                Some(city) => Some(refs.one(city, &format!("{field}.city")).await?),
                None => None,
            };
            let organization = match party.organization {
                Some(org) => Some(refs.one(org, &format!("{field}.organization")).await?),
                None => None,
            };
            parties.push(MouPartyInput { city, organization });
        }
        let fulfils = match self.fulfils {
            Some(index) => Some(
                usize::try_from(index)
                    .ok()
                    .and_then(|i| results.get(i))
                    .cloned()
                    .ok_or_else(|| {
                        ApiError::invalid("fulfils", format!("expectedResults has no item {index}"))
                    })?,
            ),
            None => None,
        };
        Ok(CreateMouInput {
            plan,
            subject: self.subject,
            parties,
            document_url: self.document_url,
            draft: self.draft,
            internal_note: self.internal_note,
            fulfils,
            idempotency_key: None,
        })
    }
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

impl PlanRecord for mou::Entity {
    const KIND: NodeKind = NodeKind::Mou;
    const FIELDS: &'static Fields<mou::Model> = FIELDS;

    async fn plans(w: &Write, row: &mou::Model) -> ApiResult<Vec<i64>> {
        let (record, plan) = (plan_mou::Column::MouId, plan_mou::Column::PlanId);
        write::plans_listing::<plan_mou::Entity>(w, record, plan, row.id).await
    }

    async fn place(w: &Write, plan: i64, row: &mou::Model, diff: &mut Diff) -> ApiResult<()> {
        <Self as Shared>::link(w, plan, row, &None, diff).await?;
        diff.created("plan", NodeKind::Plan.audit(plan));
        Ok(())
    }

    async fn deleting(w: &Write, row: &mou::Model, diff: &mut Diff) -> ApiResult<()> {
        diff.field("parties", parties_of(w, row.id).await?, Vec::new());
        Ok(())
    }
}

impl Shared for mou::Entity {
    const NOUN: &'static str = "MoU";
    const LINKED: &'static str = "MOU_LINKED";
    const UNLINKED: &'static str = "MOU_UNLINKED";
    /// The expected result of the plan that the MoU fulfils (input field `fulfils`).
    type Link = Option<ID>;

    async fn link(
        w: &Write,
        plan: i64,
        row: &mou::Model,
        fulfils: &Option<ID>,
        diff: &mut Diff,
    ) -> ApiResult<()> {
        let result = match fulfils {
            Some(id) => {
                let id = decode_int(id, NodeKind::ExpectedResult, "fulfils")?;
                let of_plan = expected_result::Entity::find_by_id(id)
                    .filter(expected_result::Column::PlanId.eq(plan))
                    .one(&w.txn)
                    .await?;
                if of_plan.is_none() {
                    return Err(ApiError::invalid(
                        "fulfils",
                        "no expected result of this plan has this ID",
                    ));
                }
                diff.created("fulfils", NodeKind::ExpectedResult.audit(id));
                Some(id)
            }
            None => None,
        };
        plan_mou::ActiveModel {
            plan_id: Set(plan),
            mou_id: Set(row.id),
            expected_result_id: Set(result),
        }
        .insert(&w.txn)
        .await?;
        Ok(())
    }

    async fn unlink(w: &Write, plan: i64, row: &mou::Model) -> ApiResult<()> {
        plan_mou::Entity::delete_by_id((plan, row.id))
            .exec(&w.txn)
            .await?;
        Ok(())
    }
}

/// An MoU taken out of a plan.
#[derive(SimpleObject)]
pub struct UnlinkMouPayload {
    /// The MoU, in its other plans; null when it was deleted (`deleteIfLast`).
    mou: Option<Mou>,
    /// The MoU's ID when it was deleted.
    deleted_id: Option<ID>,
}

#[derive(Default)]
pub struct MouMutation;

#[Object]
impl MouMutation {
    /// Records a new MoU in a plan, PLANNED (editors of the plan's organizations, admins).
    pub(crate) async fn create_mou(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The MoU to record.")] input: CreateMouInput,
    ) -> ApiResult<MouPayload> {
        let key = input.idempotency_key.as_deref();
        let c = match Creating::<mou::Entity>::start(ctx, &input.plan, key, "createMou", &input)
            .await?
        {
            Ok(c) => c,
            Err(done) => return Ok(MouPayload { mou: Mou(done) }),
        };
        let subject = write::text("subject", &input.subject, 500)?;
        check_count(&input.parties)?;
        let document_url = opt_url("documentUrl", input.document_url.as_deref())?;
        let internal_note = write::opt_text("internalNote", input.internal_note.as_deref(), 5_000)?;
        let row = write::insert_new(
            &c.w.txn,
            mou::ActiveModel {
                subject: Set(subject),
                status: Set(Status::Planned),
                signed_on: Set(None),
                document_url: Set(document_url),
                fingerprint: Set(write::api_fingerprint()?),
                internal_note: Set(internal_note),
                draft: Set(input.draft),
                ..Default::default()
            },
        )
        .await?;
        // Each party is checked as it is written: a bad one rolls the whole create back.
        let parties = check_parties(&c.w, &input.parties, Some(row.id)).await?;
        let mut diff = Diff::default();
        diff.created("parties", &parties);
        let mou = Mou(c.finish_linked(row, diff, &input.fulfils).await?);
        Ok(MouPayload { mou })
    }

    /// Changes an MoU read at `version`, but not its status (editors of all its plans'
    /// organizations, admins); CONFLICT with the current version when it changed meanwhile.
    pub(crate) async fn update_mou(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The MoU to change.")] id: ID,
        #[graphql(desc = "The version the caller read.")] version: i32,
        #[graphql(desc = "The changes.")] input: UpdateMouInput,
    ) -> ApiResult<MouPayload> {
        let u = Updating::<mou::Entity>::start(ctx, &id, version).await?;
        let (w, current) = (&u.w, &u.current);
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
        write::patch_text(
            &mut row.internal_note,
            &input.internal_note,
            "internalNote",
            5_000,
        )?;
        let mut diff = Diff::default();
        if let Some(parties) = &input.parties {
            let new = check_parties(w, parties, None).await?;
            let old = parties_of(w, current.id).await?;
            if old != new {
                // The MoU's plans are locked and its version checked: no other write of it runs.
                mou_party::Entity::delete_many()
                    .filter(mou_party::Column::MouId.eq(current.id))
                    .exec(&w.txn)
                    .await?;
                for (i, party) in new.iter().enumerate() {
                    insert_party(w, current.id, i, *party).await?;
                }
                diff.field("parties", old, new);
            }
        }
        let mou = Mou(u.finish(row, diff, None).await?);
        Ok(MouPayload { mou })
    }

    /// Moves an MoU read at `version` to its next status: PLANNED → NEGOTIATING → SIGNED →
    /// EXPIRED or TERMINATED; PLANNED or NEGOTIATING → CANCELLED. Signing takes `signedOn` and an
    /// editor of an organization that is a party (or an admin); the other steps take the editors
    /// of all its plans' organizations (or an admin).
    pub(crate) async fn change_mou_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The MoU to move.")] id: ID,
        #[graphql(desc = "The version the caller read.")] version: i32,
        #[graphql(desc = "The next status.")] status: MouStatus,
        #[graphql(desc = "Day of signature, not in the future: required when signing, \
                          refused otherwise.")]
        signed_on: Option<NaiveDate>,
    ) -> ApiResult<MouPayload> {
        let mut u = Updating::<mou::Entity>::open(ctx, &id).await?;
        let to: Status = status.into();
        if to == Status::Signed {
            let organizations: Vec<i64> = parties_of(&u.w, u.current.id)
                .await?
                .into_iter()
                .filter_map(|p| match p {
                    Party::Organization(o) => Some(o),
                    Party::City(_) => None,
                })
                .collect();
            u.w.require_party(&organizations)?;
        } else {
            u.w.require_plans(&u.plans)?;
        }
        u.lock().await?;
        check_version(u.current.version, version)?;
        let from = u.current.status;
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
        let mut row: mou::ActiveModel = u.current.clone().into();
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
        let action = Some("MOU_STATUS_CHANGED");
        let mou = Mou(u.finish(row, Diff::default(), action).await?);
        Ok(MouPayload { mou })
    }

    /// Lists an existing MoU in another plan as well (one agreement, several plans), optionally
    /// as fulfilling one of that plan's expected results. Editors of that plan who read the MoU,
    /// admins.
    pub(crate) async fn link_mou(
        &self,
        ctx: &Context<'_>,
        id: ID,
        plan: ID,
        #[graphql(desc = "An expected result of `plan` that the MoU fulfils.")] fulfils: Option<ID>,
    ) -> ApiResult<MouPayload> {
        let mou = Mou(write::link::<mou::Entity>(ctx, &id, &plan, fulfils).await?);
        Ok(MouPayload { mou })
    }

    /// Takes an MoU out of one of its plans (editors of that plan who read it, admins). An MoU in
    /// no other plan is refused with `LAST_PLAN` unless `deleteIfLast`, which deletes it.
    pub(crate) async fn unlink_mou(
        &self,
        ctx: &Context<'_>,
        id: ID,
        plan: ID,
        #[graphql(desc = "Delete the record when this is its last plan (default: refuse).")]
        delete_if_last: Option<bool>,
    ) -> ApiResult<UnlinkMouPayload> {
        let unlinked =
            write::unlink::<mou::Entity>(ctx, &id, &plan, delete_if_last.unwrap_or(false));
        let (kept, deleted_id) = unlinked.await?.into_parts();
        Ok(UnlinkMouPayload {
            mou: kept.map(Mou),
            deleted_id,
        })
    }

    /// Deletes an MoU read at `version`, with its parties and its links to plans (editors of all
    /// its plans' organizations, admins).
    pub(crate) async fn delete_mou(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The MoU to delete.")] id: ID,
        #[graphql(desc = "The version the caller read.")] version: i32,
    ) -> ApiResult<DeletePayload> {
        write::delete::<mou::Entity>(ctx, &id, version).await
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
