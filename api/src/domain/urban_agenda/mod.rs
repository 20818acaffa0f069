//! The thematic partnerships of the Urban Agenda for the EU, seeded from `data/codelists`, and the
//! reader that finds them in text ("EU Urban Partnership Energy Transition" → Energy Transition).

use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use crate::domain::text::name_key;

// The same file seeds the database, so the API and the tables cannot disagree on the list.
const PARTNERSHIPS_TSV: &str =
    include_str!("../../../../data/codelists/urban_agenda_partnerships.tsv");

/// Tokens either side of a one-word alias within which "partnership", "Urban Agenda" or "EU Urban"
/// must appear for it to count.
const CONTEXT_WINDOW: usize = 8;

/// One thematic partnership.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Partnership {
    key: &'static str,
    name: &'static str,
    launched_year: i16,
    aliases: Vec<&'static str>,
}

/// Why a text names no partnership.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrbanAgendaError {
    #[error("the Urban Agenda partnership is empty")]
    Empty,
    #[error(
        "\"{text}\" is not an Urban Agenda partnership (for example \"energy-transition\" or \"Energy Transition\")"
    )]
    Unknown { text: String },
    #[error("\"{text}\" names several Urban Agenda partnerships: {}", .candidates.join(", "))]
    Ambiguous {
        text: String,
        candidates: Vec<&'static str>,
    },
}

/// Malformed lines are skipped rather than panicking at first use; the unit tests pin the list (20
/// partnerships), so a damaged seed fails the build instead.
static PARTNERSHIPS: LazyLock<Vec<Partnership>> = LazyLock::new(|| {
    PARTNERSHIPS_TSV
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| {
            let cols: Vec<&'static str> = line.split('\t').map(str::trim).collect();
            Some(Partnership {
                key: cols.first()?,
                name: cols.get(1)?,
                launched_year: cols.get(2)?.parse().ok()?,
                aliases: cols
                    .get(3)
                    .map(|a| {
                        a.split('|')
                            .map(str::trim)
                            .filter(|a| !a.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
});

/// A spelling to match: its words as match keys, and whether it is a generic word ("Energy", "Housing")
/// that only counts near "partnership", "Urban Agenda" or "EU Urban".
struct Alias {
    words: Vec<String>,
    generic: bool,
    partnership: &'static Partnership,
}

/// Names and aliases of every partnership, longest first, so that the longest alias wins.
static ALIASES: LazyLock<Vec<Alias>> = LazyLock::new(|| {
    let mut aliases: Vec<Alias> = partnerships()
        .iter()
        .flat_map(|p| {
            std::iter::once(p.name)
                .chain(p.aliases.iter().copied())
                .map(move |a| (p, a))
        })
        .map(|(partnership, alias)| {
            let words: Vec<String> = name_key(alias).split(' ').map(str::to_owned).collect();
            Alias {
                generic: words.len() == 1,
                words,
                partnership,
            }
        })
        .collect();
    aliases.sort_by_key(|a| std::cmp::Reverse(a.words.len()));
    aliases
});

/// The partnerships in launch order.
pub fn partnerships() -> &'static [Partnership] {
    &PARTNERSHIPS
}

impl Partnership {
    /// The partnership of a stable key ("energy-transition"), as IDs and database rows carry it.
    pub fn by_key(key: &str) -> Result<&'static Partnership, UrbanAgendaError> {
        partnerships()
            .iter()
            .find(|p| p.key == key.trim())
            .ok_or_else(|| UrbanAgendaError::Unknown {
                text: key.trim().to_owned(),
            })
    }

    /// Reads a key, a name or an alias ("energy-transition", "Energy Transition", "Energy", "EU Urban
    /// Partnership Energy Transition"); a text naming two partnerships is ambiguous.
    pub fn parse(s: &str) -> Result<&'static Partnership, UrbanAgendaError> {
        let text = s.trim();
        if text.is_empty() {
            return Err(UrbanAgendaError::Empty);
        }
        if let Ok(p) = Self::by_key(text) {
            return Ok(p);
        }
        let key = name_key(text);
        if let Some(alias) = ALIASES.iter().find(|a| a.words.join(" ") == key) {
            return Ok(alias.partnership);
        }
        let mut found: Vec<&'static Partnership> = Vec::new();
        for (p, _) in find_all(text) {
            if !found.contains(&p) {
                found.push(p);
            }
        }
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(UrbanAgendaError::Unknown {
                text: text.to_owned(),
            }),
            many => Err(UrbanAgendaError::Ambiguous {
                text: text.to_owned(),
                candidates: many.iter().map(|p| p.name).collect(),
            }),
        }
    }

    /// A stable slug ("energy-transition").
    pub fn key(&self) -> &'static str {
        self.key
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn launched_year(&self) -> i16 {
        self.launched_year
    }

    /// Other spellings used for matching, besides the name.
    pub fn aliases(&self) -> &[&'static str] {
        &self.aliases
    }
}

impl fmt::Display for Partnership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Every partnership named in a text, in order of appearance (repeats included; callers deduplicate),
/// with the byte range of the words that named it. Multi-word names and aliases count anywhere
/// ("Urban Agenda partnership on Digital Transition", "Cultural Heritage"); a one-word alias ("Energy")
/// only within a sentence that says "partnership", "Urban Agenda" or "EU Urban" close by, so that SDG 7's
/// title "Affordable and Clean Energy" names nothing. At each word the longest alias wins.
pub fn find_all(text: &str) -> Vec<(&'static Partnership, Range<usize>)> {
    let words = words(text);
    let context = context_marks(&words);
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let hit = ALIASES.iter().find(|a| {
            matches_at(&words, i, &a.words)
                && (!a.generic || has_context(&words, &context, i, a.words.len()))
        });
        match hit {
            Some(alias) => {
                let last = i + alias.words.len() - 1;
                found.push((
                    alias.partnership,
                    words[i].range.start..words[last].range.end,
                ));
                i = last + 1;
            }
            None => i += 1,
        }
    }
    found
}

/// A word of the text: its match key, where it is, and which sentence it belongs to.
struct Word {
    key: String,
    range: Range<usize>,
    sentence: usize,
    /// Whether only spaces, hyphens, slashes or "&" separate it from the previous word, so that a name
    /// may run across the gap ("Nature-Based", "Culture/Cultural") but not across a comma.
    joined: bool,
}

/// Marks that end a sentence for the purpose of context; HTML tags ("</p>") count as well.
fn breaks_sentence(c: char) -> bool {
    matches!(
        c,
        '.' | ';' | '!' | '?' | '\n' | '\r' | '|' | '•' | '→' | '<' | '>'
    )
}

fn joins_words(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '‐' | '‑' | '–' | '/' | '&')
}

