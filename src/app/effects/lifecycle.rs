//! The lifecycle view's tasks: plan (list every image, read the indexes through the registry API,
//! evaluate off the async threads), apply (journal first, then the plan's phases through the same
//! stoppable bulk delete as the images pane), restore from the journal, and the policy's file and
//! config I/O. Evaluation, journal and restore are `crate::lifecycle` and `crate::prune`'s.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;

use crate::app::effects::index_reads;
use crate::app::lifecycle_state::{LifecycleEffect, LifecycleMsg, Planned};
use crate::app::msg::Msg;
use crate::app::platforms::{self, Child, Parent};
use crate::aws::{Api, AwsError, DELETE_CONCURRENCY, ImageRef, ImageRow};
use crate::lifecycle::{self, ManifestSource};
use crate::own_registry::OwnRegistry;
use crate::prune::source::RegistrySource;
use crate::prune::{self, JournalMode, PruneOptions, journal};
use crate::registry::ImageIndex;

pub async fn run(
    api: Result<Api, AwsError>,
    effect: LifecycleEffect,
    stop: Arc<AtomicBool>,
    tx: UnboundedSender<Msg>,
) {
    let send = |m: LifecycleMsg| tx.send(Msg::Lifecycle(m)).is_ok();
    match effect {
        LifecycleEffect::Plan {
            generation,
            repo,
            registry_id,
            registry_url,
            policy,
            now,
        } => {
            let result = match api {
                Ok(api) => plan(&api, &repo, registry_id, registry_url, policy, now).await,
                Err(e) => Err(e.to_string()),
            };
            let result = result.map(Arc::new);
            send(LifecycleMsg::Planned { generation, result });
        }
        LifecycleEffect::Apply {
            repo,
            registry_id,
            registry_url,
            journal_dir,
            planned,
            now,
        } => {
            let total = planned.plan.totals.images;
            let api = match api {
                Ok(a) => a,
                Err(e) => {
                    send(LifecycleMsg::Journal(Err(e.to_string())));
                    let _ = tx.send(Msg::DeleteEnded { not_sent: total });
                    return;
                }
            };
            let o = PruneOptions {
                repositories: vec![repo.to_string()],
                policy: lifecycle::Policy { rules: vec![] },
                apply: true,
                journal: match journal_dir.or_else(journal::default_dir) {
                    Some(d) => JournalMode::Dir(d),
                    None => JournalMode::Off,
                },
                now,
                registry_id: registry_id.clone(),
            };
            // The undo comes first: without a journal nothing is deleted.
            let journalled = match (&o.journal, connect(&api, registry_id, registry_url).await) {
                (JournalMode::Off, _) => Err(
                    "no data directory for the journal (set ECRP_DATA_DIR); nothing deleted"
                        .to_string(),
                ),
                (_, Err(e)) => Err(format!(
                    "the registry API cannot be read ({e}), so the journal cannot hold the \
                     manifests; nothing deleted"
                )),
                (_, Ok(source)) => prune::apply::write_journal(
                    Some(&source as &dyn ManifestSource),
                    &o,
                    &repo,
                    &planned.rows,
                    &planned.plan,
                    planned.manifests.clone(),
                )
                .await
                .and_then(|p| p.ok_or_else(|| "no journal written; nothing deleted".into())),
            };
            match journalled {
                Ok(path) => {
                    send(LifecycleMsg::Journal(Ok(path)));
                }
                Err(e) => {
                    send(LifecycleMsg::Journal(Err(e)));
                    let _ = tx.send(Msg::DeleteEnded { not_sent: total });
                    return;
                }
            }
            let sent = delete_phases(&api, &repo, &planned, stop, &tx).await;
            let _ = tx.send(Msg::DeleteEnded {
                not_sent: total - sent,
            });
        }
        LifecycleEffect::Restore { journal } => {
            let result = match api {
                Ok(api) => {
                    // The per-image lines go to the report, not to a terminal the TUI owns.
                    let mut sink = Vec::new();
                    prune::restore::run(&api, &journal, &mut sink)
                        .await
                        .map_err(|e| format!("{e:#}"))
                        .and_then(|mut r| r.pop().ok_or_else(|| "empty journal".to_string()))
                }
                Err(e) => Err(e.to_string()),
            };
            send(LifecycleMsg::Restored(result));
        }
        LifecycleEffect::LoadFile { path } => {
            let p = crate::config::lifecycle::expand(&path);
            let result =
                tokio::task::spawn_blocking(move || crate::config::lifecycle::read_policy_file(&p))
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
            send(LifecycleMsg::Loaded { path, result });
        }
        LifecycleEffect::Save { config, repo, text } => {
            let result = match config {
                None => Err("no config file (no home directory): use --config FILE".to_string()),
                Some(path) => tokio::task::spawn_blocking(move || {
                    crate::config::lifecycle::save(&path, &repo, &text)
                        .map(|()| path.clone())
                        .map_err(|e| format!("{}: {e}", path.display()))
                })
                .await
                .unwrap_or_else(|e| Err(e.to_string())),
            };
            send(LifecycleMsg::Saved(result));
        }
    }
}

