//! Keys: the command line and the filter prompt take typing first; everything else goes through
//! the keymap, and only actions that apply in the current context do anything.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::actions::{Action, action_for, applies};
use super::layout;
use super::modal::Modal;
use super::msg::Effect;
use super::nav::{self, View};
use super::state::Pane;
use super::state::{App, Layer, Overlay, Status};
use super::{
    auto_refresh, cached, command, copy, delete, edit, form_input, inspector, lifecycle, open_repo,
    retag, route, session, strings,
};
use crate::forms::confirm::ConfirmEvent;

pub fn on_key(app: &mut App, ev: KeyEvent, fx: &mut Vec<Effect>) {
    if ev.kind == KeyEventKind::Release {
        return;
    }
    // Messages about the previous key make way for what this one does.
    if matches!(app.status, Status::Warning(_) | Status::Info(_)) {
        app.status = Status::None;
    }
    // ctrl-c quits whatever the config file says: the way out never depends on a remap. Over a
    // changed form it first asks, as esc does (a second ctrl-c quits): a stray key must not
    // throw away what was typed.
    if ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL) {
        if let Some(Modal::Form(ef)) = app.modal.as_mut()
            && ef.form.ask_discard()
        {
            return;
        }
        app.quit = true;
        return;
    }
    match app.layer() {
        Layer::Popup => return modal_key(app, ev, fx),
        Layer::CommandLine => return command_key(app, ev, fx),
        Layer::FilterPrompt => return filter_key(app, ev),
        Layer::Menu | Layer::View | Layer::Lists => {}
    }
    // The lifecycle view's `/` prompt takes typing, as a list's does.
    if lifecycle::filter_editing(app) {
        return lifecycle::filter_key(app, ev);
    }
    // esc while an edit waits for the current values (and nothing is open above the lists): the
    // user changed their mind.
    if ev.code == KeyCode::Esc
        && app.overlay.is_none()
        && edit::cancel_pending(app, strings::edit_cancelled)
    {
        return;
    }
    let Some(action) = action_for(app.keymap(), &ev) else {
        return;
    };
    if !applies(action, app.context()) {
        return;
    }
    if app.context() == super::actions::Context::OpenRepo {
        return open_repo::action(app, action, fx);
    }
    match app.layer() {
        Layer::Menu => route::picker_action(app, action, fx),
        Layer::View => overlay_action(app, action, fx),
        _ => list_action(app, action, fx),
    }
}

/// Forms take typing; confirmations read the user's yes/no keys.
fn modal_key(app: &mut App, ev: KeyEvent, fx: &mut Vec<Effect>) {
    let yes_no = |app: &App| {
        let k = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        match app
            .keymap()
            .action_for_event(crate::config::KeyContext::Confirm, &ev)
        {
            Some(Action::Confirm) => k('y'),
            Some(Action::Deny) => k('n'),
            _ => ev,
        }
    };
    match &app.modal {
        Some(Modal::Form(_)) => form_input::key(app, ev, fx),
        Some(Modal::Confirm(_)) => {
            let ev = yes_no(app);
            let Some(Modal::Confirm(m)) = app.modal.as_mut() else {
                return;
            };
            let answer = m.confirm.handle_key(ev);
            if matches!(answer, ConfirmEvent::Yes | ConfirmEvent::No)
                && let Some(Modal::Confirm(m)) = app.modal.take()
            {
                route::confirmed(app, *m, answer == ConfirmEvent::Yes, fx);
            }
        }
        Some(Modal::RepoDelete { confirm, .. }) => {
            // Typing the name takes every character; only the force question is a yes/no.
            let ev = if confirm.asking_force() {
                yes_no(app)
            } else {
                ev
            };
            delete::repo_delete_key(app, ev, fx)
        }
        Some(Modal::Deleting(_)) => delete::deleting_key(app, ev, fx),
        None => {}
    }
}

/// A bracketed paste: text for whatever takes typing (a form's field, the command line, the
/// filter), never keys, so a pasted "q" or "d" cannot quit or delete. Elsewhere it is ignored.
pub fn on_paste(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    match &app.modal {
        Some(Modal::Form(_)) => return form_input::paste(app, text, fx),
        Some(_) => return,
        None => {}
    }
    // The command line and the filter hold one short line: breaks become spaces, the rest of the
    // control characters go, and a long paste is cut (nothing there is longer than a name).
    let line: String = crate::forms::text::clean_paste(text)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .take(PASTE_LINE_MAX)
        .collect();
    if let Some(input) = app.command.as_mut() {
        input.edit(|s| s.push_str(&line));
    } else if app.overlay.is_none() && app.filter_editing() {
        let m = &mut app.matcher;
        let l = app.remote.list_mut(app.pane.list());
        l.filter_mut().query.push_str(&line);
        let q = l.filter().query.clone();
        l.set_query(&q, m);
    }
}

