//! Drawing a form: a centred popup with a label, the editor, and the live check (or the error a
//! failed save left) for each field; multi-line markdown fields get a rendered preview beside them.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::field::{Editor, Field};
use super::text::LineEditor;
use super::{Form, Status};
use crate::fmt::centered;

const FOCUS: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
const CURSOR: Style = Style::new().add_modifier(Modifier::REVERSED);
const ERR: Style = Style::new().fg(Color::Red);
const OK: Style = Style::new().fg(Color::DarkGray);

/// Rows a field needs besides a multi-line editor's flexible body.
fn fixed_rows(f: &Field) -> u16 {
    let body = if f.is_multiline() { 0 } else { 1 };
    // An error from the service can be long: two wrapped rows.
    1 + body + u16::from(f.check().is_some() || f.hint.is_some()) + 2 * u16::from(f.error.is_some())
}

/// A line editor's text windowed by display width so the cursor cell stays inside `width` cells,
/// with the cursor cell reversed. Wide graphemes take two cells and never straddle the edge;
/// what the text holds is drawn through `clean_line`, so a control character in a prefilled
/// value cannot reach the terminal.
fn line_spans(l: &LineEditor, width: usize, focused: bool) -> Line<'static> {
    use unicode_segmentation::UnicodeSegmentation;
    let width = width.max(1);
    // (drawn text, cells) per grapheme, and the index of the grapheme the cursor stands before.
    let mut cells: Vec<(String, usize)> = Vec::new();
    let (mut chars, mut cur) = (0, None);
    for g in l.text().graphemes(true) {
        if cur.is_none() && chars >= l.cursor() {
            cur = Some(cells.len());
        }
        chars += g.chars().count();
        let shown = crate::sanitize::clean_line(g).into_owned();
        let w = crate::sanitize::display_width(&shown);
        cells.push((shown, w));
    }
    let cur = cur.unwrap_or(cells.len());
    // The cursor's own cell(s): at the end of the text, a blank.
    let cur_w = cells.get(cur).map_or(1, |c| c.1.max(1));
    // As much text before the cursor as fits beside it.
    let mut start = cur;
    let mut used = cur_w.min(width);
    while start > 0 && used + cells[start - 1].1 <= width {
        start -= 1;
        used += cells[start].1;
    }
    let (mut before, mut at, mut after) = (String::new(), String::new(), String::new());
    let mut room = width;
    for (i, (g, w)) in cells.iter().enumerate().skip(start) {
        let w = if i == cur { (*w).max(1) } else { *w };
        if w > room {
            break;
        }
        room -= w;
        match i.cmp(&cur) {
            std::cmp::Ordering::Less => before.push_str(g),
            std::cmp::Ordering::Equal if cells[i].1 == 0 => at.push(' '),
            std::cmp::Ordering::Equal => at.push_str(g),
            std::cmp::Ordering::Greater => after.push_str(g),
        }
    }
    // At the end of the text, or on a grapheme that draws nothing, the cursor is a blank cell.
    let blank = cells.get(cur).is_none_or(|c| c.1 == 0);
    if !focused {
        return Line::raw(if blank {
            before + &after
        } else {
            before + &at + &after
        });
    }
    if cur == cells.len() {
        at.push(' ');
    }
    Line::from(vec![
        Span::raw(before),
        Span::styled(at, CURSOR),
        Span::raw(after),
    ])
}

fn checklist_line(f: &Editor, focused: bool) -> Line<'static> {
    let Editor::Checklist(c) = f else {
        return Line::default();
    };
    let mut spans = Vec::new();
    for (i, (label, on)) in c.items.iter().enumerate() {
        let mark = match (c.single, on) {
            (true, true) => "(•) ",
            (true, false) => "( ) ",
            (false, true) => "[x] ",
            (false, false) => "[ ] ",
        };
        let style = if focused && c.cursor == i {
            CURSOR
        } else {
            Style::new()
        };
        spans.push(Span::styled(format!("{mark}{label}"), style));
        spans.push(Span::raw("  "));
    }
    if c.allow_custom {
        match &c.adding {
            Some(ed) => {
                spans.push(Span::raw("+ "));
                spans.extend(line_spans(ed, 30, true).spans);
            }
            None => {
                let style = if focused && c.on_add_row() {
                    CURSOR
                } else {
                    OK
                };
                spans.push(Span::styled("+ add…", style));
            }
        }
    }
    Line::from(spans)
}

