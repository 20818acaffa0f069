//! Writing activities: partners report their own; the organizations come from the token unless
//! the input names them (an admin any, an editor its own).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, OneofObject, SimpleObject};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, ModelTrait, QueryFilter, QuerySelect,
    Set,
};

use super::Activity;
use crate::domain::partial_date::PartialDate;
use crate::error::{ApiError, ApiResult};
use crate::graphql::city::place::CityRefInput;
use crate::graphql::enums::ActivityKind;
use crate::graphql::ids::NodeKind;
use crate::graphql::organization::named::OrganizationRefInput;
use crate::graphql::position::List;
use crate::graphql::write::{
    self, Creating, DeletePayload, Diff, Fields, PlanRecord, Refs, Shared, Updating, Write,
};
use entity::{activity, activity_city, activity_organization, plan_activity};

/// A new activity of a plan, reported by the caller's organizations unless it names them.
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
    /// The organizations reporting it (default: the caller's; an editor names only its own).
    organizations: Option<Vec<ID>>,
    /// A draft is seen only by the organizations of its plans (default false).
    #[graphql(default)]
    draft: bool,
    /// Internal note for the plan's organizations, up to 5 000 characters.
    internal_note: Option<String>,
    /// Client key that makes the create safe to retry: a repeated request with the same key
    /// returns the activity the first one created (keys are per token, 1–200 characters).
    idempotency_key: Option<String>,
}

/// An activity of a plan being created (`createPlan`'s `activities`, in order): a new one, or an
/// existing one (`id`) that this plan reports too.
#[derive(OneofObject)]
pub enum PlanActivityInput {
    /// A new activity.
    New(NewActivityInput),
    /// An existing activity, linked (last in the plan's list).
    Existing(ID),
}

/// A new activity of a plan being created; cities and organizations by ID or by name.
#[derive(InputObject)]
pub struct NewActivityInput {
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
    place_city: Option<CityRefInput>,
    /// Cities taking part.
    cities: Option<Vec<CityRefInput>>,
    /// The organizations reporting it (default: the caller's; an editor names only its own).
    organizations: Option<Vec<OrganizationRefInput>>,
    /// A draft is seen only by the organizations of its plans (default false).
    #[graphql(default)]
    draft: bool,
    /// Internal note for the plan's organizations, up to 5 000 characters.
    internal_note: Option<String>,
}

impl NewActivityInput {
    /// The `createActivity` input of this activity, in plan `plan`, its cities and
    /// organizations resolved in `refs`.
    pub async fn in_plan(self, refs: &mut Refs, plan: ID) -> ApiResult<CreateActivityInput> {
        let place_city = match self.place_city {
            Some(city) => Some(refs.one(city, "placeCity").await?),
            None => None,
        };
        Ok(CreateActivityInput {
            plan,
            title: self.title,
            description: self.description,
            kind: self.kind,
            date: self.date,
            place: self.place,
            place_city,
            cities: refs.all(self.cities, "cities").await?,
            organizations: refs.all(self.organizations, "organizations").await?,
            draft: self.draft,
            internal_note: self.internal_note,
            idempotency_key: None,
        })
    }
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

impl PlanRecord for activity::Entity {
    const KIND: NodeKind = NodeKind::Activity;
    const FIELDS: &'static Fields<activity::Model> = FIELDS;

    async fn plans(w: &Write, row: &activity::Model) -> ApiResult<Vec<i64>> {
        let (record, plan) = (
            plan_activity::Column::ActivityId,
            plan_activity::Column::PlanId,
        );
        write::plans_listing::<plan_activity::Entity>(w, record, plan, row.id).await
    }

    /// After the plan's other activities.
    async fn place(w: &Write, plan: i64, row: &activity::Model, diff: &mut Diff) -> ApiResult<()> {
        <Self as Shared>::link(w, plan, row, &None, diff).await?;
        diff.created("plan", NodeKind::Plan.audit(plan));
        Ok(())
    }
}

impl Shared for activity::Entity {
    const NOUN: &'static str = "activity";
    const LINKED: &'static str = "ACTIVITY_LINKED";
    const UNLINKED: &'static str = "ACTIVITY_UNLINKED";
    /// The position in the plan's list of activities (default: after the others).
    type Link = Option<i32>;

