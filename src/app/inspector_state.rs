//! The image inspector's state and messages: where the content comes from (the caller's own
//! registry, or any registry through a client the caller hands over), the manifests and configs
//! fetched so far (by digest, for the client generation that fetched them), and the open view.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

use super::inspector_content::{ConfigBlob, Section};
use crate::own_registry::OwnRegistry;
use crate::registry::{Descriptor, Manifest, Reference, RegistryClient, RegistryError};

/// A shared handle carried in messages and effects: equal when it is the same value (messages
/// compare in tests; manifests and clients are not compared field by field).
pub struct Shared<T>(pub Arc<T>);

impl<T> Shared<T> {
    pub fn new(v: T) -> Self {
        Shared(Arc::new(v))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared(..)")
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Where the inspected content lives.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A repository of the caller's own registry: reached with an AWS token (the task connects
    /// once per client generation and the connection is kept in `InspectorState`).
    Own {
        registry_id: Option<Box<str>>,
        repo: Box<str>,
        /// Where public.ecr.aws's registry API is (the emulator in `--demo`, `registry_url`).
        registry_url: Option<String>,
    },
    /// A repository of any registry, through a client the caller built (anonymous or not).
    Registry {
        reference: Reference,
        client: Shared<RegistryClient>,
    },
}

impl Source {
    /// The prefix of this source's cache keys.
    pub fn id(&self) -> String {
        match self {
            Source::Own { repo, .. } => format!("own/{repo}"),
            Source::Registry { reference, client } => {
                format!("{}{}", client.base(), reference.name)
            }
        }
    }
}

/// What a fetch asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// A manifest by tag or digest.
    Manifest(String),
    Config(Descriptor),
}

/// One registry read for the inspector.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectRequest {
    /// The AWS client generation that asked (answers for an older one are dropped).
    pub client: u64,
    pub source: Source,
    /// The own registry's connection when one is kept (else the task connects first).
    pub own: Option<Shared<OwnRegistry>>,
    pub key: Box<str>,
    pub part: Part,
}

/// Why a registry read failed, in the terms the view explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// 429 after the retries, or a Retry-After longer than ecrp waits.
    RateLimited,
    /// 401/403 or a token refused.
    Denied,
    /// 404 (MANIFEST_UNKNOWN, NAME_UNKNOWN, BLOB_UNKNOWN).
    NotFound,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectError {
    pub kind: FailureKind,
    /// The client's sentence (endpoint, status, the registry's codes); sanitised when drawn.
    pub message: String,
    /// The session had no credentials.
    pub anonymous: bool,
}

impl InspectError {
    pub fn from_registry(e: &RegistryError, anonymous: bool) -> Self {
        let kind = match e {
            RegistryError::TooManyRequests { .. } => FailureKind::RateLimited,
            RegistryError::Auth { .. } => FailureKind::Denied,
            _ => match e.status() {
                Some(401 | 403) => FailureKind::Denied,
                Some(404) => FailureKind::NotFound,
                _ => FailureKind::Other,
            },
        };
        InspectError {
            kind,
            message: e.to_string(),
            anonymous,
        }
    }
}

/// The inspector's answers.
#[derive(Debug, Clone, PartialEq)]
pub enum InspectorMsg {
    /// The own registry is reachable through the registry API (kept for later reads).
    Connected {
        client: u64,
        registry: Shared<OwnRegistry>,
    },
    Manifest {
        client: u64,
        key: Box<str>,
        result: Result<Shared<Manifest>, InspectError>,
    },
    Config {
        client: u64,
        key: Box<str>,
        result: Result<Shared<ConfigBlob>, InspectError>,
    },
}

/// A fetched value.
#[derive(Debug, Clone)]
pub enum Loaded<T> {
    Loading,
    Ready(T),
    Failed(InspectError),
}

/// One manifest on the way into an index: what it is, and where the user is in it.
#[derive(Debug, Clone)]
pub struct Node {
    /// Its key in the manifest cache.
    pub key: Box<str>,
    /// The tag or digest it is fetched by.
    pub target: String,
    /// The platform it was opened as, for an index's child.
    pub platform: Option<String>,
    pub section: Section,
    /// Cursor (lists) or scroll offset (text), per section.
    pub pos: [usize; 6],
}

