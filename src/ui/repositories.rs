//! The repositories pane (DescribeRepositories), with each visible row's catalog description
//! (fetched lazily, cached).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};

use super::list::{self, Column, Head};
use super::text::clean;
use crate::app::strings;
use crate::app::{App, Fetch};
use crate::fmt::when;

pub fn draw(f: &mut Frame, area: Rect, app: &App, focused: bool) {
    let wide = area.width >= 110;
    let narrow = area.width < 50;
    let mut cols = vec![Column {
        title: "NAME",
        width: Constraint::Fill(2),
    }];
    if !narrow {
        // The description is the one column whose text runs long: it gets the most of the width.
        cols.push(Column {
            title: "DESCRIPTION",
            width: Constraint::Fill(4),
        });
    }
    cols.push(Column {
        title: "CREATED",
        width: Constraint::Length(14),
    });
    if wide {
        cols.push(Column {
            title: "URI",
            width: Constraint::Fill(2),
        });
    }
    let title = format!(
        "{} {}",
        strings::REPOSITORIES,
        list::counts(app, &app.remote.repos)
    );
    list::draw(
        f,
        area,
        app,
        &app.remote.repos,
        Head {
            title,
            focused,
            columns: &cols,
        },
        |r| {
            let mut cells = vec![clean(&r.repository_name)];
            if !narrow {
                let desc = match app.remote.catalogs.get(&r.repository_name) {
                    Some(Fetch::Ready(c)) => clean(c.description.as_deref().unwrap_or("")),
                    Some(Fetch::Loading) => "…".into(),
                    Some(Fetch::Failed(_)) => "?".into(),
                    None => String::new(),
                };
                cells.push(desc);
            }
            cells.push(when(r.created_at, app.now, app.opts.config.date_format));
            if wide {
                cells.push(clean(&r.repository_uri));
            }
            cells
        },
    );
}
