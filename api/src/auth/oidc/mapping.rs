//! From an issuer's claims to a ucap role and organizations, as its [`ClaimMapping`] says. Every
//! organization named must exist and every role value must be a role: a token whose claims name
//! something ucap does not know is refused (403) with what was not known, rather than served with
//! fewer rights than its bearer expects.

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use serde_json::{Map, Value};

use crate::domain::text::name_key;
use crate::ids::{NodeKind, decode_int};
use crate::settings::issuers::{ClaimMapping, OrganizationKey, role as role_named};
use entity::enums::Role;
use entity::organization;

pub enum MapError {
    /// The claims name an unknown organization or role, or grant nothing; the message says which.
    Refused(String),
    Db(DbErr),
}

impl From<DbErr> for MapError {
    fn from(err: DbErr) -> Self {
        Self::Db(err)
    }
}

/// What the claims grant, before organizations are looked up.
#[derive(Debug, Default, PartialEq, Eq)]
struct Grant {
    roles: Vec<Role>,
    /// Organizations by name (from rules, and from the claim when it holds names).
    names: Vec<String>,
    /// Organizations by ID (from the claim when it holds IDs).
    ids: Vec<String>,
}

/// The role and (sorted) organization ids `claims` map to.
pub async fn map(
    mapping: &ClaimMapping,
    claims: &Map<String, Value>,
    db: &DatabaseConnection,
) -> Result<(Role, Vec<i64>), MapError> {
    let grant = grant(mapping, claims).map_err(MapError::Refused)?;
    let role = least(&grant.roles)
        .or(mapping.default_role)
        .ok_or_else(|| MapError::Refused("the token's claims grant no ucap role".to_owned()))?;
    let mut organizations = by_name(&grant.names, db).await?;
    organizations.extend(by_id(&grant.ids, db).await?);
    organizations.sort_unstable();
    organizations.dedup();
    if organizations.is_empty() && role != Role::Admin {
        return Err(MapError::Refused(
            "the token's claims name no ucap organization".to_owned(),
        ));
    }
    Ok((role, organizations))
}

fn grant(mapping: &ClaimMapping, claims: &Map<String, Value>) -> Result<Grant, String> {
    let mut grant = Grant::default();
    if let Some(claim) = &mapping.role_claim {
        for value in values(claims, claim) {
            let role = role_named(&value).map_err(|_| {
                format!("claim `{claim}` names `{value}`, which is not a ucap role")
            })?;
            grant.roles.push(role);
        }
    }
    if let Some(claim) = &mapping.organizations_claim {
        let found = values(claims, claim);
        match mapping.organizations_by {
            OrganizationKey::Name => grant.names.extend(found),
            OrganizationKey::Id => grant.ids.extend(found),
        }
    }
    for rule in &mapping.rules {
        if values(claims, &rule.claim).contains(&rule.value) {
            grant.names.extend(rule.organizations.iter().cloned());
            grant.roles.extend(rule.role);
        }
    }
    Ok(grant)
}

/// The least of `roles`: a token gets one role for all its organizations, so claims granting
/// several get the one every grant allows.
fn least(roles: &[Role]) -> Option<Role> {
    let rank = |r: &Role| match r {
        Role::Viewer => 0,
        Role::Editor => 1,
        Role::Admin => 2,
    };
    roles.iter().min_by_key(|r| rank(r)).copied()
}

/// The strings of claim `path` (dots walk into objects: `realm_access.roles`): a string, or the
/// strings and numbers of an array.
fn values(claims: &Map<String, Value>, path: &str) -> Vec<String> {
    let mut parts = path.split('.');
    let Some(mut value) = parts.next().and_then(|first| claims.get(first)) else {
        return Vec::new();
    };
    for part in parts {
        match value.get(part) {
            Some(inner) => value = inner,
            None => return Vec::new(),
        }
    }
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match value {
        Value::Array(items) => items.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    }
}

async fn by_name(names: &[String], db: &DatabaseConnection) -> Result<Vec<i64>, MapError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<String> = names.iter().map(|n| name_key(n)).collect();
    let found = organization::Entity::find()
        .filter(organization::Column::NameKey.is_in(keys.clone()))
        .all(db)
        .await?;
    let unknown: Vec<&str> = names
        .iter()
        .zip(&keys)
        .filter(|(_, key)| !found.iter().any(|o| &o.name_key == *key))
        .map(|(name, _)| name.as_str())
        .collect();
    if !unknown.is_empty() {
        return Err(MapError::Refused(format!(
            "no ucap organization is named {}",
            quoted(&unknown)
        )));
    }
    Ok(found.into_iter().map(|o| o.id).collect())
}

async fn by_id(ids: &[String], db: &DatabaseConnection) -> Result<Vec<i64>, MapError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let parsed: Vec<Option<i64>> = ids
        .iter()
        .map(|id| {
            id.parse::<i64>()
                .ok()
                .or_else(|| decode_int(id, NodeKind::Organization, "organization").ok())
        })
        .collect();
    let wanted: Vec<i64> = parsed.iter().flatten().copied().collect();
    let found: Vec<i64> = organization::Entity::find()
        .filter(organization::Column::Id.is_in(wanted))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let unknown: Vec<&str> = ids
        .iter()
        .zip(&parsed)
        .filter(|(_, id)| id.is_none_or(|id| !found.contains(&id)))
        .map(|(raw, _)| raw.as_str())
        .collect();
    if !unknown.is_empty() {
        return Err(MapError::Refused(format!(
            "no ucap organization has the ID {}",
            quoted(&unknown)
        )));
    }
    Ok(found)
}

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::settings::issuers::MappingRule;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn nested_claims_strings_and_arrays_are_read() {
        let c = claims(json!({ "realm_access": { "roles": ["editor", 7] }, "org": "Lyon" }));
        assert_eq!(values(&c, "realm_access.roles"), ["editor", "7"]);
        assert_eq!(values(&c, "org"), ["Lyon"]);
        assert!(values(&c, "realm_access.missing").is_empty());
        assert!(values(&c, "nothing").is_empty());
    }

    #[test]
    fn rules_and_claims_grant_the_least_role_and_every_organization() {
        let mapping = ClaimMapping {
            role_claim: Some("ucap_role".to_owned()),
            organizations_claim: Some("orgs".to_owned()),
            rules: vec![MappingRule {
                claim: "groups".to_owned(),
                value: "/lyon".to_owned(),
                organizations: vec!["Lyon".to_owned()],
                role: Some(Role::Editor),
            }],
            ..ClaimMapping::default()
        };
        let c = claims(json!({ "ucap_role": "admin", "orgs": ["Bologna"], "groups": ["/lyon"] }));
        let g = grant(&mapping, &c).unwrap();
        assert_eq!(least(&g.roles), Some(Role::Editor));
        assert_eq!(g.names, ["Bologna", "Lyon"]);
        let bad = claims(json!({ "ucap_role": "owner" }));
        assert!(grant(&mapping, &bad).unwrap_err().contains("`owner`"));
    }
}
