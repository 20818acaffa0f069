//! The UN Sustainable Development Goals and their 169 targets, seeded from `data/codelists`, and the
//! reader that finds mentions such as "SDG 9", "SGD 9" (a typo in the summaries) or "SDGs 3 and 4".
//!
//! This file holds the lists and their types; `mentions` holds the reader.

mod mentions;

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

pub use mentions::find_all;
use mentions::{read_item, trigger};

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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