impl Node {
    pub fn new(key: Box<str>, target: String, platform: Option<String>) -> Self {
        Node {
            key,
            target,
            platform,
            // Corrected to the first section of its kind once the manifest is known.
            section: Section::Summary,
            pos: [0; 6],
        }
    }

    pub fn pos(&self) -> usize {
        self.pos[self.section.index()]
    }

    pub fn set_pos(&mut self, p: usize) {
        self.pos[self.section.index()] = p;
    }
}

/// The open inspector.
#[derive(Debug)]
pub struct InspectorView {
    pub source: Source,
    /// What the header names (`repo:tag`, `host/name@digest`).
    pub title: String,
    /// Where a copied reference points (`public.ecr.aws/alias/repo`): `<this>@<digest>`.
    pub uri: String,
    /// The manifest opened first, then the platform chosen in it.
    pub stack: Vec<Node>,
    pub query: String,
    pub editing: bool,
    /// How far the open text section can scroll and how many rows a page is, as the last frame
    /// measured them (only drawing knows how tall wrapped text is).
    pub max_scroll: Cell<usize>,
    pub page: Cell<usize>,
    /// The selected history entry's command in full under the list.
    pub detail: Detail,
}

/// `enter` on a history entry gives its command most of the screen (build steps are often long
/// shell lines); `pgup`/`pgdn` scroll it when even that is too short.
#[derive(Debug, Default)]
pub struct Detail {
    pub open: bool,
    pub scroll: usize,
    /// How far it can scroll and how many rows it shows, as the last frame measured them.
    pub max_scroll: Cell<usize>,
    pub page: Cell<usize>,
}

impl InspectorView {
    pub fn node(&self) -> &Node {
        self.stack
            .last()
            .expect("the inspector has a node while open")
    }

    pub fn node_mut(&mut self) -> &mut Node {
        self.stack
            .last_mut()
            .expect("the inspector has a node while open")
    }
}

/// The inspector's feature state: its cache and connection, and the view when open.
#[derive(Debug, Default)]
pub struct InspectorState {
    /// The AWS client generation the connection and the cached own-registry content belong to.
    pub generation: u64,
    pub own: Option<Shared<OwnRegistry>>,
    pub manifests: HashMap<Box<str>, Loaded<Shared<Manifest>>>,
    pub configs: HashMap<Box<str>, Loaded<Shared<ConfigBlob>>>,
    pub view: Option<InspectorView>,
}

impl InspectorState {
    pub fn manifest(&self, key: &str) -> Option<&Loaded<Shared<Manifest>>> {
        self.manifests.get(key)
    }

    /// The open node's manifest, when it has arrived.
    pub fn current_manifest(&self) -> Option<&Manifest> {
        let v = self.view.as_ref()?;
        match self.manifests.get(&v.node().key)? {
            Loaded::Ready(m) => Some(m),
            _ => None,
        }
    }

    pub fn config_of(
        &self,
        source: &Source,
        config: &Descriptor,
    ) -> Option<&Loaded<Shared<ConfigBlob>>> {
        self.configs
            .get(config_key(source, &config.digest).as_str())
    }

    /// A read is on its way.
    pub fn fetching(&self) -> bool {
        self.manifests
            .values()
            .any(|l| matches!(l, Loaded::Loading))
            || self.configs.values().any(|l| matches!(l, Loaded::Loading))
    }

    pub fn filter_editing(&self) -> bool {
        self.view.as_ref().is_some_and(|v| v.editing)
    }
}

/// The cache key of a manifest (by tag or digest) or blob of a source.
pub fn manifest_key(source: &Source, target: &str) -> Box<str> {
    let sep = if target.contains(':') { '@' } else { ':' };
    format!("{}{sep}{target}", source.id()).into()
}

pub fn config_key(source: &Source, digest: &str) -> String {
    format!("{}#{digest}", source.id())
}