fn draw_field(f: &Field, focused: bool, area: Rect, buf: &mut Buffer) {
    let label_style = if focused { FOCUS } else { Style::new() };
    let marker = if focused { "▸ " } else { "  " };
    let mut rows = vec![Constraint::Length(1)];
    let body = if f.is_multiline() {
        Constraint::Min(1)
    } else {
        Constraint::Length(1)
    };
    rows.push(body);
    let check = f.check();
    rows.push(Constraint::Length(u16::from(
        check.is_some() || f.hint.is_some(),
    )));
    rows.push(Constraint::Length(2 * u16::from(f.error.is_some())));
    let [label, body, check_row, err_row] = Layout::vertical(rows).areas(area);
    Line::from(vec![
        Span::styled(marker, label_style),
        Span::styled(f.label, label_style),
    ])
    .render(label, buf);
    let body = Rect {
        x: body.x + 2,
        width: body.width.saturating_sub(2),
        ..body
    };
    let w = body.width as usize;
    match &f.editor {
        Editor::Line(l) | Editor::Path { line: l, .. } => {
            line_spans(l, w, focused).render(body, buf);
        }
        Editor::Checklist(_) => checklist_line(&f.editor, focused).render(body, buf),
        Editor::Multi { area: a, preview } => {
            let (edit, view) = if *preview {
                let [e, v] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)])
                    .spacing(1)
                    .areas(body);
                (e, Some(v))
            } else {
                (body, None)
            };
            let block = Block::new().borders(Borders::LEFT).border_style(OK);
            let inner = block.inner(edit);
            block.render(edit, buf);
            a.render(inner, buf, focused);
            if let Some(v) = view {
                let block = Block::new()
                    .borders(Borders::LEFT)
                    .border_style(OK)
                    .title(Span::styled("preview", OK));
                let inner = block.inner(v);
                block.render(v, buf);
                let md = crate::markdown::render(&a.text(), inner.width);
                // Follow the editor: show the preview from roughly where the cursor is.
                let skip = (a.cursor().0 as u16).saturating_sub(inner.height / 2);
                Paragraph::new(md).scroll((skip, 0)).render(inner, buf);
            }
        }
    }
    match (check, f.hint) {
        (Some(c), _) => {
            let style = if c.ok { OK } else { ERR };
            Line::styled(format!("  {}", c.text), style).render(check_row, buf);
        }
        (None, Some(h)) => Line::styled(format!("  {h}"), OK).render(check_row, buf),
        (None, None) => {}
    }
    if let Some(e) = &f.error {
        let err_row = Rect {
            x: err_row.x + 2,
            width: err_row.width.saturating_sub(2),
            ..err_row
        };
        Paragraph::new(format!("✗ {e}"))
            .style(ERR)
            .wrap(Wrap { trim: true })
            .render(err_row, buf);
    }
}

fn footer(form: &Form) -> Line<'static> {
    match form.status {
        Status::Saving => Line::styled("saving…", Style::new().fg(Color::Yellow)),
        Status::ConfirmDiscard => Line::from(vec![
            Span::styled("discard your changes? ", Style::new().fg(Color::Yellow)),
            Span::raw("y discard · n keep editing"),
        ]),
        Status::Editing => {
            let h = &form.hints;
            // An action the user left without a key is not offered.
            let s = [
                (&h.next, "next"),
                (&h.back, "back"),
                (&h.save, h.save_label),
                (&h.cancel, "cancel"),
            ]
            .iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, what)| format!("{k} {what}"))
            .collect::<Vec<_>>();
            let mut s = s.join(" · ");
            if form.fields.get(form.focus).is_some_and(Field::is_multiline) {
                s.push_str(" · ctrl-e $EDITOR");
            }
            Line::styled(s, OK)
        }
    }
}

/// The smallest body a multi-line editor keeps when the form is short of rows: the cursor's line
/// and one either side. Below this the form scrolls instead, so every field keeps its label and
/// input row.
const MIN_BODY: u16 = 3;

/// Each field's height in rows when the fields share `room` rows: the single-line parts are
/// fixed, the multi-line editors split what is left (up to 40 rows each) and give up height
/// first, down to `MIN_BODY`.
fn field_heights(fields: &[Field], room: u16) -> Vec<u16> {
    let multi = fields.iter().filter(|f| f.is_multiline()).count() as u16;
    let fixed: u16 = fields.iter().map(fixed_rows).sum();
    let spare = room.saturating_sub(fixed);
    let per = spare
        .checked_div(multi)
        .map_or(0, |p| p.clamp(MIN_BODY, 40));
    // What does not divide evenly goes to the first editors, a row each.
    let mut extra = if per < 40 {
        spare.saturating_sub(per * multi)
    } else {
        0
    };
    fields
        .iter()
        .map(|f| {
            if !f.is_multiline() {
                return fixed_rows(f);
            }
            let bonus = u16::from(extra > 0);
            extra -= bonus;
            fixed_rows(f) + per + bonus
        })
        .collect()
}

