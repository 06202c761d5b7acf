//! The image tags pane (DescribeImageTags).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use super::list::{self, Column, Head};
use super::text::clean;
use crate::app::App;
use crate::app::strings;
use crate::fmt::{size, when};

pub fn draw(f: &mut Frame, area: Rect, app: &App, focused: bool) {
    let cols = [
        Column {
            title: "TAG",
            width: Constraint::Fill(2),
        },
        Column {
            title: "DIGEST",
            width: super::images::digest_width(area.width),
        },
        Column {
            title: "SIZE",
            width: Constraint::Length(9),
        },
        Column {
            title: "PUSHED",
            width: Constraint::Length(14),
        },
    ];
    let repo = app
        .remote
        .repo
        .as_ref()
        .map(|r| clean(&r.repository_name))
        .unwrap_or_default();
    let title = format!(
        "{} · {repo} {}",
        strings::TAGS,
        list::counts(app, &app.remote.tags)
    );
    list::draw(
        f,
        area,
        app,
        &app.remote.tags,
        Head {
            title,
            focused,
            columns: &cols,
        },
        |r| {
            vec![
                clean(&r.image_tag),
                super::images::digest_cell(&r.image_digest, area.width),
                size(r.image_size_in_bytes),
                when(r.image_pushed_at, app.now, app.opts.config.date_format),
            ]
        },
    );
}
