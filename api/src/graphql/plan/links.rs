//! Linking a plan to SDG goals and targets, Urban Agenda partnerships and partner cities (editors
//! of the plan's organizations, admins). Each change is an update of the plan in the audit log and
//! the change feed, its diff naming the link list before and after.
//!
//! Links are sets: linking what is linked, or unlinking what is not, changes nothing and writes no
//! entry, so a retry is harmless. They take no version and leave the plan's version alone, so they
//! never conflict with a concurrent edit of the plan's own fields.

use async_graphql::{Context, ID, Object};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;

use super::Plan;
use super::write::{PlanPayload, entry};
use crate::auth::Permission;
use crate::error::{ApiError, ApiResult};

use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::position::{List, lock_plan};
use crate::graphql::write::{self, Diff, Operation, Write, city_id, readable_plan};
use entity::{
    contact, plan, plan_partner_city, plan_sdg_goal, plan_sdg_target, plan_urban_agenda, sdg_goal,
    sdg_target, urban_agenda_partnership,
};

#[derive(Default)]
pub struct PlanLinkMutation;

#[Object]
impl PlanLinkMutation {
    /// Links a plan to an SDG goal (1–17) and, when given, one of that goal's targets ("11.2").
    async fn link_plan_sdg(
        &self,
        ctx: &Context<'_>,
        plan: ID,
        goal: i32,
        target: Option<String>,
    ) -> ApiResult<PlanPayload> {
        let l = Linking::start(ctx, &plan, Links::Sdg).await?;
        let (w, plan) = (&l.w, l.plan.id);
        let goal = checked_goal(w, goal).await?;
        let target = match &target {
            Some(code) => Some(checked_target(w, code, goal).await?),
            None => None,
        };
        let (goals, targets) = (sdg_goals(w, plan).await?, sdg_targets(w, plan).await?);
        if !goals.contains(&goal) {
            plan_sdg_goal::ActiveModel {
                plan_id: Set(plan),
                goal_number: Set(goal),
                theme_id: Set(None),
                published_text: Set(None),
            }
            .insert(&w.txn)
            .await?;
        }
        if let Some(code) = target.filter(|c| !targets.contains(c)) {
            plan_sdg_target::ActiveModel {
                plan_id: Set(plan),
                target_code: Set(code),
                theme_id: Set(None),
                published_text: Set(None),
            }
            .insert(&w.txn)
            .await?;
        }
        l.finish().await
    }

    /// Unlinks an SDG target from a plan or, without `target`, the goal with all its targets.
    async fn unlink_plan_sdg(
        &self,
        ctx: &Context<'_>,
        plan: ID,
        goal: i32,
        target: Option<String>,
    ) -> ApiResult<PlanPayload> {
        let l = Linking::start(ctx, &plan, Links::Sdg).await?;
        let (w, plan) = (&l.w, l.plan.id);
        let goal = checked_goal(w, goal).await?;
        match &target {
            Some(code) => {
                let code = checked_target(w, code, goal).await?;
                plan_sdg_target::Entity::delete_many()
                    .filter(plan_sdg_target::Column::PlanId.eq(plan))
                    .filter(plan_sdg_target::Column::TargetCode.eq(code))
                    .exec(&w.txn)
                    .await?;
            }
            None => {
                let codes: Vec<String> = sdg_target::Entity::find()
                    .filter(sdg_target::Column::GoalNumber.eq(goal))
                    .select_only()
                    .column(sdg_target::Column::Code)
                    .into_tuple()
                    .all(&w.txn)
                    .await?;
                plan_sdg_target::Entity::delete_many()
                    .filter(plan_sdg_target::Column::PlanId.eq(plan))
                    .filter(plan_sdg_target::Column::TargetCode.is_in(codes))
                    .exec(&w.txn)
                    .await?;
                plan_sdg_goal::Entity::delete_many()
                    .filter(plan_sdg_goal::Column::PlanId.eq(plan))
                    .filter(plan_sdg_goal::Column::GoalNumber.eq(goal))
                    .exec(&w.txn)
                    .await?;
            }
        }
        l.finish().await
    }

    /// Links a plan to an EU Urban Agenda partnership, named by its key ("energy-transition").
    async fn link_plan_urban_agenda_partnership(
        &self,
        ctx: &Context<'_>,
        plan: ID,
        partnership: String,
    ) -> ApiResult<PlanPayload> {
        let l = Linking::start(ctx, &plan, Links::UrbanAgenda).await?;
        let (w, plan) = (&l.w, l.plan.id);
        let partnership = checked_partnership(w, &partnership).await?;
        if !partnerships(w, plan).await?.contains(&partnership.key) {
            plan_urban_agenda::ActiveModel {
                plan_id: Set(plan),
                partnership_id: Set(partnership.id),
                theme_id: Set(None),
                published_text: Set(None),
            }
            .insert(&w.txn)
            .await?;
        }
        l.finish().await
    }

