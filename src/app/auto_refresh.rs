//! Auto-refresh (`R`): the open pane reloads in the background at an interval, its new pages
//! staged and swapped in whole.

use super::base;
use super::load::LoadState;
use super::msg::Effect;
use super::state::{App, Status};
use super::strings;

/// `R`: auto-refresh on (at the config's interval, or a default) or off.
pub fn toggle_auto_refresh(app: &mut App) {
    app.auto_refresh = match app.auto_refresh {
        Some(_) => None,
        None => Some(match app.opts.config.auto_refresh_seconds {
            0 => strings::AUTO_REFRESH_DEFAULT_SECONDS,
            n => n,
        }),
    };
    app.refreshed_at = app.now;
    app.status = Status::Info(strings::auto_refresh(app.auto_refresh));
}

/// On every tick: reload the open pane in the background when its interval has passed. The
/// new pages are staged and swapped in whole, so rows never blink and the selection and the
/// filter stay.
pub fn auto_refresh_tick(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(every) = app.auto_refresh else {
        return;
    };
    if app.remote.connection.is_none() || app.now - app.refreshed_at < every as i64 {
        return;
    }
    let list = app.pane.list();
    // A load still running (or failed, waiting for `r`) is left alone.
    if !matches!(app.load_of(list).state, LoadState::Done) {
        return;
    }
    app.refreshed_at = app.now;
    app.remote.list_mut(list).stage();
    app.load_mut(list).reset();
    base::start(app, list, fx);
}
