//! A y/n confirmation that shows exactly what is about to happen (deletions, a policy diff),
//! scrollable when the list is long.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use crate::fmt::centered;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmEvent {
    Ignored,
    Moved,
    Yes,
    No,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<Line<'static>>,
    /// The question, e.g. "delete 3 images? y yes · n no".
    pub prompt: String,
    pub scroll: u16,
    /// How far the text could scroll when last drawn (wrapping depends on the screen's width).
    max_scroll: std::cell::Cell<u16>,
}

impl Confirm {
    pub fn new(
        title: impl Into<String>,
        lines: Vec<Line<'static>>,
        prompt: impl Into<String>,
    ) -> Self {
        Confirm {
            title: title.into(),
            lines,
            prompt: prompt.into(),
            scroll: 0,
            max_scroll: std::cell::Cell::new(u16::MAX),
        }
    }

    /// The lines as plain text (tests, logs).
    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> ConfirmEvent {
        // Before the first draw the wrapped height is unknown: at most one row per line.
        let max = match self.max_scroll.get() {
            u16::MAX => self.lines.len().saturating_sub(1) as u16,
            drawn => drawn,
        };
        let before = self.scroll;
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => return ConfirmEvent::Yes,
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => return ConfirmEvent::No,
            KeyCode::Down | KeyCode::Char('j') => self.scroll = (self.scroll + 1).min(max),
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown => self.scroll = (self.scroll + 10).min(max),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
            _ => {}
        }
        if self.scroll == before {
            ConfirmEvent::Ignored
        } else {
            ConfirmEvent::Moved
        }
    }
}

/// Draw a titled popup with `lines` (wrapped, never cut at the edge) and a prompt row; shared by
/// every confirmation. Returns the popup's rectangle and how far its text can scroll.
pub fn draw_popup(
    title: &str,
    lines: &[Line<'static>],
    scroll: u16,
    prompt: Line<'static>,
    area: Rect,
    buf: &mut Buffer,
) -> (Rect, u16) {
    let width = (lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(0)
        .max(prompt.width()) as u16)
        .saturating_add(4)
        .clamp(40, 100);
    let text = Paragraph::new(lines.to_vec()).wrap(Wrap { trim: false });
    let inner_width = width.min(area.width).saturating_sub(2).max(1);
    let rows = u16::try_from(text.line_count(inner_width)).unwrap_or(u16::MAX);
    let popup = centered(area, width, rows.saturating_add(4));
    Clear.render(popup, buf);
    let block = Block::bordered().title(Span::styled(
        format!(" {title} "),
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    ));
    let inner = block.inner(popup);
    block.render(popup, buf);
    let [body, ask] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let max = rows.saturating_sub(body.height);
    text.scroll((scroll.min(max), 0)).render(body, buf);
    prompt.render(ask, buf);
    (popup, max)
}

/// Split `text` into lines of at most `width` columns at spaces (a longer word gets its own
/// line), so a service's long message fits a popup instead of being cut.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// Width a popup's text is wrapped to (`draw_popup` is at most 100 columns wide).
pub const WRAP: usize = 90;

pub fn prompt_line(text: &str) -> Line<'static> {
    Line::styled(text.to_string(), Style::new().fg(Color::Yellow))
}

impl Widget for &Confirm {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (_, max) = draw_popup(
            &self.title,
            &self.lines,
            self.scroll,
            prompt_line(&self.prompt),
            area,
            buf,
        );
        self.max_scroll.set(max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(wrap_words("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap_words("", 4), vec![""]);
        assert_eq!(wrap_words("abcdefgh ij", 4), vec!["abcdefgh", "ij"]);
    }

    #[test]
    fn yes_no_and_scrolling() {
        let lines = (0..30).map(|i| Line::raw(i.to_string())).collect();
        let mut c = Confirm::new("t", lines, "ok?");
        let k = |c: KeyCode| KeyEvent::from(c);
        assert_eq!(c.handle_key(k(KeyCode::Up)), ConfirmEvent::Ignored);
        assert_eq!(c.handle_key(k(KeyCode::PageDown)), ConfirmEvent::Moved);
        assert_eq!(c.scroll, 10);
        c.handle_key(k(KeyCode::PageDown));
        c.handle_key(k(KeyCode::PageDown));
        assert_eq!(c.scroll, 29, "stops at the last line");
        assert_eq!(c.handle_key(k(KeyCode::Char('x'))), ConfirmEvent::Ignored);
        assert_eq!(c.handle_key(k(KeyCode::Char('y'))), ConfirmEvent::Yes);
        assert_eq!(c.handle_key(k(KeyCode::Esc)), ConfirmEvent::No);
        assert_eq!(c.handle_key(k(KeyCode::Char('n'))), ConfirmEvent::No);
    }
}
