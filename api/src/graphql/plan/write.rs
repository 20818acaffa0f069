//! Writing plans. Creating and deleting a plan, and its status, slug and focal city, are an
//! admin's; editors of the plan's organizations change its title, period, period context and
//! internal note.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

use super::Plan;
use super::parts::{PlanListsInput, PlanPartsInput};
use crate::auth::Permission;
use crate::auth::policy;
use crate::auth::policy::Guarded;
use crate::domain::text::name_key;
use crate::error::{ApiError, ApiResult};
use crate::graphql::city::place::PlaceInput;
use crate::graphql::enums::PlanStatus;
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::write::{
    self, Batch, DeletePayload, Diff, Entry, Fields, Idempotent, Operation, PlanRecord, Write,
    check_version, city_id, delete_versioned, save_versioned,
};
use entity::{expected_result, plan, plan_activity, plan_mou, statement, theme};

/// A new plan.
#[derive(InputObject)]
pub struct CreatePlanInput {
    /// Title ("U-CAP Guangzhou"), 1–500 characters.
    title: String,
    /// Stable key of lower-case letters, digits and hyphens, up to 100 characters ("guangzhou-cn");
    /// made from the title when absent.
    slug: Option<String>,
    /// The city whose plan this is (or `focalPlace`).
    focal_city: Option<ID>,
    /// The city whose plan this is, by name (or `focalCity`): found as the importer finds it,
    /// else made from the gazetteer.
    focal_place: Option<PlaceInput>,
    /// Start of the cooperation, as a partial date or a range ("May 2017", "2017-05",
    /// "2019–2021").
    period: Option<String>,
    /// Free-text context of the period, up to 2 000 characters.
    period_context: Option<String>,
    /// Publication state (default DRAFT: visible to the plan's organizations only).
    #[graphql(default_with = "PlanStatus::Draft")]
    status: PlanStatus,
    /// Internal note for the plan's organizations, up to 5 000 characters.
    internal_note: Option<String>,
    /// Client key that makes the create safe to retry (see `createActivity`).
    idempotency_key: Option<String>,
    /// Its parts, written with it: all or nothing.
    #[graphql(flatten)]
    parts: PlanPartsInput,
}

/// Changes to a plan: absent fields stay as they are; `null` clears an optional field. Changing
/// `slug`, `focalCity` or `status` takes an admin.
#[derive(InputObject, Default)]
pub struct UpdatePlanInput {
    title: Option<String>,
    slug: Option<String>,
    focal_city: Option<ID>,
    period: MaybeUndefined<String>,
    period_context: MaybeUndefined<String>,
    status: Option<PlanStatus>,
    internal_note: MaybeUndefined<String>,
    /// Its ordered lists replaced or patched, in the same transaction.
    #[graphql(flatten)]
    lists: PlanListsInput,
}

