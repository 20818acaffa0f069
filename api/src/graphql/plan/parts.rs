//! A plan created with its parts in one call (`createPlan` with `themes`, `statements`, …): the
//! plan and every part are written by the same mutations that write them one by one (same
//! checks, audit and change-feed entries), joined in one [`Batch`], so nothing is written when
//! any part fails, and the error names the part (`themes[2].title`).

use async_graphql::{Context, ID, InputObject};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::auth::Permission;
use crate::error::{ApiError, ApiResult};
use crate::graphql::activity::{ActivityMutation, PlanActivityInput};
use crate::graphql::city::place::CityRefInput;
use crate::graphql::expected_result::{ExpectedResultMutation, PlanExpectedResultInput};
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::mou::{MouMutation, PlanMouInput};
use crate::graphql::organization::{NewParticipantInput, ParticipantMutation};
use crate::graphql::statement::{PlanStatementInput, StatementMutation};
use crate::graphql::theme::{PlanThemeInput, ThemeMutation};
use crate::graphql::transaction::{
    UpdateExpectedResultOperation, UpdateStatementOperation, UpdateThemeOperation,
};
use crate::graphql::write::{Refs, Write};
use entity::plan_partner_city;

use super::links::PlanLinkMutation;

/// Items one list of a new plan takes at most.
pub const MAX_ITEMS: usize = 200;

/// An SDG goal of a new plan and, when given, one of its targets ("11.2").
#[derive(InputObject)]
pub struct PlanSdgInput {
    /// The goal, 1–17.
    goal: i32,
    /// One of that goal's targets ("11.2").
    target: Option<String>,
}

/// A contact mailbox of a new plan.
#[derive(InputObject)]
pub struct PlanContactInput {
    /// The mailbox.
    email: String,
    /// What it is for ("U-CAP team"), up to 200 characters.
    label: Option<String>,
}

/// What a new plan holds from its creation; each list in its order. Cities and organizations are
/// given by ID or by name (found as the importer finds them, else made: admins only).
#[derive(InputObject, Default)]
pub struct PlanPartsInput {
    /// Cooperation themes.
    pub themes: Option<Vec<PlanThemeInput>>,
    /// Focus, challenge and objective statements.
    pub statements: Option<Vec<PlanStatementInput>>,
    /// Partner cities, by ID or by name.
    pub partner_cities: Option<Vec<CityRefInput>>,
    /// SDG goals and targets.
    pub sdgs: Option<Vec<PlanSdgInput>>,
    /// EU Urban Agenda partnerships, by key ("energy-transition").
    pub urban_agenda_partnerships: Option<Vec<String>>,
    /// Organizations taking part, with their roles.
    pub participants: Option<Vec<NewParticipantInput>>,
    /// Expected results.
    pub expected_results: Option<Vec<PlanExpectedResultInput>>,
    /// Activities: new, or existing ones this plan reports too.
    pub activities: Option<Vec<PlanActivityInput>>,
    /// MoUs: new, or existing ones this plan reports too.
    pub mous: Option<Vec<PlanMouInput>>,
    /// Contact mailboxes (non-public).
    pub contacts: Option<Vec<PlanContactInput>>,
}

