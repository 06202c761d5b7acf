//! Screenshots for the README: a rendered `TestBackend` buffer as a standalone SVG that looks like a
//! dark terminal window.
//!
//! One `<text>` per run of cells sharing a style (not per cell) keeps files small. Each run carries
//! `textLength`, so the run covers exactly its cells whatever monospace font the viewer picks; that
//! is also what keeps wide characters (CJK, emoji) on their two cells.

use std::fmt::Write;

use ratatui::buffer::{Buffer, CellDiffOption, CellWidth};
use ratatui::style::{Color, Modifier};

const CELL_W: f64 = 8.4;
const CELL_H: f64 = 18.0;
const FONT_SIZE: f64 = 14.0;
const BASELINE: f64 = 13.5;
const PAD: f64 = 12.0;
const TITLE_H: f64 = 30.0;
const DEFAULT_FG: &str = "#d4d4d4";
const DEFAULT_BG: &str = "#1e1e1e";
const WINDOW_BG: &str = "#2b2b2b";

/// A coordinate as written in the SVG: one decimal at most (`16.8`, `18`).
fn px(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// How one cell is painted, after `REVERSED` and `HIDDEN` are resolved.
#[derive(Clone, PartialEq)]
struct Look {
    fg: String,
    bg: String,
    modifier: Modifier,
}

/// A standalone SVG of `buf`: monospace grid, colours and bold/italic/underline/strike/dim, inside a
/// window frame titled `title`.
pub fn buffer_to_svg(buf: &Buffer, title: &str) -> String {
    let area = buf.area;
    let width = f64::from(area.width) * CELL_W + 2.0 * PAD;
    let height = f64::from(area.height) * CELL_H + 2.0 * PAD + TITLE_H;
    let (cx_mid, width, height) = (px(width / 2.0), px(width), px(height));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xml:space="preserve" font-family="'DejaVu Sans Mono', Menlo, Consolas, monospace" font-size="{FONT_SIZE}">"#
    );
    svg.push_str(
        "\n<style>text{white-space:pre}.b{font-weight:bold}.i{font-style:italic}\
         .u{text-decoration:underline}.s{text-decoration:line-through}\
         .us{text-decoration:underline line-through}.d{opacity:.6}</style>\n",
    );
    let _ = writeln!(
        svg,
        r#"<rect width="{width}" height="{height}" rx="8" fill="{WINDOW_BG}"/>"#
    );
    for (i, colour) in ["#ff5f56", "#ffbd2e", "#27c93f"].iter().enumerate() {
        let cx = PAD + 6.0 + 20.0 * i as f64;
        let _ = writeln!(svg, r#"<circle cx="{cx}" cy="15" r="6" fill="{colour}"/>"#);
    }
    let _ = writeln!(
        svg,
        r##"<text x="{}" y="20" text-anchor="middle" fill="#9e9e9e">{}</text>"##,
        cx_mid,
        escape(title)
    );
    let _ = writeln!(
        svg,
        r#"<rect x="{PAD}" y="{TITLE_H}" width="{}" height="{}" fill="{DEFAULT_BG}"/>"#,
        px(f64::from(area.width) * CELL_W),
        px(f64::from(area.height) * CELL_H + PAD)
    );
    let _ = writeln!(svg, r#"<g transform="translate({PAD} {TITLE_H})">"#);
    for y in 0..area.height {
        row(&mut svg, buf, y);
    }
    svg.push_str("</g>\n</svg>\n");
    svg
}

/// One cell as drawn: column, symbol, columns it covers.
type Drawn<'a> = (u16, &'a str, u16);

/// Background rectangles, then text runs, of row `y` (relative to the buffer's area).
fn row(svg: &mut String, buf: &Buffer, y: u16) {
    let area = buf.area;
    // Runs of neighbouring cells that look the same.
    let mut runs: Vec<(Look, Vec<Drawn<'_>>)> = Vec::new();
    let mut x = 0;
    while x < area.width {
        let cell = &buf[(area.x + x, area.y + y)];
        // Skipped cells belong to something drawn outside ratatui (images, links): show a blank.
        let symbol = if cell.diff_option == CellDiffOption::Skip {
            " "
        } else {
            cell.symbol()
        };
        let cols = symbol.cell_width().max(1).min(area.width - x);
        let look = look(cell.fg, cell.bg, cell.modifier);
        match runs.last_mut() {
            Some((l, cells)) if *l == look => cells.push((x, symbol, cols)),
            _ => runs.push((look, vec![(x, symbol, cols)])),
        }
        // Cells covered by a wide character are not drawn.
        x += cols;
    }
    let top = f64::from(y) * CELL_H;
    // Neighbouring runs with the same background share one rectangle.
    let mut bg_start = 0;
    for i in 0..runs.len() {
        if i + 1 < runs.len() && runs[i + 1].0.bg == runs[i].0.bg {
            continue;
        }
        let bg = &runs[i].0.bg;
        if bg != DEFAULT_BG {
            let (x0, end) = (runs[bg_start].1[0].0, span_end(&runs[i].1));
            let _ = writeln!(
                svg,
                r#"<rect x="{}" y="{}" width="{}" height="{CELL_H}" fill="{bg}"/>"#,
                px(f64::from(x0) * CELL_W),
                px(top),
                px(f64::from(end - x0) * CELL_W)
            );
        }
        bg_start = i + 1;
    }
    for (look, cells) in &runs {
        let decorated = look
            .modifier
            .intersects(Modifier::UNDERLINED | Modifier::CROSSED_OUT);
        let class = class(look.modifier);
        for seg in segments(cells, !decorated) {
            let x0 = seg[0].0;
            let text: String = seg.iter().map(|c| c.1).collect();
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="{}" fill="{}"{class} textLength="{}" lengthAdjust="spacingAndGlyphs">{}</text>"#,
                px(f64::from(x0) * CELL_W),
                px(top + BASELINE),
                look.fg,
                px(f64::from(span_end(seg) - x0) * CELL_W),
                escape(&text)
            );
        }
    }
}

fn span_end(cells: &[Drawn<'_>]) -> u16 {
    cells.last().map_or(0, |&(x, _, w)| x + w)
}

/// The parts of a run worth drawing: with `split`, blank edges are dropped and the run is cut at
/// gaps of two or more spaces, so no renderer has to stretch long blanks (some collapse them).
fn segments<'r, 'a>(cells: &'r [Drawn<'a>], split: bool) -> Vec<&'r [Drawn<'a>]> {
    if !split {
        return vec![cells];
    }
    let blank = |i: usize| cells[i].1 == " ";
    let n = cells.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        while i < n && blank(i) {
            i += 1;
        }
        if i == n {
            break;
        }
        let start = i;
        let mut end = i + 1;
        let mut j = end;
        while j < n {
            if !blank(j) {
                j += 1;
                end = j;
                continue;
            }
            let gap_end = (j..n).find(|&k| !blank(k)).unwrap_or(n);
            if gap_end - j >= 2 || gap_end == n {
                break;
            }
            j = gap_end;
        }
        out.push(&cells[start..end]);
        i = end;
    }
    out
}

