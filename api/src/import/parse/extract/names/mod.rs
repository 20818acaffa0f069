//! Names inside free text: a bullet's first sentence, the place it happened, the organizations it
//! mentions, an MoU's subject. Pattern-based and conservative: a miss is better than a wrong name.

use crate::domain::text::name_key;

/// Words that make a capitalised phrase an organization, not a place ("Bologna University").
const ORG_HEADS: &[&str] = &[
    "University",
    "Hospital",
    "Institute",
    "Municipality",
    "Academy",
];
/// The word before "Government"/"Council" that makes it a city's own ("Guangzhou Municipal Government").
const GOVERNMENT_QUALIFIERS: &[&str] = &[
    "Municipal",
    "City",
    "Provincial",
    "District",
    "Metropolitan",
    "People",
];
/// Acronyms the programme uses for a development district ("Guangzhou DDG").
const DISTRICT_ACRONYMS: &[&str] = &["DDG", "GDD"];
/// Capitalised words that start sentences or qualify names without being part of them.
const LEADING_STOP_WORDS: &[&str] = &[
    "A", "An", "And", "At", "Between", "Both", "By", "For", "Former", "From", "In", "Its", "Of",
    "On", "Our", "Possible", "The", "Their", "To", "With",
];
/// Capitalised words after "in"/"to"/"visit" that are not places ("in European cities", "in May").
const NOT_PLACES: &[&str] = &[
    "American",
    "Asian",
    "Brazilian",
    "Chinese",
    "Cooperation",
    "English",
    "European",
    "French",
    "German",
    "Indian",
    "Italian",
    "Japanese",
    "Korean",
    "Latin",
    "Phase",
    "Spanish",
    "The",
    "This",
    "These",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A word of free text with its byte range; `joined` when no punctuation separates it from the word
/// before, so "Brussels (EU-China …" does not run on into one name.
struct Tok<'a> {
    word: &'a str,
    start: usize,
    end: usize,
    joined: bool,
}

fn tokens(s: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut broken = true;
    for (offset, raw) in s
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - s.as_ptr() as usize, w))
    {
        let head = raw.trim_start_matches(|c: char| !c.is_alphanumeric());
        let core = head.trim_end_matches(|c: char| !c.is_alphanumeric());
        let word = core
            .strip_suffix("'s")
            .or_else(|| core.strip_suffix("’s"))
            .unwrap_or(core);
        if word.is_empty() {
            broken = true;
            continue;
        }
        let start = offset + (raw.len() - head.len());
        out.push(Tok {
            word,
            start,
            end: start + word.len(),
            joined: !broken && head.len() == raw.len(),
        });
        broken = core.len() != head.len();
    }
    out
}

fn is_titlecase(word: &str) -> bool {
    word.starts_with(char::is_uppercase) && word.chars().any(char::is_lowercase)
}

