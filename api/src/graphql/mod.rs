//! The GraphQL schema: one module per domain object, merged here.

mod activity;
mod audit;
mod change;
mod city;
mod cost;
mod country;
mod data_issue;
mod date;
pub mod document;
mod enums;
mod expected_result;
mod filter;
pub use crate::ids;
pub mod loader;
mod mou;
mod node;
mod organization;
pub mod pagination;
mod persisted;
mod plan;
mod position;
mod sdg;
mod search;
mod statement;
mod stats;
mod theme;
mod token;
pub(crate) mod transaction;
pub mod webhook;
mod write;

/// The row writers the importer shares with the mutations, so that an import and the same plan
/// made through `createPlan` end as the same rows: versioned rows, cities of named places,
/// organizations by name.
pub mod store {
    pub use super::city::place::place as city;
    pub use super::organization::named::{guess_kind as organization_kind, organization};
    pub use super::write::{Rows, Tally};
}

use async_graphql::{Context, MergedObject, Schema};

pub use change::SubscriptionRoot;
use sea_orm::DatabaseConnection;

use crate::settings::{Environment, Settings};

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
    token::TokenQuery,
    audit::AuditQuery,
    change::ChangeQuery,
    persisted::PersistedQuery,
    webhook::WebhookQuery,
);

/// The root mutation: every module's mutations.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    organization::OrganizationMutation,
    organization::OrganizationMergeMutation,
    organization::ParticipantMutation,
    token::TokenMutation,
    activity::ActivityMutation,
    mou::MouMutation,
    plan::PlanMutation,
    plan::PlanLinkMutation,
    theme::ThemeMutation,
    statement::StatementMutation,
    expected_result::ExpectedResultMutation,
    city::CityMutation,
    city::CityMergeMutation,
    persisted::PersistedMutation,
    webhook::WebhookMutation,
    transaction::TransactionMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema without data, for printing the SDL.
pub fn schema_builder() -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
}

/// The schemas serving requests against `db`, with the query limits of `settings`. The caller, its
/// scope and its loaders are added to each request at the edge.
pub fn build_schemas(
    db: DatabaseConnection,
    tokens: crate::auth::tokens::Tokens,
    documents: crate::persisted::Documents,
    live: crate::live::Live,
    settings: &Settings,
) -> Schemas {
    let limits = settings.query_limits();
    // Shared by both schemas: one cache, one write gate per instance.
    let stats = stats::StatsCache::new(10_000);
    let gate = write::WriteGate::default();
    let build = |open: bool| {
        let builder = schema_builder()
            .data(live.clone())
            .data(stats.clone())
            .data(tokens.clone())
            .data(documents.clone())
            .data(gate.clone())
            .data(db.clone())
            .data(crate::webhook::target::AllowedHosts::new(
                &settings.webhook_allowed_hosts,
            ))
            .limit_depth(limits.max_depth)
            .limit_complexity(limits.max_complexity)
            .limit_recursive_depth(limits.max_nesting)
            .limit_directives(limits.max_directives)
            .extension(document::QueryLimitsGuard(limits))
            .extension(crate::throttle::CostBudget);
        if open {
            builder.finish()
        } else {
            builder
                .disable_introspection()
                .disable_suggestions()
                .finish()
        }
    };
    let admin = build(true);
    let public = match settings.env {
        Environment::Development => admin.clone(),
        Environment::Production => build(false),
    };
    Schemas { public, admin }
}

/// The schema for everyone and the one for admins. In production only admins may introspect the
/// schema or be told "Did you mean …?" (async-graphql switches both per schema, not per request);
/// in development both are the same schema.
#[derive(Clone)]
pub struct Schemas {
    pub public: AppSchema,
    pub admin: AppSchema,
}

impl Schemas {
    /// The admins' schema for a caller who may inspect the schema (see
    /// `Viewer::may_inspect_schema`), the public one otherwise.
    pub fn get(&self, may_inspect: bool) -> &AppSchema {
        if may_inspect {
            &self.admin
        } else {
            &self.public
        }
    }
}

/// The schema's SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

/// The database pool of the request.
fn db<'a>(ctx: &Context<'a>) -> crate::error::ApiResult<&'a DatabaseConnection> {
    Ok(ctx.data::<DatabaseConnection>()?)
}

/// What the request's caller may read (set per request at the edge).
fn scope<'a>(ctx: &Context<'a>) -> crate::error::ApiResult<&'a crate::auth::Scope> {
    Ok(ctx.data::<crate::auth::Scope>()?)
}

/// The rows of `E` the request's caller may read: every root list starts here.
fn readable<E: crate::auth::policy::Guarded>(
    ctx: &Context<'_>,
) -> crate::error::ApiResult<sea_orm::Select<E>> {
    use sea_orm::QueryFilter;
    Ok(E::find().filter(E::readable(scope(ctx)?)))
}

/// Who is writing, for the audit log; anonymous callers never reach a write (guards run first).
fn actor(ctx: &Context<'_>) -> crate::error::ApiResult<crate::audit::Actor> {
    ctx.data::<crate::auth::Viewer>()?
        .actor()
        .ok_or(crate::error::ApiError::Unauthenticated)
}