async fn connect(
    api: &Api,
    registry_id: Option<String>,
    registry_url: Option<String>,
) -> Result<RegistrySource, String> {
    OwnRegistry::connect(api, registry_id.as_deref(), registry_url.as_deref())
        .await
        .map(RegistrySource)
        .map_err(|e| crate::sanitize::clean_line(&format!("{e:#}")).into_owned())
}

async fn plan(
    api: &Api,
    repo: &str,
    registry_id: Option<String>,
    registry_url: Option<String>,
    policy: lifecycle::Policy,
    now: i64,
) -> Result<Planned, String> {
    let api = &api.clone().with_registry_id(registry_id.clone());
    let rows = list_unique(api, repo)
        .await
        .map_err(|e| format!("listing images: {e}"))?;
    // Without the registry API the plan still runs, conservatively: every untagged image of a
    // repository with indexes is kept, and the view says why.
    let has_index = rows.iter().any(|r| r.is_multi_arch());
    let (source, registry_note) = if has_index {
        match connect(api, registry_id, registry_url).await {
            Ok(s) => (Some(s), None),
            Err(e) => (None, Some(e)),
        }
    } else {
        (None, None)
    };
    let mut manifests = HashMap::new();
    let topology = prune::read_topology(
        source.as_ref().map(|s| s as &dyn ManifestSource),
        repo,
        &rows,
        &mut manifests,
    )
    .await;
    let unknown = rows
        .iter()
        .filter(|r| r.is_multi_arch() && !topology.children.contains_key(&r.image_digest))
        .count();
    // 100,000 images take longer than a frame: off the async threads.
    let (rows, plan, topology, manifests, parents) = tokio::task::spawn_blocking(move || {
        let plan = lifecycle::evaluate(&policy, &rows, &topology, now);
        let parents = parents_of(&rows, &topology, &manifests);
        (rows, plan, topology, manifests, parents)
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok(Planned {
        rows,
        plan,
        topology,
        manifests,
        registry_note,
        unknown,
        parents,
    })
}

/// Every image of `repo`, each digest once (a listing that names a digest twice would plan a
/// deletion twice). The pages are fetched by a task of their own, so the next request is on its
/// way while this one's rows are checked: the plan's own work hides behind the listing's waits.
async fn list_unique(api: &Api, repo: &str) -> Result<Vec<ImageRow>, AwsError> {
    /// Aborts the page task when the plan is dropped (a newer plan, the view closed).
    struct Lister(Option<tokio::task::JoinHandle<()>>);
    impl Drop for Lister {
        fn drop(&mut self) {
            if let Some(task) = &self.0 {
                task.abort();
            }
        }
    }
    // A few pages ahead at most: memory stays bounded if checking ever falls behind.
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let mut pages = api.images(repo, None);
    let mut lister = Lister(Some(tokio::spawn(async move {
        while let Some(page) = pages.next().await {
            let failed = page.is_err();
            if tx.send(page).await.is_err() || failed {
                return;
            }
        }
    })));
    let mut rows: Vec<ImageRow> = Vec::new();
    let mut seen = Unique::default();
    while let Some(page) = rx.recv().await {
        let page = page?;
        rows.reserve(page.rows.len());
        for r in page.rows {
            if seen.first(&rows, &r.image_digest) {
                rows.push(r);
            }
        }
    }
    // The pages stopped without an error: the task ended, or it panicked (then the listing is
    // not whole and must not be planned on).
    if let Some(task) = lister.0.take() {
        task.await
            .map_err(|e| AwsError::new("ListingFailed", format!("the listing task failed: {e}")))?;
    }
    Ok(rows)
}

/// Which digests a listing has named, without a copy of each: positions into the rows, found by
/// the digest's last 16 hex digits (64 random bits in a sha256), the strings compared only when
/// those meet. Other digests (not hex) are kept whole.
#[derive(Default)]
struct Unique {
    /// Hashed with the standard seeded hasher: a listing crafted to collide cannot make the map
    /// degrade (an identity hash of the tail would let it).
    by_tail: HashMap<u64, u32>,
    /// Digests whose tail another digest has, or that have no hex tail.
    others: HashSet<Box<str>>,
}

impl Unique {
    /// Whether `digest` is new; `rows` are the rows kept so far (the next one is `digest`'s).
    fn first(&mut self, rows: &[ImageRow], digest: &str) -> bool {
        let tail = digest
            .len()
            .checked_sub(16)
            .and_then(|at| digest.get(at..))
            .and_then(|t| u64::from_str_radix(t, 16).ok());
        let Some(tail) = tail else {
            return self.others.insert(digest.into());
        };
        match self.by_tail.entry(tail) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(rows.len() as u32);
                true
            }
            std::collections::hash_map::Entry::Occupied(e) => {
                *rows[*e.get() as usize].image_digest != *digest
                    && self.others.insert(digest.into())
            }
        }
    }
}

