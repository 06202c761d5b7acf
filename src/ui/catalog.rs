//! A repository's catalog, as the gallery shows it: description, badges, logo, certification, and
//! the about and usage markdown. Used by the preview and the full-screen view (`c`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Text};
use ratatui::widgets::Paragraph;

use super::list::block;
use super::text::{badges, clean, field, styled, wrap};
use super::theme::{CHECK, theme};
use crate::app::strings;
use crate::app::{App, Fetch};
use crate::aws::{AwsError, Catalog};

/// The widest the full-screen catalog wraps its text.
const READING_WIDTH: u16 = 110;

pub fn reading_width(width: u16) -> u16 {
    width.min(READING_WIDTH)
}

pub fn text(cat: &Catalog, width: u16) -> Text<'static> {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let w = width as usize;
    if let Some(d) = cat.description.as_deref().filter(|d| !d.is_empty()) {
        for l in wrap(&crate::sanitize::clean_text(d), w) {
            lines.push(Line::from(styled(l, theme().title)));
        }
        lines.push(Line::default());
    }
    if !cat.operating_systems.is_empty() || !cat.architectures.is_empty() {
        let mut spans = badges(&cat.operating_systems);
        if !spans.is_empty() && !cat.architectures.is_empty() {
            spans.push(" ".into());
        }
        spans.extend(badges(&cat.architectures));
        lines.push(Line::from(spans));
    }
    if cat.marketplace_certified {
        lines.push(Line::from(styled(
            format!("{CHECK} Marketplace certified"),
            theme().accent,
        )));
    }
    if let Some(logo) = &cat.logo_url {
        lines.push(field("Logo", clean(logo)));
    }
    for (title, body) in [("About", &cat.about_text), ("Usage", &cat.usage_text)] {
        if let Some(md) = body.as_deref().filter(|s| !s.trim().is_empty()) {
            lines.push(Line::default());
            lines.push(Line::from(styled(
                format!("━━ {title} ━━"),
                theme().label.add_modifier(Modifier::BOLD),
            )));
            lines.extend(crate::markdown::render(md, width).lines);
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled(strings::NO_CATALOG, theme().dim));
    }
    Text::from(lines)
}

/// The catalog of `repo` as fetched so far: the text, or a line saying it is loading or failed.
pub fn fetched(app: &App, repo: &str, width: u16) -> Text<'static> {
    match app.remote.catalogs.get(repo) {
        Some(Fetch::Ready(c)) => text(c, width),
        Some(Fetch::Failed(e)) => failed(e),
        Some(Fetch::Loading) | None => Text::styled("loading catalog…", theme().dim),
    }
}

pub fn failed(e: &AwsError) -> Text<'static> {
    Text::from(vec![
        Line::styled(
            format!("✗ {}: {}", clean(&e.code), clean(&e.message)),
            theme().error,
        ),
        Line::styled(strings::ERROR_HINT, theme().dim),
    ])
}

/// `c`: the catalog over the whole body, scrollable.
pub fn draw_full(f: &mut Frame, area: Rect, app: &App, repo: &str, scroll: u16) {
    let b = block(format!("{} · {}", strings::CATALOG, clean(repo)), true);
    let inner = b.inner(area);
    f.render_widget(b, area);
    // Long lines are hard to read: wrap prose at a readable width, as the gallery does.
    let t = fetched(app, repo, reading_width(inner.width));
    f.render_widget(Paragraph::new(t).scroll((scroll, 0)), inner);
}
