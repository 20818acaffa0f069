//! `updatedSince`: which plans changed, as one condition on `plan`.
//!
//! A plan's date (`lastUpdatedAt`, and what `updatedSince` selects) must not tell a caller that
//! something it may not see changed: a draft activity or MoU, an internal note, a contact. The
//! `updated_at` of a plan, an activity or an MoU moves with such edits, so a caller who does not
//! read a plan's private data dates it instead by what it sees ([`visible_since`]): the change-feed
//! entries it may read (each write records whether it was public, see `policy::change_is_public`),
//! the `updated_at` of the parts that hold nothing private (themes, statements, expected results,
//! participants, public data issues) and the `created_at` of the plan and of the activities and MoUs
//! it reads, which every write also appends a feed entry after. Callers who read everything of a
//! plan (its organizations, admins) keep the cheap reading of every `updated_at` ([`everything_since`]).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait};

use crate::auth::policy::{Guarded, Scope, activity_of_readable_plan, mou_of_readable_plan};
use entity::{
    activity, change_event, change_event_plan, contact, data_issue, expected_result, mou, plan,
    plan_activity, plan_mou, plan_participant, statement, theme,
};

/// A plan changed, as `scope` sees it, at or after `since`.
pub fn changed_since(scope: &Scope, since: DateTime<Utc>) -> Condition {
    match scope {
        Scope::All => everything_since(since),
        Scope::Public => visible_since(scope, since),
        Scope::Member(plans) => Condition::any()
            .add(
                Condition::all()
                    .add(plan::Column::Id.is_in(plans.iter().copied()))
                    .add(everything_since(since)),
            )
            .add(visible_since(scope, since)),
    }
}

/// For a caller who reads the plan's private data: the plan row, any record it holds, any activity
/// or MoU it lists, or a change-feed entry of it (which is how a deleted record or link shows).
fn everything_since(since: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(plan::Column::UpdatedAt.gte(since))
        .add(public_parts_since(since))
        .add(own_part::<contact::Entity>(
            contact::Column::PlanId,
            contact::Column::UpdatedAt,
            since,
            Condition::all(),
        ))
        .add(own_part::<data_issue::Entity>(
            data_issue::Column::PlanId,
            data_issue::Column::UpdatedAt,
            since,
            Condition::all(),
        ))
        .add(listed_part::<plan_activity::Entity, activity::Entity>(
            (
                plan_activity::Column::PlanId,
                plan_activity::Column::ActivityId,
            ),
            (activity::Column::Id, activity::Column::UpdatedAt),
            since,
            Condition::all(),
        ))
        .add(listed_part::<plan_mou::Entity, mou::Entity>(
            (plan_mou::Column::PlanId, plan_mou::Column::MouId),
            (mou::Column::Id, mou::Column::UpdatedAt),
            since,
            Condition::all(),
        ))
        .add(feed_since(since, Condition::all()))
}

/// For a caller who does not read the plan's private data: what it sees changed (see the module).
fn visible_since(scope: &Scope, since: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(plan::Column::CreatedAt.gte(since))
        .add(public_parts_since(since))
        .add(own_part::<data_issue::Entity>(
            data_issue::Column::PlanId,
            data_issue::Column::UpdatedAt,
            since,
            data_issue::Entity::readable(scope),
        ))
        .add(listed_part::<plan_activity::Entity, activity::Entity>(
            (
                plan_activity::Column::PlanId,
                plan_activity::Column::ActivityId,
            ),
            (activity::Column::Id, activity::Column::CreatedAt),
            since,
            activity_of_readable_plan(scope),
        ))
        .add(listed_part::<plan_mou::Entity, mou::Entity>(
            (plan_mou::Column::PlanId, plan_mou::Column::MouId),
            (mou::Column::Id, mou::Column::CreatedAt),
            since,
            mou_of_readable_plan(scope),
        ))
        .add(feed_since(since, change_event::Entity::readable(scope)))
}

/// Parts of a plan with no private field: every reader of the plan sees all their changes.
fn public_parts_since(since: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(own_part::<theme::Entity>(
            theme::Column::PlanId,
            theme::Column::UpdatedAt,
            since,
            Condition::all(),
        ))
        .add(own_part::<statement::Entity>(
            statement::Column::PlanId,
            statement::Column::UpdatedAt,
            since,
            Condition::all(),
        ))
        .add(own_part::<expected_result::Entity>(
            expected_result::Column::PlanId,
            expected_result::Column::UpdatedAt,
            since,
            Condition::all(),
        ))
        .add(own_part::<plan_participant::Entity>(
            plan_participant::Column::PlanId,
            plan_participant::Column::UpdatedAt,
            since,
            Condition::all(),
        ))
}

/// A change-feed entry of the plan, among those `visible` keeps, at or after `since`.
fn feed_since(since: DateTime<Utc>, visible: Condition) -> Expr {
    listed_part::<change_event_plan::Entity, change_event::Entity>(
        (
            change_event_plan::Column::PlanId,
            change_event_plan::Column::ChangeEventId,
        ),
        (change_event::Column::Id, change_event::Column::At),
        since,
        visible,
    )
}

/// A row of `E` that belongs to the plan, passes `rows`, and changed since `since`.
fn own_part<E: EntityTrait>(
    plan_id: E::Column,
    updated: E::Column,
    since: DateTime<Utc>,
    rows: Condition,
) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::cust("1"))
            .from(E::default())
            .and_where(Expr::col((E::default(), plan_id)).equals((plan::Entity, plan::Column::Id)))
            .and_where(Expr::col((E::default(), updated)).gte(since))
            .cond_where(rows)
            .to_owned(),
    )
}

/// A record of `R`, listed by the plan through link table `L`, that passes `records` and changed
/// since `since`.
fn listed_part<L: EntityTrait, R: EntityTrait>(
    (link_plan, link_record): (L::Column, L::Column),
    (record_id, updated): (R::Column, R::Column),
    since: DateTime<Utc>,
    records: Condition,
) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::cust("1"))
            .from(L::default())
            .inner_join(
                R::default(),
                Expr::col((R::default(), record_id)).equals((L::default(), link_record)),
            )
            .and_where(
                Expr::col((L::default(), link_plan)).equals((plan::Entity, plan::Column::Id)),
            )
            .and_where(Expr::col((R::default(), updated)).gte(since))
            .cond_where(records)
            .to_owned(),
    )
}