fn is_acronym(word: &str) -> bool {
    word.starts_with(char::is_uppercase)
        && !word.chars().any(char::is_lowercase)
        && word.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

/// "in Brussels", "visit Guangzhou", "to Nagoya": the capitalised phrase after the first such word,
/// unless it is an organization, a month or an adjective.
pub fn place(s: &str) -> Option<String> {
    let toks = tokens(s);
    for (i, tok) in toks.iter().enumerate() {
        let trigger = ["in", "to", "visit", "visits", "visited", "visiting"];
        if !trigger.iter().any(|t| tok.word.eq_ignore_ascii_case(t)) {
            continue;
        }
        let run: Vec<&Tok> = toks[i + 1..]
            .iter()
            .take_while(|t| t.joined && is_titlecase(t.word))
            .take(3)
            .collect();
        let rejected = run
            .iter()
            .any(|t| ORG_HEADS.contains(&t.word) || NOT_PLACES.contains(&t.word));
        if let (Some(first), Some(last), false) = (run.first(), run.last(), rejected) {
            return Some(s[first.start..last.end].to_owned());
        }
    }
    None
}

/// Organizations named by pattern: "University of X", "X University/Hospital/Institute",
/// "X Chamber of Commerce", "X Development District", "X DDG", "X Municipal Government",
/// "Municipality of X", and an acronym before "team"/"office" ("IUC team" → "IUC").
pub fn organizations(s: &str) -> Vec<String> {
    let toks = tokens(s);
    let word = |i: usize| toks.get(i).filter(|t| t.joined).map(|t| t.word);
    let slice = |from: usize, to: usize| s[toks[from].start..toks[to].end].to_owned();
    // The capitalised words just before `i`, without leading "The", "With" …
    let run_before = |i: usize| -> Option<usize> {
        let mut j = i;
        while j > 0
            && i - j < 4
            && toks[j].joined
            && (is_titlecase(toks[j - 1].word) || is_acronym(toks[j - 1].word))
        {
            j -= 1;
        }
        while j < i && LEADING_STOP_WORDS.contains(&toks[j].word) {
            j += 1;
        }
        (j < i).then_some(j)
    };
    let mut found: Vec<String> = Vec::new();
    for (i, tok) in toks.iter().enumerate() {
        let name = match tok.word {
            w if ORG_HEADS.contains(&w) => {
                // "Bologna University", "University of Bologna", "Lyon Institute of Public Health".
                let mut end = None;
                if word(i + 1) == Some("of") {
                    let mut k = i + 2;
                    while let Some(w) =
                        word(k).filter(|w| is_titlecase(w) || matches!(*w, "and" | "of" | "for"))
                    {
                        end = is_titlecase(w).then_some(k).or(end);
                        k += 1;
                    }
                }
                match (run_before(i), end) {
                    (None, None) => None,
                    (start, end) => Some(slice(start.unwrap_or(i), end.unwrap_or(i))),
                }
            }
            "Government" | "Council" => {
                let qualified = tok.joined && GOVERNMENT_QUALIFIERS.contains(&toks[i - 1].word);
                run_before(i).filter(|_| qualified).map(|j| slice(j, i))
            }
            "District" | "Zone" if word(i).is_some() && toks[i - 1].word == "Development" => {
                run_before(i).filter(|&j| j < i - 1).map(|j| slice(j, i))
            }
            w if DISTRICT_ACRONYMS.contains(&w) => run_before(i).map(|j| slice(j, i)),
            "Chamber" if word(i + 1) == Some("of") && word(i + 2) == Some("Commerce") => {
                run_before(i).map(|j| slice(j, i + 2))
            }
            w if is_acronym(w)
                && word(i + 1).is_some_and(|n| {
                    n.eq_ignore_ascii_case("team") || n.eq_ignore_ascii_case("office")
                }) =>
            {
                Some(w.to_owned())
            }
            _ => None,
        };
        if let Some(name) = name.filter(|n| !found.iter().any(|f| name_key(f) == name_key(n))) {
            found.push(name);
        }
    }
    found
}

/// "MoUs with Granada … on cooperation of Biotechnology." → "cooperation of Biotechnology": the
/// text after " on " / " for " / " in the field of ", up to a clause that is no longer the subject
/// (", signed in March 2021", " (…)", the end of the sentence).
pub fn mou_subject(text: &str) -> Option<String> {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` slice `text`.
    let lower = text.to_ascii_lowercase();
    let from = ["mou", "memorand"]
        .iter()
        .filter_map(|k| lower.find(k))
        .min()
        .unwrap_or(0);
    let openers = [
        " in the fields of ",
        " in the field of ",
        " on ",
        " for ",
        " regarding ",
        " concerning ",
    ];
    let (at, len) = openers
        .iter()
        .filter_map(|o| lower[from..].find(o).map(|i| (from + i, o.len())))
        .min()?;
    let subject = &text[at + len..];
    let lower = &lower[at + len..];
    let mut end = subject.len();
    for stop in [". ", "; ", " (", " signed", " to be signed", " which "] {
        end = end.min(lower.find(stop).unwrap_or(end));
    }
    // ", signed in …", ", expected by …": a comma before a participle closes the subject; a comma
    // inside a list ("mobility, energy and health") does not.
    for (i, _) in lower[..end].match_indices(", ") {
        let next = lower[i + 2..]
            .split(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or_default();
        if next.ends_with("ed") || matches!(next, "to" | "which" | "that" | "by" | "with" | "in") {
            end = i;
            break;
        }
    }
    let subject = subject[..end]
        .trim()
        .trim_end_matches(['.', ',', ';', ':'])
        .trim();
    (!subject.is_empty()).then(|| subject.to_owned())
}

/// Whether an MoU's text names its parties together: "between X and Y", or "X and Y" as the
/// subject of a form of "sign" ("Guangzhou and Granada signed", "… will sign"). "MoUs with X and
/// Y" names the partners of the plan's own city instead, one MoU each.
pub fn mou_parties_named(text: &str) -> bool {
    let lower = format!(" {} ", text.to_lowercase());
    if let Some(at) = lower.find(" between ")
        && lower[at..].contains(" and ")
    {
        return true;
    }
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let Some(verb) = words
        .iter()
        .position(|w| matches!(*w, "sign" | "signs" | "signed" | "signing"))
    else {
        return false;
    };
    let before = &words[..verb];
    before.contains(&"and") && !before.iter().any(|w| matches!(*w, "with" | "by"))
}

/// The first sentence: up to ". " or "; " outside parentheses, not after an abbreviation or an
/// initial ("e.g. ", "J. Smith").
pub fn first_sentence(s: &str) -> &str {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '.' | ';' | '!' | '?' if depth == 0 && s[i + 1..].starts_with(char::is_whitespace) => {
                let word = s[..i]
                    .rsplit(|c: char| c.is_whitespace() || c == '(')
                    .next()
                    .unwrap_or_default();
                let abbreviation = c == '.'
                    && (word.chars().count() <= 1
                        || word.contains('.')
                        || ["etc", "incl", "approx", "vs", "no", "st", "dr"]
                            .contains(&word.to_lowercase().as_str()));
                if !abbreviation {
                    return s[..i].trim_end();
                }
            }
            _ => {}
        }
    }
    s.trim_end().trim_end_matches('.')
}

/// Cuts at a word boundary and marks the cut with "…".
pub fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max_chars.saturating_sub(1)).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests;
