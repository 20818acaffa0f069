//! The searched text as terms, and the only place where user text is turned into query syntax.
//!
//! Words match the start of an indexed word (`bolo` finds "Bologna"); runs of scripts written without
//! spaces (Chinese, Japanese, Korean, Thai, …) match anywhere, because neither FTS5's unicode61 nor
//! PostgreSQL's parser can cut them into words ("广州" must find "在广州举行"). Case and accents are
//! folded by the database, the same way for the text and the index.

use crate::error::{ApiError, ApiResult};

/// The longest text `search` accepts, in characters.
pub const MAX_TEXT: usize = 200;
/// The longest snippet, in characters.
const MAX_SNIPPET: usize = 200;
/// Marks around the matched text in snippets.
pub const MARK_START: &str = "[";
pub const MARK_END: &str = "]";

/// What to look for: every word and every run must match (AND).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// Letters and digits of space-separated scripts, as typed (the database folds them).
    pub words: Vec<String>,
    /// Runs of CJK, Thai, … characters, matched as substrings.
    pub runs: Vec<String>,
}

impl Terms {
    /// Splits `text` into terms; blank or over-long text is bad input. Punctuation separates terms
    /// and is otherwise ignored, so operators of the query languages (`OR`, `NEAR(`, `"`, `*`, `%`)
    /// are plain words or nothing.
    pub fn parse(text: &str) -> ApiResult<Self> {
        if text.trim().is_empty() {
            return Err(ApiError::invalid("text", "must not be blank"));
        }
        if text.chars().count() > MAX_TEXT {
            return Err(ApiError::invalid(
                "text",
                format!("must be at most {MAX_TEXT} characters"),
            ));
        }
        let mut terms = Self {
            words: Vec::new(),
            runs: Vec::new(),
        };
        let mut current = String::new();
        let mut current_unspaced = false;
        for c in text.chars().filter(|&c| !is_combining_mark(c)) {
            let unspaced = is_unspaced_script(c);
            if !c.is_alphanumeric() || (!current.is_empty() && unspaced != current_unspaced) {
                terms.push(std::mem::take(&mut current), current_unspaced);
            }
            if c.is_alphanumeric() {
                current.push(c);
                current_unspaced = unspaced;
            }
        }
        terms.push(current, current_unspaced);
        Ok(terms)
    }

    fn push(&mut self, term: String, unspaced: bool) {
        if term.is_empty() {
            return;
        }
        let list = if unspaced {
            &mut self.runs
        } else {
            &mut self.words
        };
        if !list.contains(&term) {
            list.push(term);
        }
    }

    /// True when the text held no letters or digits: nothing can match.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.runs.is_empty()
    }

    /// The terms joined by spaces, for comparing with titles.
    pub fn text(&self) -> String {
        let all: Vec<&str> = self
            .words
            .iter()
            .chain(&self.runs)
            .map(String::as_str)
            .collect();
        all.join(" ")
    }

    /// FTS5 query: each word a quoted prefix term, all required.
    pub fn fts5(&self) -> String {
        let terms: Vec<String> = self
            .words
            .iter()
            .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
            .collect();
        terms.join(" AND ")
    }

    /// `to_tsquery` text: each word a quoted prefix lexeme, all required.
    pub fn tsquery(&self) -> String {
        let terms: Vec<String> = self
            .words
            .iter()
            .map(|w| format!("'{}':*", w.replace('\\', "\\\\").replace('\'', "''")))
            .collect();
        terms.join(" & ")
    }

    /// `LIKE … ESCAPE '\'` patterns finding each run anywhere.
    pub fn like_patterns(&self) -> Vec<String> {
        self.runs
            .iter()
            .map(|r| format!("%{}%", escape_like(r)))
            .collect()
    }

    /// A snippet for a hit found by its runs only (the database's snippet functions need a word
    /// match): the text around the first run, with every run marked.
    pub fn mark_runs(&self, title: &str, body: &str) -> String {
        let found = [title, body].into_iter().find_map(|text| {
            self.runs
                .iter()
                .find_map(|r| text.find(r.as_str()))
                .map(|at| (text, at))
        });
        let Some((text, at)) = found else {
            return clip(title);
        };
        let chars_before = text[..at].chars().count();
        let start = chars_before.saturating_sub(MAX_SNIPPET / 4);
        let window: String = text.chars().skip(start).take(MAX_SNIPPET * 3 / 4).collect();
        let mut marked = String::new();
        if start > 0 {
            marked.push('…');
        }
        let mut rest = window.as_str();
        while !rest.is_empty() {
            let hit = self
                .runs
                .iter()
                .filter(|r| rest.starts_with(r.as_str()))
                .max_by_key(|r| r.len());
            match hit {
                Some(run) => {
                    marked.push_str(MARK_START);
                    marked.push_str(run);
                    marked.push_str(MARK_END);
                    rest = &rest[run.len()..];
                }
                None => {
                    let mut chars = rest.chars();
                    marked.extend(chars.next());
                    rest = chars.as_str();
                }
            }
        }
        if start + window.chars().count() < text.chars().count() {
            marked.push('…');
        }
        clip(&marked)
    }
}

