//! Writing a plan's expected results: editors of the plan's organizations and admins.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};

use super::ExpectedResult;
use crate::auth::Permission;
use crate::auth::policy::Guarded;
use crate::error::{ApiError, ApiResult};
use crate::graphql::activity::{DeletePayload, any_published, city_ids, readable_plan};
use crate::graphql::enums::ResultKind;
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::position::{List, lock_plan};
use crate::graphql::write::{
    self, Diff, Entry, Fields, Idempotent, Operation, Write, check_version, delete_versioned,
    save_versioned,
};
use entity::enums::PlanStatus;
use entity::{expected_result, expected_result_city};

/// A new expected result of a plan.
#[derive(InputObject)]
pub struct CreateExpectedResultInput {
    /// The plan (one the caller's organization takes part in).
    plan: ID,
    /// Kind of outcome.
    kind: ResultKind,
    /// The expected result, 1–20 000 characters.
    description: String,
    /// Cities it names.
    cities: Option<Vec<ID>>,
    /// 1-based position among the plan's expected results (default: after the last); the results
    /// from there on move down by one.
    position: Option<i32>,
    /// Client key that makes the create safe to retry (see `createActivity`).
    idempotency_key: Option<String>,
}

/// Changes to an expected result: absent fields stay as they are.
#[derive(InputObject, Default)]
pub struct UpdateExpectedResultInput {
    kind: Option<ResultKind>,
    description: Option<String>,
    /// Replaces the cities it names.
    cities: Option<Vec<ID>>,
    /// New 1-based position; the results in between move by one.
    position: Option<i32>,
}

/// The expected result created or changed.
#[derive(SimpleObject)]
pub struct ExpectedResultPayload {
    expected_result: ExpectedResult,
}

#[derive(Default)]
pub struct ExpectedResultMutation;

#[Object]
impl ExpectedResultMutation {
    /// Adds an expected result to a plan (editors of the plan's organizations, admins).
    async fn create_expected_result(
        &self,
        ctx: &Context<'_>,
        input: CreateExpectedResultInput,
    ) -> ApiResult<ExpectedResultPayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let plan_id = decode_int(&input.plan, NodeKind::Plan, "plan")?;
        let plan = readable_plan(&w, plan_id).await?;
        w.require_plans(&[plan_id])?;
        lock_plan(&w.txn, plan_id).await?;
        let key = match w
            .replay(
                input.idempotency_key.as_deref(),
                "createExpectedResult",
                &input,
            )
            .await?
        {
            Some(Idempotent::Done(id)) => return existing(&w, id).await,
            key => key,
        };
        let description = write::text("description", &input.description, 20_000)?;
        let cities = city_ids(&w, input.cities.as_deref().unwrap_or_default(), "cities").await?;
        let position = list(plan_id)
            .insert_at(&w.txn, input.position, "position")
            .await?;
        let now = Utc::now();
        let row = expected_result::ActiveModel {
            plan_id: Set(plan_id),
            position: Set(position),
            kind: Set(input.kind.into()),
            description: Set(description),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(&w.txn)
        .await?;
        set_cities(&w, row.id, &cities).await?;
        w.remember(key, NodeKind::ExpectedResult, row.id).await?;
        let mut diff = Diff::default();
        diff.record(None, Some(&row), FIELDS);
        diff.created("cities", NodeKind::City.audit_all(&cities));
        w.commit(vec![Entry::new(
            NodeKind::ExpectedResult,
            row.id,
            Operation::Created,
            vec![plan_id],
            plan.status == PlanStatus::Published,
            diff,
        )])
        .await?;
        Ok(ExpectedResultPayload {
            expected_result: ExpectedResult(row),
        })
    }

