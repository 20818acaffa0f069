//! Code lists: the UN Sustainable Development Goals with their targets, and the EU Urban Agenda
//! partnerships; and the loaders linking plans to them.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::db;
use super::loader::{DbLoader, LoadError, Loaders, children, has_many, many_to_many};
use crate::error::ApiResult;
use entity::{plan_sdg_goal, plan_sdg_target, sdg_goal, sdg_target, urban_agenda_partnership};

has_many!(
    /// Key: the targets of an SDG goal.
    TargetsOfGoal => sdg_target, GoalNumber, Position
);
has_many!(
    /// Key: the aliases of an Urban Agenda partnership.
    AliasesOfPartnership => urban_agenda_alias, PartnershipId, Id
);
many_to_many!(
    /// Key: the Urban Agenda partnerships a plan relates to.
    PartnershipsOfPlan => plan_urban_agenda (PlanId, PartnershipId, PartnershipId) => urban_agenda_partnership
);

/// One of the 17 Sustainable Development Goals.
#[derive(Clone)]
pub struct SdgGoal(pub sdg_goal::Model);

/// One of the 17 Sustainable Development Goals.
#[Object]
impl SdgGoal {
    /// Goal number, 1 to 17.
    async fn number(&self) -> i16 {
        self.0.number
    }
    /// Short title ("Industry, Innovation and Infrastructure").
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The goal's targets ("9.1" … "9.c").
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn targets(&self, ctx: &Context<'_>) -> ApiResult<Vec<SdgTarget>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(TargetsOfGoal(i64::from(self.0.number)))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(SdgTarget).collect())
    }
}

/// An SDG target, coded `goal.number` or `goal.letter` ("11.a").
#[derive(Clone)]
pub struct SdgTarget(pub sdg_target::Model);

/// An SDG target, coded `goal.number` or `goal.letter` ("11.a").
#[Object]
impl SdgTarget {
    /// Target code ("11.a", "17.19").
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Number of the goal the target belongs to.
    async fn goal_number(&self) -> i16 {
        self.0.goal_number
    }
}

/// An EU Urban Agenda partnership ("Energy Transition").
#[derive(Clone)]
pub struct UrbanAgendaPartnership(pub urban_agenda_partnership::Model);

/// An EU Urban Agenda partnership ("Energy Transition").
#[Object]
impl UrbanAgendaPartnership {
    /// Stable key ("energy-transition").
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Name ("Energy Transition").
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Year the partnership was launched.
    async fn launched_year(&self) -> i16 {
        self.0.launched_year
    }
    /// Other names that sources use for it.
    async fn aliases(&self, ctx: &Context<'_>) -> ApiResult<Vec<String>> {
        let rows = ctx
            .data::<Loaders>()?
            .load_one(AliasesOfPartnership(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(|a| a.alias).collect())
    }
}

/// Key: the SDG goals a plan relates to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SdgGoalsOfPlan(pub i64);

impl Loader<SdgGoalsOfPlan> for DbLoader {
    type Value = Vec<sdg_goal::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[SdgGoalsOfPlan],
    ) -> Result<HashMap<SdgGoalsOfPlan, Self::Value>, Self::Error> {
        let links = children::<plan_sdg_goal::Entity, _>(
            &self.db,
            &self.scope,
            plan_sdg_goal::Column::PlanId,
            plan_sdg_goal::Column::GoalNumber,
            keys,
            |k| k.0,
        )
        .await?;
        let goals: HashMap<i16, sdg_goal::Model> = sdg_goal::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|g| (g.number, g))
            .collect();
        Ok(links
            .into_iter()
            .map(|(k, ls)| {
                (
                    k,
                    ls.iter()
                        .filter_map(|l| goals.get(&l.goal_number).cloned())
                        .collect(),
                )
            })
            .collect())
    }
}

/// Key: the SDG targets a plan relates to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SdgTargetsOfPlan(pub i64);

impl Loader<SdgTargetsOfPlan> for DbLoader {
    type Value = Vec<sdg_target::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[SdgTargetsOfPlan],
    ) -> Result<HashMap<SdgTargetsOfPlan, Self::Value>, Self::Error> {
        let links = children::<plan_sdg_target::Entity, _>(
            &self.db,
            &self.scope,
            plan_sdg_target::Column::PlanId,
            plan_sdg_target::Column::TargetCode,
            keys,
            |k| k.0,
        )
        .await?;
        let codes: Vec<String> = links
            .values()
            .flatten()
            .map(|l| l.target_code.clone())
            .collect();
        let targets: HashMap<String, sdg_target::Model> = sdg_target::Entity::find()
            .filter(sdg_target::Column::Code.is_in(codes))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| (t.code.clone(), t))
            .collect();
        Ok(links
            .into_iter()
            .map(|(k, ls)| {
                (
                    k,
                    ls.iter()
                        .filter_map(|l| targets.get(&l.target_code).cloned())
                        .collect(),
                )
            })
            .collect())
    }
}

#[derive(Default)]
pub struct SdgQuery;

#[Object]
impl SdgQuery {
    /// The 17 Sustainable Development Goals, in order.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn sdg_goals(&self, ctx: &Context<'_>) -> ApiResult<Vec<SdgGoal>> {
        let rows = sdg_goal::Entity::find()
            .order_by_asc(sdg_goal::Column::Number)
            .all(db(ctx)?)
            .await?;
        Ok(rows.into_iter().map(SdgGoal).collect())
    }

    /// The EU Urban Agenda partnerships, in order of launch.
    #[graphql(complexity = "crate::graphql::cost::list(child_complexity)")]
    async fn urban_agenda_partnerships(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<UrbanAgendaPartnership>> {
        let rows = urban_agenda_partnership::Entity::find()
            .order_by_asc(urban_agenda_partnership::Column::LaunchedYear)
            .order_by_asc(urban_agenda_partnership::Column::Id)
            .all(db(ctx)?)
            .await?;
        Ok(rows.into_iter().map(UrbanAgendaPartnership).collect())
    }
}