/// The plan created or changed.
#[derive(SimpleObject)]
pub struct PlanPayload {
    pub plan: Plan,
}

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Creates a plan (admins only), with its parts when given (themes, statements, partner
    /// cities, SDGs, Urban Agenda partnerships, participants, expected results, activities, MoUs;
    /// at most 200 of each): one transaction, each part written as its own mutation would write
    /// it, nothing written when any fails (the error names it: `themes[2].title`). CONFLICT when
    /// the slug is taken.
    async fn create_plan(
        &self,
        ctx: &Context<'_>,
        input: CreatePlanInput,
    ) -> ApiResult<PlanPayload> {
        if input.parts.is_empty() {
            return Ok(create_row(ctx, &input).await?.0);
        }
        input.parts.check()?;
        Batch::all_or_nothing(ctx, async move {
            let (payload, replayed) = create_row(ctx, &input).await?;
            if !replayed {
                let plan = NodeKind::Plan.id(payload.plan.0.id);
                Box::pin(input.parts.write(ctx, &plan)).await?;
            }
            Ok(payload)
        })
        .await
    }

    /// Changes a plan read at `version` (editors of the plan's organizations, admins; only admins
    /// change its slug, focal city or status); CONFLICT with the current version when it changed
    /// meanwhile.
    ///
    /// `replaceThemes`, `updateThemes`, … change its ordered lists in the same transaction (see
    /// `PlanListsInput`): nothing is written when one item fails, and the error names it.
    async fn update_plan(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdatePlanInput,
    ) -> ApiResult<PlanPayload> {
        if input.lists.is_empty() {
            return update_row(ctx, &id, version, &input).await;
        }
        input.lists.check()?;
        Batch::all_or_nothing(ctx, async move {
            let payload = update_row(ctx, &id, version, &input).await?;
            Box::pin(input.lists.write(ctx, payload.plan.0.id, &id)).await?;
            Ok(payload)
        })
        .await
    }

    /// Deletes a plan read at `version` with its themes, statements, expected results, links,
    /// participants, contacts and data issues (admins only); CONFLICT while it still lists
    /// activities or MoUs, which other plans may share.
    async fn delete_plan(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> ApiResult<DeletePayload> {
        let w = Write::begin(ctx, Permission::Administer).await?;
        let id = decode_int(&id, NodeKind::Plan, "id")?;
        let current = plan::Entity::find_by_id(id)
            .one(&w.txn)
            .await?
            .ok_or(ApiError::NotFound)?;
        check_version(current.version, version)?;
        let activities = plan_activity::Entity::find()
            .filter(plan_activity::Column::PlanId.eq(id))
            .count(&w.txn)
            .await?;
        let mous = plan_mou::Entity::find()
            .filter(plan_mou::Column::PlanId.eq(id))
            .count(&w.txn)
            .await?;
        if activities + mous > 0 {
            return Err(ApiError::Conflict(format!(
                "the plan still lists {activities} activities and {mous} MoUs; delete or unlink \
                 them first"
            )));
        }
        // Its own parts go with it (foreign keys cascade); each gets its entry.
        let public = policy::plan_is_public(current.status);
        let mut entries = vec![entry(&current, Operation::Deleted, Diff::default())];
        entries[0].diff.record(Some(&current), None, FIELDS);
        entries
            .extend(parts_deleted::<theme::Entity>(&w, theme::Column::PlanId, id, public).await?);
        let statements = statement::Column::PlanId;
        entries.extend(parts_deleted::<statement::Entity>(&w, statements, id, public).await?);
        let results = expected_result::Column::PlanId;
        entries.extend(parts_deleted::<expected_result::Entity>(&w, results, id, public).await?);
        delete_versioned::<plan::Entity>(&w.txn, id, version).await?;
        w.commit(entries).await?;
        Ok(DeletePayload::new(NodeKind::Plan, id))
    }
}

/// The audited fields of a plan.
const FIELDS: &Fields<plan::Model> = &[
    ("title", |m| m.title.clone().into()),
    ("slug", |m| m.slug.clone().into()),
    ("status", |m| m.status.to_value().into()),
    ("focalCity", |m| NodeKind::City.audit(m.focal_city_id)),
    ("period", |m| m.period_text.clone().into()),
    ("periodContext", |m| m.period_context.clone().into()),
    ("internalNote", |m| m.internal_note.clone().into()),
    ("version", |m| m.version.into()),
];

/// The deletion entries of the parts `E` of plan `plan` (their column `plan_column`), which go
/// with it.
async fn parts_deleted<E: PlanRecord>(
    w: &Write,
    plan_column: E::Column,
    plan: i64,
    public: bool,
) -> ApiResult<Vec<Entry>>
where
    E::Model: Sync,
{
    let parts = E::find().filter(plan_column.eq(plan)).all(&w.txn).await?;
    let entry = |part: E::Model| -> ApiResult<Entry> {
        let mut diff = Diff::default();
        diff.record(Some(&part), None, E::FIELDS);
        let id = write::id_of::<E>(&part)?;
        Ok(Entry::new(
            E::KIND,
            id,
            Operation::Deleted,
            vec![plan],
            public,
            diff,
        ))
    };
    parts.into_iter().map(entry).collect()
}

/// The entry of a change to the plan itself (public when the plan is published).
pub(super) fn entry(plan: &plan::Model, operation: Operation, diff: Diff) -> Entry {
    let public = policy::plan_is_public(plan.status);
    Entry::new(
        NodeKind::Plan,
        plan.id,
        operation,
        vec![plan.id],
        public,
        diff,
    )
}

/// A slug: 1–100 lower-case ASCII letters, digits and single inner hyphens.
fn checked_slug(slug: &str) -> ApiResult<String> {
    let slug = slug.trim();
    let ok = !slug.is_empty()
        && slug.len() <= 100
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if ok {
        Ok(slug.to_owned())
    } else {
        Err(ApiError::invalid(
            "slug",
            "must be 1 to 100 lower-case letters, digits and single hyphens between them",
        ))
    }
}

/// CONFLICT when another plan has `slug`.
async fn slug_free(w: &Write, slug: &str, except: Option<i64>) -> ApiResult<()> {
    let mut find = plan::Entity::find().filter(plan::Column::Slug.eq(slug));
    if let Some(id) = except {
        find = find.filter(plan::Column::Id.ne(id));
    }
    if find.one(&w.txn).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "a plan with slug \"{slug}\" exists"
        )));
    }
    Ok(())
}

