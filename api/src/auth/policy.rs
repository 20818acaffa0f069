//! The one policy: what a caller may read and do. Resolvers, loaders, search and counts take their
//! row conditions from [`Guarded::readable`] and their permissions from [`Permission`]; nothing else
//! in the service decides visibility.
//!
//! Reading: anonymous callers see published plans and their published records; a token of
//! organization X also sees drafts and non-public fields (contacts, internal notes, internal data
//! issues) of the plans X takes part in; admins see everything. A record a caller may not read does
//! not exist for it (NOT_FOUND, never FORBIDDEN), and no count includes it.

use std::sync::Arc;

use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::{Role, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::ids::NodeKind;
use crate::settings::Environment;
use entity::enums::PlanStatus;
use entity::{
    activity, change_event, change_event_plan, contact, data_issue, expected_result, mou, plan,
    plan_activity, plan_mou, plan_participant, plan_partner_city, plan_sdg_goal, plan_sdg_target,
    plan_urban_agenda, statement, theme,
};

/// Which plans' non-public data a caller reads, resolved once per request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Admins: every record.
    All,
    /// Published records only.
    Public,
    /// Published records, plus everything of these plans (sorted ids) in which the caller's
    /// organizations take part.
    Member(Arc<[i64]>),
}

impl Scope {
    /// The scope of a caller: one query for a token of organizations, none otherwise.
    pub async fn of(viewer: &Viewer, db: &DatabaseConnection) -> ApiResult<Self> {
        let Viewer::Token(token) = viewer else {
            return Ok(Self::Public);
        };
        if token.role == Role::Admin {
            return Ok(Self::All);
        }
        if token.organizations.is_empty() {
            return Ok(Self::Public);
        }
        let mut plans: Vec<i64> = plan_participant::Entity::find()
            .filter(plan_participant::Column::OrganizationId.is_in(token.organizations.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.plan_id)
            .collect();
        plans.sort_unstable();
        plans.dedup();
        Ok(Self::Member(plans.into()))
    }

    /// Whether the caller reads the non-public data of plan `plan_id`.
    pub fn reads_private_of(&self, plan_id: i64) -> bool {
        match self {
            Self::All => true,
            Self::Public => false,
            Self::Member(plans) => plans.binary_search(&plan_id).is_ok(),
        }
    }

    /// Whether the caller reads the non-public data of any of `plans`.
    pub fn reads_private_of_any(&self, plans: impl IntoIterator<Item = i64>) -> bool {
        match self {
            Self::All => true,
            Self::Public => false,
            _ => plans.into_iter().any(|p| self.reads_private_of(p)),
        }
    }

    /// A non-public value of a record listed by `plans`: itself for their organizations, else None.
    pub fn private<'a, T: ?Sized>(
        &self,
        value: Option<&'a T>,
        plans: impl IntoIterator<Item = i64>,
    ) -> Option<&'a T> {
        value.filter(|_| self.reads_private_of_any(plans))
    }

    /// Whether this scope reads everything `other` reads: a long-lived reader (a subscription)
    /// resolved with `other` may go on under this one.
    pub fn covers(&self, other: &Scope) -> bool {
        match (self, other) {
            (Self::All, _) | (_, Self::Public) => true,
            (Self::Member(mine), Self::Member(theirs)) => {
                theirs.iter().all(|p| mine.binary_search(p).is_ok())
            }
            _ => false,
        }
    }

    /// Whether the caller sees a change-feed entry that is `public` and concerns `plans`: the
    /// in-memory twin of `change_event`'s [`Guarded::readable`], for live notices.
    pub fn reads_change(&self, public: bool, plans: impl IntoIterator<Item = i64>) -> bool {
        public || self.reads_private_of_any(plans)
    }

    fn member_plans(&self) -> Vec<i64> {
        match self {
            Self::Member(plans) => plans.to_vec(),
            _ => Vec::new(),
        }
    }
}

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

/// Whether anonymous readers see a plan of this status (and, with it, its parts).
pub fn plan_is_public(status: PlanStatus) -> bool {
    status == PlanStatus::Published
}

/// Whether records of `kind` are reference data of no plan in particular, public to everybody
/// (cities, organizations).
pub fn is_reference_data(kind: NodeKind) -> bool {
    matches!(kind, NodeKind::City | NodeKind::Organization)
}

/// Whether anonymous readers see a record of `kind` listed by `plans` (a plan: itself), `draft`
/// saying whether it is a draft: reference data (cities, organizations) always; anything else when
/// it is no draft and one of its plans is published. A write asks about the record before and
/// after its change (a record that stops being public reaches public mirrors as a tombstone).
pub async fn record_is_public(
    conn: &impl ConnectionTrait,
    kind: NodeKind,
    plans: &[i64],
    draft: bool,
) -> Result<bool, DbErr> {
    if is_reference_data(kind) {
        return Ok(true);
    }
    if draft || plans.is_empty() {
        return Ok(false);
    }
    Ok(plan::Entity::find()
        .filter(plan::Column::Id.is_in(plans.iter().copied()))
        .filter(plan::Column::Status.eq(PlanStatus::Published))
        .one(conn)
        .await?
        .is_some())
}

/// Fields of a record that only callers reading its plans' private data see (plan contacts and
/// internal notes). The change feed names them to those callers only.
fn private_fields(kind: NodeKind) -> &'static [&'static str] {
    match kind {
        NodeKind::Plan => &["internalNote", "contacts"],
        NodeKind::Activity | NodeKind::Mou => &["internalNote"],
        _ => &[],
    }
}

/// Fields every update moves: they say something only beside another field.
const BOOKKEEPING: &[&str] = &["version"];

