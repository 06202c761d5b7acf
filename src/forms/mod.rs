//! Forms for every mutation, as pure state machines in the app's Elm style: the app feeds
//! keys to `Form::handle_key`, turns the `FormEvent` into effects (save, $EDITOR, a path check, a
//! draft write), and reports results back with `saving` / `save_failed` / `set_path_check`.
//! Rendering is a widget over `&Form`; nothing here does I/O except `editor::edit_in_editor`, which
//! the app's effect runner calls with the terminal suspended.

pub mod catalog;
pub mod checklist;
pub mod confirm;
pub mod delete;
pub mod editor;
pub mod field;
pub mod lifecycle;
pub mod policy;
pub mod registry;
mod render;
pub mod repository;
pub mod retag;
pub mod tags;
pub mod text;
pub mod textarea;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use field::{Check, Editor, Field, PathCheck, Value, Values};
use text::Edit;

/// Where the form is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Editing,
    /// esc with unsaved changes: "discard changes? y/n".
    ConfirmDiscard,
    /// A save is in flight: input is disabled until `save_failed` (or the app closes the form).
    Saving,
}

/// The keys named on the form's bottom line: the defaults, or what the user's config binds (the
/// app fills them in; the form itself only knows the default keys, which the app maps onto).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hints {
    pub next: String,
    pub back: String,
    pub save: String,
    pub cancel: String,
    /// What saving does here: "save", or "continue" where it only leads to the next step.
    pub save_label: &'static str,
}

impl Default for Hints {
    fn default() -> Self {
        Hints {
            next: "tab".into(),
            back: "shift-tab".into(),
            save: "ctrl-s".into(),
            cancel: "esc".into(),
            save_label: "save",
        }
    }
}

/// What the form wants from the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormOutcome {
    /// ctrl-s with every field valid: the app runs the mutation and calls `saving()`.
    Save(Values),
    /// Close without saving.
    Cancel,
}

/// Work only the app can do (it involves the terminal or the file system).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormRequest {
    /// ctrl-e in a multi-line field: suspend the TUI, `edit_in_editor(text)`, then `set_text`.
    ExternalEditor { field: usize, text: String },
    /// A path field changed: read the file off the UI thread, then `set_path_check`.
    CheckPath { field: usize, path: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormEvent {
    /// The key meant nothing here.
    Ignored,
    /// Focus or cursor moved; redraw.
    Moved,
    /// A value changed: redraw, and save a draft (debounced by the caller).
    Changed,
    /// ctrl-s on an invalid form: focus went to the first invalid field.
    Invalid,
    Outcome(FormOutcome),
    Request(FormRequest),
}

#[derive(Debug, Clone)]
pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub status: Status,
    /// A save error that names no field, shown above the fields.
    pub error: Option<String>,
    pub hints: Hints,
    initial: Values,
}

fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

impl Form {
    /// A form with its first field focused; the fields' current values are "unchanged".
    pub fn new(title: impl Into<String>, fields: Vec<Field>) -> Self {
        let mut f = Form {
            title: title.into(),
            fields,
            focus: 0,
            status: Status::Editing,
            error: None,
            hints: Hints::default(),
            initial: Values::new(),
        };
        f.initial = f.values();
        f
    }

    pub fn values(&self) -> Values {
        self.fields
            .iter()
            .map(|f| (f.key.to_string(), f.value()))
            .collect()
    }

