//! A plan created with its parts in one call (`createPlan` with `themes`, `statements`, …): the
//! plan and every part are written by the same mutations that write them one by one (same
//! checks, audit and change-feed entries), joined in one [`Batch`], so nothing is written when
//! any part fails, and the error names the part (`themes[2].title`).

use async_graphql::{Context, ID, InputObject};

use crate::error::{ApiError, ApiResult};
use crate::graphql::activity::{ActivityMutation, PlanActivityInput};
use crate::graphql::expected_result::{ExpectedResultMutation, PlanExpectedResultInput};
use crate::graphql::mou::{MouMutation, PlanMouInput};
use crate::graphql::organization::{NewParticipantInput, ParticipantMutation};
use crate::graphql::statement::{PlanStatementInput, StatementMutation};
use crate::graphql::theme::{PlanThemeInput, ThemeMutation};

use super::links::PlanLinkMutation;

/// Items one list of a new plan takes at most.
pub const MAX_ITEMS: usize = 200;

/// An SDG goal of a new plan and, when given, one of its targets ("11.2").
#[derive(InputObject)]
pub struct PlanSdgInput {
    goal: i32,
    target: Option<String>,
}

/// What a new plan holds from its creation; each list in its order.
#[derive(InputObject, Default)]
pub struct PlanPartsInput {
    /// Cooperation themes.
    pub themes: Option<Vec<PlanThemeInput>>,
    /// Focus, challenge and objective statements.
    pub statements: Option<Vec<PlanStatementInput>>,
    /// Partner cities, by ID.
    pub partner_cities: Option<Vec<ID>>,
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
}

impl PlanPartsInput {
    pub fn is_empty(&self) -> bool {
        let lens = [
            self.themes.as_ref().map(Vec::len),
            self.statements.as_ref().map(Vec::len),
            self.partner_cities.as_ref().map(Vec::len),
            self.sdgs.as_ref().map(Vec::len),
            self.urban_agenda_partnerships.as_ref().map(Vec::len),
            self.participants.as_ref().map(Vec::len),
            self.expected_results.as_ref().map(Vec::len),
            self.activities.as_ref().map(Vec::len),
            self.mous.as_ref().map(Vec::len),
        ];
        lens.into_iter().all(|n| n.unwrap_or(0) == 0)
    }

    /// Refuses a list over [`MAX_ITEMS`] before anything is written.
    pub fn check(&self) -> ApiResult<()> {
        let lens = [
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
        ];
        match lens.into_iter().find(|(_, n)| n.unwrap_or(0) > MAX_ITEMS) {
            Some((field, _)) => Err(ApiError::invalid(
                field,
                format!("at most {MAX_ITEMS} items in one call"),
            )),
            None => Ok(()),
        }
    }

    /// Writes every part into plan `plan`, in the order of the input's fields and of each list.
    pub async fn write(self, ctx: &Context<'_>, plan: &ID) -> ApiResult<()> {
        let links = PlanLinkMutation;
        for (i, theme) in self.themes.into_iter().flatten().enumerate() {
            let input = theme.in_plan(plan.clone());
            ThemeMutation
                .create_theme(ctx, input)
                .await?
                .map_err(|e| e.in_item("themes", i))?;
        }
        for (i, statement) in self.statements.into_iter().flatten().enumerate() {
            let input = statement.in_plan(plan.clone());
            StatementMutation
                .create_statement(ctx, input)
                .await?
                .map_err(|e| e.in_item("statements", i))?;
        }
        for (i, city) in self.partner_cities.into_iter().flatten().enumerate() {
            links
                .add_partner_city(ctx, plan.clone(), city)
                .await?
                .map_err(|e| e.in_item("partnerCities", i))?;
        }
        for (i, sdg) in self.sdgs.into_iter().flatten().enumerate() {
            links
                .link_plan_sdg(ctx, plan.clone(), sdg.goal, sdg.target)
                .await?
                .map_err(|e| e.in_item("sdgs", i))?;
        }
        for (i, name) in self
            .urban_agenda_partnerships
            .into_iter()
            .flatten()
            .enumerate()
        {
            links
                .link_plan_urban_agenda_partnership(ctx, plan.clone(), name)
                .await?
                .map_err(|e| e.in_item("urbanAgendaPartnerships", i))?;
        }
        for (i, participant) in self.participants.into_iter().flatten().enumerate() {
            let input = participant.in_plan(plan.clone());
            ParticipantMutation
                .add_plan_participant(ctx, input)
                .await?
                .map_err(|e| e.in_item("participants", i))?;
        }
        for (i, result) in self.expected_results.into_iter().flatten().enumerate() {
            let input = result.in_plan(plan.clone());
            ExpectedResultMutation
                .create_expected_result(ctx, input)
                .await?
                .map_err(|e| e.in_item("expectedResults", i))?;
        }
        for (i, activity) in self.activities.into_iter().flatten().enumerate() {
            let written = match activity {
                PlanActivityInput::New(new) => {
                    let input = new.in_plan(plan.clone());
                    ActivityMutation.create_activity(ctx, input).await?
                }
                PlanActivityInput::Existing(id) => {
                    ActivityMutation
                        .link_activity(ctx, id, plan.clone(), None)
                        .await?
                }
            };
            written.map_err(|e| e.in_item("activities", i))?;
        }
        for (i, mou) in self.mous.into_iter().flatten().enumerate() {
            let written = match mou {
                PlanMouInput::New(new) => {
                    let input = new.in_plan(plan.clone());
                    MouMutation.create_mou(ctx, input).await?.map(|_| ())
                }
                PlanMouInput::Existing(id) => MouMutation
                    .link_mou(ctx, id, plan.clone(), None)
                    .await?
                    .map(|_| ()),
            };
            written.map_err(|e| e.in_item("mous", i))?;
        }
        Ok(())
    }
}
