//! Which rows a scope reads, as conditions on each table: every resolver, loader, search and
//! count takes its row condition from here.

use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, EntityTrait};

use super::Scope;
use entity::enums::PlanStatus;
use entity::{
    activity, change_event, change_event_plan, contact, data_issue, expected_result, mou, plan,
    plan_activity, plan_mou, plan_participant, plan_partner_city, plan_sdg_goal, plan_sdg_target,
    plan_urban_agenda, statement, theme,
};

/// Rows of an entity a scope may read, as a condition on the entity's table.
pub trait Guarded: EntityTrait {
    fn readable(scope: &Scope) -> Condition;
}

/// Plans the scope reads, as a condition on `plan`.
fn plan_readable(scope: &Scope) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Public => Condition::all().add(plan::Column::Status.eq(PlanStatus::Published)),
        Scope::Member(plans) => Condition::any()
            .add(plan::Column::Status.eq(PlanStatus::Published))
            .add(plan::Column::Id.is_in(plans.iter().copied())),
    }
}

/// Ids of the plans the scope reads (`None`: all of them).
pub fn readable_plan_ids(scope: &Scope) -> Option<SelectStatement> {
    (*scope != Scope::All).then(|| {
        Query::select()
            .column((plan::Entity, plan::Column::Id))
            .from(plan::Entity)
            .cond_where(plan_readable(scope))
            .to_owned()
    })
}

/// `plan_id` column of a plan's part is one of the readable plans.
fn part_of_readable_plan(plan_id: impl ColumnTrait, scope: &Scope) -> Condition {
    match readable_plan_ids(scope) {
        None => Condition::all(),
        Some(ids) => Condition::all().add(plan_id.in_subquery(ids)),
    }
}

/// A record shared by plans through link table `L` (activities, MoUs): readable when a readable
/// plan lists it and it is no draft, or a plan of the caller's lists it. Correlated `EXISTS`, so a
/// short page probes the link index row by row instead of collecting every readable id.
fn shared_record_readable<L: EntityTrait>(
    record_id: Expr,
    link_record: L::Column,
    link_plan: L::Column,
    draft: Expr,
    scope: &Scope,
) -> Condition {
    if *scope == Scope::All {
        return Condition::all();
    }
    // `CROSS JOIN` keeps SQLite's join order (PostgreSQL plans it like any inner join): first the
    // link rows of this record by the record's index, then their plans by primary key. A plain
    // join (or `plan_id IN (…)`) let SQLite walk every readable plan for each row: 150 ms instead
    // of 1 ms for a city's 500 activities.
    let listed_by = |plans: Condition| {
        Expr::exists(
            Query::select()
                .expr(Expr::cust("1"))
                .from(L::default())
                .cross_join(plan::Entity)
                .and_where(
                    Expr::col((plan::Entity, plan::Column::Id)).equals((L::default(), link_plan)),
                )
                .and_where(Expr::col((L::default(), link_record)).eq(record_id.clone()))
                .cond_where(plans)
                .to_owned(),
        )
    };
    let published = listed_by(plan_readable(scope)).and(draft.not());
    let members = scope.member_plans();
    if members.is_empty() {
        return Condition::all().add(published);
    }
    let member_listed = Expr::exists(
        Query::select()
            .expr(Expr::cust("1"))
            .from(L::default())
            .and_where(Expr::col((L::default(), link_record)).eq(record_id))
            .and_where(Expr::col((L::default(), link_plan)).is_in(members))
            .to_owned(),
    );
    Condition::any().add(published).add(member_listed)
}

/// Activities reached through a plan the caller reads (a plan's own activity list, the counts of
/// selected plans): the plan being readable, only the draft rule is left to check — far cheaper
/// than [`Guarded::readable`] over long lists, and the same rows.
pub fn activity_of_readable_plan(scope: &Scope) -> Condition {
    draft_rule::<plan_activity::Entity>(
        Expr::col((activity::Entity, activity::Column::Id)),
        plan_activity::Column::ActivityId,
        plan_activity::Column::PlanId,
        Expr::col((activity::Entity, activity::Column::Draft)),
        scope,
    )
}

/// MoUs reached through a plan the caller reads; see [`activity_of_readable_plan`].
pub fn mou_of_readable_plan(scope: &Scope) -> Condition {
    draft_rule::<plan_mou::Entity>(
        Expr::col((mou::Entity, mou::Column::Id)),
        plan_mou::Column::MouId,
        plan_mou::Column::PlanId,
        Expr::col((mou::Entity, mou::Column::Draft)),
        scope,
    )
}

/// Not a draft, or listed (through link table `L`) by a plan of the caller's organizations.
fn draft_rule<L: EntityTrait>(
    record_id: Expr,
    link_record: L::Column,
    link_plan: L::Column,
    draft: Expr,
    scope: &Scope,
) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Public => Condition::all().add(draft.not()),
        Scope::Member(plans) => Condition::any().add(draft.not()).add(Expr::exists(
            Query::select()
                .expr(Expr::cust("1"))
                .from(L::default())
                .and_where(Expr::col((L::default(), link_record)).eq(record_id))
                .and_where(Expr::col((L::default(), link_plan)).is_in(plans.iter().copied()))
                .to_owned(),
        )),
    }
}

