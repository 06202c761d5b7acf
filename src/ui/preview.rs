//! The preview of the selection: a registry's details, a repository's catalog, or every field of
//! an image or tag with the commands to pull it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Text};
use ratatui::widgets::{Paragraph, Wrap};

use super::images::{kind, tags_label};
use super::list::block;
use super::text::{clean, field, styled};
use super::theme::{CHECK, theme};
use crate::app::strings;
use crate::app::{App, Pane};
use crate::aws::{ImageRow, RegistryRow, RepoRow, TagRow};
use crate::config::DateFormat;
use crate::fmt::{absolute, relative, size, when};

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let inner_w = area.width.saturating_sub(2);
    let (title, text) = match app.pane {
        Pane::Registries => (
            strings::DETAILS,
            app.remote.registries.selected().map(|r| registry(app, r)),
        ),
        Pane::Repositories => (
            strings::CATALOG,
            app.remote
                .repos
                .selected()
                .map(|r| repository(app, r, inner_w)),
        ),
        Pane::Images => (
            strings::DETAILS,
            app.remote
                .images
                .selected()
                .zip(app.remote.repo.as_ref())
                .map(|(i, r)| image(app, r, i, inner_w)),
        ),
        Pane::Tags => (
            strings::DETAILS,
            app.remote
                .tags
                .selected()
                .zip(app.remote.repo.as_ref())
                .map(|(t, r)| tag(app, r, t, inner_w)),
        ),
    };
    let b = block(title.to_string(), false);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let text = text.unwrap_or_else(|| Text::styled(strings::NOTHING_SELECTED, theme().dim));
    // Catalog markdown is wrapped by the renderer; wrapping again only affects long field values.
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
}

fn registry(app: &App, r: &RegistryRow) -> Text<'static> {
    let mut lines = vec![
        field("Registry ID", clean(&r.registry_id)),
        field("URI", clean(&r.registry_uri)),
        field("ARN", clean(&r.registry_arn)),
        field(
            "Verified",
            if r.verified {
                format!("{CHECK} yes")
            } else {
                "no".into()
            },
        ),
    ];
    // GetRegistryCatalogData describes the caller's own registry, the one DescribeRegistries
    // lists first.
    let own = app.remote.registries.rows.first().map(|o| &o.registry_id) == Some(&r.registry_id);
    let name = match (&app.remote.display_name, &r.display_name) {
        (_, Some(d)) => Some(clean(d)),
        (Some(crate::app::Fetch::Ready(Some(d))), None) if own => Some(clean(d)),
        _ => None,
    };
    if let Some(d) = name {
        lines.push(field("Display name", d));
    }
    lines.push(Line::default());
    lines.push(Line::from(styled("Aliases", theme().label)));
    for a in &r.aliases {
        let mut flags = vec![clean(&a.status)];
        if a.primary_registry_alias {
            flags.push("primary".into());
        }
        if a.default_registry_alias {
            flags.push("default".into());
        }
        lines.push(Line::from(format!(
            "  {}  ({})",
            clean(&a.name),
            flags.join(", ")
        )));
    }
    Text::from(lines)
}

fn repository(app: &App, r: &RepoRow, width: u16) -> Text<'static> {
    let mut lines = vec![
        field("URI", clean(&r.repository_uri)),
        field(
            "Created",
            format!(
                "{} ({})",
                when(r.created_at, app.now, app.opts.config.date_format),
                absolute(r.created_at)
            ),
        ),
        Line::default(),
    ];
    lines.extend(super::catalog::fetched(app, &r.repository_name, width).lines);
    Text::from(lines)
}

/// The pull commands, each cut at the pane's width rather than at its space, so a command stays
/// in one piece when it fits and reads left to right when it does not.
fn pull_lines(repo: &RepoRow, tags: &[String], digest: &str, width: u16) -> Vec<Line<'static>> {
    let uri = clean(&repo.repository_uri);
    let mut lines = vec![Line::default(), Line::from(styled("Pull", theme().label))];
    let mut commands: Vec<String> = tags
        .iter()
        .map(|t| format!("docker pull {uri}:{t}"))
        .collect();
    commands.push(format!("docker pull {uri}@{}", clean(digest)));
    for c in commands {
        for chunk in chunks(&c, width as usize) {
            lines.push(Line::from(styled(chunk, theme().code)));
        }
    }
    lines
}

fn chunks(s: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut out = vec![String::new()];
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw > width.max(1) && w > 0 {
            out.push(String::new());
            w = 0;
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
        w += cw;
    }
    out
}

fn times(app: &App, label: &str, t: i64) -> Line<'static> {
    // Relative dates get the exact one beside them; absolute ones are already exact.
    match app.opts.config.date_format {
        DateFormat::Relative => field(label, format!("{} ({})", relative(t, app.now), absolute(t))),
        DateFormat::Absolute => field(label, absolute(t)),
    }
}

fn image(app: &App, repo: &RepoRow, i: &ImageRow, width: u16) -> Text<'static> {
    let mut lines = vec![field("Tags", tags_label(i))];
    if let Some(p) = app.remote.platforms.parent_of(&i.image_digest) {
        lines.push(field(
            "Part of",
            p.mark().trim_start_matches("↳ ").to_string(),
        ));
    }
    lines.extend([
        field("Digest", clean(&i.image_digest)),
        field(
            "Size",
            format!(
                "{} ({} bytes)",
                size(i.image_size_in_bytes),
                i.image_size_in_bytes
            ),
        ),
        times(app, "Pushed", i.image_pushed_at),
        field(
            "Manifest",
            i.image_manifest_media_type
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| "—".into()),
        ),
        field(
            "Artifact",
            i.artifact_media_type
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| "—".into()),
        ),
        field(
            "Kind",
            kind(
                i.image_manifest_media_type.as_deref(),
                i.artifact_media_type.as_deref(),
            ),
        ),
    ]);
    let tags: Vec<String> = i.image_tags.iter().map(|t| clean(t)).collect();
    lines.extend(pull_lines(repo, &tags, &i.image_digest, width));
    Text::from(lines)
}

fn tag(app: &App, repo: &RepoRow, t: &TagRow, width: u16) -> Text<'static> {
    let mut lines = vec![
        field("Tag", clean(&t.image_tag)),
        field("Digest", clean(&t.image_digest)),
        field(
            "Size",
            format!(
                "{} ({} bytes)",
                size(t.image_size_in_bytes),
                t.image_size_in_bytes
            ),
        ),
        times(app, "Pushed", t.image_pushed_at),
        times(app, "Tagged", t.created_at),
        field(
            "Manifest",
            t.image_manifest_media_type
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| "—".into()),
        ),
        field(
            "Artifact",
            t.artifact_media_type
                .as_deref()
                .map(clean)
                .unwrap_or_else(|| "—".into()),
        ),
    ];
    lines.extend(pull_lines(
        repo,
        &[clean(&t.image_tag)],
        &t.image_digest,
        width,
    ));
    Text::from(lines)
}
