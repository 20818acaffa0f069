//! Finding the cities that free text names: words and CJK runs, their sentence context, and the
//! rules that keep common words, country names and regions from passing for cities.

use std::ops::Range;

use super::{COMMON_WORDS, CityEntry, Gazetteer, NameKind, in_hints};
use crate::domain::text::name_key;

/// In hint countries free text may name smaller places: the gazetteer's European floor.
const HINT_MIN_POPULATION: i64 = 15_000;
/// A common English word ("Reading", "Split") is taken for a city this big without further evidence.
const BIG_CITY_POPULATION: i64 = 1_000_000;
/// "Ho Chi Minh City" has four words; longer names are not looked for in free text.
const MAX_PHRASE_WORDS: usize = 4;
/// Longest CJK name tried inside a run of Han, kana or Hangul (内蒙古自治区 is 6).
const MAX_CJK_CHARS: usize = 8;
/// Where the city and the country share the name ("Singapore"), the city is meant.
const CITY_STATES: [&str; 6] = ["SG", "HK", "MO", "MC", "VA", "GI"];

impl Gazetteer {
    /// Cities named in free text, with the byte range of each mention: longest match first,
    /// non-overlapping, in text order.
    ///
    /// Built to miss rather than invent: a Latin-script mention is one to four words starting with
    /// a capital (not an acronym such as "EU"), matched on a city's own names and its safer
    /// aliases, of a city with at least `min_population` inhabitants (15 000 in `hint_countries`).
    /// Country names ("China") are skipped, and so is an alias when another city bears that name
    /// ("Canton", Ohio). A common English word ("Split", "Mission") counts only for a big or hinted
    /// city and not at a sentence start or inside a Title Case phrase. Han, kana and Hangul runs
    /// are searched for names of two characters or more.
    pub fn cities_in_text<'a>(
        &'a self,
        text: &str,
        min_population: i64,
        hint_countries: &[&str],
    ) -> Vec<(&'a CityEntry, Range<usize>)> {
        let tokens = tokenize(text);
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            if t.cjk {
                self.cjk_mentions(text, t, min_population, hint_countries, &mut out);
                i += 1;
                continue;
            }
            if !t.capitalised || t.acronym {
                i += 1;
                continue;
            }
            let mut city_match = None;
            let mut region_words = 0;
            for n in (1..=MAX_PHRASE_WORDS.min(tokens.len() - i)).rev() {
                let phrase = &tokens[i..i + n];
                if phrase.iter().any(|t| t.cjk) || !(1..n).all(|j| joins(text, phrase, j)) {
                    continue;
                }
                let key = phrase
                    .iter()
                    .map(|t| t.key.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                if n >= 2 && region_words == 0 && self.region_names.contains(&key) {
                    region_words = n;
                }
                let ctx = Context {
                    sentence_start: sentence_start(text, &tokens, i),
                    title_case: n == 1 && title_case_neighbour(text, &tokens, i),
                    after_capital: n == 1 && after_capital(text, &tokens, i),
                };
                if let Some(city) = self.text_match(&key, n, ctx, min_population, hint_countries) {
                    city_match = Some((city, n));
                    break;
                }
            }
            match city_match {
                // "Baden-Württemberg" is a state, not Baden-Baden.
                Some((_, n)) if region_words > n => i += region_words,
                Some((city, n)) => {
                    out.push((city, tokens[i].range.start..tokens[i + n - 1].range.end));
                    i += n;
                }
                None => i += region_words.max(1),
            }
        }
        out.sort_by_key(|(_, r)| r.start);
        out
    }

    fn text_match(
        &self,
        key: &str,
        words: usize,
        ctx: Context,
        min_population: i64,
        hints: &[&str],
    ) -> Option<&CityEntry> {
        let names = self.city_by_key.get(key)?;
        let best = names
            .iter()
            .filter(|n| n.kind != NameKind::MinorAlias)
            .filter(|n| self.big_enough(&self.cities[n.city], min_population, hints))
            .max_by_key(|n| self.rank(n, hints))?;
        let city = &self.cities[best.city];
        let hinted = in_hints(city, hints);
        let population = city.population.unwrap_or(0);
        // "Granada" is also Spanish for Grenada, so only English country names block a match.
        if self.country_names.contains(key) && !CITY_STATES.contains(&city.country_code.as_str()) {
            return None;
        }
        let named_elsewhere = names
            .iter()
            .any(|n| n.kind == NameKind::Primary && n.city != best.city);
        if best.kind != NameKind::Primary && !hinted && named_elsewhere {
            return None;
        }
        let big = population >= BIG_CITY_POPULATION;
        // "Pearl River Delta", "Saint Mary": the end of some other name.
        if words == 1 && ctx.after_capital && !hinted && !big {
            return None;
        }
        if words == 1 && COMMON_WORDS.contains(key) {
            let plain_mention = !ctx.sentence_start && !ctx.title_case;
            if !(big || hinted && plain_mention) {
                return None;
            }
        }
        Some(city)
    }

    fn big_enough(&self, city: &CityEntry, min_population: i64, hints: &[&str]) -> bool {
        let floor = if in_hints(city, hints) {
            min_population.min(HINT_MIN_POPULATION)
        } else {
            min_population
        };
        city.population.unwrap_or(0) >= floor
    }

    fn cjk_mentions<'a>(
        &'a self,
        text: &str,
        token: &Token,
        min_population: i64,
        hints: &[&str],
        out: &mut Vec<(&'a CityEntry, Range<usize>)>,
    ) {
        let run = &text[token.range.clone()];
        let starts: Vec<usize> = run.char_indices().map(|(b, _)| b).collect();
        let mut p = 0;
        while p < starts.len() {
            let mut step = 1;
            for len in (2..=MAX_CJK_CHARS.min(starts.len() - p)).rev() {
                let end = starts.get(p + len).copied().unwrap_or(run.len());
                let key = name_key(&run[starts[p]..end]);
                if self.country_by_key.contains_key(&key) {
                    continue; // 中国, 日本
                }
                let best = self.city_by_key.get(&key).and_then(|names| {
                    names
                        .iter()
                        .filter(|n| self.big_enough(&self.cities[n.city], min_population, hints))
                        .max_by_key(|n| self.rank(n, hints))
                });
                if let Some(n) = best {
                    let start = token.range.start + starts[p];
                    out.push((&self.cities[n.city], start..token.range.start + end));
                    step = len;
                    break;
                }
            }
            p += step;
        }
    }
}