fn words(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut sentence = 0;
    let mut joined = true;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !c.is_alphanumeric() {
            if breaks_sentence(c) {
                sentence += 1;
            }
            joined &= joins_words(c);
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            // "Europe's" stays one word; name_key drops the apostrophe.
            let apostrophe = matches!(c, '\'' | '’')
                && text[i + c.len_utf8()..].starts_with(char::is_alphanumeric);
            if !(c.is_alphanumeric() || apostrophe) {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        let key = name_key(&text[start..end]);
        if !key.is_empty() {
            words.push(Word {
                key,
                range: start..end,
                sentence,
                joined,
            });
        }
        joined = true;
    }
    words
}

/// Which words say that a partnership is meant: "partnership(s)" (but not SDG 17's "Partnerships for the
/// Goals"), "UAEU", and the pairs "Urban Agenda" and "EU Urban".
fn context_marks(words: &[Word]) -> Vec<bool> {
    let key = |i: usize| words.get(i).map_or("", |w| w.key.as_str());
    (0..words.len())
        .map(|i| match key(i) {
            "partnership" | "partnerships" => {
                !(key(i + 1) == "for" && key(i + 2) == "the" && key(i + 3) == "goals")
            }
            "uaeu" => true,
            "urban" => key(i + 1) == "agenda" || (i > 0 && key(i - 1) == "eu"),
            _ => false,
        })
        .collect()
}

fn matches_at(words: &[Word], i: usize, alias: &[String]) -> bool {
    words.get(i..i + alias.len()).is_some_and(|ws| {
        ws.iter().zip(alias).all(|(w, a)| w.key == *a) && ws.iter().skip(1).all(|w| w.joined)
    })
}

fn has_context(words: &[Word], context: &[bool], i: usize, len: usize) -> bool {
    let sentence = words[i].sentence;
    let from = i.saturating_sub(CONTEXT_WINDOW);
    let to = (i + len + CONTEXT_WINDOW).min(words.len());
    (from..to).any(|k| context[k] && words[k].sentence == sentence)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
