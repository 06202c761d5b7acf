//! One argument struct per subcommand (`profiles`, `inspect`, `tags`, `login`, `push`, `prune`,
//! `config`, `emulator`, `ls`) and the parsers of their values; `mod.rs` holds the global flags.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::{ClientArgs, LogArgs, ModeArgs};
use crate::model::limits::{LAYER_PART_MAX_BYTES, LAYER_PART_MIN_BYTES};

#[derive(Debug, Args)]
pub struct ProfilesArgs {
    /// The profile to mark as current (default: AWS_PROFILE, the config file's, or "default").
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Config file to use instead of the default (also ECRP_CONFIG).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RawArg {
    /// The manifest at REF (with --platform, that platform's manifest).
    Manifest,
    /// The image's config blob.
    Config,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub client: ClientArgs,

    /// Registry API address to use for public.ecr.aws (e.g. http://127.0.0.1:5000); http only
    /// for loopback. Also ECRP_REGISTRY_URL or `registry_url` in the config file.
    #[arg(long, value_name = "URL", env = "ECRP_REGISTRY_URL")]
    pub registry_url: Option<String>,

    /// HOST[:PORT]/NAME[:TAG|@DIGEST]; the tag defaults to latest.
    #[arg(value_name = "REF")]
    pub reference: String,

    /// The image of an index to show, OS/ARCH[/VARIANT] (e.g. linux/arm64).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,

    /// Print one JSON object (digest, media type, platforms, the image's whole config, layers).
    #[arg(long, conflicts_with = "raw")]
    pub json: bool,

    /// Print the exact bytes of the manifest or the config (digest-verified).
    #[arg(long, value_enum, value_name = "manifest|config")]
    pub raw: Option<RawArg>,

    /// For public.ecr.aws: authenticate with a token from GetAuthorizationToken (AWS credentials),
    /// which raises the pull rate limit from 1 to 10 requests per second.
    #[arg(long)]
    pub login: bool,
}

#[derive(Debug, Args)]
pub struct TagsArgs {
    #[command(flatten)]
    pub client: ClientArgs,

    /// Registry API address to use for public.ecr.aws (e.g. http://127.0.0.1:5000); http only
    /// for loopback. Also ECRP_REGISTRY_URL or `registry_url` in the config file.
    #[arg(long, value_name = "URL", env = "ECRP_REGISTRY_URL")]
    pub registry_url: Option<String>,

    /// HOST[:PORT]/NAME, e.g. public.ecr.aws/acme/api.
    #[arg(value_name = "REF")]
    pub reference: String,

    /// Print `{"repository": …, "tags": […]}` instead of one tag per line.
    #[arg(long)]
    pub json: bool,

    /// For public.ecr.aws: authenticate with a token from GetAuthorizationToken (AWS credentials).
    #[arg(long)]
    pub login: bool,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    #[command(flatten)]
    pub client: ClientArgs,

    /// Print the registry password to stdout instead of running docker, for piping into
    /// `docker login --username AWS --password-stdin public.ecr.aws` (or podman, nerdctl).
    #[arg(long)]
    pub print_password: bool,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    #[command(flatten)]
    pub client: ClientArgs,

    #[command(flatten)]
    pub mode: ModeArgs,

    /// The OCI image layout directory (with oci-layout, index.json and blobs/).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Repository name in your registry, with the tag to push: the manifest in DIR whose
    /// org.opencontainers.image.ref.name is TAG. Without TAG, DIR's only manifest is pushed under
    /// its own ref.name (or `latest`).
    #[arg(value_name = "REPO[:TAG]")]
    pub target: String,

    /// Push every tagged manifest in DIR, each under its own tag (give REPO without :TAG).
    #[arg(long)]
    pub all_tags: bool,

    /// Registry (account id or alias) to push to, instead of your default registry.
    #[arg(long, value_name = "ID")]
    pub registry_id: Option<String>,

    /// Bytes per UploadLayerPart, 5 MiB to 20 MiB (suffixes KiB, MiB); default: what
    /// InitiateLayerUpload advises (10 MiB on AWS).
    #[arg(long, value_name = "BYTES", value_parser = parse_chunk_size)]
    pub chunk_size: Option<u64>,

    /// Verify the layout and ask which layers are missing, without uploading or putting anything
    /// (allowed in read-only mode).
    #[arg(long)]
    pub dry_run: bool,

