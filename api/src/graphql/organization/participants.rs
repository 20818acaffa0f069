//! Which organizations take part in a plan, and as what: admins add, change and remove
//! participants; each change is an update of the plan in the audit log and the change feed.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use sea_orm::{ActiveEnum, ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use super::Organization;
use super::named::OrganizationRefInput;
use crate::auth::{Permission, Writes, policy};
use crate::error::{ApiError, ApiResult};
use crate::graphql::enums::ParticipantRole;
use crate::graphql::ids::{NodeKind, decode_int};
use crate::graphql::plan::Plan;
use crate::graphql::write::{Diff, Entry, Operation, Refs, Write};
use entity::plan_participant;

/// An organization taking part in a plan.
#[derive(InputObject)]
pub struct PlanParticipantInput {
    plan: ID,
    organization: ID,
    /// How it takes part.
    role: ParticipantRole,
}

/// An organization taking part in a plan being created (`createPlan`'s `participants`).
#[derive(InputObject)]
pub struct NewParticipantInput {
    /// The organization taking part, by ID or by name.
    organization: OrganizationRefInput,
    /// How it takes part.
    role: ParticipantRole,
}

impl NewParticipantInput {
    /// The `addPlanParticipant` input of this participant, in plan `plan`, its organization
    /// resolved in `refs`.
    pub async fn in_plan(self, refs: &mut Refs, plan: ID) -> ApiResult<PlanParticipantInput> {
        Ok(PlanParticipantInput {
            plan,
            organization: refs.one(self.organization, "organization").await?,
            role: self.role,
        })
    }
}

/// The plan whose participants changed.
#[derive(SimpleObject)]
pub struct PlanParticipantPayload {
    plan: Plan,
    organization: Organization,
}
#[derive(Default)]
pub struct ParticipantMutation;

#[Object]
impl ParticipantMutation {
    /// Makes an organization take part in a plan, or changes its role there (admins only).
    #[graphql(guard = "Writes(Permission::Administer)")]
    pub(crate) async fn add_plan_participant(
        &self,
        ctx: &Context<'_>,
        input: PlanParticipantInput,
    ) -> ApiResult<PlanParticipantPayload> {
        let role: entity::enums::ParticipantRole = input.role.into();
        let w = Write::begin(ctx, Permission::Administer).await?;
        let (plan_row, org) = participant_parties(&w, &input.plan, &input.organization).await?;
        let existing = plan_participant::Entity::find_by_id((plan_row.0.id, org.0.id))
            .one(&w.txn)
            .await?;
        let now = Utc::now();
        match existing {
            Some(p) if p.role == role => {}
            Some(p) => {
                let version = p.version;
                let mut row: plan_participant::ActiveModel = p.into();
                row.role = Set(role);
                row.updated_at = Set(now);
                row.version = Set(version + 1);
                row.update(&w.txn).await?;
            }
            None => {
                plan_participant::ActiveModel {
                    plan_id: Set(plan_row.0.id),
                    organization_id: Set(org.0.id),
                    role: Set(role),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                }
                .insert(&w.txn)
                .await?;
            }
        }
        let mut diff = Diff::default();
        diff.created(
            "participant",
            json!({ "organization": NodeKind::Organization.audit(org.0.id), "role": role.to_value() }),
        );
        let entry = plan_entry(&plan_row.0, diff, "PARTICIPANT_ADDED");
        w.commit(vec![entry]).await?;
        Ok(PlanParticipantPayload {
            plan: plan_row,
            organization: org,
        })
    }

    /// Ends an organization's part in a plan (admins only); NOT_FOUND when it took none.
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn remove_plan_participant(
        &self,
        ctx: &Context<'_>,
        plan: ID,
        organization: ID,
    ) -> ApiResult<PlanParticipantPayload> {
        let w = Write::begin(ctx, Permission::Administer).await?;
        let (plan_row, org) = participant_parties(&w, &plan, &organization).await?;
        let removed = plan_participant::Entity::delete_by_id((plan_row.0.id, org.0.id))
            .exec(&w.txn)
            .await?;
        if removed.rows_affected == 0 {
            return Err(ApiError::NotFound);
        }
        let mut diff = Diff::default();
        diff.field(
            "participant",
            json!({ "organization": NodeKind::Organization.audit(org.0.id) }),
            Value::Null,
        );
        let entry = plan_entry(&plan_row.0, diff, "PARTICIPANT_REMOVED");
        w.commit(vec![entry]).await?;
        Ok(PlanParticipantPayload {
            plan: plan_row,
            organization: org,
        })
    }
}

/// A change of a plan's links (its participants).
fn plan_entry(plan: &entity::plan::Model, diff: Diff, action: &'static str) -> Entry {
    let public = policy::plan_is_public(plan.status);
    let mut entry = Entry::new(
        NodeKind::Plan,
        plan.id,
        Operation::Updated,
        vec![plan.id],
        public,
        diff,
    );
    entry.action = Some(action);
    entry
}

async fn participant_parties(
    w: &Write,
    plan_id: &ID,
    organization_id: &ID,
) -> ApiResult<(Plan, Organization)> {
    let plan_id = decode_int(plan_id, NodeKind::Plan, "plan")?;
    let org_id = decode_int(organization_id, NodeKind::Organization, "organization")?;
    // Read in the write's transaction: a plan created earlier in the same batch is there.
    let plan_row = entity::plan::Entity::find_by_id(plan_id)
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let org = entity::organization::Entity::find_by_id(org_id)
        .one(&w.txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((Plan(plan_row), Organization(org)))
}
