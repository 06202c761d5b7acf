//! The single-line editor, and what both editors share: the keys they read, how pasted text is
//! cleaned, and `Edit`. Cursors are char indices; motions and deletions step over whole grapheme
//! clusters (an accented letter, a flag, a family emoji joined by ZWJ) so the cursor never lands
//! inside one and its cell on screen is always the one a person expects.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_segmentation::UnicodeSegmentation;

pub use super::textarea::TextArea;

/// What an editor did with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Ignored,
    Moved,
    Changed,
}

/// The largest paste taken, in characters: more than twice the longest field the service accepts
/// (about/usage text, 25,600), so no real text is refused, while a mistaken paste of a log file
/// cannot make the editor hold (and re-wrap on every key) megabytes.
pub const MAX_PASTE_CHARS: usize = 64 * 1024;

/// Undo steps kept per editor; the oldest go first.
pub const MAX_UNDO: usize = 1000;

/// The editing keys both editors read, named once so the multi-line editor and the single-line
/// one agree (and help lists them). Undo and redo come through the keymap's `undo`/`redo` actions,
/// which the app maps onto ctrl-z / ctrl-y before a form sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKey {
    Undo,
    Redo,
    WordLeft,
    WordRight,
    LineStart,
    LineEnd,
    KillToEnd,
    KillToStart,
    DeleteWordBack,
    DeleteWordForward,
}

impl EditKey {
    pub fn of(key: &KeyEvent) -> Option<EditKey> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        Some(match key.code {
            KeyCode::Char('z') if ctrl => EditKey::Undo,
            // ctrl-shift-z arrives as 'Z' (with SHIFT) where the terminal can tell it apart.
            KeyCode::Char('y') | KeyCode::Char('Z') if ctrl => EditKey::Redo,
            KeyCode::Char('b') if alt => EditKey::WordLeft,
            KeyCode::Char('f') if alt => EditKey::WordRight,
            KeyCode::Left if ctrl || alt => EditKey::WordLeft,
            KeyCode::Right if ctrl || alt => EditKey::WordRight,
            KeyCode::Char('a') if ctrl => EditKey::LineStart,
            KeyCode::Char('e') if ctrl => EditKey::LineEnd,
            KeyCode::Char('k') if ctrl => EditKey::KillToEnd,
            KeyCode::Char('u') if ctrl => EditKey::KillToStart,
            KeyCode::Char('w') if ctrl => EditKey::DeleteWordBack,
            KeyCode::Backspace if alt || ctrl => EditKey::DeleteWordBack,
            KeyCode::Char('d') if alt => EditKey::DeleteWordForward,
            KeyCode::Delete if alt || ctrl => EditKey::DeleteWordForward,
            _ => return None,
        })
    }
}

/// The editing keys for help, as (keys, what they do); undo and redo are listed from the keymap.
pub const HELP: &[(&str, &str)] = &[
    (
        "alt-b alt-f ctrl-← ctrl-→",
        "forms: move a word left / right",
    ),
    (
        "ctrl-a home · ctrl-e end",
        "forms: start / end of the line (ctrl-e in a long text: $EDITOR)",
    ),
    (
        "ctrl-w alt-d",
        "forms: delete the word before / after the cursor",
    ),
    (
        "ctrl-u ctrl-k",
        "forms: delete to the start / end of the line",
    ),
    (
        "paste",
        "forms: a pasted block goes in as text, one change for undo",
    ),
];

/// Pasted text as it may enter an editor: line ends normalised to `\n`, and every other control
/// character (ESC and so every escape sequence's introducer, BEL, C1 controls, ...) dropped, so a
/// pasted sequence arrives as the harmless text around it and can never act as a key or reach the
/// terminal. Tabs are kept for the multi-line editor, which draws them as spaces.
pub fn clean_paste(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| if c == '\r' { '\n' } else { c })
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// Why a paste was refused, for the field's error line.
pub fn paste_too_large(chars: usize) -> String {
    format!(
        "paste of {} characters refused: an editor takes at most {} at once",
        crate::fmt::thousands(chars),
        crate::fmt::thousands(MAX_PASTE_CHARS)
    )
}

