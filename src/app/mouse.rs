//! Mouse: a click selects a row and focuses its pane; the wheel scrolls.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::key_dispatch;
use super::layout::{self, Slot};
use super::msg::Effect;
use super::nav;
use super::state::App;

const WHEEL_ROWS: isize = 3;

pub fn on_mouse(app: &mut App, ev: MouseEvent, fx: &mut Vec<Effect>) {
    match ev.kind {
        MouseEventKind::ScrollDown => key_dispatch::scroll(app, WHEEL_ROWS, fx),
        MouseEventKind::ScrollUp => key_dispatch::scroll(app, -WHEEL_ROWS, fx),
        MouseEventKind::Down(MouseButton::Left) if app.overlay.is_none() => {
            click(app, ev.column, ev.row, fx)
        }
        _ => {}
    }
}

fn click(app: &mut App, x: u16, y: u16, fx: &mut Vec<Effect>) {
    let Some(areas) = layout::areas(app, Rect::new(0, 0, app.width, app.height)) else {
        return;
    };
    let Some((pane, rect)) = areas.panes.iter().find_map(|(slot, r)| match slot {
        Slot::List(p) if r.contains(Position::new(x, y)) => Some((*p, *r)),
        _ => None,
    }) else {
        return;
    };
    if pane != app.pane {
        // The list on the left of the focused one: going back to it.
        nav::back(app, fx);
        if app.pane != pane {
            return;
        }
    }
    // Border and column header come before the first row.
    let first = rect.y + 2;
    if y < first || y >= rect.y + rect.height.saturating_sub(1) {
        return;
    }
    let pos = (y - first) as usize;
    let len = app.list_len(pane.list());
    select_at(app.remote.list_mut(pane.list()).cursor_mut(), len, pos);
}

fn select_at(cursor: &mut super::list::Cursor, len: usize, pos: usize) {
    let at = cursor.offset + pos;
    if at < len {
        cursor.selected = at;
    }
}
