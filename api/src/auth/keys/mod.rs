//! The keys access tokens are signed and verified with, loaded once at start-up from the settings.

use std::fmt;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::jwk::{Jwk, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::settings::{Environment, JwtAlgorithm, Settings};

/// Shortest HS256 secret accepted: the HMAC key should carry as much entropy as its 256-bit output.
pub const MIN_SECRET_BYTES: usize = 32;

/// Why the signing keys cannot be loaded or made; each message names the setting or file at fault.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "jwt_private_key_file {} does not exist; run `ucap keys generate` to create it, or set jwt_private_key",
        .0.display()
    )]
    MissingKeyFile(PathBuf),
    #[error("cannot read jwt_private_key_file {}: {source}", .path.display())]
    ReadKeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create jwt_private_key_file {}: {source}", .path.display())]
    WriteKeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `origin` is `jwt_private_key` or `jwt_private_key_file <path>`.
    #[error("{origin} is not a PKCS#8 PEM Ed25519 private key: {reason}")]
    InvalidPrivateKey { origin: String, reason: String },
    #[error("jwt_secret is required when jwt_algorithm is HS256")]
    MissingSecret,
    #[error("jwt_secret must be at least {MIN_SECRET_BYTES} bytes, it has {0}")]
    ShortSecret(usize),
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
    #[error("cannot encode the Ed25519 key as PEM: {0}")]
    Encode(String),
    #[error("cannot build the token signing key: {0}")]
    Jwt(#[from] jsonwebtoken::errors::Error),
}

/// The signing and verifying keys of access tokens, with the claims every token must carry.
#[derive(Clone)]
pub struct Keys {
    algorithm: Algorithm,
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
    jwks: serde_json::Value,
}

impl fmt::Debug for Keys {
    // Key material stays out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("algorithm", &self.algorithm)
            .field("kid", &self.kid)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl Keys {
    /// From settings. EdDSA: PEM text from `jwt_private_key`, else the file `jwt_private_key_file`;
    /// in development a missing file is created with a fresh key (mode 0600 on unix), in production
    /// it is an error. HS256: `jwt_secret`, at least [`MIN_SECRET_BYTES`] bytes.
    pub fn from_settings(settings: &Settings) -> Result<Self, KeyError> {
        let issuer = settings.jwt_issuer.clone();
        let audience = settings.jwt_audience.clone();
        match settings.jwt_algorithm {
            JwtAlgorithm::EdDsa => {
                let signing = match settings
                    .jwt_private_key
                    .as_deref()
                    .filter(|pem| !pem.trim().is_empty())
                {
                    Some(pem) => parse_private_pem(pem, "jwt_private_key".to_owned())?,
                    None => load_key_file(&settings.jwt_private_key_file, settings.env)?,
                };
                Self::ed25519(&signing, issuer, audience)
            }
            JwtAlgorithm::Hs256 => {
                let secret = settings
                    .jwt_secret
                    .as_deref()
                    .ok_or(KeyError::MissingSecret)?;
                if secret.len() < MIN_SECRET_BYTES {
                    return Err(KeyError::ShortSecret(secret.len()));
                }
                Ok(Self {
                    algorithm: Algorithm::HS256,
                    kid: secret_kid(secret.as_bytes()),
                    encoding: EncodingKey::from_secret(secret.as_bytes())?,
                    decoding: DecodingKey::from_secret(secret.as_bytes())?,
                    issuer,
                    audience,
                    jwks: json!({ "keys": [] }),
                })
            }
        }
    }

    fn ed25519(signing: &SigningKey, issuer: String, audience: String) -> Result<Self, KeyError> {
        let der = signing
            .to_pkcs8_der()
            .map_err(|e| KeyError::Encode(e.to_string()))?;
        let public = signing.verifying_key().to_bytes();
        let decoding = DecodingKey::from_ed_der(&public);
        let mut jwk = Jwk::from_decoding_key(&decoding, Some(Algorithm::EdDSA))?;
        let kid = jwk.thumbprint(ThumbprintHash::SHA256)?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let jwks = json!({ "keys": [jwk] });
        Ok(Self {
            algorithm: Algorithm::EdDSA,
            kid,
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            decoding,
            issuer,
            audience,
            jwks,
        })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// EdDSA: the RFC 7638 JWK thumbprint; HS256: a truncated hash of the secret.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The JWKS document served at `/.well-known/jwks.json`; empty for HS256, whose secret is
    /// never published.
    pub fn jwks(&self) -> &serde_json::Value {
        &self.jwks
    }

    pub(crate) fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    pub(crate) fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }
}

/// A new Ed25519 key pair as (PKCS#8 private key PEM, SPKI public key PEM), for `ucap keys generate`.
pub fn generate_ed25519_pem() -> Result<(String, String), KeyError> {
    let signing = generate_signing_key()?;
    let private = signing
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyError::Encode(e.to_string()))?;
    let public = signing
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyError::Encode(e.to_string()))?;
    Ok((private.to_string(), public))
}

fn generate_signing_key() -> Result<SigningKey, KeyError> {
    // Seeding from the OS directly (what `SigningKey::generate` does) reports an RNG failure
    // instead of panicking.
    let mut seed = ed25519_dalek::SecretKey::default();
    getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(SigningKey::from_bytes(&seed))
}

fn parse_private_pem(pem: &str, origin: String) -> Result<SigningKey, KeyError> {
    SigningKey::from_pkcs8_pem(pem.trim()).map_err(|e| KeyError::InvalidPrivateKey {
        origin,
        reason: e.to_string(),
    })
}

fn load_key_file(path: &Path, env: Environment) -> Result<SigningKey, KeyError> {
    let origin = || format!("jwt_private_key_file {}", path.display());
    match std::fs::read_to_string(path) {
        Ok(pem) => parse_private_pem(&pem, origin()),
        Err(e) if e.kind() == ErrorKind::NotFound => match env {
            Environment::Production => Err(KeyError::MissingKeyFile(path.to_owned())),
            Environment::Development => create_key_file(path),
        },
        Err(source) => Err(KeyError::ReadKeyFile {
            path: path.to_owned(),
            source,
        }),
    }
}

fn create_key_file(path: &Path) -> Result<SigningKey, KeyError> {
    let write_err = |source| KeyError::WriteKeyFile {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = match options.open(path) {
        Ok(file) => file,
        // Another instance created it first: use its key, not a second one.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            return load_key_file(path, Environment::Production);
        }
        Err(e) => return Err(write_err(e)),
    };
    let signing = generate_signing_key()?;
    let pem = signing
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyError::Encode(e.to_string()))?;
    file.write_all(pem.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(write_err)?;
    tracing::warn!(
        path = %path.display(),
        "created a new JWT signing key (development); tokens signed with another key no longer verify"
    );
    Ok(signing)
}

/// A stable id of the HS256 secret: a domain-separated SHA-256, truncated; it identifies the
/// secret without revealing it.
fn secret_kid(secret: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(b"ucap-jwt-hs256-kid\0")
        .chain_update(secret)
        .finalize();
    URL_SAFE_NO_PAD.encode(&digest[..12])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