/// The fields of a change of a `kind` record that a caller who does not read its plans' private
/// data may see: none of the private ones, and no bookkeeping when nothing else is left (an
/// update of private fields only shows no field at all).
pub fn public_fields<S: AsRef<str>>(kind: NodeKind, fields: &[S]) -> Vec<&str> {
    let private = private_fields(kind);
    let shown: Vec<&str> = fields
        .iter()
        .map(AsRef::as_ref)
        .filter(|f| !private.contains(f))
        .collect();
    if shown.iter().all(|f| BOOKKEEPING.contains(f)) && shown.len() < fields.len() {
        return Vec::new();
    }
    shown
}

/// Whether a change-feed entry is shown to callers who do not read its plans' private data: its
/// record is public, and it is not an update of private fields only (which would tell them that
/// a private value changed, and when).
pub fn change_is_public<S: AsRef<str>>(
    kind: NodeKind,
    update: bool,
    record_public: bool,
    fields: &[S],
) -> bool {
    record_public && !(update && !fields.is_empty() && public_fields(kind, fields).is_empty())
}

/// What a caller may do beyond reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Organizations, participants, tokens, the audit log, plans themselves, cities, code lists.
    Administer,
    /// Records of plans (activities, MoUs, expected results, themes, …): admins for every plan,
    /// editors for the plans their organizations take part in (see [`Viewer::require_plans`]).
    Edit,
}

impl Viewer {
    /// Ok when the caller holds `permission`; anonymous callers are UNAUTHENTICATED, others FORBIDDEN.
    pub fn require(&self, permission: Permission) -> ApiResult<()> {
        let Viewer::Token(token) = self else {
            return Err(ApiError::Unauthenticated);
        };
        let granted = match permission {
            Permission::Administer => token.role == Role::Admin,
            Permission::Edit => matches!(token.role, Role::Admin | Role::Editor),
        };
        if granted {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Ok when the caller may write a record listed by every one of `plans`: admins always, editors
    /// when each plan is one their organizations take part in (a record shared with a plan outside
    /// them is an admin's to change). A record of no plan is an admin's too.
    pub fn require_plans(&self, scope: &Scope, plans: &[i64]) -> ApiResult<()> {
        self.require_write(Permission::Edit)?;
        let granted = match scope {
            Scope::All => true,
            Scope::Public => false,
            Scope::Member(_) => {
                !plans.is_empty() && plans.iter().all(|p| scope.reads_private_of(*p))
            }
        };
        if granted {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Ok when the caller may sign (or end) an MoU whose organization parties are `parties`: an
    /// admin, or an editor of one of those organizations.
    pub fn require_party(&self, parties: &[i64]) -> ApiResult<()> {
        self.require_write(Permission::Edit)?;
        let token = self.token().ok_or(ApiError::ForbiddenAnonymous)?;
        if token.role == Role::Admin || token.organizations.iter().any(|o| parties.contains(o)) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

impl Viewer {
    /// Ok when the caller may write with `permission`. Writing is never open to the public, so an
    /// anonymous caller is FORBIDDEN here (as any caller without the role), with a hint to
    /// authenticate.
    pub fn require_write(&self, permission: Permission) -> ApiResult<()> {
        match self {
            Viewer::Anonymous => Err(ApiError::ForbiddenAnonymous),
            Viewer::Token(_) => self.require(permission),
        }
    }
}

impl Viewer {
    /// Whether the caller may look at the schema itself: introspection, "Did you mean …?" hints
    /// and GraphiQL. Anyone in development; in production admins only, so that probing the API
    /// for what it has takes a token.
    pub fn may_inspect_schema(&self, env: Environment) -> bool {
        env == Environment::Development || self.require(Permission::Administer).is_ok()
    }
}

/// A GraphQL guard for mutations that need a permission (see [`Viewer::require_write`]).
pub struct Writes(pub Permission);

impl async_graphql::Guard for Writes {
    async fn check(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<()> {
        let viewer = ctx.data::<Viewer>()?;
        viewer.require_write(self.0).map_err(Into::into)
    }
}

/// A GraphQL guard for fields that need a permission.
pub struct Requires(pub Permission);

impl async_graphql::Guard for Requires {
    async fn check(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<()> {
        let viewer = ctx.data::<Viewer>()?;
        viewer.require(self.0).map_err(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_fields_are_left_out_and_a_change_of_nothing_else_is_not_public() {
        let mixed = ["title", "internalNote", "version"];
        assert_eq!(
            public_fields(NodeKind::Activity, &mixed),
            ["title", "version"]
        );
        let private = ["internalNote", "version"];
        assert!(public_fields(NodeKind::Plan, &private).is_empty());
        assert!(!change_is_public(NodeKind::Plan, true, true, &private));
        assert!(change_is_public(NodeKind::Plan, true, true, &mixed));
        assert!(change_is_public(NodeKind::Plan, false, true, &private));
        assert!(!change_is_public(NodeKind::Plan, true, false, &mixed));
        assert_eq!(public_fields(NodeKind::City, &["version"]), ["version"]);
    }

    #[test]
    fn a_scope_covers_the_scopes_that_read_less() {
        let member = |p: &[i64]| Scope::Member(p.to_vec().into());
        assert!(Scope::All.covers(&member(&[1])));
        assert!(member(&[1, 2]).covers(&member(&[2])));
        assert!(member(&[]).covers(&Scope::Public));
        assert!(!member(&[2]).covers(&member(&[1, 2])));
        assert!(!Scope::Public.covers(&member(&[1])));
        assert!(!member(&[1]).covers(&Scope::All));
    }
}
