//! The effect runner's side of editing: mutations through the client, the bulk delete, file
//! checks for form fields, $EDITOR without a terminal to suspend, and the draft writer.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;

use crate::app::msg::{Msg, Mutation};
use crate::aws::{Api, AwsError, ImageRef};
use crate::drafts::{DraftKind, Drafts};
use crate::fmt::thousands;
use crate::forms::catalog::logo_check;
use crate::forms::{PathCheck, Values};
use crate::model::limits::LOGO_MAX_BYTES;

pub use crate::aws::DELETE_CONCURRENCY;

/// Run one mutation.
pub async fn apply(api: &Api, op: &Mutation) -> Result<(), AwsError> {
    match op {
        Mutation::PutCatalog { repo, input } => {
            api.put_repository_catalog(repo, input).await.map(drop)
        }
        Mutation::PutRegistryName(name) => api.put_registry_display_name(name).await.map(drop),
        Mutation::CreateRepository(r) => api
            .create_repository(&r.name, r.catalog.as_ref(), &r.tags)
            .await
            .map(drop),
        Mutation::SetPolicy { repo, text, force } => api
            .set_repository_policy(repo, text, *force)
            .await
            .map(drop),
        Mutation::DeletePolicy { repo } => api.delete_repository_policy(repo).await.map(drop),
        Mutation::Tags { arn, delta } => {
            if !delta.tag.is_empty() {
                api.tag_resource(arn, &delta.tag).await?;
            }
            if !delta.untag.is_empty() {
                api.untag_resource(arn, &delta.untag).await?;
            }
            Ok(())
        }
        Mutation::DeleteRepository { name, force } => {
            api.delete_repository(name, *force).await.map(drop)
        }
        // Needs the registry API as well: the runner sends it to `super::retag`.
        Mutation::Retag { .. } => Err(AwsError::new(
            "Internal",
            "a retag is run by the retag effect, not as a plain API call",
        )),
    }
}

/// Delete `ids` in chunks of 100 with a few calls in flight, a `Deleted` per chunk, then
/// `DeleteEnded`. Once `stop` is set no further chunk starts; chunks already sent still report,
/// so every id is accounted for exactly once (deleted, failed, or never sent).
pub async fn delete_images(
    api: Api,
    repo: Box<str>,
    ids: Vec<ImageRef>,
    stop: Arc<AtomicBool>,
    tx: UnboundedSender<Msg>,
) {
    let total = ids.len();
    let mut outcomes =
        std::pin::pin!(api.delete_images_until(&repo, ids, DELETE_CONCURRENCY, stop));
    let mut sent = 0;
    while let Some(o) = outcomes.next().await {
        sent += o.requested;
        if tx.send(Msg::Deleted(o)).is_err() {
            return;
        }
    }
    let _ = tx.send(Msg::DeleteEnded {
        not_sent: total - sent,
    });
}

/// `~/` expanded, so a path typed as in a shell works.
fn expand(path: &str) -> std::path::PathBuf {
    let path = path.trim();
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::Path::new(&home).join(rest),
        _ => path.into(),
    }
}

/// Read and check a logo file; a file over the limit is refused from its size without reading.
pub fn check_logo(path: &str) -> PathCheck {
    let p = expand(path);
    match std::fs::metadata(&p) {
        Ok(m) if m.is_dir() => PathCheck::Err("cannot read: it is a directory".into()),
        Ok(m) if m.len() > LOGO_MAX_BYTES as u64 => PathCheck::Err(format!(
            "logo: {} / {} bytes",
            thousands(m.len() as usize),
            thousands(LOGO_MAX_BYTES)
        )),
        Ok(_) => logo_check(std::fs::read(&p)),
        Err(e) => logo_check(Err(e)),
    }
}

/// (registry, repository, kind): which draft a write is for.
type DraftKey = (Box<str>, Box<str>, DraftKind);

/// Writes drafts one at a time in the order asked; a write that a newer one for the same draft
/// has superseded is skipped, so typing fast costs one write per pause, not per key.
#[derive(Clone)]
pub struct DraftWriter {
    store: Option<Drafts>,
    order: Arc<tokio::sync::Mutex<()>>,
    latest: Arc<Mutex<HashMap<DraftKey, u64>>>,
    seq: Arc<AtomicU64>,
}

pub enum DraftOp {
    Save(Values),
    Remove,
}

impl DraftWriter {
    pub fn new(store: Option<Drafts>) -> Self {
        DraftWriter {
            store,
            order: Arc::new(tokio::sync::Mutex::new(())),
            latest: Arc::new(Mutex::new(HashMap::new())),
            seq: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn read_all(&self) -> Vec<crate::drafts::Draft> {
        self.store.as_ref().map(Drafts::list).unwrap_or_default()
    }

    /// A future that performs `op` in turn; `Err` says why the draft could not be kept.
    pub fn write(
        &self,
        registry: Box<str>,
        repo: Box<str>,
        kind: DraftKind,
        op: DraftOp,
    ) -> impl Future<Output = Result<(), String>> + Send + 'static {
        let me = self.clone();
        let key = (registry, repo, kind);
        let n = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        me.latest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.clone(), n);
        async move {
            let _turn = me.order.lock().await;
            let newest = me
                .latest
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&key)
                .copied();
            if newest != Some(n) {
                return Ok(());
            }
            let Some(store) = me.store.clone() else {
                return Err("drafts are off: no data directory (set ECRP_DATA_DIR)".into());
            };
            let (registry, repo, kind) = key;
            tokio::task::spawn_blocking(move || match op {
                DraftOp::Save(values) => store.save(&registry, &repo, kind, &values).map(drop),
                DraftOp::Remove => store.remove(&registry, &repo, kind),
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("could not keep the draft: {e}"))
        }
    }
}
