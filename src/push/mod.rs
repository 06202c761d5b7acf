//! `ecrp push DIR REPO[:TAG]`: publish an image from an OCI image layout, the way docker's and
//! containerd's ECR pushers do it.
//!
//! 1. Read index.json and the manifests (module `layout`): a wrong tag fails before any request.
//! 2. DescribeRepositories for the pull URI (and a clear error when the repository is missing),
//!    then every blob's sha256 and size checked locally, so a corrupt layout fails before a
//!    byte is uploaded.
//! 3. BatchCheckLayerAvailability, 100 digests a call; upload only what is missing:
//!    InitiateLayerUpload → UploadLayerPart (parts of 5–20 MiB, the last may be smaller) →
//!    CompleteLayerUpload with the digest.
//! 4. PutImage with the manifest bytes as stored: an index's children first, by digest and
//!    untagged, then the index (or the single manifest) with the tag.
//!
//! Progress goes to stderr; stdout gets one line per pushed tag: the digest and the pull URI.
//!
//! `--via registry` replaces steps 3 and 4 with the registry API (OCI distribution), the path
//! `docker push` takes: module `registry_path`.

pub mod layout;
mod registry_path;

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use futures::StreamExt;
use tokio::io::AsyncReadExt;

use crate::aws::{self, Api, ClientOptions, PushTarget, PutOutcome};
use crate::fmt::{short_digest, size};
use crate::model::limits::{LAYER_PART_MAX_BYTES, LAYER_PART_MIN_BYTES, LAYER_PART_SIZE};
use crate::sanitize::clean_line;
use layout::{Descriptor, Layout, Plan};

/// Which plane carries the push.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Via {
    /// The ECR Public API (layer operations, PutImage): needs only API permissions, works with
    /// any endpoint.
    #[default]
    Api,
    /// The registry API at the repository's URI (what docker does): needs the registry alias.
    Registry,
}

/// What to push and how: built by the binary from its command line.
#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    /// The OCI image layout directory.
    pub dir: PathBuf,
    /// `REPO[:TAG]` as given (see [`parse_target`]).
    pub target: String,
    /// Push every tagged manifest, each under its own tag.
    pub all_tags: bool,
    /// Registry to push to instead of the caller's default.
    pub registry_id: Option<String>,
    /// Bytes per UploadLayerPart; `None` takes what InitiateLayerUpload advises.
    pub chunk_size: Option<u64>,
    /// Check and plan only: no upload, no PutImage.
    pub dry_run: bool,
    /// The ECR Public API or the registry API.
    pub via: Via,
    /// Where the registry API of public.ecr.aws is reached instead (`--via registry`).
    pub registry_url: Option<String>,
}

/// Blobs uploaded at once: docker uses a handful too; more mostly adds memory (a part each).
const UPLOADS_IN_FLIGHT: usize = 3;

/// `REPO[:TAG]` split at the last colon (repository names have none).
pub fn parse_target(s: &str) -> Result<(String, Option<String>)> {
    let (repo, tag) = match s.rsplit_once(':') {
        Some((r, t)) => (r, Some(t)),
        None => (s, None),
    };
    if repo.starts_with("public.ecr.aws/") || repo.contains('@') {
        bail!(
            "{s:?}: give the repository name (e.g. team/app), not an image URI; the registry is \
             the one your credentials own (or --registry-id)"
        );
    }
    if repo.is_empty() || tag == Some("") {
        bail!("{s:?}: expected REPO or REPO:TAG");
    }
    Ok((repo.to_string(), tag.map(str::to_string)))
}

