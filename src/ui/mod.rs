//! Drawing: `view(&App, &mut Frame)` is pure (state → cells); a file per pane or popup, the
//! colours in `theme`, the geometry in `app::layout` (the app's, which `update` uses for mouse and paging).

mod catalog;
mod command;
mod error;
mod footer;
mod header;
mod help;
mod images;
mod inspector;
mod lifecycle;
mod list;
mod modal;
mod open_repo;
mod picker;
mod policy;
mod preview;
mod registries;
mod repositories;
mod resource_tags;
mod tags;
pub mod text;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::layout::{self, Slot};
use crate::app::strings;
use crate::app::{App, Overlay, Pane};

pub fn view(app: &App, f: &mut Frame) {
    theme::set(theme::palette(app.opts.config.theme, app.opts.no_color));
    let area = f.area();
    match layout::areas(app, area) {
        None => too_small(f, area),
        Some(a) => {
            header::draw_header(f, a.header, app);
            header::draw_crumb(f, a.crumb, app);
            // The lifecycle view covers the panes (100,000 rows of its own), and the `:open` view
            // clears the body before drawing: the panes are not drawn under them.
            let covered = match app.overlay {
                Some(Overlay::Lifecycle { .. }) => true,
                Some(Overlay::OpenRepo) => app.opened.view.is_some(),
                _ => false,
            };
            for (slot, r) in a.panes.iter().filter(|_| !covered) {
                match slot {
                    Slot::List(p) => {
                        let focused = *p == app.pane && app.overlay.is_none();
                        match p {
                            Pane::Registries => registries::draw(f, *r, app, focused),
                            Pane::Repositories => repositories::draw(f, *r, app, focused),
                            Pane::Images => images::draw(f, *r, app, focused),
                            Pane::Tags => tags::draw(f, *r, app, focused),
                        }
                    }
                    Slot::Preview => preview::draw(f, *r, app),
                }
            }
            if let Some(o) = &app.overlay {
                // Measured for `update`, which cannot know how tall the drawn text is.
                let max = overlay_max_scroll(app);
                app.view_scroll.record(o, max);
                match o {
                    Overlay::Catalog { repo, scroll } => {
                        catalog::draw_full(f, a.body, app, repo, (*scroll).min(max))
                    }
                    Overlay::Policy { repo, scroll } => {
                        policy::draw(f, a.body, app, repo, (*scroll).min(max))
                    }
                    Overlay::ResourceTags { repo, arn, scroll } => {
                        resource_tags::draw(f, a.body, app, repo, arn, (*scroll).min(max))
                    }
                    Overlay::Help { scroll } => help::draw(f, a.body, app, (*scroll).min(max)),
                    Overlay::ErrorDetails { scroll } => {
                        error::draw(f, a.body, app, (*scroll).min(max))
                    }
                    Overlay::Picker(p) => picker::draw(f, a.body, p),
                    Overlay::Inspector => inspector::draw(f, a.body, app),
                    Overlay::OpenRepo => open_repo::draw(f, a.body, app),
                    Overlay::Lifecycle { repo } => lifecycle::draw(f, a.body, app, repo),
                }
            }
            if let Some(input) = &app.command {
                command::draw(f, a.body, input);
            }
            if let Some(m) = &app.modal {
                modal::draw(f, a.body, m);
            }
            footer::draw_status(f, a.status, app);
            footer::draw_keys(f, a.footer, app);
        }
    }
    // Safety net: whatever slipped past the per-string cleaning never reaches the terminal.
    crate::sanitize::scrub_buffer(f.buffer_mut());
    // The markdown and JSON highlighters have their own colours, chosen for dark terminals.
    if app.opts.no_color {
        // NO_COLOR means none at all.
        for cell in f.buffer_mut().content.iter_mut() {
            cell.set_fg(Color::Reset);
            cell.set_bg(Color::Reset);
        }
    } else if app.opts.config.theme == crate::config::Theme::Light {
        for cell in f.buffer_mut().content.iter_mut() {
            cell.set_fg(theme::on_light(cell.fg));
            if cell.bg == crate::markdown::CODE_BG {
                cell.set_bg(Color::Reset);
            }
        }
    }
}

fn too_small(f: &mut Frame, area: Rect) {
    let msg = format!(
        "{}: {}×{} (needs {}×{})",
        strings::TOO_SMALL,
        area.width,
        area.height,
        strings::MIN_WIDTH,
        strings::MIN_HEIGHT
    );
    f.render_widget(
        Paragraph::new(Line::raw(msg)).wrap(Wrap { trim: true }),
        area,
    );
}

/// How far the open view can scroll: its content's height minus what fits.
fn overlay_max_scroll(app: &App) -> u16 {
    let Some(a) = layout::areas(app, Rect::new(0, 0, app.width, app.height)) else {
        return 0;
    };
    let inner = layout::read_view_inner(app);
    let (lines, visible) = match &app.overlay {
        Some(Overlay::Catalog { repo, .. }) => (
            catalog::fetched(app, repo, inner.width).lines.len(),
            inner.height,
        ),
        Some(Overlay::Policy { repo, .. }) => (policy::text(app, repo).lines.len(), inner.height),
        Some(Overlay::ResourceTags { arn, .. }) => {
            (resource_tags::text(app, arn).lines.len(), inner.height)
        }
        Some(Overlay::Help { .. }) => help::rows(app, a.body),
        Some(Overlay::ErrorDetails { .. }) => (
            error::rows(app, a.body),
            error::area(a.body).height.saturating_sub(2),
        ),
        Some(
            Overlay::Picker(_) | Overlay::Inspector | Overlay::OpenRepo | Overlay::Lifecycle { .. },
        )
        | None => (0, 0),
    };
    (lines as u16).saturating_sub(visible)
}
