//! Access tokens of trusted issuers: partner identity providers (OpenID Connect) configured in
//! `trusted_issuers_file`. Such a token is verified against its issuer's published keys (`alg`
//! one the issuer is trusted with, `iss` and `aud` exact, `exp`/`nbf` with the same leeway as
//! ours) and its claims mapped to a ucap role and organizations, so that its bearer gets exactly
//! the rights of a ucap token of that role and those organizations. There is no record to revoke:
//! the provider revokes by not issuing, and a token lives until its `exp`.

mod jwks;
mod mapping;

use std::collections::HashMap;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, Validation};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::jwt::{self, LEEWAY_SECONDS, TokenError};
use super::tokens::Refusal;
use super::{Bearer, TokenViewer};
use crate::settings::TrustedIssuer;
use jwks::{IssuerKeys, KeyLookupError};

/// The trusted issuers, by `iss`. Cheap to share.
#[derive(Default)]
pub struct Federation {
    issuers: HashMap<String, Issuer>,
}

struct Issuer {
    config: TrustedIssuer,
    keys: IssuerKeys,
}

impl Federation {
    pub fn new(issuers: &[TrustedIssuer], refresh_interval: std::time::Duration) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .unwrap_or_default();
        Self {
            issuers: issuers
                .iter()
                .map(|config| {
                    let keys = IssuerKeys::new(
                        config.issuer.clone(),
                        config.jwks_uri.clone(),
                        http.clone(),
                        refresh_interval,
                    );
                    (
                        config.issuer.clone(),
                        Issuer {
                            config: config.clone(),
                            keys,
                        },
                    )
                })
                .collect(),
        }
    }

    /// Verifies `token` when it says it comes from a trusted issuer; `None` for any other token
    /// (ucap's own, or a stranger's), which the caller checks as its own.
    pub async fn authenticate(
        &self,
        token: &str,
        db: &DatabaseConnection,
    ) -> Option<Result<TokenViewer, Refusal>> {
        if self.issuers.is_empty() {
            return None;
        }
        // Unverified: the claimed `iss` only picks the keys the signature must verify with.
        let issuer = self.issuers.get(&claimed_issuer(token)?)?;
        Some(
            issuer
                .authenticate(token, db)
                .await
                .map_err(|reason| Refusal::FromIssuer {
                    issuer: issuer.config.issuer.clone(),
                    reason: Box::new(reason),
                }),
        )
    }
}

impl Issuer {
    async fn authenticate(
        &self,
        token: &str,
        db: &DatabaseConnection,
    ) -> Result<TokenViewer, Refusal> {
        let (alg, kid) = header(token)?;
        if !self.config.algorithms.contains(&alg) {
            return Err(TokenError::Algorithm.into());
        }
        let key = self.keys.key(kid.as_deref()).await.map_err(|e| match e {
            KeyLookupError::UnknownKid => Refusal::Invalid(TokenError::KeyId),
            KeyLookupError::Unreachable(reason) => Refusal::IssuerKeys(reason),
        })?;
        if !key.fits(alg) {
            return Err(TokenError::Algorithm.into());
        }
        let mut validation = Validation::new(alg);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation)
            .map_err(jwt::refusal)?
            .claims;

        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(TokenError::Claims)?;
        let now = Utc::now().timestamp();
        let leeway = LEEWAY_SECONDS.cast_signed();
        if claims
            .get("iat")
            .and_then(Value::as_i64)
            .is_some_and(|iat| iat > now.saturating_add(leeway))
        {
            return Err(TokenError::IssuedInFuture.into());
        }
        let expires_at = claims
            .get("exp")
            .and_then(Value::as_i64)
            .and_then(|exp| DateTime::from_timestamp(exp, 0))
            .ok_or(TokenError::Claims)?;

        let (role, organizations) = mapping::map(&self.config.mapping, &claims, db)
            .await
            .map_err(|e| match e {
                mapping::MapError::Refused(message) => Refusal::Unmapped(message),
                mapping::MapError::Db(err) => Refusal::Unavailable(err.to_string()),
            })?;
        Ok(TokenViewer {
            bearer: Bearer::Federated {
                issuer: self.config.issuer.as_str().into(),
                subject: subject.into(),
            },
            role,
            organizations,
            expires_at,
            operations: None,
        })
    }
}

/// The `iss` a token claims, read without verifying anything.
fn claimed_issuer(token: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Iss {
        iss: String,
    }
    let payload = token.split('.').nth(1)?;
    let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice::<Iss>(&json).ok().map(|c| c.iss)
}

/// The header's `alg` and `kid` (if any). A derived struct refuses duplicate members, so a header
/// cannot be read two ways; `Algorithm::from_str` knows no `none`.
fn header(token: &str) -> Result<(Algorithm, Option<String>), TokenError> {
    #[derive(Deserialize)]
    struct JoseHeader {
        alg: String,
        #[serde(default)]
        kid: Option<String>,
    }
    let encoded = token.split('.').next().ok_or(TokenError::Malformed)?;
    let json = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| TokenError::Malformed)?;
    let header: JoseHeader = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
    let alg = Algorithm::from_str(&header.alg).map_err(|_| TokenError::Algorithm)?;
    let kid = header.kid.filter(|k| !k.is_empty());
    Ok((alg, kid))
}