/// Escapes the wildcards of `LIKE … ESCAPE '\'`.
pub fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Cuts a snippet to `MAX_SNIPPET` characters, closing a mark the cut left open.
pub fn clip(snippet: &str) -> String {
    let snippet = snippet.trim().replace(['\n', '\r', '\t'], " ");
    if snippet.chars().count() <= MAX_SNIPPET {
        return snippet;
    }
    let mut cut: String = snippet.chars().take(MAX_SNIPPET - 2).collect();
    if cut.rfind(MARK_START) > cut.rfind(MARK_END) {
        cut.push_str(MARK_END);
    }
    cut.push('…');
    cut
}

/// Scripts written without spaces between words.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF     // Thai, Lao
        | 0x1000..=0x109F   // Myanmar
        | 0x1780..=0x17FF   // Khmer
        | 0x1100..=0x11FF   // Hangul Jamo
        | 0x2E80..=0x2FDF   // CJK radicals
        | 0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3100..=0x31FF   // Bopomofo, Hangul compatibility Jamo, Katakana extensions
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xAC00..=0xD7AF   // Hangul syllables
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0xFF66..=0xFF9F   // half-width Katakana
        | 0x20000..=0x3FFFF // CJK extensions B–H
    )
}

/// Combining diacritics (a decomposed "ü"): dropped, since both indexes drop accents anyway.
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Terms {
        Terms::parse(text).unwrap_or_else(|e| panic!("{text:?}: {}", e.message()))
    }

    #[test]
    fn blank_and_overlong_text_is_bad_input() {
        for text in ["", "   ", "\t\n"] {
            assert_eq!(
                Terms::parse(text).map_err(|e| e.code()),
                Err("BAD_USER_INPUT")
            );
        }
        assert!(Terms::parse(&"a".repeat(MAX_TEXT)).is_ok());
        assert!(Terms::parse(&"广".repeat(MAX_TEXT + 1)).is_err());
    }

    #[test]
    fn words_and_unspaced_runs_are_split_apart() {
        let t = terms("Baden-Württemberg 广州2020 名古屋市");
        assert_eq!(t.words, ["Baden", "Württemberg", "2020"]);
        assert_eq!(t.runs, ["广州", "名古屋市"]);
        assert_eq!(terms("Wu\u{308}rttemberg").words, ["Wurttemberg"]);
    }

    #[test]
    fn query_syntax_is_only_ever_words() {
        let t = terms(r#"'; DROP TABLE plan; -- "x" OR NEAR( y* %_\"#);
        assert_eq!(t.words, ["DROP", "TABLE", "plan", "x", "OR", "NEAR", "y"]);
        assert_eq!(
            t.fts5(),
            r#""DROP"* AND "TABLE"* AND "plan"* AND "x"* AND "OR"* AND "NEAR"* AND "y"*"#
        );
        assert_eq!(terms("it x").tsquery(), "'it':* & 'x':*");
        for text in ["%", "_", "\"", "*", "( ) - ;"] {
            assert!(terms(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
        assert_eq!(terms("广州").like_patterns(), ["%广州%"]);
    }

    #[test]
    fn runs_are_marked_in_the_title_first_then_the_body() {
        let t = terms("广州");
        assert_eq!(t.mark_runs("Guangzhou 广州", ""), "Guangzhou [广州]");
        assert_eq!(
            t.mark_runs("U-CAP", "在广州举行 广州市"),
            "在[广州]举行 [广州]市"
        );
        let long = format!("{}广州{}", "x".repeat(300), "y".repeat(300));
        let snippet = t.mark_runs("", &long);
        assert!(snippet.contains("[广州]") && snippet.starts_with('…') && snippet.ends_with('…'));
        assert!(snippet.chars().count() <= MAX_SNIPPET);
    }

    #[test]
    fn clipping_keeps_marks_closed() {
        let long = format!("{}[Bologna] and more", "a ".repeat(98));
        let clipped = clip(&long);
        assert!(clipped.chars().count() <= MAX_SNIPPET);
        assert!(clipped.ends_with("]…"), "{clipped}");
        assert_eq!(clip(" two\nlines "), "two lines");
    }
}
