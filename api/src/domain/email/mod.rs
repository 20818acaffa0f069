//! E-mail addresses of plan contacts, and the heuristic that tells a functional mailbox
//! ("IUC-ASIA_office@iuc-asia.eu") from a personal one, which is personal data.

use std::fmt;
use std::str::FromStr;

/// The longest address SMTP can carry (RFC 5321: a 256-octet path minus its angle brackets).
const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_LABEL_LEN: usize = 63;

/// A syntactically sane address: trimmed, one "@", domain lower-cased. The local part keeps its case,
/// since mail servers may treat it as case-sensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

/// Why a text is not an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("the e-mail address is empty")]
    Empty,
    #[error("the e-mail address is {length} characters long; at most {MAX_LEN} are possible")]
    TooLong { length: usize },
    #[error("\"{text}\" contains a space or a control character; an e-mail address has none")]
    Whitespace { text: String },
    #[error("\"{text}\" has no \"@\"; an e-mail address looks like office@example.org")]
    MissingAt { text: String },
    #[error("\"{text}\" has more than one \"@\"")]
    SeveralAts { text: String },
    #[error("\"{text}\" has nothing before the \"@\"")]
    EmptyLocalPart { text: String },
    #[error("\"{text}\": the part before the \"@\" is longer than {MAX_LOCAL_LEN} characters")]
    LocalPartTooLong { text: String },
    #[error(
        "\"{text}\": the part before the \"@\" may hold letters, digits and . _ - + only, and no dot at \
         its start, its end or twice in a row"
    )]
    InvalidLocalPart { text: String },
    #[error("\"{text}\": \"{domain}\" is not a domain name such as example.org")]
    InvalidDomain { text: String, domain: String },
}

impl Email {
    pub fn parse(s: &str) -> Result<Self, EmailError> {
        let text = s.trim();
        if text.is_empty() {
            return Err(EmailError::Empty);
        }
        let length = text.chars().count();
        if length > MAX_LEN {
            return Err(EmailError::TooLong { length });
        }
        let owned = || text.to_owned();
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::Whitespace { text: owned() });
        }
        let (local, domain) = text
            .split_once('@')
            .ok_or_else(|| EmailError::MissingAt { text: owned() })?;
        if domain.contains('@') {
            return Err(EmailError::SeveralAts { text: owned() });
        }
        if local.is_empty() {
            return Err(EmailError::EmptyLocalPart { text: owned() });
        }
        if local.chars().count() > MAX_LOCAL_LEN {
            return Err(EmailError::LocalPartTooLong { text: owned() });
        }
        if !is_local_part(local) {
            return Err(EmailError::InvalidLocalPart { text: owned() });
        }
        let domain = domain.to_lowercase();
        if !is_domain(&domain) {
            return Err(EmailError::InvalidDomain {
                text: owned(),
                domain,
            });
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the "@".
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(local, _)| local)
    }

    /// The part after the "@", lower-cased.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }

    /// Whether the address looks like a shared mailbox ("office", "info", "contact", "secretariat",
    /// "team", "…_office") rather than a person's ("firstname.lastname"). Unknown shapes count as personal:
    /// treating a mailbox as personal data by mistake is the safe error.
    pub fn is_functional(&self) -> bool {
        let local = self.local_part().to_lowercase();
        if FUNCTIONAL_FRAGMENTS.iter().any(|f| local.contains(f)) {
            return true;
        }
        local
            .split(['.', '_', '-', '+'])
            .any(|word| FUNCTIONAL_WORDS.contains(&word))
    }
}

/// Fragments that make a mailbox functional wherever they stand ("asiaoffice", "IUC-ASIA_office").
const FUNCTIONAL_FRAGMENTS: &[&str] = &[
    "office",
    "secretariat",
    "noreply",
    "no-reply",
    "helpdesk",
    "webmaster",
];

/// Whole words (between dots, underscores, hyphens) that make a mailbox functional; too short or too
/// common inside names to be looked for as fragments ("info" is in "informatics", "team" in "steam").
const FUNCTIONAL_WORDS: &[&str] = &[
    "info",
    "information",
    "contact",
    "contacts",
    "team",
    "admin",
    "administration",
    "mail",
    "mailbox",
    "post",
    "press",
    "media",
    "communication",
    "communications",
    "comms",
    "support",
    "help",
    "hello",
    "enquiries",
    "inquiries",
    "enquiry",
    "inquiry",
    "general",
    "service",
    "services",
    "desk",
    "events",
    "newsletter",
    "reception",
    "registry",
    "bureau",
    "cabinet",
    "international",
    "cooperation",
    "programme",
    "program",
    "project",
    "projects",
    "partnerships",
    "unit",
    "hr",
    "sales",
    "iuc",
    "iurc",
];

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Email {
    type Err = EmailError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for Email {
    type Error = EmailError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Every distinct address in a text, in order of first appearance; addresses that differ only in case
/// count once, so a "mailto:" link and its visible text give one address. A trailing full stop ends the
/// sentence, not the domain.
pub fn find_all(text: &str) -> Vec<Email> {
    let mut found: Vec<Email> = Vec::new();
    for (at, _) in text.match_indices('@') {
        let before = &text[..at];
        let start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_text_local_char(c))
            .last()
            .map_or(at, |(i, _)| i);
        let after = &text[at + 1..];
        let len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(after.len());
        let local = text[start..at].trim_start_matches('.');
        let domain = after[..len].trim_end_matches(['.', '-']);
        if let Ok(email) = Email::parse(&format!("{local}@{domain}"))
            && !found
                .iter()
                .any(|seen| seen.0.to_lowercase() == email.0.to_lowercase())
        {
            found.push(email);
        }
    }
    found
}

/// The characters of a local part in running text: the usual ones, without the rarely used specials
/// ("'", "/", "=") that more often are punctuation around an address.
fn is_text_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '%')
}

fn is_local_part(local: &str) -> bool {
    local
        .chars()
        .all(|c| is_text_local_char(c) || "!#$&'*/=?^`{|}~".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

/// Labels of letters, digits and inner hyphens, at least two of them, and a top-level domain that is not
/// all digits (so "10.0.0.1" is no domain here).
fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.chars().count() <= MAX_LABEL_LEN
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