/// The most characters a paste adds to the command line or the filter.
const PASTE_LINE_MAX: usize = 1024;

fn filter_key(app: &mut App, ev: KeyEvent) {
    if matches!(app.overlay, Some(Overlay::Inspector)) {
        return inspector::filter_key(app, ev);
    }
    let m = &mut app.matcher;
    let l = app.remote.list_mut(app.pane.list());
    match ev.code {
        KeyCode::Enter => l.filter_mut().editing = false,
        KeyCode::Esc => {
            l.filter_mut().editing = false;
            l.filter_mut().query.clear();
            l.set_query("", m);
        }
        KeyCode::Backspace => {
            l.filter_mut().query.pop();
            let q = l.filter().query.clone();
            l.set_query(&q, m);
        }
        KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => {
            l.filter_mut().query.push(c);
            let q = l.filter().query.clone();
            l.set_query(&q, m);
        }
        KeyCode::Down => l.move_by(1),
        KeyCode::Up => l.move_by(-1),
        _ => {}
    }
}

fn command_key(app: &mut App, ev: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(input) = app.command.as_mut() else {
        return;
    };
    match ev.code {
        KeyCode::Esc => app.command = None,
        KeyCode::Backspace if input.is_empty() => app.command = None,
        KeyCode::Backspace => input.edit(|s| {
            s.pop();
        }),
        // As a shell or k9s: tab walks the candidates, shift-tab walks back; so do the arrows.
        KeyCode::Tab | KeyCode::Down => input.cycle(1),
        KeyCode::BackTab | KeyCode::Up => input.cycle(-1),
        KeyCode::Enter => {
            let text = std::mem::take(&mut input.input);
            app.command = None;
            if text.trim().is_empty() {
                return;
            }
            match command::parse(&text) {
                Ok(parsed) if parsed.cmd == command::Cmd::Open => {
                    open_repo::command(app, parsed.arg.as_deref(), fx)
                }
                Ok(parsed) => route::run_parsed(app, parsed, fx),
                Err(msg) => app.status = Status::Warning(msg),
            }
        }
        KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => {
            input.edit(|s| s.push(c))
        }
        _ => {}
    }
}

fn page(app: &App) -> isize {
    layout::visible_rows(app, app.pane).max(1) as isize
}

fn list_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    if cached::refuses(app, action) {
        return;
    }
    let page = page(app);
    match action {
        Action::Up => app.focused_mut().move_by(-1),
        Action::Down => app.focused_mut().move_by(1),
        Action::PageUp => app.focused_mut().move_by(-page),
        Action::PageDown => app.focused_mut().move_by(page),
        Action::Top => app.focused_mut().select(0),
        Action::Bottom => app.focused_mut().select(usize::MAX),
        Action::Open | Action::Inspect if matches!(app.pane, Pane::Images | Pane::Tags) => {
            inspector::open_selected(app, fx)
        }
        Action::Open => nav::open(app, fx),
        Action::Back => {
            let m = &mut app.matcher;
            let l = app.remote.list_mut(app.pane.list());
            let filtered = !l.filter().query.is_empty();
            l.filter_mut().query.clear();
            l.set_query("", m);
            if !filtered {
                nav::back(app, fx);
            }
        }
        Action::Filter => {
            // `/` starts a new query, as in vim and less: typing after a query kept from earlier
            // would silently search for the old text plus the new.
            let m = &mut app.matcher;
            let l = app.remote.list_mut(app.pane.list());
            l.filter_mut().query.clear();
            l.set_query("", m);
            l.filter_mut().editing = true;
        }
        Action::Command => app.command = Some(command::CommandLine::default()),
        Action::ToggleTags => nav::switch_view(app, fx),
        Action::Catalog => nav::open_view(app, View::Catalog, fx),
        Action::Policy => nav::open_view(app, View::Policy, fx),
        Action::ResourceTags => nav::open_view(app, View::ResourceTags, fx),
        Action::Sort => app.focused_mut().cycle_sort(),
        Action::SortReverse => app.focused_mut().reverse_sort(),
        Action::Refresh => nav::refresh(app, fx),
        Action::ErrorDetails => open_error(app),
        Action::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::Quit => app.quit = true,
        Action::AutoRefresh => auto_refresh::toggle_auto_refresh(app),
        Action::Copy => copy::copy_menu(app),
        Action::OpenBrowser => copy::open_gallery(app, fx),
        Action::Profiles => session::ask_profiles(fx),
        Action::Regions => session::regions(app),
        Action::Edit => edit::edit(app, fx),
        Action::New => edit::repository::open(app),
        Action::Mark => delete::mark(app),
        Action::MarkAll => delete::mark_all(app),
        Action::Delete => delete::delete(app),
        Action::Lifecycle => lifecycle::open(app, fx),
        Action::Restore => {}
        // Form and confirmation keys: read by the popups themselves (`modal_key`).
        Action::NextField
        | Action::PrevField
        | Action::Save
        | Action::CancelForm
        | Action::Undo
        | Action::Redo
        | Action::Confirm
        | Action::Deny
        | Action::Inspect => {}
        Action::Retag => retag::open(app),
        // Only in the `:open` view (`open_repo::action`).
        Action::Bookmark => {}
    }
}