impl PlanPartsInput {
    /// Each list's input field and length (`None`: not given).
    fn sizes(&self) -> [(&'static str, Option<usize>); 10] {
        [
            ("themes", self.themes.as_ref().map(Vec::len)),
            ("statements", self.statements.as_ref().map(Vec::len)),
            ("partnerCities", self.partner_cities.as_ref().map(Vec::len)),
            ("sdgs", self.sdgs.as_ref().map(Vec::len)),
            (
                "urbanAgendaPartnerships",
                self.urban_agenda_partnerships.as_ref().map(Vec::len),
            ),
            ("participants", self.participants.as_ref().map(Vec::len)),
            (
                "expectedResults",
                self.expected_results.as_ref().map(Vec::len),
            ),
            ("activities", self.activities.as_ref().map(Vec::len)),
            ("mous", self.mous.as_ref().map(Vec::len)),
            ("contacts", self.contacts.as_ref().map(Vec::len)),
        ]
    }

    /// No part given (an empty list adds nothing either).
    pub fn is_empty(&self) -> bool {
        self.sizes().iter().all(|(_, n)| n.unwrap_or(0) == 0)
    }

    /// Refuses a list over [`MAX_ITEMS`] before anything is written.
    pub fn check(&self) -> ApiResult<()> {
        within_limit(&self.sizes())
    }

    /// Writes every part into plan `plan`, in the order of the input's fields and of each list.
    pub async fn write(self, ctx: &Context<'_>, plan: &ID) -> ApiResult<()> {
        let links = PlanLinkMutation;
        for (i, theme) in self.themes.into_iter().flatten().enumerate() {
            let input = theme.in_plan(plan.clone());
            Box::pin(ThemeMutation.create_theme(ctx, input))
                .await?
                .map_err(|e| e.in_item("themes", i))?;
        }
        for (i, statement) in self.statements.into_iter().flatten().enumerate() {
            let input = statement.in_plan(plan.clone());
            Box::pin(StatementMutation.create_statement(ctx, input))
                .await?
                .map_err(|e| e.in_item("statements", i))?;
        }
        for (i, city) in self.partner_cities.into_iter().flatten().enumerate() {
            let at = ("partnerCities", i);
            let city = named(ctx, at, async |refs| refs.one(city, "").await).await?;
            Box::pin(links.add_partner_city(ctx, plan.clone(), city))
                .await?
                .map_err(|e| e.in_item(at.0, i))?;
        }
        for (i, sdg) in self.sdgs.into_iter().flatten().enumerate() {
            Box::pin(links.link_plan_sdg(ctx, plan.clone(), sdg.goal, sdg.target))
                .await?
                .map_err(|e| e.in_item("sdgs", i))?;
        }
        for (i, name) in self
            .urban_agenda_partnerships
            .into_iter()
            .flatten()
            .enumerate()
        {
            Box::pin(links.link_plan_urban_agenda_partnership(ctx, plan.clone(), name))
                .await?
                .map_err(|e| e.in_item("urbanAgendaPartnerships", i))?;
        }
        for (i, participant) in self.participants.into_iter().flatten().enumerate() {
            let at = ("participants", i);
            let input = named(ctx, at, async |refs| {
                participant.in_plan(refs, plan.clone()).await
            })
            .await?;
            Box::pin(ParticipantMutation.add_plan_participant(ctx, input))
                .await?
                .map_err(|e| e.in_item(at.0, i))?;
        }
        let mut results = Vec::new();
        for (i, result) in self.expected_results.into_iter().flatten().enumerate() {
            let at = ("expectedResults", i);
            let input = named(ctx, at, async |refs| {
                result.in_plan(refs, plan.clone()).await
            })
            .await?;
            let made = Box::pin(ExpectedResultMutation.create_expected_result(ctx, input))
                .await?
                .map_err(|e| e.in_item(at.0, i))?;
            results.push(made.id());
        }
        for (i, activity) in self.activities.into_iter().flatten().enumerate() {
            let at = ("activities", i);
            let written = match activity {
                PlanActivityInput::New(new) => {
                    let input = named(ctx, at, async |refs| {
                        new.in_plan(refs, plan.clone())
                            .await
                            .map_err(|e| e.under("new"))
                    })
                    .await?;
                    Box::pin(ActivityMutation.create_activity(ctx, input)).await?
                }
                PlanActivityInput::Existing(id) => {
                    Box::pin(ActivityMutation.link_activity(ctx, id, plan.clone(), None)).await?
                }
            };
            written.map_err(|e| e.in_item(at.0, i))?;
        }
        for (i, mou) in self.mous.into_iter().flatten().enumerate() {
            let at = ("mous", i);
            let written = match mou {
                PlanMouInput::New(new) => {
                    let input = named(ctx, at, async |refs| {
                        let input = new.in_plan(refs, plan.clone(), &results).await;
                        input.map_err(|e| e.under("new"))
                    })
                    .await?;
                    Box::pin(MouMutation.create_mou(ctx, input))
                        .await?
                        .map(|_| ())
                }
                PlanMouInput::Existing(id) => {
                    Box::pin(MouMutation.link_mou(ctx, id, plan.clone(), None))
                        .await?
                        .map(|_| ())
                }
            };
            written.map_err(|e| e.in_item(at.0, i))?;
        }
        for (i, contact) in self.contacts.into_iter().flatten().enumerate() {
            Box::pin(links.add_plan_contact(ctx, plan.clone(), contact.email, contact.label))
                .await?
                .map_err(|e| e.in_item("contacts", i))?;
        }
        Ok(())
    }
}

/// Resolves the cities and organizations item `at` of a nested input names (`f` hands on the
/// item's input with their IDs), in a write of its own within the batch: the item's mutation
/// then starts the next one.
async fn named<T>(
    ctx: &Context<'_>,
    at: (&'static str, usize),
    f: impl AsyncFnOnce(&mut Refs) -> ApiResult<T>,
) -> ApiResult<T> {
    let mut refs = Refs::begin(ctx).await.map_err(|e| e.in_item(at.0, at.1))?;
    let input = Box::pin(f(&mut refs))
        .await
        .map_err(|e| e.in_item(at.0, at.1))?;
    refs.finish().await?;
    Ok(input)
}

/// Changes to a plan's ordered lists (`updatePlan`): a `replace…` list replaces the whole list,
/// in its order; an `update…` list changes items by ID at the version read. Each item is written
/// by its own mutation, in the plan's transaction with the plan's own fields.
#[derive(InputObject, Default)]
pub struct PlanListsInput {
    /// The plan's themes from now on, in this order.
    pub replace_themes: Option<Vec<PlanThemeInput>>,
    /// Changes to themes of the plan, by ID.
    pub update_themes: Option<Vec<UpdateThemeOperation>>,
    /// The plan's statements from now on (every kind), in this order per kind.
    pub replace_statements: Option<Vec<PlanStatementInput>>,
    /// Changes to statements of the plan, by ID.
    pub update_statements: Option<Vec<UpdateStatementOperation>>,
    /// The plan's expected results from now on, in this order.
    pub replace_expected_results: Option<Vec<PlanExpectedResultInput>>,
    /// Changes to expected results of the plan, by ID.
    pub update_expected_results: Option<Vec<UpdateExpectedResultOperation>>,
    /// The plan's partner cities from now on, in this order, by ID or by name.
    pub replace_partner_cities: Option<Vec<CityRefInput>>,
}

impl PlanListsInput {
    /// Each list's input field and length (`None`: not given).
    fn sizes(&self) -> [(&'static str, Option<usize>); 7] {
        [
            ("replaceThemes", self.replace_themes.as_ref().map(Vec::len)),
            ("updateThemes", self.update_themes.as_ref().map(Vec::len)),
            (
                "replaceStatements",
                self.replace_statements.as_ref().map(Vec::len),
            ),
            (
                "updateStatements",
                self.update_statements.as_ref().map(Vec::len),
            ),
            (
                "replaceExpectedResults",
                self.replace_expected_results.as_ref().map(Vec::len),
            ),
            (
                "updateExpectedResults",
                self.update_expected_results.as_ref().map(Vec::len),
            ),
            (
                "replacePartnerCities",
                self.replace_partner_cities.as_ref().map(Vec::len),
            ),
        ]
    }

    /// No list given (an empty `replace…` list empties that list, so it counts).
    pub fn is_empty(&self) -> bool {
        self.sizes().iter().all(|(_, n)| n.is_none())
    }

    /// Refuses a list over [`MAX_ITEMS`] before anything is written.
    pub fn check(&self) -> ApiResult<()> {
        within_limit(&self.sizes())
    }

    /// Applies the changes to plan `id` (`plan`, its global ID): patches first, then
    /// replacements (the old items deleted, the new ones created in order).
    pub async fn write(self, ctx: &Context<'_>, id: i64, plan: &ID) -> ApiResult<()> {
        for (i, o) in self.update_themes.into_iter().flatten().enumerate() {
            in_plan(
                ctx,
                NodeKind::Theme,
                "theme",
                &o.id,
                id,
                ("updateThemes", i),
            )
            .await?;
            Box::pin(ThemeMutation.update_theme(ctx, o.id, o.version, o.input))
                .await?
                .map_err(|e| e.in_item("updateThemes", i))?;
        }
        for (i, o) in self.update_statements.into_iter().flatten().enumerate() {
            in_plan(
                ctx,
                NodeKind::Statement,
                "statement",
                &o.id,
                id,
                ("updateStatements", i),
            )
            .await?;
            Box::pin(StatementMutation.update_statement(ctx, o.id, o.version, o.input))
                .await?
                .map_err(|e| e.in_item("updateStatements", i))?;
        }
        for (i, o) in self
            .update_expected_results
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = ("updateExpectedResults", i);
            in_plan(
                ctx,
                NodeKind::ExpectedResult,
                "expected_result",
                &o.id,
                id,
                at,
            )
            .await?;
            Box::pin(ExpectedResultMutation.update_expected_result(ctx, o.id, o.version, o.input))
                .await?
                .map_err(|e| e.in_item("updateExpectedResults", i))?;
        }
        if let Some(themes) = self.replace_themes {
            for (key, version) in parts_of(ctx, "theme", id, None).await? {
                let theme = NodeKind::Theme.id(key);
                Box::pin(ThemeMutation.delete_theme(ctx, theme, version)).await??;
            }
            for (i, theme) in themes.into_iter().enumerate() {
                Box::pin(ThemeMutation.create_theme(ctx, theme.in_plan(plan.clone())))
                    .await?
                    .map_err(|e| e.in_item("replaceThemes", i))?;
            }
        }
        if let Some(statements) = self.replace_statements {
            for (key, version) in parts_of(ctx, "statement", id, None).await? {
                let statement = NodeKind::Statement.id(key);
                Box::pin(StatementMutation.delete_statement(ctx, statement, version)).await??;
            }
            for (i, statement) in statements.into_iter().enumerate() {
                Box::pin(StatementMutation.create_statement(ctx, statement.in_plan(plan.clone())))
                    .await?
                    .map_err(|e| e.in_item("replaceStatements", i))?;
            }
        }
        if let Some(results) = self.replace_expected_results {
            for (key, version) in parts_of(ctx, "expected_result", id, None).await? {
                let result = NodeKind::ExpectedResult.id(key);
                Box::pin(ExpectedResultMutation.delete_expected_result(ctx, result, version))
                    .await??;
            }
            for (i, result) in results.into_iter().enumerate() {
                let at = ("replaceExpectedResults", i);
                let input = named(ctx, at, async |refs| {
                    result.in_plan(refs, plan.clone()).await
                })
                .await?;
                Box::pin(ExpectedResultMutation.create_expected_result(ctx, input))
                    .await?
                    .map_err(|e| e.in_item(at.0, i))?;
            }
        }
        if let Some(cities) = self.replace_partner_cities {
            let links = PlanLinkMutation;
            for city in partner_cities_of(ctx, id).await? {
                Box::pin(links.remove_partner_city(ctx, plan.clone(), NodeKind::City.id(city)))
                    .await??;
            }
            for (i, city) in cities.into_iter().enumerate() {
                let at = ("replacePartnerCities", i);
                let city = named(ctx, at, async |refs| refs.one(city, "").await).await?;
                Box::pin(links.add_partner_city(ctx, plan.clone(), city))
                    .await?
                    .map_err(|e| e.in_item(at.0, i))?;
            }
        }
        Ok(())
    }
}

/// BAD_USER_INPUT naming the first list over [`MAX_ITEMS`].
fn within_limit(sizes: &[(&'static str, Option<usize>)]) -> ApiResult<()> {
    match sizes.iter().find(|(_, n)| n.unwrap_or(0) > MAX_ITEMS) {
        Some((field, _)) => Err(ApiError::invalid(
            *field,
            format!("at most {MAX_ITEMS} items in one call"),
        )),
        None => Ok(()),
    }
}

/// The ids and versions of plan `plan`'s rows in `table` (themes, statements, expected results),
/// or only row `id` when given, read in the batch's transaction.
async fn parts_of(
    ctx: &Context<'_>,
    table: &'static str,
    plan: i64,
    id: Option<i64>,
) -> ApiResult<Vec<(i64, i32)>> {
    let w = Write::begin(ctx, Permission::Edit).await?;
    let mut select = Query::select()
        .columns([Alias::new("id"), Alias::new("version")])
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new("plan_id")).eq(plan))
        .to_owned();
    if let Some(id) = id {
        select.and_where(Expr::col(Alias::new("id")).eq(id));
    }
    let rows = w.txn.query_all(&select).await?;
    let parts = rows
        .iter()
        .map(|row| Ok((row.try_get("", "id")?, row.try_get("", "version")?)))
        .collect::<Result<Vec<(i64, i32)>, sea_orm::DbErr>>()?;
    w.commit(Vec::new()).await?;
    Ok(parts)
}

/// NOT_FOUND (as item `index` of `list`) unless `id` names a row of `table` in plan `plan`: an
/// update through `updatePlan` changes that plan's parts only.
async fn in_plan(
    ctx: &Context<'_>,
    kind: NodeKind,
    table: &'static str,
    id: &ID,
    plan: i64,
    (list, index): (&'static str, usize),
) -> ApiResult<()> {
    let key = decode_int(id, kind, "id").map_err(|e| e.in_item(list, index))?;
    if parts_of(ctx, table, plan, Some(key)).await?.is_empty() {
        return Err(ApiError::NotFound.in_item(list, index));
    }
    Ok(())
}

/// The partner cities of plan `plan`, read in the batch's transaction.
async fn partner_cities_of(ctx: &Context<'_>, plan: i64) -> ApiResult<Vec<i64>> {
    let w = Write::begin(ctx, Permission::Edit).await?;
    let cities = plan_partner_city::Entity::find()
        .filter(plan_partner_city::Column::PlanId.eq(plan))
        .select_only()
        .column(plan_partner_city::Column::CityId)
        .into_tuple()
        .all(&w.txn)
        .await?;
    w.commit(Vec::new()).await?;
    Ok(cities)
}
