//! Neutralise untrusted strings (anything that came from the API or a catalog) before they reach
//! the terminal.
//!
//! What is removed, and why:
//! - C0 controls, DEL and C1 controls: a terminal executes them (cursor moves, bells, resets).
//! - Whole escape sequences, not just the ESC byte: leaving `[2J` or `]0;title` behind after dropping
//!   ESC would still print garbage. Handled: CSI (`ESC [` … final byte), OSC (`ESC ]` … BEL/ST),
//!   DCS/SOS/PM/APC strings (`ESC P`/`X`/`^`/`_` … ST), two-character `ESC x` sequences (with
//!   intermediates, e.g. `ESC ( B`) and the 8-bit forms (U+009B CSI, U+009D OSC, U+0090 DCS, …).
//!   An unterminated string sequence swallows the rest of the input, as a terminal would.
//! - Bidirectional overrides, embeddings, isolates and marks: they make `evil.exe` look like
//!   `exe.live` (Trojan Source) and break column alignment.
//! - Zero-width and invisible format characters (ZWSP, ZWJ, ZWNJ, word joiner, BOM, soft hyphen, tag
//!   characters, Hangul fillers, …): they make two different names look identical. ZWJ is removed
//!   everywhere, also from emoji sequences, because terminals disagree on how wide a joined emoji is;
//!   split emoji keep the layout predictable.
//!
//! A zero-width character at the start of a line (a combining mark with no base) is dropped too.
//!
//! Tabs become spaces (a single one in `clean_line`, up to the next 4-column stop in `clean_text`),
//! `\r` is dropped, U+2028/U+2029 become a space (`clean_line`) or a newline (`clean_text`).
//!
//! Width: ratatui splits text into extended grapheme clusters (unicode-segmentation) and gives each
//! the width unicode-width reports for the cluster (CJK and most emoji 2, combining marks 0 because
//! they join their base), plus one per halfwidth katakana sound mark; clusters of width 0 are not
//! drawn at all. [`display_width`] measures exactly that, so layout code that uses it agrees with
//! what ends up in the buffer.

use std::borrow::Cow;

use ratatui::buffer::{Buffer, CellWidth};
use unicode_segmentation::UnicodeSegmentation;

const ESC: char = '\u{1b}';
const BEL: char = '\u{7}';
const CAN: char = '\u{18}';
const SUB: char = '\u{1a}';
const ST8: char = '\u{9c}';

/// One line: every control character, escape sequence, bidi control and invisible format character
/// removed; newlines too. Borrowed (no allocation) when `s` is already clean.
pub fn clean_line(s: &str) -> Cow<'_, str> {
    clean(s, false)
}

/// Multi-line text: as [`clean_line`] but keeps `\n`; tabs expand to 4-column stops.
pub fn clean_text(s: &str) -> Cow<'_, str> {
    clean(s, true)
}

/// Whether `c` must never reach the terminal as is (controls, bidi, invisible format characters).
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{ad}'                      // soft hyphen
        | '\u{34f}'                     // combining grapheme joiner
        | '\u{61c}'                     // Arabic letter mark
        | '\u{115f}' | '\u{1160}'       // Hangul fillers
        | '\u{17b4}' | '\u{17b5}'       // Khmer invisible vowels
        | '\u{180b}'..='\u{180f}'       // Mongolian selectors and vowel separator
        | '\u{200b}'..='\u{200f}'       // ZWSP, ZWNJ, ZWJ, LRM, RLM
        | '\u{2028}'..='\u{202e}'       // line/paragraph separators, bidi embeddings/overrides
        | '\u{2060}'..='\u{206f}'       // word joiner, invisible operators, isolates, deprecated
        | '\u{3164}' | '\u{ffa0}'       // Hangul fillers
        | '\u{feff}'                    // BOM / zero-width no-break space
        | '\u{fff9}'..='\u{fffb}'       // interlinear annotation
        | '\u{1bca0}'..='\u{1bca3}'     // shorthand format controls
        | '\u{1d173}'..='\u{1d17a}'     // musical format controls
        | '\u{e0000}'..='\u{e007f}'     // tag characters (invisible ASCII smuggling)
    )
}

/// A character that takes no cell of its own (combining marks, Hangul medial vowels, …). At the
/// start of a line it has no base to join; such a grapheme is one of the triggers of ratatui 0.30's
/// `Paragraph::wrap` overrunning its area and panicking (ratatui issue #2679), so `clean_*` drop it.
fn is_zero_width(c: char) -> bool {
    unicode_width::UnicodeWidthChar::width(c) == Some(0)
}

fn is_bad(c: char, keep_newline: bool) -> bool {
    is_unsafe_char(c) && !(keep_newline && c == '\n')
}

