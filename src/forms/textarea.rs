//! The multi-line editor (about, usage, policy, resource tags): ratatui-textarea's editor with the
//! form's keys mapped onto it.
//!
//! Why that widget rather than our own: it wraps lines by display width (CJK and emoji take two
//! cells, combining marks and ZWJ sequences join their base), places the cursor on the cell of
//! the grapheme it stands before, scrolls to keep it in view, and keeps an undo history in which a
//! pasted block is one step. Our hand-written editor cut lines by character count, so a line of
//! CJK text put the cursor outside the editor. Its own default keys clash with the form's (ctrl-u
//! is undo there, ctrl-e end of line, ctrl-y yank), so keys are mapped here onto its methods and
//! the rest of the form (validation, drafts, ctrl-e to $EDITOR, remapped keys) is unchanged.

use std::cell::RefCell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Widget;
use ratatui_textarea::{CursorMove, WrapMode};

use super::text::{Edit, EditKey, MAX_PASTE_CHARS, MAX_UNDO, clean_paste};

type Inner = ratatui_textarea::TextArea<'static>;

const CURSOR: Style = Style::new().add_modifier(Modifier::REVERSED);

/// Multi-line text with a cursor (row, column in chars), wrapped at the editor's width.
#[derive(Debug, Clone)]
pub struct TextArea {
    /// In a `RefCell` only so drawing can say whether the cursor shows (the field's focus is known
    /// when the form is drawn); the widget keeps its scroll position the same way.
    /// Boxed: the widget's state is large beside the other editors in `field::Editor`.
    inner: Box<RefCell<Inner>>,
    /// Widget history entries per user-level change, newest last: typing a run of word characters
    /// is one change, so undo takes back a word, not a letter (as in the single-line editor).
    undo_groups: Vec<usize>,
    redo_groups: Vec<usize>,
    /// The last change was typing a word character.
    typing: bool,
}

impl Default for TextArea {
    fn default() -> Self {
        Self::new("")
    }
}

/// Equal when the text and the cursor are: the history is how they got there.
impl PartialEq for TextArea {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text() && self.cursor() == other.cursor()
    }
}
impl Eq for TextArea {}

fn inner(text: &str) -> Inner {
    let mut t = Inner::new(text.split('\n').map(str::to_string).collect());
    t.set_wrap_mode(WrapMode::WordOrGlyph);
    // Typed characters are one entry each; undo takes them back a word at a time (`undo_groups`).
    t.set_max_histories(MAX_UNDO * 10);
    t.set_tab_length(4);
    t.set_cursor_line_style(Style::new());
    t.set_cursor_style(CURSOR);
    t
}

impl TextArea {
    pub fn new(text: &str) -> Self {
        TextArea {
            inner: Box::new(RefCell::new(inner(text))),
            undo_groups: Vec::new(),
            redo_groups: Vec::new(),
            typing: false,
        }
    }

    pub fn text(&self) -> String {
        self.inner.borrow().lines().join("\n")
    }

    pub fn line_count(&self) -> usize {
        self.inner.borrow().lines().len()
    }

    /// (row, column) in chars.
    pub fn cursor(&self) -> (usize, usize) {
        let c = self.inner.borrow().cursor();
        (c.0, c.1)
    }

    /// Replace the whole text (from $EDITOR or a draft), keeping the cursor row where possible.
    pub fn set_text(&mut self, text: &str) {
        let row = self.cursor().0;
        let mut t = inner(text);
        t.move_cursor(CursorMove::Jump(clamp16(row), 0));
        *self = TextArea {
            inner: Box::new(RefCell::new(t)),
            ..TextArea::default()
        };
    }

    /// Insert a pasted block at the cursor as one change (one undo step). Its control characters
    /// other than newline and tab are dropped; `Err` when it is too large to take.
    pub fn paste(&mut self, text: &str) -> Result<Edit, String> {
        let clean = clean_paste(text);
        let n = clean.chars().count();
        if n > MAX_PASTE_CHARS {
            return Err(super::text::paste_too_large(n));
        }
        let edit = changed(self.inner.get_mut().insert_str(&clean));
        self.record(edit, false);
        Ok(edit)
    }

    /// Count a change made through the widget into the undo groups.
    fn record(&mut self, edit: Edit, typing: bool) {
        if edit != Edit::Changed {
            self.typing &= edit == Edit::Ignored;
            return;
        }
        match self.undo_groups.last_mut() {
            Some(n) if typing && self.typing => *n += 1,
            _ => {
                self.undo_groups.push(1);
                if self.undo_groups.len() > MAX_UNDO {
                    self.undo_groups.remove(0);
                }
            }
        }
        self.typing = typing;
        self.redo_groups.clear();
    }

