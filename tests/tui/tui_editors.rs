//! The form editors as a writer uses them, through `update` and the real view against the
//! in-process emulator: wide text (CJK, emoji, combining marks) with the cursor on the right cell
//! and inside the editor, undo and redo, a bracketed paste as one edit whose escape sequences are
//! text, and the word and readline keys. The cursor is the reversed cell of the rendered buffer.

use crate::support::mutate::*;
use crate::support::tui::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ecrp::app::{self, Msg};
use ratatui::buffer::{Buffer, CellWidth};
use ratatui::style::Modifier;

const W: u16 = 160;
const H: u16 = 45;

fn alt(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

fn paste(text: &str) -> Msg {
    Msg::Paste(text.to_string())
}

/// The catalog form of `worker`, with the field `key` focused.
async fn catalog_form_at(h: &mut Harness, key: &str) {
    select_repo(h, "worker").await;
    h.keys("e").await;
    let at = form(&h.app)
        .form
        .fields
        .iter()
        .position(|f| f.key == key)
        .unwrap_or_else(|| panic!("no field {key}"));
    while form(&h.app).form.focus != at {
        h.send(code(KeyCode::Tab)).await;
    }
}

/// The one reversed cell run on screen (the cursor): its (x, y) and width in cells.
fn cursor_cell(buf: &Buffer) -> (u16, u16, u16) {
    let mut found = Vec::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            if buf[(x, y)].modifier.contains(Modifier::REVERSED) {
                found.push((x, y));
            }
        }
    }
    let &(x, y) = found
        .first()
        .unwrap_or_else(|| panic!("no cursor on screen:\n{}", display(buf)));
    let w = buf[(x, y)].symbol().cell_width().max(1);
    assert!(
        found.iter().all(|&(fx, fy)| fy == y && fx < x + w),
        "one cursor cell, found {found:?}:\n{}",
        display(buf)
    );
    (x, y, w)
}

/// Where `needle` starts on screen, in cells: (x, y).
fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    let first = needle.chars().next().unwrap().to_string();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            if buf[(x, y)].symbol() != first {
                continue;
            }
            let mut s = String::new();
            let mut col = x;
            while col < buf.area.width && s.chars().count() < needle.chars().count() {
                s.push_str(buf[(col, y)].symbol());
                col += buf[(col, y)].symbol().cell_width().max(1);
            }
            if s == needle {
                return (x, y);
            }
        }
    }
    panic!("{needle:?} not on screen:\n{}", display(buf));
}

/// Row `y` as a terminal shows it: the cell a wide grapheme covers skipped; with the column
/// where each grapheme starts.
fn row_cells(buf: &Buffer, y: u16) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    let mut x = 0;
    while x < buf.area.width {
        let sym = buf[(x, y)].symbol();
        out.push((x, sym.to_string()));
        x += sym.cell_width().max(1);
    }
    out
}

/// The buffer as a terminal shows it, one line per row.
fn display(buf: &Buffer) -> String {
    (0..buf.area.height)
        .map(|y| {
            let row: String = row_cells(buf, y).into_iter().map(|(_, s)| s).collect();
            row.trim_end().to_string() + "\n"
        })
        .collect()
}

/// The grapheme drawn just left of column `x` on row `y`.
fn glyph_before(buf: &Buffer, x: u16, y: u16) -> String {
    row_cells(buf, y)
        .into_iter()
        .rfind(|(gx, g)| gx + g.cell_width().max(1) == x)
        .map(|(_, g)| g)
        .unwrap_or_else(|| panic!("no grapheme ends at ({x}, {y}):\n{}", display(buf)))
}

