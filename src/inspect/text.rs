//! The text view of an inspection: summary, platforms, config, history and layers. Every string
//! from the registry goes through `clean_line` first.

use std::fmt::Write;

use crate::fmt::size;
use crate::registry::{ContainerConfig, ImageConfig, is_index_type};
use crate::sanitize::clean_line;

use super::{ImageView, Inspection};

/// `created_by` lines are shell commands that can run to pages; the JSON keeps them whole.
const CREATED_BY_MAX: usize = 160;

pub fn render(ins: &Inspection) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", clean_line(&ins.reference));
    field(&mut s, "Digest", &ins.top.digest.to_string());
    let kind = if is_index_type(&ins.top.media_type) {
        format!(
            " (index, {} platform{})",
            ins.platforms.len(),
            if ins.platforms.len() == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    field(
        &mut s,
        "Media type",
        &format!("{}{kind}", ins.top.media_type),
    );
    if !ins.platforms.is_empty() {
        let _ = writeln!(s, "\nPlatforms");
        let rows: Vec<[String; 3]> = ins
            .platforms
            .iter()
            .map(|d| {
                let p = d
                    .platform
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "(none)".into());
                [p, size(d.size as i64), d.digest.clone()]
            })
            .collect();
        table(&mut s, ["PLATFORM", "SIZE", "DIGEST"], &rows);
    }
    match &ins.image {
        Some(img) => image(&mut s, img, !ins.platforms.is_empty()),
        None if !ins.platforms.is_empty() => {
            let _ = writeln!(
                s,
                "\nNo image for this machine ({}); choose one with --platform OS/ARCH[/VARIANT].",
                super::PlatformSpec::host()
            );
        }
        None => {}
    }
    s
}

fn image(s: &mut String, img: &ImageView, from_index: bool) {
    if from_index {
        let p = img
            .platform
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default();
        let _ = writeln!(s, "\nImage {}", clean_line(&p));
        field(s, "Digest", &img.manifest.digest.to_string());
        field(s, "Media type", &img.manifest.media_type);
    }
    if let Some((_, config)) = &img.config {
        config_summary(s, config);
        history(s, config);
    }
    if let Some(a) = &img.image.annotations {
        list(s, "Annotations", a.iter().map(|(k, v)| format!("{k}={v}")));
    }
    let total: u64 = img.image.layers.iter().map(|l| l.size).sum();
    let _ = writeln!(
        s,
        "\nLayers ({}, {})",
        img.image.layers.len(),
        size(total as i64)
    );
    let rows: Vec<[String; 3]> = img
        .image
        .layers
        .iter()
        .map(|l| {
            let share = if total == 0 {
                0.0
            } else {
                l.size as f64 * 100.0 / total as f64
            };
            [
                size(l.size as i64),
                format!("{share:.1}%"),
                l.digest.clone(),
            ]
        })
        .collect();
    table(s, ["SIZE", "SHARE", "DIGEST"], &rows);
}

fn config_summary(s: &mut String, c: &ImageConfig) {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let platform = [opt(&c.os), opt(&c.architecture), opt(&c.variant)]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    field(s, "Platform", &platform);
    field(s, "Created", &opt(&c.created));
    if c.author.as_deref().is_some_and(|a| !a.is_empty()) {
        field(s, "Author", &opt(&c.author));
    }
    let cc = c.config.clone().unwrap_or_default();
    let ContainerConfig {
        user,
        working_dir,
        entrypoint,
        cmd,
        env,
        exposed_ports,
        volumes,
        labels,
        stop_signal,
    } = cc;
    field(s, "User", &user.unwrap_or_default());
    field(s, "Working dir", &working_dir.unwrap_or_default());
    // JSON array form: arguments with spaces stay distinguishable.
    let argv = |v: Option<Vec<String>>| {
        v.map(|a| serde_json::to_string(&a).unwrap_or_default())
            .unwrap_or_default()
    };
    field(s, "Entrypoint", &argv(entrypoint));
    field(s, "Cmd", &argv(cmd));
    list(s, "Env", env.unwrap_or_default().into_iter());
    let ports: Vec<String> = exposed_ports.unwrap_or_default().into_keys().collect();
    field(s, "Ports", &ports.join(", "));
    let vols: Vec<String> = volumes.unwrap_or_default().into_keys().collect();
    field(s, "Volumes", &vols.join(", "));
    list(
        s,
        "Labels",
        labels
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}")),
    );
    if let Some(sig) = stop_signal.filter(|x| !x.is_empty()) {
        field(s, "Stop signal", &sig);
    }
}

fn history(s: &mut String, c: &ImageConfig) {
    let Some(h) = &c.history else { return };
    let _ = writeln!(s, "\nHistory ({})", h.len());
    let rows: Vec<[String; 3]> = h
        .iter()
        .map(|e| {
            let mut by = e.created_by.clone().unwrap_or_default();
            if let Some(c) = e.comment.as_deref().filter(|c| !c.is_empty()) {
                by = if by.is_empty() {
                    format!("# {c}")
                } else {
                    format!("{by}  # {c}")
                };
            }
            let by = clean_line(&by);
            let by = if by.chars().count() > CREATED_BY_MAX {
                let mut t: String = by.chars().take(CREATED_BY_MAX).collect();
                t.push('…');
                t
            } else {
                by.into_owned()
            };
            let empty = if e.empty_layer == Some(true) {
                "empty"
            } else {
                ""
            };
            [e.created.clone().unwrap_or_default(), empty.to_string(), by]
        })
        .collect();
    table(s, ["CREATED", "LAYER", "CREATED BY"], &rows);
}

/// `  Label       value` (nothing for an empty value).
fn field(s: &mut String, label: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    let _ = writeln!(s, "  {label:<12}{}", clean_line(value));
}

/// A label with one value per line.
fn list(s: &mut String, label: &str, items: impl Iterator<Item = String>) {
    for (i, item) in items.enumerate() {
        let l = if i == 0 { label } else { "" };
        field(s, l, &item);
    }
}

/// Left-aligned columns, the last one unpadded; cells sanitised before measuring.
fn table<const N: usize>(s: &mut String, head: [&str; N], rows: &[[String; N]]) {
    let cells: Vec<[String; N]> = rows
        .iter()
        .map(|r| r.clone().map(|c| clean_line(&c).into_owned()))
        .collect();
    let mut widths = head.map(crate::sanitize::display_width);
    for r in &cells {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(crate::sanitize::display_width(c));
        }
    }
    let mut line = |r: [&str; N]| {
        let mut l = String::from("  ");
        for (i, c) in r.iter().enumerate() {
            l.push_str(c);
            if i + 1 < N {
                let pad = widths[i] - crate::sanitize::display_width(c) + 2;
                l.extend(std::iter::repeat_n(' ', pad));
            }
        }
        let _ = writeln!(s, "{}", l.trim_end());
    };
    line(head);
    for r in &cells {
        line(r.each_ref().map(String::as_str));
    }
}