fn note(line: impl std::fmt::Display) {
    // Not eprintln!: a closed stderr (a pipe to `head`) must not panic a push halfway.
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn human(bytes: u64) -> String {
    size(bytes.min(i64::MAX as u64) as i64)
}

pub async fn run(opts: &ClientOptions, read_only: bool, args: &PushOptions) -> Result<()> {
    let (client, _info) = aws::connect(opts).await;
    let api = Api::new(client, read_only);
    let (repository, tag) = parse_target(&args.target)?;
    if args.all_tags && tag.is_some() {
        bail!("--all-tags pushes every tag in the layout: give REPO without :TAG");
    }
    // Refused before the layout is even read: a dry run only reads, so it may run read-only.
    if !args.dry_run {
        api.check_can_push()?;
    }
    let target = PushTarget {
        registry_id: args.registry_id.clone(),
        repository,
    };
    let dir = args.dir.clone();
    let (tag_arg, all_tags) = (tag.clone(), args.all_tags);
    // Reading files is blocking work: keep it off the runtime's workers. Manifests first (small),
    // so a wrong tag fails before any request.
    let (layout, plan) = tokio::task::spawn_blocking(move || -> Result<(Layout, Plan)> {
        let layout = Layout::open(&dir)?;
        let plan = layout.plan(layout.select(tag_arg.as_deref(), all_tags)?)?;
        Ok((layout, plan))
    })
    .await??;
    // Before hashing gigabytes: a mistyped repository should not cost a pass over the layers.
    let uri = api
        .repository_uri(&target)
        .await
        .with_context(|| format!("repository {}", target.repository))?;
    let (check, blobs) = (layout.clone(), plan.blobs.clone());
    tokio::task::spawn_blocking(move || check.verify_blobs(&blobs)).await??;
    match args.via {
        Via::Api => push_plan(&api, &target, &uri, &layout, &plan, args).await,
        Via::Registry => {
            registry_path::push(
                &api,
                read_only,
                &uri,
                &layout,
                &plan,
                args,
                &target.repository,
            )
            .await
        }
    }
}

async fn push_plan(
    api: &Api,
    target: &PushTarget,
    uri: &str,
    layout: &Layout,
    plan: &Plan,
    args: &PushOptions,
) -> Result<()> {
    announce(layout, plan);
    let digests: Vec<String> = plan.blobs.iter().map(|b| b.digest.clone()).collect();
    let present = api
        .available_layers(target, &digests)
        .await
        .context("BatchCheckLayerAvailability")?;
    let kinds = Kinds::of(plan);
    let missing = missing_blobs(plan, &kinds, |b| present.contains(&b.digest));
    if args.dry_run {
        would_upload(&kinds, &missing);
    } else {
        let kinds = &kinds;
        let mut uploads = futures::stream::iter(missing.iter().copied())
            .map(|b| async move {
                let kind = kinds.kind(b);
                let path = layout.blob_path(&b.digest)?;
                let parts = upload_blob(api, target, &path, b, kind, args.chunk_size)
                    .await
                    .with_context(|| {
                        format!("uploading {} {}", kind.trim(), short_digest(&b.digest))
                    })?;
                anyhow::Ok((b, parts))
            })
            .buffer_unordered(UPLOADS_IN_FLIGHT);
        while let Some(r) = uploads.next().await {
            let (b, parts) = r?;
            uploaded(kinds, b, parts);
        }
    }

    for (m, tag) in manifest_puts(plan) {
        let what = manifest_label(m);
        let outcome = if args.dry_run {
            "would put"
        } else {
            let r = api
                .put_image(target, &m.text, &m.media_type, tag, &m.digest)
                .await
                .with_context(|| format!("PutImage {what} {}", short_digest(&m.digest)))?;
            match r {
                PutOutcome::Put => "put",
                PutOutcome::AlreadyExists => "already there",
            }
        };
        manifest_done(m, tag, outcome);
    }
    finish(plan, &missing, &target.repository, uri, args.dry_run)
}

/// The first progress line: what the layout holds for this push.
fn announce(layout: &Layout, plan: &Plan) {
    let manifests = plan
        .images
        .iter()
        .flat_map(|i| &i.manifests)
        .map(|m| &m.digest)
        .collect::<HashSet<_>>()
        .len();
    note(format_args!(
        "{}: {} tag(s), {manifests} manifest(s), {} blob(s), {}, sha256 verified",
        layout.dir.display(),
        plan.images.len(),
        plan.blobs.len(),
        human(plan.total_bytes())
    ));
}

/// Which blobs are configs (the first blob of each image manifest), for the progress lines.
struct Kinds(HashSet<String>);

impl Kinds {
    fn of(plan: &Plan) -> Kinds {
        Kinds(
            plan.images
                .iter()
                .flat_map(|i| &i.manifests)
                .filter_map(|m| m.blobs.first().map(|b| b.digest.clone()))
                .collect(),
        )
    }

    fn kind(&self, d: &Descriptor) -> &'static str {
        if self.0.contains(&d.digest) {
            "config"
        } else {
            "layer "
        }
    }
}

/// The blobs `present` says are not there yet; those that are get an "exists" line.
fn missing_blobs<'a>(
    plan: &'a Plan,
    kinds: &Kinds,
    present: impl Fn(&Descriptor) -> bool,
) -> Vec<&'a Descriptor> {
    let mut missing = Vec::new();
    for b in &plan.blobs {
        if present(b) {
            note(format_args!(
                "  {} {}  {:>9}  exists, skipped",
                kinds.kind(b),
                short_digest(&b.digest),
                human(b.size)
            ));
        } else {
            missing.push(b);
        }
    }
    missing
}

fn would_upload(kinds: &Kinds, missing: &[&Descriptor]) {
    for b in missing {
        note(format_args!(
            "  {} {}  {:>9}  would upload",
            kinds.kind(b),
            short_digest(&b.digest),
            human(b.size)
        ));
    }
}