#[tokio::test]
async fn wide_text_in_the_about_editor_wraps_and_the_cursor_follows_the_last_glyph() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    catalog_form_at(&mut h, "aboutText").await;
    h.send(ctrl_code(KeyCode::End)).await;
    h.send(code(KeyCode::Enter)).await;
    // 120 cells of CJK on one line (the editor is about 50 wide), then emoji and an accent.
    let line = format!("{}👩🏽‍💻🇯🇵e\u{301}", "漢字かな".repeat(15));
    h.send(paste(&line)).await;
    assert!(field(&h.app, "aboutText").ends_with(&line));

    let buf = render(&h.app);
    let (cx, cy, cw) = cursor_cell(&buf);
    let (label_x, label_y) = find(&buf, "About (markdown)");
    let (preview_x, _) = find(&buf, "preview");
    let (_, count_y) = find(&buf, "about: ");
    // The editor's left border is under the label; the preview's border is left of its title,
    // one column of spacing further left is the editor's last cell.
    assert_eq!(buf[(label_x, cy)].symbol(), "│", "{}", display(&buf));
    assert!(
        cx > label_x && cx + cw <= preview_x - 2,
        "cursor at column {cx} is outside the editor ({label_x}..{}):\n{}",
        preview_x - 2,
        display(&buf)
    );
    assert!(
        cy > label_y && cy < count_y,
        "cursor row {cy} is outside the editor:\n{}",
        display(&buf)
    );
    assert_eq!(cw, 1, "at the end of the text the cursor is a blank cell");
    assert_eq!(glyph_before(&buf, cx, cy), "e\u{301}", "{}", display(&buf));
    // Wrapped by width: the line's start is on an earlier row, nothing is cut at the border.
    let s = display(&buf);
    assert!(s.contains("│漢字かな漢字かな"), "{s}");

    // Left steps over whole graphemes: the accent, the flag, then the ZWJ emoji.
    h.send(code(KeyCode::Left)).await;
    let buf = render(&h.app);
    let (x, y, w) = cursor_cell(&buf);
    assert_eq!((buf[(x, y)].symbol(), w), ("e\u{301}", 1));
    h.send(code(KeyCode::Left)).await;
    let buf = render(&h.app);
    let (x, y, w) = cursor_cell(&buf);
    assert_eq!((buf[(x, y)].symbol(), w), ("🇯🇵", 2), "{}", display(&buf));
    h.send(code(KeyCode::Left)).await;
    let buf = render(&h.app);
    let (x, y, _) = cursor_cell(&buf);
    // A ZWJ never reaches the terminal (terminals disagree on how wide a joined emoji is): the
    // frame's safety net shows U+FFFD in its place, in the two cells it was laid out in, so the
    // flag after it is where the layout put it.
    assert_eq!(buf[(x, y)].symbol(), "\u{fffd}", "{}", display(&buf));
    assert_eq!(buf[(x + 2, y)].symbol(), "🇯🇵", "{}", display(&buf));
    emu.shutdown().await;
}

#[tokio::test]
async fn wide_text_in_a_single_line_field_scrolls_by_width_with_the_cursor_inside() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    catalog_form_at(&mut h, "description").await;
    h.send(ctrl('u')).await;
    // 140 cells: more than the field's width, typed key by key.
    type_text(&mut h, &"中文描述".repeat(17)).await;
    type_text(&mut h, "🚀").await;
    let buf = render(&h.app);
    let (cx, cy, cw) = cursor_cell(&buf);
    let (_, label_y) = find(&buf, "▸ Description");
    assert_eq!(cy, label_y + 1, "{}", display(&buf));
    // The popup's right border is on the cursor row, right of the cursor.
    let border = (cx + cw..W)
        .find(|&x| buf[(x, cy)].symbol() == "│")
        .unwrap_or_else(|| panic!("the cursor is past the form's border:\n{}", display(&buf)));
    assert!(border > cx, "{}", display(&buf));
    assert_eq!(glyph_before(&buf, cx, cy), "🚀");
    // Home shows the text from its start, the cursor on the first glyph.
    h.send(code(KeyCode::Home)).await;
    let buf = render(&h.app);
    let (x, y, w) = cursor_cell(&buf);
    assert_eq!((buf[(x, y)].symbol(), w), ("中", 2));
    emu.shutdown().await;
}

#[tokio::test]
async fn undo_and_redo_step_through_typing_and_a_paste_is_one_step() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    catalog_form_at(&mut h, "usageText").await;
    let before = field(&h.app, "usageText");
    h.send(ctrl_code(KeyCode::End)).await;
    type_text(&mut h, "\nab").await;
    h.send(paste("first line\nsecond line\nthird line")).await;
    let pasted = format!("{before}\nabfirst line\nsecond line\nthird line");
    assert_eq!(field(&h.app, "usageText"), pasted);

    h.send(ctrl('z')).await;
    assert_eq!(field(&h.app, "usageText"), format!("{before}\nab"));
    h.send(ctrl('y')).await;
    assert_eq!(
        field(&h.app, "usageText"),
        pasted,
        "redo puts the block back"
    );
    // ctrl-shift-z, as terminals that can tell it apart send it.
    h.send(ctrl('z')).await;
    h.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('Z'),
        KeyModifiers::CONTROL | KeyModifiers::SHIFT,
    )))
    .await;
    assert_eq!(field(&h.app, "usageText"), pasted);
    for _ in 0..4 {
        h.send(ctrl('z')).await;
    }
    assert_eq!(
        field(&h.app, "usageText"),
        before,
        "back to the service's text"
    );
    assert!(!form(&h.app).form.is_dirty());
    emu.shutdown().await;
}