/// The first row to show so the focused field is whole on screen: the smallest scroll that
/// reveals its end, never past its start (a field taller than the view shows its top). Focus is
/// where a failed save or ctrl-s on an invalid form puts the user, so the red message is in view.
fn scroll_to(heights: &[u16], focus: usize, view: u16) -> u16 {
    let top: u16 = heights.iter().take(focus).sum();
    let bottom = top + heights.get(focus).copied().unwrap_or(0);
    bottom.saturating_sub(view).min(top)
}

impl Widget for &Form {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let multi = self.fields.iter().filter(|f| f.is_multiline()).count() as u16;
        let fixed: u16 = self.fields.iter().map(fixed_rows).sum();
        let width = if multi > 0 { 110 } else { 72 };
        // A form-wide error (a failure that names no field) wraps onto a second row when long.
        let err_rows = self.error.as_ref().map_or(0, |e| {
            let w = usize::from(width.min(area.width).saturating_sub(2)).max(1);
            if crate::sanitize::display_width(e) + 2 > w {
                2
            } else {
                1
            }
        });
        // Multi-line fields share the room there is (a policy gets a tall editor), at least 8.
        let chrome = 2 + 1 + err_rows;
        let per = (area.height.saturating_sub(fixed + chrome + 2) / multi.max(1)).clamp(8, 40);
        let mut want = fixed + multi * per + chrome;
        if area.height.saturating_sub(want) < 3 {
            // A sliver of the screen behind would only look like a second border.
            want = area.height;
        }
        let popup = centered(area, width, want);
        Clear.render(popup, buf);
        let inner = Block::bordered().inner(popup);
        let view = inner.height.saturating_sub(err_rows + 1);
        let heights = field_heights(&self.fields, view);
        let total: u16 = heights.iter().sum();
        let offset = scroll_to(&heights, self.focus, view);
        let mut block = Block::bordered()
            .title(Span::styled(format!(" {} ", self.title), FOCUS))
            .border_style(if self.status == Status::Saving {
                OK
            } else {
                Style::new()
            });
        // Say there is more than fits, and on which side.
        if offset > 0 {
            block = block.title_top(Line::styled(" ↑ more ", OK).right_aligned());
        }
        if offset + view < total {
            block = block.title_bottom(Line::styled(" ↓ more (tab) ", OK).right_aligned());
        }
        block.render(popup, buf);
        let [err_area, fields_area, foot] = Layout::vertical([
            Constraint::Length(err_rows),
            Constraint::Length(view),
            Constraint::Length(1),
        ])
        .areas(inner);
        if let Some(e) = &self.error {
            Paragraph::new(format!("✗ {e}"))
                .style(ERR)
                .wrap(Wrap { trim: true })
                .render(err_area, buf);
        }
        // The fields are drawn whole into a buffer of their full height, then the rows in view
        // are copied: a field cut by the edge is cut, never squeezed into a wrong layout.
        let mut all = Buffer::empty(Rect::new(fields_area.x, 0, fields_area.width, total));
        let mut y = 0;
        for (i, (f, h)) in self.fields.iter().zip(&heights).enumerate() {
            let focused = i == self.focus && self.status == Status::Editing;
            draw_field(
                f,
                focused,
                Rect::new(fields_area.x, y, fields_area.width, *h),
                &mut all,
            );
            y += h;
        }
        for dy in 0..fields_area.height.min(total.saturating_sub(offset)) {
            for x in fields_area.left()..fields_area.right() {
                buf[(x, fields_area.y + dy)] = all[(x, offset + dy)].clone();
            }
        }
        footer(self).render(foot, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::scroll_to;

    #[test]
    fn scrolls_only_as_far_as_the_focused_field_needs() {
        let h = [3, 3, 5, 3];
        assert_eq!(scroll_to(&h, 0, 8), 0);
        assert_eq!(scroll_to(&h, 2, 8), 3);
        assert_eq!(scroll_to(&h, 3, 8), 6);
        // Taller than the view: its top.
        assert_eq!(scroll_to(&[3, 20], 1, 8), 3);
    }
}
