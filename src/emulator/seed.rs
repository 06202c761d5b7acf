//! `--seed demo` and `--seed empty`. Demo data comes from assets/demo/ (seed.json, markdown,
//! PNG logos, policies), embedded at build time. Dates are relative to now so "5 hours ago" stays
//! true. Every image is pushed through the same code as PutImage, onto layers recorded as the
//! upload flow records them, so the data is consistent (digests, sizes, manifest lists).

use anyhow::{Context, Result, anyhow};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::Seed;
use super::catalog::{self, CatalogInput};
use super::image::{
    self, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST, PutImage,
};
use super::layer::add_layer;
use super::state::{Alias, Registry, Repository, State};

pub const DEMO_REGISTRY_ID: &str = "123456789012";
pub const DEMO_ALIAS: &str = "acme";

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

macro_rules! assets {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/", $name)) as &[u8])),*]
    };
}

/// Every file seed.json may name.
const FILES: &[(&str, &[u8])] = assets![
    "seed.json",
    "md/web-about.md",
    "md/web-usage.md",
    "md/api-about.md",
    "md/api-usage.md",
    "md/worker-about.md",
    "md/worker-usage.md",
    "md/cli-about.md",
    "md/cli-usage.md",
    "md/base-about.md",
    "md/base-usage.md",
    "md/ml-about.md",
    "md/ml-usage.md",
    "md/proxy-about.md",
    "md/proxy-usage.md",
    "md/agent-about.md",
    "md/agent-usage.md",
    "md/ci-about.md",
    "md/ci-usage.md",
    "policies/public-pull.json",
    "policies/team-push.json",
    "logos/web.png",
    "logos/api.png",
    "logos/worker.png",
    "logos/cli.png",
    "logos/base.png",
    "logos/ml.png",
    "logos/proxy.png",
    "logos/agent.png",
];

fn file(name: &str) -> Result<&'static [u8]> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
        .ok_or_else(|| anyhow!("demo asset {name} is not embedded"))
}