    async fn link(
        w: &Write,
        plan: i64,
        row: &activity::Model,
        position: &Option<i32>,
        _diff: &mut Diff,
    ) -> ApiResult<()> {
        let position = activities_of(plan)
            .insert_at(&w.txn, *position, "position")
            .await?;
        plan_activity::ActiveModel {
            plan_id: Set(plan),
            activity_id: Set(row.id),
            position: Set(position),
        }
        .insert(&w.txn)
        .await?;
        Ok(())
    }

    async fn unlink(w: &Write, plan: i64, row: &activity::Model) -> ApiResult<()> {
        let link = plan_activity::Entity::find_by_id((plan, row.id))
            .one(&w.txn)
            .await?
            .ok_or(ApiError::NotFound)?;
        link.clone().delete(&w.txn).await?;
        activities_of(plan).close(&w.txn, link.position).await
    }
}

/// The ordered list of plan `plan`'s activities.
fn activities_of(plan: i64) -> List<plan_activity::Entity> {
    List::new(
        Condition::all().add(plan_activity::Column::PlanId.eq(plan)),
        plan_activity::Column::Position,
    )
}

/// An activity taken out of a plan.
#[derive(SimpleObject)]
pub struct UnlinkActivityPayload {
    /// The activity, in its other plans; null when it was deleted (`deleteIfLast`).
    activity: Option<Activity>,
    /// The activity's ID when it was deleted.
    deleted_id: Option<ID>,
}

#[derive(Default)]
pub struct ActivityMutation;

#[Object]
impl ActivityMutation {
    /// Reports a new activity in a plan (editors of the plan's organizations, admins).
    pub(crate) async fn create_activity(
        &self,
        ctx: &Context<'_>,
        input: CreateActivityInput,
    ) -> ApiResult<ActivityPayload> {
        let key = input.idempotency_key.as_deref();
        let c = match Creating::<activity::Entity>::start(
            ctx,
            &input.plan,
            key,
            "createActivity",
            &input,
        )
        .await?
        {
            Ok(c) => c,
            Err(done) => return Ok(payload(done)),
        };
        let w = &c.w;
        let title = write::text("title", &input.title, 500)?;
        let description = write::opt_text("description", input.description.as_deref(), 20_000)?;
        let date = input
            .date
            .as_deref()
            .map(|d| write::partial_date("date", d))
            .transpose()?;
        let place = write::opt_text("place", input.place.as_deref(), 200)?;
        let place_city = match &input.place_city {
            Some(id) => Some(write::city_id(w, id, "placeCity").await?),
            None => None,
        };
        let internal_note = write::opt_text("internalNote", input.internal_note.as_deref(), 5_000)?;
        let mut row = activity::ActiveModel {
            title: Set(title),
            description: Set(description),
            kind: Set(input.kind.into()),
            place_text: Set(place),
            place_city_id: Set(place_city),
            fingerprint: Set(write::api_fingerprint()?),
            internal_note: Set(internal_note),
            draft: Set(input.draft),
            ..Default::default()
        };
        set_date(&mut row, date.as_ref());
        let row = write::insert_new(&w.txn, row).await?;
        // Checked after the activity is written: a bad city rolls the whole create back.
        let cities = input.cities.as_deref().unwrap_or_default();
        let cities = write::city_ids(w, cities, "cities").await?;
        set_cities(w, row.id, &cities).await?;
        let orgs = write::reporters(w, input.organizations.as_deref(), "organizations").await?;
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
        let mut diff = Diff::default();
        diff.created("cities", NodeKind::City.audit_all(&cities));
        diff.created("organizations", NodeKind::Organization.audit_all(&orgs));
        Ok(payload(c.finish(row, diff).await?))
    }

