//! Text editing state: a single-line editor and a multi-line one. Cursors are char indices so
//! multi-byte input never splits a character.

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What an editor did with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Ignored,
    Moved,
    Changed,
}

fn byte_at(s: &str, ch: usize) -> usize {
    s.char_indices().nth(ch).map_or(s.len(), |(i, _)| i)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// One line of text with a cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEditor {
    text: String,
    cursor: usize,
}

impl LineEditor {
    pub fn new(text: &str) -> Self {
        let text: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
        let cursor = text.chars().count();
        LineEditor { text, cursor }
    }

    /// `text` with the cursor at char `col` (clamped).
    pub fn at(text: &str, col: usize) -> Self {
        let mut l = LineEditor::new(text);
        l.cursor = col.min(l.cursor);
        l
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn insert(&mut self, c: char) {
        let b = byte_at(&self.text, self.cursor);
        self.text.insert(b, c);
        self.cursor += 1;
    }

    fn chars(&self) -> Vec<char> {
        self.text.chars().collect()
    }

    /// The start of the word before the cursor (skipping separators first, as shells do).
    fn word_left(&self) -> usize {
        let cs = self.chars();
        let mut i = self.cursor;
        while i > 0 && !is_word(cs[i - 1]) {
            i -= 1;
        }
        while i > 0 && is_word(cs[i - 1]) {
            i -= 1;
        }
        i
    }

    fn word_right(&self) -> usize {
        let cs = self.chars();
        let mut i = self.cursor;
        while i < cs.len() && !is_word(cs[i]) {
            i += 1;
        }
        while i < cs.len() && is_word(cs[i]) {
            i += 1;
        }
        i
    }

    fn remove_range(&mut self, from: usize, to: usize) {
        let (a, b) = (byte_at(&self.text, from), byte_at(&self.text, to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let before = self.cursor;
        match key.code {
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.len(),
            KeyCode::Char('w') if ctrl => {
                let from = self.word_left();
                if from == self.cursor {
                    return Edit::Ignored;
                }
                self.remove_range(from, self.cursor);
                return Edit::Changed;
            }
            KeyCode::Char('u') if ctrl => {
                if self.cursor == 0 {
                    return Edit::Ignored;
                }
                self.remove_range(0, self.cursor);
                return Edit::Changed;
            }
            KeyCode::Char('b') if alt => self.cursor = self.word_left(),
            KeyCode::Char('f') if alt => self.cursor = self.word_right(),
            KeyCode::Char(c) if !ctrl && !alt => {
                self.insert(c);
                return Edit::Changed;
            }
            KeyCode::Left if ctrl || alt => self.cursor = self.word_left(),
            KeyCode::Right if ctrl || alt => self.cursor = self.word_right(),
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            KeyCode::Backspace if self.cursor > 0 => {
                self.remove_range(self.cursor - 1, self.cursor);
                return Edit::Changed;
            }
            KeyCode::Delete if self.cursor < self.len() => {
                self.remove_range(self.cursor, self.cursor + 1);
                return Edit::Changed;
            }
            _ => return Edit::Ignored,
        }
        if self.cursor == before {
            Edit::Ignored
        } else {
            Edit::Moved
        }
    }
}

/// Multi-line text with a cursor (row, column) and a scroll offset that follows the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextArea {
    /// Rows shown at the last render (a memo the widget sets), so scrolling moves the window only
    /// when the cursor leaves it.
    pub view_height: Cell<usize>,
    lines: Vec<LineEditor>,
    row: usize,
    /// Column the cursor wants to be in when moving up/down through shorter lines.
    goal: usize,
    pub scroll: usize,
}

impl Default for TextArea {
    fn default() -> Self {
        Self::new("")
    }
}

impl TextArea {
    pub fn new(text: &str) -> Self {
        let mut lines: Vec<LineEditor> = text.split('\n').map(LineEditor::new).collect();
        for l in &mut lines {
            l.cursor = 0;
        }
        TextArea {
            view_height: Cell::new(8),
            lines,
            row: 0,
            goal: 0,
            scroll: 0,
        }
    }

    pub fn text(&self) -> String {
        let v: Vec<&str> = self.lines.iter().map(LineEditor::text).collect();
        v.join("\n")
    }

    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(LineEditor::text)
    }

    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// (row, column) in chars.
    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.lines[self.row].cursor)
    }

    /// Replace the whole text (from $EDITOR or a template), keeping the cursor row where possible.
    pub fn set_text(&mut self, text: &str) {
        let (row, height) = (self.row, self.view_height.get());
        *self = TextArea::new(text);
        self.row = row.min(self.lines.len() - 1);
        self.view_height.set(height);
        self.scroll_to(height);
    }

    /// Keep the cursor row inside a window of `height` rows.
    pub fn scroll_to(&mut self, height: usize) {
        let h = height.max(1);
        if self.row < self.scroll {
            self.scroll = self.row;
        } else if self.row >= self.scroll + h {
            self.scroll = self.row + 1 - h;
        }
    }

    fn set_col(&mut self, col: usize) {
        let l = &mut self.lines[self.row];
        l.cursor = col.min(l.len());
    }

    fn move_row(&mut self, to: usize) {
        self.row = to;
        self.set_col(self.goal);
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let (row, col) = self.cursor();
        let edit = match key.code {
            KeyCode::Enter => {
                let line = &mut self.lines[row];
                let b = byte_at(&line.text, col);
                let rest = line.text.split_off(b);
                self.lines.insert(
                    row + 1,
                    LineEditor {
                        text: rest,
                        cursor: 0,
                    },
                );
                self.row += 1;
                Edit::Changed
            }
            KeyCode::Tab => {
                // Two spaces: tab itself moves between fields, and JSON/markdown indent with spaces.
                self.lines[row].insert(' ');
                self.lines[row].insert(' ');
                Edit::Changed
            }
            KeyCode::Up if row > 0 => {
                self.move_row(row - 1);
                self.scroll_to(self.view_height.get());
                return Edit::Moved;
            }
            KeyCode::Down if row + 1 < self.lines.len() => {
                self.move_row(row + 1);
                self.scroll_to(self.view_height.get());
                return Edit::Moved;
            }
            KeyCode::PageUp => {
                self.move_row(row.saturating_sub(10));
                self.scroll_to(self.view_height.get());
                return Edit::Moved;
            }
            KeyCode::PageDown => {
                self.move_row((row + 10).min(self.lines.len() - 1));
                self.scroll_to(self.view_height.get());
                return Edit::Moved;
            }
            KeyCode::Home if ctrl => {
                self.row = 0;
                self.set_col(0);
                Edit::Moved
            }
            KeyCode::End if ctrl => {
                self.row = self.lines.len() - 1;
                self.set_col(usize::MAX);
                Edit::Moved
            }
            KeyCode::Backspace if col == 0 && row > 0 => {
                let line = self.lines.remove(row);
                self.row -= 1;
                let prev = &mut self.lines[self.row];
                prev.cursor = prev.len();
                prev.text.push_str(&line.text);
                Edit::Changed
            }
            KeyCode::Delete if col == self.lines[row].len() && row + 1 < self.lines.len() => {
                let next = self.lines.remove(row + 1);
                self.lines[row].text.push_str(&next.text);
                Edit::Changed
            }
            KeyCode::Left if col == 0 && row > 0 && !ctrl => {
                self.row -= 1;
                self.set_col(usize::MAX);
                Edit::Moved
            }
            KeyCode::Right if col == self.lines[row].len() && row + 1 < self.lines.len() => {
                self.row += 1;
                self.set_col(0);
                Edit::Moved
            }
            _ => self.lines[row].handle_key(key),
        };
        self.goal = self.lines[self.row].cursor;
        self.scroll_to(self.view_height.get());
        edit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }
    fn type_str(e: &mut LineEditor, s: &str) {
        for c in s.chars() {
            e.handle_key(k(KeyCode::Char(c)));
        }
    }

    #[test]
    fn line_insert_delete_home_end() {
        let mut e = LineEditor::new("héllo");
        assert_eq!(e.cursor(), 5);
        e.handle_key(k(KeyCode::Home));
        type_str(&mut e, ">");
        assert_eq!(e.text(), ">héllo");
        e.handle_key(k(KeyCode::Right));
        e.handle_key(k(KeyCode::Right));
        assert_eq!(e.handle_key(k(KeyCode::Backspace)), Edit::Changed);
        assert_eq!(e.text(), ">hllo");
        e.handle_key(k(KeyCode::Delete));
        assert_eq!(e.text(), ">hlo");
        e.handle_key(k(KeyCode::End));
        assert_eq!(e.cursor(), 4);
        assert_eq!(e.handle_key(k(KeyCode::Right)), Edit::Ignored);
        assert_eq!(e.handle_key(k(KeyCode::Delete)), Edit::Ignored);
    }

    #[test]
    fn line_word_moves_and_deletes() {
        let mut e = LineEditor::new("acme/web frontend");
        e.handle_key(KeyEvent::new(KeyCode::Left, KeyModifiers::CONTROL));
        assert_eq!(e.cursor(), 9);
        e.handle_key(KeyEvent::new(KeyCode::Left, KeyModifiers::CONTROL));
        assert_eq!(e.cursor(), 5);
        e.handle_key(KeyEvent::new(KeyCode::Char('f'), KeyModifiers::ALT));
        assert_eq!(e.cursor(), 8);
        e.handle_key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(e.text(), "acme/ frontend");
        e.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(e.text(), " frontend");
        e.handle_key(KeyEvent::new(KeyCode::Char('e'), KeyModifiers::CONTROL));
        assert_eq!(e.cursor(), 9);
    }

    #[test]
    fn area_split_join_and_vertical_moves() {
        let mut t = TextArea::new("one\ntwo three");
        t.handle_key(k(KeyCode::End));
        t.handle_key(k(KeyCode::Enter));
        for c in "x".chars() {
            t.handle_key(k(KeyCode::Char(c)));
        }
        assert_eq!(t.text(), "one\nx\ntwo three");
        assert_eq!(t.cursor(), (1, 1));
        t.handle_key(k(KeyCode::Home));
        t.handle_key(k(KeyCode::Backspace));
        assert_eq!(t.text(), "onex\ntwo three");
        assert_eq!(t.cursor(), (0, 3));
        t.handle_key(k(KeyCode::Down));
        assert_eq!(t.cursor(), (1, 3));
        t.handle_key(k(KeyCode::End));
        t.handle_key(k(KeyCode::Up));
        assert_eq!(t.cursor(), (0, 4), "clamped to the shorter line");
        t.handle_key(k(KeyCode::Delete));
        assert_eq!(t.text(), "onextwo three");
        t.handle_key(k(KeyCode::Tab));
        assert_eq!(t.text(), "onex  two three");
    }

    #[test]
    fn area_scrolls_to_keep_the_cursor_visible() {
        let text: Vec<String> = (0..30).map(|i| i.to_string()).collect();
        let mut t = TextArea::new(&text.join("\n"));
        t.handle_key(k(KeyCode::PageDown));
        t.handle_key(k(KeyCode::PageDown));
        t.scroll_to(5);
        assert_eq!((t.cursor().0, t.scroll), (20, 16));
        t.handle_key(k(KeyCode::PageUp));
        t.scroll_to(5);
        assert_eq!(t.scroll, 10);
        t.set_text("a\nb");
        assert_eq!(t.cursor().0, 1);
    }

    #[test]
    fn moving_inside_the_window_does_not_scroll() {
        let text: Vec<String> = (0..30).map(|i| i.to_string()).collect();
        let mut t = TextArea::new(&text.join("\n"));
        t.view_height.set(5);
        for _ in 0..7 {
            t.handle_key(k(KeyCode::Down));
        }
        assert_eq!((t.cursor().0, t.scroll), (7, 3));
        t.handle_key(k(KeyCode::Up));
        t.handle_key(k(KeyCode::Up));
        assert_eq!((t.cursor().0, t.scroll), (5, 3), "still inside rows 3..8");
        for _ in 0..3 {
            t.handle_key(k(KeyCode::Up));
        }
        assert_eq!((t.cursor().0, t.scroll), (2, 2));
    }
}
