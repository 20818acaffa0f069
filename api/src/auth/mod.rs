//! Who is asking: access tokens (signed JWTs whose records live in the database, or tokens of a
//! trusted identity provider, [`oidc`]), decoded once at the edge into a typed [`Viewer`], and the
//! one [`policy`] module that decides what a viewer may see and do.

pub mod jwt;
pub mod keys;
pub mod oidc;
pub mod policy;
pub mod tokens;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

pub use entity::enums::Role;
pub use policy::{Permission, Requires, Scope, Writes};

/// The caller of one request.
#[derive(Clone, Debug)]
pub enum Viewer {
    /// No `Authorization` header: public data only.
    Anonymous,
    /// A valid, unrevoked token.
    Token(Arc<TokenViewer>),
}

/// What a verified token says about its bearer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenViewer {
    /// Whose token it is.
    pub bearer: Bearer,
    pub role: Role,
    /// Organizations the token acts for.
    pub organizations: Vec<i64>,
    pub expires_at: DateTime<Utc>,
    /// The sha256 hashes (sorted) of the persisted operations a restricted token may run; `None`
    /// for a token that runs any document.
    pub operations: Option<Arc<[String]>>,
}

impl Viewer {
    pub fn token(&self) -> Option<&TokenViewer> {
        match self {
            Self::Token(t) => Some(t),
            Self::Anonymous => None,
        }
    }

    /// Who acts, for the audit log; anonymous callers never reach a write.
    pub fn actor(&self) -> Option<crate::audit::Actor> {
        self.token().map(|t| match &t.bearer {
            Bearer::Issued(id) => crate::audit::Actor::Token {
                id: *id,
                organizations: t.organizations.clone(),
            },
            Bearer::Federated { issuer, subject } => crate::audit::Actor::Federated {
                issuer: issuer.to_string(),
                subject: subject.to_string(),
                organizations: t.organizations.clone(),
            },
        })
    }
}

/// Who holds a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bearer {
    /// A token ucap issued: its record's id.
    Issued(i64),
    /// A token of a trusted issuer: the `sub` it names there.
    Federated { issuer: Arc<str>, subject: Arc<str> },
}

/// A bearer as a small copyable key, for the allowances and connection counts held per bearer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BearerKey {
    Issued(i64),
    /// The first half of sha256(issuer NUL subject).
    Federated([u8; 16]),
}

impl Bearer {
    /// The record of a token ucap issued.
    pub fn token_id(&self) -> Option<i64> {
        match self {
            Self::Issued(id) => Some(*id),
            Self::Federated { .. } => None,
        }
    }

    /// Who owns the records kept per bearer (idempotency keys) as one integer: a token record's
    /// id (positive), or for a trusted issuer's subject a negative number from the first 8 bytes
    /// of sha256(issuer NUL subject) — so a partner retrying with its IdP token finds its keys
    /// without a record of its own, and never those of a ucap token.
    pub fn owner_id(&self) -> i64 {
        match self.key() {
            BearerKey::Issued(id) => id,
            BearerKey::Federated(digest) => {
                let mut first = [0; 8];
                first.copy_from_slice(&digest[..8]);
                i64::from_be_bytes(first) | i64::MIN
            }
        }
    }

    pub fn key(&self) -> BearerKey {
        match self {
            Self::Issued(id) => BearerKey::Issued(*id),
            Self::Federated { issuer, subject } => {
                let digest = Sha256::new()
                    .chain_update(issuer.as_bytes())
                    .chain_update([0])
                    .chain_update(subject.as_bytes())
                    .finalize();
                let mut key = [0; 16];
                key.copy_from_slice(&digest[..16]);
                BearerKey::Federated(key)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_owners_are_token_ids_or_negative_per_subject() {
        let of = |issuer: &str, subject: &str| Bearer::Federated {
            issuer: issuer.into(),
            subject: subject.into(),
        };
        assert_eq!(Bearer::Issued(42).owner_id(), 42);
        let judy = of("https://idp.example", "judy").owner_id();
        assert!(judy < 0);
        assert_eq!(judy, of("https://idp.example", "judy").owner_id());
        assert_ne!(judy, of("https://idp.example", "ivan").owner_id());
        assert_ne!(judy, of("https://other.example", "judy").owner_id());
    }
}
