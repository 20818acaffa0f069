//! Reading SDG references in text: the words that announce one ("SDG", "SGD", "Goal", "ODS",
//! "Target"), the number or target code after them, and lists and ranges ("SDGs 3 and 4", "3–5").
//! Apart from the lists of goals and targets because it is a small grammar of its own;
//! `SdgRef::parse` reads one reference with its `trigger` and `read_item`.

use std::ops::Range;

use super::{SdgError, SdgGoal, SdgRef, SdgTarget};

/// Every SDG mentioned in a text, in order of appearance (repeats included; callers deduplicate):
/// "SDG 9", "SGD 9", "Goal 11", "ODS 7", "SDG11", "SDG 11.a", "SDGs 3 and 4", "SDG 3, 4 and 9",
/// "SDGs 3–5". The number comes first: a title after it is not needed, and a title alone ("Affordable and
/// Clean Energy") is not a mention. The first reference of a list spans the SDG word ("SDG 3"), the
/// others their number only ("4"). An unknown target ("SDG 3.10") still names its goal.
pub fn find_all(text: &str) -> Vec<(SdgRef, Range<usize>)> {
    let mut found = Vec::new();
    let mut pos = 0;
    while let Some((word_start, c)) = text[pos..].char_indices().next().map(|(i, c)| (pos + i, c)) {
        let at_word = c.is_alphabetic() && !text[..word_start].ends_with(char::is_alphanumeric);
        let Some((after, dotted_only)) = at_word.then(|| trigger(text, word_start)).flatten()
        else {
            pos = word_start + c.len_utf8();
            continue;
        };
        pos = read_list(text, word_start, after, dotted_only, &mut found).max(after);
    }
    found
}

/// Reads "3, 4 and 9" or "3–5" from `pos`, pushing each reference; returns where the list ends.
fn read_list(
    text: &str,
    mention_start: usize,
    mut pos: usize,
    dotted_only: bool,
    found: &mut Vec<(SdgRef, Range<usize>)>,
) -> usize {
    let mut end = pos;
    let mut span_start = mention_start;
    while let Some((item, item_end)) = read_item(text, pos) {
        if dotted_only && item.suffix.is_none() {
            break;
        }
        let range = range_end(text, item_end, &item).and_then(|(last, last_end)| {
            Some((item.resolve().ok()?, last.resolve().ok()?, last_end))
        });
        if let Some((first, last, last_end)) = range {
            for n in first.goal.0..=last.goal.0 {
                found.push((SdgRef::to_goal(SdgGoal(n)), span_start..last_end));
            }
            end = last_end;
        } else {
            let r = match item.resolve() {
                Ok(r) => r,
                Err(SdgError::UnknownTarget { goal, .. }) => SdgRef::to_goal(SdgGoal(goal)),
                Err(_) => break,
            };
            found.push((r, span_start..item_end));
            end = item_end;
        }
        match list_separator(text, end) {
            Some(next) => pos = next,
            None => break,
        }
        span_start = pos;
    }
    end
}

/// A number as written after an SDG word: "11", "11.a" or "11.1".
#[derive(Debug, Clone, Copy)]
pub(super) struct Item<'a> {
    goal: i64,
    suffix: Option<&'a str>,
}

impl Item<'_> {
    pub(super) fn resolve(&self) -> Result<SdgRef, SdgError> {
        let goal = u8::try_from(self.goal)
            .map_err(|_| SdgError::NotAGoal { number: self.goal })
            .and_then(SdgGoal::new)?;
        match self.suffix {
            None => Ok(SdgRef::to_goal(goal)),
            Some(suffix) => {
                SdgTarget::from_code(&format!("{}.{suffix}", goal.0)).map(SdgRef::to_target)
            }
        }
    }
}

