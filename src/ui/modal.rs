//! Forms, confirmations, the repository delete prompt and the bulk delete's progress, drawn over
//! the screen. A confirmation about a form is drawn over that form, so what it is about stays in
//! view.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::Gauge;

use crate::app::modal::{Deleting, Modal};
use crate::fmt::thousands;
use crate::forms::confirm::{draw_popup, prompt_line};

pub fn draw(f: &mut Frame, area: Rect, modal: &Modal) {
    match modal {
        Modal::Form(ef) => f.render_widget(&ef.form, area),
        Modal::Confirm(m) => {
            if let Some(ef) = &m.under {
                f.render_widget(&ef.form, area);
            }
            f.render_widget(&m.confirm, area);
        }
        Modal::RepoDelete { confirm, busy } => {
            f.render_widget(confirm, area);
            if *busy {
                // The prompt row says the request is on its way.
                let lines: Vec<Line<'static>> =
                    confirm.lines().into_iter().map(Line::raw).collect();
                let _ = draw_popup(
                    "Delete repository",
                    &lines,
                    0,
                    prompt_line("deleting…"),
                    area,
                    f.buffer_mut(),
                );
            }
        }
        Modal::Deleting(d) => deleting(f, area, d),
    }
}

/// The progress bar while chunks are in flight, then the report: every failure with the
/// service's failureCode and failureReason, and what a stop left unsent.
fn deleting(f: &mut Frame, area: Rect, d: &Deleting) {
    let p = &d.progress;
    let title = match (d.is_over(), d.stopped) {
        (true, true) => "Delete stopped",
        (true, false) => "Delete finished",
        (false, true) => "Stopping after the calls in flight…",
        (false, false) => "Deleting…",
    };
    let mut lines: Vec<Line<'static>> = vec![Line::default()];
    if d.is_over() {
        lines.extend(p.report_lines().into_iter().map(Line::raw));
        if let Some(n) = d.not_sent.filter(|n| *n > 0) {
            lines.push(Line::raw(format!(
                "{} not sent (stopped): they are still in the repository.",
                thousands(n)
            )));
        }
    }
    let prompt = if d.is_over() && d.max_scroll.get() > 0 {
        "enter or esc closes · j/k scroll"
    } else if d.is_over() {
        "enter or esc closes"
    } else if d.stopped {
        "waiting for the calls in flight…"
    } else {
        "esc stops sending further chunks"
    };
    let (popup, max) = draw_popup(
        title,
        &lines,
        d.scroll,
        prompt_line(prompt),
        area,
        f.buffer_mut(),
    );
    d.max_scroll.set(max);
    if d.scroll > 0 {
        // Scrolled into the report: the bar would cover a line of it.
        return;
    }
    let bar = Rect {
        x: popup.x + 1,
        y: popup.y + 1,
        width: popup.width.saturating_sub(2),
        height: 1.min(popup.height.saturating_sub(2)),
    };
    let gauge = Gauge::default()
        .gauge_style(Style::new().fg(Color::Cyan))
        .ratio(p.ratio())
        .label(format!("{} / {}", thousands(p.done()), thousands(p.total)));
    f.render_widget(gauge, bar);
}
