//! The registries pane (DescribeRegistries).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use super::list::{self, Column, Head};
use super::text::clean;
use super::theme::CHECK;
use crate::app::App;
use crate::app::strings;

pub fn draw(f: &mut Frame, area: Rect, app: &App, focused: bool) {
    let cols = [
        Column {
            title: "ALIAS",
            width: Constraint::Fill(2),
        },
        Column {
            title: "REGISTRY ID",
            width: Constraint::Length(14),
        },
        Column {
            title: "VERIFIED",
            width: Constraint::Length(8),
        },
        Column {
            title: "URI",
            width: Constraint::Fill(3),
        },
    ];
    let title = format!(
        "{} {}",
        strings::REGISTRIES,
        list::counts(app, &app.remote.registries)
    );
    list::draw(
        f,
        area,
        app,
        &app.remote.registries,
        Head {
            title,
            focused,
            columns: &cols,
        },
        |r| {
            vec![
                clean(r.primary_alias().unwrap_or("—")),
                clean(&r.registry_id),
                if r.verified { CHECK } else { "" }.to_string(),
                clean(&r.registry_uri),
            ]
        },
    );
}
