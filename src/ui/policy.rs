//! The repository policy (GetRepositoryPolicy) as pretty JSON; "no policy" is a fact, not an error.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Text};
use ratatui::widgets::Paragraph;

use super::catalog::failed;
use super::list::block;
use super::text::clean;
use super::theme::THEME;
use crate::app::strings;
use crate::app::{App, Fetch};

pub fn text(app: &App, repo: &str) -> Text<'static> {
    match app.policies.get(repo) {
        Some(Fetch::Ready(Some(p))) => json(p),
        Some(Fetch::Ready(None)) => Text::from(Line::styled(strings::NO_POLICY, THEME.info)),
        Some(Fetch::Failed(e)) => failed(e),
        Some(Fetch::Loading) | None => Text::styled("loading policy…", THEME.dim),
    }
}

/// Pretty-printed (re-serialising escapes any control character) and coloured; text that is not
/// JSON is shown as it is, cleaned.
fn json(p: &str) -> Text<'static> {
    let pretty = serde_json::from_str::<serde_json::Value>(p)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok());
    match pretty {
        Some(s) => plain(&s),
        None => plain(p),
    }
}

fn plain(s: &str) -> Text<'static> {
    Text::from(
        crate::sanitize::clean_text(s)
            .lines()
            .map(|l| Line::raw(clean(l)))
            .collect::<Vec<_>>(),
    )
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, repo: &str, scroll: u16) {
    let b = block(format!("{} · {}", strings::POLICY, clean(repo)), true);
    let inner = b.inner(area);
    f.render_widget(b, area);
    f.render_widget(Paragraph::new(text(app, repo)).scroll((scroll, 0)), inner);
}
