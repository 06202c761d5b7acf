//! `ecrp prune REPO... --policy FILE [--apply] [--json]`: a lifecycle policy of private ECR's
//! format evaluated over ECR Public repositories; a dry run unless `--apply`. With `--apply`, the
//! manifests of what goes are journalled first (`--restore JOURNAL` puts them back), then the
//! images are deleted with the bulk delete, indexes before the manifests they reference.
//!
//! The multi-arch topology comes from a [`ManifestSource`] (the registry API). Without one, the
//! indexes' manifests are unknown and every untagged image that is not an index is kept.

pub(crate) mod apply;
pub mod journal;
mod report;
pub mod restore;
pub mod source;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::aws::{self, Api, ClientOptions, ImageRow, collect_all};
use crate::cli::PruneArgs;
use crate::lifecycle::{self, Manifest, ManifestSource, Plan, Policy, Topology};

pub use apply::Applied;

/// Where the undo journal goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalMode {
    Dir(PathBuf),
    /// `--no-journal`: delete without a way back.
    Off,
}

#[derive(Debug, Clone)]
pub struct PruneOptions {
    pub repositories: Vec<String>,
    pub policy: Policy,
    pub apply: bool,
    pub journal: JournalMode,
    /// Epoch seconds that `sinceImagePushed` counts from.
    pub now: i64,
    pub registry_id: Option<String>,
}

/// What prune found and did in one repository.
#[derive(Debug, Clone)]
pub struct RepoOutcome {
    pub repository: String,
    pub rows: Vec<ImageRow>,
    pub plan: Plan,
    /// Indexes whose manifests could not be read, with why.
    pub unknown: Vec<(String, String)>,
    /// Set when `--apply` ran (or was refused) for this repository.
    pub applied: Option<Applied>,
    /// Why this repository could not be planned or applied.
    pub error: Option<String>,
}

impl RepoOutcome {
    /// Whether anything went wrong here (exit status non-zero).
    pub fn failed(&self) -> bool {
        self.error.is_some()
            || self
                .applied
                .as_ref()
                .is_some_and(|a| !a.failures.is_empty())
    }
}

/// The command: read the policy, plan (and apply) every repository, print, and fail when the
/// policy is invalid or anything could not be done.
pub async fn run(
    opts: &ClientOptions,
    read_only: bool,
    args: &PruneArgs,
    registry_url: Option<&str>,
    configured: &crate::config::lifecycle::LifecyclePolicies,
) -> Result<()> {
    let (client, _info) = aws::connect(opts).await;
    let api = Api::new(client, read_only).with_registry_id(args.registry_id.clone());
    let mut out = std::io::stdout().lock();
    if let Some(path) = &args.restore {
        let report = restore::run(&api, path, &mut out).await?;
        out.flush()?;
        if report.iter().any(|r| r.failed()) {
            bail!("some images could not be restored (listed above)");
        }
        return Ok(());
    }
    // One policy for every repository, or each repository's own from the config file.
    let policies: Vec<(String, Policy)> = match &args.policy {
        Some(policy_path) => {
            let text = std::fs::read_to_string(policy_path)
                .with_context(|| format!("reading the policy {}", policy_path.display()))?;
            let policy = read_policy(&text, &policy_path.display().to_string())?;
            args.repos
                .iter()
                .map(|r| (r.clone(), policy.clone()))
                .collect()
        }
        None => args
            .repos
            .iter()
            .map(|r| configured_policy(configured, r).map(|p| (r.clone(), p)))
            .collect::<Result<_>>()?,
    };
    let policy = policies
        .first()
        .map(|(_, p)| p.clone())
        .unwrap_or(Policy { rules: Vec::new() });
    let journal = if args.no_journal {
        JournalMode::Off
    } else {
        JournalMode::Dir(
            journal::default_dir()
                .context("no data directory for the journal (set ECRP_DATA_DIR)")?,
        )
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let prune = PruneOptions {
        repositories: args.repos.clone(),
        policy,
        apply: args.apply,
        journal,
        now,
        registry_id: args.registry_id.clone(),
    };
    // The registry API gives the topology of indexes and the journal's manifests. Without it the
    // plan still runs, conservatively (every untagged manifest of a repository with indexes kept),
    // and --apply refuses unless --no-journal: both said here and in the plan.
    let source = match crate::own_registry::OwnRegistry::connect(
        &api,
        args.registry_id.as_deref(),
        registry_url,
    )
    .await
    {
        Ok(s) => Some(source::RegistrySource(s)),
        Err(e) => {
            eprintln!(
                "warning: the registry API cannot be read ({}): the platform manifests of \
                 multi-arch indexes are unknown, so every untagged image in a repository with \
                 indexes is kept",
                crate::sanitize::clean_line(&format!("{e:#}"))
            );
            None
        }
    };
    let mut outcomes = Vec::new();
    for (repo, policy) in policies {
        let one = PruneOptions {
            repositories: vec![repo],
            policy,
            ..prune.clone()
        };
        outcomes.extend(
            run_with(
                &api,
                source.as_ref().map(|s| s as &dyn ManifestSource),
                &one,
            )
            .await?,
        );
    }
    if args.json {
        report::json(&outcomes, &prune, &mut out)?;
    } else {
        report::text(&outcomes, &prune, &mut out)?;
    }
    out.flush()?;
    let failed = outcomes.iter().filter(|o| o.failed()).count();
    if failed > 0 {
        bail!("{failed} repositor(ies) with errors or failed deletions (listed above)");
    }
    Ok(())
}

/// `repo`'s policy from the config file (`[lifecycle."REPO"]`), for a run without `--policy`.
fn configured_policy(
    configured: &crate::config::lifecycle::LifecyclePolicies,
    repo: &str,
) -> Result<Policy> {
    let Some(source) = configured.get(repo) else {
        bail!(
            "no --policy FILE, and the config file has no [lifecycle.\"{}\"] for this repository \
             (or give --restore JOURNAL)",
            crate::sanitize::clean_line(repo)
        );
    };
    let text = source.text().map_err(anyhow::Error::msg)?;
    read_policy(
        &text,
        &format!(
            "[lifecycle.\"{}\"] in the config file",
            crate::sanitize::clean_line(repo)
        ),
    )
}

/// Parse a policy, every problem listed in the error.
pub fn read_policy(text: &str, source: &str) -> Result<Policy> {
    lifecycle::parse(text).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        anyhow::anyhow!(
            "invalid lifecycle policy {source}:\n{}",
            crate::sanitize::clean_text(&lines.join("\n"))
        )
    })
}