/// Aliases that look like names a writer would use; others ("Rom", "ROM", "Sol") are matched only
/// when asked for by name.
pub(super) fn alias_kind(alias: &str) -> NameKind {
    let letters: Vec<char> = alias.chars().filter(|c| c.is_alphabetic()).collect();
    let Some(first) = letters.first() else {
        return NameKind::MinorAlias;
    };
    if is_cjk(*first) {
        return if letters.len() >= 2 {
            NameKind::Alias
        } else {
            NameKind::MinorAlias
        };
    }
    let caps = letters.iter().all(|c| c.is_uppercase());
    if letters.len() >= 4 && !first.is_lowercase() && !caps {
        NameKind::Alias
    } else {
        NameKind::MinorAlias
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F | 0x20000..=0x2FFFF)
}

#[derive(Debug, Clone, Copy)]
struct Context {
    sentence_start: bool,
    title_case: bool,
    after_capital: bool,
}

/// Capitalised only because they open a sentence: "In Granada" still names Granada.
const OPENING_WORDS: [&str; 16] = [
    "in", "at", "from", "to", "with", "for", "the", "and", "both", "between", "via", "near", "of",
    "on", "by", "visit",
];

#[derive(Debug)]
struct Token {
    range: Range<usize>,
    key: String,
    capitalised: bool,
    /// "EU", "DDG", "COVID": never the start of a place name here.
    acronym: bool,
    cjk: bool,
}

