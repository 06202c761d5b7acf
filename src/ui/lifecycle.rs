//! The lifecycle view: the policy in use, the plan's totals, and one compact row per image
//! (keep or expire, the rule that decided, why). Only the rows on screen are drawn, and each
//! row's reason is worded only when drawn, so 100,000 images cost what a screenful costs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::list::block;
use super::text::clean;
use super::theme::theme;
use crate::app::App;
use crate::app::lifecycle_state::LifecycleView;
use crate::fmt::{count, size, thousands, when};

const NO_POLICY: &str = "No lifecycle policy for this repository: e writes one (or starts from a template); \
     :lifecycle load PATH reads one from a file.";

pub fn draw(f: &mut Frame, area: Rect, app: &App, repo: &str) {
    let b = block(format!("Lifecycle · {}", clean(repo)), true);
    let inner = b.inner(area);
    f.render_widget(Clear, area);
    f.render_widget(b, area);
    let Some(v) = app.lifecycle.as_ref() else {
        return;
    };
    let mut head = header_lines(v);
    if v.filter_editing || !v.filter.is_empty() {
        let cursor = if v.filter_editing { "▏" } else { "" };
        head.push(Line::from(vec![
            Span::styled("/", theme().key),
            Span::raw(format!("{}{cursor}", clean(&v.filter))),
            Span::styled(
                format!("  ({} match)", thousands(v.shown.len())),
                theme().dim,
            ),
        ]));
    }
    let head_h = (head.len() as u16).min(inner.height);
    f.render_widget(
        Paragraph::new(head),
        Rect {
            height: head_h,
            ..inner
        },
    );
    let body = Rect {
        y: inner.y + head_h,
        height: inner.height - head_h,
        ..inner
    };
    if body.height == 0 {
        return;
    }
    if let Some(report) = &v.restored {
        let mut lines = vec![Line::styled(
            format!(
                "Restore from the last apply's journal: {} image(s) (esc: back to the preview)",
                report.images.len()
            ),
            theme().title,
        )];
        for i in &report.images {
            let line = match &i.error {
                Some(e) => format!("not restored {}: {e}", i.image_digest),
                None => format!(
                    "{} {} {}",
                    i.status,
                    i.image_digest,
                    i.tags_restored.join(", ")
                ),
            };
            lines.push(Line::raw(clean(&line)));
            for (t, why) in &i.tags_skipped {
                lines.push(Line::raw(clean(&format!("  tag {t} not restored: {why}"))));
            }
        }
        f.render_widget(Paragraph::new(lines), body);
        return;
    }
    rows(f, body, app, v);
}

/// Policy, totals and notes: at most four lines, so the rows keep the screen.
fn header_lines(v: &LifecycleView) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if v.text.trim().is_empty() {
        out.push(Line::styled(NO_POLICY, theme().info));
        return out;
    }
    let origin = if v.origin.is_empty() {
        String::new()
    } else {
        format!(" ({})", clean(&v.origin))
    };
    if let Some(e) = &v.invalid {
        out.push(Line::styled(
            format!("Invalid policy{origin}: {}", clean(e)),
            theme().error,
        ));
        return out;
    }
    out.push(Line::from(vec![
        Span::styled(format!("Policy{origin}: "), theme().label),
        Span::raw(clean(&v.rules.join(" · "))),
    ]));
    if let Some(e) = &v.error {
        out.push(Line::styled(clean(e), theme().error));
    }
    match &v.planned {
        None if v.planning => out.push(Line::styled("planning…", theme().dim)),
        None => {}
        Some(p) => {
            let t = p.plan.totals;
            out.push(Line::from(vec![
                Span::styled(
                    format!(
                        "expire {} of {}",
                        thousands(t.images),
                        count(p.rows.len(), "image")
                    ),
                    theme().accent,
                ),
                Span::raw(format!(
                    " ({}, {} freed) · {} kept for multi-arch safety{}",
                    count(t.tags, "tag"),
                    size(t.bytes),
                    thousands(p.plan.kept_for_multiarch.len()),
                    if v.planning {
                        " · planning again…"
                    } else {
                        ""
                    }
                )),
            ]));
            let mut notes = Vec::new();
            if let Some(n) = &p.registry_note {
                notes.push(format!(
                    "registry API unreadable ({n}): untagged images are kept"
                ));
            } else if p.unknown > 0 {
                notes.push(format!(
                    "{} index(es) unreadable: their possible platform manifests are kept",
                    p.unknown
                ));
            }
            if let Some(j) = &v.journal {
                notes.push(format!(
                    "last apply journalled in {} · u restores",
                    j.display()
                ));
            }
            if !notes.is_empty() {
                out.push(Line::styled(clean(&notes.join(" · ")), theme().dim));
            }
        }
    }
    out
}

