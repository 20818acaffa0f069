//! The UN Sustainable Development Goals and their 169 targets, seeded from `data/codelists`, and the
//! reader that finds mentions such as "SDG 9", "SGD 9" (a typo in the summaries) or "SDGs 3 and 4".

use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::sync::LazyLock;

// The same files seed the database, so the API and the tables cannot disagree on the lists.
const GOALS_TSV: &str = include_str!("../../../../data/codelists/sdg_goals.tsv");
const TARGETS_TSV: &str = include_str!("../../../../data/codelists/sdg_targets.tsv");

/// Malformed lines are skipped rather than panicking at first use; the unit tests pin the counts (17
/// goals, 169 targets), so a damaged seed fails the build instead.
static GOALS: LazyLock<Vec<(u8, &'static str)>> = LazyLock::new(|| {
    rows(GOALS_TSV)
        .filter_map(|cols| Some((cols.first()?.parse().ok()?, *cols.get(1)?)))
        .collect()
});

static TARGETS: LazyLock<Vec<SdgTarget>> = LazyLock::new(|| {
    rows(TARGETS_TSV)
        .filter_map(|cols| {
            Some(SdgTarget {
                goal: SdgGoal(cols.get(1)?.parse().ok()?),
                position: cols.get(2)?.parse().ok()?,
                code: cols.first()?,
            })
        })
        .collect()
});

fn rows(tsv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    tsv.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.split('\t').map(str::trim).collect())
}

/// The 17 goals with their short titles, in order.
pub fn goals() -> &'static [(u8, &'static str)] {
    &GOALS
}

/// The 169 targets, ordered by goal and then by their position within the goal (1.1 … 1.5, 1.a, 1.b).
pub fn targets() -> &'static [SdgTarget] {
    &TARGETS
}

/// One of the 17 goals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SdgGoal(u8);

/// One of the 169 targets ("11.a", "17.19"); only codes of the seeded list exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SdgTarget {
    goal: SdgGoal,
    position: u8,
    code: &'static str,
}

/// A goal, or a target within its goal, as a plan or a theme refers to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SdgRef {
    goal: SdgGoal,
    target: Option<SdgTarget>,
}

/// Why a text or a number is not an SDG goal, target or reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdgError {
    #[error("the SDG reference is empty")]
    Empty,
    #[error("\"{text}\" is not an SDG reference (for example \"SDG 11\", \"11\" or \"SDG 11.a\")")]
    Unrecognised { text: String },
    #[error("there is no SDG {number}; the goals are numbered 1 to 17")]
    NotAGoal { number: i64 },
    #[error("there is no SDG target {code}; the targets of goal {goal} run from {first} to {last}")]
    UnknownTarget {
        code: String,
        goal: u8,
        first: &'static str,
        last: &'static str,
    },
    #[error("\"{text}\" names a target, not a goal")]
    ExpectedGoal { text: String },
    #[error("\"{text}\" names a goal, not a target (targets look like \"11.a\" or \"17.19\")")]
    ExpectedTarget { text: String },
}

impl SdgGoal {
    pub fn new(number: u8) -> Result<Self, SdgError> {
        if goals().iter().any(|(n, _)| *n == number) {
            Ok(Self(number))
        } else {
            Err(SdgError::NotAGoal {
                number: number.into(),
            })
        }
    }

    /// Reads "11", "SDG 11" or "Goal 11".
    pub fn parse(s: &str) -> Result<Self, SdgError> {
        let r = SdgRef::parse(s)?;
        match r.target {
            None => Ok(r.goal),
            Some(_) => Err(SdgError::ExpectedGoal {
                text: s.trim().to_owned(),
            }),
        }
    }

    pub fn number(self) -> u8 {
        self.0
    }

    pub fn title(self) -> &'static str {
        goals()
            .iter()
            .find(|(n, _)| *n == self.0)
            .map_or("", |(_, title)| title)
    }

    /// This goal's targets, in order.
    pub fn targets(self) -> impl Iterator<Item = SdgTarget> {
        targets().iter().copied().filter(move |t| t.goal == self)
    }
}

