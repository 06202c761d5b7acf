//! The status line (what is loading, the last error or message) and the keys that work here.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fmt::thousands;
use super::text::{clean, styled};
use super::theme::{SPINNER, theme};
use crate::app::keymap::{Action, applies, first_key};
use crate::app::load::LoadState;
use crate::app::strings;
use crate::app::{App, Fetch, ListId, Overlay, Status};

fn list_name(l: ListId) -> &'static str {
    match l {
        ListId::Registries => "registries",
        ListId::Repositories => "repositories",
        ListId::Images => "images",
        ListId::Tags => "image tags",
    }
}

fn rows_of(app: &App, l: ListId) -> usize {
    match l {
        ListId::Registries => app.registries.rows.len(),
        ListId::Repositories => app.repos.rows.len(),
        ListId::Images => app.images.rows.len(),
        ListId::Tags => app.tags.rows.len(),
    }
}

/// "⠋ loading images: page 3 (2,000 rows)", for each running load.
fn loading(app: &App) -> Option<String> {
    let spin = SPINNER[(app.beat as usize) % SPINNER.len()];
    if app.connection.is_none() {
        return Some(format!("{spin} {}", strings::CONNECTING));
    }
    let mut parts: Vec<String> = [
        ListId::Registries,
        ListId::Repositories,
        ListId::Images,
        ListId::Tags,
    ]
    .into_iter()
    .filter_map(|l| match app.load_of(l).state {
        LoadState::Loading { page } => Some(format!(
            "loading {}: page {page} ({} rows)",
            list_name(l),
            thousands(rows_of(app, l))
        )),
        _ => None,
    })
    .collect();
    // Single reads the screen is waiting for.
    let repo = app.current_repo().map(|r| &r.repository_name);
    if repo.is_some_and(|n| matches!(app.catalogs.get(n), Some(Fetch::Loading))) {
        parts.push("fetching catalog".into());
    }
    match &app.overlay {
        Some(Overlay::Policy { repo, .. })
            if matches!(app.policies.get(repo), Some(Fetch::Loading)) =>
        {
            parts.push("fetching policy".into())
        }
        Some(Overlay::ResourceTags { arn, .. })
            if matches!(app.resource_tags.get(arn), Some(Fetch::Loading)) =>
        {
            parts.push("fetching resource tags".into())
        }
        _ => {}
    }
    (!parts.is_empty()).then(|| format!("{spin} {}", parts.join(" · ")))
}

pub fn draw_status(f: &mut Frame, area: Rect, app: &App) {
    let mut spans: Vec<Span> = vec![" ".into()];
    match &app.status {
        Status::Error(e) => {
            spans.push(styled(
                match &app.advice {
                    // A credentials problem: what to run matters more than the SDK's words.
                    Some(a) => format!("✗ {}", clean(a)),
                    None => format!("✗ {}: {}", clean(&e.code), clean(&e.message)),
                },
                theme().error,
            ));
            spans.push(styled(format!("  ({})", strings::ERROR_HINT), theme().dim));
        }
        Status::Warning(m) => spans.push(styled(format!("! {}", clean(m)), theme().error)),
        Status::Info(m) => spans.push(styled(format!("✓ {}", clean(m)), theme().info)),
        Status::None => {}
    }
    if let Some(l) = loading(app) {
        if spans.len() > 1 {
            spans.push("  ".into());
        }
        spans.push(styled(l, theme().dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The footer's keys, in this order, when they apply here: the most used first, since a narrow
/// terminal cuts the end (help, always named in the header, lists every key).
const FOOTER: &[Action] = &[
    Action::Open,
    Action::Back,
    Action::Filter,
    Action::ToggleTags,
    Action::Edit,
    Action::New,
    Action::Mark,
    Action::Delete,
    Action::Command,
    Action::Catalog,
    Action::Policy,
    Action::ResourceTags,
    Action::Sort,
    Action::Refresh,
    Action::Copy,
    Action::Help,
    Action::Quit,
];

pub fn draw_keys(f: &mut Frame, area: Rect, app: &App) {
    let ctx = app.context();
    let mut spans: Vec<Span> = vec![" ".into()];
    let prompt_keys: &[(&str, &str)] = if app.command.is_some() {
        &[("tab", "complete"), ("enter", "run"), ("esc", "cancel")]
    } else if app.overlay.is_none() && crate::ui::filter_editing(app) {
        &[
            ("enter", "keep filter"),
            ("esc", "clear filter"),
            ("↑↓", "move"),
        ]
    } else {
        &[]
    };
    if !prompt_keys.is_empty() {
        for (k, label) in prompt_keys {
            spans.push(styled(*k, theme().key));
            spans.push(format!(" {label}  ").into());
        }
    } else {
        // An error waiting to be read comes first.
        if (app.last_error.is_some() || !app.opts.config_warnings.is_empty())
            && let Some(k) = first_key(app.keymap(), Action::ErrorDetails)
        {
            spans.push(styled(k, theme().key));
            spans.push(format!(" {}  ", strings::action_short(Action::ErrorDetails)).into());
        }
        for &a in FOOTER {
            // Read-only: the keys that could only be refused are left out (help says why).
            let mutates = matches!(
                a,
                Action::Edit | Action::New | Action::Mark | Action::Delete
            );
            if !applies(a, ctx) || (mutates && app.opts.read_only) {
                continue;
            }
            if let Some(k) = first_key(app.keymap(), a) {
                spans.push(styled(k, theme().key));
                spans.push(format!(" {}  ", strings::action_short(a)).into());
            }
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
