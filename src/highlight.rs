//! Syntax colouring for the JSON documents ecrp shows (repository policies).
//!
//! The document is re-indented from its own tokens rather than through `serde_json::Value`, so key
//! order and number spelling stay exactly as stored. String contents are shown in their escaped JSON
//! form: `\u001b` stays six visible characters and is never decoded into a raw ESC; raw characters
//! that valid JSON may still hold (C1 controls, bidi overrides, zero-width characters) are shown as
//! `\uXXXX` escapes too, so the reader sees that they are there.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};

use crate::sanitize::{clean_text, is_unsafe_char};

const INDENT: &str = "  ";

/// Style of each kind of JSON token.
pub struct JsonTheme;

impl JsonTheme {
    pub const KEY: Style = Style::new().fg(Color::LightBlue);
    pub const STRING: Style = Style::new().fg(Color::Green);
    pub const NUMBER: Style = Style::new().fg(Color::LightMagenta);
    pub const BOOL: Style = Style::new().fg(Color::Yellow);
    pub const NULL: Style = Style::new()
        .fg(Color::DarkGray)
        .add_modifier(Modifier::ITALIC);
    pub const PUNCT: Style = Style::new().fg(Color::Gray);
}

/// Pretty-prints valid JSON (2-space indent) with colours; anything else is shown as is, cleaned.
/// Never panics.
pub fn json(text: &str) -> Text<'static> {
    // serde_json validates (with its recursion limit, so absurd nesting falls back to plain text).
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
        return clean_text(text)
            .split('\n')
            .map(|l| Line::raw(l.to_string()))
            .collect();
    }
    Pretty::default().run(text)
}

#[derive(Default)]
struct Pretty {
    lines: Vec<Line<'static>>,
    cur: Vec<Span<'static>>,
    depth: usize,
}

impl Pretty {
    fn push(&mut self, s: impl Into<String>, style: Style) {
        self.cur.push(Span::styled(s.into(), style));
    }

    fn newline(&mut self) {
        self.lines.push(Line::from(std::mem::take(&mut self.cur)));
        if self.depth > 0 {
            self.cur.push(Span::raw(INDENT.repeat(self.depth)));
        }
    }

    /// Walks the tokens of an already validated document.
    fn run(mut self, text: &str) -> Text<'static> {
        let bytes = text.as_bytes();
        let next_significant = |mut i: usize| {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            bytes.get(i).copied().map(|b| (i, b))
        };
        let mut i = 0;
        while let Some((start, b)) = next_significant(i) {
            i = start + 1;
            match b {
                b'{' | b'[' => {
                    let close = if b == b'{' { b'}' } else { b']' };
                    match next_significant(i) {
                        Some((j, c)) if c == close => {
                            self.push(format!("{}{}", b as char, c as char), JsonTheme::PUNCT);
                            i = j + 1;
                        }
                        _ => {
                            self.push((b as char).to_string(), JsonTheme::PUNCT);
                            self.depth += 1;
                            self.newline();
                        }
                    }
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    self.newline();
                    self.push((b as char).to_string(), JsonTheme::PUNCT);
                }
                b',' => {
                    self.push(",", JsonTheme::PUNCT);
                    self.newline();
                }
                b':' => self.push(": ", JsonTheme::PUNCT),
                b'"' => {
                    let end = string_end(bytes, i);
                    let is_key = matches!(next_significant(end), Some((_, b':')));
                    let style = if is_key {
                        JsonTheme::KEY
                    } else {
                        JsonTheme::STRING
                    };
                    self.push(visible_string(&text[start..end]), style);
                    i = end;
                }
                _ => {
                    let mut end = i;
                    while end < bytes.len()
                        && (bytes[end].is_ascii_alphanumeric() || b"+-.".contains(&bytes[end]))
                    {
                        end += 1;
                    }
                    let token = &text[start..end];
                    let style = match token {
                        "true" | "false" => JsonTheme::BOOL,
                        "null" => JsonTheme::NULL,
                        _ => JsonTheme::NUMBER,
                    };
                    self.push(token.to_string(), style);
                    i = end;
                }
            }
        }
        if !self.cur.is_empty() {
            self.lines.push(Line::from(self.cur));
        }
        Text::from(self.lines)
    }
}

/// Index just past the closing quote of the string whose body starts at `i`.
fn string_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// A JSON string literal (quotes included) as shown: escapes kept as written, unsafe raw characters
/// replaced by their `\uXXXX` escapes.
fn visible_string(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len());
    for c in literal.chars() {
        if is_unsafe_char(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(t: &Text<'_>) -> Vec<String> {
        t.lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    fn style_of(t: &Text<'_>, needle: &str) -> Style {
        t.lines
            .iter()
            .flat_map(|l| &l.spans)
            .find(|s| s.content == needle)
            .map(|s| s.style)
            .unwrap_or_else(|| panic!("no span {needle:?}"))
    }

    #[test]
    fn pretty_prints_in_source_order() {
        let t = json(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["ecr-public:Get*"]}],"n":1.5e3,"ok":true,"none":null,"e":{},"a":[]}"#,
        );
        assert_eq!(
            plain(&t),
            [
                "{",
                r#"  "Version": "2012-10-17","#,
                r#"  "Statement": ["#,
                "    {",
                r#"      "Effect": "Allow","#,
                r#"      "Principal": "*","#,
                r#"      "Action": ["#,
                r#"        "ecr-public:Get*""#,
                "      ]",
                "    }",
                "  ],",
                r#"  "n": 1.5e3,"#,
                r#"  "ok": true,"#,
                r#"  "none": null,"#,
                r#"  "e": {},"#,
                r#"  "a": []"#,
                "}",
            ]
        );
        assert_eq!(style_of(&t, "\"Version\""), JsonTheme::KEY);
        assert_eq!(style_of(&t, "\"2012-10-17\""), JsonTheme::STRING);
        assert_eq!(style_of(&t, "1.5e3"), JsonTheme::NUMBER);
        assert_eq!(style_of(&t, "true"), JsonTheme::BOOL);
        assert_eq!(style_of(&t, "null"), JsonTheme::NULL);
        assert_eq!(style_of(&t, "{"), JsonTheme::PUNCT);
    }

    #[test]
    fn scalars_and_escaped_quotes() {
        assert_eq!(plain(&json(" 42 ")), ["42"]);
        assert_eq!(
            plain(&json(r#"["a\"b", -1]"#)),
            ["[", r#"  "a\"b","#, "  -1", "]"]
        );
    }

    #[test]
    fn invalid_json_is_shown_as_is_but_clean() {
        let t = json("{\"a\": \u{1b}[31m\n\tbroken");
        assert_eq!(plain(&t), ["{\"a\": ", "    broken"]);
        assert_eq!(plain(&json("")), [""]);
        let deep = "[".repeat(10_000);
        assert_eq!(json(&deep).lines.len(), 1);
    }

    #[test]
    fn control_characters_stay_escaped() {
        let t = json("{\"k\": \"\\u001b]0;title\\u0007 \u{202e}x\u{9b}\"}");
        let lines = plain(&t);
        assert_eq!(lines[1], r#"  "k": "\u001b]0;title\u0007 \u202ex\u009b""#);
        for line in &lines {
            assert!(!line.chars().any(is_unsafe_char), "{line:?}");
        }
    }
}
