//! The header (connection, registry, badges) and the breadcrumb line (where you are, the filter,
//! the sort, or the `:` prompt).

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{clean, styled};
use super::theme::theme;
use crate::app::list::{List, Row};
use crate::app::strings;
use crate::app::{App, Fetch, Overlay, Pane};
use crate::fmt::thousands;

fn registry_label(app: &App) -> Option<String> {
    let r = app.registry()?;
    let uri = if r.registry_uri.is_empty() {
        r.primary_alias().unwrap_or(&r.registry_id).to_string()
    } else {
        r.registry_uri.clone()
    };
    let mut s = clean(&uri);
    if let Some(Fetch::Ready(Some(name))) = &app.remote.display_name {
        s.push_str(&format!(" ({})", clean(name)));
    }
    Some(s)
}

pub fn draw_header(f: &mut Frame, area: Rect, app: &App) {
    // Badges first: on a narrow terminal the end of the line is cut, and READ-ONLY must stay.
    // The help hint keeps its place at the right; the rest is cut before it.
    let hint = help_hint(app);
    let mut spans = vec![styled(format!(" {} ", strings::APP), theme().title)];
    if app.opts.read_only {
        spans.push(" ".into());
        spans.push(styled(
            format!(" {} ", strings::READ_ONLY),
            theme().badge_read_only,
        ));
    }
    if app.opts.demo {
        spans.push(" ".into());
        spans.push(styled(format!(" {} ", strings::DEMO), theme().badge_demo));
    }
    if let Some(n) = app.auto_refresh {
        spans.push(" ".into());
        spans.push(styled(format!(" auto {n}s "), theme().badge));
    }
    spans.push("  ".into());
    match &app.remote.connection {
        None => spans.push(styled(strings::CONNECTING, theme().dim)),
        Some(c) => {
            let mut parts = vec![format!("profile {}", clean(&c.profile)), clean(&c.region)];
            if let Some(r) = registry_label(app) {
                parts.push(r);
            }
            if let Some(e) = &c.endpoint {
                parts.push(format!("endpoint {}", clean(e)));
            }
            // Cut before the help hint with an ellipsis, never silently mid-word.
            let used: usize = spans.iter().map(|s| s.width()).sum();
            let room = (area.width as usize).saturating_sub(hint.chars().count() + used);
            spans.push(Span::raw(super::list::ellipsis(parts.join(" · "), room)));
        }
    }
    let left = Rect {
        width: area.width.saturating_sub(hint.chars().count() as u16),
        ..area
    };
    f.render_widget(Paragraph::new(Line::from(spans)), left);
    f.render_widget(
        Paragraph::new(styled(hint, theme().key)).alignment(Alignment::Right),
        area,
    );
}

fn help_hint(app: &App) -> String {
    match crate::app::actions::first_key(app.keymap(), crate::config::Action::Help) {
        Some(k) => format!(" {k} help "),
        None => String::new(),
    }
}

fn crumbs(app: &App) -> Vec<String> {
    let mut c = Vec::new();
    if app.single_registry() {
        if let Some(a) = app.registry().and_then(|r| r.primary_alias()) {
            c.push(clean(a));
        }
    } else {
        c.push(format!(
            "registries ({})",
            thousands(app.remote.registries.rows.len())
        ));
        if app.pane != Pane::Registries
            && let Some(a) = app
                .remote
                .registries
                .selected()
                .and_then(|r| r.primary_alias())
        {
            c.push(clean(a));
        }
    }
    if app.pane == Pane::Registries {
        return c;
    }
    c.push(format!(
        "repositories ({})",
        thousands(app.remote.repos.rows.len())
    ));
    if let (Pane::Images | Pane::Tags, Some(r)) = (app.pane, &app.remote.repo) {
        c.push(clean(&r.repository_name));
        c.push(
            if app.pane == Pane::Images {
                "images"
            } else {
                "tags"
            }
            .into(),
        );
    }
    let view = match &app.overlay {
        Some(Overlay::Catalog { repo, .. }) => Some((repo, "catalog")),
        Some(Overlay::Policy { repo, .. }) => Some((repo, "policy")),
        Some(Overlay::ResourceTags { repo, .. }) => Some((repo, "resource tags")),
        Some(Overlay::Lifecycle { repo }) => Some((repo, "lifecycle")),
        _ => None,
    };
    if let Some((repo, what)) = view {
        if !matches!(app.pane, Pane::Images | Pane::Tags) {
            c.push(clean(repo));
        }
        c.push(what.into());
    }
    c
}

fn filter_and_sort<T: Row>(list: &List<T>) -> Vec<Span<'static>> {
    let mut s = Vec::new();
    if list.filter.editing || !list.filter.query.is_empty() {
        let cursor = if list.filter.editing { "▏" } else { "" };
        s.push(styled(
            format!("/{}{cursor}", clean(&list.filter.query)),
            theme().key,
        ));
        s.push("  ".into());
    }
    let col = T::SORT_COLUMNS.get(list.sort.column).copied().unwrap_or("");
    let arrow = if list.sort.descending { "↓" } else { "↑" };
    s.push(styled(format!("sort: {col} {arrow} "), theme().dim));
    s
}

pub fn draw_crumb(f: &mut Frame, area: Rect, app: &App) {
    if let Some(input) = &app.command {
        let line = Line::from(vec![
            styled(" :", theme().key),
            Span::raw(clean(input)),
            styled("▏", theme().key),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let line = Line::from(styled(
        format!(" {}", crumbs(app).join(" › ")),
        theme().crumb,
    ));
    f.render_widget(Paragraph::new(line), area);
    let right = match app.pane {
        Pane::Registries => filter_and_sort(&app.remote.registries),
        Pane::Repositories => filter_and_sort(&app.remote.repos),
        Pane::Images => filter_and_sort(&app.remote.images),
        Pane::Tags => filter_and_sort(&app.remote.tags),
    };
    f.render_widget(
        Paragraph::new(Line::from(right)).alignment(Alignment::Right),
        area,
    );
}
