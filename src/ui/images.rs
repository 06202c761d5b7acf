//! The images pane (DescribeImages).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use super::list::{self, Column, Head};
use super::text::clean;
use crate::app::App;
use crate::app::strings;
use crate::aws::ImageRow;
use crate::fmt::{short_digest, size, when};

/// Tags joined, or `<untagged>`.
pub fn tags_label(r: &ImageRow) -> String {
    if r.image_tags.is_empty() {
        strings::UNTAGGED.to_string()
    } else {
        r.image_tags
            .iter()
            .map(|t| clean(t))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A short name for a media type ("multi-arch" for indexes, so the mark is a word, not a colour).
pub fn kind(media: Option<&str>, artifact: Option<&str>) -> String {
    if crate::aws::is_index_media_type(media) {
        return strings::MULTI_ARCH.into();
    }
    match media {
        Some(m) if m.contains("oci") => "oci".into(),
        Some(m) if m.contains("docker") => "docker".into(),
        Some(m) => clean(m),
        None => artifact.map(clean).unwrap_or_default(),
    }
}

/// Below this pane width the TYPE column gives its room to the tags (the details pane beside it
/// still says the type; a multi-arch index is still marked there).
const TYPE_FROM: u16 = 80;
/// Below this the DIGEST column goes too (the details pane shows the whole digest): at 100 columns
/// the pane is 56 wide and the tags would get 6 of them.
const DIGEST_FROM: u16 = 64;
/// From this pane width the whole digest fits beside the other columns, with room left for the
/// tags: a wide terminal shows it instead of leaving the spare width to the tags alone.
pub const FULL_DIGEST_FROM: u16 = 130;
/// `sha256:` and 64 hex digits.
pub const FULL_DIGEST: u16 = 71;

/// The digest cell: whole when the pane is wide enough, else short.
pub fn digest_cell(digest: &str, pane_width: u16) -> String {
    if pane_width >= FULL_DIGEST_FROM {
        clean(digest)
    } else {
        short_digest(&clean(digest))
    }
}

/// The digest column's width for the pane.
pub fn digest_width(pane_width: u16) -> Constraint {
    if pane_width >= FULL_DIGEST_FROM {
        Constraint::Length(FULL_DIGEST)
    } else {
        Constraint::Length(20)
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &App, focused: bool) {
    let with_type = area.width >= TYPE_FROM;
    let with_digest = area.width >= DIGEST_FROM;
    let mut cols = vec![Column {
        title: "TAGS",
        width: Constraint::Fill(2),
    }];
    if with_digest {
        cols.push(Column {
            title: "DIGEST",
            width: digest_width(area.width),
        });
    }
    cols.extend([
        Column {
            title: "SIZE",
            width: Constraint::Length(9),
        },
        Column {
            title: "PUSHED",
            width: Constraint::Length(14),
        },
    ]);
    if with_type {
        cols.push(Column {
            title: "TYPE",
            width: Constraint::Length(10),
        });
    }
    let repo = app
        .remote
        .repo
        .as_ref()
        .map(|r| clean(&r.repository_name))
        .unwrap_or_default();
    let title = format!(
        "{} · {repo} {}",
        strings::IMAGES,
        list::counts(app, &app.remote.images)
    );
    list::draw(
        f,
        area,
        app,
        &app.remote.images,
        Head {
            title,
            focused,
            columns: &cols,
        },
        |r| {
            // An untagged platform manifest names its index instead of passing for a stray
            // untagged image (a tagged one shows its tags; the details pane names its index).
            let tags = match app.remote.platforms.parent_of(&r.image_digest) {
                Some(p) if r.image_tags.is_empty() => p.mark(),
                _ => tags_label(r),
            };
            let mut cells = vec![tags];
            if with_digest {
                cells.push(digest_cell(&r.image_digest, area.width));
            }
            cells.push(size(r.image_size_in_bytes));
            cells.push(when(
                r.image_pushed_at,
                app.now,
                app.opts.config.date_format,
            ));
            if with_type {
                cells.push(kind(
                    r.image_manifest_media_type.as_deref(),
                    r.artifact_media_type.as_deref(),
                ));
            }
            cells
        },
    );
}
