//! Writing activities: partners report their own; the organization comes from the token.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::Utc;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};

use super::Activity;
use crate::auth::Permission;
use crate::auth::policy::Guarded;
use crate::error::{ApiError, ApiResult};
use crate::graphql::enums::ActivityKind;
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::write::{
    self, Diff, Entry, Fields, Idempotent, Operation, Write, check_version, delete_versioned,
    save_versioned,
};
use entity::enums::PlanStatus;
use entity::{activity, activity_city, activity_organization, city, plan, plan_activity};

/// A new activity of a plan. Its organizations are the caller's (from the token).
#[derive(InputObject)]
pub struct CreateActivityInput {
    /// The plan that reports it (one the caller's organization takes part in).
    plan: ID,
    /// Short title, 1–500 characters.
    title: String,
    /// The full text, up to 20 000 characters.
    description: Option<String>,
    /// Form of the activity.
    kind: ActivityKind,
    /// When it took place, as a partial date: "2021", "Q1 2021", "2021-03", "March 2021",
    /// "2021-03-14".
    date: Option<String>,
    /// Where it took place, as text ("Brussels", "online"), up to 200 characters.
    place: Option<String>,
    /// The city where it took place.
    place_city: Option<ID>,
    /// Cities taking part.
    cities: Option<Vec<ID>>,
    /// A draft is seen only by the organizations of its plans (default false).
    #[graphql(default)]
    draft: bool,
    /// Internal note for the plan's organizations, up to 5 000 characters.
    internal_note: Option<String>,
    /// Client key that makes the create safe to retry: a repeated request with the same key
    /// returns the activity the first one created (keys are per token, 1–200 characters).
    idempotency_key: Option<String>,
}

/// Changes to an activity: absent fields stay as they are; `null` clears an optional field.
#[derive(InputObject, Default)]
pub struct UpdateActivityInput {
    title: Option<String>,
    description: MaybeUndefined<String>,
    kind: Option<ActivityKind>,
    /// New partial date, or null for none.
    date: MaybeUndefined<String>,
    place: MaybeUndefined<String>,
    place_city: MaybeUndefined<ID>,
    /// Replaces the cities taking part.
    cities: Option<Vec<ID>>,
    draft: Option<bool>,
    internal_note: MaybeUndefined<String>,
}

/// The activity created or changed.
#[derive(SimpleObject)]
pub struct ActivityPayload {
    activity: Activity,
}

/// What a delete removed.
#[derive(SimpleObject)]
pub struct DeletePayload {
    /// ID of the deleted record.
    deleted_id: ID,
}

impl DeletePayload {
    pub fn new(kind: NodeKind, id: i64) -> Self {
        Self {
            deleted_id: kind.id(id),
        }
    }
}

#[derive(Default)]
pub struct ActivityMutation;

#[Object]
impl ActivityMutation {
    /// Reports a new activity in a plan (editors of the plan's organizations, admins).
    async fn create_activity(
        &self,
        ctx: &Context<'_>,
        input: CreateActivityInput,
    ) -> ApiResult<ActivityPayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let plan_id = decode_int(&input.plan, NodeKind::Plan, "plan")?;
        let plan = readable_plan(&w, plan_id).await?;
        w.require_plans(&[plan_id])?;
        let key = match w
            .replay(input.idempotency_key.as_deref(), "createActivity", &input)
            .await?
        {
            Some(Idempotent::Done(id)) => return existing(&w, id).await,
            key => key,
        };
        let title = write::text("title", &input.title, 500)?;
        let description = write::opt_text("description", input.description.as_deref(), 20_000)?;
        let date = input
            .date
            .as_deref()
            .map(|d| write::partial_date("date", d))
            .transpose()?;
        let place = write::opt_text("place", input.place.as_deref(), 200)?;
        let place_city = match &input.place_city {
            Some(id) => Some(city_id(&w, id, "placeCity").await?),
            None => None,
        };
        let internal_note = write::opt_text("internalNote", input.internal_note.as_deref(), 5_000)?;
        let now = Utc::now();
        let kind: entity::enums::ActivityKind = input.kind.into();
        let row = activity::ActiveModel {
            title: Set(title),
            description: Set(description),
            kind: Set(kind),
            date_text: Set(date.as_ref().map(|d| d.text().to_owned())),
            date_precision: Set(date.as_ref().map(|d| d.precision())),
            date_start: Set(date.as_ref().map(|d| d.start())),
            date_end: Set(date.as_ref().map(|d| d.end())),
            place_text: Set(place),
            place_city_id: Set(place_city),
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
        // Checked after the activity is written: a bad city rolls the whole create back.
        let cities = city_ids(&w, input.cities.as_deref().unwrap_or_default(), "cities").await?;
        let position = next_position(&w, plan_id).await?;
        plan_activity::ActiveModel {
            plan_id: Set(plan_id),
            activity_id: Set(row.id),
            position: Set(position),
        }
        .insert(&w.txn)
        .await?;
        set_cities(&w, row.id, &cities).await?;
        let orgs = w.token.organizations.clone();
        if !orgs.is_empty() {
            activity_organization::Entity::insert_many(orgs.iter().map(|org| {
                activity_organization::ActiveModel {
                    activity_id: Set(row.id),
                    organization_id: Set(*org),
                }
            }))
            .exec(&w.txn)
            .await?;
        }
        w.remember(key, NodeKind::Activity, row.id).await?;
        let mut diff = Diff::default();
        diff.record(None, Some(&row), FIELDS);
        diff.created("cities", NodeKind::City.audit_all(&cities));
        diff.created("organizations", NodeKind::Organization.audit_all(&orgs));
        diff.created("plan", NodeKind::Plan.audit(plan_id));
        let public = plan.status == PlanStatus::Published && !row.draft;
        w.commit(vec![Entry::new(
            NodeKind::Activity,
            row.id,
            Operation::Created,
            vec![plan_id],
            public,
            diff,
        )])
        .await?;
        Ok(ActivityPayload {
            activity: Activity(row),
        })
    }

