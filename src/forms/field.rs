//! One labelled field of a form: its editor, its live check, and the error a failed save left on it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::checklist::Checklist;
use super::text::{LineEditor, TextArea};
use crate::fmt::thousands;

/// A field's value as the form hands it out (and as drafts store it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    List(Vec<String>),
}

impl Value {
    pub fn as_text(&self) -> &str {
        match self {
            Value::Text(s) => s,
            Value::List(_) => "",
        }
    }
    pub fn as_list(&self) -> &[String] {
        match self {
            Value::List(l) => l,
            Value::Text(_) => &[],
        }
    }
}

/// Every field's value by key, in a stable order.
pub type Values = BTreeMap<String, Value>;

/// The result of a live check, shown under the field: `ok == false` blocks saving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub ok: bool,
    pub text: String,
}

impl Check {
    pub fn ok(text: impl Into<String>) -> Self {
        Check {
            ok: true,
            text: text.into(),
        }
    }
    pub fn err(text: impl Into<String>) -> Self {
        Check {
            ok: false,
            text: text.into(),
        }
    }
}

/// The result of checking a file path off the UI thread (the app reads the file in a task).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PathCheck {
    /// Nothing to check (empty path).
    #[default]
    Empty,
    Pending,
    /// Readable and acceptable: a summary to show, and the bytes to send.
    Ok {
        summary: String,
        bytes: Vec<u8>,
    },
    Err(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Editor {
    Line(LineEditor),
    Multi {
        area: TextArea,
        /// Show a rendered markdown preview beside the editor.
        preview: bool,
    },
    Checklist(Checklist),
    Path {
        line: LineEditor,
        check: PathCheck,
    },
}

pub type Validator = fn(&Value) -> Option<Check>;

#[derive(Debug, Clone)]
pub struct Field {
    /// Stable key: the value's name in `Values`, drafts, and error matching (the API member name).
    pub key: &'static str,
    pub label: &'static str,
    pub editor: Editor,
    pub validate: Option<Validator>,
    /// Left by a failed save; cleared when the field is edited.
    pub error: Option<String>,
    /// Short hint shown when there is nothing to check.
    pub hint: Option<&'static str>,
}

impl Field {
    pub fn line(key: &'static str, label: &'static str, text: &str) -> Self {
        Field::with(key, label, Editor::Line(LineEditor::new(text)))
    }
    pub fn multi(key: &'static str, label: &'static str, text: &str, preview: bool) -> Self {
        Field::with(
            key,
            label,
            Editor::Multi {
                area: TextArea::new(text),
                preview,
            },
        )
    }
    pub fn checklist(key: &'static str, label: &'static str, list: Checklist) -> Self {
        Field::with(key, label, Editor::Checklist(list))
    }
    pub fn path(key: &'static str, label: &'static str) -> Self {
        Field::with(
            key,
            label,
            Editor::Path {
                line: LineEditor::default(),
                check: PathCheck::Empty,
            },
        )
    }
    fn with(key: &'static str, label: &'static str, editor: Editor) -> Self {
        Field {
            key,
            label,
            editor,
            validate: None,
            error: None,
            hint: None,
        }
    }
    pub fn validated(mut self, v: Validator) -> Self {
        self.validate = Some(v);
        self
    }
    pub fn hinted(mut self, h: &'static str) -> Self {
        self.hint = Some(h);
        self
    }

    pub fn value(&self) -> Value {
        match &self.editor {
            Editor::Line(l) | Editor::Path { line: l, .. } => Value::Text(l.text().to_string()),
            Editor::Multi { area, .. } => Value::Text(area.text()),
            Editor::Checklist(c) => Value::List(c.selected()),
        }
    }

    /// Put a value back (drafts, $EDITOR results). A path's check restarts.
    pub fn set_value(&mut self, v: &Value) {
        match (&mut self.editor, v) {
            (Editor::Line(l), Value::Text(t)) => *l = LineEditor::new(t),
            (Editor::Path { line, check }, Value::Text(t)) => {
                *line = LineEditor::new(t);
                *check = if t.trim().is_empty() {
                    PathCheck::Empty
                } else {
                    PathCheck::Pending
                };
            }
            (Editor::Multi { area, .. }, Value::Text(t)) => area.set_text(t),
            (Editor::Checklist(c), Value::List(sel)) => {
                for it in &mut c.items {
                    it.1 = sel.contains(&it.0);
                }
                for s in sel {
                    if !c.items.iter().any(|i| &i.0 == s) {
                        c.items.push((s.clone(), true));
                    }
                }
            }
            _ => {}
        }
    }

    /// The live check: the validator's, or the path check's state.
    pub fn check(&self) -> Option<Check> {
        if let Editor::Path { check, .. } = &self.editor {
            return match check {
                PathCheck::Empty => None,
                PathCheck::Pending => Some(Check::err("checking…")),
                PathCheck::Ok { summary, .. } => Some(Check::ok(summary.clone())),
                PathCheck::Err(e) => Some(Check::err(e.clone())),
            };
        }
        self.validate.and_then(|v| v(&self.value()))
    }

    pub fn is_valid(&self) -> bool {
        self.check().is_none_or(|c| c.ok)
    }

    pub fn is_multiline(&self) -> bool {
        matches!(self.editor, Editor::Multi { .. })
    }
}

/// "description: 1,031 / 1,024 characters", failing over `max`.
pub fn length_check(label: &str, text: &str, max: usize) -> Check {
    let n = text.chars().count();
    let msg = format!("{label}: {} / {} characters", thousands(n), thousands(max));
    if n > max {
        Check::err(msg)
    } else {
        Check::ok(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_messages() {
        let c = length_check("description", &"x".repeat(1031), 1024);
        assert_eq!(c, Check::err("description: 1,031 / 1,024 characters"));
        assert!(
            length_check("description", "é", 1).ok,
            "counts chars, not bytes"
        );
    }

    #[test]
    fn set_value_round_trips_every_editor() {
        let mut f = Field::checklist("a", "A", Checklist::new(&["ARM"], &[], true));
        f.set_value(&Value::List(vec!["ARM".into(), "MIPS".into()]));
        assert_eq!(f.value(), Value::List(vec!["ARM".into(), "MIPS".into()]));
        let mut p = Field::path("logo", "logo");
        p.set_value(&Value::Text("/x.png".into()));
        assert_eq!(p.check(), Some(Check::err("checking…")));
        assert!(!p.is_valid(), "a pending check blocks saving");
        let mut m = Field::multi("about", "about", "a", true);
        m.set_value(&Value::Text("b\nc".into()));
        assert_eq!(m.value().as_text(), "b\nc");
    }
}
