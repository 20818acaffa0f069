//! Writing a plan's expected results: editors of the plan's organizations and admins.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use super::ExpectedResult;
use crate::error::ApiResult;
use crate::graphql::city::place::CityRefInput;
use crate::graphql::enums::ResultKind;
use crate::graphql::ids::NodeKind;
use crate::graphql::organization::named::OrganizationRefInput;
use crate::graphql::position::List;
use crate::graphql::write::{
    self, Creating, DeletePayload, Diff, Fields, Part, PlanRecord, Refs, Updating, Write,
};
use entity::{expected_result, expected_result_city, expected_result_organization};

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
    /// Organizations it names.
    organizations: Option<Vec<ID>>,
    /// 1-based position among the plan's expected results (default: after the last); the results
    /// from there on move down by one.
    position: Option<i32>,
    /// Client key that makes the create safe to retry (see `createActivity`).
    idempotency_key: Option<String>,
}

/// An expected result of a plan being created (`createPlan`'s `expectedResults`, in order).
#[derive(InputObject)]
pub struct PlanExpectedResultInput {
    /// Kind of outcome.
    kind: ResultKind,
    /// The published text, 1–20 000 characters.
    description: String,
    /// Cities the result names, by ID or by name.
    cities: Option<Vec<CityRefInput>>,
    /// Organizations the result names, by ID or by name.
    organizations: Option<Vec<OrganizationRefInput>>,
}

impl PlanExpectedResultInput {
    /// The `createExpectedResult` input of this result, in plan `plan`, its cities and
    /// organizations resolved in `refs`.
    pub async fn in_plan(self, refs: &mut Refs, plan: ID) -> ApiResult<CreateExpectedResultInput> {
        Ok(CreateExpectedResultInput {
            plan,
            kind: self.kind,
            description: self.description,
            cities: refs.all(self.cities, "cities").await?,
            organizations: refs.all(self.organizations, "organizations").await?,
            position: None,
            idempotency_key: None,
        })
    }
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

impl ExpectedResultPayload {
    /// The result's ID.
    pub fn id(&self) -> ID {
        NodeKind::ExpectedResult.id(self.expected_result.0.id)
    }
}

impl PlanRecord for expected_result::Entity {
    const KIND: NodeKind = NodeKind::ExpectedResult;
    const FIELDS: &'static Fields<expected_result::Model> = FIELDS;

    fn part_of(row: &expected_result::Model) -> Option<Part<Self>> {
        let (plan, list, position) = (row.plan_id, list(row.plan_id), row.position);
        Some(Part {
            plan,
            list,
            position,
        })
    }

    async fn deleting(w: &Write, row: &expected_result::Model, diff: &mut Diff) -> ApiResult<()> {
        let cities = cities_of(w, row.id).await?;
        diff.deleted("cities", NodeKind::City.audit_all(&cities));
        Ok(())
    }
}

#[derive(Default)]
pub struct ExpectedResultMutation;

#[Object]
impl ExpectedResultMutation {
    /// Adds an expected result to a plan (editors of the plan's organizations, admins).
    pub(crate) async fn create_expected_result(
        &self,
        ctx: &Context<'_>,
        input: CreateExpectedResultInput,
    ) -> ApiResult<ExpectedResultPayload> {
        let key = input.idempotency_key.as_deref();
        let operation = "createExpectedResult";
        let c = match Creating::<expected_result::Entity>::start(
            ctx,
            &input.plan,
            key,
            operation,
            &input,
        )
        .await?
        {
            Ok(c) => c,
            Err(done) => return Ok(payload(done)),
        };
        let description = write::text("description", &input.description, 20_000)?;
        let cities = input.cities.as_deref().unwrap_or_default();
        let cities = write::city_ids(&c.w, cities, "cities").await?;
        let organizations = input.organizations.as_deref().unwrap_or_default();
        let organizations = write::organization_ids(&c.w, organizations, "organizations").await?;
        let position = list(c.plan)
            .insert_at(&c.w.txn, input.position, "position")
            .await?;
        let row = write::insert_new(
            &c.w.txn,
            expected_result::ActiveModel {
                plan_id: Set(c.plan),
                position: Set(position),
                kind: Set(input.kind.into()),
                description: Set(description),
                ..Default::default()
            },
        )
        .await?;
        set_cities(&c.w, row.id, &cities).await?;
        if !organizations.is_empty() {
            expected_result_organization::Entity::insert_many(organizations.iter().map(|&org| {
                expected_result_organization::ActiveModel {
                    expected_result_id: Set(row.id),
                    organization_id: Set(org),
                }
            }))
            .exec(&c.w.txn)
            .await?;
        }
        let mut diff = Diff::default();
        diff.created("cities", NodeKind::City.audit_all(&cities));
        diff.created(
            "organizations",
            NodeKind::Organization.audit_all(&organizations),
        );
        Ok(payload(c.finish(row, diff).await?))
    }

    /// Changes an expected result read at `version` (editors of the plan's organizations,
    /// admins); CONFLICT with the current version when it changed meanwhile.
    pub(crate) async fn update_expected_result(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateExpectedResultInput,
    ) -> ApiResult<ExpectedResultPayload> {
        let u = Updating::<expected_result::Entity>::start(ctx, &id, version).await?;
        let (w, current) = (&u.w, &u.current);
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
            let mut new = write::city_ids(w, cities, "cities").await?;
            new.sort_unstable();
            let old = cities_of(w, current.id).await?;
            if old != new {
                expected_result_city::Entity::delete_many()
                    .filter(expected_result_city::Column::ExpectedResultId.eq(current.id))
                    .exec(&w.txn)
                    .await?;
                set_cities(w, current.id, &new).await?;
                let audit = |ids: &[i64]| NodeKind::City.audit_all(ids);
                diff.field("cities", audit(&old), audit(&new));
            }
        }
        if let Some(wanted) = input.position {
            let this = expected_result::Column::Id.eq(current.id);
            let (list, at) = (list(current.plan_id), current.position);
            if let Some(to) = list.move_row(&w.txn, this, at, wanted, "position").await? {
                row.position = Set(to);
            }
        }
        Ok(payload(u.finish(row, diff, None).await?))
    }

    /// Deletes an expected result read at `version` (editors of the plan's organizations,
    /// admins); the later results move up by one, and MoUs that fulfilled it keep their place in
    /// the plan without it.
    pub(crate) async fn delete_expected_result(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> ApiResult<DeletePayload> {
        write::delete::<expected_result::Entity>(ctx, &id, version).await
    }
}

fn payload(row: expected_result::Model) -> ExpectedResultPayload {
    ExpectedResultPayload {
        expected_result: ExpectedResult(row),
    }
}

/// The audited fields of an expected result.
const FIELDS: &Fields<expected_result::Model> = &[
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
