//! Expected results of a plan: MoUs, joint projects, virtual labs, clusters, R&D centres …

mod write;

pub use write::{
    CreateExpectedResultInput, ExpectedResultMutation, ExpectedResultPayload,
    PlanExpectedResultInput, UpdateExpectedResultInput,
};

use async_graphql::{Context, ID, Object};

use super::city::City;
use super::enums::ResultKind;
use super::ids::NodeKind;
use super::loader::{by_id, has_many, load_list, many_to_many};
use super::organization::Organization;
use super::pagination::{ById, Conn, PageArgs, paginate};
use super::{db, plan, readable};
use crate::error::ApiResult;
use entity::expected_result;

by_id!(
    /// Key: a record id.
    ExpectedResultById => expected_result
);
has_many!(
    /// Key: the expected results of a plan.
    ResultsOfPlan => expected_result, PlanId, Position
);
many_to_many!(
    /// Key: the cities an expected result names.
    CitiesOfResult => expected_result_city (ExpectedResultId, CityId, CityId) => city
);
many_to_many!(
    /// Key: the organizations an expected result names.
    OrganizationsOfResult => expected_result_organization (ExpectedResultId, OrganizationId, OrganizationId) => organization
);

/// An outcome the plan expects.
#[derive(Clone)]
pub struct ExpectedResult(pub expected_result::Model);

/// An outcome the plan expects.
#[Object]
impl ExpectedResult {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        NodeKind::ExpectedResult.id(self.0.id)
    }
    /// 1-based position in the plan's list.
    async fn position(&self) -> i16 {
        self.0.position
    }
    /// Kind of outcome.
    async fn kind(&self) -> ResultKind {
        self.0.kind.into()
    }
    /// The published text.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Cities the result names.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn cities(&self, ctx: &Context<'_>) -> ApiResult<Vec<City>> {
        load_list(ctx, CitiesOfResult(self.0.id), City).await
    }
    /// Organizations the result names.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn organizations(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organization>> {
        load_list(ctx, OrganizationsOfResult(self.0.id), Organization).await
    }
    /// The plan that expects it.
    async fn plan(&self, ctx: &Context<'_>) -> ApiResult<Option<plan::Plan>> {
        plan::load(ctx, self.0.plan_id).await
    }
    /// Optimistic-concurrency version.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(Default)]
pub struct ExpectedResultQuery;

#[Object]
impl ExpectedResultQuery {
    /// Expected results of all plans.
    #[graphql(complexity = "crate::graphql::cost::page(first, last, child_complexity)")]
    async fn expected_results(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<ExpectedResult>> {
        let args = PageArgs::new(first, after, last, before);
        let select = readable::<expected_result::Entity>(ctx)?;
        paginate(db(ctx)?, select, ById, &args, ExpectedResult).await
    }
}
