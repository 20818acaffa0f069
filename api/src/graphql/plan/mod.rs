//! Urban Cooperation Action Plans: the root records of the service.

mod filter;
mod links;
mod parts;
mod write;

pub use filter::{PlanFilter, PlanOrder};
pub use links::PlanLinkMutation;
pub use write::PlanMutation;

use async_graphql::{Context, ID, Object};
use sea_orm::QueryFilter;

use crate::error::{ApiError, ApiResult};
use crate::graphql::activity::{Activity, ActivityOrder, ActivityParent, activities_of};
use crate::graphql::city::{self, City};
use crate::graphql::data_issue::{DataIssue, IssuesOfPlan};
use crate::graphql::date::PartialDateObject;
use crate::graphql::enums::{ParticipantRole, PlanStatus};
use crate::graphql::expected_result::{ExpectedResult, ResultsOfPlan};
use crate::graphql::filter::condition;
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::loader::{Loaders, by_id, has_many, load_list, many_to_many};
use crate::graphql::mou::{Mou, MousOfPlan};
use crate::graphql::organization::{self, Organization};
use crate::graphql::pagination::{Conn, PageArgs, paginate};
use crate::graphql::sdg::{
    PartnershipsOfPlan, SdgGoal, SdgGoalsOfPlan, SdgTarget, SdgTargetsOfPlan,
    UrbanAgendaPartnership,
};
use crate::graphql::statement::{Statement, StatementsOfPlan};
use crate::graphql::theme::{Theme, ThemesOfPlan};
use crate::graphql::{db, readable, scope};
use entity::enums::StatementKind;
use entity::plan;

by_id!(
    /// Key: a plan id.
    PlanById => plan
);
many_to_many!(
    /// Key: the partner cities of a plan, in published order.
    PartnersOfPlan => plan_partner_city (PlanId, CityId, Position) => city
);
has_many!(
    /// Key: the contacts of a plan.
    ContactsOfPlan => contact, PlanId, Id
);
has_many!(
    /// Key: the organizations taking part in a plan.
    ParticipantsOfPlan => plan_participant, PlanId, OrganizationId
);

/// An organization's part in a plan.
#[derive(async_graphql::SimpleObject)]
pub struct Participant {
    /// The organization.
    organization: Organization,
    /// How it takes part.
    role: ParticipantRole,
}

/// An Urban Cooperation Action Plan: a focal city and its partner cities, their themes, activities,
/// expected results and MoUs.
#[derive(Clone)]
pub struct Plan(pub plan::Model);

impl Plan {
    async fn statements(
        &self,
        ctx: &Context<'_>,
        kind: StatementKind,
    ) -> ApiResult<Vec<Statement>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(StatementsOfPlan(self.0.id))
            .await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.kind == kind)
            .map(Statement::from)
            .collect())
    }
}

