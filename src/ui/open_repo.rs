//! The `:open` view: the tags of a repository in any registry, over the panes. Digest, size and
//! creation time appear as each visible row's manifest arrives ("…" until then, "?" when it
//! could not be read); everything from the registry is cleaned before it is drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Clear, Paragraph, Row, Table};

use super::list::block;
use super::text::clean;
use super::theme::{SELECTED_SYMBOL, SPINNER, theme};
use crate::app::open_state::OpenRepo;
use crate::app::{App, Fetch};
use crate::fmt::{short_digest, size, thousands, when};

pub fn draw(f: &mut Frame, body: Rect, app: &App) {
    let Some(v) = &app.opened.view else {
        return;
    };
    f.render_widget(Clear, body);
    let state = match (&v.error, v.loading) {
        (Some(_), _) => "stopped".to_string(),
        (None, true) => format!("loading {}", SPINNER[(app.beat as usize) % SPINNER.len()]),
        (None, false) => "read-only".to_string(),
    };
    let b = block(
        format!(
            "{} · {} {} · {state}",
            clean(&v.reference),
            thousands(v.tags.len()),
            if v.tags.len() == 1 { "tag" } else { "tags" }
        ),
        true,
    );
    let inner = b.inner(body);
    f.render_widget(b, body);
    if let Some(e) = &v.error {
        let r = Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1);
        f.render_widget(Paragraph::new(Line::styled(clean(e), theme().error)), r);
    }
    if v.tags.is_empty() {
        let text = if v.loading {
            "reading the tag list…"
        } else {
            "no tags"
        };
        f.render_widget(Paragraph::new(Line::styled(text, theme().dim)), inner);
        return;
    }
    // The header row and the error line: the same count `app::open_repo` pages and reads by.
    let rows = inner.height.saturating_sub(2) as usize;
    let widths = [
        Constraint::Fill(2),
        Constraint::Length(20),
        Constraint::Length(14),
        Constraint::Length(14),
    ];
    let header = Row::new(["TAG", "DIGEST", "SIZE", "CREATED"]).style(theme().column_header);
    let lines: Vec<Row> = v
        .tags
        .iter()
        .enumerate()
        .skip(v.offset)
        .take(rows)
        .map(|(i, tag)| row(app, v, i, tag))
        .collect();
    f.render_widget(Table::new(lines, widths).header(header), inner);
}

fn row<'a>(app: &App, v: &OpenRepo, i: usize, tag: &str) -> Row<'a> {
    let mark = if i == v.cursor { SELECTED_SYMBOL } else { "  " };
    let (digest, sz, created) = match v.details.get(tag) {
        Some(Fetch::Ready(d)) => (
            short_digest(&clean(&d.digest)),
            match (d.size, d.platforms) {
                (Some(s), _) => size(s.min(i64::MAX as u64) as i64),
                (None, Some(n)) => format!("index · {n}"),
                (None, None) => String::new(),
            },
            d.created
                .map(|t| when(t, app.now, app.opts.config.date_format))
                .unwrap_or_default(),
        ),
        Some(Fetch::Failed(_)) => ("?".into(), "?".into(), "?".into()),
        _ => ("…".into(), String::new(), String::new()),
    };
    let cells = [format!("{mark}{}", clean(tag)), digest, sz, created].map(Cell::from);
    let r = Row::new(cells);
    if i == v.cursor {
        r.style(theme().selected)
    } else {
        r
    }
}