/// Words as [`name_key`] sees them (apostrophes join: "Xi'an"), except that a possessive "'s" is
/// dropped ("Wuhan's") and a run of Han, kana or Hangul is a token of its own.
fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if !c.is_alphanumeric() {
            i += 1;
            continue;
        }
        let cjk = is_cjk(c);
        let mut j = i + 1;
        while j < chars.len() {
            let d = chars[j].1;
            if d.is_alphanumeric() && is_cjk(d) == cjk {
                j += 1;
                continue;
            }
            let apostrophe = d == '\'' || d == '\u{2019}';
            let next = chars.get(j + 1).map(|&(_, n)| n);
            let after = chars.get(j + 2).map(|&(_, n)| n);
            let possessive =
                matches!(next, Some('s' | 'S')) && !after.is_some_and(char::is_alphanumeric);
            if !cjk && apostrophe && next.is_some_and(char::is_alphabetic) && !possessive {
                j += 1;
                continue;
            }
            break;
        }
        let end = chars.get(j).map_or(text.len(), |&(b, _)| b);
        let word = &text[start..end];
        let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
        tokens.push(Token {
            range: start..end,
            key: name_key(word),
            capitalised: c.is_uppercase(),
            acronym: letters.len() >= 2 && letters[..2].iter().all(|c| c.is_uppercase()),
            cjk,
        });
        i = j;
    }
    tokens
}

/// Whether tokens `j-1` and `j` of a phrase may belong to one name: a space or hyphen between them,
/// or the dot of a short abbreviation ("St. Gallen"), never a comma or a dash.
fn joins(text: &str, phrase: &[Token], j: usize) -> bool {
    let prev = &phrase[j - 1];
    let sep = &text[prev.range.end..phrase[j].range.start];
    if sep.is_empty() || sep.chars().count() > 3 {
        return false;
    }
    let abbreviation = prev.capitalised && prev.key.chars().count() <= 3;
    sep.char_indices().all(|(k, c)| {
        matches!(c, ' ' | '-' | '\u{2010}' | '\u{2011}') || (c == '.' && k == 0 && abbreviation)
    })
}

/// What ends a sentence, opens a list item or starts a clause.
const SENTENCE_MARKS: [char; 15] = [
    '.', ':', ';', '!', '?', '→', '•', '·', '–', '—', '(', '"', '“', '‘', '>',
];

/// At the start of the text, a sentence, a list item or a clause after a colon or dash.
fn sentence_start(text: &str, tokens: &[Token], i: usize) -> bool {
    let before = match i.checked_sub(1) {
        Some(p) => &text[tokens[p].range.end..tokens[i].range.start],
        None => &text[..tokens[i].range.start],
    };
    if i == 0 || before.contains('\n') {
        return true;
    }
    before
        .trim_end()
        .chars()
        .last()
        .is_some_and(|c| SENTENCE_MARKS.contains(&c))
}

/// A capitalised word right before or after, as in "Health Care" or "Industrial Design".
fn title_case_neighbour(text: &str, tokens: &[Token], i: usize) -> bool {
    let joined = |a: &Token, b: &Token| {
        let sep = &text[a.range.end..b.range.start];
        !sep.is_empty() && sep.chars().all(|c| c == ' ' || c == '-')
    };
    let before = i
        .checked_sub(1)
        .map(|p| &tokens[p])
        .is_some_and(|p| p.capitalised && !p.acronym && joined(p, &tokens[i]));
    let after = tokens
        .get(i + 1)
        .is_some_and(|n| n.capitalised && !n.acronym && joined(&tokens[i], n));
    before || after
}

/// Right after a capitalised word of the same phrase that does not merely open the sentence.
fn after_capital(text: &str, tokens: &[Token], i: usize) -> bool {
    let Some(p) = i.checked_sub(1) else {
        return false;
    };
    let prev = &tokens[p];
    let sep = &text[prev.range.end..tokens[i].range.start];
    let joined = !sep.is_empty() && sep.chars().all(|c| c == ' ' || c == '-');
    let opener = sentence_start(text, tokens, p) && OPENING_WORDS.contains(&prev.key.as_str());
    joined && prev.capitalised && !prev.acronym && !prev.cjk && !opener
}