    pub fn undo(&mut self) -> Edit {
        self.step(true)
    }

    pub fn redo(&mut self) -> Edit {
        self.step(false)
    }

    fn step(&mut self, back: bool) -> Edit {
        self.typing = false;
        let (from, to) = if back {
            (&mut self.undo_groups, &mut self.redo_groups)
        } else {
            (&mut self.redo_groups, &mut self.undo_groups)
        };
        let Some(n) = from.pop() else {
            return Edit::Ignored;
        };
        to.push(n);
        let t = self.inner.get_mut();
        let mut any = false;
        for _ in 0..n {
            any |= if back { t.undo() } else { t.redo() };
        }
        changed(any)
    }

    fn edit_key(&mut self, k: EditKey) -> Edit {
        if k == EditKey::Undo {
            return self.undo();
        }
        if k == EditKey::Redo {
            return self.redo();
        }
        let t = self.inner.get_mut();
        match k {
            EditKey::Undo | EditKey::Redo => Edit::Ignored,
            EditKey::WordLeft => moved(t, CursorMove::WordBack),
            EditKey::WordRight => moved(t, CursorMove::WordForward),
            EditKey::LineStart => moved(t, CursorMove::Head),
            EditKey::LineEnd => moved(t, CursorMove::End),
            EditKey::KillToEnd => changed(t.delete_line_by_end()),
            EditKey::KillToStart => changed(t.delete_line_by_head()),
            EditKey::DeleteWordBack => changed(t.delete_word()),
            EditKey::DeleteWordForward => changed(t.delete_next_word()),
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Edit {
        if let Some(k) = EditKey::of(&key) {
            let edit = self.edit_key(k);
            if !matches!(k, EditKey::Undo | EditKey::Redo) {
                self.record(edit, false);
            }
            return edit;
        }
        let typing = matches!(key.code, KeyCode::Char(c) if c.is_alphanumeric() || c == '_')
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let edit = self.key_edit(key);
        self.record(edit, typing);
        edit
    }

    fn key_edit(&mut self, key: KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let t = self.inner.get_mut();
        match key.code {
            KeyCode::Char(c) if !ctrl && !alt && !c.is_control() => {
                t.insert_char(c);
                Edit::Changed
            }
            KeyCode::Enter => {
                t.insert_newline();
                Edit::Changed
            }
            // Two spaces: tab itself moves between fields, and JSON/markdown indent with spaces.
            KeyCode::Tab => changed(t.insert_str("  ")),
            KeyCode::Backspace => match grapheme_step(t, false) {
                // Over a whole grapheme: the widget's own step is one char, which would leave
                // a combining mark or half a ZWJ sequence behind.
                Some(col) => {
                    let (row, at) = (t.cursor().0, t.cursor().1);
                    t.move_cursor(CursorMove::Jump(clamp16(row), clamp16(col)));
                    changed(t.delete_str(at - col))
                }
                None => changed(t.delete_char()),
            },
            KeyCode::Delete => match grapheme_step(t, true) {
                Some(col) => changed(t.delete_str(col - t.cursor().1)),
                None => changed(t.delete_next_char()),
            },
            KeyCode::Home if ctrl => moved_all(t, &[CursorMove::Top, CursorMove::Head]),
            KeyCode::End if ctrl => moved_all(t, &[CursorMove::Bottom, CursorMove::End]),
            KeyCode::Home => moved(t, CursorMove::Head),
            KeyCode::End => moved(t, CursorMove::End),
            KeyCode::Left => match grapheme_step(t, false) {
                Some(col) => moved(t, CursorMove::Jump(clamp16(t.cursor().0), clamp16(col))),
                None => moved(t, CursorMove::Back),
            },
            KeyCode::Right => match grapheme_step(t, true) {
                Some(col) => moved(t, CursorMove::Jump(clamp16(t.cursor().0), clamp16(col))),
                None => moved(t, CursorMove::Forward),
            },
            KeyCode::Up => moved(t, CursorMove::Up),
            KeyCode::Down => moved(t, CursorMove::Down),
            KeyCode::PageUp => moved_all(t, &[CursorMove::Up; 10]),
            KeyCode::PageDown => moved_all(t, &[CursorMove::Down; 10]),
            _ => Edit::Ignored,
        }
    }

    /// Draw the text wrapped into `area`, scrolled to the cursor; the cursor cell is shown reversed
    /// when `focused`.
    pub fn render(&self, area: Rect, buf: &mut Buffer, focused: bool) {
        let mut t = self.inner.borrow_mut();
        t.set_cursor_style(if focused { CURSOR } else { Style::new() });
        (&*t).render(area, buf);
        if focused {
            redraw_cursor_row(&t, area, buf);
        }
    }
}

/// The widget draws the cursor over one char, so a grapheme of several (an accent on its letter,
/// a flag, a ZWJ emoji) is split where the cursor stands: drawn wrong, and a split ZWJ sequence
/// shifts the rest of the row. Only then, that screen row is drawn again whole, by grapheme, with
/// the cursor over the whole grapheme. (Rows with a tab are left as drawn: the widget expands
/// tabs by its own stops.)
fn redraw_cursor_row(t: &Inner, area: Rect, buf: &mut Buffer) {
    use unicode_segmentation::UnicodeSegmentation;
    let (row, col) = (t.cursor().0, t.cursor().1);
    let line = &t.lines()[row];
    let mut at = 0;
    let split = line.graphemes(true).any(|g| {
        let n = g.chars().count();
        at += n;
        at - n == col && n > 1
    });
    if !split || line.contains('\t') {
        return;
    }
    let sc = t.screen_cursor();
    let top = usize::from(t.scroll_offset().0);
    let Some(dy) = sc
        .row
        .checked_sub(top)
        .filter(|dy| *dy < usize::from(area.height))
    else {
        return;
    };
    let y = area.y + clamp16(dy);
    let (start, end) = (
        t.screen_to_data(sc.row, 0).1,
        t.screen_to_data(sc.row, usize::MAX).1,
    );
    for x in area.left()..area.right() {
        buf[(x, y)].reset();
    }
    let (mut x, mut c) = (area.x, 0);
    for g in line.graphemes(true) {
        if (start..end).contains(&c) {
            let w = clamp16(crate::sanitize::grapheme_width(g));
            if x + w > area.right() {
                break;
            }
            let style = if c == col { CURSOR } else { t.style() };
            buf.set_stringn(x, y, g, usize::from(w), style);
            x += w;
        }
        c += g.chars().count();
    }
}

/// The column (in chars) of the grapheme boundary before (`forward == false`) or after the
/// cursor on its line; `None` at the start / end of the line, where a step crosses lines.
fn grapheme_step(t: &Inner, forward: bool) -> Option<usize> {
    use unicode_segmentation::UnicodeSegmentation;
    let (row, col) = (t.cursor().0, t.cursor().1);
    let mut bounds = vec![0];
    for g in t.lines()[row].graphemes(true) {
        bounds.push(bounds[bounds.len() - 1] + g.chars().count());
    }
    if forward {
        bounds.into_iter().find(|&b| b > col)
    } else {
        bounds.into_iter().rev().find(|&b| b < col)
    }
}

fn clamp16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn changed(modified: bool) -> Edit {
    if modified {
        Edit::Changed
    } else {
        Edit::Ignored
    }
}

fn moved(t: &mut Inner, m: CursorMove) -> Edit {
    moved_all(t, &[m])
}

fn moved_all(t: &mut Inner, moves: &[CursorMove]) -> Edit {
    let before = t.cursor();
    for m in moves {
        t.move_cursor(*m);
    }
    if t.cursor() == before {
        Edit::Ignored
    } else {
        Edit::Moved
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
    fn type_str(t: &mut TextArea, s: &str) {
        for c in s.chars() {
            t.handle_key(k(KeyCode::Char(c)));
        }
    }

    #[test]
    fn area_split_join_and_vertical_moves() {
        let mut t = TextArea::new("one\ntwo three");
        t.handle_key(k(KeyCode::End));
        t.handle_key(k(KeyCode::Enter));
        type_str(&mut t, "x");
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
        assert_eq!(t.line_count(), 1);
    }

    #[test]
    fn set_text_keeps_the_cursor_row() {
        let text: Vec<String> = (0..30).map(|i| i.to_string()).collect();
        let mut t = TextArea::new(&text.join("\n"));
        t.handle_key(k(KeyCode::PageDown));
        t.handle_key(k(KeyCode::PageDown));
        assert_eq!(t.cursor().0, 20);
        t.handle_key(k(KeyCode::PageUp));
        assert_eq!(t.cursor().0, 10);
        t.set_text("a\nb");
        assert_eq!(t.cursor().0, 1);
    }

    #[test]
    fn undo_and_redo_sequences() {
        let mut t = TextArea::new("");
        type_str(&mut t, "ab cd");
        t.handle_key(k(KeyCode::Enter));
        type_str(&mut t, "ef");
        assert_eq!(t.text(), "ab cd\nef");
        t.handle_key(ctrl('z'));
        assert_eq!(t.text(), "ab cd\n", "a typed word is one step");
        t.handle_key(ctrl('z'));
        assert_eq!(t.text(), "ab cd");
        t.handle_key(ctrl('y'));
        t.handle_key(ctrl('y'));
        assert_eq!(t.text(), "ab cd\nef");
        let nothing = t.handle_key(ctrl('y'));
        assert_eq!(nothing, Edit::Ignored, "nothing left to redo");
        for _ in 0..4 {
            t.handle_key(ctrl('z'));
        }
        assert_eq!(t.text(), "ab", "word, enter, word, space");
        t.handle_key(ctrl('z'));
        assert_eq!(t.text(), "");
        assert_eq!(t.handle_key(ctrl('z')), Edit::Ignored);
        // A move ends the run: what is typed after it is its own step.
        type_str(&mut t, "xy");
        t.handle_key(k(KeyCode::Left));
        type_str(&mut t, "z");
        t.handle_key(ctrl('z'));
        assert_eq!(t.text(), "xy");
    }

    #[test]
    fn a_pasted_block_is_one_undo_step_and_its_escapes_are_text() {
        let mut t = TextArea::new("start ");
        t.handle_key(k(KeyCode::End));
        assert_eq!(
            t.paste("line one\r\n\u{1b}[31mred\u{1b}[0m\n\tend\u{7}"),
            Ok(Edit::Changed)
        );
        assert_eq!(t.text(), "start line one\n[31mred[0m\n\tend");
        assert_eq!(t.cursor(), (2, 4));
        t.undo();
        assert_eq!(t.text(), "start ");
        t.redo();
        assert_eq!(t.line_count(), 3);
        let huge = "x".repeat(MAX_PASTE_CHARS + 1);
        let err = t.paste(&huge).unwrap_err();
        assert!(err.contains("65,537 characters"), "{err}");
        assert_eq!(t.line_count(), 3, "a refused paste changes nothing");
    }

    #[test]
    fn steps_and_deletions_take_whole_graphemes() {
        // e + combining acute (2 chars), a ZWJ emoji (3 chars), a flag (2 chars).
        let mut t = TextArea::new("e\u{301}👩\u{200d}💻🇯🇵\nx");
        t.handle_key(k(KeyCode::End));
        assert_eq!(t.cursor(), (0, 7));
        t.handle_key(k(KeyCode::Left));
        assert_eq!(t.cursor(), (0, 5));
        t.handle_key(k(KeyCode::Left));
        assert_eq!(t.cursor(), (0, 2));
        t.handle_key(k(KeyCode::Backspace));
        assert_eq!(
            (t.text().as_str(), t.cursor()),
            ("👩\u{200d}💻🇯🇵\nx", (0, 0))
        );
        t.handle_key(k(KeyCode::Delete));
        assert_eq!(t.text(), "🇯🇵\nx");
        t.undo();
        assert_eq!(
            t.text(),
            "👩\u{200d}💻🇯🇵\nx",
            "one undo step per grapheme deleted"
        );
        t.handle_key(k(KeyCode::Home));
        t.handle_key(k(KeyCode::Right));
        assert_eq!(t.cursor(), (0, 3), "over the whole ZWJ sequence");
        t.handle_key(k(KeyCode::Right));
        t.handle_key(k(KeyCode::Right));
        assert_eq!(t.cursor(), (1, 0), "past the end of a line onto the next");
        t.handle_key(k(KeyCode::Backspace));
        assert_eq!(t.text(), "👩\u{200d}💻🇯🇵x");
    }

    #[test]
    fn readline_keys_and_word_motions() {
        let mut t = TextArea::new("alpha beta gamma\nnext");
        t.handle_key(k(KeyCode::End));
        t.handle_key(KeyEvent::new(KeyCode::Char('b'), KeyModifiers::ALT));
        assert_eq!(t.cursor(), (0, 11));
        t.handle_key(KeyEvent::new(KeyCode::Left, KeyModifiers::CONTROL));
        assert_eq!(t.cursor(), (0, 6));
        t.handle_key(KeyEvent::new(KeyCode::Right, KeyModifiers::CONTROL));
        assert_eq!(t.cursor(), (0, 11));
        t.handle_key(ctrl('w'));
        assert_eq!(t.text(), "alpha gamma\nnext");
        t.handle_key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::ALT));
        assert_eq!(t.text(), "alpha \nnext");
        t.handle_key(ctrl('u'));
        assert_eq!(t.text(), "\nnext");
        t.handle_key(ctrl('k'));
        assert_eq!(
            t.text(),
            "next",
            "at the end of a line, kill joins the next"
        );
        t.handle_key(KeyEvent::new(KeyCode::Char('f'), KeyModifiers::ALT));
        assert_eq!(t.cursor(), (0, 4));
        t.handle_key(ctrl('a'));
        assert_eq!(t.cursor(), (0, 0));
    }
}
