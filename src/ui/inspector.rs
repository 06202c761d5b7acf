//! The image inspector: a header (digest, media type, size), the sections as tabs, and the open
//! section (platforms, config, history, layers, raw JSON). Lists draw only their visible rows, so
//! an image with hundreds of layers costs what a list pane costs. Every registry string is
//! cleaned here before it is drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Paragraph;

use super::list::{block, ellipsis};
use super::text::{clean, styled, wrap};
use super::theme::{SELECTED_SYMBOL, theme};
use crate::app::App;
use crate::app::inspector_content::{self as content, Section};
use crate::app::inspector_state::{FailureKind, InspectError, InspectorView, Loaded, Source};
use crate::fmt::{short_digest, size};
use crate::registry::{ImageManifest, Manifest, ManifestKind};

/// Rows under a history or layer list for the selected entry in full.
const DETAIL_ROWS: u16 = 5;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let Some(v) = app.inspector.view.as_ref() else {
        return;
    };
    let node = v.node();
    let mut title = format!("inspect · {}", clean(&v.title));
    if let Some(p) = &node.platform {
        title.push_str(&format!(" › {}", clean(p)));
    }
    let b = block(title, true);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let prompt = v.editing || !v.query.is_empty();
    let [head, tabs, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(u16::from(prompt)),
    ])
    .areas(inner);
    if prompt {
        let cursor = if v.editing { "█" } else { "" };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                styled("/", theme().key),
                Span::raw(format!("{}{cursor}", clean(&v.query))),
                styled("  filters history and env", theme().dim),
            ])),
            bottom,
        );
    }
    let manifest = match app.inspector.manifest(&node.key) {
        Some(Loaded::Ready(m)) => m,
        Some(Loaded::Failed(e)) => return failure(f, body, e, &v.source, "manifest"),
        Some(Loaded::Loading) | None => {
            return loading(f, head, "fetching the manifest…");
        }
    };
    f.render_widget(Paragraph::new(header_line(manifest)), head);
    f.render_widget(Paragraph::new(tab_line(manifest, node.section)), tabs);
    match (&manifest.kind, node.section) {
        (_, Section::RawManifest) => raw(f, body, v, &content::manifest_text(manifest)),
        (ManifestKind::Index(ix), _) => platforms(f, body, v, &ix.manifests),
        (ManifestKind::Image(img), section) => {
            if section == Section::Layers {
                return layers(f, body, v, img);
            }
            let config = match app.inspector.config_of(&v.source, &img.config) {
                Some(Loaded::Ready(c)) => c,
                Some(Loaded::Failed(e)) => return failure(f, body, e, &v.source, "config"),
                Some(Loaded::Loading) | None => return loading(f, body, "fetching the config…"),
            };
            match section {
                Section::History => history(f, body, v, img, &config.config),
                Section::RawConfig => raw(f, body, v, &String::from_utf8_lossy(&config.bytes)),
                _ => summary(f, body, v, img, &config.config),
            }
        }
    }
}

fn loading(f: &mut Frame, area: Rect, what: &str) {
    f.render_widget(
        Paragraph::new(Line::styled(what.to_string(), theme().dim)),
        area,
    );
}

fn header_line(m: &Manifest) -> Line<'static> {
    let kind = match &m.kind {
        ManifestKind::Index(ix) => format!(
            "index of {}",
            crate::fmt::count(ix.manifests.len(), "platform")
        ),
        ManifestKind::Image(img) => format!(
            "image · {} · {}",
            crate::fmt::count(img.layers.len(), "layer"),
            size(content::total_size(img) as i64)
        ),
    };
    Line::from(vec![
        styled(m.digest.to_string(), theme().accent),
        Span::raw(format!("  {kind}  ")),
        styled(clean(&m.media_type), theme().dim),
    ])
}

