//! Drawing a list pane: only the visible window of rows is turned into cells, so a frame costs the
//! same for 10 rows as for 100,000.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row as TableRow, Table, TableState};

use super::theme::{CHECK, SELECTED_SYMBOL, SELECTED_UNFOCUSED_SYMBOL, SPINNER, theme};
use crate::app::App;
use crate::app::list::{List, Row};
use crate::app::load::LoadState;
use crate::app::strings;
use crate::fmt::thousands;

pub struct Column {
    pub title: &'static str,
    pub width: Constraint,
}

/// "(12 of 2,418 · loading page 3)".
pub fn counts<T: Row>(app: &App, list: &List<T>) -> String {
    let total = list.rows.len();
    let mut s = if list.applied_query().is_empty() {
        thousands(total)
    } else {
        format!("{} of {}", thousands(list.len()), thousands(total))
    };
    if list.marked_count() > 0 {
        s.push_str(&format!(" · {} marked", thousands(list.marked_count())));
    }
    if let Some(st) = &list.stale {
        // Cached rows, not yet confirmed: their age, and how the fresh pages differ so far.
        s.push_str(&format!(
            " · cached {} · {} differ so far",
            crate::fmt::relative(st.saved_at, app.now),
            thousands(st.differ)
        ));
    }
    match &list.load.state {
        LoadState::Loading { page } => {
            let spin = SPINNER[(app.beat as usize) % SPINNER.len()];
            s.push_str(&format!(" · {spin} loading page {page}"));
        }
        LoadState::Failed(_) => s.push_str(&format!(
            " · failed at page {} (r retries)",
            list.load.pages + 1
        )),
        LoadState::Stopped => s.push_str(" · paused"),
        LoadState::Idle | LoadState::Done => {}
    }
    format!("({s})")
}

/// The width ratatui's table gives each column (the highlight symbol and, while marking, the mark
/// column come first), so text that does not fit can end in "…" instead of being cut silently.
fn column_widths(columns: &[Column], width: u16, marking: bool) -> Vec<usize> {
    use unicode_width::UnicodeWidthStr;
    let lead = SELECTED_SYMBOL.width() as u16 + if marking { 2 } else { 0 };
    let area = Rect::new(0, 0, width.saturating_sub(lead), 1);
    Layout::horizontal(columns.iter().map(|c| c.width))
        .flex(Flex::Start)
        .spacing(1)
        .split(area)
        .iter()
        .map(|r| r.width as usize)
        .collect()
}

/// `text` cut to `width` columns, its last one an ellipsis when anything was cut.
pub fn ellipsis(text: String, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return text;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// A list pane's title, focus and columns.
pub struct Head<'a> {
    pub title: String,
    pub focused: bool,
    pub columns: &'a [Column],
}

pub fn block(title: String, focused: bool) -> Block<'static> {
    let style = if focused {
        theme().border_focused
    } else {
        theme().border
    };
    Block::bordered()
        .border_style(style)
        .title(Span::styled(format!(" {title} "), theme().title))
}

pub fn draw<T: Row>(
    f: &mut Frame,
    area: Rect,
    app: &App,
    list: &List<T>,
    head: Head,
    cells: impl Fn(&T) -> Vec<String>,
) {
    let Head {
        title,
        focused,
        columns,
    } = head;
    let block = block(title, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let height = inner.height.saturating_sub(1) as usize;
    if list.is_empty() {
        let msg = if !list.rows.is_empty() {
            strings::NO_MATCH
        } else if list.load.is_loading() || app.remote.connection.is_none() {
            "loading…"
        } else if matches!(list.load.state, LoadState::Failed(_)) {
            // Nothing came back: that is not an empty repository.
            strings::LIST_FAILED
        } else {
            strings::EMPTY
        };
        // Laid out as the filled table is (the selection column, the spacing), so the column
        // titles do not shift when the first row arrives.
        let header =
            TableRow::new(columns.iter().map(|c| Cell::from(c.title))).style(theme().column_header);
        let t = Table::new(Vec::<TableRow>::new(), columns.iter().map(|c| c.width))
            .header(header)
            .highlight_symbol(SELECTED_SYMBOL)
            .highlight_spacing(ratatui::widgets::HighlightSpacing::Always)
            .column_spacing(1);
        f.render_widget(t, inner);
        if inner.height > 1 {
            let r = Rect::new(inner.x + 2, inner.y + 1, inner.width.saturating_sub(2), 1);
            f.render_widget(Paragraph::new(Line::styled(msg, theme().dim)), r);
        }
        return;
    }
    // The window is recomputed here too, so a frame drawn before `update` scrolled is still right.
    let sel = list.cursor.selected;
    let mut offset = list.cursor.offset.min(sel);
    if height > 0 && sel >= offset + height {
        offset = sel + 1 - height;
    }
    // A mark column appears while something is marked (a ✓, never colour alone).
    let marking = list.marked_count() > 0;
    let fit = column_widths(columns, inner.width, marking);
    let rows: Vec<TableRow> = list
        .window_marked(offset, height)
        .map(|(r, marked)| {
            let mut c: Vec<Cell> = cells(r)
                .into_iter()
                .zip(&fit)
                .map(|(text, &w)| Cell::from(ellipsis(text, w)))
                .collect();
            if marking {
                let m = if marked { CHECK } else { " " };
                c.insert(0, Cell::from(Span::styled(m, theme().accent)));
            }
            TableRow::new(c)
        })
        .collect();
    let mut widths: Vec<Constraint> = columns.iter().map(|c| c.width).collect();
    let mut titles: Vec<Cell> = columns.iter().map(|c| Cell::from(c.title)).collect();
    if marking {
        widths.insert(0, Constraint::Length(1));
        titles.insert(0, Cell::from(""));
    }
    let (symbol, style) = if focused {
        (SELECTED_SYMBOL, theme().selected)
    } else {
        (SELECTED_UNFOCUSED_SYMBOL, theme().selected_unfocused)
    };
    let table = Table::new(rows, widths)
        .header(TableRow::new(titles).style(theme().column_header))
        .highlight_symbol(symbol)
        .row_highlight_style(style)
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always)
        .column_spacing(1);
    let mut state = TableState::default().with_selected(Some(sel - offset));
    f.render_stateful_widget(table, inner, &mut state);
}

#[cfg(test)]
mod tests {
    use super::ellipsis;

    #[test]
    fn ellipsis_cuts_by_display_width() {
        assert_eq!(ellipsis("build-3499".into(), 10), "build-3499");
        assert_eq!(ellipsis("build-3499".into(), 9), "build-34…");
        // Wide characters take two columns: never more than the width, never half a character.
        assert_eq!(ellipsis("日本語のタグ".into(), 7), "日本語…");
        assert_eq!(ellipsis("日本語のタグ".into(), 6), "日本…");
        assert_eq!(ellipsis("abc".into(), 1), "…");
        assert_eq!(ellipsis("abc".into(), 0), "");
    }
}
