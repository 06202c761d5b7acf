//! Untrusted text on its way to the screen: every API string goes through here.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::theme::theme;

/// One line of API text, neutralised.
pub fn clean(s: &str) -> String {
    crate::sanitize::clean_line(s).into_owned()
}

/// `label: value` with the label styled.
pub fn field(label: &str, value: impl Into<String>) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label}: "), theme().label),
        Span::raw(value.into()),
    ])
}

/// `[value]` badges (the brackets keep them readable without colour).
pub fn badges(values: &[String]) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    for v in values {
        if !out.is_empty() {
            out.push(Span::raw(" "));
        }
        out.push(Span::styled(format!("[{}]", clean(v)), theme().badge));
    }
    out
}

pub fn styled(s: impl Into<String>, style: Style) -> Span<'static> {
    Span::styled(s.into(), style)
}

/// Greedy word wrap of plain (already cleaned) text to `width` columns; words longer than the
/// width are cut.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let width = width.max(1);
    let mut out = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let mut word = word.to_string();
            while word.width() > width {
                let mut cut = String::new();
                for c in word.chars() {
                    if (cut.clone() + &c.to_string()).width() > width {
                        break;
                    }
                    cut.push(c);
                }
                if cut.is_empty() {
                    break;
                }
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                }
                word = word[cut.len()..].to_string();
                out.push(cut);
            }
            let need = if line.is_empty() {
                word.width()
            } else {
                line.width() + 1 + word.width()
            };
            if need > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        out.push(line);
    }
    out
}
