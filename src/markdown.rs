//! Markdown (catalog about/usage text) to ratatui `Text`. CONTRACT: filled in by the markdown work.

use ratatui::text::Text;

/// Render `md` wrapped to `width` columns. Never panics; never emits control characters.
pub fn render(md: &str, width: u16) -> Text<'static> {
    let _ = width;
    Text::raw(crate::sanitize::clean_text(md).into_owned())
}
