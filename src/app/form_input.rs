//! Typing into an open form: keys (the user's `[keys]` for forms mean what the engine's defaults
//! mean), bracketed pastes, the external editor's text and file path checks; drafts kept as the
//! user types, and ctrl-s handed to `edit`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::drafts::{remove_draft, save_draft};
use super::edit;
use super::modal::Modal;
use super::msg::Effect;
use super::state::{App, Status};
use super::strings;
use crate::config::{Action, KeyContext};
use crate::forms::{FormEvent, FormOutcome, FormRequest, PathCheck};

/// The user's form keys (the `[keys]` section) mean what the form engine's defaults mean.
fn canonical(app: &App, ev: KeyEvent) -> KeyEvent {
    let k = |code, mods| KeyEvent::new(code, mods);
    match app.keymap().action_for_event(KeyContext::Form, &ev) {
        Some(Action::NextField) => k(KeyCode::Tab, KeyModifiers::NONE),
        Some(Action::PrevField) => k(KeyCode::BackTab, KeyModifiers::SHIFT),
        Some(Action::Save) => k(KeyCode::Char('s'), KeyModifiers::CONTROL),
        Some(Action::CancelForm) => k(KeyCode::Esc, KeyModifiers::NONE),
        Some(Action::Undo) => k(KeyCode::Char('z'), KeyModifiers::CONTROL),
        Some(Action::Redo) => k(KeyCode::Char('y'), KeyModifiers::CONTROL),
        _ => ev,
    }
}

/// A key while a form is open.
pub fn key(app: &mut App, ev: KeyEvent, fx: &mut Vec<Effect>) {
    let ev = canonical(app, ev);
    let Some(Modal::Form(ef)) = app.modal.as_mut() else {
        return;
    };
    let event = ef.form.handle_key(ev);
    answer(app, event, fx);
}

/// A bracketed paste while a form is open: text for the focused field, as one edit.
pub fn paste(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    let Some(Modal::Form(ef)) = app.modal.as_mut() else {
        return;
    };
    let event = ef.form.paste(text);
    answer(app, event, fx);
}

/// What the app does with what the form answered to a key or a paste.
fn answer(app: &mut App, event: FormEvent, fx: &mut Vec<Effect>) {
    let Some(Modal::Form(ef)) = app.modal.as_mut() else {
        return;
    };
    match event {
        FormEvent::Ignored | FormEvent::Moved => {}
        FormEvent::Invalid => {
            // Focus went to the field, which the form scrolls into view: name it.
            let label = ef.form.fields.get(ef.form.focus).map_or("", |f| f.label);
            app.status = Status::Warning(strings::form_invalid(label));
        }
        FormEvent::Changed => save_draft(ef, fx),
        FormEvent::Request(FormRequest::ExternalEditor { field, text }) => {
            fx.push(Effect::Editor { field, text })
        }
        FormEvent::Request(FormRequest::CheckPath { field, path }) => {
            save_draft(ef, fx);
            fx.push(Effect::CheckPath { field, path });
        }
        FormEvent::Outcome(FormOutcome::Cancel) => {
            // Closing without saving is a decision: the draft goes with it.
            remove_draft(&ef.kind, fx);
            app.modal = None;
        }
        FormEvent::Outcome(FormOutcome::Save(_)) => edit::save(app, fx),
    }
}

/// Text back from the editor: into the field; an editor that failed leaves the text as it was.
pub fn editor_done(
    app: &mut App,
    field: usize,
    result: Result<String, String>,
    fx: &mut Vec<Effect>,
) {
    let Some(Modal::Form(ef)) = app.modal.as_mut() else {
        return;
    };
    match result {
        Ok(text) => {
            ef.form.set_text(field, &text);
            save_draft(ef, fx);
        }
        Err(e) => app.status = Status::Warning(strings::editor_failed(&e)),
    }
}

pub fn path_checked(app: &mut App, field: usize, path: &str, check: PathCheck) {
    if let Some(Modal::Form(ef)) = app.modal.as_mut() {
        ef.form.set_path_check(field, path, check);
    }
}
