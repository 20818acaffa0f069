//! Trusted issuers: partner identity providers (OpenID Connect) whose access tokens ucap accepts
//! beside its own. Read from the file `trusted_issuers_file` (TOML, or JSON when it ends in
//! `.json`) and checked once at start-up, so that a typo stops the service with the field named
//! instead of refusing every partner token later.

use std::path::Path;
use std::str::FromStr;

use jsonwebtoken::Algorithm;
use serde::Deserialize;

use entity::enums::Role;

/// One trusted identity provider, as checked at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedIssuer {
    /// `iss` of its tokens, exactly; its discovery document is under
    /// `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    /// `aud` its tokens must hold (exactly, or among the members of an array).
    pub audience: String,
    /// Where its keys are published; `None`: read `jwks_uri` from the discovery document.
    pub jwks_uri: Option<String>,
    /// Signature algorithms accepted from it: asymmetric ones only.
    pub algorithms: Vec<Algorithm>,
    pub mapping: ClaimMapping,
}

/// How an issuer's claims become a ucap role and organizations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimMapping {
    /// Claim (a dotted path such as `realm_access.roles`) holding ucap role names.
    pub role_claim: Option<String>,
    /// Claim holding organization names or IDs.
    pub organizations_claim: Option<String>,
    /// Whether `organizations_claim` holds names or ucap organization IDs.
    pub organizations_by: OrganizationKey,
    /// The role of a token whose claims name none.
    pub default_role: Option<Role>,
    /// Claim values that grant organizations and a role (Keycloak groups, Entra app roles …).
    pub rules: Vec<MappingRule>,
}

/// How claim values name an organization.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrganizationKey {
    /// The organization's name (compared as ucap compares names: case and accents aside).
    #[default]
    Name,
    /// The organization's ID as the API shows it (`T3JnYW5pemF0aW9uOjE`), or its number.
    Id,
}

/// One row of a mapping table: a token whose `claim` holds `value` acts for `organizations` (by
/// name) with `role`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRule {
    pub claim: String,
    pub value: String,
    pub organizations: Vec<String>,
    pub role: Option<Role>,
}

/// Why the trusted issuers cannot be used; the message names the file and the field.
#[derive(Debug, thiserror::Error)]
#[error("trusted issuers file {file}: {message}")]
pub struct IssuersError {
    pub file: String,
    pub message: String,
}

/// The file as written; checked into [`TrustedIssuer`]s by [`load`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default, rename = "issuer")]
    issuers: Vec<RawIssuer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIssuer {
    issuer: String,
    audience: String,
    #[serde(default)]
    jwks_uri: Option<String>,
    algorithms: Vec<String>,
    #[serde(default)]
    role_claim: Option<String>,
    #[serde(default)]
    organizations_claim: Option<String>,
    #[serde(default)]
    organizations_by: OrganizationKey,
    #[serde(default)]
    default_role: Option<String>,
    #[serde(default, rename = "map")]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    claim: String,
    value: String,
    #[serde(default)]
    organizations: Vec<String>,
    #[serde(default)]
    role: Option<String>,
}

/// Reads and checks the trusted issuers of `path`.
pub fn load(path: &Path) -> Result<Vec<TrustedIssuer>, IssuersError> {
    let error = |message: String| IssuersError {
        file: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read: {e}")))?;
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    parse(&text, json).map_err(error)
}

/// Parses and checks a trusted issuers document (TOML, or JSON when `json`).
pub fn parse(text: &str, json: bool) -> Result<Vec<TrustedIssuer>, String> {
    let file: File = if json {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| format!("at `{}`: {}", e.path(), e))?
    } else {
        figment::Figment::from(
            <figment::providers::Toml as figment::providers::Format>::string(text),
        )
        .extract()
        .map_err(|e| e.to_string())?
    };
    let mut seen = std::collections::HashSet::new();
    let mut issuers = Vec::with_capacity(file.issuers.len());
    for (i, raw) in file.issuers.into_iter().enumerate() {
        let issuer =
            check(raw).map_err(|(field, message)| format!("issuer[{i}].{field}: {message}"))?;
        if !seen.insert(issuer.issuer.clone()) {
            return Err(format!(
                "issuer[{i}].issuer: `{}` is listed twice",
                issuer.issuer
            ));
        }
        issuers.push(issuer);
    }
    Ok(issuers)
}

type FieldError = (String, String);

