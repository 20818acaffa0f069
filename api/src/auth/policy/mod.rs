//! The one policy: what a caller may read and do. Resolvers, loaders, search and counts take their
//! row conditions from [`Guarded::readable`] and their permissions from [`Permission`]; nothing else
//! in the service decides visibility.
//!
//! Reading: anonymous callers see published plans and their published records; a token of
//! organization X also sees drafts and non-public fields (contacts, internal notes, internal data
//! issues) of the plans X takes part in; admins see everything. A record a caller may not read does
//! not exist for it (NOT_FOUND, never FORBIDDEN), and no count includes it.
//!
//! Here: the caller's [`Scope`] and what it may do ([`Permission`]); the row conditions per table
//! are in `rows`, who sees a change (public records, private fields) in `changes`.

mod changes;
mod rows;

use std::sync::Arc;

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::{Role, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::settings::Environment;
use entity::plan_participant;

pub use changes::{
    change_is_public, is_reference_data, plan_is_public, public_fields, record_is_public,
};
pub use rows::{Guarded, activity_of_readable_plan, mou_of_readable_plan, readable_plan_ids};

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
        Ok(Self::of_organizations(db, &token.organizations).await?)
    }

    /// The scope of an EDITOR or VIEWER acting for `organizations` (what a webhook endpoint of an
    /// organization receives), read through `conn` (a writer's transaction, too).
    pub async fn of_organizations(
        conn: &impl ConnectionTrait,
        organizations: &[i64],
    ) -> Result<Self, DbErr> {
        let mut plans: Vec<i64> = plan_participant::Entity::find()
            .filter(plan_participant::Column::OrganizationId.is_in(organizations.to_vec()))
            .all(conn)
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

    /// Ok when the caller may name `organizations` as the ones that report a record (an
    /// activity, an expected result): an admin any, an editor only its own.
    pub fn require_reporters(&self, organizations: &[i64]) -> ApiResult<()> {
        self.require_write(Permission::Edit)?;
        let token = self.token().ok_or(ApiError::ForbiddenAnonymous)?;
        if token.role == Role::Admin
            || organizations
                .iter()
                .all(|o| token.organizations.contains(o))
        {
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
    /// Whether the caller may look at the schema itself: introspection, "Did you mean …?" hints,
    /// `/schema.graphql` and GraphiQL. Anyone while the schema is public (`public_schema`, the
    /// default: it is the published contract) or in development; otherwise admins only, for
    /// operators who want probing the API for what it has to take a token.
    pub fn may_inspect_schema(&self, env: Environment, public_schema: bool) -> bool {
        public_schema
            || env == Environment::Development
            || self.require(Permission::Administer).is_ok()
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