    /// Which plane carries the push. `api` (the default): the ECR Public API's layer operations
    /// and PutImage, needing only ECR Public API permissions and working with any endpoint.
    /// `registry`: the registry API (OCI distribution) at public.ecr.aws/ALIAS/REPO, what
    /// `docker push` does; needs the registry alias (and GetAuthorizationToken).
    #[arg(long, value_enum, default_value_t = PushVia::Api, value_name = "PLANE")]
    pub via: PushVia,

    /// With --via registry: the registry API address to use for public.ecr.aws. Also
    /// ECRP_REGISTRY_URL or `registry_url` in the config file.
    #[arg(long, value_name = "URL", env = "ECRP_REGISTRY_URL")]
    pub registry_url: Option<String>,
}

/// `ecrp push --via`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PushVia {
    /// The ECR Public API (layer operations and PutImage).
    Api,
    /// The registry API (OCI distribution), as docker pushes.
    Registry,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    #[command(flatten)]
    pub client: ClientArgs,

    #[command(flatten)]
    pub mode: ModeArgs,

    /// Registry API address to use for public.ecr.aws, where the manifests of indexes and of what
    /// goes (for the undo journal) are read. Also ECRP_REGISTRY_URL or `registry_url` in the
    /// config file.
    #[arg(long, value_name = "URL", env = "ECRP_REGISTRY_URL")]
    pub registry_url: Option<String>,

    /// Repositories to apply the policy to (in your registry, or --registry-id's).
    #[arg(value_name = "REPO", required_unless_present = "restore")]
    pub repos: Vec<String>,

    /// The lifecycle policy: JSON as private ECR takes it ({"rules": [...]}). Without it, each
    /// repository's `[lifecycle."REPO"]` in the config file.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Delete what the plan expires (after writing the undo journal); without it, a dry run.
    #[arg(long)]
    pub apply: bool,

    /// Print one JSON object (`expire`, `kept_for_multiarch`, `totals`, `repositories`).
    #[arg(long)]
    pub json: bool,

    /// Registry (account id) holding the repositories, instead of your default registry.
    #[arg(long, value_name = "ID")]
    pub registry_id: Option<String>,

    /// With --apply: delete without writing the undo journal.
    #[arg(long, requires = "apply")]
    pub no_journal: bool,

    /// Put back the images a journal of an earlier --apply recorded (PutImage, same digests and
    /// tags).
    #[arg(long, value_name = "JOURNAL", conflicts_with_all = ["repos", "policy", "apply", "json"])]
    pub restore: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,

    /// Config file to use instead of the default (also ECRP_CONFIG).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ConfigAction {
    /// Print the config file's path.
    Path,
    /// Write the commented default config file.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Read the config file and report every problem (exit status 1 when there is one).
    Check,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeedArg {
    /// A registry with a display name, a dozen repositories with catalogs, images, policies, tags.
    Demo,
    /// A registry and nothing else.
    Empty,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    #[command(flatten)]
    pub log: LogArgs,

    /// Address to listen on; port 0 picks a free port (the first line printed names it). Only
    /// loopback unless --allow-remote.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,

    /// Allow an --addr other than loopback. Without --verify-sigv4 anyone who can reach it can
    /// change the emulator's state, and a warning says so on stderr.
    #[arg(long)]
    pub allow_remote: bool,

    /// Service quotas to enforce instead of the documented defaults (LimitExceededException when
    /// reached), e.g. repositories=10,images=500.
    #[arg(long, value_name = "NAME=COUNT,...", value_parser = parse_quotas)]
    pub quota: Option<crate::emulator::Quotas>,

    /// Initial data (ignored when --data-dir or --state already holds a state).
    #[arg(long, value_enum, default_value = "demo")]
    pub seed: SeedArg,

    /// Add a repository REPO holding COUNT tagged images (repeatable), e.g. big=100000.
    #[arg(long, value_name = "REPO=COUNT", value_parser = parse_synthetic)]
    pub synthetic: Vec<(String, usize)>,

    /// Load state from FILE at start and write it atomically after every mutation (the whole
    /// file each time: prefer --data-dir for large states).
    #[arg(long, value_name = "FILE", conflicts_with = "data_dir")]
    pub state: Option<PathBuf>,

    /// Keep the state in DIR (created 0700): metadata in a database, blobs as content-addressed
    /// files. Each mutation writes only what it changed and is on disk before it is answered.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Inject faults: that share of requests answered with ThrottlingException (400), with
    /// ServerException (500), or with the connection closed before any response; every response
    /// delayed by a random time in the latency range. Each part optional, e.g.
    /// throttle=0.1,error=0.05,reset=0.02,latency=20-200ms. Faults are decided before the operation
    /// runs, so a faulted request never changes state.
    #[arg(long, value_name = "SPEC", value_parser = crate::emulator::FaultSpec::parse)]
    pub faults: Option<crate::emulator::FaultSpec>,

    /// Seed for --faults: the same seed and request sequence give the same faults.
    #[arg(long, value_name = "N", requires = "faults")]
    pub fault_seed: Option<u64>,

    /// Check AWS Signature V4 on every request as AWS does, accepting only this key pair:
    /// an unknown key gets UnrecognizedClientException, a wrong signature or a date more than
    /// 15 minutes off InvalidSignatureException. Prefer the environment variable to keep the
    /// secret out of the process list.
    #[arg(
        long,
        value_name = "ACCESS_KEY:SECRET",
        env = "ECRP_EMULATOR_VERIFY_SIGV4",
        hide_env_values = true,
        value_parser = crate::emulator::SigV4Key::parse
    )]
    pub verify_sigv4: Option<crate::emulator::SigV4Key>,

    /// Registry API: blob GETs answer 307 to this host name (same port) at a signed URL that
    /// expires, as ECR hands layers to its storage; clients must not send their token there.
    #[arg(long, value_name = "HOST", num_args = 0..=1, default_missing_value = "localhost", value_parser = parse_host)]
    pub blob_redirect: Option<String>,

    /// Registry API pull rate limits in requests per second per client, as public.ecr.aws applies
    /// them: e.g. anon=1,auth=10 (429 TOOMANYREQUESTS with Retry-After beyond). Off by default.
    #[arg(long, value_name = "SPEC", value_parser = crate::emulator::RateSpec::parse)]
    pub registry_rate: Option<crate::emulator::RateSpec>,
}

