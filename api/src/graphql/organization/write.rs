//! Organization writes: create, update and delete an organization (admins), and the
//! participants of a plan (which organizations take part, and as what).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::graphql::enums::OrganizationKind;
use crate::graphql::ids::{NodeKind, decode_int};

use super::Organization;
use crate::auth::{Permission, Writes, policy};
use crate::error::{ApiError, ApiResult};
use crate::graphql::write::{
    self, DeletePayload, Diff, Entry, Fields, Operation, Reference, Write, check_version,
    delete_versioned, save_versioned,
};
use crate::graphql::{city, db};
use entity::{
    access_token_organization, activity_organization, expected_result_organization, mou_party,
    organization, plan_participant,
};

/// A new organization.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    /// Name, unique whatever its case, accents and spacing.
    name: String,
    /// Kind of institution.
    kind: OrganizationKind,
    /// The city where it is based.
    city: Option<ID>,
    /// Website (http or https).
    website: Option<String>,
}

/// Changes to an organization; absent fields stay as they are, `null` clears city and website.
#[derive(InputObject)]
pub struct UpdateOrganizationInput {
    /// The organization to change.
    id: ID,
    /// New name.
    name: Option<String>,
    /// New kind.
    kind: Option<OrganizationKind>,
    /// New city, or null for none.
    city: MaybeUndefined<ID>,
    /// New website, or null for none.
    website: MaybeUndefined<String>,
    /// The version read (use the `version` argument instead).
    #[graphql(
        deprecation = "pass the version read as the `version` argument of updateOrganization"
    )]
    expected_version: Option<i32>,
}

/// The organization created or changed.
#[derive(SimpleObject)]
pub struct OrganizationPayload {
    pub(super) organization: Organization,
}

fn checked_website(url: &str) -> ApiResult<String> {
    crate::graphql::write::url("website", url)
}

async fn checked_city(ctx: &Context<'_>, id: &ID) -> ApiResult<i64> {
    let id = decode_int(id, NodeKind::City, "city")?;
    city::load(ctx, id)
        .await?
        .map(|_| id)
        .ok_or_else(|| ApiError::invalid("city", "no such city"))
}

async fn name_taken(ctx: &Context<'_>, key: &str, except: Option<i64>) -> ApiResult<bool> {
    let mut find = organization::Entity::find().filter(organization::Column::NameKey.eq(key));
    if let Some(id) = except {
        find = find.filter(organization::Column::Id.ne(id));
    }
    Ok(find.one(db(ctx)?).await?.is_some())
}

#[derive(Default)]
pub struct OrganizationMutation;