fn tab_line(m: &Manifest, current: Section) -> Line<'static> {
    let mut spans = Vec::new();
    for s in content::sections(m) {
        let style = if *s == current {
            theme().selected
        } else {
            theme().dim
        };
        spans.push(Span::styled(format!(" {} ", s.title()), style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

/// Where the content would be: what went wrong, whether the session was anonymous, and what a
/// login would change.
fn failure(f: &mut Frame, area: Rect, e: &InspectError, source: &Source, what: &str) {
    let own = matches!(source, Source::Own { .. });
    let why = match (e.kind, e.anonymous) {
        (FailureKind::RateLimited, true) => format!(
            "The registry is rate-limiting this anonymous session (429 Too Many Requests), so the \
             {what} could not be read. public.ecr.aws allows anonymous pulls 1 per second and \
             logged-in pulls 10 per second: with AWS credentials (:login fetches the token), \
             the limit is ten times higher. r retries."
        ),
        (FailureKind::RateLimited, false) => format!(
            "The registry is rate-limiting this session even though it uses your AWS token (429 \
             Too Many Requests), so the {what} could not be read. Logging in again (:login) would \
             not raise the limit; wait a moment and press r to retry."
        ),
        (FailureKind::Denied, true) => format!(
            "The registry refused an anonymous pull of the {what} (not authorized): the \
             repository may not be public, or the registry may want a login. ecrp reads other \
             registries anonymously; repositories of your own registry are read with your AWS \
             token."
        ),
        (FailureKind::Denied, false) => format!(
            "The registry refused your AWS token for the {what} (not authorized). The token may \
             have expired (r retries with a new one), or the profile may lack \
             ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken, which :login needs \
             too."
        ),
        (FailureKind::NotFound, _) => format!(
            "The registry does not have this {what} (404): it may have been deleted since the \
             list was loaded. r retries."
        ),
        (FailureKind::Other, _) if own => {
            format!("The {what} could not be read through your registry's registry API. r retries.")
        }
        (FailureKind::Other, _) => format!("The {what} could not be read. r retries."),
    };
    let session = if e.anonymous {
        "session: anonymous"
    } else {
        "session: logged in with your AWS token"
    };
    let mut lines = vec![Line::styled(format!("✗ {why}"), theme().error)];
    lines.push(Line::default());
    lines.push(Line::styled(session.to_string(), theme().dim));
    lines.push(Line::styled(clean(&e.message), theme().dim));
    let wrapped: Vec<Line> = lines
        .into_iter()
        .flat_map(|l| {
            let style = l.style;
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            if text.is_empty() {
                return vec![Line::default()];
            }
            wrap(&text, area.width.max(1) as usize)
                .into_iter()
                .map(move |w| Line::styled(w, style))
                .collect()
        })
        .collect();
    f.render_widget(Paragraph::new(wrapped), area);
}

/// The first row of a window of `height` rows that keeps `pos` in view.
fn window_start(pos: usize, height: usize) -> usize {
    (pos + 1).saturating_sub(height.max(1))
}

fn row_style(selected: bool) -> (Style, &'static str) {
    if selected {
        (theme().selected, SELECTED_SYMBOL)
    } else {
        (Style::new(), "  ")
    }
}

fn column_header(f: &mut Frame, area: Rect, text: String) {
    f.render_widget(
        Paragraph::new(Line::styled(text, theme().column_header)),
        area,
    );
}

fn platforms(f: &mut Frame, area: Rect, v: &InspectorView, list: &[crate::registry::Descriptor]) {
    let [head, rows] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    column_header(
        f,
        head,
        format!(
            "  {:<22} {:<20} {:>10}  {}",
            "PLATFORM", "DIGEST", "SIZE", "MEDIA TYPE"
        ),
    );
    let height = rows.height as usize;
    v.page.set(height);
    let pos = v.node().pos().min(list.len().saturating_sub(1));
    let host = content::host_platform(list);
    let start = window_start(pos, height);
    let lines: Vec<Line> = list
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, d)| {
            let (style, sym) = row_style(i == pos);
            let p = d
                .platform
                .as_ref()
                .map(|p| clean(&p.to_string()))
                .unwrap_or_else(|| "(no platform)".into());
            let mine = if Some(i) == host {
                "  (this machine)"
            } else {
                ""
            };
            Line::styled(
                format!(
                    "{sym}{:<22} {:<20} {:>10}  {}{mine}",
                    ellipsis(p, 22),
                    short_digest(&d.digest),
                    size(d.size as i64),
                    clean(&d.media_type)
                ),
                style,
            )
        })
        .collect();
    f.render_widget(Paragraph::new(lines), rows);
}

fn history(
    f: &mut Frame,
    area: Rect,
    v: &InspectorView,
    img: &ImageManifest,
    config: &crate::registry::ImageConfig,
) {
    let rows = content::history(img, config, &v.query);
    let pos = v.node().pos().min(rows.len().saturating_sub(1));
    // The selected command in full, wrapped: build steps are often long shell lines.
    let body = rows.get(pos).map(|r| {
        let mut body = clean(r.created_by);
        if !r.comment.is_empty() {
            body.push_str(&format!("  # {}", clean(r.comment)));
        }
        wrap(&body, area.width.max(1) as usize)
    });
    let total = body.as_ref().map_or(0, Vec::len);
    // Open: as tall as the command needs, up to all but a header and three entries; closed: a
    // few rows, the rest behind `enter`.
    let detail_rows = if v.detail.open {
        let wanted = u16::try_from(total + 1).unwrap_or(u16::MAX);
        wanted.min(area.height.saturating_sub(4)).max(DETAIL_ROWS)
    } else {
        DETAIL_ROWS
    };
    let [head, list, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(detail_rows),
    ])
    .areas(area);
    column_header(
        f,
        head,
        format!(
            "  {:>3}  {:<20} {:>10}  {}",
            "#", "LAYER", "SIZE", "CREATED BY"
        ),
    );
    if rows.is_empty() {
        let msg = if v.query.is_empty() {
            "the config has no history"
        } else {
            "no history entry matches the filter"
        };
        return loading(f, list, msg);
    }
    let height = list.height as usize;
    v.page.set(height);
    let by_width = (list.width as usize).saturating_sub(2 + 3 + 2 + 20 + 1 + 10 + 2);
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(window_start(pos, height))
        .take(height)
        .map(|(i, r)| {
            let (style, sym) = row_style(i == pos);
            let (layer, sz) = match r.layer {
                Some(l) => (short_digest(&l.digest), size(l.size as i64)),
                None if r.empty => ("(empty)".to_string(), String::new()),
                None => ("(no layer)".to_string(), String::new()),
            };
            Line::styled(
                format!(
                    "{sym}{:>3}  {layer:<20} {sz:>10}  {}",
                    r.number,
                    ellipsis(clean(r.created_by), by_width)
                ),
                style,
            )
        })
        .collect();
    f.render_widget(Paragraph::new(lines), list);
    let r = &rows[pos];
    let room = (detail.height as usize).saturating_sub(1).max(1);
    let body = body.unwrap_or_default();
    let mut head_line = format!(
        "#{} {} {}",
        r.number,
        clean(r.created),
        r.layer.map(|l| clean(&l.digest)).unwrap_or_default()
    );
    let mut text: Vec<Line> = Vec::with_capacity(room + 1);
    if v.detail.open {
        let most = total.saturating_sub(room);
        v.detail.max_scroll.set(most);
        v.detail.page.set(room);
        let from = v.detail.scroll.min(most);
        if most > 0 {
            head_line.push_str(&format!(
                "  · lines {}–{} of {total} (pgup/pgdn)",
                from + 1,
                (from + room).min(total)
            ));
        }
        text.push(Line::styled(head_line, theme().dim));
        text.extend(body.into_iter().skip(from).take(room).map(Line::raw));
    } else {
        text.push(Line::styled(head_line, theme().dim));
        let cut = total > room;
        let shown = if cut { room - 1 } else { room };
        text.extend(body.into_iter().take(shown).map(Line::raw));
        if cut {
            text.push(Line::styled(
                format!("… {} more lines · enter: the whole command", total - shown),
                theme().dim,
            ));
        }
    }
    f.render_widget(Paragraph::new(text), detail);
}