fn open_error(app: &mut App) {
    if app.last_error.is_some()
        || !app.opts.config_warnings.is_empty()
        || app.opts.aws_files_problem.is_some()
    {
        app.overlay = Some(Overlay::ErrorDetails { scroll: 0 });
    } else {
        app.status = Status::Warning("no error to show".into());
    }
}

fn overlay_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    if matches!(app.overlay, Some(Overlay::Lifecycle { .. })) {
        return lifecycle::action(app, action, fx);
    }
    if matches!(app.overlay, Some(Overlay::Inspector)) {
        return inspector::action(app, action, fx);
    }
    over_view(app, action, fx);
    // Help or error details opened from the inspector close back to it.
    if app.overlay.is_none() && app.inspector.view.is_some() && !app.quit {
        app.overlay = Some(Overlay::Inspector);
    }
}

fn over_view(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let max = app.overlay.as_ref().map_or(0, |o| app.view_scroll.max(o));
    let page = layout::read_view_inner(app).height.max(1);
    let Some(scroll) = app.overlay.as_mut().and_then(|o| match o {
        Overlay::Catalog { scroll, .. }
        | Overlay::Policy { scroll, .. }
        | Overlay::ResourceTags { scroll, .. }
        | Overlay::Help { scroll }
        | Overlay::ErrorDetails { scroll } => Some(scroll),
        Overlay::Picker(_) | Overlay::Inspector | Overlay::OpenRepo | Overlay::Lifecycle { .. } => {
            None
        }
    }) else {
        return;
    };
    match action {
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Down => *scroll = scroll.saturating_add(1).min(max),
        Action::PageUp => *scroll = scroll.saturating_sub(page),
        Action::PageDown => *scroll = scroll.saturating_add(page).min(max),
        Action::Top => *scroll = 0,
        Action::Bottom => *scroll = max,
        Action::Back => app.overlay = open_repo::underneath(app),
        Action::Help => {
            app.overlay = match app.overlay {
                Some(Overlay::Help { .. }) => open_repo::underneath(app),
                _ => Some(Overlay::Help { scroll: 0 }),
            }
        }
        Action::Refresh => nav::refresh_view(app, fx),
        Action::ErrorDetails => open_error(app),
        // `q` reading help means "done reading", as in less and man; ctrl-c still quits.
        Action::Quit if matches!(app.overlay, Some(Overlay::Help { .. })) => {
            app.overlay = open_repo::underneath(app)
        }
        Action::Quit => app.quit = true,
        Action::Edit => edit::edit(app, fx),
        Action::Delete => delete::delete(app),
        _ => {}
    }
}

/// Scroll the focused list by `delta` rows (mouse wheel), or the open view.
pub fn scroll(app: &mut App, delta: isize, fx: &mut Vec<Effect>) {
    if app.overlay.is_some() {
        let a = if delta < 0 { Action::Up } else { Action::Down };
        for _ in 0..delta.unsigned_abs() {
            overlay_action(app, a, fx);
        }
        return;
    }
    app.focused_mut().move_by(delta);
}
