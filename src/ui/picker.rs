//! The menus: ctrl-p profiles (kind and region), ctrl-r regions, `y` what to copy. A small box
//! over the middle of the panes, so the selection it is about stays visible around it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::list::block;
use super::text::clean;
use super::theme::{SELECTED_SYMBOL, theme};
use crate::app::strings;
use crate::app::{Picker, PickerKind};

fn title(kind: PickerKind) -> &'static str {
    match kind {
        PickerKind::Profiles => strings::PROFILES,
        PickerKind::Regions => strings::REGIONS,
        PickerKind::Copy => strings::COPY,
        PickerKind::Drafts => strings::UNSAVED_EDITS,
        PickerKind::PolicyStart => strings::POLICY,
        PickerKind::OpenRecent => "Open a repository",
        PickerKind::LifecycleStart => "Lifecycle policy",
    }
}

pub fn draw(f: &mut Frame, body: Rect, p: &Picker) {
    let label_w = p
        .items
        .iter()
        .map(|i| i.label.chars().count())
        .max()
        .unwrap_or(0);
    let detail_w = p
        .items
        .iter()
        .map(|i| i.detail.chars().count())
        .max()
        .unwrap_or(0);
    let want_w = (label_w + detail_w + 8).max(48) as u16;
    let want_h = p.items.len() as u16 + 2;
    let r = crate::fmt::centered(body, want_w.min(body.width.saturating_sub(2)), want_h);
    f.render_widget(Clear, r);
    let b = block(
        format!("{} · enter chooses · esc closes", title(p.kind)),
        true,
    );
    let inner = b.inner(r);
    f.render_widget(b, r);
    let visible = inner.height as usize;
    let first = p.selected.saturating_sub(visible.saturating_sub(1));
    let lines: Vec<Line> = p
        .items
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(n, item)| {
            let on = n == p.selected;
            let mark = if on { SELECTED_SYMBOL } else { "  " };
            let label = format!("{mark}{:<label_w$}  ", clean(&item.label));
            let line = Line::from(vec![
                Span::raw(label),
                Span::styled(
                    clean(&item.detail),
                    if on { theme().selected } else { theme().dim },
                ),
            ]);
            if on {
                line.style(theme().selected)
            } else {
                line
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
