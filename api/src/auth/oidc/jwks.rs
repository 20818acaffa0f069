//! The published keys of one trusted issuer: found through OpenID Connect discovery (or given),
//! fetched on first use, fetched again when a token names a key not yet seen (the provider
//! rotated its keys) but at most once a minute (`trusted_issuers_refresh_interval`), so that tokens with made-up `kid`s cannot make us
//! hammer the provider. A provider that cannot be reached leaves its tokens refused, nothing else.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

/// Longest a discovery or JWKS fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest discovery document or key set read.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// A usable verification key: what it verifies with and which algorithms it may be used with.
#[derive(Clone)]
pub struct VerifyingKey {
    pub key: Arc<DecodingKey>,
    /// The key's own `alg`, when it names one: then only that algorithm.
    alg: Option<Algorithm>,
    params: AlgorithmParameters,
}

impl VerifyingKey {
    /// Whether a token signed with `alg` may be checked with this key: the key's type (and curve)
    /// must be the algorithm's, and its `alg`, when it has one, the same.
    pub fn fits(&self, alg: Algorithm) -> bool {
        if self.alg.is_some_and(|own| own != alg) {
            return false;
        }
        match (&self.params, alg) {
            (
                AlgorithmParameters::RSA(_),
                Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512,
            ) => true,
            (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES256) => {
                ec.curve == EllipticCurve::P256
            }
            (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES384) => {
                ec.curve == EllipticCurve::P384
            }
            (AlgorithmParameters::OctetKeyPair(okp), Algorithm::EdDSA) => {
                okp.curve == EllipticCurve::Ed25519
            }
            _ => false,
        }
    }
}

/// Why no key could be had for a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyLookupError {
    /// The keys cannot be fetched (now, or at the last attempt less than a minute ago).
    #[error("the issuer's keys cannot be fetched: {0}")]
    Unreachable(String),
    /// The keys were fetched; none has this `kid`.
    #[error("the issuer publishes no signing key with this kid")]
    UnknownKid,
}

/// The cached keys of one issuer.
pub struct IssuerKeys {
    issuer: String,
    /// Given in the configuration; else discovered (and kept once found).
    jwks_uri: RwLock<Option<String>>,
    http: reqwest::Client,
    /// Shortest time between two fetches.
    refresh_interval: Duration,
    keys: RwLock<HashMap<String, VerifyingKey>>,
    /// When keys were last fetched (or tried) and the failure then, if any; one fetch at a time.
    last_fetch: Mutex<Option<(Instant, Option<String>)>>,
}

impl IssuerKeys {
    pub fn new(
        issuer: String,
        jwks_uri: Option<String>,
        http: reqwest::Client,
        refresh_interval: Duration,
    ) -> Self {
        Self {
            issuer,
            jwks_uri: RwLock::new(jwks_uri),
            http,
            refresh_interval,
            keys: RwLock::new(HashMap::new()),
            last_fetch: Mutex::new(None),
        }
    }

    /// The key named `kid`, fetching the key set when it is not known yet and the last fetch is
    /// older than the refresh interval.
    pub async fn key(&self, kid: Option<&str>) -> Result<VerifyingKey, KeyLookupError> {
        if let Some(key) = pick(&*self.keys.read().await, kid) {
            return Ok(key);
        }
        let mut last = self.last_fetch.lock().await;
        // Another request may have fetched while this one waited for the lock.
        if let Some(key) = pick(&*self.keys.read().await, kid) {
            return Ok(key);
        }
        let recent = last
            .as_ref()
            .filter(|(at, _)| at.elapsed() < self.refresh_interval);
        if let Some((_, failure)) = recent {
            return Err(match failure {
                Some(reason) => KeyLookupError::Unreachable(reason.clone()),
                None => KeyLookupError::UnknownKid,
            });
        }
        let fetched = self.fetch().await;
        *last = Some((Instant::now(), fetched.as_ref().err().cloned()));
        match fetched {
            Ok(keys) => {
                tracing::info!(issuer = %self.issuer, keys = keys.len(), "trusted issuer's keys fetched");
                let found = pick(&keys, kid);
                *self.keys.write().await = keys;
                found.ok_or(KeyLookupError::UnknownKid)
            }
            Err(reason) => {
                tracing::warn!(issuer = %self.issuer, %reason, "cannot fetch a trusted issuer's keys: its tokens are refused");
                Err(KeyLookupError::Unreachable(reason))
            }
        }
    }

    async fn fetch(&self) -> Result<HashMap<String, VerifyingKey>, String> {
        let uri = self.jwks_uri().await?;
        let set: KeySet = self.get_json(&uri).await?;
        Ok(usable_keys(&set.keys))
    }

