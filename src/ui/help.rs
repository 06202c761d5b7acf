//! `?`: every key that works where the user is, the commands, and what the symbols mean —
//! generated from the keymap and the command table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::list::block;
use super::theme::{CHECK, SELECTED_SYMBOL, SELECTED_UNFOCUSED_SYMBOL, theme};
use crate::app::actions::{Action, Context, applies, keys_for, row_of};
use crate::app::command::COMMANDS;
use crate::app::strings;
use crate::app::{App, Pane};
use crate::forms::confirm::wrap_words;

/// Help is about the pane under it, not about itself.
fn context(app: &App) -> Context {
    if app.inspector.view.is_some() {
        return Context::Inspector;
    }
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
        Context::Inspector => "the image inspector",
        Context::OpenRepo => "the :open view (read-only)",
        _ => "this view",
    }
}

/// Width of the key column (after the two-space indent).
const KEYS: usize = 28;

/// Help's lines wrapped to `width` columns: a description too long for its line continues under
/// itself (past the key column), so the keys stay a clean column at 80 columns too.
struct Lines {
    width: usize,
    out: Vec<Line<'static>>,
}

impl Lines {
    fn keyed(&mut self, keys: &str, what: &str) {
        let indent = 2 + KEYS;
        let room = self.width.saturating_sub(indent).max(20);
        let mut parts = wrap_words(what, room).into_iter();
        let first = parts.next().unwrap_or_default();
        if keys.width() > KEYS {
            // Keys wider than their column get a line of their own.
            self.out
                .push(Line::styled(format!("  {keys}"), theme().key));
            self.out.push(Line::raw(format!("{:indent$}{first}", "")));
        } else {
            self.out.push(Line::from(vec![
                Span::styled(format!("  {keys:<KEYS$}"), theme().key),
                Span::raw(first),
            ]));
        }
        for rest in parts {
            self.out.push(Line::raw(format!("{:indent$}{rest}", "")));
        }
    }

    /// A line of prose, indented by two, wrapped under itself when it does not fit.
    fn prose(&mut self, text: &str, style: Style) {
        if text.width() + 2 <= self.width {
            self.out.push(Line::styled(format!("  {text}"), style));
            return;
        }
        for l in wrap_words(text, self.width.saturating_sub(2).max(20)) {
            self.out.push(Line::styled(format!("  {l}"), style));
        }
    }

    fn title(&mut self, text: &str) {
        self.out.push(Line::styled(text.to_string(), theme().title));
    }

    fn gap(&mut self) {
        self.out.push(Line::default());
    }
}

/// Help wrapped to `width` (the popup's inner width).
pub fn text(app: &App, width: u16) -> Text<'static> {
    let ctx = context(app);
    let mut l = Lines {
        width: usize::from(width),
        out: Vec::new(),
    };
    l.title(&format!("Keys in {}", where_name(ctx)));
    let read_only = app.opts.read_only;
    if read_only {
        // Which keys, not just which kinds of thing: the footer hides them, help says why.
        let off: Vec<String> = Action::ALL
            .iter()
            .filter(|&&a| row_of(a).mutates)
            .filter_map(|&a| {
                let keys = keys_for(app.keymap(), a);
                (!keys.is_empty()).then(|| format!("{keys} {}", row_of(a).label))
            })
            .collect();
        l.prose(
            &format!(
                "read-only: editing, creating, marking and deleting are off ({}); \
                 --read-write turns them on",
                off.join(" · ")
            ),
            theme().error,
        );
    }
    for &a in Action::ALL {
        let keys = keys_for(app.keymap(), a);
        // Unbound in the config file: nothing to press, nothing to list.
        if !applies(a, ctx) || keys.is_empty() {
            continue;
        }
        if read_only && row_of(a).mutates {
            l.keyed(&keys, &format!("{} (off: read-only)", a.description()));
        } else {
            l.keyed(&keys, a.description());
        }
    }
    if ctx == Context::Inspector {
        l.prose(
            "history: enter shows the selected command whole (pgup/pgdn scroll it, esc folds it)",
            Style::default(),
        );
    }
    l.gap();
    l.title("Filter prompt (/)");
    l.prose(
        "type to filter (fuzzy) · enter keeps · esc clears · ↑ ↓ move",
        Style::default(),
    );
    l.gap();
    l.title("Forms and confirmations");
    for ctx in [Context::Form, Context::Confirm] {
        for &a in Action::ALL {
            let keys = keys_for(app.keymap(), a);
            if applies(a, ctx) && !keys.is_empty() {
                l.keyed(&keys, a.description());
            }
        }
    }
    l.keyed(
        "ctrl-e",
        "forms: edit a long text (about, usage, policy, tags) in $VISUAL / $EDITOR",
    );
    for (keys, what) in crate::forms::text::HELP {
        l.keyed(keys, what);
    }
    l.gap();
    l.title("Commands (:)");
    for c in COMMANDS {
        let mut names = format!(":{}", c.name);
        for a in c.aliases {
            names.push_str(&format!(" :{a}"));
        }
        if let Some(arg) = c.arg {
            names.push_str(&format!(" [{arg}]"));
        }
        l.keyed(&names, c.help);
    }
    l.prose(
        "tab/↓ next completion · shift-tab/↑ back · enter runs · esc cancels",
        Style::default(),
    );
    l.prose(
        ":repos web filters the repositories; :images api opens api's images",
        Style::default(),
    );
    l.gap();
    l.title("Mouse");
    l.prose(
        "click selects a row (in the pane on the left: goes back to it) · wheel scrolls",
        Style::default(),
    );
    l.gap();
    l.title("Symbols");
    l.prose(
        &format!(
            "{}selected row (focused pane)   {}selected row (other pane)",
            SELECTED_SYMBOL, SELECTED_UNFOCUSED_SYMBOL
        ),
        Style::default(),
    );
    l.prose(
        &format!("{CHECK} yes (verified, certified)"),
        Style::default(),
    );
    l.prose(
        &format!(
            "{} an image index (several platforms)   {} an image without tags",
            strings::MULTI_ARCH,
            strings::UNTAGGED
        ),
        Style::default(),
    );
    l.prose(
        "↳ arm64 of v1 a platform manifest of the tagged multi-arch image v1 (kept when v1 stays)",
        Style::default(),
    );
    Text::from(l.out)
}

/// Rows help takes at this size, and rows it can show: how far it scrolls.
pub fn rows(app: &App, body: Rect) -> (usize, u16) {
    let inner = area(body);
    let (w, h) = (
        inner.width.saturating_sub(2),
        inner.height.saturating_sub(2),
    );
    (text(app, w).lines.len(), h)
}

pub fn area(body: Rect) -> Rect {
    crate::fmt::centered(body, 96.min(body.width.saturating_sub(2)), body.height)
}

pub fn draw(f: &mut Frame, body: Rect, app: &App, scroll: u16) {
    let r = area(body);
    f.render_widget(Clear, r);
    let mut b = block(format!("{} · esc closes", strings::HELP), true);
    let (total, visible) = rows(app, body);
    // Say that there is more below, and how to get there.
    if total > usize::from(scroll) + usize::from(visible) {
        b = b.title_bottom(Line::styled(" ↓ more (j, PgDn) ", theme().dim).right_aligned());
    }
    let inner = b.inner(r);
    f.render_widget(b, r);
    f.render_widget(
        Paragraph::new(text(app, inner.width)).scroll((scroll, 0)),
        inner,
    );
}
