//! The `:` prompt's completion list, right under the prompt (the crumb row) so the eye does not
//! travel between what is typed and what it may become; the candidate being cycled through is
//! highlighted.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::list::block;
use super::theme::theme;
use crate::app::command::CommandLine;

pub fn draw(f: &mut Frame, body: Rect, cl: &CommandLine) {
    let c = cl.candidates();
    let lines: Vec<Line> = if c.is_empty() {
        vec![Line::styled("no such command", theme().error)]
    } else {
        c.iter()
            .enumerate()
            .map(|(i, c)| {
                let name = match c.arg {
                    Some(arg) => format!(" :{} {arg}", c.name),
                    None => format!(" :{}", c.name),
                };
                let line = Line::from(vec![
                    Span::styled(format!("{name:<22}"), theme().key),
                    Span::raw(c.help),
                ]);
                if cl.selected == Some(i) {
                    line.style(theme().selected)
                } else {
                    line
                }
            })
            .collect()
    };
    let h = (lines.len() as u16 + 2).min(body.height);
    let w = 64.min(body.width);
    let r = Rect::new(body.x, body.y, w, h);
    // Taller than the body: keep the highlighted row in the window.
    let inner_h = h.saturating_sub(2) as usize;
    let offset = cl.selected.map_or(0, |s| (s + 1).saturating_sub(inner_h)) as u16;
    f.render_widget(Clear, r);
    let b = block("commands · tab/↓ next · shift-tab/↑ back".into(), true);
    let inner = b.inner(r);
    f.render_widget(b, r);
    f.render_widget(Paragraph::new(lines).scroll((offset, 0)), inner);
}
