//! `--apply`: the journal first, then the plan's phases through the bulk delete (chunks of 100,
//! several calls in flight), each phase after the one before it, so an index is gone before the
//! manifests it referenced are deleted. A manifest whose index could not be deleted is not sent:
//! the service would refuse it, and the index still needs it.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use futures::StreamExt;

use super::journal::{self, Journal, JournalImage};
use super::{JournalMode, PruneOptions, fetch_verified};
use crate::aws::DELETE_CONCURRENCY;
use crate::aws::{Api, ImageRef, ImageRow};
use crate::lifecycle::{Manifest, ManifestSource, Plan, Topology};

/// What `--apply` did in one repository; every planned image is in exactly one of `deleted`,
/// `failures` and `not_sent` (positions into the rows).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub journal: Option<PathBuf>,
    pub deleted: Vec<usize>,
    /// (position, failureCode, failureReason).
    pub failures: Vec<(usize, String, String)>,
    /// (position, why it was not sent).
    pub not_sent: Vec<(usize, String)>,
}

/// Manifest reads in flight while the journal is written.
const JOURNAL_CONCURRENCY: usize = 8;

/// The code recorded when the service's answer names an image neither deleted nor failed.
const NO_ANSWER: &str = "NoAnswer";

#[allow(clippy::too_many_arguments)]
pub async fn apply(
    api: &Api,
    source: Option<&dyn ManifestSource>,
    o: &PruneOptions,
    repo: &str,
    rows: &[ImageRow],
    plan: &Plan,
    topology: &Topology,
    manifests: HashMap<Box<str>, Manifest>,
) -> Result<Applied, String> {
    let mut applied = Applied {
        journal: write_journal(source, o, repo, rows, plan, manifests).await?,
        ..Default::default()
    };
    // Manifests of indexes that are still there.
    let mut blocked: HashMap<Box<str>, Box<str>> = HashMap::new();
    for phase in &plan.phases {
        let mut send = Vec::with_capacity(phase.len());
        for &i in phase {
            match blocked.get(&rows[i].image_digest) {
                Some(index) => applied.not_sent.push((
                    i,
                    format!("its index {index} was not deleted, and still references it"),
                )),
                None => send.push(i),
            }
        }
        let before = applied.failures.len();
        delete_phase(api, repo, rows, &send, &mut applied).await;
        for &(i, ..) in &applied.failures[before..] {
            if let Some(kids) = topology.children.get(&rows[i].image_digest) {
                for k in kids {
                    blocked
                        .entry(k.clone())
                        .or_insert_with(|| rows[i].image_digest.clone());
                }
            }
        }
    }
    Ok(applied)
}

/// Delete `send` (positions) in one bulk delete, recording each image's fate.
async fn delete_phase(
    api: &Api,
    repo: &str,
    rows: &[ImageRow],
    send: &[usize],
    applied: &mut Applied,
) {
    if send.is_empty() {
        return;
    }
    let ids: Vec<ImageRef> = send
        .iter()
        .map(|&i| ImageRef::Digest(rows[i].image_digest.to_string()))
        .collect();
    let mut stream = std::pin::pin!(api.delete_images(repo, ids, DELETE_CONCURRENCY));
    let mut deleted: HashSet<String> = HashSet::new();
    let mut failed: HashMap<String, (String, String)> = HashMap::new();
    while let Some(outcome) = stream.next().await {
        deleted.extend(outcome.deleted.into_iter().filter_map(|(d, _)| d));
        for (id, code, message) in outcome.failures {
            if let ImageRef::Digest(d) = id {
                failed.insert(d, (code, message));
            }
        }
    }
    for &i in send {
        let d = &*rows[i].image_digest;
        if deleted.contains(d) {
            applied.deleted.push(i);
        } else if let Some((code, message)) = failed.remove(d) {
            applied.failures.push((i, code, message));
        } else {
            applied.failures.push((
                i,
                NO_ANSWER.into(),
                "the service named this image neither deleted nor failed".into(),
            ));
        }
    }
}

/// The journal of everything the plan deletes, written before the first deletion. Any manifest
/// that cannot be read (or does not match its digest) stops the whole repository: an undo that
/// silently lacks images would be worse than none.
pub(crate) async fn write_journal(
    source: Option<&dyn ManifestSource>,
    o: &PruneOptions,
    repo: &str,
    rows: &[ImageRow],
    plan: &Plan,
    mut manifests: HashMap<Box<str>, Manifest>,
) -> Result<Option<PathBuf>, String> {
    let JournalMode::Dir(dir) = &o.journal else {
        return Ok(None);
    };
    let Some(source) = source else {
        return Err("no registry API client to journal the manifests; nothing deleted".into());
    };
    // One manifest per expiring image: read several at once (10,000 one after the other take
    // longer than deleting them), kept in the plan's order.
    let reads: Vec<_> = plan
        .apply_order()
        .map(|i| {
            let known = manifests.remove(&rows[i].image_digest);
            async move {
                let r = &rows[i];
                let m = match known {
                    Some(m) => m,
                    None => fetch_verified(source, repo, &r.image_digest)
                        .await
                        .map_err(|e| {
                            format!(
                                "journal: the manifest of {} could not be read ({e}); nothing \
                             deleted",
                                r.image_digest
                            )
                        })?,
                };
                Ok::<_, String>(JournalImage::new(
                    &r.image_digest,
                    &m.media_type,
                    &m.bytes,
                    &r.image_tags,
                ))
            }
        })
        .collect();
    let mut images = Vec::with_capacity(reads.len());
    let mut fetched = futures::stream::iter(reads).buffered(JOURNAL_CONCURRENCY);
    while let Some(image) = fetched.next().await {
        images.push(image?);
    }
    let j = Journal {
        format: journal::FORMAT.into(),
        created_at: o.now,
        registry_id: o.registry_id.clone(),
        repository_name: repo.to_string(),
        images,
    };
    let dir = dir.clone();
    let path = tokio::task::spawn_blocking(move || journal::write(&dir, &j))
        .await
        .map_err(|e| format!("journal: {e}"))?
        .map_err(|e| format!("journal could not be written ({e}); nothing deleted"))?;
    Ok(Some(path))
}
