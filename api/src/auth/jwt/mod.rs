//! Access tokens as explicitly typed JWTs (RFC 9068 `at+jwt`): signing, and the one strict decoder
//! every presented token goes through.

use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use super::Role;
use super::keys::Keys;

/// Longest token accepted; anything longer is refused before any parsing.
pub const MAX_TOKEN_BYTES: usize = 4096;
/// Clock skew tolerated on `exp`, `nbf` and `iat`.
pub const LEEWAY_SECONDS: u64 = 30;

/// The `typ` header of access tokens (RFC 9068 §2.1); its media-type spelling is accepted too.
const TYP: &str = "at+jwt";
const TYP_MEDIA_TYPE: &str = "application/at+jwt";

/// The claims of an access token. All of iss, aud, sub, exp, iat, jti are required; nbf optional.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub nbf: Option<i64>,
    pub jti: String,
    pub role: Role,
    /// Ids of the organizations the token acts for (empty for an admin token of no organization).
    pub org: Vec<i64>,
}

/// Why a token was not issued or not accepted. The message is for logs: callers answer every
/// refusal alike, so a client learns nothing about which check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is longer than {MAX_TOKEN_BYTES} bytes")]
    TooLarge,
    #[error("token is not a well-formed JWS compact serialization")]
    Malformed,
    #[error("token alg is not the configured algorithm")]
    Algorithm,
    #[error("token typ is not at+jwt")]
    Type,
    #[error("token kid does not name the signing key")]
    KeyId,
    #[error("token signature does not verify")]
    Signature,
    #[error("token claims are missing, empty or of the wrong type")]
    Claims,
    #[error("token iss is not this issuer")]
    Issuer,
    #[error("token aud is not this audience")]
    Audience,
    #[error("token has expired")]
    Expired,
    #[error("token is not valid yet (nbf)")]
    NotYetValid,
    #[error("token was issued in the future (iat)")]
    IssuedInFuture,
    #[error("token refused: {0}")]
    Invalid(String),
    #[error("cannot sign token: {0}")]
    Sign(String),
}

/// Signs `claims` with header `alg` = the configured algorithm, `typ` = `at+jwt`, `kid` = the key's.
/// Refuses to issue a token longer than [`MAX_TOKEN_BYTES`], which [`decode`] would refuse.
pub fn encode(keys: &Keys, claims: &Claims) -> Result<String, TokenError> {
    let mut header = Header::new(keys.algorithm());
    header.typ = Some(TYP.to_owned());
    header.kid = Some(keys.kid().to_owned());
    let token = jsonwebtoken::encode(&header, claims, keys.encoding_key())
        .map_err(|e| TokenError::Sign(e.to_string()))?;
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::TooLarge);
    }
    Ok(token)
}

/// Verifies and decodes an access token: size, header (alg exactly the configured one, typ,
/// kid), signature, then claims (types, iss, aud, exp/nbf/iat with [`LEEWAY_SECONDS`], non-empty
/// sub and jti).
pub fn decode(keys: &Keys, token: &str) -> Result<Claims, TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::TooLarge);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    check_header(keys, header)?;

    let mut validation = Validation::new(keys.algorithm());
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.validate_aud = true;
    // The library enforces presence of exp/iss/aud/sub; iat and jti are non-optional fields of
    // `Claims`, so deserialization enforces them.
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub", "jti"]);
    validation.set_issuer(&[keys.issuer()]);
    validation.set_audience(&[keys.audience()]);
    let claims = jsonwebtoken::decode::<Claims>(token, keys.decoding_key(), &validation)
        .map_err(refusal)?
        .claims;

    // The library does not look at iat.
    let now = i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap_or(i64::MAX);
    if claims.iat > now.saturating_add(LEEWAY_SECONDS.cast_signed()) {
        return Err(TokenError::IssuedInFuture);
    }
    if claims.sub.is_empty() || claims.jti.is_empty() {
        return Err(TokenError::Claims);
    }
    Ok(claims)
}

/// The header fields checked before the signature. A derived struct refuses duplicate members,
/// so `{"alg":"EdDSA","alg":"none"}` cannot be read two ways.
#[derive(Deserialize)]
struct JoseHeader {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    kid: Option<String>,
}

fn check_header(keys: &Keys, encoded: &str) -> Result<(), TokenError> {
    let json = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| TokenError::Malformed)?;
    let header: JoseHeader = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
    // `Algorithm::from_str` is case-sensitive: "none", "NONE", "eddsa" … are all unknown.
    if Algorithm::from_str(&header.alg).ok() != Some(keys.algorithm()) {
        return Err(TokenError::Algorithm);
    }
    // The library re-reads the header as its own type; a header it cannot read is malformed.
    serde_json::from_slice::<Header>(&json).map_err(|_| TokenError::Malformed)?;
    let typed = header
        .typ
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case(TYP) || t.eq_ignore_ascii_case(TYP_MEDIA_TYPE));
    if !typed {
        return Err(TokenError::Type);
    }
    if header.kid.as_deref() != Some(keys.kid()) {
        return Err(TokenError::KeyId);
    }
    Ok(())
}

/// A verification failure of the library as our refusal (trusted issuers' tokens too).
pub(crate) fn refusal(e: jsonwebtoken::errors::Error) -> TokenError {
    match e.kind() {
        ErrorKind::InvalidSignature => TokenError::Signature,
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidIssuer => TokenError::Issuer,
        ErrorKind::InvalidAudience => TokenError::Audience,
        // The header was read already, so a JSON error is the payload's.
        ErrorKind::MissingRequiredClaim(_)
        | ErrorKind::InvalidClaimFormat(_)
        | ErrorKind::InvalidSubject
        | ErrorKind::Json(_) => TokenError::Claims,
        ErrorKind::InvalidAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::UnsupportedAlgorithm
        | ErrorKind::MissingAlgorithm => TokenError::Algorithm,
        ErrorKind::InvalidToken | ErrorKind::Base64(_) | ErrorKind::Utf8(_) => {
            TokenError::Malformed
        }
        _ => TokenError::Invalid(e.to_string()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
