//! A small infallible XML writer into a `String`: elements are written in the order the caller
//! calls, every text and attribute value is escaped, and characters XML 1.0 forbids (control
//! characters, U+FFFE, U+FFFF) are dropped, since one stray byte in a published title would make
//! the whole file unreadable.

use std::borrow::Cow;

#[derive(Debug, Default)]
pub struct Xml {
    out: String,
}

impl Xml {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn into_string(self) -> String {
        self.out
    }

    /// `<name attrs…>`, then what `inner` writes, then `</name>`.
    pub fn elem(&mut self, name: &str, attrs: &[(&str, &str)], inner: impl FnOnce(&mut Self)) {
        self.start(name, attrs);
        self.out.push('>');
        inner(self);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name attrs…/>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push_str("/>");
    }

    /// `<name attrs…>text</name>`.
    pub fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.elem(name, attrs, |x| x.out.push_str(&escape(text)));
    }

    /// A raw line break between elements, for readers of the file.
    pub fn newline(&mut self) {
        self.out.push('\n');
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            // A raw line break or tab in an attribute reads back as a space: say so explicitly.
            let flat: String = value
                .chars()
                .map(|c| if c.is_whitespace() { ' ' } else { c })
                .collect();
            self.out.push_str(&escape(&flat));
            self.out.push('"');
        }
    }
}

/// Whether XML 1.0 allows `c` in a document (Rust strings hold no surrogates).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// `s` without the characters XML 1.0 forbids, escaped for text and attribute values.
pub fn escape(s: &str) -> Cow<'_, str> {
    if s.chars().all(allowed) {
        quick_xml::escape::escape(s)
    } else {
        let kept: String = s.chars().filter(|&c| allowed(c)).collect();
        Cow::Owned(quick_xml::escape::escape(kept.as_str()).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_text_and_attributes() {
        let mut x = Xml::new();
        x.text("a", &[("b", "\"x\" & <y>\n'z'")], "1 < 2 & \"3\" > 'x'");
        assert_eq!(
            x.into_string(),
            "<a b=\"&quot;x&quot; &amp; &lt;y&gt; &apos;z&apos;\">1 &lt; 2 &amp; &quot;3&quot; &gt; &apos;x&apos;</a>"
        );
    }

    #[test]
    fn drops_characters_xml_forbids_and_keeps_the_rest() {
        assert_eq!(escape("a\u{0}b\u{1b}c\u{FFFF}d"), "abcd");
        assert_eq!(escape("tab\there\nline\r"), "tab\there\nline\r");
        assert_eq!(escape("广州 Ω 😀"), "广州 Ω 😀");
    }

    #[test]
    fn nests_in_call_order() {
        let mut x = Xml::new();
        x.elem("p", &[], |x| {
            x.empty("a", &[("k", "v")]);
            x.text("b", &[], "t");
        });
        assert_eq!(x.into_string(), "<p><a k=\"v\"/><b>t</b></p>");
    }
}