    /// The configured `jwks_uri`, else the discovery document's (OpenID Connect Discovery 1.0
    /// §4: `{issuer}/.well-known/openid-configuration`, whose `issuer` must be the issuer).
    async fn jwks_uri(&self) -> Result<String, String> {
        if let Some(uri) = self.jwks_uri.read().await.clone() {
            return Ok(uri);
        }
        #[derive(Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        );
        let discovery: Discovery = self.get_json(&url).await?;
        if discovery.issuer != self.issuer {
            return Err(format!(
                "the discovery document names issuer `{}`, not `{}`",
                discovery.issuer, self.issuer
            ));
        }
        *self.jwks_uri.write().await = Some(discovery.jwks_uri.clone());
        Ok(discovery.jwks_uri)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, String> {
        let response = self
            .http
            .get(url)
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("GET {url}: status {status}"));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
        {
            return Err(format!("GET {url}: over {MAX_DOCUMENT_BYTES} bytes"));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        if body.len() > MAX_DOCUMENT_BYTES {
            return Err(format!("GET {url}: over {MAX_DOCUMENT_BYTES} bytes"));
        }
        serde_json::from_slice(&body).map_err(|e| format!("GET {url}: not the expected JSON: {e}"))
    }
}

/// A JWK set, each key read on its own: one key of a kind we do not read spoils no other.
#[derive(Deserialize)]
struct KeySet {
    keys: Vec<serde_json::Value>,
}

/// The key a token names by `kid`; a token without one (RFC 7515 makes `kid` optional) is
/// verified only by the sole signing key of a set that has exactly one, never by a guess.
fn pick(keys: &HashMap<String, VerifyingKey>, kid: Option<&str>) -> Option<VerifyingKey> {
    match kid {
        Some(kid) => keys.get(kid).cloned(),
        None if keys.len() == 1 => keys.values().next().cloned(),
        None => None,
    }
}

/// The signing keys of a set by `kid` (a key without one under ""): keys for encryption,
/// symmetric keys (a secret cannot be published) and keys we cannot read are left out.
fn usable_keys(keys: &[serde_json::Value]) -> HashMap<String, VerifyingKey> {
    keys.iter()
        .filter_map(|value| serde_json::from_value::<Jwk>(value.clone()).ok())
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone().unwrap_or_default();
            Some((kid, verifying_key(&jwk)?))
        })
        .collect()
}

fn verifying_key(jwk: &Jwk) -> Option<VerifyingKey> {
    if matches!(
        jwk.common.public_key_use,
        Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
    ) {
        return None;
    }
    if !matches!(
        jwk.algorithm,
        AlgorithmParameters::RSA(_)
            | AlgorithmParameters::EllipticCurve(_)
            | AlgorithmParameters::OctetKeyPair(_)
    ) {
        return None;
    }
    // A key naming an algorithm we do not know (or an encryption one) is not for signatures.
    let alg = match jwk.common.key_algorithm {
        None => None,
        Some(alg) => Some(Algorithm::try_from(alg).ok()?),
    };
    if matches!(
        alg,
        Some(Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
    ) {
        return None;
    }
    let key = DecodingKey::from_jwk(jwk).ok()?;
    Some(VerifyingKey {
        key: Arc::new(key),
        alg,
        params: jwk.algorithm.clone(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn symmetric_and_encryption_keys_are_left_out_and_an_unnamed_one_kept_under_no_kid() {
        let set: KeySet = serde_json::from_value(serde_json::json!({ "keys": [
            { "kty": "oct", "kid": "secret", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0" },
            { "kty": "OKP", "crv": "Ed25519", "kid": "enc", "use": "enc",
              "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" },
            { "kty": "OKP", "crv": "Ed25519",
              "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" },
            { "kty": "OKP", "crv": "Ed25519", "kid": "ed", "alg": "EdDSA",
              "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" }
        ]}))
        .unwrap();
        let keys = usable_keys(&set.keys);
        let mut kids: Vec<&String> = keys.keys().collect();
        kids.sort();
        assert_eq!(kids, ["", "ed"]);
        assert!(keys["ed"].fits(Algorithm::EdDSA));
        assert!(!keys["ed"].fits(Algorithm::RS256));
        assert!(!keys["ed"].fits(Algorithm::ES256));
        // A token without a kid is verified by a sole key only.
        assert!(pick(&keys, None).is_none());
        assert!(pick(&keys, Some("ed")).is_some());
        let sole: HashMap<String, VerifyingKey> =
            keys.into_iter().filter(|(k, _)| k == "ed").collect();
        assert!(pick(&sole, None).is_some());
        assert!(pick(&sole, Some("other")).is_none());
    }
}
