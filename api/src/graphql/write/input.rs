//! Field validation of write inputs: each error names the input field (`extensions.field`).

use async_graphql::MaybeUndefined;
use sea_orm::ActiveValue;

use crate::domain::partial_date::PartialDate;
use crate::error::{ApiError, ApiResult};

/// Trimmed text of 1 to `max` characters, without NUL or other control characters but newlines
/// and tabs.
pub fn text(field: &str, value: &str, max: usize) -> ApiResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    checked_chars(field, value)?;
    if value.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// A name ([`text`] of at most 200 characters) with its matching key (case, accents and spacing
/// folded), which must keep a letter or a digit; names are unique by key.
pub fn name(field: &str, value: &str) -> ApiResult<(String, String)> {
    let name = text(field, value, 200)?;
    let key = crate::domain::text::name_key(&name);
    if key.is_empty() {
        return Err(ApiError::invalid(field, "must contain a letter or a digit"));
    }
    Ok((name, key))
}

/// Optional text: empty or whitespace-only means none.
pub fn opt_text(field: &str, value: Option<&str>, max: usize) -> ApiResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text(field, v, max).map(Some),
    }
}

fn checked_chars(field: &str, value: &str) -> ApiResult<()> {
    if value.contains('\0') {
        return Err(ApiError::invalid(field, "must not contain NUL characters"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(ApiError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// An http(s) URL with a host, at most 500 characters.
pub fn url(field: &str, value: &str) -> ApiResult<String> {
    let value = value.trim();
    checked_chars(field, value)?;
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = host.is_some_and(|h| {
        !h.is_empty()
            && h.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'))
    }) && value.len() <= 500
        && !value.chars().any(char::is_whitespace);
    if ok {
        Ok(value.to_owned())
    } else {
        Err(ApiError::invalid(
            field,
            "must be an http(s) URL with a host, of at most 500 characters",
        ))
    }
}

/// An e-mail address.
pub fn email(field: &str, value: &str) -> ApiResult<String> {
    crate::domain::email::Email::parse(value.trim())
        .map(|e| e.as_str().to_owned())
        .map_err(|e| ApiError::invalid(field, e.to_string()))
}

/// A partial date that exists ("2021", "Q2 2021", "2021-03", "March 2021", "2021-03-14").
pub fn partial_date(field: &str, value: &str) -> ApiResult<PartialDate> {
    checked_chars(field, value)?;
    PartialDate::parse(value).map_err(|e| ApiError::invalid(field, e.to_string()))
}

/// Applies an optional text input of at most `max` characters to `slot`: absent leaves it,
/// `null` or blank clears it.
pub fn patch_text(
    slot: &mut ActiveValue<Option<String>>,
    input: &MaybeUndefined<String>,
    field: &str,
    max: usize,
) -> ApiResult<()> {
    match input {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => slot.set_if_not_equals(None),
        MaybeUndefined::Value(v) => slot.set_if_not_equals(opt_text(field, Some(v), max)?),
    }
    Ok(())
}

/// Input field `name` inside field `parent` (`""`: the input itself).
pub fn field_in(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(r: ApiResult<impl std::fmt::Debug>) -> String {
        match r {
            Err(ApiError::InvalidInput { field, .. }) => field,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(
            text("title", "  Joint workshop ", 20).ok().as_deref(),
            Some("Joint workshop")
        );
        assert_eq!(field_of(text("title", "   ", 20)), "title");
        assert_eq!(field_of(text("title", "a\0b", 20)), "title");
        assert_eq!(field_of(text("title", "a\u{7}b", 20)), "title");
        assert_eq!(field_of(text("title", &"x".repeat(21), 20)), "title");
        assert_eq!(
            text("t", "line\nnext", 20).ok().as_deref(),
            Some("line\nnext")
        );
        assert_eq!(opt_text("t", Some("  "), 5).ok(), Some(None));
    }

    #[test]
    fn urls_need_a_scheme_and_a_host() {
        assert!(url("u", "https://example.org/a?b=c").is_ok());
        for bad in [
            "ftp://x.org",
            "https://",
            "https:///path",
            "https://a b.org",
            "javascript:alert(1)",
        ] {
            assert_eq!(field_of(url("u", bad)), "u", "{bad}");
        }
    }

    #[test]
    fn dates_must_exist() {
        assert!(partial_date("date", "2021-03").is_ok());
        assert!(partial_date("date", "Q2 2021").is_ok());
        for bad in ["2021-02-30", "2021-13", "soon", "", "2021\0"] {
            assert_eq!(field_of(partial_date("date", bad)), "date", "{bad}");
        }
    }
}