    /// Unlinks an EU Urban Agenda partnership, named by its key, from a plan.
    async fn unlink_plan_urban_agenda_partnership(
        &self,
        ctx: &Context<'_>,
        plan: ID,
        partnership: String,
    ) -> ApiResult<PlanPayload> {
        let l = Linking::start(ctx, &plan, Links::UrbanAgenda).await?;
        let (w, plan) = (&l.w, l.plan.id);
        let partnership = checked_partnership(w, &partnership).await?;
        plan_urban_agenda::Entity::delete_many()
            .filter(plan_urban_agenda::Column::PlanId.eq(plan))
            .filter(plan_urban_agenda::Column::PartnershipId.eq(partnership.id))
            .exec(&w.txn)
            .await?;
        l.finish().await
    }

    /// Adds a partner city to a plan, after the others; not the plan's focal city.
    async fn add_partner_city(
        &self,
        ctx: &Context<'_>,
        plan: ID,
        city: ID,
    ) -> ApiResult<PlanPayload> {
        let l = Linking::start(ctx, &plan, Links::PartnerCities).await?;
        let (w, plan) = (&l.w, &l.plan);
        let city = city_id(w, &city, "city").await?;
        if city == plan.focal_city_id {
            return Err(ApiError::invalid(
                "city",
                "the focal city cannot be a partner of its own plan",
            ));
        }
        if !partner_cities(w, plan.id).await?.contains(&city) {
            let position = partners(plan.id).insert_at(&w.txn, None, "city").await?;
            plan_partner_city::ActiveModel {
                plan_id: Set(plan.id),
                city_id: Set(city),
                position: Set(position),
            }
            .insert(&w.txn)
            .await?;
        }
        l.finish().await
    }

    /// Removes a partner city from a plan; the later partners move up by one.
    async fn remove_partner_city(
        &self,
        ctx: &Context<'_>,
        plan: ID,
        city: ID,
    ) -> ApiResult<PlanPayload> {
        let l = Linking::start(ctx, &plan, Links::PartnerCities).await?;
        let (w, plan) = (&l.w, &l.plan);
        let city = decode_int(&city, NodeKind::City, "city")?;
        let link = plan_partner_city::Entity::find_by_id((plan.id, city))
            .one(&w.txn)
            .await?;
        if let Some(link) = link {
            plan_partner_city::Entity::delete_by_id((plan.id, city))
                .exec(&w.txn)
                .await?;
            partners(plan.id).close(&w.txn, link.position).await?;
        }
        l.finish().await
    }

