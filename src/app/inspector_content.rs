//! What the inspector shows, derived from a manifest and its config: the platforms of an index,
//! the config summary, the history beside the layers it made, the layers with their share. Pure, so
//! `update` (cursor bounds, copying) and the view count the same rows. Strings stay as the registry
//! sent them here; the view sanitises every one before drawing.

use std::sync::Arc;

use crate::inspect::PlatformSpec;
use crate::registry::{Descriptor, ImageConfig, ImageManifest, Manifest, ManifestKind};

/// The parts of an inspected manifest, in `tab` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Platforms,
    Summary,
    History,
    Layers,
    RawManifest,
    RawConfig,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::Platforms => "platforms",
            Section::Summary => "config",
            Section::History => "history",
            Section::Layers => "layers",
            Section::RawManifest => "raw manifest",
            Section::RawConfig => "raw config",
        }
    }

    /// A list with a cursor (the others are text that scrolls).
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Section::Platforms | Section::History | Section::Layers
        )
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The sections an index has, and those an image has.
pub const INDEX_SECTIONS: &[Section] = &[Section::Platforms, Section::RawManifest];
pub const IMAGE_SECTIONS: &[Section] = &[
    Section::Summary,
    Section::History,
    Section::Layers,
    Section::RawManifest,
    Section::RawConfig,
];

pub fn sections(m: &Manifest) -> &'static [Section] {
    match m.kind {
        ManifestKind::Index(_) => INDEX_SECTIONS,
        ManifestKind::Image(_) => IMAGE_SECTIONS,
    }
}

/// An image's config blob: the exact bytes (for the raw view) and their parse.
#[derive(Debug)]
pub struct ConfigBlob {
    pub bytes: bytes::Bytes,
    pub config: ImageConfig,
}

/// One history entry and the layer it made (`None` for an empty layer, or when the history says
/// more layers were made than the manifest has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow<'a> {
    /// Position in the config's history, from 1.
    pub number: usize,
    pub created: &'a str,
    pub created_by: &'a str,
    pub comment: &'a str,
    pub empty: bool,
    pub layer: Option<&'a Descriptor>,
}

/// The history, each non-empty entry beside the layer it made (the n-th non-empty entry made the
/// n-th layer: that is how image builders write them), filtered by `query`.
pub fn history<'a>(
    image: &'a ImageManifest,
    config: &'a ImageConfig,
    query: &str,
) -> Vec<HistoryRow<'a>> {
    let mut layers = image.layers.iter();
    config
        .history
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let empty = h.empty_layer.unwrap_or(false);
            HistoryRow {
                number: i + 1,
                created: h.created.as_deref().unwrap_or(""),
                created_by: h.created_by.as_deref().unwrap_or(""),
                comment: h.comment.as_deref().unwrap_or(""),
                empty,
                layer: if empty { None } else { layers.next() },
            }
        })
        .filter(|r| matches(query, &[r.created_by, r.comment]))
        .collect()
}

/// One layer and its share of the image's compressed size, in tenths of a percent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRow<'a> {
    pub number: usize,
    pub layer: &'a Descriptor,
    pub permille: u64,
}

pub fn layers(image: &ImageManifest) -> Vec<LayerRow<'_>> {
    let total: u64 = image.layers.iter().map(|l| l.size).sum();
    image
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| LayerRow {
            number: i + 1,
            layer: l,
            permille: (l.size.saturating_mul(1000))
                .checked_div(total)
                .unwrap_or(0),
        })
        .collect()
}

pub fn total_size(image: &ImageManifest) -> u64 {
    image.layers.iter().map(|l| l.size).sum()
}

/// The index entry for this machine, which the platform list selects first.
pub fn host_platform(platforms: &[Descriptor]) -> Option<usize> {
    let host = PlatformSpec::host();
    platforms
        .iter()
        .position(|d| d.platform.as_ref().is_some_and(|p| host.matches(p)))
}

/// One line of the config summary: a label (empty for a continuation, e.g. the second env
/// variable) and a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryLine {
    pub label: &'static str,
    pub value: String,
}

/// The config summary: created, platform, user, working dir, entrypoint, cmd, env (filtered by
/// `query`), ports, volumes, labels, stop signal, and the manifest's annotations.
pub fn summary(image: &ImageManifest, config: &ImageConfig, query: &str) -> Vec<SummaryLine> {
    let mut out = Vec::new();
    let one =
        |out: &mut Vec<SummaryLine>, label, value: String| out.push(SummaryLine { label, value });
    let none = || "—".to_string();
    one(
        &mut out,
        "Created",
        config.created.clone().unwrap_or_else(none),
    );
    let platform = match (&config.os, &config.architecture) {
        (None, None) => none(),
        (os, arch) => {
            let mut p = format!(
                "{}/{}",
                os.as_deref().unwrap_or("?"),
                arch.as_deref().unwrap_or("?")
            );
            if let Some(v) = &config.variant {
                p.push('/');
                p.push_str(v);
            }
            p
        }
    };
    one(&mut out, "Platform", platform);
    if let Some(a) = &config.author {
        one(&mut out, "Author", a.clone());
    }
    let cc = config.config.clone().unwrap_or_default();
    let or_none = |v: &Option<String>| v.clone().filter(|s| !s.is_empty()).unwrap_or_else(none);
    one(&mut out, "User", or_none(&cc.user));
    one(&mut out, "Working dir", or_none(&cc.working_dir));
    one(&mut out, "Entrypoint", argv(&cc.entrypoint));
    one(&mut out, "Cmd", argv(&cc.cmd));
    let env: Vec<&String> = cc
        .env
        .iter()
        .flatten()
        .filter(|e| matches(query, &[e]))
        .collect();
    many(&mut out, "Env", env.into_iter().cloned(), !query.is_empty());
    many(
        &mut out,
        "Exposed ports",
        cc.exposed_ports.iter().flat_map(|m| m.keys().cloned()),
        false,
    );
    many(
        &mut out,
        "Volumes",
        cc.volumes.iter().flat_map(|m| m.keys().cloned()),
        false,
    );
    many(
        &mut out,
        "Labels",
        cc.labels
            .iter()
            .flat_map(|m| m.iter().map(|(k, v)| format!("{k}={v}"))),
        false,
    );
    one(&mut out, "Stop signal", or_none(&cc.stop_signal));
    one(
        &mut out,
        "Layers",
        format!(
            "{} · {}",
            crate::fmt::count(image.layers.len(), "layer"),
            crate::fmt::size(total_size(image) as i64)
        ),
    );
    many(
        &mut out,
        "Annotations",
        image
            .annotations
            .iter()
            .flat_map(|m| m.iter().map(|(k, v)| format!("{k}={v}"))),
        false,
    );
    out
}