/// Which index lists each platform manifest, and for which platform: the topology has the
/// digests, the index manifests read for it name the platforms.
fn parents_of(
    rows: &[ImageRow],
    topology: &lifecycle::Topology,
    manifests: &HashMap<Box<str>, lifecycle::Manifest>,
) -> HashMap<Box<str>, Parent> {
    let indexes: Vec<(&ImageRow, Vec<Child>)> = rows
        .iter()
        .filter_map(|r| {
            let kids = topology.children.get(&r.image_digest)?;
            let named: HashMap<String, String> = manifests
                .get(&r.image_digest)
                .and_then(|m| serde_json::from_slice::<ImageIndex>(&m.bytes).ok())
                .map(|ix| {
                    ix.manifests
                        .iter()
                        .map(|c| (c.digest.clone(), index_reads::platform_of(c)))
                        .collect()
                })
                .unwrap_or_default();
            let children = kids
                .iter()
                .map(|k| Child {
                    digest: k.clone(),
                    platform: named.get(&**k).map_or("", String::as_str).into(),
                })
                .collect();
            Some((r, children))
        })
        .collect();
    platforms::parents(
        indexes
            .iter()
            .map(|(r, c)| (&*r.image_digest, &*r.image_tags, &c[..])),
    )
}

/// The plan's phases, each after the one before it (indexes before what they reference), each
/// through the stoppable bulk delete; every chunk's outcome goes to the app as `Msg::Deleted`.
/// A manifest whose index could not be deleted is not sent: the index still needs it. Returns how
/// many ids were sent (the rest were not). Only the indexes that list manifests are followed
/// per id; every other id costs what it costs in the images pane's bulk delete.
async fn delete_phases(
    api: &Api,
    repo: &str,
    planned: &Planned,
    stop: Arc<AtomicBool>,
    tx: &UnboundedSender<Msg>,
) -> usize {
    let rows = &planned.rows;
    let listed = &planned.topology.children;
    let mut blocked: HashSet<&str> = HashSet::new();
    let mut sent = 0;
    for phase in &planned.plan.phases {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let digests: Vec<&str> = phase
            .iter()
            .map(|&i| &*rows[i].image_digest)
            .filter(|d| !blocked.contains(d))
            .collect();
        // The indexes sent in this phase whose manifests wait for them, until confirmed gone.
        let mut pending: HashSet<&str> = digests
            .iter()
            .copied()
            .filter(|d| listed.contains_key(*d))
            .collect();
        let ids = digests
            .iter()
            .map(|d| ImageRef::Digest(d.to_string()))
            .collect();
        let mut stream =
            std::pin::pin!(api.delete_images_until(repo, ids, DELETE_CONCURRENCY, stop.clone()));
        while let Some(mut o) = stream.next().await {
            sent += o.requested;
            one_per_image(&mut o.deleted);
            if !pending.is_empty() {
                for d in o.deleted.iter().filter_map(|(d, _)| d.as_deref()) {
                    pending.remove(d);
                }
            }
            if tx.send(Msg::Deleted(o)).is_err() {
                return sent;
            }
        }
        // An index not confirmed gone (failed, unanswered or never sent) keeps its manifests.
        for d in pending {
            if let Some(kids) = listed.get(d) {
                blocked.extend(kids.iter().map(|k| &**k));
            }
        }
    }
    sent
}