impl TryFrom<i32> for SdgGoal {
    type Error = SdgError;

    /// GraphQL integers are `i32`.
    fn try_from(n: i32) -> Result<Self, Self::Error> {
        u8::try_from(n)
            .map_err(|_| SdgError::NotAGoal { number: n.into() })
            .and_then(Self::new)
    }
}

impl SdgTarget {
    /// Reads "11.a", "SDG 11.a" or "Target 11.A" (the letter's case does not matter).
    pub fn parse(s: &str) -> Result<Self, SdgError> {
        let r = SdgRef::parse(s)?;
        r.target.ok_or_else(|| SdgError::ExpectedTarget {
            text: s.trim().to_owned(),
        })
    }

    /// The target of a code exactly as the list writes it ("11.a"), for rows read back from the database.
    pub fn from_code(code: &str) -> Result<Self, SdgError> {
        let code = code.trim().to_ascii_lowercase();
        if let Some(t) = targets().iter().find(|t| t.code == code) {
            return Ok(*t);
        }
        let (goal, _) = code
            .split_once('.')
            .ok_or_else(|| SdgError::Unrecognised { text: code.clone() })?;
        let number: i64 = goal
            .parse()
            .map_err(|_| SdgError::Unrecognised { text: code.clone() })?;
        let goal = u8::try_from(number)
            .map_err(|_| SdgError::NotAGoal { number })
            .and_then(SdgGoal::new)?;
        let mut own = goal.targets();
        let first = own.next().map_or("", |t| t.code);
        let last = own.last().map_or(first, |t| t.code);
        Err(SdgError::UnknownTarget {
            code,
            goal: goal.0,
            first,
            last,
        })
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    pub fn goal(self) -> SdgGoal {
        self.goal
    }

    /// The place within its goal: 1.a comes sixth, after 1.1 to 1.5.
    pub fn position(self) -> u8 {
        self.position
    }
}

impl SdgRef {
    pub fn goal(&self) -> SdgGoal {
        self.goal
    }

    pub fn target(&self) -> Option<SdgTarget> {
        self.target
    }

    pub fn to_goal(goal: SdgGoal) -> Self {
        Self { goal, target: None }
    }

    pub fn to_target(target: SdgTarget) -> Self {
        Self {
            goal: target.goal,
            target: Some(target),
        }
    }

    /// Reads one reference: "SDG 11.a", "SDG11", "Goal 11", "ODS 7", "SGD 9", "11".
    pub fn parse(s: &str) -> Result<Self, SdgError> {
        let text = s.trim();
        if text.is_empty() {
            return Err(SdgError::Empty);
        }
        let unrecognised = || SdgError::Unrecognised {
            text: text.to_owned(),
        };
        let start = trigger(text, 0).map_or(0, |(end, _)| end);
        let (item, end) = read_item(text, start).ok_or_else(unrecognised)?;
        if end != text.len() {
            return Err(unrecognised());
        }
        item.resolve()
    }
}

impl fmt::Display for SdgGoal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SDG {}", self.0)
    }
}

impl fmt::Display for SdgTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl fmt::Display for SdgRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.target {
            Some(t) => write!(f, "SDG {}", t.code),
            None => write!(f, "SDG {}", self.goal.0),
        }
    }
}

impl FromStr for SdgGoal {
    type Err = SdgError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl FromStr for SdgTarget {
    type Err = SdgError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl FromStr for SdgRef {
    type Err = SdgError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

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
struct Item<'a> {
    goal: i64,
    suffix: Option<&'a str>,
}

impl Item<'_> {
    fn resolve(&self) -> Result<SdgRef, SdgError> {
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
fn trigger(text: &str, start: usize) -> Option<(usize, bool)> {
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

fn read_item(text: &str, pos: usize) -> Option<(Item<'_>, usize)> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
