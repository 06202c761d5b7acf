//! `ecrp emulator`: a faithful ECR Public server on loopback (awsJson1.1 over HTTP).
//!
//! `start` binds, spawns the server on the current tokio runtime and returns a handle;
//! `Emulator::shutdown` stops it gracefully. Constraints come from [`crate::model`] (shared with the
//! client); the operations in modules named after their domain, listed in [`ops::OPERATIONS`].
//!
//! Design notes:
//! - One registry (id [`DEMO_REGISTRY_ID`], default alias [`DEMO_ALIAS`]) behind one lock; every
//!   operation runs atomically under it, and a mutation is persisted (with `--data-dir` or
//!   `--state`) before the answer is sent.
//! - Lists are walked by key so page tokens survive deletions: repositories by name, images newest
//!   push first (ties by digest), image tags by name, registries by id.
//! - A request without a SigV4 Authorization header is refused; any access key is accepted unless
//!   `verify_sigv4` is set, then signatures are checked as AWS checks them (module `sigv4`).
//! - The registry API (module `distribution`, the OCI distribution spec) is served on the same
//!   address over the same state; layer and config bytes live in the blob store (`blobstore`).
//! - Injected faults (module `faults`) are decided when a request arrives, before it can change state.
//! - It listens on loopback unless `allow_remote` is set: without `verify_sigv4` anyone who can
//!   reach the port can change the state.

mod blobstore;
mod catalog;
mod content;
mod ctx;
mod delete;
mod describe;
mod distribution;
pub mod error;
mod faults;
mod image;
mod input;
mod layer;
pub mod limits;
pub mod ops;
mod pagination;
mod persist;
mod policy;
mod quota;
mod registry;
mod repository;
mod seed;
mod server;
mod sigv4;
mod state;
mod store;
mod synthetic;
mod tags;
#[cfg(test)]
mod testutil;
pub mod validate;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use parking_lot::Mutex;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use distribution::{Config as RegistryOptions, RateSpec};
pub use faults::FaultSpec;
pub use quota::Quotas;
pub use seed::{DEMO_ALIAS, DEMO_REGISTRY_ID};
pub use sigv4::SigV4Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    #[default]
    Demo,
    Empty,
}

#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    pub addr: SocketAddr,
    pub seed: Seed,
    /// Repositories to add with that many tagged images each (`--synthetic REPO=COUNT`).
    pub synthetic: Vec<(String, usize)>,
    /// Load from this file if it exists (the seed is then ignored) and save after every mutation.
    pub state_file: Option<PathBuf>,
    /// Keep the state in this directory (a database and blob files), loading it if it holds
    /// one (the seed is then ignored); each mutation writes only what it changed.
    pub data_dir: Option<PathBuf>,
    /// A fixed "now" in epoch seconds: seed dates are relative to it and every timestamp the
    /// server writes uses it, so screens rendered from the data are identical on every run.
    pub clock: Option<i64>,
    /// Injected faults (`--faults`), decided per request before the operation runs.
    pub faults: Option<FaultSpec>,
    /// Seed for the fault decisions (`--fault-seed`); without it every run differs.
    pub fault_seed: Option<u64>,
    /// Check AWS Signature V4 on every request with this key (`--verify-sigv4`); without it any
    /// access key is accepted.
    pub verify_sigv4: Option<SigV4Key>,
    /// The registry API's options (blob redirects, pull rate limits, upload timeout).
    pub registry: RegistryOptions,
    /// Lifetime of GetAuthorizationToken passwords and registry tokens (12 hours by default).
    pub token_ttl_secs: Option<i64>,
    /// Service quotas (`--quota`); the documented defaults unless overridden.
    pub quotas: Quotas,
    /// Serve on an address other than loopback (`--allow-remote`). Without it `start` refuses
    /// such an address: the emulator is a test server whose state anyone reaching it can change.
    pub allow_remote: bool,
}

impl EmulatorOptions {
    fn now_ms(&self) -> i64 {
        self.clock.map_or_else(ctx::now_ms, |secs| secs * 1000)
    }
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: Seed::Demo,
            synthetic: Vec::new(),
            state_file: None,
            data_dir: None,
            clock: None,
            faults: None,
            fault_seed: None,
            verify_sigv4: None,
            registry: RegistryOptions::default(),
            token_ttl_secs: None,
            quotas: Quotas::default(),
            allow_remote: false,
        }
    }
}

pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Emulator {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests received per operation name (from X-Amz-Target), counted even when they fail.
    pub fn op_counts(&self) -> BTreeMap<String, u64> {
        self.shared.counts.lock().clone()
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the server.
    pub async fn shutdown(self) {
        // The receiver is gone only if the server already stopped, which is the goal anyway.
        let _ = self.stop.send(());
        let mut task = self.task;
        // Clients holding connections open must not keep us waiting for ever.
        match tokio::time::timeout(std::time::Duration::from_secs(5), &mut task).await {
            Ok(Err(e)) => tracing::error!("emulator task ended abnormally: {e}"),
            Ok(Ok(())) => {}
            Err(_) => {
                tracing::warn!("emulator connections still open after 5 s; closing them");
                task.abort();
            }
        }
    }
}

/// Builds the initial state: from the data directory or state file if it holds one, else from
/// the seed; then the synthetic repositories (those not already present). Also answers whether
/// the state was loaded, and the opened store.
fn initial_state(
    opts: &EmulatorOptions,
) -> anyhow::Result<(state::State, bool, Option<store::Store>)> {
    if opts.data_dir.is_some() && opts.state_file.is_some() {
        anyhow::bail!("--data-dir and --state are two ways to keep the state: choose one");
    }
    let (loaded, store) = match (&opts.data_dir, &opts.state_file) {
        (Some(dir), _) => {
            let (store, loaded) = store::Store::open(dir)?;
            (loaded, Some(store))
        }
        (None, Some(path)) => (persist::load(path)?, None),
        (None, None) => (None, None),
    };
    let from_file = loaded.is_some();
    let mut state = match loaded {
        Some(s) => s,
        None => seed::build(opts.seed, opts.now_ms())?,
    };
    for (repo, count) in &opts.synthetic {
        if !state.repos.contains_key(repo) {
            synthetic::add(&mut state, repo, *count, opts.now_ms())?;
        }
    }
    Ok((state, from_file, store))
}

/// Refuses a non-loopback listen address unless remote access was asked for.
fn check_listen_addr(opts: &EmulatorOptions) -> anyhow::Result<()> {
    if !opts.addr.ip().is_loopback() && !opts.allow_remote {
        anyhow::bail!(
            "--addr {} is not a loopback address: the emulator would be reachable from other \
             machines, and anyone who can reach it could change its state. Listen on 127.0.0.1 \
             (the default), or pass --allow-remote (with --verify-sigv4 to require signed requests)",
            opts.addr
        );
    }
    Ok(())
}

/// The warning to print when serving beyond loopback without signature checks, if that is the case.
pub fn remote_warning(opts: &EmulatorOptions) -> Option<String> {
    (!opts.addr.ip().is_loopback() && opts.verify_sigv4.is_none()).then(|| {
        format!(
            "warning: the emulator listens on {} without --verify-sigv4: anyone who can reach \
             this address can read and change its state (create and delete repositories, push \
             images{})",
            opts.addr,
            if opts.state_file.is_some() || opts.data_dir.is_some() {
                ", rewrite the state it keeps"
            } else {
                ""
            }
        )
    })
}

pub async fn start(opts: EmulatorOptions) -> anyhow::Result<Emulator> {
    check_listen_addr(&opts)?;
    let started = std::time::Instant::now();
    let (mut state, loaded, store) = initial_state(&opts)?;
    let changed = state.touched.registry || !state.touched.repos.is_empty() || !loaded;
    if let Some(store) = &store {
        state.blobs.attach(&store.blob_dir())?;
    } else if let Some(path) = &opts.state_file {
        // Blobs live beside the state file, so a restart serves what was pushed before.
        let mut dir = path.clone().into_os_string();
        dir.push(".blobs");
        state.blobs.attach(std::path::Path::new(&dir))?;
    }
    if let Some(ttl) = opts.token_ttl_secs {
        state.auth.ttl_secs = ttl;
    }
    let persistence = match (store, &opts.state_file) {
        (Some(store), _) => {
            // Loaded: save only the synthetic repositories added now (if any).
            if loaded {
                store.save_changes(&mut state)?;
            } else {
                store.save_all(&mut state)?;
            }
            persist::Persistence::Dir(store)
        }
        (None, Some(path)) => {
            if changed {
                persist::save(path, &state)?;
            }
            persist::Persistence::File(path.clone())
        }
        (None, None) => persist::Persistence::Memory,
    };
    // The marks of what seeding built are not needed past this point.
    state.take_changes();
    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .with_context(|| format!("binding {}", opts.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, repositories = state.repos.len(), elapsed_ms = started.elapsed().as_millis() as u64, "emulator ready");
    let shared = Arc::new(server::Shared {
        state: Mutex::new(state),
        counts: Mutex::new(BTreeMap::new()),
        persistence,
        base_url: format!("http://{addr}"),
        clock_ms: opts.clock.map(|secs| secs * 1000),
        faults: opts
            .faults
            .map(|spec| faults::Faults::new(spec, opts.fault_seed)),
        sigv4: opts.verify_sigv4.clone(),
        registry: distribution::Registry::new(opts.registry.clone()),
        quotas: opts.quotas,
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let app = server::router(shared.clone()).into_make_service_with_connect_info::<faults::Conn>();
    let listener = faults::FaultListener(listener);
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            // A dropped sender also means stop.
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("emulator server failed: {e}");
        }
    });
    Ok(Emulator {
        addr,
        shared,
        stop,
        task,
    })
}
