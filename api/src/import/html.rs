//! HTML cell fragments → clean text blocks (one per paragraph, list item or line break).
//!
//! Cells come from a table export with partial, sometimes unclosed markup (`<ul>` without `<li>`,
//! `<p>` spanning continuation rows), so they go through html5ever's fragment parser, which repairs
//! them the way a browser would, instead of a hand-rolled tokenizer.

use scraper::{Html, Node};

/// Elements whose start or end separates blocks of text.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Elements whose content is never text of the summary.
const SKIPPED_ELEMENTS: &[&str] = &["head", "noscript", "script", "style", "template", "title"];

/// The text blocks of a fragment, in document order, whitespace collapsed and entities decoded;
/// inline markup (`<u>`, `<i>`, `<b>`, `<span>` …) is dropped but its text kept. Empty blocks are
/// left out.
pub fn blocks(fragment: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Most labels and short cells are plain text; they need no parser.
    if !fragment.contains(['<', '&']) {
        push_block(&mut out, fragment);
        return out;
    }
    let html = Html::parse_fragment(fragment);
    let mut current = String::new();
    // An explicit stack rather than recursion: a cell of 32 KiB of nested tags must not overflow.
    let mut stack = vec![(html.tree.root(), false)];
    while let Some((node, closing)) = stack.pop() {
        match node.value() {
            Node::Text(text) => current.push_str(text),
            Node::Element(element) => {
                let name = element.name();
                if SKIPPED_ELEMENTS.contains(&name) {
                    continue;
                }
                if BLOCK_ELEMENTS.contains(&name) {
                    push_block(&mut out, &current);
                    current.clear();
                }
                if !closing {
                    stack.push((node, true));
                    stack.extend(node.children().rev().map(|child| (child, false)));
                }
            }
            _ if !closing => stack.extend(node.children().rev().map(|child| (child, false))),
            _ => {}
        }
    }
    push_block(&mut out, &current);
    out
}

/// The whole fragment as one line of clean text (blocks joined by a space): for labels and the
/// short cells (city, country, population …).
pub fn text(fragment: &str) -> String {
    blocks(fragment).join(" ")
}

/// Collapses every run of white space (including no-break spaces) into one space and drops
/// invisible characters that only get in the way of matching (zero-width space, BOM, soft hyphen).
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(char::is_whitespace) {
        let word: String = word
            .chars()
            .filter(|c| !matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{AD}'))
            .collect();
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
    }
    out
}

fn push_block(out: &mut Vec<String>, raw: &str) {
    let block = collapse(raw);
    if !block.is_empty() {
        out.push(block);
    }
}

#[cfg(test)]
mod tests {
    use super::{blocks, collapse, text};

    #[test]
    fn paragraphs_become_blocks_and_inline_markup_keeps_its_text() {
        let cell = "<p>Key <u>focus</u> of <i>cooperation</i> themes:</p> <p>Second</p>";
        assert_eq!(blocks(cell), ["Key focus of cooperation themes:", "Second"]);
        assert_eq!(text(cell), "Key focus of cooperation themes: Second");
    }

    #[test]
    fn entities_are_decoded_and_no_break_spaces_collapsed() {
        assert_eq!(
            text("R&amp;D&nbsp;&nbsp;centre &lt;new&gt;"),
            "R&D centre <new>"
        );
        assert_eq!(
            text("Smart City & Digital Transition"),
            "Smart City & Digital Transition"
        );
    }

    #[test]
    fn unclosed_lists_and_line_breaks_are_repaired() {
        let cell =
            "<ul style=\"list-style-type: none\"> → A: one → B: two\n<br>\t<p>→ C</p> <p>→</p>";
        assert_eq!(blocks(cell), ["→ A: one → B: two", "→ C", "→"]);
    }

    #[test]
    fn list_items_and_breaks_separate_blocks() {
        assert_eq!(
            blocks("<ol><li>one</li><li>two<br>three</li></ol>tail"),
            ["one", "two", "three", "tail"]
        );
    }

    #[test]
    fn scripts_and_empty_paragraphs_are_dropped() {
        assert_eq!(
            blocks("<p> </p><script>alert(1)</script><p>kept</p><style>p{}</style>"),
            ["kept"]
        );
        assert!(blocks("   ").is_empty());
    }

    #[test]
    fn plain_text_is_only_collapsed() {
        assert_eq!(
            blocks("  Guangzhou \u{a0} city\u{200b} "),
            ["Guangzhou city"]
        );
        assert_eq!(collapse("a\t\tb\r\nc"), "a b c");
    }
}
