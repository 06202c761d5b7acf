//! `!`: the last AWS error in full (code, message, HTTP status, request id, the request, and the
//! cause chain one link a line), and problems in the config files.

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
    if let Some(p) = &app.opts.aws_files_problem {
        lines.push(Line::styled("AWS config file", theme().label));
        lines.push(Line::raw(clean(p)));
        lines.push(Line::default());
    }
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
    ]);
    if let Some(s) = e.info.status {
        lines.push(field("HTTP status", s.to_string()));
    }
    if let Some(id) = &e.info.request_id {
        lines.push(field("Request id", clean(id)));
    }
    match (&e.info.operation, &e.info.endpoint) {
        (Some(op), Some(at)) => lines.push(field("Request", clean(&format!("{op} at {at}")))),
        (Some(op), None) => lines.push(field("Request", clean(op))),
        _ => {}
    }
    // The source chain, one link a line: what failed, then what made it fail, down to the
    // cause a person can act on ("Connection refused").
    if !e.info.causes.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Cause chain", theme().label));
        for (i, c) in e.info.causes.iter().enumerate() {
            let arrow = if i == 0 { "  " } else { "← " };
            lines.push(Line::raw(format!("{arrow}{}", clean(c))));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        "esc closes · j/k PgUp/PgDn g/G scroll · r (in the pane) retries",
        theme().dim,
    ));
    Text::from(lines)
}

/// Rows `text` takes when wrapped to the popup's inner width: how far it can scroll.
pub fn rows(app: &App, body: Rect) -> usize {
    let w = area(body).width.saturating_sub(2);
    Paragraph::new(text(app))
        .wrap(Wrap { trim: false })
        .line_count(w)
}

pub fn area(body: Rect) -> Rect {
    crate::fmt::centered(
        body,
        100.min(body.width.saturating_sub(2)),
        16.min(body.height),
    )
}

pub fn draw(f: &mut Frame, body: Rect, app: &App, scroll: u16) {
    let r = area(body);
    f.render_widget(Clear, r);
    let mut b = block(strings::ERROR.to_string(), true).border_style(theme().error);
    // Say that there is more below, and how to get there.
    if rows(app, body) > usize::from(scroll) + usize::from(r.height.saturating_sub(2)) {
        b = b.title_bottom(Line::styled(" ↓ more (j, PgDn) ", theme().dim).right_aligned());
    }
    let inner = b.inner(r);
    f.render_widget(b, r);
    f.render_widget(
        Paragraph::new(text(app))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        inner,
    );
}
