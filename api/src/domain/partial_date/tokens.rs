//! Tokens: the grammar works on digit runs, letter runs and punctuation, keeping byte offsets so
//! that `find` and `leading` can return the published text. [`Cur`] is the grammar's cursor over
//! them.

fn month_number(word: &str) -> Option<u32> {
    let m = match word {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A run of ASCII digits; `ordinal` when glued to "st", "nd", "rd" or "th" ("14th").
    Num {
        value: u64,
        digits: usize,
        ordinal: bool,
    },
    Word,
    Dash,
    Slash,
    Dot,
    Comma,
    Other,
}

#[derive(Debug, Clone)]
pub(super) struct Tok {
    kind: Kind,
    /// Lower-cased letters of a word; empty for other tokens.
    word: String,
    pub(super) start: usize,
    pub(super) end: usize,
}

pub(super) fn tokenize(s: &str) -> Vec<Tok> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let offset = |i: usize| chars.get(i).map_or(s.len(), |&(o, _)| o);
    let mut toks = Vec::new();
    let mut i = 0;
    while let Some(&(start, c)) = chars.get(i) {
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let kind = if c.is_ascii_digit() {
            while chars.get(j).is_some_and(|&(_, c)| c.is_ascii_digit()) {
                j += 1;
            }
            let digits = j - i;
            let value = s[start..offset(j)].bytes().fold(0u64, |acc, b| {
                acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
            });
            let mut k = j;
            while chars.get(k).is_some_and(|&(_, c)| c.is_alphabetic()) {
                k += 1;
            }
            let suffix = s[offset(j)..offset(k)].to_lowercase();
            let ordinal = matches!(suffix.as_str(), "st" | "nd" | "rd" | "th");
            if ordinal {
                j = k;
            }
            Kind::Num {
                value,
                digits,
                ordinal,
            }
        } else if c.is_alphabetic() {
            while chars.get(j).is_some_and(|&(_, c)| c.is_alphabetic()) {
                j += 1;
            }
            Kind::Word
        } else {
            match c {
                '-' | '‐' | '‑' | '‒' | '–' | '—' | '−' => Kind::Dash,
                '/' => Kind::Slash,
                '.' => Kind::Dot,
                ',' => Kind::Comma,
                _ => Kind::Other,
            }
        };
        let end = offset(j);
        let word = if kind == Kind::Word {
            s[start..end].to_lowercase()
        } else {
            String::new()
        };
        toks.push(Tok {
            kind,
            word,
            start,
            end,
        });
        i = j;
    }
    toks
}

/// A position in the token list; every method consumes on success only.
#[derive(Clone, Copy)]
pub(super) struct Cur<'t> {
    pub(super) toks: &'t [Tok],
    pub(super) i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i)
    }

    /// Whether the next token touches the previous one, as in "2019-05" (no spaces).
    pub(super) fn glued(&self) -> bool {
        match (
            self.i.checked_sub(1).and_then(|p| self.toks.get(p)),
            self.peek(),
        ) {
            (Some(prev), Some(next)) => prev.end == next.start,
            _ => false,
        }
    }

    pub(super) fn num(
        &mut self,
        digits: std::ops::RangeInclusive<usize>,
        ordinal_ok: bool,
    ) -> Option<u64> {
        match self.peek()?.kind {
            Kind::Num {
                value,
                digits: d,
                ordinal,
            } if digits.contains(&d) && (ordinal_ok || !ordinal) => {
                self.i += 1;
                Some(value)
            }
            _ => None,
        }
    }

    pub(super) fn year(&mut self) -> Option<i64> {
        self.num(4..=4, false).map(|y| y as i64)
    }

    /// A one- or two-digit month or day number without an ordinal suffix.
    pub(super) fn small(&mut self) -> Option<u64> {
        self.num(1..=2, false)
    }

    /// A day of the month as words write it: "14" or "14th".
    pub(super) fn day(&mut self) -> Option<u64> {
        self.num(1..=2, true)
    }

    pub(super) fn punct(&mut self, kind: Kind) -> bool {
        let hit = self.peek().is_some_and(|t| t.kind == kind);
        if hit {
            self.i += 1;
        }
        hit
    }

    pub(super) fn one_of(&mut self, kinds: &[Kind]) -> Option<Kind> {
        let kind = self.peek()?.kind;
        if kinds.contains(&kind) {
            self.i += 1;
            Some(kind)
        } else {
            None
        }
    }

    pub(super) fn word(&mut self, words: &[&str]) -> bool {
        let hit = self
            .peek()
            .is_some_and(|t| t.kind == Kind::Word && words.contains(&t.word.as_str()));
        if hit {
            self.i += 1;
        }
        hit
    }

    /// "November", "Nov", "Nov." or "Sept.".
    pub(super) fn month_name(&mut self) -> Option<u32> {
        let tok = self.peek()?;
        if tok.kind != Kind::Word {
            return None;
        }
        let m = month_number(&tok.word)?;
        self.i += 1;
        if self.glued() {
            self.punct(Kind::Dot);
        }
        Some(m)
    }

    /// "2nd" or "second", as in "2nd quarter 2019".
    pub(super) fn ordinal(&mut self) -> Option<u64> {
        if let Some(Kind::Num {
            value,
            digits: 1,
            ordinal: true,
        }) = self.peek().map(|t| t.kind)
        {
            self.i += 1;
            return Some(value);
        }
        let tok = self.peek()?;
        let n = match tok.word.as_str() {
            "first" => 1,
            "second" => 2,
            "third" => 3,
            "fourth" => 4,
            _ => return None,
        };
        self.i += 1;
        Some(n)
    }

    pub(super) fn range_separator(&mut self) -> bool {
        self.one_of(&[Kind::Dash, Kind::Slash]).is_some()
            || self.word(&["to", "until", "till", "through"])
    }
}