/// The service names a deleted image once per tag; the report counts images, so that deleted +
/// failed + not sent adds up to the plan. Keeps the first entry of each digest.
fn one_per_image(deleted: &mut Vec<(Option<String>, Option<String>)>) {
    if deleted.len() < 2 {
        return;
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(deleted.len());
    let keep: Vec<bool> = deleted
        .iter()
        .map(|(d, _)| d.as_deref().is_none_or(|d| seen.insert(d)))
        .collect();
    if keep.iter().all(|k| *k) {
        return;
    }
    let mut keep = keep.into_iter();
    deleted.retain(|_| keep.next().unwrap_or(true));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(digests: &[&str]) -> Vec<String> {
        let mut rows: Vec<ImageRow> = Vec::new();
        let mut seen = Unique::default();
        for d in digests {
            if seen.first(&rows, d) {
                rows.push(ImageRow {
                    image_digest: (*d).into(),
                    image_tags: Box::new([]),
                    image_size_in_bytes: 0,
                    image_pushed_at: 0,
                    image_manifest_media_type: None,
                    artifact_media_type: None,
                });
            }
        }
        rows.iter().map(|r| r.image_digest.to_string()).collect()
    }

    #[test]
    fn each_digest_is_kept_once_whatever_its_tail() {
        let a = format!("sha256:{}", "a".repeat(64));
        let b = format!("sha256:{}", "b".repeat(64));
        // Same last 16 hex digits as `a`, another digest: kept, and its repeat is not.
        let a2 = format!("sha256:{}{}", "c".repeat(48), "a".repeat(16));
        // The same tail in capitals parses to the same number: still told apart by the string.
        let a3 = format!("sha256:{}{}", "c".repeat(48), "A".repeat(16));
        let odd = "sha256:not-hex-at-all";
        let short = "x";
        let listed = [
            &a[..],
            &b,
            &a,
            &a2,
            odd,
            &a2,
            &a3,
            short,
            odd,
            &b,
            short,
            &a3,
        ];
        assert_eq!(keep(&listed), [&a[..], &b, &a2, odd, &a3, short]);
    }
}