    /// Changes an activity read at `version` (editors of all its plans' organizations, admins);
    /// CONFLICT with the current version when it changed meanwhile.
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateActivityInput,
    ) -> ApiResult<ActivityPayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(&id, NodeKind::Activity, "id")?;
        let (current, plans) = writable(&w, id).await?;
        check_version(current.version, version)?;
        let mut row: activity::ActiveModel = current.clone().into();
        if let Some(title) = &input.title {
            row.title
                .set_if_not_equals(write::text("title", title, 500)?);
        }
        match &input.description {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.description.set_if_not_equals(None),
            MaybeUndefined::Value(d) => {
                row.description
                    .set_if_not_equals(write::opt_text("description", Some(d), 20_000)?)
            }
        }
        if let Some(kind) = input.kind {
            row.kind.set_if_not_equals(kind.into());
        }
        match &input.date {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => {
                row.date_text.set_if_not_equals(None);
                row.date_precision.set_if_not_equals(None);
                row.date_start.set_if_not_equals(None);
                row.date_end.set_if_not_equals(None);
            }
            MaybeUndefined::Value(d) => {
                let d = write::partial_date("date", d)?;
                row.date_text.set_if_not_equals(Some(d.text().to_owned()));
                row.date_precision.set_if_not_equals(Some(d.precision()));
                row.date_start.set_if_not_equals(Some(d.start()));
                row.date_end.set_if_not_equals(Some(d.end()));
            }
        }
        match &input.place {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.place_text.set_if_not_equals(None),
            MaybeUndefined::Value(p) => {
                row.place_text
                    .set_if_not_equals(write::opt_text("place", Some(p), 200)?)
            }
        }
        match &input.place_city {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.place_city_id.set_if_not_equals(None),
            MaybeUndefined::Value(c) => row
                .place_city_id
                .set_if_not_equals(Some(city_id(&w, c, "placeCity").await?)),
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
        if let Some(cities) = &input.cities {
            let mut new = city_ids(&w, cities, "cities").await?;
            new.sort_unstable();
            let mut old: Vec<i64> = activity_city::Entity::find()
                .filter(activity_city::Column::ActivityId.eq(id))
                .all(&w.txn)
                .await?
                .into_iter()
                .map(|c| c.city_id)
                .collect();
            old.sort_unstable();
            if old != new {
                activity_city::Entity::delete_many()
                    .filter(activity_city::Column::ActivityId.eq(id))
                    .exec(&w.txn)
                    .await?;
                set_cities(&w, id, &new).await?;
                diff.field(
                    "cities",
                    NodeKind::City.audit_all(&old),
                    NodeKind::City.audit_all(&new),
                );
            }
        }
        if !row.is_changed() && diff.is_empty() {
            w.commit(Vec::new()).await?;
            return Ok(ActivityPayload {
                activity: Activity(current),
            });
        }
        let updated = save_versioned(&w.txn, row, id, version).await?;
        diff.record(Some(&current), Some(&updated), FIELDS);
        // Public before or after: a record that stops being public reaches public mirrors as a
        // tombstone (its node is no longer readable to them).
        let public = (!updated.draft || !current.draft) && any_published(&w, &plans).await?;
        w.commit(vec![Entry::new(
            NodeKind::Activity,
            id,
            Operation::Updated,
            plans,
            public,
            diff,
        )])
        .await?;
        Ok(ActivityPayload {
            activity: Activity(updated),
        })
    }

    /// Deletes an activity read at `version` (editors of all its plans' organizations, admins).
    async fn delete_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> ApiResult<DeletePayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(&id, NodeKind::Activity, "id")?;
        let (current, plans) = writable(&w, id).await?;
        check_version(current.version, version)?;
        let public = !current.draft && any_published(&w, &plans).await?;
        delete_versioned::<activity::Entity>(&w.txn, id, version).await?;
        let mut diff = Diff::default();
        diff.record(Some(&current), Some(&deleted_shape(&current)), FIELDS);
        w.commit(vec![Entry::new(
            NodeKind::Activity,
            id,
            Operation::Deleted,
            plans,
            public,
            diff,
        )])
        .await?;
        Ok(DeletePayload::new(NodeKind::Activity, id))
    }
}