fn byte_at(s: &str, ch: usize) -> usize {
    s.char_indices().nth(ch).map_or(s.len(), |(i, _)| i)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Char index of every grapheme boundary of `s`, from 0 to its length.
fn boundaries(s: &str) -> Vec<usize> {
    let mut out = vec![0];
    let mut n = 0;
    for g in s.graphemes(true) {
        n += g.chars().count();
        out.push(n);
    }
    out
}

/// One line of text with a cursor, and its own undo history.
#[derive(Debug, Clone, Default)]
pub struct LineEditor {
    text: String,
    cursor: usize,
    /// (text, cursor) before each change, newest last.
    undo: Vec<(String, usize)>,
    redo: Vec<(String, usize)>,
    /// The last change was typing a word character: the next one joins its undo step, so undo
    /// takes back a word, not a letter.
    typing: bool,
}

/// Two editors are equal when they hold the same text with the cursor in the same place; their
/// histories are how they got there.
impl PartialEq for LineEditor {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.cursor == other.cursor
    }
}
impl Eq for LineEditor {}

impl LineEditor {
    pub fn new(text: &str) -> Self {
        let text: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
        let cursor = text.chars().count();
        LineEditor {
            text,
            cursor,
            ..Default::default()
        }
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

    /// Record the state before a change (a typed run of word characters is one step).
    fn checkpoint(&mut self, typing: bool) {
        if !(typing && self.typing) {
            self.undo.push((self.text.clone(), self.cursor));
            if self.undo.len() > MAX_UNDO {
                self.undo.remove(0);
            }
        }
        self.typing = typing;
        self.redo.clear();
    }

    pub fn insert(&mut self, c: char) {
        self.checkpoint(is_word(c));
        let b = byte_at(&self.text, self.cursor);
        self.text.insert(b, c);
        self.cursor += 1;
    }

    /// Insert a pasted block as one change (one undo step). Line breaks and tabs become spaces,
    /// since this editor holds one line; other control characters are dropped.
    pub fn paste(&mut self, text: &str) -> Edit {
        let clean: String = clean_paste(text)
            .chars()
            .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
            .collect();
        if clean.is_empty() {
            return Edit::Ignored;
        }
        self.checkpoint(false);
        let b = byte_at(&self.text, self.cursor);
        self.text.insert_str(b, &clean);
        self.cursor += clean.chars().count();
        Edit::Changed
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn undo(&mut self) -> Edit {
        self.step(true)
    }

    pub fn redo(&mut self) -> Edit {
        self.step(false)
    }

    fn step(&mut self, back: bool) -> Edit {
        let (from, to) = if back {
            (&mut self.undo, &mut self.redo)
        } else {
            (&mut self.redo, &mut self.undo)
        };
        let Some((text, cursor)) = from.pop() else {
            return Edit::Ignored;
        };
        to.push((std::mem::replace(&mut self.text, text), self.cursor));
        self.cursor = cursor;
        self.typing = false;
        Edit::Changed
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

    /// The grapheme boundary before / after the cursor.
    fn grapheme_left(&self) -> usize {
        let b = boundaries(&self.text);
        b.iter()
            .rev()
            .copied()
            .find(|&i| i < self.cursor)
            .unwrap_or(0)
    }

    fn grapheme_right(&self) -> usize {
        let b = boundaries(&self.text);
        b.iter()
            .copied()
            .find(|&i| i > self.cursor)
            .unwrap_or(self.len())
    }

    /// `i` moved to a grapheme boundary (a word ends before a combining mark otherwise).
    fn snap(&self, i: usize, up: bool) -> usize {
        let b = boundaries(&self.text);
        if up {
            b.iter().copied().find(|&x| x >= i).unwrap_or(i)
        } else {
            b.iter().rev().copied().find(|&x| x <= i).unwrap_or(0)
        }
    }

    /// Delete chars `from..to` as one change; `Ignored` when the range is empty.
    fn remove_range(&mut self, from: usize, to: usize) -> Edit {
        if from >= to {
            return Edit::Ignored;
        }
        self.checkpoint(false);
        let (a, b) = (byte_at(&self.text, from), byte_at(&self.text, to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
        Edit::Changed
    }

    fn edit_key(&mut self, k: EditKey) -> Edit {
        let before = self.cursor;
        match k {
            EditKey::Undo => return self.undo(),
            EditKey::Redo => return self.redo(),
            EditKey::WordLeft => self.cursor = self.snap(self.word_left(), false),
            EditKey::WordRight => self.cursor = self.snap(self.word_right(), true),
            EditKey::LineStart => self.cursor = 0,
            EditKey::LineEnd => self.cursor = self.len(),
            EditKey::KillToEnd => return self.remove_range(self.cursor, self.len()),
            EditKey::KillToStart => return self.remove_range(0, self.cursor),
            EditKey::DeleteWordBack => {
                return self.remove_range(self.snap(self.word_left(), false), self.cursor);
            }
            EditKey::DeleteWordForward => {
                return self.remove_range(self.cursor, self.snap(self.word_right(), true));
            }
        }
        if self.cursor == before {
            Edit::Ignored
        } else {
            self.typing = false;
            Edit::Moved
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Edit {
        if let Some(k) = EditKey::of(&key) {
            return self.edit_key(k);
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let before = self.cursor;
        match key.code {
            KeyCode::Char(c) if !ctrl && !alt && !c.is_control() => {
                self.insert(c);
                return Edit::Changed;
            }
            KeyCode::Left => self.cursor = self.grapheme_left(),
            KeyCode::Right => self.cursor = self.grapheme_right(),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            KeyCode::Backspace => return self.remove_range(self.grapheme_left(), self.cursor),
            KeyCode::Delete => return self.remove_range(self.cursor, self.grapheme_right()),
            _ => return Edit::Ignored,
        }
        if self.cursor == before {
            Edit::Ignored
        } else {
            self.typing = false;
            Edit::Moved
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }
    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }
    fn alt(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)
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
        e.handle_key(alt('f'));
        assert_eq!(e.cursor(), 8);
        e.handle_key(ctrl('w'));
        assert_eq!(e.text(), "acme/ frontend");
        e.handle_key(ctrl('u'));
        assert_eq!(e.text(), " frontend");
        e.handle_key(ctrl('e'));
        assert_eq!(e.cursor(), 9);
        e.handle_key(alt('b'));
        assert_eq!(e.cursor(), 1);
        e.handle_key(alt('d'));
        assert_eq!(e.text(), " ");
        e.handle_key(ctrl('a'));
        e.handle_key(ctrl('k'));
        assert_eq!(e.text(), "");
    }

    #[test]
    fn motions_and_deletions_step_over_whole_graphemes() {
        // e + combining acute, a ZWJ family, a flag: 2 + 5 + 2 chars, three graphemes.
        let mut e = LineEditor::new("e\u{301}👨\u{200d}👩\u{200d}👧🇯🇵");
        assert_eq!(e.cursor(), 9);
        e.handle_key(k(KeyCode::Left));
        assert_eq!(e.cursor(), 7, "before the flag");
        e.handle_key(k(KeyCode::Left));
        assert_eq!(e.cursor(), 2, "before the family");
        e.handle_key(k(KeyCode::Delete));
        assert_eq!(e.text(), "e\u{301}🇯🇵");
        e.handle_key(k(KeyCode::Backspace));
        assert_eq!((e.text(), e.cursor()), ("🇯🇵", 0));
        e.handle_key(k(KeyCode::Right));
        assert_eq!(e.cursor(), 2);
        let mut e = LineEditor::at("cafe\u{301} bar", 0);
        e.handle_key(alt('f'));
        assert_eq!(
            e.cursor(),
            5,
            "after the accent, not between it and its letter"
        );
    }

    #[test]
    fn undo_takes_back_a_word_then_redo_puts_it_back() {
        let mut e = LineEditor::new("");
        type_str(&mut e, "hello world");
        assert_eq!(e.handle_key(ctrl('z')), Edit::Changed);
        assert_eq!(e.text(), "hello ");
        e.handle_key(ctrl('z'));
        assert_eq!(e.text(), "hello");
        e.handle_key(ctrl('z'));
        assert_eq!(e.text(), "");
        assert_eq!(
            e.handle_key(ctrl('z')),
            Edit::Ignored,
            "nothing left to undo"
        );
        e.handle_key(ctrl('y'));
        assert_eq!(e.text(), "hello");
        e.handle_key(KeyEvent::new(
            KeyCode::Char('Z'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        ));
        assert_eq!((e.text(), e.cursor()), ("hello ", 6));
        // A new change forgets what could be redone.
        type_str(&mut e, "!");
        assert_eq!(e.handle_key(ctrl('y')), Edit::Ignored);
    }

    #[test]
    fn a_paste_is_one_undo_step_and_its_controls_are_dropped() {
        let mut e = LineEditor::new("a");
        assert_eq!(e.paste("b\u{1b}[2J\tc\r\nd\u{7}"), Edit::Changed);
        assert_eq!(e.text(), "ab[2J c d");
        assert_eq!(e.cursor(), 9);
        e.undo();
        assert_eq!((e.text(), e.cursor()), ("a", 1));
        assert_eq!(e.paste("\u{1b}\u{7}"), Edit::Ignored, "nothing printable");
        assert!(!e.can_undo());
    }

    #[test]
    fn control_characters_typed_as_keys_are_not_inserted() {
        let mut e = LineEditor::new("");
        assert_eq!(e.handle_key(k(KeyCode::Char('\u{1b}'))), Edit::Ignored);
        assert_eq!(e.text(), "");
    }
}