/// A label with one value per line; "—" when there are none ("no match" under a filter).
fn many(
    out: &mut Vec<SummaryLine>,
    label: &'static str,
    values: impl Iterator<Item = String>,
    filtered: bool,
) {
    let start = out.len();
    for (i, v) in values.enumerate() {
        out.push(SummaryLine {
            label: if i == 0 { label } else { "" },
            value: v,
        });
    }
    if out.len() == start {
        let value = if filtered { "(no match)" } else { "—" };
        out.push(SummaryLine {
            label,
            value: value.into(),
        });
    }
}

/// An exec-form command as JSON shows it (`["nginx", "-g", "daemon off;"]`), so the boundaries of
/// each argument stay visible.
fn argv(v: &Option<Vec<String>>) -> String {
    match v {
        None => "—".into(),
        Some(args) => serde_json::to_string(args).unwrap_or_else(|_| "—".into()),
    }
}

/// Whether every word of `query` occurs in one of `fields`, ignoring case.
pub fn matches(query: &str, fields: &[&str]) -> bool {
    query.split_whitespace().all(|w| {
        let w = w.to_lowercase();
        fields.iter().any(|f| f.to_lowercase().contains(&w))
    })
}

/// The manifest as the raw views show it.
pub fn manifest_text(m: &Manifest) -> Arc<str> {
    String::from_utf8_lossy(&m.bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::History;

    fn desc(size: u64, n: u8) -> Descriptor {
        Descriptor {
            media_type: "application/vnd.oci.image.layer.v1.tar+gzip".into(),
            digest: format!("sha256:{}", format!("{n:02x}").repeat(32)),
            size,
            platform: None,
            annotations: None,
        }
    }

    fn image() -> ImageManifest {
        ImageManifest {
            config: desc(10, 0),
            layers: vec![desc(300, 1), desc(100, 2)],
            annotations: None,
        }
    }

    #[test]
    fn history_sits_beside_the_layers_it_made() {
        let h = |by: &str, empty| History {
            created_by: Some(by.into()),
            empty_layer: empty,
            ..Default::default()
        };
        let config = ImageConfig {
            history: Some(vec![
                h("ADD rootfs /", None),
                h("ENV A=1", Some(true)),
                h("RUN make", Some(false)),
            ]),
            ..Default::default()
        };
        let img = image();
        let rows = history(&img, &config, "");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].layer, Some(&img.layers[0]));
        assert!(rows[1].empty && rows[1].layer.is_none());
        assert_eq!(rows[2].layer, Some(&img.layers[1]));
        let filtered = history(&img, &config, "MAKE");
        assert_eq!(filtered.len(), 1);
        assert_eq!(filtered[0].number, 3);
        assert_eq!(
            filtered[0].layer,
            Some(&img.layers[1]),
            "kept beside its layer"
        );
    }

    #[test]
    fn layer_shares_add_up() {
        let img = image();
        let rows = layers(&img);
        assert_eq!(rows[0].permille, 750);
        assert_eq!(rows[1].permille, 250);
        let empty = ImageManifest {
            layers: vec![desc(0, 1)],
            ..image()
        };
        assert_eq!(layers(&empty)[0].permille, 0, "no division by zero");
    }

    #[test]
    fn env_is_filtered_and_commands_keep_their_arguments() {
        let config = ImageConfig {
            config: Some(crate::registry::ContainerConfig {
                env: Some(vec!["PATH=/bin".into(), "NGINX_VERSION=1.27".into()]),
                cmd: Some(vec!["nginx".into(), "-g".into(), "daemon off;".into()]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let s = summary(&image(), &config, "nginx");
        let env: Vec<_> = s
            .iter()
            .skip_while(|l| l.label != "Env")
            .take_while(|l| l.label == "Env" || l.label.is_empty())
            .collect();
        assert_eq!(env.len(), 1);
        assert_eq!(env[0].value, "NGINX_VERSION=1.27");
        let cmd = s.iter().find(|l| l.label == "Cmd").unwrap();
        assert_eq!(cmd.value, r#"["nginx","-g","daemon off;"]"#);
        let none = summary(&image(), &config, "zzz");
        assert!(
            none.iter()
                .any(|l| l.label == "Env" && l.value == "(no match)")
        );
    }
}