/// A free slug made from a title: "U-CAP Guangzhou" gives "u-cap-guangzhou", then "-2", "-3" …
async fn free_slug(w: &Write, title: &str) -> ApiResult<String> {
    let mut base = String::new();
    for c in name_key(title).chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c);
        } else if !base.is_empty() && !base.ends_with('-') {
            base.push('-');
        }
    }
    base.truncate(90);
    let base = match base.trim_matches('-') {
        "" => "plan".to_owned(),
        b => b.to_owned(),
    };
    for n in 1..1000 {
        let slug = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if slug_free(w, &slug, None).await.is_ok() {
            return Ok(slug);
        }
    }
    Err(ApiError::invalid("slug", "no free slug; give one"))
}

/// The answer to a replayed create: the plan as it is now.
async fn existing(w: &Write, id: i64) -> ApiResult<PlanPayload> {
    let row = plan::Entity::find_by_id(id)
        .filter(plan::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(PlanPayload { plan: Plan(row) })
}

/// Writes the plan row of `input` (its parts are the caller's); whether it was an idempotent
/// replay, which returns the plan the first request made.
async fn create_row(ctx: &Context<'_>, input: &CreatePlanInput) -> ApiResult<(PlanPayload, bool)> {
    let w = Write::begin(ctx, Permission::Administer).await?;
    let key = match w
        .replay(input.idempotency_key.as_deref(), "createPlan", input)
        .await?
    {
        Some(Idempotent::Done(id)) => {
            let payload = existing(&w, id).await?;
            w.commit(Vec::new()).await?;
            return Ok((payload, true));
        }
        key => key,
    };

    let title = write::text("title", &input.title, 500)?;
    let slug = match &input.slug {
        Some(slug) => {
            let slug = checked_slug(slug)?;
            slug_free(&w, &slug, None).await?;
            slug
        }
        None => free_slug(&w, &title).await?,
    };
    let (focal, made) = match (&input.focal_city, &input.focal_place) {
        (Some(id), None) => (city_id(&w, id, "focalCity").await?, None),
        (None, Some(place)) => {
            let (id, made) = place.resolve(&w, "focalPlace").await?;
            (city_id(&w, &id, "focalPlace").await?, made)
        }
        _ => {
            return Err(ApiError::invalid(
                "focalCity",
                "give exactly one of focalCity and focalPlace",
            ));
        }
    };
    let period = input
        .period
        .as_deref()
        .map(|p| write::partial_date("period", p))
        .transpose()?;
    let period_context = write::opt_text("periodContext", input.period_context.as_deref(), 2_000)?;
    let internal_note = write::opt_text("internalNote", input.internal_note.as_deref(), 5_000)?;
    let row = write::insert_new(
        &w.txn,
        plan::ActiveModel {
            slug: Set(slug),
            title: Set(title),
            status: Set(input.status.into()),
            focal_city_id: Set(focal),
            period_text: Set(period.as_ref().map(|d| d.text().to_owned())),
            period_precision: Set(period.as_ref().map(|d| d.precision())),
            period_start: Set(period.as_ref().map(|d| d.start())),
            period_end: Set(period.as_ref().map(|d| d.end())),
            period_context: Set(period_context),
            source_document_id: Set(None),
            internal_note: Set(internal_note),
            ..Default::default()
        },
    )
    .await?;
    w.remember(key, NodeKind::Plan, row.id).await?;
    let mut diff = Diff::default();
    diff.record(None, Some(&row), FIELDS);
    let entries = made
        .into_iter()
        .chain([entry(&row, Operation::Created, diff)]);
    w.commit(entries.collect()).await?;
    Ok((PlanPayload { plan: Plan(row) }, false))
}

/// Writes the plan's own fields of `input` (its lists are the caller's).
async fn update_row(
    ctx: &Context<'_>,
    id: &ID,
    version: i32,
    input: &UpdatePlanInput,
) -> ApiResult<PlanPayload> {
    let w = Write::begin(ctx, Permission::Edit).await?;

    let id = decode_int(id, NodeKind::Plan, "id")?;
    let current = plan::Entity::find_by_id(id)
        .filter(plan::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    w.require_plans(&[id])?;
    check_version(current.version, version)?;
    let mut row: plan::ActiveModel = current.clone().into();
    if let Some(title) = &input.title {
        row.title
            .set_if_not_equals(write::text("title", title, 500)?);
    }
    if let Some(slug) = &input.slug {
        row.slug.set_if_not_equals(checked_slug(slug)?);
    }
    if let Some(city) = &input.focal_city {
        row.focal_city_id
            .set_if_not_equals(city_id(&w, city, "focalCity").await?);
    }
    if let Some(status) = input.status {
        row.status.set_if_not_equals(status.into());
    }
    if !w.is_admin() && (row.slug.is_set() || row.focal_city_id.is_set() || row.status.is_set()) {
        // Editors keep to the plan's texts; publishing and identity are an admin's.
        return Err(ApiError::Forbidden);
    }
    if row.slug.is_set() {
        slug_free(&w, row.slug.as_ref(), Some(id)).await?;
    }
    match &input.period {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => {
            row.period_text.set_if_not_equals(None);
            row.period_precision.set_if_not_equals(None);
            row.period_start.set_if_not_equals(None);
            row.period_end.set_if_not_equals(None);
        }
        MaybeUndefined::Value(p) => {
            let d = write::partial_date("period", p)?;
            row.period_text.set_if_not_equals(Some(d.text().to_owned()));
            row.period_precision.set_if_not_equals(Some(d.precision()));
            row.period_start.set_if_not_equals(Some(d.start()));
            row.period_end.set_if_not_equals(Some(d.end()));
        }
    }
    match &input.period_context {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => row.period_context.set_if_not_equals(None),
        MaybeUndefined::Value(c) => {
            row.period_context
                .set_if_not_equals(write::opt_text("periodContext", Some(c), 2_000)?)
        }
    }
    match &input.internal_note {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => row.internal_note.set_if_not_equals(None),
        MaybeUndefined::Value(n) => {
            row.internal_note
                .set_if_not_equals(write::opt_text("internalNote", Some(n), 5_000)?)
        }
    }
    if !row.is_changed() {
        w.commit(Vec::new()).await?;
        return Ok(PlanPayload {
            plan: Plan(current),
        });
    }
    let updated = save_versioned(&w.txn, row, id, version).await?;
    let mut diff = Diff::default();
    diff.record(Some(&current), Some(&updated), FIELDS);
    let mut change = entry(&updated, Operation::Updated, diff);
    // A plan that stops being published reaches public mirrors as a tombstone.
    change.public |= policy::plan_is_public(current.status);
    w.commit(vec![change]).await?;
    Ok(PlanPayload {
        plan: Plan(updated),
    })
}
