//! The status line (what is loading, the last error or message) and the keys that work here.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{clean, styled};
use super::theme::{SPINNER, theme};
use crate::app::actions::{Action, Context, applies, first_key, footer_rows, row_of};
use crate::app::load::LoadState;
use crate::app::modal::Modal;
use crate::app::state::Layer;
use crate::app::strings;
use crate::app::{App, Fetch, ListId, Overlay, Status};
use crate::fmt::thousands;

fn list_name(l: ListId) -> &'static str {
    match l {
        ListId::Registries => "registries",
        ListId::Repositories => "repositories",
        ListId::Images => "images",
        ListId::Tags => "image tags",
    }
}

/// "⠋ loading images: page 3 (2,000 rows)", for each running load.
fn loading(app: &App) -> Option<String> {
    let spin = SPINNER[(app.beat as usize) % SPINNER.len()];
    if app.remote.connection.is_none() {
        return Some(format!("{spin} {}", strings::CONNECTING));
    }
    let mut parts: Vec<String> = ListId::ALL
        .into_iter()
        .filter_map(|l| match app.load_of(l).state {
            LoadState::Loading { page } => Some(format!(
                "loading {}: page {page} ({} rows)",
                list_name(l),
                thousands(app.remote.list(l).rows_loaded())
            )),
            _ => None,
        })
        .collect();
    // Single reads the screen is waiting for.
    let repo = app.current_repo().map(|r| &r.repository_name);
    if repo.is_some_and(|n| matches!(app.remote.catalogs.get(n), Some(Fetch::Loading))) {
        parts.push("fetching catalog".into());
    }
    match &app.overlay {
        Some(Overlay::Policy { repo, .. })
            if matches!(app.remote.policies.get(repo), Some(Fetch::Loading)) =>
        {
            parts.push("fetching policy".into())
        }
        Some(Overlay::ResourceTags { arn, .. })
            if matches!(app.remote.resource_tags.get(arn), Some(Fetch::Loading)) =>
        {
            parts.push("fetching resource tags".into())
        }
        _ => {}
    }
    if app.inspector.view.is_some() && app.inspector.fetching() {
        parts.push("fetching from the registry".into());
    }
    if let Some(v) = app.lifecycle.as_ref() {
        if v.planning {
            parts.push("planning the lifecycle".into());
        }
        if v.restoring {
            parts.push("restoring".into());
        }
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
            // In a form `!` and `r` are typing: name the key that does work there.
            let hint = if matches!(app.modal, Some(Modal::Form(_))) {
                first_key(app.keymap(), Action::Save).map(|k| strings::form_retry_hint(&k))
            } else {
                Some(strings::ERROR_HINT.to_string())
            };
            if let Some(h) = hint {
                spans.push(styled(format!("  ({h})"), theme().dim));
            }
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

/// Drop whole hints until the line fits in `width`: first those before the last `kept`, from the
/// end, then the kept ones. A hint is never cut in the middle of a word.
fn fit(items: &mut Vec<(String, String)>, width: usize, kept: usize) {
    use unicode_width::UnicodeWidthStr;
    let total = |items: &[(String, String)]| -> usize {
        1 + items
            .iter()
            .map(|(k, l)| k.width() + l.width() + 3)
            .sum::<usize>()
    };
    while total(items) > width && !items.is_empty() {
        let n = items.len();
        let at = if n > kept { n - kept - 1 } else { n - 1 };
        items.remove(at);
    }
}

pub fn draw_keys(f: &mut Frame, area: Rect, app: &App) {
    let ctx = app.context();
    let mut spans: Vec<Span> = vec![" ".into()];
    let prompt_keys: &[(&str, &str)] = match app.layer() {
        Layer::CommandLine => &[
            ("tab ↓", "next"),
            ("shift-tab ↑", "back"),
            ("enter", "run"),
            ("esc", "cancel"),
        ],
        Layer::FilterPrompt => &[
            ("enter", "keep filter"),
            ("esc", "clear filter"),
            ("↑↓", "move"),
        ],
        _ => &[],
    };
    // (key, what it does) in the order shown.
    let mut items: Vec<(String, String)> = Vec::new();
    // Help and quit (last in `FOOTER`) stay when the line is too narrow: the others give way.
    let mut kept = 0;
    if !prompt_keys.is_empty() {
        for (k, label) in prompt_keys {
            items.push((k.to_string(), label.to_string()));
        }
    } else {
        // An error waiting to be read comes first.
        if (app.error_unread
            || !app.opts.config_warnings.is_empty()
            || app.opts.aws_files_problem.is_some())
            && let Some(k) = first_key(app.keymap(), Action::ErrorDetails)
        {
            items.push((k, row_of(Action::ErrorDetails).label.to_string()));
        }
        for r in footer_rows() {
            let a = r.action;
            // Read-only: the keys that could only be refused are left out (help says why).
            if !applies(a, ctx) || (r.mutates && app.opts.read_only) {
                continue;
            }
            // esc in the leftmost pane, with no filter to clear, would do nothing.
            if a == Action::Back && app.layer() == Layer::Lists && !app.can_go_back() {
                continue;
            }
            if let Some(k) = first_key(app.keymap(), a) {
                // In help, `q` closes help (ctrl-c still quits).
                let label = match (a, ctx) {
                    (Action::Quit, Context::Help) => "close",
                    (Action::ToggleTags, Context::Inspector) => "section",
                    (Action::Open, Context::Images | Context::Tags) => "inspect",
                    // In the lifecycle view `d` deletes what the plan expires.
                    (Action::Delete, Context::Lifecycle) => "apply",
                    _ => r.label,
                };
                items.push((k, label.to_string()));
                kept += usize::from(matches!(a, Action::Help | Action::Quit));
            }
        }
    }
    fit(&mut items, area.width as usize, kept);
    for (k, label) in items {
        spans.push(styled(k, theme().key));
        spans.push(format!(" {label}  ").into());
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::fit;

    fn items(names: &[&str]) -> Vec<(String, String)> {
        names
            .iter()
            .map(|n| (n[..1].to_string(), n.to_string()))
            .collect()
    }

    #[test]
    fn whole_hints_give_way_before_help_and_quit() {
        // Each hint is key, space, label, two spaces ("o open  " is 8); the line starts with a space.
        let mut v = items(&["open", "filter", "sort", "help", "quit"]);
        fit(&mut v, 100, 2);
        assert_eq!(v.len(), 5, "all fit");
        fit(&mut v, 1 + 8 + 10 + 8 + 8, 2);
        let names: Vec<_> = v.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(names, ["open", "filter", "help", "quit"]);
        fit(&mut v, 1 + 8 + 8, 2);
        let names: Vec<_> = v.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(names, ["help", "quit"]);
        fit(&mut v, 9, 2);
        let names: Vec<_> = v.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(names, ["help"], "then the kept ones, from the end");
    }
}
