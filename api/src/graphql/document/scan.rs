//! A look at the raw query text before async-graphql's parser sees it. The parser descends
//! recursively, one stack frame per nested `{`, `(` or `[`: a few thousand of them overflow the
//! stack of a worker thread and abort the whole process, so nesting is bounded here, on bytes.

/// The deepest bracket nesting of `text` if it stays within `limit`, `None` as soon as it goes
/// deeper. Strings, block strings and comments are skipped; unbalanced or unterminated text is
/// left for the parser to refuse.
pub fn nesting_within(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'{' | b'(' | b'[' => {
                depth += 1;
                if depth > limit {
                    return None;
                }
                deepest = deepest.max(depth);
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            b'#' => {
                i = skip_comment(bytes, i);
                continue;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i = skip_block_string(bytes, i + 3);
                continue;
            }
            b'"' => {
                i = skip_string(bytes, i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Some(deepest)
}

/// The index after the line terminator ending the comment that starts at `i`.
fn skip_comment(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |end| i + end + 1)
}

/// The index after the `"` closing the string whose content starts at `i`; a `\` escapes the next
/// byte. A line terminator ends an (unterminated) string too, as it does for the parser.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\\' => i += 2,
            b'"' | b'\n' | b'\r' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The index after the `"""` closing the block string whose content starts at `i`; `\"""` is an
/// escaped delimiter, no other escapes exist.
fn skip_block_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\\\"\"\"") {
            i += 4;
        } else if bytes[i..].starts_with(b"\"\"\"") {
            return i + 3;
        } else {
            i += 1;
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_of_every_kind_nest() {
        assert_eq!(nesting_within("{ a }", 64), Some(1));
        assert_eq!(nesting_within("{ a(x: [{ y: 1 }]) { b } }", 64), Some(4));
        assert_eq!(
            nesting_within("query { a { b { c } } d { e } }", 64),
            Some(3)
        );
        assert_eq!(nesting_within("", 64), Some(0));
    }

    #[test]
    fn nesting_past_the_limit_is_refused_early() {
        let deep = format!("{}{}", "{a".repeat(7_000), "}".repeat(7_000));
        assert_eq!(nesting_within(&deep, 64), None);
        let unclosed = "[".repeat(100_000);
        assert_eq!(nesting_within(&unclosed, 64), None);
        assert_eq!(nesting_within("{{{", 3), Some(3));
        assert_eq!(nesting_within("{{{{", 3), None);
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = r#"{ a(s: "{{{{[[[(((") # {{{{{{
            b(s: """ {{{{ \""" {{{{ """) }"#;
        assert_eq!(nesting_within(text, 2), Some(2));
        assert_eq!(nesting_within(r#"{ a(s: "\"{{{{") }"#, 2), Some(2));
        assert_eq!(nesting_within(r#"{ a(s: "\\") { b { c } } }"#, 3), Some(3));
        assert_eq!(nesting_within("# {{{{\r{ a }", 1), Some(1));
    }

    #[test]
    fn a_string_ends_at_a_line_break_like_the_parser_says() {
        // Unterminated: the rest of the line is skipped, the next lines count.
        assert_eq!(nesting_within("{ a(s: \"{{{{\n{{{{ }", 3), None);
    }

    #[test]
    fn unterminated_strings_and_stray_closers_end_the_scan_quietly() {
        assert_eq!(nesting_within(r#"{ a(s: "{{{{"#, 2), Some(2));
        assert_eq!(nesting_within(r#"{ a(s: """ {{{{ "#, 2), Some(2));
        assert_eq!(nesting_within("}}}{ a }", 1), Some(1));
        assert_eq!(nesting_within("{ a(s: \"x\\", 2), Some(2));
    }
}