    /// Changes an activity read at `version` (editors of all its plans' organizations, admins);
    /// CONFLICT with the current version when it changed meanwhile.
    pub(crate) async fn update_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateActivityInput,
    ) -> ApiResult<ActivityPayload> {
        let u = Updating::<activity::Entity>::start(ctx, &id, version).await?;
        let (w, current) = (&u.w, &u.current);
        let mut row: activity::ActiveModel = current.clone().into();
        if let Some(title) = &input.title {
            row.title
                .set_if_not_equals(write::text("title", title, 500)?);
        }
        write::patch_text(
            &mut row.description,
            &input.description,
            "description",
            20_000,
        )?;
        if let Some(kind) = input.kind {
            row.kind.set_if_not_equals(kind.into());
        }
        match &input.date {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => set_date(&mut row, None),
            MaybeUndefined::Value(d) => set_date(&mut row, Some(&write::partial_date("date", d)?)),
        }
        write::patch_text(&mut row.place_text, &input.place, "place", 200)?;
        match &input.place_city {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.place_city_id.set_if_not_equals(None),
            MaybeUndefined::Value(c) => row
                .place_city_id
                .set_if_not_equals(Some(write::city_id(w, c, "placeCity").await?)),
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
        if let Some(cities) = &input.cities {
            let mut new = write::city_ids(w, cities, "cities").await?;
            new.sort_unstable();
            let mut old: Vec<i64> = activity_city::Entity::find()
                .filter(activity_city::Column::ActivityId.eq(current.id))
                .select_only()
                .column(activity_city::Column::CityId)
                .into_tuple()
                .all(&w.txn)
                .await?;
            old.sort_unstable();
            if old != new {
                activity_city::Entity::delete_many()
                    .filter(activity_city::Column::ActivityId.eq(current.id))
                    .exec(&w.txn)
                    .await?;
                set_cities(w, current.id, &new).await?;
                let audit = |ids: &[i64]| NodeKind::City.audit_all(ids);
                diff.field("cities", audit(&old), audit(&new));
            }
        }
        Ok(payload(u.finish(row, diff, None).await?))
    }

    /// Lists an existing activity in another plan as well (one fact, several plans), at
    /// `position` in that plan's list (default: last). Editors of that plan who read the
    /// activity, admins.
    pub(crate) async fn link_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        plan: ID,
        position: Option<i32>,
    ) -> ApiResult<ActivityPayload> {
        Ok(payload(
            write::link::<activity::Entity>(ctx, &id, &plan, position).await?,
        ))
    }

    /// Takes an activity out of one of its plans (editors of that plan who read it, admins); the
    /// later activities there move up. An activity in no other plan is refused with `LAST_PLAN`
    /// unless `deleteIfLast`, which deletes it.
    pub(crate) async fn unlink_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        plan: ID,
        #[graphql(desc = "Delete the record when this is its last plan (default: refuse).")]
        delete_if_last: Option<bool>,
    ) -> ApiResult<UnlinkActivityPayload> {
        let unlinked =
            write::unlink::<activity::Entity>(ctx, &id, &plan, delete_if_last.unwrap_or(false));
        let (kept, deleted_id) = unlinked.await?.into_parts();
        Ok(UnlinkActivityPayload {
            activity: kept.map(Activity),
            deleted_id,
        })
    }

    /// Deletes an activity read at `version` (editors of all its plans' organizations, admins).
    pub(crate) async fn delete_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> ApiResult<DeletePayload> {
        write::delete::<activity::Entity>(ctx, &id, version).await
    }
}

fn payload(row: activity::Model) -> ActivityPayload {
    ActivityPayload {
        activity: Activity(row),
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

/// Sets the date columns of an activity from a partial date, or clears them.
fn set_date(row: &mut activity::ActiveModel, date: Option<&PartialDate>) {
    row.date_text
        .set_if_not_equals(date.map(|d| d.text().to_owned()));
    row.date_precision
        .set_if_not_equals(date.map(|d| d.precision()));
    row.date_start.set_if_not_equals(date.map(|d| d.start()));
    row.date_end.set_if_not_equals(date.map(|d| d.end()));
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
