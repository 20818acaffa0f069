//! `updatedSince`: which plans changed, as one condition on `plan`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait};

use entity::{
    activity, change_event, change_event_plan, contact, data_issue, expected_result, mou, plan,
    plan_activity, plan_mou, plan_participant, statement, theme,
};

/// A plan changed at or after `since`: the plan row, any record it holds, any activity or MoU it
/// lists, or a change-feed entry of it (which is how a deleted record or link shows).
pub fn changed_since(since: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(plan::Column::UpdatedAt.gte(since))
        .add(own_part::<theme::Entity>(
            theme::Column::PlanId,
            theme::Column::UpdatedAt,
            since,
        ))
        .add(own_part::<statement::Entity>(
            statement::Column::PlanId,
            statement::Column::UpdatedAt,
            since,
        ))
        .add(own_part::<expected_result::Entity>(
            expected_result::Column::PlanId,
            expected_result::Column::UpdatedAt,
            since,
        ))
        .add(own_part::<contact::Entity>(
            contact::Column::PlanId,
            contact::Column::UpdatedAt,
            since,
        ))
        .add(own_part::<plan_participant::Entity>(
            plan_participant::Column::PlanId,
            plan_participant::Column::UpdatedAt,
            since,
        ))
        .add(own_part::<data_issue::Entity>(
            data_issue::Column::PlanId,
            data_issue::Column::UpdatedAt,
            since,
        ))
        .add(listed_part::<plan_activity::Entity, activity::Entity>(
            (
                plan_activity::Column::PlanId,
                plan_activity::Column::ActivityId,
            ),
            (activity::Column::Id, activity::Column::UpdatedAt),
            since,
        ))
        .add(listed_part::<plan_mou::Entity, mou::Entity>(
            (plan_mou::Column::PlanId, plan_mou::Column::MouId),
            (mou::Column::Id, mou::Column::UpdatedAt),
            since,
        ))
        .add(
            listed_part::<change_event_plan::Entity, change_event::Entity>(
                (
                    change_event_plan::Column::PlanId,
                    change_event_plan::Column::ChangeEventId,
                ),
                (change_event::Column::Id, change_event::Column::At),
                since,
            ),
        )
}

/// A row of `E` that belongs to the plan and changed since `since`.
fn own_part<E: EntityTrait>(plan_id: E::Column, updated: E::Column, since: DateTime<Utc>) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::cust("1"))
            .from(E::default())
            .and_where(Expr::col((E::default(), plan_id)).equals((plan::Entity, plan::Column::Id)))
            .and_where(Expr::col((E::default(), updated)).gte(since))
            .to_owned(),
    )
}

/// A record of `R`, listed by the plan through link table `L`, that changed since `since`.
fn listed_part<L: EntityTrait, R: EntityTrait>(
    (link_plan, link_record): (L::Column, L::Column),
    (record_id, updated): (R::Column, R::Column),
    since: DateTime<Utc>,
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
            .to_owned(),
    )
}
