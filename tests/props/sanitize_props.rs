//! Property tests for `ecrp::sanitize`: nothing unsafe survives, cleaning is idempotent, clean input
//! is borrowed, the `scrub_buffer` safety net catches what bypassed it, and widths as measured by
//! `display_width` are the widths ratatui draws.
//!
//! Long run: `PROPTEST_CASES=100000 cargo test --release --test props sanitize_props`

use std::borrow::Cow;

use ecrp::sanitize::{clean_line, clean_text, display_width, is_unsafe_char, scrub_buffer};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthChar;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4096);
    ProptestConfig::with_cases(cases)
}

/// Strings dense in what attackers use: escape sequence openers and terminators, C1 forms, bidi
/// and zero-width characters, next to wide and combining text.
fn hostile() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "\x1b[", "\x1b]", "\x1bP", "\x1b\\", "\x1b", "\x07", "\u{9b}", "\u{9d}", "\u{9c}",
        "\u{202e}", "\u{2067}", "\u{200d}", "\u{feff}", "\u{301}", "\t", "\r\n", "\n", "世界",
        "e\u{301}", "🚀", "ｶﾞ", "0", "1;2", "31m", "?25l", "H", "\\", "abc", " ",
    ];
    let piece = prop_oneof![
        4 => prop::sample::select(PIECES).prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), hostile()]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn clean_line_leaves_nothing_unsafe(s in any_text()) {
        let out = clean_line(&s);
        prop_assert!(!out.chars().any(is_unsafe_char), "{out:?}");
        prop_assert!(!out.contains('\t'));
        let again = clean_line(&out);
        prop_assert!(matches!(again, Cow::Borrowed(_)), "not idempotent: {out:?}");
        prop_assert_eq!(again.as_ref(), out.as_ref());
    }

    #[test]
    fn clean_text_keeps_only_newlines(s in any_text()) {
        let out = clean_text(&s);
        prop_assert!(!out.chars().any(|c| c != '\n' && is_unsafe_char(c)), "{out:?}");
        prop_assert!(matches!(clean_text(&out), Cow::Borrowed(_)), "not idempotent: {out:?}");
        // Lines are never merged or invented: a clean_text line cleans to itself as a line.
        for line in out.split('\n') {
            prop_assert!(matches!(clean_line(line), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn clean_input_is_borrowed(s in any::<String>()) {
        // Clean means: no unsafe character, and no zero-width character starting a line.
        let mut clean = String::new();
        for c in s.chars().filter(|&c| c == '\n' || !is_unsafe_char(c)) {
            let line_start = clean.is_empty() || clean.ends_with('\n');
            if !(line_start && c.width() == Some(0)) {
                clean.push(c);
            }
        }
        prop_assert!(matches!(clean_text(&clean), Cow::Borrowed(_)), "{clean:?}");
        let s: String = clean.split('\n').collect();
        prop_assert!(matches!(clean_line(&s), Cow::Borrowed(_)));
        prop_assert!(matches!(clean_text(&s), Cow::Borrowed(_)));
    }

    /// The layout's measure is the drawn width: set_line returns where drawing stopped.
    #[test]
    fn display_width_is_drawn_width(s in any_text()) {
        let s = clean_line(&s);
        let w = display_width(&s);
        prop_assume!(w < 500);
        let mut buf = Buffer::empty(Rect::new(0, 0, 500, 1));
        let (x, _) = buf.set_line(0, 0, &Line::raw(s.as_ref()), 500);
        prop_assert_eq!(usize::from(x), w, "{:?}", s);
    }

    /// Raw hostile text drawn straight into a terminal (bypassing clean_*) is made safe by the
    /// per-frame safety net.
    #[test]
    fn scrub_buffer_catches_everything(s in any_text(), w in 1u16..60, h in 1u16..12) {
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
        term.draw(|f| {
            let area = f.area();
            // No wrap here: ratatui's wrapper itself can panic on raw wide/baseless graphemes.
            f.render_widget(Paragraph::new(s.as_str()), area);
            // Low-level writes skip ratatui's own filtering; the net must still catch them.
            f.buffer_mut()[(0, 0)].set_symbol(&s.chars().take(3).collect::<String>());
            scrub_buffer(f.buffer_mut());
        })
        .expect("draw");
        for cell in &term.backend().buffer().content {
            prop_assert!(!cell.symbol().chars().any(is_unsafe_char), "{:?}", cell.symbol());
        }
    }
}

/// Columns of names with wide, combining and emoji characters, padded by `display_width`, line up
/// on screen: every row's separator lands in the same terminal column.
#[test]
fn wide_and_combining_names_stay_aligned() {
    let names = [
        "acme/web",
        "世界/服务",
        "cafe\u{301}/api",
        "🚀/rocket",
        "ｶﾞｷﾞ/half",
        "e\u{301}\u{302}\u{303}/stacked",
        "evil\u{202e}gnp.exe",
        "zero\u{200b}width",
    ];
    let cleaned: Vec<String> = names.iter().map(|n| clean_line(n).into_owned()).collect();
    let col = cleaned.iter().map(|n| display_width(n)).max().unwrap_or(0);
    let mut term = Terminal::new(TestBackend::new(40, names.len() as u16)).expect("backend");
    term.draw(|f| {
        for (y, name) in cleaned.iter().enumerate() {
            let pad = " ".repeat(col - display_width(name));
            let line = Line::raw(format!("{name}{pad}|size"));
            f.buffer_mut().set_line(0, y as u16, &line, 40);
        }
    })
    .expect("draw");
    let buf = term.backend().buffer();
    for y in 0..names.len() as u16 {
        assert_eq!(
            buf[(col as u16, y)].symbol(),
            "|",
            "row {y}: {:?}",
            cleaned[y as usize]
        );
        assert_eq!(buf[(col as u16 + 1, y)].symbol(), "s");
    }
    assert_eq!(cleaned[6], "evilgnp.exe");
    assert_eq!(cleaned[7], "zerowidth");
    // Styles do not change widths.
    let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
    let (x, _) = buf.set_stringn(0, 0, "世a", 10, Style::new().bold());
    assert_eq!(x, 3);
}
