//! Reading index manifests through the registry API for the images pane's multi-arch marks: one
//! authenticated connection to the caller's registry per client generation and registry
//! (DescribeRegistries for the alias and GetAuthorizationToken cost two round trips, so they are
//! not repeated per page of images), and a few manifests in flight at a time so a repository
//! with thousands of indexes neither floods the registry (which answers 429 past its rate) nor
//! the app.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::{Mutex, mpsc::UnboundedSender};

use crate::app::msg::{Answer, Msg};
use crate::app::platforms::Child;
use crate::aws::{Api, AwsError};
use crate::own_registry::OwnRegistry;
use crate::registry::{Descriptor, Digest, ManifestKind, Target};

/// Index manifests read at once.
pub const CONCURRENCY: usize = 4;

/// The connection, for the client generation and registry that made it.
pub type Connection = Arc<Mutex<Option<Connected>>>;

pub struct Connected {
    client: u64,
    registry_id: Option<Box<str>>,
    at: Instant,
    own: Arc<OwnRegistry>,
}

/// GetAuthorizationToken's token lasts 12 hours; a connection is renewed well before.
const RENEW_AFTER: Duration = Duration::from_secs(3600);

pub struct Request {
    pub client: u64,
    pub registry_id: Option<Box<str>>,
    pub registry_url: Option<String>,
    pub repo: Box<str>,
    pub digests: Vec<Box<str>>,
}

/// Read every index of `req`, answering each as it arrives; a failed connection answers every
/// digest with its reason.
pub async fn run(
    api: Result<Api, AwsError>,
    slot: Connection,
    req: Request,
    tx: UnboundedSender<Msg>,
) {
    let answer = |digest: Box<str>, result| Msg::Fetched {
        client: req.client,
        answer: Answer::IndexManifest { digest, result },
    };
    let own = match connect(api, &slot, &req).await {
        Ok(own) => own,
        Err(why) => {
            for d in req.digests.iter().cloned() {
                let _ = tx.send(answer(d, Err(why.clone())));
            }
            return;
        }
    };
    let name = own.name(&req.repo);
    let mut reads = futures::stream::iter(req.digests.iter().cloned())
        .map(|d| {
            let (own, name) = (own.clone(), name.clone());
            async move {
                let r = read(&own, &name, &d).await;
                (d, r)
            }
        })
        .buffer_unordered(CONCURRENCY);
    while let Some((d, r)) = reads.next().await {
        if tx.send(answer(d, r)).is_err() {
            return;
        }
    }
}

/// The connection for this client generation and registry, made once an hour (the lock is held
/// while connecting, so requests arriving together share one).
async fn connect(
    api: Result<Api, AwsError>,
    slot: &Connection,
    req: &Request,
) -> Result<Arc<OwnRegistry>, String> {
    let mut slot = slot.lock().await;
    if let Some(c) = slot.as_ref()
        && c.client == req.client
        && c.registry_id == req.registry_id
        && c.at.elapsed() < RENEW_AFTER
    {
        return Ok(c.own.clone());
    }
    let api = api.map_err(|e| e.to_string())?;
    let own = OwnRegistry::connect(
        &api,
        req.registry_id.as_deref(),
        req.registry_url.as_deref(),
    )
    .await
    .map(Arc::new)
    .map_err(|e| crate::profiles::one_line(&format!("{e:#}")))?;
    *slot = Some(Connected {
        client: req.client,
        registry_id: req.registry_id.clone(),
        at: Instant::now(),
        own: own.clone(),
    });
    Ok(own)
}

/// The manifests an index lists; none when the manifest is an image after all.
async fn read(own: &OwnRegistry, name: &str, digest: &str) -> Result<Vec<Child>, String> {
    let d = Digest::parse(digest)?;
    let m = own
        .client
        .get_manifest(name, &Target::Digest(d))
        .await
        .map_err(|e| crate::profiles::one_line(&e.to_string()))?;
    Ok(match m.kind {
        ManifestKind::Index(ix) => ix
            .manifests
            .into_iter()
            .take(crate::app::platforms::MAX_PLATFORMS)
            .map(|c| Child {
                platform: platform_of(&c).into(),
                digest: c.digest.into_boxed_str(),
            })
            .collect(),
        ManifestKind::Image(_) => Vec::new(),
    })
}

/// What a child is for: its platform, or "attestation" for the build attestations BuildKit
/// lists beside the platforms (with the platform unknown/unknown).
pub(crate) fn platform_of(c: &Descriptor) -> String {
    let attestation = c
        .annotations
        .as_ref()
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .is_some_and(|t| t == "attestation-manifest");
    if attestation {
        return "attestation".into();
    }
    c.platform
        .as_ref()
        .map(|p| p.to_string())
        .unwrap_or_default()
}
