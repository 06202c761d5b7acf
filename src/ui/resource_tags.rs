//! Resource tags of a repository (ListTagsForResource), as an aligned key/value list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::catalog::failed;
use super::list::block;
use super::text::clean;
use super::theme::theme;
use crate::app::strings;
use crate::app::{App, Fetch};

pub fn text(app: &App, arn: &str) -> Text<'static> {
    match app.remote.resource_tags.get(arn) {
        Some(Fetch::Ready(tags)) if tags.is_empty() => {
            Text::from(Line::styled(strings::NO_TAGS, theme().info))
        }
        Some(Fetch::Ready(tags)) => {
            let rows: Vec<(String, String)> = tags
                .iter()
                .map(|t| (clean(&t.key), clean(&t.value)))
                .collect();
            let w = rows
                .iter()
                .map(|(k, _)| k.width())
                .max()
                .unwrap_or(0)
                .max(3);
            let mut lines = vec![Line::styled(
                format!("{:<w$}  VALUE", "KEY"),
                theme().column_header,
            )];
            for (k, v) in rows {
                let pad = w - k.width();
                lines.push(Line::from(vec![
                    Span::styled(format!("{k}{}", " ".repeat(pad)), theme().label),
                    Span::raw(format!("  {v}")),
                ]));
            }
            Text::from(lines)
        }
        Some(Fetch::Failed(e)) => failed(e),
        Some(Fetch::Loading) | None => Text::styled("loading resource tags…", theme().dim),
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, repo: &str, arn: &str, scroll: u16) {
    let b = block(
        format!("{} · {}", strings::RESOURCE_TAGS, clean(repo)),
        true,
    );
    let inner = b.inner(area);
    f.render_widget(b, area);
    f.render_widget(Paragraph::new(text(app, arn)).scroll((scroll, 0)), inner);
}