/// Words after which a number is an SDG: the standard spellings, the sample's typo "SGD", the Spanish and
/// Portuguese "ODS", "Goal" ("Sustainable Development Goal 11"); "Target" only before a dotted code.
/// Returns the position after the word(s) and separators, and whether only targets may follow.
pub(super) fn trigger(text: &str, start: usize) -> Option<(usize, bool)> {
    let (word, pos) = word_at(text, start)?;
    let lower = word.to_lowercase();
    let dotted_only = match lower.as_str() {
        "sdg" | "sdgs" | "sgd" | "sgds" | "ods" | "goal" | "goals" => false,
        // French "ODD"; lower-case "odd" is an English word.
        "odd" if word == "ODD" => false,
        "target" | "targets" => true,
        _ => return None,
    };
    let pos = skip_filler(text, skip_possessive(text, pos));
    // "SDG target 11.a", "SDG Goal 11"
    if let Some((next, after)) = word_at(text, pos) {
        match next.to_lowercase().as_str() {
            "target" | "targets" => return Some((skip_filler(text, after), true)),
            "goal" | "goals" => return Some((skip_filler(text, after), dotted_only)),
            _ => {}
        }
    }
    text[pos..]
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some((pos, dotted_only))
}

/// The run of letters at `start` and the position after it.
fn word_at(text: &str, start: usize) -> Option<(&str, usize)> {
    let len = text[start..]
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(text.len() - start);
    (len > 0).then(|| (&text[start..start + len], start + len))
}

fn skip_possessive(text: &str, pos: usize) -> usize {
    ["'s", "’s"]
        .iter()
        .find_map(|p| {
            text[pos..]
                .strip_prefix(p)
                .filter(|rest| !rest.starts_with(char::is_alphanumeric))
        })
        .map_or(pos, |rest| text.len() - rest.len())
}

/// Spaces and the marks that sit between an SDG word and its number ("SDG #11", "SDG-11", "SDGs: 3").
fn skip_filler(text: &str, pos: usize) -> usize {
    let rest = text[pos..].trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '#' | ':' | '-' | '–' | '(')
    });
    text.len() - rest.len()
}

pub(super) fn read_item(text: &str, pos: usize) -> Option<(Item<'_>, usize)> {
    let digits = |at: usize| {
        text[at..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(text.len(), |n| at + n)
    };
    let end = digits(pos);
    if end == pos {
        return None;
    }
    let goal = text[pos..end].parse().unwrap_or(i64::MAX);
    let mut item = Item { goal, suffix: None };
    let mut item_end = end;
    if let Some(after_dot) = text[end..].strip_prefix('.').map(|_| end + 1) {
        let digits_end = digits(after_dot);
        let letter = text[after_dot..]
            .chars()
            .next()
            .filter(char::is_ascii_alphabetic);
        let suffix_end = if digits_end > after_dot {
            Some(digits_end)
        } else {
            letter.map(|c| after_dot + c.len_utf8())
        };
        // "SDG 11.In addition" ends a sentence; "11.a" and "11.12" are targets.
        if let Some(e) = suffix_end.filter(|&e| !text[e..].starts_with(char::is_alphanumeric)) {
            item.suffix = Some(&text[after_dot..e]);
            item_end = e;
        }
    }
    if text[item_end..].starts_with(char::is_alphanumeric) {
        return None;
    }
    Some((item, item_end))
}

/// "3–5" or "3 to 5": the item closing a range of goals, when one follows.
fn range_end<'a>(text: &'a str, pos: usize, first: &Item<'_>) -> Option<(Item<'a>, usize)> {
    if first.suffix.is_some() {
        return None;
    }
    let rest = text[pos..].trim_start();
    let rest = ["–", "—", "-", "to "]
        .iter()
        .find_map(|sep| rest.strip_prefix(sep))?
        .trim_start();
    let (last, end) = read_item(text, text.len() - rest.len())?;
    (last.suffix.is_none() && last.goal > first.goal).then_some((last, end))
}

/// The separator between two numbers of a list (", ", " and ", "; ", " & ", ", and ", " y "), and the
/// position after it; `None` when no separator follows.
fn list_separator(text: &str, pos: usize) -> Option<usize> {
    let mut rest = text[pos..].trim_start();
    let mut consumed = false;
    if let Some(r) = rest.strip_prefix([',', ';', '/', '&', '+']) {
        rest = r.trim_start();
        consumed = true;
    }
    for word in ["and", "or", "und", "et", "y", "e"] {
        let after = rest
            .get(..word.len())
            .filter(|head| head.eq_ignore_ascii_case(word))
            .map(|_| &rest[word.len()..]);
        if let Some(after) = after.filter(|a| a.starts_with(char::is_whitespace)) {
            rest = after.trim_start();
            consumed = true;
            break;
        }
    }
    (consumed && rest.starts_with(|c: char| c.is_ascii_digit())).then(|| text.len() - rest.len())
}
