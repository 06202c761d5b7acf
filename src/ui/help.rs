//! `?`: every key that works where the user is, the commands, and what the symbols mean —
//! generated from the keymap and the command table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Clear, Paragraph};

use super::list::block;
use super::theme::{CHECK, SELECTED_SYMBOL, SELECTED_UNFOCUSED_SYMBOL, theme};
use crate::app::actions::{Action, Context, applies, keys_for};
use crate::app::command::COMMANDS;
use crate::app::strings;
use crate::app::{App, Pane};

/// Help is about the pane under it, not about itself.
fn context(app: &App) -> Context {
    // The `:open` view is what help was opened over while it is open.
    if app.opened.view.is_some() {
        return Context::OpenRepo;
    }
    match app.pane {
        Pane::Registries => Context::Registries,
        Pane::Repositories => Context::Repositories,
        Pane::Images => Context::Images,
        Pane::Tags => Context::Tags,
    }
}

fn where_name(ctx: Context) -> &'static str {
    match ctx {
        Context::Registries => "registries",
        Context::Repositories => "repositories",
        Context::Images => "images",
        Context::Tags => "image tags",
        Context::OpenRepo => "the :open view (read-only)",
        _ => "this view",
    }
}

pub fn text(app: &App) -> Text<'static> {
    let ctx = context(app);
    let mut lines = vec![Line::styled(
        format!("Keys in {}", where_name(ctx)),
        theme().title,
    )];
    if app.opts.read_only {
        lines.push(Line::styled(
            "  read-only: editing, creating and deleting are off (--read-write turns them on)",
            theme().error,
        ));
    }
    for &a in Action::ALL {
        let keys = keys_for(app.keymap(), a);
        // Unbound in the config file: nothing to press, nothing to list.
        if !applies(a, ctx) || keys.is_empty() {
            continue;
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<28}"), theme().key),
            Span::raw(a.description()),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::styled("Filter prompt (/)", theme().title));
    lines.push(Line::raw(
        "  type to filter (fuzzy) · enter keeps · esc clears · ↑ ↓ move",
    ));
    lines.push(Line::default());
    lines.push(Line::styled("Forms and confirmations", theme().title));
    for ctx in [Context::Form, Context::Confirm] {
        for &a in Action::ALL {
            let keys = keys_for(app.keymap(), a);
            if applies(a, ctx) && !keys.is_empty() {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {keys:<28}"), theme().key),
                    Span::raw(a.description()),
                ]));
            }
        }
    }
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<28}", "ctrl-e"), theme().key),
        Span::raw("forms: edit a long text (about, usage, policy, tags) in $VISUAL / $EDITOR"),
    ]));
    for (keys, what) in crate::forms::text::HELP {
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<28}"), theme().key),
            Span::raw(*what),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::styled("Commands (:)", theme().title));
    for c in COMMANDS {
        let mut names = format!(":{}", c.name);
        for a in c.aliases {
            names.push_str(&format!(" :{a}"));
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {names:<28}"), theme().key),
            Span::raw(c.help),
        ]));
    }
    lines.push(Line::raw("  tab completes · enter runs · esc cancels"));
    lines.push(Line::default());
    lines.push(Line::styled("Mouse", theme().title));
    lines.push(Line::raw(
        "  click selects a row (in the pane on the left: goes back to it) · wheel scrolls",
    ));
    lines.push(Line::default());
    lines.push(Line::styled("Symbols", theme().title));
    lines.push(Line::raw(format!(
        "  {}selected row (focused pane)   {}selected row (other pane)",
        SELECTED_SYMBOL, SELECTED_UNFOCUSED_SYMBOL
    )));
    lines.push(Line::raw(format!("  {CHECK} yes (verified, certified)")));
    lines.push(Line::raw(format!(
        "  {} an image index (several platforms)   {} an image without tags",
        strings::MULTI_ARCH,
        strings::UNTAGGED
    )));
    Text::from(lines)
}

pub fn area(body: Rect) -> Rect {
    crate::fmt::centered(body, 96.min(body.width.saturating_sub(2)), body.height)
}

pub fn draw(f: &mut Frame, body: Rect, app: &App, scroll: u16) {
    let r = area(body);
    f.render_widget(Clear, r);
    let b = block(format!("{} · esc closes", strings::HELP), true);
    let inner = b.inner(r);
    f.render_widget(b, r);
    f.render_widget(Paragraph::new(text(app)).scroll((scroll, 0)), inner);
}
