//! The GraphQL schema: one module per domain object, merged here.

mod activity;
mod city;
mod country;
mod data_issue;
mod date;
mod enums;
mod expected_result;
mod filter;
pub mod ids;
pub mod loader;
mod mou;
mod node;
mod organization;
pub mod pagination;
mod plan;
mod sdg;
mod search;
mod statement;
mod stats;
mod theme;

use async_graphql::{Context, EmptyMutation, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

/// The root query: every module's queries.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    plan::PlanQuery,
    city::CityQuery,
    country::CountryQuery,
    organization::OrganizationQuery,
    activity::ActivityQuery,
    mou::MouQuery,
    expected_result::ExpectedResultQuery,
    theme::ThemeQuery,
    sdg::SdgQuery,
    search::SearchQuery,
    node::NodeQuery,
    stats::StatsQuery,
);

pub type AppSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// The schema without data, for printing the SDL.
pub fn schema_builder() -> async_graphql::SchemaBuilder<QueryRoot, EmptyMutation, EmptySubscription>
{
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
}

/// The schema serving requests against `db`.
pub fn build_schema(db: DatabaseConnection) -> AppSchema {
    schema_builder()
        .data(loader::new_loaders(db.clone()))
        .data(stats::StatsCache::new(10_000))
        .data(db)
        .finish()
}

/// The schema's SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

/// The database pool of the request.
fn db<'a>(ctx: &Context<'a>) -> crate::error::ApiResult<&'a DatabaseConnection> {
    Ok(ctx.data::<DatabaseConnection>()?)
}