fn text(name: &str) -> Result<String> {
    String::from_utf8(file(name)?.to_vec())
        .with_context(|| format!("demo asset {name} is not UTF-8"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedFile {
    registry: SeedRegistry,
    repositories: Vec<SeedRepo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedRegistry {
    display_name: String,
    aliases: Vec<SeedAlias>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedAlias {
    name: String,
    status: String,
    primary: bool,
    default: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedRepo {
    name: String,
    created_days_ago: i64,
    #[serde(default)]
    oci: bool,
    description: Option<String>,
    about: Option<String>,
    usage: Option<String>,
    #[serde(default)]
    architectures: Vec<String>,
    #[serde(default)]
    operating_systems: Vec<String>,
    logo: Option<String>,
    policy: Option<String>,
    #[serde(default)]
    tags: Vec<(String, String)>,
    #[serde(default)]
    images: Vec<SeedImage>,
    generate: Option<Generate>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedImage {
    #[serde(default)]
    tags: Vec<String>,
    hours_ago: f64,
    #[serde(default = "default_platforms")]
    platforms: Vec<String>,
    size_mb: f64,
}

/// A long run of CI builds: `count` images, one every `every_hours`, newest `newest_hours_ago`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Generate {
    count: usize,
    tag_prefix: String,
    every_hours: f64,
    newest_hours_ago: f64,
    size_mb: f64,
    /// Every n-th build stays untagged (superseded nightly builds).
    untagged_every: usize,
}

fn default_platforms() -> Vec<String> {
    vec!["linux/amd64".into()]
}

pub fn build(seed: Seed, now_ms: i64) -> Result<State> {
    let spec: SeedFile =
        serde_json::from_slice(file("seed.json")?).context("parsing assets/demo/seed.json")?;
    let registry = Registry {
        id: DEMO_REGISTRY_ID.into(),
        verified: true,
        aliases: spec
            .registry
            .aliases
            .iter()
            .map(|a| Alias {
                name: a.name.clone(),
                status: a.status.clone(),
                primary: a.primary,
                default: a.default,
            })
            .collect(),
        display_name: Some(spec.registry.display_name.clone()),
    };
    let mut state = State::new(registry);
    if seed == Seed::Empty {
        // The registry exists with its alias, but nothing in it has been named or pushed yet.
        state.registry.display_name = None;
        return Ok(state);
    }
    for repo in &spec.repositories {
        add_repo(&mut state, repo, now_ms)
            .with_context(|| format!("seeding repository {}", repo.name))?;
    }
    Ok(state)
}

fn add_repo(state: &mut State, r: &SeedRepo, now_ms: i64) -> Result<()> {
    let mut repo = Repository::new(r.name.clone(), now_ms - r.created_days_ago * DAY_MS);
    repo.tags = r.tags.clone();
    repo.policy = r.policy.as_deref().map(text).transpose()?;
    state.repos.insert(r.name.clone(), repo);
    let cat = CatalogInput {
        description: r.description.clone(),
        architectures: (!r.architectures.is_empty()).then(|| r.architectures.clone()),
        operating_systems: (!r.operating_systems.is_empty()).then(|| r.operating_systems.clone()),
        logo: r
            .logo
            .as_deref()
            .map(|l| file(l).map(<[u8]>::to_vec))
            .transpose()?,
        about_text: r.about.as_deref().map(text).transpose()?,
        usage_text: r.usage.as_deref().map(text).transpose()?,
    };
    catalog::apply(state, &r.name, cat).map_err(|e| anyhow!("{}: {}", e.code, e.message))?;

    let mut images = r.images.clone();
    if let Some(g) = &r.generate {
        for i in 0..g.count {
            let tagged = g.untagged_every == 0 || i % g.untagged_every != g.untagged_every - 1;
            images.push(SeedImage {
                tags: if tagged {
                    vec![format!("{}{}", g.tag_prefix, i + 1)]
                } else {
                    vec![]
                },
                hours_ago: g.newest_hours_ago + (g.count - 1 - i) as f64 * g.every_hours,
                platforms: default_platforms(),
                size_mb: g.size_mb + (i % 7) as f64 * 0.3,
            });
        }
    }
    // Oldest first, so a tag reused by a newer image moves to it as it would have in real life.
    images.sort_by(|a, b| b.hours_ago.total_cmp(&a.hours_ago));
    for (n, img) in images.iter().enumerate() {
        let pushed = now_ms - (img.hours_ago * HOUR_MS as f64) as i64;
        push(state, r, n, img, pushed)
            .map_err(|e| anyhow!("image {n}: {}: {}", e.code, e.message))?;
    }
    Ok(())
}

fn sha(s: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(s.as_bytes())))
}

/// Pushes one image: per platform a manifest over recorded layers, then an index if several.
fn push(
    state: &mut State,
    r: &SeedRepo,
    n: usize,
    img: &SeedImage,
    pushed: i64,
) -> Result<(), super::error::ApiError> {
    let (manifest_type, config_type, layer_type, index_type) = if r.oci {
        (
            OCI_MANIFEST,
            "application/vnd.oci.image.config.v1+json",
            "application/vnd.oci.image.layer.v1.tar+gzip",
            OCI_INDEX,
        )
    } else {
        (
            DOCKER_MANIFEST,
            "application/vnd.docker.container.image.v1+json",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            DOCKER_MANIFEST_LIST,
        )
    };
    let total = (img.size_mb * 1_000_000.0) as i64;
    let mut children = Vec::new();
    for platform in &img.platforms {
        let (os, arch) = platform.split_once('/').unwrap_or(("linux", platform));
        let (arch, variant) = arch
            .split_once('/')
            .map_or((arch, None), |(a, v)| (a, Some(v)));
        let config = format!(
            r#"{{"architecture":"{arch}","os":"{os}","created":"{pushed}","config":{{"Labels":{{"org.opencontainers.image.source":"https://github.com/acme/{}","build":"{n}"}}}}}}"#,
            r.name
        );
        let config_digest = sha(&config);
        add_layer(
            state,
            &r.name,
            &config_digest,
            config.len() as i64,
            config_type,
        )?;
        // Three to five layers: a shared base plus image-specific ones.
        let count = 3 + (n % 3);
        let mut layers = Vec::new();
        for k in 0..count {
            let base = k == 0;
            let digest = if base {
                sha(&format!("{}/{platform}/base", r.name))
            } else {
                sha(&format!("{}/{n}/{platform}/{k}", r.name))
            };
            let size = if base {
                total / 2
            } else {
                total / 2 / (count as i64 - 1)
            };
            add_layer(state, &r.name, &digest, size, layer_type)?;
            layers.push(format!(
                r#"{{"mediaType":"{layer_type}","size":{size},"digest":"{digest}"}}"#
            ));
        }
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{manifest_type}","config":{{"mediaType":"{config_type}","size":{},"digest":"{config_digest}"}},"layers":[{}]}}"#,
            config.len(),
            layers.join(",")
        );
        let single = img.platforms.len() == 1;
        let tag = img.tags.first().filter(|_| single).map(String::as_str);
        let (digest, _) = image::put_image(
            state,
            PutImage {
                repo: &r.name,
                manifest: &manifest,
                media_type: None,
                tag,
                digest: None,
            },
            pushed,
        )?;
        children.push((
            digest,
            manifest.len(),
            os.to_string(),
            arch.to_string(),
            variant.map(str::to_string),
        ));
    }
    let head = if img.platforms.len() == 1 {
        children[0].0.clone()
    } else {
        let entries: Vec<String> = children
            .iter()
            .map(|(d, len, os, arch, variant)| {
                let variant = variant.as_ref().map(|v| format!(r#","variant":"{v}""#)).unwrap_or_default();
                format!(r#"{{"mediaType":"{manifest_type}","size":{len},"digest":"{d}","platform":{{"architecture":"{arch}","os":"{os}"{variant}}}}}"#)
            })
            .collect();
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"{index_type}","manifests":[{}]}}"#,
            entries.join(",")
        );
        let tag = img.tags.first().map(String::as_str);
        image::put_image(
            state,
            PutImage {
                repo: &r.name,
                manifest: &index,
                media_type: None,
                tag,
                digest: None,
            },
            pushed,
        )?
        .0
    };
    let repo = state.repo_mut(&r.name)?;
    for extra in img.tags.iter().skip(1) {
        repo.place_tag(extra, &head, pushed);
    }
    Ok(())
}
