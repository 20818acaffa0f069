//! Heuristics that turn the list cells of a summary (themes, statements, activities, expected
//! results) into typed items: titles, dates, kinds, places and the organizations they name.
//!
//! They are deliberately conservative: a kind falls back to OTHER, a place or an organization is
//! left out rather than guessed, and whatever cannot be read becomes a [`ParseIssue`].

use crate::import::model::{ParseIssue, Titled};
use entity::enums::{IssueEntity, Severity};

mod activities;
mod names;
mod results;

pub(super) use activities::activities;
pub(super) use results::expected_results;

/// Titles longer than this are sentences, not headings.
const MAX_TITLE_CHARS: usize = 80;

/// Builds an issue; every finding of the parser goes through here so the shape stays uniform.
pub(super) fn issue(
    entity: IssueEntity,
    field: &str,
    severity: Severity,
    code: &str,
    message: impl Into<String>,
    published_value: Option<&str>,
) -> ParseIssue {
    ParseIssue {
        entity,
        field: field.to_owned(),
        severity,
        code: code.to_owned(),
        message: message.into(),
        published_value: published_value.map(str::to_owned),
    }
}

/// One item per block; "Title: text" is split, and a block that is only "Title:" takes the next
/// block as its text (the sample's "Life Sciences and Healthy City:" paragraph).
pub fn titled_items(blocks: &[String]) -> Vec<Titled> {
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    for block in blocks {
        let block = strip_marker(block);
        if block.is_empty() {
            continue;
        }
        let (title, text) = split_title(block);
        if let Some(waiting) = pending.take() {
            if title.is_none() {
                out.push(Titled {
                    title: Some(waiting),
                    text: capitalise(text),
                });
                continue;
            }
            out.push(Titled {
                title: None,
                text: waiting,
            });
        }
        match title {
            Some(title) if text.is_empty() => pending = Some(title),
            Some(title) => out.push(Titled {
                title: Some(title),
                text: capitalise(text),
            }),
            None => out.push(Titled {
                title: None,
                text: text.to_owned(),
            }),
        }
    }
    // A heading with nothing after it is still published text: keep it as the item's text.
    out.extend(pending.map(|text| Titled { title: None, text }));
    out
}

/// Splits "Title: text" (or "Title : text") when the part before the colon reads as a heading.
fn split_title(block: &str) -> (Option<String>, &str) {
    let colon = block.char_indices().find(|&(i, c)| {
        c == ':'
            && block[i + 1..]
                .chars()
                .next()
                .is_none_or(char::is_whitespace)
    });
    if let Some((i, _)) = colon {
        let head = block[..i].trim();
        let is_heading = !head.is_empty()
            && head.chars().count() <= MAX_TITLE_CHARS
            && !head.ends_with('.')
            && ![". ", "! ", "? ", "; "]
                .iter()
                .any(|end| head.contains(end));
        if is_heading {
            return (Some(head.to_owned()), block[i + 1..].trim());
        }
    }
    (None, block)
}

/// Removes a leading bullet ("→", "•", "- "), but not a number: "11 Sustainable Cities" is an SDG.
pub(super) fn strip_bullet(block: &str) -> &str {
    let s = block
        .trim_start_matches(['→', '•', '·', '▪', '►', '➢', '✓'])
        .trim_start();
    match s
        .strip_prefix(['-', '–', '*'])
        .filter(|r| r.starts_with(char::is_whitespace))
    {
        Some(rest) => rest.trim_start(),
        None => s,
    }
}

/// Removes a leading bullet or list number ("→", "- ", "1. ", "a) ").
fn strip_marker(block: &str) -> &str {
    let s = strip_bullet(block);
    match marker_at(s, 0) {
        Some((_, _, len)) => s[len..].trim_start(),
        None => s,
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn earliest<K: Copy>(lower: &str, rules: &[(K, &[&str])]) -> Option<K> {
    earliest_at(lower, rules).map(|(_, kind)| kind)
}

fn earliest_at<K: Copy>(lower: &str, rules: &[(K, &[&str])]) -> Option<(usize, K)> {
    let hits = rules.iter().flat_map(|&(kind, words)| {
        words
            .iter()
            .filter_map(move |w| find_word(lower, w).map(|at| (at, kind)))
    });
    // `min_by_key` keeps the first of equal positions, so the table order breaks ties.
    hits.min_by_key(|&(at, _)| at)
}

/// Where `needle` starts a word of `lower` (it may end inside one: "visit" finds "visits").
fn find_word(lower: &str, needle: &str) -> Option<usize> {
    lower.match_indices(needle).map(|(at, _)| at).find(|&at| {
        lower[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Where `needle` is a whole word, or its plural ("mou", "mous"), not a prefix ("mould").
fn find_whole(lower: &str, needle: &str) -> Option<usize> {
    lower.match_indices(needle).map(|(at, _)| at).find(|&at| {
        let before = lower[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let rest = &lower[at + needle.len()..];
        let rest = rest.strip_prefix('s').unwrap_or(rest);
        before && rest.chars().next().is_none_or(|c| !c.is_alphanumeric())
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkerStyle {
    /// "1." — a list keeps one style, so "2)" inside a "1." list is text.
    Dot,
    Paren,
    Letter,
}

/// A list marker at byte `i` of `s`: "12. ", "3) " or "b) " (letters only with a parenthesis, so
/// "e.g. " is no marker). Returns its style, its 1-based value and its length with the space after.
fn marker_at(s: &str, i: usize) -> Option<(MarkerStyle, u16, usize)> {
    let rest = &s[i..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (style, value, len) = if (1..=2).contains(&digits) {
        let value: u16 = rest[..digits].parse().ok()?;
        let sep = rest[digits..].chars().next()?;
        let style = match sep {
            '.' => MarkerStyle::Dot,
            ')' => MarkerStyle::Paren,
            _ => return None,
        };
        (value > 0).then_some((style, value, digits + 1))?
    } else {
        let letter = rest.bytes().next().filter(u8::is_ascii_lowercase)?;
        (rest[1..].starts_with(')')).then_some((
            MarkerStyle::Letter,
            u16::from(letter - b'a' + 1),
            2,
        ))?
    };
    let after = &rest[len..];
    let space = after.len() - after.trim_start().len();
    (after.is_empty() || space > 0).then_some((style, value, len + space))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn blocks(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn titles_split_at_a_short_heading_and_a_lone_heading_takes_the_next_block() {
        let items = titled_items(&blocks(&[
            "Health Care and Biotechnology : support EU institutions",
            "Life Sciences:",
            "Promote joint activities.",
            "Support to EU business. Note: not a title",
            "1. Numbered: item",
            "Trailing heading:",
        ]));
        let pairs: Vec<(Option<&str>, &str)> = items
            .iter()
            .map(|t| (t.title.as_deref(), t.text.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                (
                    Some("Health Care and Biotechnology"),
                    "Support EU institutions"
                ),
                (Some("Life Sciences"), "Promote joint activities."),
                (None, "Support to EU business. Note: not a title"),
                (Some("Numbered"), "Item"),
                (None, "Trailing heading"),
            ]
        );
    }
}