fn uploaded(kinds: &Kinds, b: &Descriptor, parts: usize) {
    note(format_args!(
        "  {} {}  {:>9}  uploaded ({parts} part{})",
        kinds.kind(b),
        short_digest(&b.digest),
        human(b.size),
        if parts == 1 { "" } else { "s" }
    ));
}

/// The manifests to put, in order: each index's children by digest and untagged, then the index
/// (or the single manifest) with its tag; a child shared between tags once.
fn manifest_puts(plan: &Plan) -> Vec<(&layout::Manifest, Option<&str>)> {
    let mut done: HashSet<(&str, Option<&str>)> = HashSet::new();
    let mut out = Vec::new();
    for image in &plan.images {
        let Some((top, children)) = image.manifests.split_last() else {
            continue;
        };
        for (m, tag) in children
            .iter()
            .map(|m| (m, None))
            .chain([(top, Some(image.tag.as_str()))])
        {
            if done.insert((m.digest.as_str(), tag)) {
                out.push((m, tag));
            }
        }
    }
    out
}

fn manifest_label(m: &layout::Manifest) -> String {
    match (&m.platform, m.is_index) {
        (_, true) => "index".to_string(),
        (Some(p), false) => format!("manifest {}", clean_line(p)),
        (None, false) => "manifest".to_string(),
    }
}

fn manifest_done(m: &layout::Manifest, tag: Option<&str>, outcome: &str) {
    let as_tag = tag
        .map(|t| format!(" as {}", clean_line(t)))
        .unwrap_or_default();
    note(format_args!(
        "  {} {}{as_tag}  {}  {outcome}",
        manifest_label(m),
        short_digest(&m.digest),
        clean_line(&m.media_type)
    ));
}

/// The closing progress line, then stdout: one line per pushed tag, the digest and the pull URI.
fn finish(
    plan: &Plan,
    missing: &[&Descriptor],
    repository: &str,
    uri: &str,
    dry_run: bool,
) -> Result<()> {
    let uploaded_bytes: u64 = missing.iter().map(|b| b.size).sum();
    note(format_args!(
        "{} {} of {} blob(s) ({}); {} already in {}",
        if dry_run { "would upload" } else { "uploaded" },
        missing.len(),
        plan.blobs.len(),
        human(uploaded_bytes),
        plan.blobs.len() - missing.len(),
        clean_line(repository)
    ));
    let mut out = std::io::stdout().lock();
    for image in &plan.images {
        if let Some(top) = image.manifests.last() {
            writeln!(
                out,
                "{} {} {}:{}",
                if dry_run { "would push" } else { "pushed" },
                top.digest,
                clean_line(uri),
                clean_line(&image.tag)
            )?;
        }
    }
    Ok(())
}

/// One blob: InitiateLayerUpload, its bytes in parts, CompleteLayerUpload. Returns the part count.
async fn upload_blob(
    api: &Api,
    target: &PushTarget,
    path: &Path,
    blob: &Descriptor,
    kind: &str,
    chunk: Option<u64>,
) -> Result<usize> {
    if blob.size == 0 {
        bail!(
            "{}: empty blob; ECR refuses an upload without bytes",
            path.display()
        );
    }
    let (upload_id, advised) = api.initiate_layer_upload(target).await?;
    // The service's advice, unless the user chose; never outside the part limits.
    let chunk = chunk
        .or(advised.map(|a| a as u64))
        .unwrap_or(LAYER_PART_SIZE)
        .clamp(LAYER_PART_MIN_BYTES, LAYER_PART_MAX_BYTES as u64);
    let total = blob.size.div_ceil(chunk);
    if total > 1 {
        // A big layer takes a while: say it started, not only when it is done.
        note(format_args!(
            "  {kind} {}  {:>9}  uploading in {total} parts",
            short_digest(&blob.digest),
            human(blob.size)
        ));
    }
    let mut file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("{}: cannot open", path.display()))?;
    let (mut first, mut parts) = (0u64, 0usize);
    while first < blob.size {
        let n = chunk.min(blob.size - first) as usize;
        let mut buf = vec![0u8; n];
        file.read_exact(&mut buf)
            .await
            .with_context(|| format!("{}: changed while pushing", path.display()))?;
        api.upload_layer_part(target, &upload_id, first, buf)
            .await?;
        first += n as u64;
        parts += 1;
    }
    api.complete_layer_upload(target, &upload_id, &blob.digest)
        .await?;
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split_at_the_last_colon() {
        assert_eq!(
            parse_target("team/app:v1").unwrap(),
            ("team/app".into(), Some("v1".into()))
        );
        assert_eq!(parse_target("app").unwrap(), ("app".into(), None));
        assert!(
            parse_target("public.ecr.aws/acme/app:v1")
                .unwrap_err()
                .to_string()
                .contains("not an image URI")
        );
        assert!(parse_target("app:").is_err());
    }
}
