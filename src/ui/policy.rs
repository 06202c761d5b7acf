//! The repository policy (GetRepositoryPolicy) as pretty JSON; "no policy" is a fact, not an error.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Text};
use ratatui::widgets::Paragraph;

use super::catalog::failed;
use super::list::block;
use super::text::clean;
use super::theme::theme;
use crate::app::strings;
use crate::app::{App, Fetch};

pub fn text(app: &App, repo: &str) -> Text<'static> {
    match app.remote.policies.get(repo) {
        // Pretty, coloured, key order kept; escapes stay visible (never decoded to raw bytes).
        Some(Fetch::Ready(Some(p))) => crate::highlight::json(p),
        Some(Fetch::Ready(None)) => Text::from(Line::styled(strings::NO_POLICY, theme().info)),
        Some(Fetch::Failed(e)) => failed(e),
        Some(Fetch::Loading) | None => Text::styled("loading policy…", theme().dim),
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, repo: &str, scroll: u16) {
    let b = block(format!("{} · {}", strings::POLICY, clean(repo)), true);
    let inner = b.inner(area);
    f.render_widget(b, area);
    f.render_widget(Paragraph::new(text(app, repo)).scroll((scroll, 0)), inner);
}
