//! `!`: the last AWS error in full (code, message, and the SDK's whole cause chain).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Text};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::list::block;
use super::text::{clean, field};
use super::theme::theme;
use crate::app::App;
use crate::app::strings;

pub fn text(app: &App) -> Text<'static> {
    let mut lines = Vec::new();
    if !app.opts.config_warnings.is_empty() {
        lines.push(Line::styled(
            "Config file (these entries kept their defaults)",
            theme().label,
        ));
        for w in &app.opts.config_warnings {
            lines.push(Line::raw(clean(&w.to_string())));
        }
        lines.push(Line::default());
    }
    let Some(e) = &app.last_error else {
        lines.push(Line::styled("esc closes", theme().dim));
        return Text::from(lines);
    };
    if let Some(a) = &app.advice {
        lines.push(field("To fix", clean(a)));
    }
    lines.extend([
        field("Code", clean(&e.code)),
        field("Message", clean(&e.message)),
        Line::default(),
        Line::styled("Detail", theme().label),
    ]);
    for l in crate::sanitize::clean_text(&e.detail).lines() {
        lines.push(Line::raw(clean(l)));
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        "esc closes · r (in the pane) retries",
        theme().dim,
    ));
    Text::from(lines)
}

pub fn area(body: Rect) -> Rect {
    crate::app::layout::centered(
        body,
        100.min(body.width.saturating_sub(2)),
        16.min(body.height),
    )
}

pub fn draw(f: &mut Frame, body: Rect, app: &App, scroll: u16) {
    let r = area(body);
    f.render_widget(Clear, r);
    let b = block(strings::ERROR.to_string(), true).border_style(theme().error);
    let inner = b.inner(r);
    f.render_widget(b, r);
    f.render_widget(
        Paragraph::new(text(app))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        inner,
    );
}