impl Guarded for plan::Entity {
    fn readable(scope: &Scope) -> Condition {
        plan_readable(scope)
    }
}

impl Guarded for activity::Entity {
    fn readable(scope: &Scope) -> Condition {
        shared_record_readable::<plan_activity::Entity>(
            Expr::col((activity::Entity, activity::Column::Id)),
            plan_activity::Column::ActivityId,
            plan_activity::Column::PlanId,
            Expr::col((activity::Entity, activity::Column::Draft)),
            scope,
        )
    }
}

impl Guarded for mou::Entity {
    fn readable(scope: &Scope) -> Condition {
        shared_record_readable::<plan_mou::Entity>(
            Expr::col((mou::Entity, mou::Column::Id)),
            plan_mou::Column::MouId,
            plan_mou::Column::PlanId,
            Expr::col((mou::Entity, mou::Column::Draft)),
            scope,
        )
    }
}

/// Parts of one plan: readable with their plan.
macro_rules! part_of_plan {
    ($($entity:ident),*) => {$(
        impl Guarded for $entity::Entity {
            fn readable(scope: &Scope) -> Condition {
                part_of_readable_plan($entity::Column::PlanId, scope)
            }
        }
    )*};
}
part_of_plan!(
    theme,
    statement,
    expected_result,
    plan_partner_city,
    plan_sdg_goal,
    plan_sdg_target,
    plan_urban_agenda,
    plan_participant
);

impl Guarded for contact::Entity {
    /// Contact mailboxes are non-public: only the plan's own organizations read them.
    fn readable(scope: &Scope) -> Condition {
        match scope {
            Scope::All => Condition::all(),
            _ => Condition::all().add(contact::Column::PlanId.is_in(scope.member_plans())),
        }
    }
}

impl Guarded for data_issue::Entity {
    /// Public findings of readable plans (or of no plan); internal ones to the plan's organizations.
    fn readable(scope: &Scope) -> Condition {
        if *scope == Scope::All {
            return Condition::all();
        }
        let plan_ok = Condition::any()
            .add(data_issue::Column::PlanId.is_null())
            .add(part_of_readable_plan(data_issue::Column::PlanId, scope));
        let internal_ok = Condition::any()
            .add(data_issue::Column::Internal.eq(false))
            .add(data_issue::Column::PlanId.is_in(scope.member_plans()));
        Condition::all().add(plan_ok).add(internal_ok)
    }
}

impl Guarded for change_event::Entity {
    /// Feed entries: public ones, those of the caller's plans, all for admins. The exports date
    /// plans by these too, so a private change moves nothing a caller who may not see it reads.
    fn readable(scope: &Scope) -> Condition {
        match scope {
            Scope::All => Condition::all(),
            Scope::Public => Condition::all().add(change_event::Column::Public.eq(true)),
            Scope::Member(plans) => Condition::any()
                .add(change_event::Column::Public.eq(true))
                .add(Expr::exists(
                    Query::select()
                        .expr(Expr::cust("1"))
                        .from(change_event_plan::Entity)
                        .and_where(
                            Expr::col((
                                change_event_plan::Entity,
                                change_event_plan::Column::ChangeEventId,
                            ))
                            .equals((change_event::Entity, change_event::Column::Id)),
                        )
                        .and_where(
                            Expr::col((
                                change_event_plan::Entity,
                                change_event_plan::Column::PlanId,
                            ))
                            .is_in(plans.iter().copied()),
                        )
                        .to_owned(),
                )),
        }
    }
}

/// Admin data: token records, persisted operations and allow-lists.
macro_rules! admin_only {
    ($($entity:ident),*) => {$(
        impl Guarded for entity::$entity::Entity {
            fn readable(scope: &Scope) -> Condition {
                match scope {
                    Scope::All => Condition::all(),
                    _ => Condition::all().add(Expr::cust("1 = 0")),
                }
            }
        }
    )*};
}
admin_only!(
    access_token_organization,
    access_token_persisted_operation,
    persisted_operation
);

/// Reference data everybody reads.
macro_rules! public {
    ($($entity:ident),*) => {$(
        impl Guarded for entity::$entity::Entity {
            fn readable(_: &Scope) -> Condition {
                Condition::all()
            }
        }
    )*};
}
public!(
    city,
    city_name,
    country,
    organization,
    sdg_goal,
    sdg_target,
    urban_agenda_partnership,
    urban_agenda_alias,
    source_document,
    activity_city,
    activity_organization,
    expected_result_city,
    expected_result_organization,
    mou_party,
    plan_activity,
    plan_mou
);
