//! Who is asking: access tokens (signed JWTs whose records live in the database), decoded once at
//! the edge into a typed [`Viewer`], and the one [`policy`] module that decides what a viewer may
//! see and do.

pub mod jwt;
pub mod keys;
pub mod policy;
pub mod tokens;

use std::sync::Arc;

use chrono::{DateTime, Utc};

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
    /// The token's record.
    pub token_id: i64,
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
        self.token().map(|t| crate::audit::Actor::Token {
            id: t.token_id,
            organizations: t.organizations.clone(),
        })
    }
}