/// The CSS classes for what a modifier shows, as a ` class="…"` attribute (empty when none).
fn class(modifier: Modifier) -> String {
    let mut names: Vec<&str> = [
        (Modifier::BOLD, "b"),
        (Modifier::ITALIC, "i"),
        (Modifier::DIM, "d"),
    ]
    .into_iter()
    .filter(|(m, _)| modifier.contains(*m))
    .map(|(_, c)| c)
    .collect();
    match (
        modifier.contains(Modifier::UNDERLINED),
        modifier.contains(Modifier::CROSSED_OUT),
    ) {
        (true, true) => names.push("us"),
        (true, false) => names.push("u"),
        (false, true) => names.push("s"),
        (false, false) => {}
    }
    if names.is_empty() {
        String::new()
    } else {
        format!(r#" class="{}""#, names.join(" "))
    }
}

fn look(fg: Color, bg: Color, modifier: Modifier) -> Look {
    let mut fg = hex(fg).unwrap_or_else(|| DEFAULT_FG.to_string());
    let mut bg = hex(bg).unwrap_or_else(|| DEFAULT_BG.to_string());
    if modifier.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    if modifier.contains(Modifier::HIDDEN) {
        fg.clone_from(&bg);
    }
    // Only what the SVG can show; blinking and the rest would just split runs.
    let shown = Modifier::BOLD
        | Modifier::ITALIC
        | Modifier::DIM
        | Modifier::UNDERLINED
        | Modifier::CROSSED_OUT;
    Look {
        fg,
        bg,
        modifier: modifier & shown,
    }
}

/// `#rrggbb` for a colour; `None` for the terminal default.
fn hex(c: Color) -> Option<String> {
    const ANSI: [&str; 16] = [
        "#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
        "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
    ];
    let ansi = |i: usize| Some(ANSI[i].to_string());
    match c {
        Color::Reset => None,
        Color::Black => ansi(0),
        Color::Red => ansi(1),
        Color::Green => ansi(2),
        Color::Yellow => ansi(3),
        Color::Blue => ansi(4),
        Color::Magenta => ansi(5),
        Color::Cyan => ansi(6),
        Color::Gray => ansi(7),
        Color::DarkGray => ansi(8),
        Color::LightRed => ansi(9),
        Color::LightGreen => ansi(10),
        Color::LightYellow => ansi(11),
        Color::LightBlue => ansi(12),
        Color::LightMagenta => ansi(13),
        Color::LightCyan => ansi(14),
        Color::White => ansi(15),
        Color::Rgb(r, g, b) => Some(format!("#{r:02x}{g:02x}{b:02x}")),
        Color::Indexed(i) => Some(indexed(i)),
    }
}

/// The xterm 256-colour palette.
fn indexed(i: u8) -> String {
    match i {
        0..=15 => hex(NAMED[usize::from(i)]).unwrap_or_default(),
        16..=231 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            let n = i - 16;
            format!(
                "#{:02x}{:02x}{:02x}",
                level(n / 36),
                level(n / 6 % 6),
                level(n % 6)
            )
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            format!("#{v:02x}{v:02x}{v:02x}")
        }
    }
}