fn layers(f: &mut Frame, area: Rect, v: &InspectorView, img: &ImageManifest) {
    let rows = content::layers(img);
    let [head, list, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(2),
    ])
    .areas(area);
    column_header(
        f,
        head,
        format!(
            "  {:>3}  {:<20} {:>10} {:>6}  {}",
            "#", "DIGEST", "SIZE", "SHARE", "MEDIA TYPE"
        ),
    );
    if rows.is_empty() {
        return loading(f, list, "the manifest lists no layers");
    }
    let height = list.height as usize;
    v.page.set(height);
    let pos = v.node().pos().min(rows.len() - 1);
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(window_start(pos, height))
        .take(height)
        .map(|(i, r)| {
            let (style, sym) = row_style(i == pos);
            Line::styled(
                format!(
                    "{sym}{:>3}  {:<20} {:>10} {:>5}%  {}",
                    r.number,
                    short_digest(&r.layer.digest),
                    size(r.layer.size as i64),
                    format!("{}.{}", r.permille / 10, r.permille % 10),
                    clean(&r.layer.media_type)
                ),
                style,
            )
        })
        .collect();
    f.render_widget(Paragraph::new(lines), list);
    let l = rows[pos].layer;
    f.render_widget(
        Paragraph::new(vec![
            Line::styled(clean(&l.digest), theme().dim),
            Line::styled(
                format!("{} bytes", crate::fmt::thousands(l.size as usize)),
                theme().dim,
            ),
        ]),
        detail,
    );
}

/// Label column of the config summary.
const LABEL_WIDTH: usize = 14;

fn summary(
    f: &mut Frame,
    area: Rect,
    v: &InspectorView,
    img: &ImageManifest,
    config: &crate::registry::ImageConfig,
) {
    let width = (area.width as usize).saturating_sub(LABEL_WIDTH).max(1);
    let mut lines = Vec::new();
    for l in content::summary(img, config, &v.query) {
        for (i, part) in wrap(&clean(&l.value), width).into_iter().enumerate() {
            let label = if i == 0 { l.label } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{label:<LABEL_WIDTH$}"), theme().label),
                Span::raw(part),
            ]));
        }
    }
    scrolled(f, area, v, Text::from(lines));
}

fn raw(f: &mut Frame, area: Rect, v: &InspectorView, json: &str) {
    scrolled(f, area, v, crate::highlight::json(json));
}

/// Text that scrolls by the node's offset; how far it can go is recorded for `update`.
fn scrolled(f: &mut Frame, area: Rect, v: &InspectorView, text: Text<'static>) {
    let height = area.height as usize;
    let max = text.lines.len().saturating_sub(height);
    v.max_scroll.set(max);
    v.page.set(height);
    let offset = v.node().pos().min(max);
    let lines: Vec<Line> = text.lines.into_iter().skip(offset).take(height).collect();
    f.render_widget(Paragraph::new(lines), area);
}