#[tokio::test]
async fn undo_and_redo_follow_remapped_keys() {
    let emu = demo_emulator(|_| {}).await;
    let (config, warnings) = ecrp::config::parse("[keys]\nundo = \"f2\"\nredo = \"f3\"\n");
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut h = Harness::start_with(&emu.url(), W, H, NOW, |o| o.config = config).await;
    catalog_form_at(&mut h, "description").await;
    let before = field(&h.app, "description");
    type_text(&mut h, " more").await;
    h.send(code(KeyCode::F(2))).await;
    assert_eq!(field(&h.app, "description"), format!("{before} "));
    h.send(code(KeyCode::F(3))).await;
    assert_eq!(field(&h.app, "description"), format!("{before} more"));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_pasted_escape_sequence_is_text_and_never_a_key() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    catalog_form_at(&mut h, "aboutText").await;
    h.send(ctrl_code(KeyCode::End)).await;
    // ESC (cancel), ctrl-s (0x13: save), a colour and a title change, CR LF line ends.
    h.send(paste(
        "\r\nred: \u{1b}[31mRED\u{1b}[0m\u{13} \u{1b}]0;pwned\u{7}\r\nend\u{1b}",
    ))
    .await;
    assert!(
        field(&h.app, "aboutText").ends_with("\nred: [31mRED[0m ]0;pwned\nend"),
        "{:?}",
        field(&h.app, "aboutText")
    );
    assert_eq!(
        form(&h.app).form.status,
        ecrp::forms::Status::Editing,
        "the pasted ESC did not cancel"
    );
    assert_eq!(
        ops(&emu, "PutRepositoryCatalogData"),
        0,
        "the pasted ctrl-s did not save"
    );
    let s = h.screen();
    assert!(s.contains("red: [31mRED[0m ]0;pwned"), "{s}");
    // One undo takes the whole block back.
    h.send(ctrl('z')).await;
    assert!(!form(&h.app).form.is_dirty());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_paste_outside_a_form_is_text_for_the_filter_and_never_keys() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    // On the list, "q" would quit and "d" delete: a paste there does nothing.
    h.send(paste("qd")).await;
    assert!(!h.app.quit && h.app.modal.is_none());
    h.keys("/").await;
    h.send(paste("work\ner\u{1b}")).await;
    assert_eq!(h.app.remote.repos.filter.query, "work er");
    assert!(h.screen().contains("/work er"), "{}", h.screen());
    emu.shutdown().await;
}

#[tokio::test]
async fn an_oversized_paste_is_refused_with_a_message_on_the_field() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    catalog_form_at(&mut h, "aboutText").await;
    let before = field(&h.app, "aboutText");
    h.send(paste(&"x".repeat(100_000))).await;
    assert_eq!(field(&h.app, "aboutText"), before);
    let s = h.screen();
    assert!(
        s.contains("paste of 100,000 characters refused: an editor takes at most 65,536"),
        "{s}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn word_motions_and_readline_keys_in_both_editors() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    catalog_form_at(&mut h, "description").await;
    h.send(ctrl('u')).await;
    type_text(&mut h, "acme web frontend").await;
    h.send(alt('b')).await;
    h.send(alt('b')).await;
    type_text(&mut h, "new ").await;
    assert_eq!(field(&h.app, "description"), "acme new web frontend");
    h.send(alt('d')).await;
    assert_eq!(field(&h.app, "description"), "acme new  frontend");
    h.send(ctrl_code(KeyCode::Right)).await;
    h.send(ctrl('w')).await;
    assert_eq!(field(&h.app, "description"), "acme new  ");
    h.send(ctrl('a')).await;
    h.send(ctrl('k')).await;
    assert_eq!(field(&h.app, "description"), "");

    // The about editor: ctrl-e stays $EDITOR there, so end of line is End.
    h.send(code(KeyCode::Tab)).await;
    while !form(&h.app).form.fields[form(&h.app).form.focus].is_multiline() {
        h.send(code(KeyCode::Tab)).await;
    }
    let key = form(&h.app).form.fields[form(&h.app).form.focus].key;
    h.send(ctrl_code(KeyCode::End)).await;
    type_text(&mut h, "\none two three").await;
    h.send(ctrl_code(KeyCode::Left)).await;
    h.send(ctrl('u')).await;
    assert!(
        field(&h.app, key).ends_with("\nthree"),
        "{}",
        field(&h.app, key)
    );
    h.send(code(KeyCode::End)).await;
    h.send(alt('b')).await;
    h.send(ctrl('k')).await;
    assert!(field(&h.app, key).ends_with('\n'), "{}", field(&h.app, key));
    let fx = app::update(&mut h.app, ctrl('e'));
    assert!(
        fx.iter()
            .any(|e| matches!(e, ecrp::app::Effect::Editor { .. })),
        "ctrl-e in a long text still opens $EDITOR: {fx:?}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn the_about_editor_with_wide_text_snapshot() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    catalog_form_at(&mut h, "aboutText").await;
    h.send(ctrl_code(KeyCode::Home)).await;
    h.send(paste(
        "# 世界のコンテナ 🐳\n\nこのイメージは、キューからジョブを取り出して実行します。再試行とデッドレターキューに対応。\n",
    ))
    .await;
    // As a terminal shows it: a wide glyph in one column of text.
    insta::assert_snapshot!("about_editor_wide_text", redact(&display(&render(&h.app))));
    emu.shutdown().await;
}