    /// Adds a contact mailbox to a plan, or changes its label (contacts are non-public: only the
    /// plan's organizations and admins read them).
    async fn add_plan_contact(
        &self,
        ctx: &Context<'_>,
        plan: ID,
        email: String,
        label: Option<String>,
    ) -> ApiResult<PlanPayload> {
        let l = Linking::start(ctx, &plan, Links::Contacts).await?;
        let (w, plan) = (&l.w, &l.plan);
        let email = write::email("email", &email)?;
        let label = write::opt_text("label", label.as_deref(), 200)?;
        let existing = contact::Entity::find()
            .filter(contact::Column::PlanId.eq(plan.id))
            .filter(contact::Column::Email.eq(&email))
            .one(&w.txn)
            .await?;
        let now = chrono::Utc::now();
        match existing {
            Some(c) if c.label == label => {}
            Some(c) => {
                let version = c.version;
                let mut row: contact::ActiveModel = c.into();
                row.label = Set(label);
                row.updated_at = Set(now);
                row.version = Set(version + 1);
                row.update(&w.txn).await?;
            }
            None => {
                contact::ActiveModel {
                    plan_id: Set(plan.id),
                    email: Set(email),
                    label: Set(label),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(&w.txn)
                .await?;
            }
        }
        l.finish().await
    }

    /// Removes a contact mailbox from a plan.
    async fn remove_plan_contact(
        &self,
        ctx: &Context<'_>,
        plan: ID,
        email: String,
    ) -> ApiResult<PlanPayload> {
        let l = Linking::start(ctx, &plan, Links::Contacts).await?;
        let (w, plan) = (&l.w, &l.plan);
        contact::Entity::delete_many()
            .filter(contact::Column::PlanId.eq(plan.id))
            .filter(contact::Column::Email.eq(email.trim()))
            .exec(&w.txn)
            .await?;
        l.finish().await
    }
}

/// A plan's contacts as (email, label), in order.
async fn contacts(w: &Write, plan_id: i64) -> ApiResult<Vec<(String, Option<String>)>> {
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
enum Links {
    Sdg,
    UrbanAgenda,
    PartnerCities,
    Contacts,
}

impl Links {
    /// The lists as they are now, by field name.
    async fn snapshot(self, w: &Write, plan: i64) -> ApiResult<Vec<(&'static str, Value)>> {
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

fn json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A link write under way: the plan (checked writable and locked) and its lists before.
struct Linking {
    w: Write,
    plan: plan::Model,
    links: Links,
    before: Vec<(&'static str, Value)>,
}

impl Linking {
    /// Starts changing `links` of `plan` (BAD_USER_INPUT `plan` unless the caller reads it).
    async fn start(ctx: &Context<'_>, plan: &ID, links: Links) -> ApiResult<Self> {
        let w = Write::begin(ctx, Permission::Edit).await?;
        let id = decode_int(plan, NodeKind::Plan, "plan")?;
        let plan = readable_plan(&w, id).await?;
        w.require_plans(&[id])?;
        lock_plan(&w.txn, id).await?;
        let before = links.snapshot(&w, id).await?;
        Ok(Self {
            w,
            plan,
            links,
            before,
        })
    }

    /// Commits an update entry of the plan naming the lists that changed (none when none did:
    /// a retry is harmless), then answers with the plan.
    async fn finish(self) -> ApiResult<PlanPayload> {
        let Self {
            w,
            plan,
            links,
            before,
        } = self;
        let after = links.snapshot(&w, plan.id).await?;
        let mut diff = Diff::default();
        for ((field, before), (_, after)) in before.into_iter().zip(after) {
            diff.field(field, before, after);
        }
        let entries = if diff.is_empty() {
            Vec::new()
        } else {
            vec![entry(&plan, Operation::Updated, diff)]
        };
        w.commit(entries).await?;
        Ok(PlanPayload { plan: Plan(plan) })
    }
}

async fn checked_goal(w: &Write, goal: i32) -> ApiResult<i16> {
    let bad = || ApiError::invalid("goal", "there are 17 SDGs, numbered 1 to 17");
    let number = i16::try_from(goal).map_err(|_| bad())?;
    sdg_goal::Entity::find_by_id(number)
        .one(&w.txn)
        .await?
        .map(|g| g.number)
        .ok_or_else(bad)
}

/// A target code of goal `goal` ("11.2", "11.a").
async fn checked_target(w: &Write, code: &str, goal: i16) -> ApiResult<String> {
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

async fn sdg_goals(w: &Write, plan_id: i64) -> ApiResult<Vec<i16>> {
    Ok(plan_sdg_goal::Entity::find()
        .filter(plan_sdg_goal::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_sdg_goal::Column::GoalNumber)
        .select_only()
        .column(plan_sdg_goal::Column::GoalNumber)
        .into_tuple()
        .all(&w.txn)
        .await?)
}

async fn sdg_targets(w: &Write, plan_id: i64) -> ApiResult<Vec<String>> {
    Ok(plan_sdg_target::Entity::find()
        .filter(plan_sdg_target::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_sdg_target::Column::TargetCode)
        .select_only()
        .column(plan_sdg_target::Column::TargetCode)
        .into_tuple()
        .all(&w.txn)
        .await?)
}

async fn checked_partnership(w: &Write, key: &str) -> ApiResult<urban_agenda_partnership::Model> {
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
async fn partnerships(w: &Write, plan_id: i64) -> ApiResult<Vec<String>> {
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
fn partners(plan_id: i64) -> List<plan_partner_city::Entity> {
    List::new(
        Condition::all().add(plan_partner_city::Column::PlanId.eq(plan_id)),
        plan_partner_city::Column::Position,
    )
}

/// The partner city ids of a plan, in order.
async fn partner_cities(w: &Write, plan_id: i64) -> ApiResult<Vec<i64>> {
    Ok(plan_partner_city::Entity::find()
        .filter(plan_partner_city::Column::PlanId.eq(plan_id))
        .order_by_asc(plan_partner_city::Column::Position)
        .select_only()
        .column(plan_partner_city::Column::CityId)
        .into_tuple()
        .all(&w.txn)
        .await?)
}
