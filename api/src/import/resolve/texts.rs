//! Cities that activity and result texts name: the plan's own places by any of their names
//! (even those the gazetteer lacks), then other gazetteer cities.

use std::ops::Range;

use super::{PlaceRef, TEXT_MIN_POPULATION, place_from};
use crate::domain::gazetteer::Gazetteer;
use crate::domain::text::name_key;

/// The plan's own places with every name they may be written by in its texts.
pub(super) struct PlanPlaces<'a> {
    /// (match key, place), longest keys first so that "Stuttgart Region" wins over "Stuttgart".
    pub(super) names: Vec<(String, &'a PlaceRef)>,
}

impl<'a> PlanPlaces<'a> {
    pub(super) fn new(places: impl Iterator<Item = &'a PlaceRef>) -> Self {
        let mut names = Vec::new();
        for place in places {
            let mut own = vec![place.name.clone()];
            if let Some(e) = &place.entry {
                own.extend([e.name.clone(), e.ascii_name.clone()]);
                own.extend(e.native_name.clone());
                // Aliases of four letters or more: "Canton", "广州市"; not "Rom".
                own.extend(
                    e.aliases
                        .iter()
                        .filter(|a| a.chars().count() >= 4 || is_cjk_name(a))
                        .cloned(),
                );
            }
            for n in own {
                let key = name_key(&n);
                if !key.is_empty() && !names.iter().any(|(k, _)| *k == key) {
                    names.push((key, place));
                }
            }
        }
        names.sort_by_key(|(k, _)| std::cmp::Reverse(k.chars().count()));
        PlanPlaces { names }
    }
}

/// The cities a text names: the plan's own places (even those the gazetteer does not know) and
/// other gazetteer cities, in text order, each once.
pub(super) fn cities_named(
    text: &str,
    plan: &PlanPlaces<'_>,
    gazetteer: &Gazetteer,
    plan_countries: &[&str],
) -> Vec<PlaceRef> {
    let words = words(text);
    let mut found: Vec<(Range<usize>, PlaceRef)> = Vec::new();
    for (key, place) in &plan.names {
        for range in mentions(text, &words, key) {
            if !found.iter().any(|(r, _)| overlaps(r, &range)) {
                let name = text[range.clone()].to_owned();
                found.push((
                    range,
                    PlaceRef {
                        name,
                        ..(*place).clone()
                    },
                ));
            }
        }
    }
    for (entry, range) in gazetteer.cities_in_text(text, TEXT_MIN_POPULATION, plan_countries) {
        if !found.iter().any(|(r, _)| overlaps(r, &range)) {
            found.push((range.clone(), place_from(&text[range], entry)));
        }
    }
    found.sort_by_key(|(r, _)| r.start);
    let mut out: Vec<PlaceRef> = Vec::new();
    for (_, place) in found {
        if !out.iter().any(|p| same_place(p, &place)) {
            out.push(place);
        }
    }
    out
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

fn same_place(a: &PlaceRef, b: &PlaceRef) -> bool {
    match (&a.entry, &b.entry) {
        (Some(x), Some(y)) => x.geonames_id == y.geonames_id,
        (None, None) => name_key(&a.name) == name_key(&b.name) && a.country_code == b.country_code,
        _ => false,
    }
}

/// A word of a text with its match key and byte range; a possessive "'s" is left out ("Wuhan's").
struct Word {
    key: String,
    range: Range<usize>,
    capitalised: bool,
}

fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(b, c)) in chars.iter().enumerate() {
        let next = chars.get(i + 1).map(|&(_, n)| n);
        let after = chars.get(i + 2).map(|&(_, n)| n);
        let apostrophe = c == '\'' || c == '\u{2019}';
        let possessive =
            matches!(next, Some('s' | 'S')) && !after.is_some_and(char::is_alphanumeric);
        let inner =
            apostrophe && start.is_some() && next.is_some_and(char::is_alphabetic) && !possessive;
        if c.is_alphanumeric() || inner {
            start.get_or_insert(b);
            continue;
        }
        if let Some(s) = start.take() {
            out.push(word(text, s..b));
        }
    }
    if let Some(s) = start {
        out.push(word(text, s..text.len()));
    }
    out
}

fn word(text: &str, range: Range<usize>) -> Word {
    let first = text[range.clone()].chars().next();
    Word {
        key: name_key(&text[range.clone()]),
        // Scripts without case (Han, Hangul) count as capitalised.
        capitalised: first.is_some_and(|c| c.is_uppercase() || !c.is_lowercase()),
        range,
    }
}

/// Where a name (by key) appears in a text: as whole words starting with a capital, or for
/// Han, kana and Hangul anywhere (those scripts do not space their words).
fn mentions(text: &str, words: &[Word], key: &str) -> Vec<Range<usize>> {
    if is_cjk_name(key) {
        return text
            .match_indices(key)
            .map(|(b, m)| b..b + m.len())
            .collect();
    }
    let parts: Vec<&str> = key.split(' ').collect();
    words
        .windows(parts.len())
        .filter(|w| w[0].capitalised && w.iter().zip(&parts).all(|(word, part)| word.key == *part))
        .map(|w| w[0].range.start..w[w.len() - 1].range.end)
        .collect()
}

fn is_cjk_name(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF)
    })
}