    /// Changes an expected result read at `version` (editors of the plan's organizations,
    /// admins); CONFLICT with the current version when it changed meanwhile.
    async fn update_expected_result(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateExpectedResultInput,
    ) -> ApiResult<ExpectedResultPayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(&id, NodeKind::ExpectedResult, "id")?;
        let current = writable(&w, id).await?;
        check_version(current.version, version)?;
        let mut row: expected_result::ActiveModel = current.clone().into();
        if let Some(kind) = input.kind {
            row.kind.set_if_not_equals(kind.into());
        }
        if let Some(description) = &input.description {
            row.description
                .set_if_not_equals(write::text("description", description, 20_000)?);
        }
        let mut diff = Diff::default();
        if let Some(cities) = &input.cities {
            let mut new = city_ids(&w, cities, "cities").await?;
            new.sort_unstable();
            let old = cities_of(&w, id).await?;
            if old != new {
                expected_result_city::Entity::delete_many()
                    .filter(expected_result_city::Column::ExpectedResultId.eq(id))
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
        if let Some(wanted) = input.position {
            let list = list(current.plan_id);
            let to = list.move_target(&w.txn, wanted, "position").await?;
            if to != current.position {
                list.park(&w.txn, expected_result::Column::Id.eq(id))
                    .await?;
                list.close(&w.txn, current.position).await?;
                list.open(&w.txn, to).await?;
                row.position = Set(to);
            }
        }
        if !row.is_changed() && diff.is_empty() {
            w.commit(Vec::new()).await?;
            return Ok(ExpectedResultPayload {
                expected_result: ExpectedResult(current),
            });
        }
        let updated = save_versioned(&w.txn, row, id, version).await?;
        diff.record(Some(&current), Some(&updated), FIELDS);
        let public = any_published(&w, &[current.plan_id]).await?;
        w.commit(vec![Entry::new(
            NodeKind::ExpectedResult,
            id,
            Operation::Updated,
            vec![current.plan_id],
            public,
            diff,
        )])
        .await?;
        Ok(ExpectedResultPayload {
            expected_result: ExpectedResult(updated),
        })
    }

    /// Deletes an expected result read at `version` (editors of the plan's organizations,
    /// admins); the later results move up by one, and MoUs that fulfilled it keep their place in
    /// the plan without it.
    async fn delete_expected_result(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> ApiResult<DeletePayload> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(&id, NodeKind::ExpectedResult, "id")?;
        let current = writable(&w, id).await?;
        check_version(current.version, version)?;
        let public = any_published(&w, &[current.plan_id]).await?;
        let cities = cities_of(&w, id).await?;
        delete_versioned::<expected_result::Entity>(&w.txn, id, version).await?;
        list(current.plan_id)
            .close(&w.txn, current.position)
            .await?;
        let mut diff = Diff::default();
        diff.record(Some(&current), None, FIELDS);
        diff.deleted("cities", NodeKind::City.audit_all(&cities));
        w.commit(vec![Entry::new(
            NodeKind::ExpectedResult,
            id,
            Operation::Deleted,
            vec![current.plan_id],
            public,
            diff,
        )])
        .await?;
        Ok(DeletePayload::new(NodeKind::ExpectedResult, id))
    }
}

/// The audited fields of an expected result.
pub(crate) const FIELDS: &Fields<expected_result::Model> = &[
    ("kind", |m| m.kind.to_value().into()),
    ("description", |m| m.description.clone().into()),
    ("position", |m| m.position.into()),
    ("version", |m| m.version.into()),
];

/// The expected results of a plan, by position.
fn list(plan_id: i64) -> List<expected_result::Entity> {
    List::new(
        Condition::all().add(expected_result::Column::PlanId.eq(plan_id)),
        expected_result::Column::Position,
    )
}

/// The cities an expected result names, sorted.
async fn cities_of(w: &Write, id: i64) -> ApiResult<Vec<i64>> {
    let mut ids: Vec<i64> = expected_result_city::Entity::find()
        .filter(expected_result_city::Column::ExpectedResultId.eq(id))
        .select_only()
        .column(expected_result_city::Column::CityId)
        .into_tuple()
        .all(&w.txn)
        .await?;
    ids.sort_unstable();
    Ok(ids)
}

async fn set_cities(w: &Write, id: i64, cities: &[i64]) -> ApiResult<()> {
    if cities.is_empty() {
        return Ok(());
    }
    expected_result_city::Entity::insert_many(cities.iter().map(|c| {
        expected_result_city::ActiveModel {
            expected_result_id: Set(id),
            city_id: Set(*c),
        }
    }))
    .exec(&w.txn)
    .await?;
    Ok(())
}

/// The expected result (NOT_FOUND unless the caller reads it), checked writable.
async fn writable(w: &Write, id: i64) -> ApiResult<expected_result::Model> {
    let current = expected_result::Entity::find_by_id(id)
        .filter(expected_result::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    w.require_plans(&[current.plan_id])?;
    lock_plan(&w.txn, current.plan_id).await?;
    // Read again under the lock: another write of the plan may have shifted its position.
    expected_result::Entity::find_by_id(id)
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The answer to a replayed create: the expected result as it is now.
async fn existing(w: &Write, id: i64) -> ApiResult<ExpectedResultPayload> {
    let row = expected_result::Entity::find_by_id(id)
        .filter(expected_result::Entity::readable(&w.scope))
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(ExpectedResultPayload {
        expected_result: ExpectedResult(row),
    })
}
