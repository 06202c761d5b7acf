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

pub mod layout;

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
    push_plan(&api, &target, &uri, &layout, &plan, args).await
}

async fn push_plan(
    api: &Api,
    target: &PushTarget,
    uri: &str,
    layout: &Layout,
    plan: &Plan,
    args: &PushOptions,
) -> Result<()> {
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
    let digests: Vec<String> = plan.blobs.iter().map(|b| b.digest.clone()).collect();
    let present = api
        .available_layers(target, &digests)
        .await
        .context("BatchCheckLayerAvailability")?;
    let configs: HashSet<&str> = plan
        .images
        .iter()
        .flat_map(|i| &i.manifests)
        .filter_map(|m| m.blobs.first().map(|b| b.digest.as_str()))
        .collect();
    let kind = |d: &Descriptor| {
        if configs.contains(d.digest.as_str()) {
            "config"
        } else {
            "layer "
        }
    };
    let mut missing = Vec::new();
    for b in &plan.blobs {
        if present.contains(&b.digest) {
            note(format_args!(
                "  {} {}  {:>9}  exists, skipped",
                kind(b),
                short_digest(&b.digest),
                human(b.size)
            ));
        } else {
            missing.push(b);
        }
    }
    let uploaded_bytes: u64 = missing.iter().map(|b| b.size).sum();
    if args.dry_run {
        for b in &missing {
            note(format_args!(
                "  {} {}  {:>9}  would upload",
                kind(b),
                short_digest(&b.digest),
                human(b.size)
            ));
        }
    } else {
        let mut uploads = futures::stream::iter(missing.iter().copied())
            .map(|b| async move {
                let path = layout.blob_path(&b.digest)?;
                let parts = upload_blob(api, target, &path, b, kind(b), args.chunk_size)
                    .await
                    .with_context(|| {
                        format!("uploading {} {}", kind(b).trim(), short_digest(&b.digest))
                    })?;
                anyhow::Ok((b, parts))
            })
            .buffer_unordered(UPLOADS_IN_FLIGHT);
        while let Some(r) = uploads.next().await {
            let (b, parts) = r?;
            note(format_args!(
                "  {} {}  {:>9}  uploaded ({parts} part{})",
                kind(b),
                short_digest(&b.digest),
                human(b.size),
                if parts == 1 { "" } else { "s" }
            ));
        }
    }

    let mut put_done: HashSet<(String, Option<String>)> = HashSet::new();
    for image in &plan.images {
        let Some((top, children)) = image.manifests.split_last() else {
            continue;
        };
        for m in children
            .iter()
            .map(|m| (m, None))
            .chain([(top, Some(image.tag.as_str()))])
        {
            let (m, tag) = m;
            // An index's children may be shared between tags: put each once.
            if !put_done.insert((m.digest.clone(), tag.map(str::to_string))) {
                continue;
            }
            let what = match (&m.platform, m.is_index) {
                (_, true) => "index".to_string(),
                (Some(p), false) => format!("manifest {}", clean_line(p)),
                (None, false) => "manifest".to_string(),
            };
            let as_tag = tag
                .map(|t| format!(" as {}", clean_line(t)))
                .unwrap_or_default();
            let outcome = if args.dry_run {
                "would put".to_string()
            } else {
                let r = api
                    .put_image(target, &m.text, &m.media_type, tag, &m.digest)
                    .await
                    .with_context(|| format!("PutImage {what} {}", short_digest(&m.digest)))?;
                match r {
                    PutOutcome::Put => "put".to_string(),
                    PutOutcome::AlreadyExists => "already there".to_string(),
                }
            };
            note(format_args!(
                "  {what} {}{as_tag}  {}  {outcome}",
                short_digest(&m.digest),
                clean_line(&m.media_type)
            ));
        }
    }
    note(format_args!(
        "{} {} of {} blob(s) ({}); {} already in {}",
        if args.dry_run {
            "would upload"
        } else {
            "uploaded"
        },
        missing.len(),
        plan.blobs.len(),
        human(uploaded_bytes),
        plan.blobs.len() - missing.len(),
        target.repository
    ));
    let mut out = std::io::stdout().lock();
    for image in &plan.images {
        if let Some(top) = image.manifests.last() {
            writeln!(
                out,
                "{} {} {uri}:{}",
                if args.dry_run { "would push" } else { "pushed" },
                top.digest,
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
