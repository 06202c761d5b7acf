//! `ecrp push --via registry`: the same plan as the API path, through the registry API (OCI
//! distribution) at the repository's URI, the way `docker push` goes:
//!
//! 1. GetAuthorizationToken for the password; the registry client authenticates as
//!    `AWS:<password>` and asks for tokens scoped `repository:<alias>/<repo>:pull,push`.
//! 2. `HEAD /v2/<alias>/<repo>/blobs/<digest>` for every blob, a few at a time.
//! 3. The missing ones uploaded (`POST` then one `PUT`, or `PATCH` chunks and a `PUT`).
//! 4. `PUT /v2/<alias>/<repo>/manifests/<ref>`: an index's children by digest, then the index (or
//!    the single manifest) by tag, exact bytes, the registry's digest checked.
//!
//! `--registry-url` (ECRP_REGISTRY_URL, `registry_url`) maps public.ecr.aws elsewhere.

use std::collections::HashSet;

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use futures::StreamExt;

use super::layout::{Descriptor, Layout, Plan};
use super::{
    Kinds, PushOptions, UPLOADS_IN_FLIGHT, announce, finish, manifest_done, manifest_label,
    manifest_puts, missing_blobs, note, uploaded, would_upload,
};
use crate::aws::Api;
use crate::fmt::short_digest;
use crate::model::limits::{LAYER_PART_MAX_BYTES, LAYER_PART_MIN_BYTES, LAYER_PART_SIZE};
use crate::registry::{Credentials, Digest, Reference, RegistryClient, Secret, Target};
use crate::sanitize::clean_line;

/// Blob HEADs in flight at once: small requests, so more than uploads.
const CHECKS_IN_FLIGHT: usize = 8;

/// The registry client for the repository at `uri` (`public.ecr.aws/<alias>/<repo>`),
/// authenticated with GetAuthorizationToken's password; and the repository's registry API name.
async fn connect(
    api: &Api,
    uri: &str,
    registry_url: Option<&str>,
    read_only: bool,
) -> Result<(RegistryClient, String)> {
    let reference = Reference::parse(uri)
        .with_context(|| format!("the repository URI {:?}", clean_line(uri)))?;
    let token = crate::login::fetch(api)
        .await
        .context("GetAuthorizationToken for the registry API")?;
    let credentials = Credentials {
        username: crate::login::USERNAME.into(),
        password: Secret::new(token.password.expose()),
    };
    let client = crate::inspect::client_for(&reference, registry_url, Some(credentials))?
        .with_read_only(read_only);
    Ok((client, reference.name))
}

fn digest(d: &str) -> Result<Digest> {
    Digest::parse(d).map_err(|e| anyhow!("{d}: {e}"))
}

pub(super) async fn push(
    api: &Api,
    read_only: bool,
    uri: &str,
    layout: &Layout,
    plan: &Plan,
    args: &PushOptions,
    repository: &str,
) -> Result<()> {
    let (client, name) = connect(api, uri, args.registry_url.as_deref(), read_only).await?;
    note(format_args!(
        "registry API: {} as {}",
        clean_line(client.base().as_str()),
        clean_line(&name)
    ));
    announce(layout, plan);
    let (client, name) = (&client, name.as_str());
    let for_push = !args.dry_run;
    let mut checks = futures::stream::iter(&plan.blobs)
        .map(|b| async move {
            let there = client
                .blob_exists(name, &digest(&b.digest)?, for_push)
                .await
                .with_context(|| format!("checking blob {}", short_digest(&b.digest)))?;
            anyhow::Ok((b, there))
        })
        .buffer_unordered(CHECKS_IN_FLIGHT);
    let mut present = HashSet::new();
    while let Some(r) = checks.next().await {
        let (b, there) = r?;
        if there {
            present.insert(b.digest.as_str());
        }
    }
    let kinds = Kinds::of(plan);
    let missing = missing_blobs(plan, &kinds, |b| present.contains(b.digest.as_str()));
    if args.dry_run {
        would_upload(&kinds, &missing);
    } else {
        // The same part sizes as the API path: ECR takes 5–20 MiB chunks.
        let chunk = args
            .chunk_size
            .unwrap_or(LAYER_PART_SIZE)
            .clamp(LAYER_PART_MIN_BYTES, LAYER_PART_MAX_BYTES as u64);
        let kinds = &kinds;
        let mut uploads = futures::stream::iter(missing.iter().copied())
            .map(|b| async move {
                let parts = upload(client, name, layout, b, kinds.kind(b), chunk)
                    .await
                    .with_context(|| {
                        format!(
                            "uploading {} {}",
                            kinds.kind(b).trim(),
                            short_digest(&b.digest)
                        )
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
        let outcome = if args.dry_run {
            "would put"
        } else {
            let target = match tag {
                Some(t) => Target::Tag(t.to_string()),
                None => Target::Digest(digest(&m.digest)?),
            };
            let put = client
                .put_manifest(
                    name,
                    &target,
                    &m.media_type,
                    Bytes::from(m.text.clone().into_bytes()),
                )
                .await
                .with_context(|| {
                    format!("putting {} {}", manifest_label(m), short_digest(&m.digest))
                })?;
            if put.to_string() != m.digest {
                return Err(anyhow!(
                    "{}: the manifest's bytes hash to {put}, not {}",
                    layout.dir.display(),
                    m.digest
                ));
            }
            "put"
        };
        manifest_done(m, tag, outcome);
    }
    finish(plan, &missing, repository, uri, args.dry_run)
}

async fn upload(
    client: &RegistryClient,
    name: &str,
    layout: &Layout,
    b: &Descriptor,
    kind: &str,
    chunk: u64,
) -> Result<usize> {
    let path = layout.blob_path(&b.digest)?;
    let d = digest(&b.digest)?;
    if b.size > chunk {
        note(format_args!(
            "  {kind} {}  {:>9}  uploading in {} parts",
            short_digest(&b.digest),
            super::human(b.size),
            b.size.div_ceil(chunk)
        ));
    }
    let sent = client.upload_blob(name, &d, b.size, &path, chunk).await?;
    Ok(sent.max(1))
}
