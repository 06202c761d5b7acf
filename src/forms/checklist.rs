//! A multi-select checklist with free entries: the known choices first, then what the user added.
//! `single` turns it into a radio list (template pickers).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::text::{Edit, LineEditor};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    /// (label, checked)
    pub items: Vec<(String, bool)>,
    pub cursor: usize,
    /// The free entry being typed ("+ add…" row), when adding.
    pub adding: Option<LineEditor>,
    pub allow_custom: bool,
    pub single: bool,
    /// The prefilled values in the order the service had them: saved in that order, so an
    /// untouched catalog is sent back exactly as it was.
    original: Vec<String>,
}

impl Checklist {
    /// `known` in order, checked when in `selected`; selected values that are not known become
    /// custom entries after them, so nothing prefilled is lost.
    pub fn new(known: &[&str], selected: &[String], allow_custom: bool) -> Self {
        let mut items: Vec<(String, bool)> = known
            .iter()
            .map(|k| (k.to_string(), selected.iter().any(|s| s == k)))
            .collect();
        for s in selected {
            if !known.contains(&s.as_str()) {
                items.push((s.clone(), true));
            }
        }
        Checklist {
            items,
            cursor: 0,
            adding: None,
            allow_custom,
            single: false,
            original: selected.to_vec(),
        }
    }

    pub fn radio(options: &[&str], selected: usize) -> Self {
        let mut c = Checklist::new(options, &[], false);
        c.single = true;
        c.cursor = selected.min(options.len().saturating_sub(1));
        if let Some(i) = c.items.get_mut(c.cursor) {
            i.1 = true;
        }
        c
    }

    /// The checked values: the prefilled ones still checked in their original order, then the
    /// newly checked ones in list order.
    pub fn selected(&self) -> Vec<String> {
        let on = |v: &String| self.items.iter().any(|i| i.1 && &i.0 == v);
        let mut out: Vec<String> = self.original.iter().filter(|v| on(v)).cloned().collect();
        for (v, checked) in &self.items {
            if *checked && !out.contains(v) {
                out.push(v.clone());
            }
        }
        out
    }

    /// Rows the cursor can be on: every item, plus "+ add…" when custom entries are allowed.
    fn rows(&self) -> usize {
        self.items.len() + usize::from(self.allow_custom)
    }

    pub fn on_add_row(&self) -> bool {
        self.allow_custom && self.cursor == self.items.len()
    }

    fn toggle(&mut self) -> Edit {
        let i = self.cursor;
        if self.single {
            if self.items[i].1 {
                return Edit::Ignored;
            }
            for (j, it) in self.items.iter_mut().enumerate() {
                it.1 = j == i;
            }
        } else {
            self.items[i].1 = !self.items[i].1;
        }
        Edit::Changed
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Edit {
        if let Some(ed) = &mut self.adding {
            return match key.code {
                KeyCode::Enter => {
                    let v = ed.text().trim().to_string();
                    self.adding = None;
                    if v.is_empty() {
                        return Edit::Moved;
                    }
                    match self.items.iter().position(|i| i.0 == v) {
                        Some(p) => {
                            self.items[p].1 = true;
                            self.cursor = p;
                        }
                        None => {
                            self.items.push((v, true));
                            self.cursor = self.items.len() - 1;
                        }
                    }
                    Edit::Changed
                }
                KeyCode::Esc => {
                    self.adding = None;
                    Edit::Moved
                }
                _ => match ed.handle_key(key) {
                    // Typing in the entry changes nothing submitted yet.
                    Edit::Changed => Edit::Moved,
                    e => e,
                },
            };
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            return Edit::Ignored;
        }
        match key.code {
            KeyCode::Left | KeyCode::Up | KeyCode::Char('h') | KeyCode::Char('k')
                if self.cursor > 0 =>
            {
                self.cursor -= 1;
                Edit::Moved
            }
            KeyCode::Right | KeyCode::Down | KeyCode::Char('l') | KeyCode::Char('j')
                if self.cursor + 1 < self.rows() =>
            {
                self.cursor += 1;
                Edit::Moved
            }
            KeyCode::Char(' ') | KeyCode::Enter if self.on_add_row() => {
                self.adding = Some(LineEditor::default());
                Edit::Moved
            }
            KeyCode::Char(' ') | KeyCode::Enter if self.cursor < self.items.len() => self.toggle(),
            // Custom entries can be removed outright; known ones only unchecked.
            KeyCode::Delete | KeyCode::Backspace | KeyCode::Char('x')
                if self.allow_custom && self.cursor < self.items.len() && !self.single =>
            {
                if self.items[self.cursor].1 {
                    self.items[self.cursor].1 = false;
                    Edit::Changed
                } else {
                    Edit::Ignored
                }
            }
            _ => Edit::Ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn keeps_the_order_the_service_had() {
        let mut c = Checklist::new(
            &["ARM", "ARM 64", "x86", "x86-64"],
            &["x86-64".into(), "ARM 64".into()],
            true,
        );
        assert_eq!(c.selected(), vec!["x86-64", "ARM 64"]);
        c.handle_key(k(KeyCode::Char(' ')));
        assert_eq!(c.selected(), vec!["x86-64", "ARM 64", "ARM"]);
    }

    #[test]
    fn prefilled_unknown_values_become_custom_entries() {
        let c = Checklist::new(&["ARM", "x86"], &["x86".into(), "RISC-V".into()], true);
        assert_eq!(c.selected(), vec!["x86", "RISC-V"]);
        assert_eq!(c.items.len(), 3);
    }

    #[test]
    fn toggle_move_and_add() {
        let mut c = Checklist::new(&["Linux", "Windows"], &[], true);
        assert_eq!(c.handle_key(k(KeyCode::Char(' '))), Edit::Changed);
        assert_eq!(c.selected(), vec!["Linux"]);
        c.handle_key(k(KeyCode::Right));
        c.handle_key(k(KeyCode::Right));
        assert!(c.on_add_row());
        c.handle_key(k(KeyCode::Enter));
        for ch in "FreeBSD".chars() {
            assert_eq!(c.handle_key(k(KeyCode::Char(ch))), Edit::Moved);
        }
        assert_eq!(c.handle_key(k(KeyCode::Enter)), Edit::Changed);
        assert_eq!(c.selected(), vec!["Linux", "FreeBSD"]);
        assert_eq!(c.handle_key(k(KeyCode::Char('x'))), Edit::Changed);
        assert_eq!(c.selected(), vec!["Linux"]);
        assert_eq!(c.handle_key(k(KeyCode::Right)), Edit::Moved);
        assert_eq!(c.handle_key(k(KeyCode::Right)), Edit::Ignored);
    }

    #[test]
    fn radio_keeps_exactly_one() {
        let mut c = Checklist::radio(&["a", "b", "c"], 0);
        c.handle_key(k(KeyCode::Down));
        c.handle_key(k(KeyCode::Char(' ')));
        assert_eq!(c.selected(), vec!["b"]);
        assert_eq!(c.handle_key(k(KeyCode::Char(' '))), Edit::Ignored);
    }
}
