//! An organization named in a text or an input ("University of Bologna"), found or made the one
//! way both the importer and the mutations that take organizations by name do.

use async_graphql::{ID, InputObject, OneofObject};
use sea_orm::{ActiveValue, ColumnTrait, DbErr, EntityTrait, QueryFilter};

use super::write::{FIELDS, org_entry};
use crate::auth::Permission;
use crate::domain::text::name_key;
use crate::error::ApiResult;
use crate::graphql::city::place::CityRefInput;
use crate::graphql::enums;
use crate::graphql::ids::NodeKind;
use crate::graphql::write::{self, Diff, Entry, Named, Operation, Rows, Write};
use entity::enums::OrganizationKind;
use entity::{organization, organization_alias};

/// The organization called `name` (whatever its case, accents and spacing), or the one a merged
/// duplicate of that name went into.
async fn found(w: &Rows<'_>, key: &str) -> Result<Option<i64>, DbErr> {
    let own = organization::Entity::find()
        .filter(organization::Column::NameKey.eq(key))
        .one(w.txn)
        .await?;
    if let Some(row) = own {
        return Ok(Some(row.id));
    }
    let alias = organization_alias::Entity::find()
        .filter(organization_alias::Column::NameKey.eq(key))
        .one(w.txn)
        .await?;
    Ok(alias.map(|a| a.organization_id))
}

/// The organization called `name` (whatever its case, accents and spacing), or the one a merged
/// duplicate of that name went into, as it is; else a new one of `kind` based in `city`. A found
/// one takes the given spelling, and `city` when it has none. Returns its id.
pub async fn organization(
    w: &mut Rows<'_>,
    name: &str,
    kind: OrganizationKind,
    city: Option<i64>,
) -> Result<i64, DbErr> {
    let key = name_key(name);
    let existing = organization::Entity::find()
        .filter(organization::Column::NameKey.eq(&key))
        .one(w.txn)
        .await?;
    if existing.is_none()
        && let Some(id) = found(w, &key).await?
    {
        w.tally.unchanged += 1;
        return Ok(id);
    }
    Ok(save(w, name, &key, kind, city, existing).await?.id)
}

/// Writes organization `name` (key `key`): `existing` takes the given spelling, and `city` when
/// it has none; none: a new one of `kind`.
async fn save(
    w: &mut Rows<'_>,
    name: &str,
    key: &str,
    kind: OrganizationKind,
    city: Option<i64>,
    existing: Option<organization::Model>,
) -> Result<organization::Model, DbErr> {
    w.upsert::<organization::ActiveModel>("organizations", existing, |o| {
        o.name.set_if_not_equals(name.to_owned());
        o.name_key.set_if_not_equals(key.to_owned());
        if o.kind.is_not_set() {
            o.kind = ActiveValue::Set(kind);
        }
        if o.city_id.is_not_set() || matches!(&o.city_id, ActiveValue::Unchanged(None)) {
            o.city_id.set_if_not_equals(city);
        }
    })
    .await
}

/// The kind a name says ("… University", "… GmbH"), [`OrganizationKind::Other`] when none.
pub fn guess_kind(name: &str) -> OrganizationKind {
    let key = name_key(name);
    let has = |w: &str| key.split(' ').any(|t| t == w);
    if has("university")
        || has("universita")
        || has("universidad")
        || has("institute")
        || has("academy")
    {
        OrganizationKind::University
    } else if has("hospital") || has("clinic") {
        OrganizationKind::Hospital
    } else if has("district") || has("ddg") || has("zone") {
        OrganizationKind::District
    } else if has("municipality")
        || has("municipal")
        || has("government")
        || has("city") && has("council")
    {
        OrganizationKind::Municipality
    } else if has("iuc") || has("iurc") || has("agency") || has("office") || has("commission") {
        OrganizationKind::Agency
    } else if has("network") || has("cluster") || has("association") || has("chamber") {
        OrganizationKind::Network
    } else if has("company")
        || has("ltd")
        || has("gmbh")
        || has("inc")
        || has("spa")
        || has("group")
    {
        OrganizationKind::Company
    } else {
        OrganizationKind::Other
    }
}

/// An organization of an input: an existing one by ID, or one by name.
#[derive(OneofObject)]
pub enum OrganizationRefInput {
    /// An existing organization.
    Id(ID),
    /// An organization by name, found as the importer finds it (whatever its case, accents and
    /// spacing, or a merged duplicate's name), else made (admins only).
    Named(NamedOrganizationInput),
}

/// An organization by name, and what a new one is.
#[derive(InputObject)]
pub struct NamedOrganizationInput {
    /// Its name, 1–200 characters.
    pub name: String,
    /// Its kind when it is new (default: what the name says, "… University" a university, else
    /// OTHER).
    pub kind: Option<enums::OrganizationKind>,
    /// The city where a new one is based.
    pub city: Option<CityRefInput>,
}

impl Named for OrganizationRefInput {
    /// What was made: the organization, and its city when that was made too.
    async fn resolve(self, w: &Write, field: &str) -> ApiResult<(ID, Vec<Entry>)> {
        let named = match self {
            Self::Id(id) => return Ok((id, Vec::new())),
            Self::Named(named) => named,
        };
        let field = write::field_in(field, "named");
        let (name, key) = write::name(&write::field_in(&field, "name"), &named.name)?;
        let mut rows = Rows::new(&w.txn);
        if let Some(id) = found(&rows, &key).await? {
            return Ok((NodeKind::Organization.id(id), Vec::new()));
        }
        // Making an organization is an admin's decision, like createOrganization.
        w.require(Permission::Administer)?;
        let mut entries = Vec::new();
        let city = match named.city {
            Some(city) => {
                let field = write::field_in(&field, "city");
                let (id, made) = city.resolve(w, &field).await?;
                entries.extend(made);
                Some(crate::graphql::write::city_id(w, &id, &field).await?)
            }
            None => None,
        };
        let kind = named
            .kind
            .map(Into::into)
            .unwrap_or_else(|| guess_kind(&name));
        let row = save(&mut rows, &name, &key, kind, city, None).await?;
        let id = row.id;
        let mut diff = Diff::default();
        diff.record(None, Some(&row), FIELDS);
        entries.push(org_entry(id, Operation::Created, diff));
        Ok((NodeKind::Organization.id(id), entries))
    }
}
