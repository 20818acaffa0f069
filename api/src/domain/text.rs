//! Text normalisation shared by matching code (gazetteer, code lists, idempotent imports).

/// A match key for names: Latin letters lose their accents ("Düsseldorf" → "dusseldorf", "ß" → "ss"),
/// everything is lower-cased, punctuation and runs of white space become one space. Other scripts are
/// kept as they are, so "广州" stays "广州" instead of becoming a romanisation that could collide.
pub fn name_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            if is_latin(c) && !c.is_ascii() {
                for d in deunicode::deunicode_char(c).unwrap_or("").chars() {
                    if d.is_alphanumeric() {
                        out.extend(d.to_lowercase());
                    }
                }
            } else {
                out.extend(c.to_lowercase());
            }
        } else if c == '\'' || c == '\u{2019}' {
            // "Xi'an" and "Xian" should meet; apostrophes join rather than split.
        } else {
            pending_space = true;
        }
    }
    out
}

fn is_latin(c: char) -> bool {
    matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF)
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn strips_latin_accents_and_case() {
        assert_eq!(name_key("Düsseldorf"), "dusseldorf");
        assert_eq!(name_key("Straßburg"), "strassburg");
        assert_eq!(name_key("  São   Paulo "), "sao paulo");
        assert_eq!(name_key("Baden-Württemberg"), "baden wurttemberg");
    }

    #[test]
    fn keeps_other_scripts() {
        assert_eq!(name_key("广州"), "广州");
        assert_eq!(name_key("서울"), "서울");
    }

    #[test]
    fn apostrophes_join() {
        assert_eq!(name_key("Xi'an"), "xian");
    }
}