fn clean(s: &str, keep_newline: bool) -> Cow<'_, str> {
    let Some(start) = first_bad(s, keep_newline) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..start]);
    // Column since the last newline, for tab stops (display width, as the terminal counts it).
    let mut col = s[..start].rsplit('\n').next().map_or(0, display_width);
    let mut line_start = start == 0 || s[..start].ends_with('\n');
    let mut chars = s[start..].chars().peekable();
    while let Some(c) = chars.next() {
        if !is_bad(c, keep_newline) {
            if line_start && is_zero_width(c) {
                continue;
            }
            line_start = c == '\n';
            out.push(c);
            col = if c == '\n' {
                0
            } else {
                col + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
            };
            continue;
        }
        match c {
            '\t' | '\u{2028}' | '\u{2029}' if !keep_newline => {
                out.push(' ');
                col += 1;
                line_start = false;
            }
            '\t' => {
                line_start = false;
                let n = 4 - col % 4;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\u{2028}' | '\u{2029}' => {
                out.push('\n');
                col = 0;
                line_start = true;
            }
            ESC => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// Byte index of the first character to remove. Fast path: most strings are plain, so ASCII is
/// checked byte-wise and only non-ASCII is decoded.
fn first_bad(s: &str, keep_newline: bool) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if (b < 0x20 && !(keep_newline && b == b'\n')) || b == 0x7f {
                return Some(i);
            }
            line_start = b == b'\n';
            i += 1;
        } else {
            let c = s[i..].chars().next()?;
            if is_bad(c, keep_newline) || (line_start && is_zero_width(c)) {
                return Some(i);
            }
            line_start = false;
            i += c.len_utf8();
        }
    }
    None
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After an ESC: drop the rest of the sequence it starts.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.peek().copied() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        Some('\u{20}'..='\u{2f}') => {
            // nF sequences: intermediates then one final byte (e.g. `ESC ( B` charset designation).
            while chars
                .next_if(|c| matches!(c, '\u{20}'..='\u{2f}'))
                .is_some()
            {}
            chars.next_if(|c| matches!(c, '\u{30}'..='\u{7e}'));
        }
        Some('\u{30}'..='\u{7e}') => {
            // Two-character sequences: ESC 7, ESC c (full reset), ESC M, …
            chars.next();
        }
        // A lone ESC (end of input, or followed by text a terminal would print): drop only it.
        _ => {}
    }
}

/// CSI body: parameters and intermediates (0x20–0x3F) up to one final byte (0x40–0x7E). A character
/// outside that range ends the sequence early and is then treated as ordinary input.
fn skip_csi(chars: &mut Chars<'_>) {
    while chars
        .next_if(|c| matches!(c, '\u{20}'..='\u{3f}'))
        .is_some()
    {}
    chars.next_if(|c| matches!(c, '\u{40}'..='\u{7e}'));
}

/// OSC/DCS/SOS/PM/APC body: up to BEL or ST (`ESC \` or U+009C); CAN and SUB abort it.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | ST8 | CAN | SUB => return,
            ESC => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

/// Width in terminal cells exactly as ratatui lays the string out: the sum of the widths of its
/// grapheme clusters (see the module comment). Expects cleaned input.
pub fn display_width(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.graphemes(true).map(grapheme_width).sum()
}

/// Width of one grapheme cluster as ratatui draws it.
pub fn grapheme_width(g: &str) -> usize {
    usize::from(g.cell_width())
}

/// Last-line safety net, run on every frame after drawing: any cell whose symbol contains an unsafe
/// character (something that reached the buffer without going through `clean_*`, e.g. via
/// `Cell::set_symbol`) is replaced by a visible placeholder, so no byte reaching the terminal can
/// move the cursor, set the title or recolour it.
pub fn scrub_buffer(buf: &mut Buffer) {
    for cell in &mut buf.content {
        let sym = cell.symbol();
        // Cells are almost always printable ASCII; check that byte-wise first.
        if sym.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            continue;
        }
        if let Some(bad) = sym.chars().find(|&c| is_unsafe_char(c)) {
            cell.set_symbol(placeholder(bad));
        }
    }
}