/// An Urban Cooperation Action Plan: a focal city and its partner cities, their themes, activities,
/// expected results and MoUs.
#[Object]
impl Plan {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        NodeKind::Plan.id(self.0.id)
    }
    /// Stable human-readable key ("guangzhou-cn").
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Title ("U-CAP Guangzhou").
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Publication state.
    async fn status(&self) -> PlanStatus {
        self.0.status.into()
    }
    /// The Asian or American city whose plan this is.
    async fn focal_city(&self, ctx: &Context<'_>) -> ApiResult<Option<City>> {
        city::load(ctx, self.0.focal_city_id).await
    }
    /// European partner cities, in published order.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn partner_cities(&self, ctx: &Context<'_>) -> ApiResult<Vec<City>> {
        load_list(ctx, PartnersOfPlan(self.0.id), City).await
    }
    /// Start of the cooperation ("May 2017", month precision).
    async fn period(&self) -> Option<PartialDateObject> {
        PartialDateObject::from_columns(
            self.0.period_text.as_deref(),
            self.0.period_precision,
            self.0.period_start,
            self.0.period_end,
        )
    }
    /// Free-text context of the period ("as a follow-up to …").
    async fn period_context(&self) -> Option<&str> {
        self.0.period_context.as_deref()
    }
    /// Cooperation themes, in order.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn themes(&self, ctx: &Context<'_>) -> ApiResult<Vec<Theme>> {
        load_list(ctx, ThemesOfPlan(self.0.id), Theme).await
    }
    /// Sustainable Development Goals the plan relates to.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn sdg_goals(&self, ctx: &Context<'_>) -> ApiResult<Vec<SdgGoal>> {
        load_list(ctx, SdgGoalsOfPlan(self.0.id), SdgGoal).await
    }
    /// SDG targets the plan relates to ("11.a").
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn sdg_targets(&self, ctx: &Context<'_>) -> ApiResult<Vec<SdgTarget>> {
        load_list(ctx, SdgTargetsOfPlan(self.0.id), SdgTarget).await
    }
    /// EU Urban Agenda partnerships the plan relates to.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn urban_agenda_partnerships(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<UrbanAgendaPartnership>> {
        load_list(ctx, PartnershipsOfPlan(self.0.id), UrbanAgendaPartnership).await
    }
    /// Key focus areas of the themes, in order.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn focus_areas(&self, ctx: &Context<'_>) -> ApiResult<Vec<Statement>> {
        self.statements(ctx, StatementKind::Focus).await
    }
    /// Key challenges, one line each ("Title: text" where titled).
    async fn challenges(&self, ctx: &Context<'_>) -> ApiResult<Vec<String>> {
        Ok(self
            .statements(ctx, StatementKind::Challenge)
            .await?
            .iter()
            .map(Statement::line)
            .collect())
    }
    /// Key challenges as structured statements.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn challenge_statements(&self, ctx: &Context<'_>) -> ApiResult<Vec<Statement>> {
        self.statements(ctx, StatementKind::Challenge).await
    }
    /// Main objectives, one line each.
    async fn objectives(&self, ctx: &Context<'_>) -> ApiResult<Vec<String>> {
        Ok(self
            .statements(ctx, StatementKind::Objective)
            .await?
            .iter()
            .map(Statement::line)
            .collect())
    }
    /// Main objectives as structured statements.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn objective_statements(&self, ctx: &Context<'_>) -> ApiResult<Vec<Statement>> {
        self.statements(ctx, StatementKind::Objective).await
    }
    /// Activities and outputs of the plan, paginated (earliest first unless `orderBy` says otherwise).
    #[graphql(complexity = "crate::graphql::cost::page(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        order_by: Option<ActivityOrder>,
    ) -> ApiResult<Conn<Activity>> {
        let args = PageArgs::new(first, after, last, before);
        activities_of(
            ctx,
            ActivityParent::Plan(self.0.id),
            &args,
            order_by.unwrap_or_default(),
        )
        .await
    }
    /// Expected results and benefits, in order.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn expected_results(&self, ctx: &Context<'_>) -> ApiResult<Vec<ExpectedResult>> {
        load_list(ctx, ResultsOfPlan(self.0.id), ExpectedResult).await
    }
    /// Memoranda of understanding the plan lists.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn mous(&self, ctx: &Context<'_>) -> ApiResult<Vec<Mou>> {
        load_list(ctx, MousOfPlan(self.0.id), Mou).await
    }
    /// The plan's functional contact mailbox.
    async fn contact_email(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(ContactsOfPlan(self.0.id))
            .await?;
        Ok(rows.unwrap_or_default().into_iter().next().map(|c| c.email))
    }
    /// Internal note of the plan's organizations (null unless the caller's organization takes part).
    async fn internal_note(&self, ctx: &Context<'_>) -> ApiResult<Option<&str>> {
        Ok(scope(ctx)?.private(self.0.internal_note.as_deref(), [self.0.id]))
    }
    /// Organizations taking part in the plan, with their roles.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn participants(&self, ctx: &Context<'_>) -> ApiResult<Vec<Participant>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(ParticipantsOfPlan(self.0.id))
            .await?
            .unwrap_or_default();
        let organizations =
            organization::load_many(ctx, rows.iter().map(|r| r.organization_id)).await?;
        Ok(rows
            .into_iter()
            .zip(organizations)
            .filter_map(|(row, organization)| {
                organization.map(|organization| Participant {
                    organization,
                    role: row.role.into(),
                })
            })
            .collect())
    }
    /// Data-quality findings about the plan's published values.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn data_issues(&self, ctx: &Context<'_>) -> ApiResult<Vec<DataIssue>> {
        load_list(ctx, IssuesOfPlan(self.0.id), DataIssue).await
    }
    /// When the record was created.
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    /// When the record last changed.
    async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.updated_at
    }
    /// Optimistic-concurrency version.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Loads a plan by id through the request's loader.
pub async fn load(ctx: &Context<'_>, id: i64) -> ApiResult<Option<Plan>> {
    Ok(ctx
        .data::<Loaders>()?
        .load_one(PlanById(id))
        .await?
        .map(Plan))
}

#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// Plans matching `filter`, in `orderBy` order.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::cost::page(first, last, child_complexity)")]
    async fn plans(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<PlanFilter>,
        order_by: Option<PlanOrder>,
    ) -> ApiResult<Conn<Plan>> {
        let args = PageArgs::new(first, after, last, before);
        let mut select = readable::<plan::Entity>(ctx)?;
        if let Some(filter) = &filter {
            select = select.filter(condition(filter)?);
        }
        paginate(db(ctx)?, select, order_by.unwrap_or_default(), &args, Plan).await
    }

    /// One plan by ID.
    async fn plan(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Plan> {
        let id = decode_int(&id, NodeKind::Plan, "id")?;
        load(ctx, id).await?.ok_or(ApiError::NotFound)
    }
}