/// Column widths: decision, digest, tags, pushed, size, rule; the reason takes the rest. Below
/// `WIDE` columns pushed and size give their room to the reason (the images pane has them); the
/// tags keep theirs, so a platform manifest's `↳ arm64 of v1.4.2` still names its index.
const W: [usize; 6] = [6, 12, 18, 13, 9, 4];
const WIDE: u16 = 120;

fn rows(f: &mut Frame, area: Rect, app: &App, v: &LifecycleView) {
    let Some(p) = &v.planned else {
        return;
    };
    let wide = area.width >= WIDE;
    let widths: Vec<usize> = if wide {
        W.to_vec()
    } else {
        vec![W[0], W[1], W[2], 0, 0, W[5]]
    };
    let width = area.width as usize;
    let used: usize = widths.iter().filter(|w| **w > 0).map(|w| w + 1).sum();
    let reason_w = width.saturating_sub(used);
    let cell = |s: &str, w: usize| -> String {
        let mut out: String = s.chars().take(w).collect();
        let n = out.chars().count();
        if s.chars().count() > w && w > 0 {
            out.pop();
            out.push('…');
        }
        out.extend(std::iter::repeat_n(' ', w.saturating_sub(n)));
        out
    };
    let join = |cells: Vec<String>| -> String {
        cells
            .into_iter()
            .zip(widths.iter().chain(std::iter::once(&reason_w)))
            .filter(|(_, w)| **w > 0)
            .map(|(c, _)| c)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let heading = join(
        ["", "DIGEST", "TAGS", "PUSHED", "SIZE", "RULE", "WHY"]
            .iter()
            .zip(widths.iter().chain(std::iter::once(&reason_w)))
            .map(|(h, w)| cell(h, *w))
            .collect(),
    );
    let mut lines = vec![Line::styled(heading, theme().column_header)];
    // The heading, and the selected row's whole reason at the bottom.
    let visible = (area.height as usize).saturating_sub(2);
    v.page.set(visible.max(1));
    if v.shown.is_empty() {
        lines.push(Line::styled(
            if p.rows.is_empty() {
                "the repository has no images"
            } else {
                "no rows match the filter"
            },
            theme().dim,
        ));
    }
    let offset = v.offset.min(v.shown.len().saturating_sub(visible));
    for (k, &i) in v.shown.iter().enumerate().skip(offset).take(visible) {
        let i = i as usize;
        let r = &p.rows[i];
        let d = &p.plan.decisions[i];
        let digest = r
            .image_digest
            .split_once(':')
            .map_or(&*r.image_digest, |(_, h)| h);
        // An untagged platform manifest says which index it belongs to, as in the images pane.
        let tags = if !r.image_tags.is_empty() {
            clean(&r.image_tags.join(","))
        } else if let Some(parent) = p.parents.get(&r.image_digest) {
            clean(&parent.mark())
        } else {
            crate::app::strings::UNTAGGED.to_string()
        };
        let rule = d.rule.map(|n| n.to_string()).unwrap_or_default();
        let why = match d.reason {
            // The reason's own words; what the rule selects is in the header.
            _ if d.expire => format!(
                "{}{}",
                if r.is_multi_arch() { "index · " } else { "" },
                p.plan.reason_text(i, &p.rows)
            ),
            _ => p.plan.reason_text(i, &p.rows),
        };
        let text = join(vec![
            cell(if d.expire { "EXPIRE" } else { "keep" }, widths[0]),
            cell(digest, widths[1]),
            cell(&tags, widths[2]),
            cell(
                &when(r.image_pushed_at, app.now, app.opts.config.date_format),
                widths[3],
            ),
            cell(&size(r.image_size_in_bytes), widths[4]),
            cell(&rule, widths[5]),
            cell(&clean(&why), reason_w),
        ]);
        let style = if k == v.cursor {
            theme().selected
        } else if d.expire {
            theme().error
        } else {
            Style::default()
        };
        lines.push(Line::styled(text, style));
    }
    f.render_widget(Paragraph::new(lines), area);
    if let Some(i) = v.selected()
        && area.height > 2
    {
        let d = &p.plan.decisions[i];
        let rule = d.rule.map(|n| format!("rule {n}: ")).unwrap_or_default();
        let line = format!(
            "{} {}: {rule}{}",
            if d.expire { "expires" } else { "kept" },
            crate::fmt::short_digest(&p.rows[i].image_digest),
            p.plan.reason_text(i, &p.rows)
        );
        f.render_widget(
            Paragraph::new(Line::styled(clean(&line), theme().info)),
            Rect {
                y: area.y + area.height - 1,
                height: 1,
                ..area
            },
        );
    }
}