/// The control picture for C0 controls and DEL (`␛` for ESC), U+FFFD for anything else.
fn placeholder(c: char) -> &'static str {
    const PICTURES: [&str; 33] = [
        "␀", "␁", "␂", "␃", "␄", "␅", "␆", "␇", "␈", "␉", "␊", "␋", "␌", "␍", "␎", "␏", "␐", "␑",
        "␒", "␓", "␔", "␕", "␖", "␗", "␘", "␙", "␚", "␛", "␜", "␝", "␞", "␟", "␡",
    ];
    match c {
        '\u{0}'..='\u{1f}' => PICTURES[c as usize],
        '\u{7f}' => PICTURES[32],
        _ => "\u{fffd}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> String {
        clean_line(s).into_owned()
    }

    #[test]
    fn clean_strings_are_borrowed() {
        for s in ["", "acme/web", "héllo 世界 🚀", "e\u{301}"] {
            assert!(matches!(clean_line(s), Cow::Borrowed(_)), "{s:?}");
        }
        assert!(matches!(clean_text("a\nb"), Cow::Borrowed(_)));
        assert!(matches!(clean_line("a\nb"), Cow::Owned(_)));
    }

    #[test]
    fn escape_sequences_are_removed_whole() {
        assert_eq!(line("a\x1b[31mred\x1b[0m b"), "ared b");
        assert_eq!(line("\x1b[2J\x1b[1;1Hx"), "x");
        assert_eq!(line("\x1b]0;pwned\x07title"), "title");
        assert_eq!(line("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"), "link");
        assert_eq!(line("\x1bPq#0;2;0;0;0\x1b\\after"), "after");
        assert_eq!(line("\x1b_apc\x1b\\ok"), "ok");
        assert_eq!(line("\x1bcreset"), "reset");
        assert_eq!(line("\x1b(Bplain"), "plain");
        assert_eq!(line("\u{9b}31mx"), "x");
        assert_eq!(line("\u{9d}0;t\u{9c}y"), "y");
        assert_eq!(line("\u{90}data\u{9c}z"), "z");
        // Unterminated strings swallow the rest, like a terminal would.
        assert_eq!(line("a\x1b]0;never ends"), "a");
        // A lone trailing ESC.
        assert_eq!(line("end\x1b"), "end");
    }

    #[test]
    fn controls_bidi_and_invisibles_are_removed() {
        assert_eq!(line("a\x00b\x07c\x7fd\u{85}e"), "abcde");
        assert_eq!(line("evil\u{202e}exe.txt"), "evilexe.txt");
        assert_eq!(line("\u{2066}x\u{2069}\u{200e}\u{200f}\u{61c}"), "x");
        assert_eq!(line("ad\u{200b}min\u{feff}\u{ad}\u{2060}"), "admin");
        assert_eq!(line("tag\u{e0041}\u{e0042}s"), "tags");
        // Combining marks keep their base but never start a line.
        assert_eq!(line("e\u{301}"), "e\u{301}");
        assert_eq!(line("\u{301}\u{302}x"), "x");
        assert_eq!(line("\x1b[1m\u{301}x"), "x");
        assert_eq!(clean_text("a\n\u{301}b\n\u{301}"), "a\nb\n");
    }

    #[test]
    fn tabs_newlines_and_separators() {
        assert_eq!(line("a\tb\r\nc"), "a bc");
        assert_eq!(clean_text("a\tb\r\nc"), "a   b\nc");
        assert_eq!(clean_text("\tx\nab\ty"), "    x\nab  y");
        assert_eq!(clean_text("世\tx"), "世  x");
        assert_eq!(clean_text("p\u{2029}q"), "p\nq");
        assert_eq!(line("p\u{2028}q"), "p q");
    }

    #[test]
    fn output_is_idempotent() {
        let once = line("\x1b[1m\u{202e}x\ty\x1b");
        assert_eq!(line(&once), once);
        assert!(matches!(clean_line(&once), Cow::Borrowed(_)));
    }

    #[test]
    fn widths_match_ratatui() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("世界"), 4);
        assert_eq!(display_width("e\u{301}"), 1);
        assert_eq!(display_width("🚀x"), 3);
        // Where ratatui's rules are subtle (halfwidth sound marks), compare with a real buffer.
        for s in ["ｶﾞ", "ﾟa", "a\u{301}\u{302}b", "👍🏽"] {
            let mut buf = Buffer::empty(ratatui::layout::Rect::new(0, 0, 20, 1));
            let (x, _) = buf.set_stringn(0, 0, s, 20, ratatui::style::Style::default());
            assert_eq!(display_width(s), usize::from(x), "{s:?}");
        }
    }

    #[test]
    fn scrub_replaces_unsafe_cells() {
        let mut buf = Buffer::empty(ratatui::layout::Rect::new(0, 0, 4, 1));
        buf[(0, 0)].set_symbol("\x1b");
        buf[(1, 0)].set_symbol("a\u{202e}");
        buf[(2, 0)].set_symbol("é");
        buf[(3, 0)].set_symbol("\u{9b}");
        scrub_buffer(&mut buf);
        let syms: Vec<&str> = buf.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(syms, ["␛", "\u{fffd}", "é", "\u{fffd}"]);
    }
}
