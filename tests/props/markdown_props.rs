//! Fuzzing `ecrp::markdown::render` with proptest: on any input and at any width it never panics,
//! never emits a control, bidi or invisible format character, and never emits a line wider than
//! the width (lines are clipped, so this holds even where one character is wider than the width).
//! Its output drawn into a `TestBackend` fits and leaves only safe cells.
//!
//! The default case count keeps CI (2 cores, debug build) well under 30 s. Long run:
//!
//! ```sh
//! PROPTEST_CASES=200000 cargo test --release --test props markdown_props
//! ```

use ecrp::markdown::{render, wrap_plain};
use ecrp::sanitize::{display_width, is_unsafe_char};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Style;
use ratatui::text::Text;
use ratatui::widgets::Paragraph;

/// `PROPTEST_CASES` when set, else `default` (sized for a debug build on CI).
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig::with_cases(cases)
}

/// What markdown-ish input is made of: the characters markdown cares about, escape bytes, wide
/// and combining text.
const PIECES: &[&str] = &[
    "#",
    "# ",
    "###### ",
    "*",
    "**",
    "_",
    "~~",
    "`",
    "```",
    "```rust\n",
    "|",
    " | ",
    "|---|:-:|--:|\n",
    ">",
    "> ",
    "-",
    "- ",
    "- [x] ",
    "1. ",
    "10) ",
    "7",
    "[",
    "](",
    ")",
    "![",
    "<https://x.example/a>",
    "<b>",
    "<div>\n",
    "&amp;",
    "&#27;",
    "&#x9b;",
    "\n",
    "\n\n",
    "    ",
    "\t",
    "  \n",
    "\\",
    "---\n",
    "\u{1b}",
    "\u{1b}[31m",
    "\u{1b}]0;t\u{7}",
    "\u{9b}",
    "\u{202e}",
    "\u{200d}",
    "\u{301}",
    "世界",
    "🚀",
    "ｶﾞ",
    " ",
    "word",
    "https://example.com/a/very/long/path/that/does/not/fit",
];

/// Random mixes of `PIECES` (`select` keeps generation cheap in debug builds).
fn markdownish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..120).prop_map(|v| v.concat())
}

fn input() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), markdownish()]
}

fn check(text: &Text<'_>, width: u16) -> Result<(), TestCaseError> {
    for line in &text.lines {
        let mut w = 0;
        for span in &line.spans {
            prop_assert!(
                !span.content.chars().any(is_unsafe_char),
                "unsafe char in {:?}",
                span.content
            );
            w += display_width(&span.content);
        }
        prop_assert!(w <= usize::from(width), "line {w} > {width}: {line:?}");
        prop_assert!(line.width() <= usize::from(width), "{line:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn render_is_safe_at_any_width(md in input(), width in 0u16..=200) {
        check(&render(&md, width), width)?;
    }

}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn render_is_safe_at_tiny_widths(md in markdownish(), width in 0u16..=4) {
        check(&render(&md, width), width)?;
    }

    #[test]
    fn wrap_plain_is_safe(text in input(), width in 0u16..=120) {
        check(&wrap_plain(&text, width, Style::new()), width)?;
    }

    /// What the UI does with it: a Paragraph (no re-wrap) in an area of that width.
    #[test]
    fn rendered_text_draws_cleanly(md in markdownish(), w in 1u16..100, h in 1u16..30) {
        let text = render(&md, w);
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("backend");
        term.draw(|f| f.render_widget(Paragraph::new(text), f.area())).expect("draw");
        for cell in &term.backend().buffer().content {
            prop_assert!(!cell.symbol().chars().any(is_unsafe_char), "{:?}", cell.symbol());
        }
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    for md in [
        "> ".repeat(5_000),
        "- ".repeat(5_000),
        "*".repeat(20_000),
        "[".repeat(20_000),
        format!("{}x{}", "**".repeat(5_000), "**".repeat(5_000)),
    ] {
        let text = render(&md, 80);
        assert!(text.lines.iter().all(|l| l.width() <= 80));
    }
}