/// Refusals that must come before any request.
fn preflight(api: &Api, source: Option<&dyn ManifestSource>, o: &PruneOptions) -> Result<()> {
    if !o.apply {
        return Ok(());
    }
    if api.read_only() {
        bail!(
            "--apply refused: ecrp runs read-only (--read-only or read_only in the config); the dry run is allowed"
        );
    }
    if o.journal != JournalMode::Off && source.is_none() {
        bail!(
            "--apply refused: the undo journal needs each image's manifest, which only the \
             registry API can read, and this ecrp has no registry API client; give --no-journal \
             to delete without a way to restore"
        );
    }
    Ok(())
}

/// Plan every repository (and apply, with `o.apply`); an error in one repository is recorded in
/// its outcome and the others still run.
pub async fn run_with(
    api: &Api,
    source: Option<&dyn ManifestSource>,
    o: &PruneOptions,
) -> Result<Vec<RepoOutcome>> {
    preflight(api, source, o)?;
    let mut outcomes = Vec::new();
    for repo in &o.repositories {
        outcomes.push(one(api, source, o, repo).await);
    }
    Ok(outcomes)
}

async fn one(
    api: &Api,
    source: Option<&dyn ManifestSource>,
    o: &PruneOptions,
    repo: &str,
) -> RepoOutcome {
    let mut outcome = RepoOutcome {
        repository: repo.to_string(),
        rows: Vec::new(),
        plan: lifecycle::evaluate(&o.policy, &[], &Topology::default(), o.now),
        unknown: Vec::new(),
        applied: None,
        error: None,
    };
    let rows = match collect_all(api.images(repo, None)).await {
        Ok(rows) => dedup(rows),
        Err(e) => {
            outcome.error = Some(format!("listing images: {}", e));
            return outcome;
        }
    };
    let mut manifests = HashMap::new();
    let topology = read_topology(source, repo, &rows, &mut manifests).await;
    outcome.unknown = rows
        .iter()
        .filter(|r| r.is_multi_arch() && !topology.children.contains_key(&r.image_digest))
        .map(|r| {
            let why = topology
                .unknown
                .get(&r.image_digest)
                .cloned()
                .unwrap_or_else(|| "no registry API client to read it".into());
            (r.image_digest.to_string(), why)
        })
        .collect();
    outcome.plan = lifecycle::evaluate(&o.policy, &rows, &topology, o.now);
    outcome.rows = rows;
    if o.apply && outcome.plan.totals.images > 0 {
        match apply::apply(
            api,
            source,
            o,
            repo,
            &outcome.rows,
            &outcome.plan,
            &topology,
            manifests,
        )
        .await
        {
            Ok(applied) => outcome.applied = Some(applied),
            Err(e) => outcome.error = Some(e),
        }
    }
    outcome
}

/// A listing that names a digest twice (a misbehaving service) would plan a deletion twice.
pub(crate) fn dedup(mut rows: Vec<ImageRow>) -> Vec<ImageRow> {
    let mut seen = HashSet::with_capacity(rows.len());
    rows.retain(|r| seen.insert(r.image_digest.clone()));
    rows
}

/// Fetch one manifest and check that its bytes are the digest's.
pub(crate) async fn fetch_verified(
    source: &dyn ManifestSource,
    repo: &str,
    digest: &str,
) -> Result<Manifest, String> {
    let m = source.manifest(repo, digest).await?;
    if m.bytes.len() > lifecycle::MAX_MANIFEST_BYTES {
        return Err(format!(
            "manifest of {} bytes, over the {}-byte limit",
            m.bytes.len(),
            lifecycle::MAX_MANIFEST_BYTES
        ));
    }
    let got = format!("sha256:{}", hex::encode(Sha256::digest(&m.bytes)));
    if got != digest {
        return Err(format!(
            "the registry sent a manifest whose digest is {got}"
        ));
    }
    Ok(m)
}

/// The platform manifests of every index in `rows`, read through `source`; indexes that could not
/// be read are marked unknown. Fetched manifests are kept for the journal.
pub(crate) async fn read_topology(
    source: Option<&dyn ManifestSource>,
    repo: &str,
    rows: &[ImageRow],
    manifests: &mut HashMap<Box<str>, Manifest>,
) -> Topology {
    let mut topology = Topology::default();
    for r in rows.iter().filter(|r| r.is_multi_arch()) {
        let Some(source) = source else {
            topology.mark_unknown(&r.image_digest, "no registry API client to read it");
            continue;
        };
        let read = fetch_verified(source, repo, &r.image_digest)
            .await
            .and_then(|m| lifecycle::index_children(&m.bytes).map(|kids| (m, kids)));
        match read {
            Ok((m, kids)) => {
                topology.add(&r.image_digest, kids);
                manifests.insert(r.image_digest.clone(), m);
            }
            Err(why) => topology.mark_unknown(&r.image_digest, why),
        }
    }
    topology
}
