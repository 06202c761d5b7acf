//! Neutralise untrusted strings before they reach the terminal. CONTRACT: filled in by the
//! sanitize work.

use std::borrow::Cow;

/// One line: every control character, escape sequence and bidi override removed; newlines too.
pub fn clean_line(s: &str) -> Cow<'_, str> {
    if s.chars().all(|c| !c.is_control()) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|c| !c.is_control()).collect())
    }
}

/// Multi-line text: as `clean_line` but keeps `\n`.
pub fn clean_text(s: &str) -> Cow<'_, str> {
    if s.chars().all(|c| c == '\n' || !c.is_control()) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(
            s.chars()
                .filter(|c| *c == '\n' || !c.is_control())
                .collect(),
        )
    }
}
