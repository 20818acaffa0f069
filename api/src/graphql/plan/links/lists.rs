//! The link lists of a plan as the link writes read them (for their checks and for the
//! before/after of the audit diff), and the checks of what an input names.

use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::NodeKind;
use crate::graphql::position::List;
use crate::graphql::write::Write;
use entity::{
    contact, plan_partner_city, plan_sdg_goal, plan_sdg_target, plan_urban_agenda, sdg_goal,
    sdg_target, urban_agenda_partnership,
};

/// A plan's contacts as (email, label), in order.
pub(super) async fn contacts(w: &Write, plan_id: i64) -> ApiResult<Vec<(String, Option<String>)>> {
    Ok(contact::Entity::find()
        .filter(contact::Column::PlanId.eq(plan_id))
        .order_by_asc(contact::Column::Id)
        .all(&w.txn)
        .await?
        .into_iter()
        .map(|c| (c.email, c.label))
        .collect())
}

/// The link lists of a plan, each a field of the plan's entry in the audit log and the feed.
#[derive(Clone, Copy)]
pub(super) enum Links {
    Sdg,
    UrbanAgenda,
    PartnerCities,
    Contacts,
}

impl Links {
    /// The lists as they are now, by field name.
    pub(super) async fn snapshot(
        self,
        w: &Write,
        plan: i64,
    ) -> ApiResult<Vec<(&'static str, Value)>> {
        Ok(match self {
            Self::Sdg => vec![
                ("sdgGoals", json(sdg_goals(w, plan).await?)),
                ("sdgTargets", json(sdg_targets(w, plan).await?)),
            ],
            Self::UrbanAgenda => vec![(
                "urbanAgendaPartnerships",
                json(partnerships(w, plan).await?),
            )],
            Self::PartnerCities => vec![(
                "partnerCities",
                NodeKind::City.audit_all(&partner_cities(w, plan).await?),
            )],
            Self::Contacts => vec![("contacts", json(contacts(w, plan).await?))],
        })
    }
}

pub(super) fn json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

pub(super) async fn checked_goal(w: &Write, goal: i32) -> ApiResult<i16> {
    let bad = || ApiError::invalid("goal", "there are 17 SDGs, numbered 1 to 17");
    let number = i16::try_from(goal).map_err(|_| bad())?;
    sdg_goal::Entity::find_by_id(number)
        .one(&w.txn)
        .await?
        .map(|g| g.number)
        .ok_or_else(bad)
}

/// A target code of goal `goal` ("11.2", "11.a").
pub(super) async fn checked_target(w: &Write, code: &str, goal: i16) -> ApiResult<String> {
    let code = code.trim().to_ascii_lowercase();
    let target = sdg_target::Entity::find_by_id(code.clone())
        .one(&w.txn)
        .await?
        .ok_or_else(|| ApiError::invalid("target", format!("there is no SDG target \"{code}\"")))?;
    if target.goal_number != goal {
        return Err(ApiError::invalid(
            "target",
            format!(
                "target {code} belongs to goal {}, not to goal {goal}",
                target.goal_number
            ),
        ));
    }
    Ok(target.code)
}

pub(super) async fn sdg_goals(w: &Write, plan_id: i64) -> ApiResult<Vec<i16>> {
    Ok(plan_sdg_goal::Entity::find()
        .filter(plan_sdg_goal::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_sdg_goal::Column::GoalNumber)
        .select_only()
        .column(plan_sdg_goal::Column::GoalNumber)
        .into_tuple()
        .all(&w.txn)
        .await?)
}

pub(super) async fn sdg_targets(w: &Write, plan_id: i64) -> ApiResult<Vec<String>> {
    Ok(plan_sdg_target::Entity::find()
        .filter(plan_sdg_target::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_sdg_target::Column::TargetCode)
        .select_only()
        .column(plan_sdg_target::Column::TargetCode)
        .into_tuple()
        .all(&w.txn)
        .await?)
}

pub(super) async fn checked_partnership(
    w: &Write,
    key: &str,
) -> ApiResult<urban_agenda_partnership::Model> {
    let key = key.trim();
    urban_agenda_partnership::Entity::find()
        .filter(urban_agenda_partnership::Column::Key.eq(key))
        .one(&w.txn)
        .await?
        .ok_or_else(|| {
            ApiError::invalid(
                "partnership",
                format!("no Urban Agenda partnership has the key \"{key}\""),
            )
        })
}

/// The keys of the partnerships a plan is linked to, sorted.
pub(super) async fn partnerships(w: &Write, plan_id: i64) -> ApiResult<Vec<String>> {
    let ids: Vec<i64> = plan_urban_agenda::Entity::find()
        .filter(plan_urban_agenda::Column::PlanId.eq(plan_id))
        .select_only()
        .column(plan_urban_agenda::Column::PartnershipId)
        .into_tuple()
        .all(&w.txn)
        .await?;
    Ok(urban_agenda_partnership::Entity::find()
        .filter(urban_agenda_partnership::Column::Id.is_in(ids))
        .order_by_asc(urban_agenda_partnership::Column::Key)
        .select_only()
        .column(urban_agenda_partnership::Column::Key)
        .into_tuple()
        .all(&w.txn)
        .await?)
}

/// The partner cities of a plan, by position.
pub(super) fn partners(plan_id: i64) -> List<plan_partner_city::Entity> {
    List::new(
        Condition::all().add(plan_partner_city::Column::PlanId.eq(plan_id)),
        plan_partner_city::Column::Position,
    )
}

/// The partner city ids of a plan, in order.
pub(super) async fn partner_cities(w: &Write, plan_id: i64) -> ApiResult<Vec<i64>> {
    Ok(plan_partner_city::Entity::find()
        .filter(plan_partner_city::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_partner_city::Column::Position)
        .select_only()
        .column(plan_partner_city::Column::CityId)
        .into_tuple()
        .all(&w.txn)
        .await?)
}
