//! `--seed demo` and `--seed empty`. Demo data comes from assets/demo/ (seed.json, markdown,
//! PNG logos, policies), embedded at build time. Dates are relative to now so "5 hours ago" stays
//! true. Every image is real content (module `content`): a config blob and small gzip tar layers
//! kept in the blob store, pushed through the same code as PutImage, so both planes agree on
//! digests, sizes and manifest lists, and any demo image can be pulled. The seed's `sizeMb` only
//! scales the layers' filler: real sizes are what the manifests declare.

use anyhow::{Context, Result, anyhow};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

use parking_lot::Mutex;

use super::Seed;
use super::catalog::{self, CatalogInput};
use super::content::{self, Layer, Platform};
use super::image::{self, PutImage};
use super::layer::add_blob;
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
    state.insert_repo(repo);
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
    let mut group = None;
    for (n, img) in images.iter().enumerate() {
        let pushed = now_ms - (img.hours_ago * HOUR_MS as f64) as i64;
        push(state, &mut group, r, n, img, pushed)
            .map_err(|e| anyhow!("image {n}: {}: {}", e.code, e.message))?;
    }
    Ok(())
}

const LAYER_MTIME: u64 = 1_700_000_000;

/// Layers depend only on their key (never on the clock), so they are built once per process:
/// tests start many demo emulators, and hashing the demo's layers is most of a seed's cost.
fn cached(key: String, make: impl FnOnce() -> Layer) -> Layer {
    static LAYERS: OnceLock<Mutex<HashMap<String, Layer>>> = OnceLock::new();
    let layers = LAYERS.get_or_init(Default::default);
    if let Some(l) = layers.lock().get(&key) {
        return l.clone();
    }
    let l = make();
    layers.lock().insert(key, l.clone());
    l
}

/// The layers of image `n` for one platform: a distribution base shared by every repository
/// on it, a runtime layer shared by the repository's images, then one to three layers of its own
/// (a long run of CI builds shares its application layer ten builds at a time, as builds of an
/// unchanged source would).
fn image_layers(r: &SeedRepo, n: usize, img: &SeedImage, platform: &str) -> Vec<Layer> {
    let family = if r.name.contains("debian") || r.name.starts_with("ml/") {
        "debian"
    } else {
        "alpine"
    };
    let base = cached(format!("base {family} {platform}"), || {
        let release = format!("NAME=\"{family}\"\nID={family}\nPLATFORM={platform}\n");
        let motd = format!("Welcome to the acme {family} base image ({platform}).\n");
        let files = [
            content::archive::File {
                path: "etc/os-release",
                bytes: release.as_bytes(),
            },
            content::archive::File {
                path: "etc/motd",
                bytes: motd.as_bytes(),
            },
        ];
        let l = content::layer(&files, LAYER_MTIME, String::new());
        let created_by = format!("/bin/sh -c #(nop) ADD file:{} in / ", &l.diff_id[7..]);
        Layer { created_by, ..l }
    });
    let runtime = cached(format!("runtime {} {platform}", r.name), || {
        let text = format!("runtime of {} for {platform}\n", r.name);
        let files = [content::archive::File {
            path: &format!("usr/local/lib/{}/runtime.txt", r.name),
            bytes: text.as_bytes(),
        }];
        content::layer(
            &files,
            LAYER_MTIME,
            format!("RUN /bin/sh -c install-runtime {} # buildkit", r.name),
        )
    });
    // A few hundred bytes to 16 KB, growing with the image's nominal size, so images differ.
    let (own, build, filler) = match &r.generate {
        Some(g) => (1, n / 10 * 10, (g.size_mb * 4.0) as usize),
        None => (
            1 + n % 3,
            n,
            ((img.size_mb * 4.0) as usize).clamp(64, 16_384) / (1 + n % 3),
        ),
    };
    let mut layers = vec![base, runtime];
    for k in 0..own {
        layers.push(cached(
            format!("app {} {build} {k} {filler} {platform}", r.name),
            || {
                let mut text = format!("{} build {build} part {k} for {platform}\n", r.name);
                while text.len() < filler {
                    text.push_str("0123456789abcdef ");
                }
                let path = format!("app/part-{k}.txt");
                let files = [content::archive::File {
                    path: &path,
                    bytes: text.as_bytes(),
                }];
                content::layer(
                    &files,
                    LAYER_MTIME,
                    format!("COPY app/part-{k}.txt /app/ # buildkit"),
                )
            },
        ));
    }
    layers
}

fn image_config(
    r: &SeedRepo,
    n: usize,
    img: &SeedImage,
    platform: &Platform,
    pushed: i64,
    layers: &[Layer],
) -> content::Blob {
    let bin = r.name.rsplit('/').next().unwrap_or(&r.name);
    let version = img
        .tags
        .first()
        .cloned()
        .unwrap_or_else(|| format!("build-{n}"));
    let serves = ["web", "api", "proxy"].iter().any(|s| r.name.contains(s));
    let spec = content::ConfigSpec {
        platform,
        created_ms: pushed,
        env: vec![
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
            format!("APP_VERSION={version}"),
        ],
        entrypoint: vec![format!("/usr/local/bin/{bin}")],
        cmd: vec![if serves { "serve" } else { "run" }.into()],
        working_dir: "/app",
        user: "10001:10001",
        ports: if serves { &["8080/tcp"] } else { &[] },
        volumes: if serves { &[] } else { &["/data"] },
        labels: vec![
            (
                "org.opencontainers.image.source",
                format!("https://github.com/acme/{}", r.name),
            ),
            ("org.opencontainers.image.version", version),
            ("build", n.to_string()),
        ],
        stop_signal: "SIGTERM",
    };
    content::config(&spec, layers)
}

/// Pushes one image: per platform a manifest over its stored config and layers, then an index
/// over them if there are several.
/// The config a run of CI builds shares, ten builds at a time: (group, platform, config).
type Group = Option<(usize, String, content::Blob)>;

fn push(
    state: &mut State,
    group: &mut Group,
    r: &SeedRepo,
    n: usize,
    img: &SeedImage,
    pushed: i64,
) -> Result<(), super::error::ApiError> {
    let format = if r.oci { content::OCI } else { content::DOCKER };
    let mut children = Vec::new();
    for name in &img.platforms {
        let platform = Platform::parse(name);
        let layers = image_layers(r, n, img, name);
        // A long CI run rebuilds an unchanged source: ten builds share layers and config and
        // differ by their manifest's version annotation (which also keeps the seed cheap).
        let config = match group {
            Some((g, p, c)) if r.generate.is_some() && *g == n / 10 && p == name => c.clone(),
            _ => {
                let c = image_config(r, n, img, &platform, pushed, &layers);
                if r.generate.is_some() {
                    *group = Some((n / 10, name.clone(), c.clone()));
                }
                c
            }
        };
        add_blob(state, &r.name, &config, format.config)?;
        for l in &layers {
            add_blob(state, &r.name, &l.blob, format.layer)?;
        }
        let version = r.generate.as_ref().map(|_| {
            img.tags
                .first()
                .cloned()
                .unwrap_or_else(|| format!("untagged #{n}"))
        });
        let manifest = content::manifest(format, &config, &layers, version.as_deref());
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
        children.push((manifest, platform, digest));
    }
    let head = if let [(_, _, digest)] = children.as_slice() {
        digest.clone()
    } else {
        let index = content::index(format, &children);
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
