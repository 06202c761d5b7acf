//! Where everything goes, computed from the state alone: the app owns it so that `update` uses the
//! same rectangles for mouse clicks and page sizes as `ui::view` draws into.

use ratatui::layout::{Constraint, Layout, Rect};

use super::state::{App, Overlay, Pane};
use super::strings::{MIN_HEIGHT, MIN_WIDTH};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    List(Pane),
    Preview,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub crumb: Rect,
    pub body: Rect,
    pub status: Rect,
    pub footer: Rect,
    /// The panes in the body, left to right (empty when a full view covers the body).
    pub panes: Vec<(Slot, Rect)>,
}

/// Rows a list pane spends on its border and column header.
pub const LIST_CHROME: u16 = 3;

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// The list to the left of the focused one, when it adds something.
fn parent(app: &App) -> Option<Pane> {
    match app.pane {
        Pane::Registries => None,
        Pane::Repositories => (!app.single_registry()).then_some(Pane::Registries),
        Pane::Images | Pane::Tags => Some(Pane::Repositories),
    }
}

pub fn areas(app: &App, area: Rect) -> Option<Areas> {
    if too_small(area) {
        return None;
    }
    let [header, crumb, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let full_view = matches!(
        app.overlay,
        Some(
            Overlay::Catalog { .. }
                | Overlay::Policy { .. }
                | Overlay::ResourceTags { .. }
                | Overlay::Inspector
        )
    );
    let mut panes = Vec::new();
    if !full_view {
        let w = body.width;
        let parent = parent(app).filter(|_| w >= 140);
        let preview = w >= 90;
        let focused = Slot::List(app.pane);
        let slots: Vec<(Slot, Constraint)> = match (parent, preview) {
            (Some(p), true) => vec![
                (Slot::List(p), Constraint::Percentage(20)),
                (focused, Constraint::Percentage(50)),
                (Slot::Preview, Constraint::Percentage(30)),
            ],
            (Some(p), false) => vec![
                (Slot::List(p), Constraint::Percentage(35)),
                (focused, Constraint::Percentage(65)),
            ],
            (None, true) => vec![
                (focused, Constraint::Percentage(56)),
                (Slot::Preview, Constraint::Percentage(44)),
            ],
            (None, false) => vec![(focused, Constraint::Percentage(100))],
        };
        let rects = Layout::horizontal(slots.iter().map(|(_, c)| *c)).split(body);
        panes = slots
            .iter()
            .zip(rects.iter())
            .map(|((s, _), r)| (*s, *r))
            .collect();
    }
    Some(Areas {
        header,
        crumb,
        body,
        status,
        footer,
        panes,
    })
}

/// The rectangle of a list pane, if it is on screen.
pub fn pane_rect(app: &App, pane: Pane) -> Option<Rect> {
    let a = areas(app, Rect::new(0, 0, app.width, app.height))?;
    a.panes
        .iter()
        .find(|(s, _)| *s == Slot::List(pane))
        .map(|(_, r)| *r)
}

/// How many rows of `pane` are visible (0 when it is not on screen).
pub fn visible_rows(app: &App, pane: Pane) -> usize {
    pane_rect(app, pane)
        .map(|r| r.height.saturating_sub(LIST_CHROME) as usize)
        .unwrap_or(0)
}

/// The body of a full view or popup, inside its border.
pub fn read_view_inner(app: &App) -> Rect {
    match areas(app, Rect::new(0, 0, app.width, app.height)) {
        Some(a) => Rect::new(
            a.body.x + 1,
            a.body.y + 1,
            a.body.width.saturating_sub(2),
            a.body.height.saturating_sub(2),
        ),
        None => Rect::default(),
    }
}
