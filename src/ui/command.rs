//! The `:` prompt's completion hints, shown above the status line while typing.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::list::block;
use super::theme::theme;
use crate::app::command::candidates;

pub fn draw(f: &mut Frame, body: Rect, input: &str) {
    let c = candidates(input);
    let lines: Vec<Line> = if c.is_empty() {
        vec![Line::styled("no such command", theme().error)]
    } else {
        c.iter()
            .map(|c| {
                Line::from(vec![
                    Span::styled(format!(" :{:<12}", c.name), theme().key),
                    Span::raw(c.help),
                ])
            })
            .collect()
    };
    let h = (lines.len() as u16 + 2).min(body.height);
    let w = 56.min(body.width);
    let r = Rect::new(body.x, body.y + body.height - h, w, h);
    f.render_widget(Clear, r);
    let b = block("commands".into(), true);
    let inner = b.inner(r);
    f.render_widget(b, r);
    f.render_widget(Paragraph::new(lines), inner);
}