#[Object]
impl OrganizationMutation {
    /// Creates an organization (admins only).
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganizationInput,
    ) -> ApiResult<OrganizationPayload> {
        let (name, key) = crate::graphql::write::name("name", &input.name)?;
        let website = input.website.as_deref().map(checked_website).transpose()?;
        let city_id = match &input.city {
            Some(id) => Some(checked_city(ctx, id).await?),
            None => None,
        };
        if name_taken(ctx, &key, None).await? {
            return Err(ApiError::Conflict(format!(
                "an organization named \"{name}\" exists"
            )));
        }
        let w = Write::begin(ctx, Permission::Administer).await?;
        let row = write::insert_new(
            &w.txn,
            organization::ActiveModel {
                name: Set(name),
                name_key: Set(key),
                kind: Set(input.kind.into()),
                city_id: Set(city_id),
                website: Set(website),
                ..Default::default()
            },
        )
        .await?;
        let mut diff = Diff::default();
        diff.record(None, Some(&row), FIELDS);
        w.commit(vec![org_entry(row.id, Operation::Created, diff)])
            .await?;
        Ok(OrganizationPayload {
            organization: Organization(row),
        })
    }

    /// Changes an organization read at `version` (admins only); CONFLICT with the current version
    /// when it changed meanwhile.
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganizationInput,
        #[graphql(
            desc = "The version read (required; `input.expectedVersion` is its deprecated \
                          spelling)."
        )]
        version: Option<i32>,
    ) -> ApiResult<OrganizationPayload> {
        let id = decode_int(&input.id, NodeKind::Organization, "id")?;
        let read = version.or(input.expected_version).ok_or_else(|| {
            ApiError::invalid(
                "version",
                "the version read is required (optimistic concurrency)",
            )
        })?;
        let w = Write::begin(ctx, Permission::Administer).await?;
        let current = organization::Entity::find_by_id(id)
            .one(&w.txn)
            .await?
            .ok_or(ApiError::NotFound)?;
        check_version(current.version, read)?;
        let mut row: organization::ActiveModel = current.clone().into();
        if let Some(name) = &input.name {
            let (name, key) = crate::graphql::write::name("name", name)?;
            if name_taken(ctx, &key, Some(id)).await? {
                return Err(ApiError::Conflict(format!(
                    "an organization named \"{name}\" exists"
                )));
            }
            row.name.set_if_not_equals(name);
            row.name_key.set_if_not_equals(key);
        }
        if let Some(kind) = input.kind {
            row.kind.set_if_not_equals(kind.into());
        }
        match &input.city {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.city_id.set_if_not_equals(None),
            MaybeUndefined::Value(city) => {
                let city = checked_city(ctx, city).await?;
                row.city_id.set_if_not_equals(Some(city));
            }
        }
        match &input.website {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.website.set_if_not_equals(None),
            MaybeUndefined::Value(url) => {
                row.website.set_if_not_equals(Some(checked_website(url)?))
            }
        }
        if !row.is_changed() {
            w.commit(Vec::new()).await?;
            return Ok(OrganizationPayload {
                organization: Organization(current),
            });
        }
        let updated = save_versioned(&w.txn, row, id, read).await?;
        let mut diff = Diff::default();
        diff.record(Some(&current), Some(&updated), FIELDS);
        w.commit(vec![org_entry(id, Operation::Updated, diff)])
            .await?;
        Ok(OrganizationPayload {
            organization: Organization(updated),
        })
    }

    /// Deletes an organization read at `version` (admins only). An organization still referenced —
    /// by plans it takes part in, activities, expected results, MoUs or tokens — is a CONFLICT
    /// naming what refers to it: end those links first.
    #[graphql(guard = "Writes(Permission::Administer)")]
    async fn delete_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> ApiResult<DeletePayload> {
        let id = decode_int(&id, NodeKind::Organization, "id")?;
        let w = Write::begin(ctx, Permission::Administer).await?;
        let current = organization::Entity::find_by_id(id)
            .one(&w.txn)
            .await?
            .ok_or(ApiError::NotFound)?;
        check_version(current.version, version)?;
        let refs = write::references(&w.txn, id, REFERENCES).await?;
        if !refs.is_empty() {
            return Err(ApiError::Conflict(format!(
                "the organization is still referenced by {}",
                refs.join(", ")
            )));
        }
        delete_versioned::<organization::Entity>(&w.txn, id, version).await?;
        let mut diff = Diff::default();
        diff.record(Some(&current), None, FIELDS);
        w.commit(vec![org_entry(id, Operation::Deleted, diff)])
            .await?;
        Ok(DeletePayload::new(NodeKind::Organization, id))
    }
}

/// The audited fields of an organization.
pub(super) const FIELDS: &Fields<organization::Model> = &[
    ("name", |m| m.name.clone().into()),
    ("kind", |m| m.kind.to_value().into()),
    ("city", |m| NodeKind::City.audit_opt(m.city_id)),
    ("website", |m| m.website.clone().into()),
    ("version", |m| m.version.into()),
];

/// What refers to an organization.
pub(super) const REFERENCES: &[Reference] = &[
    Reference::link(
        &plan_participant::Column::OrganizationId,
        &plan_participant::Column::PlanId,
        "plan participation",
    ),
    Reference::link(
        &activity_organization::Column::OrganizationId,
        &activity_organization::Column::ActivityId,
        "activity",
    ),
    Reference::link(
        &expected_result_organization::Column::OrganizationId,
        &expected_result_organization::Column::ExpectedResultId,
        "expected result",
    ),
    Reference::to(&mou_party::Column::OrganizationId, "MoU party"),
    Reference::link(
        &access_token_organization::Column::OrganizationId,
        &access_token_organization::Column::TokenId,
        "access token",
    ),
];

/// Organizations are public reference data: every reader's feed lists their changes.
pub(super) fn org_entry(id: i64, operation: Operation, diff: Diff) -> Entry {
    let public = policy::is_reference_data(NodeKind::Organization);
    Entry::new(
        NodeKind::Organization,
        id,
        operation,
        Vec::new(),
        public,
        diff,
    )
}