/// The audited fields of an activity.
const FIELDS: &Fields<activity::Model> = &[
    ("title", |m| m.title.clone().into()),
    ("description", |m| m.description.clone().into()),
    ("kind", |m| m.kind.to_value().into()),
    ("date", |m| m.date_text.clone().into()),
    ("place", |m| m.place_text.clone().into()),
    ("placeCity", |m| NodeKind::City.audit_opt(m.place_city_id)),
    ("draft", |m| m.draft.into()),
    ("internalNote", |m| m.internal_note.clone().into()),
    ("version", |m| m.version.into()),
];

/// A deleted activity for the audit diff: every field gone.
fn deleted_shape(m: &activity::Model) -> activity::Model {
    activity::Model {
        title: String::new(),
        description: None,
        date_text: None,
        place_text: None,
        place_city_id: None,
        internal_note: None,
        ..m.clone()
    }
}

/// Fingerprint of an API-created activity or MoU: unique, so two partners' records that happen to
/// share a date, kind and title (or parties and subject) stay two (the importer's fingerprints read
/// date|kind|title, or parties|subject).
pub(crate) fn api_fingerprint() -> ApiResult<String> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(anyhow::anyhow!("random: {e}")))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("api:{hex}"))
}

/// The answer to a replayed create: the activity as it is now.
async fn existing(w: &Write, id: i64) -> ApiResult<ActivityPayload> {
    let row = activity::Entity::find_by_id(id)
        .filter(activity::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(ActivityPayload {
        activity: Activity(row),
    })
}

/// A plan the caller reads; NOT_FOUND (field `plan`) otherwise.
pub(crate) async fn readable_plan(w: &Write, id: i64) -> ApiResult<plan::Model> {
    plan::Entity::find_by_id(id)
        .filter(plan::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or_else(|| ApiError::invalid("plan", "no such plan"))
}

/// The activity (NOT_FOUND unless the caller reads it) and its plans, checked writable.
async fn writable(w: &Write, id: i64) -> ApiResult<(activity::Model, Vec<i64>)> {
    let current = activity::Entity::find_by_id(id)
        .filter(activity::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let plans: Vec<i64> = plan_activity::Entity::find()
        .filter(plan_activity::Column::ActivityId.eq(id))
        .select_only()
        .column(plan_activity::Column::PlanId)
        .into_tuple()
        .all(&w.txn)
        .await?;
    w.require_plans(&plans)?;
    Ok((current, plans))
}

/// Whether any of `plans` is published.
pub(crate) async fn any_published(w: &Write, plans: &[i64]) -> ApiResult<bool> {
    Ok(plan::Entity::find()
        .filter(plan::Column::Id.is_in(plans.iter().copied()))
        .filter(plan::Column::Status.eq(PlanStatus::Published))
        .one(&w.txn)
        .await?
        .is_some())
}

async fn next_position(w: &Write, plan_id: i64) -> ApiResult<i16> {
    let max: Option<Option<i16>> = plan_activity::Entity::find()
        .filter(plan_activity::Column::PlanId.eq(plan_id))
        .select_only()
        .column_as(plan_activity::Column::Position.max(), "max")
        .into_tuple()
        .one(&w.txn)
        .await?;
    let next = max.flatten().unwrap_or(0).checked_add(1);
    next.ok_or_else(|| ApiError::invalid("plan", "the plan has too many activities"))
}

/// A city ID of input `field` that exists.
pub(crate) async fn city_id(w: &Write, id: &ID, field: &str) -> ApiResult<i64> {
    let id = decode_int(id, NodeKind::City, field)?;
    city::Entity::find_by_id(id)
        .one(&w.txn)
        .await?
        .map(|c| c.id)
        .ok_or_else(|| ApiError::invalid(field, "no such city"))
}

/// City IDs of input `field`, each existing, without repeats, in order.
pub(crate) async fn city_ids(w: &Write, ids: &[ID], field: &str) -> ApiResult<Vec<i64>> {
    if ids.len() > 100 {
        return Err(ApiError::invalid(field, "at most 100 cities"));
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let id = city_id(w, id, field).await?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

async fn set_cities(w: &Write, activity_id: i64, cities: &[i64]) -> ApiResult<()> {
    if cities.is_empty() {
        return Ok(());
    }
    activity_city::Entity::insert_many(cities.iter().map(|c| activity_city::ActiveModel {
        activity_id: Set(activity_id),
        city_id: Set(*c),
    }))
    .exec(&w.txn)
    .await?;
    Ok(())
}