fn parse_host(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 253
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    ok.then(|| s.to_string())
        .ok_or_else(|| format!("expected a host name such as localhost, got {s:?}"))
}

/// `--chunk-size`: bytes, or with a KiB/MiB suffix (K and M also accepted), within the service's
/// part limits: at least 5 MiB (every part but the last) and at most 20 MiB.
pub fn parse_chunk_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let (digits, unit) = if let Some(n) = lower.strip_suffix("mib").or(lower.strip_suffix('m')) {
        (n, 1 << 20)
    } else if let Some(n) = lower.strip_suffix("kib").or(lower.strip_suffix('k')) {
        (n, 1 << 10)
    } else {
        (lower.as_str(), 1)
    };
    let n: u64 = digits
        .trim()
        .replace('_', "")
        .parse()
        .map_err(|_| format!("expected a number of bytes (or with KiB/MiB), got {t:?}"))?;
    let bytes = n.saturating_mul(unit);
    let (min, max) = (LAYER_PART_MIN_BYTES, LAYER_PART_MAX_BYTES as u64);
    if !(min..=max).contains(&bytes) {
        return Err(format!(
            "{bytes} bytes is outside what ECR accepts for a layer part: {min} (5 MiB) to {max} (20 MiB)"
        ));
    }
    Ok(bytes)
}

fn parse_quotas(s: &str) -> Result<crate::emulator::Quotas, String> {
    s.parse()
}

pub(super) fn parse_synthetic(s: &str) -> Result<(String, usize), String> {
    let (repo, count) = s
        .split_once('=')
        .ok_or_else(|| format!("expected REPO=COUNT, got {s:?}"))?;
    let count: usize = count
        .replace('_', "")
        .parse()
        .map_err(|_| format!("COUNT must be a whole number, got {count:?}"))?;
    if repo.is_empty() {
        return Err("REPO must not be empty".into());
    }
    Ok((repo.to_string(), count))
}

#[derive(Debug, Args)]
pub struct LsArgs {
    #[command(subcommand)]
    pub what: LsWhat,

    #[command(flatten)]
    pub client: ClientArgs,

    /// Print one JSON array of objects with the API's field names instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Print the TUI's listing cache instead of asking the service (no AWS request at all): the
    /// same columns, with the cache's age on stderr (`cachedAt`, `cacheAgeSeconds` in --json).
    #[arg(long)]
    pub cached: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum LsWhat {
    /// Registries of the account (DescribeRegistries).
    Registries,
    /// Repositories of the default registry (DescribeRepositories).
    Repos,
    /// Images of a repository (DescribeImages).
    Images { repo: String },
    /// Image tags of a repository (DescribeImageTags).
    Tags { repo: String },
}