fn check(raw: RawIssuer) -> Result<TrustedIssuer, FieldError> {
    let field = |name: &str, message: String| (name.to_owned(), message);
    check_url(&raw.issuer).map_err(|m| field("issuer", m))?;
    if raw.audience.trim().is_empty() {
        return Err(field("audience", "must not be empty".to_owned()));
    }
    if let Some(uri) = &raw.jwks_uri {
        check_url(uri).map_err(|m| field("jwks_uri", m))?;
    }
    if raw.algorithms.is_empty() {
        return Err(field(
            "algorithms",
            "name at least one algorithm".to_owned(),
        ));
    }
    let algorithms = raw
        .algorithms
        .iter()
        .map(|a| algorithm(a))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|m| field("algorithms", m))?;
    let default_role = raw
        .default_role
        .as_deref()
        .map(role)
        .transpose()
        .map_err(|m| field("default_role", m))?;
    let mut rules = Vec::with_capacity(raw.rules.len());
    for (j, rule) in raw.rules.into_iter().enumerate() {
        let at = |name: &str| format!("map[{j}].{name}");
        if rule.claim.trim().is_empty() {
            return Err((at("claim"), "must not be empty".to_owned()));
        }
        if rule.organizations.is_empty() && rule.role.is_none() {
            return Err((
                at("organizations"),
                "a rule grants organizations, a role or both".to_owned(),
            ));
        }
        let role = rule
            .role
            .as_deref()
            .map(role)
            .transpose()
            .map_err(|m| (at("role"), m))?;
        rules.push(MappingRule {
            claim: rule.claim,
            value: rule.value,
            organizations: rule.organizations,
            role,
        });
    }
    let mapping = ClaimMapping {
        role_claim: raw.role_claim,
        organizations_claim: raw.organizations_claim,
        organizations_by: raw.organizations_by,
        default_role,
        rules,
    };
    if mapping.role_claim.is_none()
        && mapping.default_role.is_none()
        && mapping.rules.iter().all(|r| r.role.is_none())
    {
        return Err(field(
            "role_claim",
            "no role can come from this issuer: set role_claim, default_role or a map rule's role"
                .to_owned(),
        ));
    }
    Ok(TrustedIssuer {
        issuer: raw.issuer,
        audience: raw.audience,
        jwks_uri: raw.jwks_uri,
        algorithms,
        mapping,
    })
}

/// An https URL; plain http only on the loopback interface (a local provider, tests).
fn check_url(url: &str) -> Result<(), String> {
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
            return Err(format!(
                "`{url}` must be https (http is for localhost only)"
            ));
        }
        rest
    } else {
        return Err(format!("`{url}` is not an https URL"));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("`{url}` has no host"));
    }
    Ok(())
}

/// An asymmetric signature algorithm. HMAC needs a secret shared with the provider (and a
/// public key used as one forges tokens), and `none` signs nothing: both are refused.
fn algorithm(name: &str) -> Result<Algorithm, String> {
    let alg = Algorithm::from_str(name).map_err(|_| {
        format!("`{name}` is not a signature algorithm (RS256, PS256, ES256, EdDSA …)")
    })?;
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Err(format!(
            "`{name}` is refused: only asymmetric algorithms (RS*, PS*, ES*, EdDSA) are trusted"
        )),
        other => Ok(other),
    }
}

/// A role by its name in the API (`VIEWER`, `EDITOR`, `ADMIN`), any case.
pub fn role(name: &str) -> Result<Role, String> {
    match name.trim().to_ascii_uppercase().as_str() {
        "VIEWER" => Ok(Role::Viewer),
        "EDITOR" => Ok(Role::Editor),
        "ADMIN" => Ok(Role::Admin),
        _ => Err(format!("`{name}` is not a role (VIEWER, EDITOR or ADMIN)")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const KEYCLOAK: &str = r#"
        [[issuer]]
        issuer = "https://sso.example.org/realms/partners"
        audience = "ucap-api"
        algorithms = ["RS256", "ES256"]
        role_claim = "realm_access.roles"
        organizations_claim = "ucap_organizations"

        [[issuer.map]]
        claim = "groups"
        value = "/ucap/lyon"
        organizations = ["Lyon"]
        role = "editor"
    "#;

    #[test]
    fn a_keycloak_style_issuer_is_read() {
        let issuers = parse(KEYCLOAK, false).unwrap();
        assert_eq!(issuers.len(), 1);
        let i = &issuers[0];
        assert_eq!(i.algorithms, [Algorithm::RS256, Algorithm::ES256]);
        assert_eq!(i.mapping.rules[0].role, Some(Role::Editor));
        assert_eq!(i.mapping.organizations_by, OrganizationKey::Name);
    }

    #[test]
    fn hmac_and_none_are_refused_naming_the_field() {
        for alg in ["HS256", "HS512", "none"] {
            let text = KEYCLOAK.replace("\"RS256\", \"ES256\"", &format!("\"{alg}\""));
            let err = parse(&text, false).unwrap_err();
            assert!(err.contains("issuer[0].algorithms"), "{err}");
        }
    }

    #[test]
    fn plain_http_is_for_localhost_only() {
        let text = KEYCLOAK.replace("https://sso", "http://sso");
        assert!(
            parse(&text, false)
                .unwrap_err()
                .contains("issuer[0].issuer")
        );
        let local = KEYCLOAK.replace("https://sso.example.org", "http://127.0.0.1:8081");
        assert!(parse(&local, false).is_ok());
    }

    #[test]
    fn unknown_fields_roles_and_roleless_issuers_are_refused() {
        let typo = KEYCLOAK.replace("role_claim", "roles_claim");
        assert!(parse(&typo, false).unwrap_err().contains("roles_claim"));
        let bad_role = KEYCLOAK.replace("\"editor\"", "\"owner\"");
        assert!(parse(&bad_role, false).unwrap_err().contains("map[0].role"));
        let json = r#"{"issuer":[{"issuer":"https://login.example.com/t/v2.0","audience":"a","algorithms":["RS256"]}]}"#;
        assert!(
            parse(json, true)
                .unwrap_err()
                .contains("issuer[0].role_claim")
        );
    }
}