const NAMED: [Color; 16] = [
    Color::Black,
    Color::Red,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
    Color::Gray,
    Color::DarkGray,
    Color::LightRed,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::White,
];

/// Text content and attribute values escaped for XML; characters XML 1.0 forbids are dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(' '),
            c if (c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn buffer(width: u16, rows: &[(&str, Style)]) -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, width, rows.len() as u16));
        for (y, (text, style)) in rows.iter().enumerate() {
            buf.set_string(0, y as u16, text, *style);
        }
        buf
    }

    #[test]
    fn standalone_svg_with_escaped_text() {
        let buf = buffer(20, &[("a <b> & \"c\"", Style::new())]);
        let svg = buffer_to_svg(&buf, "demo <1>");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("a &lt;b&gt; &amp; &quot;c&quot;"));
        assert!(svg.contains(">demo &lt;1&gt;</text>"));
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn one_text_element_per_style_run() {
        let red = Style::new().fg(Color::Red);
        let mut buf = buffer(10, &[("abc", red)]);
        buf.set_string(3, 0, "def", red);
        buf.set_string(6, 0, "gh", Style::new().fg(Color::Rgb(1, 2, 3)).bold());
        let svg = buffer_to_svg(&buf, "t");
        assert!(svg.contains(
            r##"fill="#cd3131" textLength="50.4" lengthAdjust="spacingAndGlyphs">abcdef</text>"##
        ));
        assert!(svg.contains(r##"fill="#010203" class="b""##));
        // Title plus two runs; trailing blank cells draw no text.
        assert_eq!(svg.matches("<text").count(), 3);
    }

    #[test]
    fn backgrounds_reverse_and_decorations() {
        let mut buf = buffer(8, &[("xy", Style::new().bg(Color::Indexed(196)))]);
        buf.set_string(2, 0, "rv", Style::new().fg(Color::Blue).reversed());
        buf.set_string(4, 0, "ul", Style::new().underlined().italic());
        let svg = buffer_to_svg(&buf, "t");
        assert!(svg.contains(r##"width="16.8" height="18" fill="#ff0000""##));
        // Reversed: the foreground colour becomes the background.
        assert!(svg.contains(r##"width="16.8" height="18" fill="#2472c8""##));
        assert!(svg.contains(r#"class="i u""#));
    }

    #[test]
    fn wide_characters_take_two_cells() {
        let buf = buffer(6, &[("世界x", Style::new())]);
        let svg = buffer_to_svg(&buf, "t");
        assert!(svg.contains(r##"x="0" y="13.5" fill="#d4d4d4" textLength="42" lengthAdjust="spacingAndGlyphs">世界x</text>"##));
        let buf = buffer(6, &[("ab", Style::new()), ("世x  y", Style::new())]);
        let svg = buffer_to_svg(&buf, "t");
        assert!(svg.contains(r#"textLength="25.2" lengthAdjust="spacingAndGlyphs">世x</text>"#));
        // A long blank splits the run; the part after it keeps its column.
        assert!(svg.contains(r##"<text x="42" y="31.5" fill="#d4d4d4" textLength="8.4" lengthAdjust="spacingAndGlyphs">y</text>"##));
    }
}
