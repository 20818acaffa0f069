//! Linking a plan to SDG goals and targets, Urban Agenda partnerships and partner cities (editors
//! of the plan's organizations, admins). Each change is an update of the plan in the audit log and
//! the change feed, its diff naming the link list before and after.
//!
//! Links are sets: linking what is linked, or unlinking what is not, changes nothing and writes no
//! entry, so a retry is harmless. They take no version and leave the plan's version alone, so they
//! never conflict with a concurrent edit of the plan's own fields.

use async_graphql::{Context, ID, Object};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde_json::Value;

mod lists;

use super::Plan;
use super::write::{PlanPayload, entry};
use crate::auth::Permission;
use crate::error::{ApiError, ApiResult};

use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::position::lock_plan;
use crate::graphql::write::{self, Diff, Operation, Write, city_id, readable_plan};
use entity::{
    contact, plan, plan_partner_city, plan_sdg_goal, plan_sdg_target, plan_urban_agenda, sdg_target,
};
use lists::{
    Links, checked_goal, checked_partnership, checked_target, partner_cities, partners,
    partnerships, sdg_goals, sdg_targets,
};

#[derive(Default)]
pub struct PlanLinkMutation;

#[Object]
impl PlanLinkMutation {
    /// Links a plan to an SDG goal (1–17) and, when given, one of that goal's targets ("11.2").
    pub(crate) async fn link_plan_sdg(
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
    pub(crate) async fn link_plan_urban_agenda_partnership(
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
    pub(crate) async fn add_partner_city(
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
    pub(crate) async fn remove_partner_city(
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
    pub(crate) async fn add_plan_contact(
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