    pub fn value(&self, key: &str) -> Option<Value> {
        self.field(key).map(Field::value)
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    pub fn is_dirty(&self) -> bool {
        self.values() != self.initial
    }

    /// ctrl-c over a changed form: ask "discard changes?" as esc does, instead of quitting with
    /// the typing lost. Whether it asked (false: nothing typed is at stake, the values are
    /// already on their way in a save, or the question is on screen and a second ctrl-c means
    /// it).
    pub fn ask_discard(&mut self) -> bool {
        if self.status == Status::Editing && self.is_dirty() {
            self.status = Status::ConfirmDiscard;
            return true;
        }
        false
    }

    pub fn is_valid(&self) -> bool {
        self.fields.iter().all(Field::is_valid)
    }

    /// Restore values (a draft), leaving the prefilled values as the "unchanged" baseline so the
    /// restored edits count as changes.
    pub fn restore(&mut self, values: &Values) {
        for f in &mut self.fields {
            if let Some(v) = values.get(f.key) {
                f.set_value(v);
            }
        }
    }

    /// The app started the mutation: input is disabled until it fails.
    pub fn saving(&mut self) {
        self.status = Status::Saving;
        self.error = None;
        for f in &mut self.fields {
            f.error = None;
        }
    }

    /// The save failed: back to editing with every value kept, the message beside the field it
    /// concerns (the field whose key the service's message names, e.g. "catalogData.description"
    /// or "repositoryName"), else above the fields.
    pub fn save_failed(&mut self, message: &str) {
        self.status = Status::Editing;
        let lower = message.to_ascii_lowercase();
        let hit = self.fields.iter().position(|f| {
            let k = f.key.to_ascii_lowercase();
            lower.contains(&format!(".{k}'"))
                || lower.contains(&format!("'{k}'"))
                || lower.contains(&format!(".{k} "))
                || lower.contains(&format!(" {k} "))
        });
        match hit {
            Some(i) => {
                self.fields[i].error = Some(message.to_string());
                self.focus = i;
                self.error = None;
            }
            None => self.error = Some(message.to_string()),
        }
    }

    /// Put an error on a named field (forms that know which field a failure concerns).
    pub fn field_failed(&mut self, key: &str, message: &str) {
        self.status = Status::Editing;
        if let Some(i) = self.fields.iter().position(|f| f.key == key) {
            self.fields[i].error = Some(message.to_string());
            self.focus = i;
        } else {
            self.error = Some(message.to_string());
        }
    }

    /// The result of a `CheckPath` request; ignored when the path changed since it was asked.
    pub fn set_path_check(&mut self, field: usize, path: &str, check: PathCheck) {
        if let Some(Field {
            editor: Editor::Path { line, check: c },
            ..
        }) = self.fields.get_mut(field)
            && line.text() == path
        {
            *c = check;
        }
    }

    /// Text back from $EDITOR (or a template) for a multi-line field.
    pub fn set_text(&mut self, field: usize, text: &str) {
        if let Some(f) = self.fields.get_mut(field) {
            f.set_value(&Value::Text(text.to_string()));
            f.error = None;
        }
    }

    fn move_focus(&mut self, forward: bool) -> FormEvent {
        let n = self.fields.len();
        if n < 2 {
            return FormEvent::Ignored;
        }
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
        FormEvent::Moved
    }

    /// A pasted block (bracketed paste) for the focused field: inserted as text in one change,
    /// one undo step, never read as keys. Too large a paste is refused with a message on the field.
    pub fn paste(&mut self, text: &str) -> FormEvent {
        if self.status != Status::Editing {
            return FormEvent::Ignored;
        }
        let focus = self.focus;
        let field = &mut self.fields[focus];
        let n = text.chars().count();
        let result = match &mut field.editor {
            Editor::Multi { area, .. } => area.paste(text),
            _ if n > text::MAX_PASTE_CHARS => Err(text::paste_too_large(n)),
            Editor::Line(l) | Editor::Path { line: l, .. } => Ok(l.paste(text)),
            // Typing in the entry changes nothing submitted yet.
            Editor::Checklist(c) => Ok(match c.adding.as_mut().map(|ed| ed.paste(text)) {
                Some(Edit::Changed) => Edit::Moved,
                _ => Edit::Ignored,
            }),
        };
        match result {
            Err(msg) => {
                field.error = Some(msg);
                FormEvent::Moved
            }
            Ok(edit) => self.edited(focus, edit),
        }
    }

    /// What a change to field `focus` means: a path is checked again, any other edit clears the
    /// error a failed save left.
    fn edited(&mut self, focus: usize, edit: Edit) -> FormEvent {
        let field = &mut self.fields[focus];
        match edit {
            Edit::Ignored => FormEvent::Ignored,
            Edit::Moved => FormEvent::Moved,
            Edit::Changed => {
                field.error = None;
                let Editor::Path { line, check } = &mut field.editor else {
                    return FormEvent::Changed;
                };
                if line.text().trim().is_empty() {
                    *check = PathCheck::Empty;
                    return FormEvent::Changed;
                }
                *check = PathCheck::Pending;
                FormEvent::Request(FormRequest::CheckPath {
                    field: focus,
                    path: line.text().to_string(),
                })
            }
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> FormEvent {
        match self.status {
            Status::Saving => return FormEvent::Ignored,
            Status::ConfirmDiscard => {
                return match key.code {
                    KeyCode::Char('y') | KeyCode::Char('Y') => {
                        FormEvent::Outcome(FormOutcome::Cancel)
                    }
                    KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                        self.status = Status::Editing;
                        FormEvent::Moved
                    }
                    _ => FormEvent::Ignored,
                };
            }
            Status::Editing => {}
        }
        if ctrl(&key, 's') {
            return match self.fields.iter().position(|f| !f.is_valid()) {
                Some(i) => {
                    self.focus = i;
                    FormEvent::Invalid
                }
                None => FormEvent::Outcome(FormOutcome::Save(self.values())),
            };
        }
        let in_entry = matches!(&self.fields[self.focus].editor,
            Editor::Checklist(c) if c.adding.is_some());
        match key.code {
            KeyCode::Esc if !in_entry => {
                return if self.is_dirty() {
                    self.status = Status::ConfirmDiscard;
                    FormEvent::Moved
                } else {
                    FormEvent::Outcome(FormOutcome::Cancel)
                };
            }
            KeyCode::Tab if !key.modifiers.contains(KeyModifiers::SHIFT) => {
                return self.move_focus(true);
            }
            KeyCode::BackTab => return self.move_focus(false),
            KeyCode::Tab => return self.move_focus(false),
            _ => {}
        }
        let focus = self.focus;
        let edit = match &mut self.fields[focus].editor {
            Editor::Multi { area, .. } if ctrl(&key, 'e') => {
                return FormEvent::Request(FormRequest::ExternalEditor {
                    field: focus,
                    text: area.text(),
                });
            }
            Editor::Line(l) | Editor::Path { line: l, .. } => l.handle_key(key),
            Editor::Multi { area, .. } => area.handle_key(key),
            Editor::Checklist(c) => c.handle_key(key),
        };
        self.edited(focus, edit)
    }
}
