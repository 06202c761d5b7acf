//! Command-line definitions (clap derive). Kept apart from `main.rs` so completions and the man
//! page are generated from the same definitions (`write_completions`, `write_man`).

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::config::Overrides;
use crate::model::limits::{LAYER_PART_MAX_BYTES, LAYER_PART_MIN_BYTES};

#[derive(Debug, Parser)]
#[command(
    name = "ecrp",
    version,
    about = "A terminal UI for Amazon ECR Public",
    long_about = "A terminal UI for Amazon ECR Public: browse registries, repositories, images and \
                  tags; edit catalogs, policies and tags; clean up images. `ecrp --demo` runs on a \
                  built-in emulator with demo data, no AWS account needed."
)]
pub struct Cli {
    /// The TUI's flags. Not `global`: each subcommand declares the ones it uses, so `ecrp
    /// emulator --help` does not offer `--demo`; given before a subcommand's name they still
    /// count for it when it takes them (see [`Cli::lift`]).
    #[command(flatten)]
    pub client: ClientArgs,

    #[command(flatten)]
    pub mode: ModeArgs,

    /// Registry API address to use for public.ecr.aws (e.g. http://127.0.0.1:5000), for
    /// `inspect`, `tags` and the TUI's image inspector; http only for loopback. Also ECRP_REGISTRY_URL or `registry_url` in
    /// the config file.
    #[arg(long, value_name = "URL", env = "ECRP_REGISTRY_URL")]
    pub registry_url: Option<String>,

    /// Neither show nor save cached listings this run (the TUI reads the service only). Also
    /// `listing_cache = false` in the config file; the cache lives in the platform cache
    /// directory, or ECRP_CACHE_DIR.
    #[arg(long)]
    pub no_cache: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How to reach ECR Public: the same flags for the TUI and for `ecrp ls`, `push`, `login`.
#[derive(Debug, Clone, Default, Args)]
pub struct ConnArgs {
    /// AWS profile from the shared config and credentials files (default: AWS_PROFILE or "default").
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// AWS region (default: AWS_REGION, the profile's region, or us-east-1, the region that serves
    /// the ECR Public API).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Send requests to this endpoint instead of AWS's (for example `ecrp emulator`'s URL).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

/// Where logs go.
#[derive(Debug, Clone, Default, Args)]
pub struct LogArgs {
    /// Write logs to this file instead of the daily file in the data directory (the emulator:
    /// instead of stderr).
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,

    /// Log level or filter (as RUST_LOG): error, warn, info, debug, trace.
    #[arg(long, value_name = "LEVEL")]
    pub log_level: Option<String>,
}

/// What the TUI and the subcommands that call ECR Public (`ls`, `push`, `login`) share.
#[derive(Debug, Clone, Default, Args)]
pub struct ClientArgs {
    #[command(flatten)]
    pub conn: ConnArgs,

    /// Run against the built-in emulator with demo data (no AWS account needed).
    #[arg(long)]
    pub demo: bool,

    /// Config file to use instead of the default (also ECRP_CONFIG; `ecrp config path` prints it).
    // Not clap's `env`: that rejects an empty ECRP_CONFIG, which `config::config_path` ignores.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub log: LogArgs,
}

/// Whether mutations are allowed: only for the TUI and `push`, the commands that mutate.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct ModeArgs {
    /// Make every mutation impossible (enforced where requests are sent, not only hidden).
    #[arg(long)]
    pub read_only: bool,

    /// Allow mutations even when the config file says `read_only = true`.
    #[arg(long, conflicts_with = "read_only")]
    pub read_write: bool,
}

impl ModeArgs {
    /// The read-only override these flags make, for `config::resolve` (flags beat env and file).
    pub fn read_only(&self) -> Option<bool> {
        match (self.read_only, self.read_write) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

/// The values the command line sets, for `config::resolve` (flags beat env and the file).
pub fn overrides(conn: &ConnArgs, mode: Option<&ModeArgs>) -> Overrides {
    Overrides {
        profile: conn.profile.clone(),
        region: conn.region.clone(),
        read_only: mode.and_then(ModeArgs::read_only),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a faithful ECR Public API on loopback, for tests, demos and scripts.
    Emulator(EmulatorArgs),
    /// List registries, repositories, images or tags without the TUI (the loaders behind the panes).
    Ls(LsArgs),
    /// Log docker in to public.ecr.aws with a token from GetAuthorizationToken.
    Login(LoginArgs),
    /// Publish an image from an OCI image layout directory to a repository.
    ///
    /// DIR is what `docker buildx build --output type=oci,dest=x.tar` (untarred), `skopeo copy
    /// docker://IMAGE oci:DIR:TAG`, crane or oras write: `oci-layout`, `index.json`, `blobs/`.
    /// Only the layers the repository lacks are uploaded; an image index (multi-arch) is pushed
    /// after its platform manifests. Progress goes to stderr; stdout gets `pushed DIGEST URI:TAG`.
    /// Through the ECR Public API by default, or the registry API with --via registry (as docker).
    Push(PushArgs),
    /// Show what is inside an image: platforms, config, history and layers (registry API).
    ///
    /// REF is HOST[:PORT]/NAME[:TAG|@DIGEST], e.g. public.ecr.aws/acme/api:v1 or
    /// 127.0.0.1:5000/ns/app@sha256:…. For an index: its platforms, and the image for
    /// --platform (default: this machine's, when the index has it). Anonymous unless --login.
    Inspect(InspectArgs),
    /// List every tag of a repository through the registry API (REF without :TAG).
    Tags(TagsArgs),
    /// Apply a lifecycle policy (private ECR's format) to repositories: a dry run unless --apply.
    ///
    /// Prints each image the policy expires (digest, tags, push time, size, rulePriority) and the
    /// totals; multi-arch indexes keep their platform manifests. --apply journals the manifests,
    /// then deletes (indexes first); `--restore JOURNAL` puts them back.
    Prune(PruneArgs),
    /// List the AWS profiles from the shared config and credentials files, with kind and region.
    Profiles(ProfilesArgs),
    /// Show, create or check the config file.
    Config(ConfigArgs),
    /// Print a shell completion script.
    ///
    /// For example: `ecrp completions bash > ~/.local/share/bash-completion/completions/ecrp`,
    /// `ecrp completions zsh > ~/.zfunc/_ecrp`, `ecrp completions fish > ~/.config/fish/completions/ecrp.fish`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    ///
    /// For example: `ecrp man > ~/.local/share/man/man1/ecrp.1`, or `ecrp man | man -l -`.
    Man,
}

impl Cli {
    /// Parse the command line (exiting with clap's message on an error), with the flags given
    /// before a subcommand's name moved into it.
    pub fn parse_args() -> Self {
        let matches = command().get_matches();
        let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        cli.lift()
            .unwrap_or_else(|msg| command().error(ErrorKind::ArgumentConflict, msg).exit())
    }

    /// Flags given before a subcommand's name (`ecrp --demo ls repos`, as when they were global)
    /// count for it when it takes them; a flag it has no use for is refused, naming it.
    fn lift(mut self) -> Result<Self, String> {
        let client = std::mem::take(&mut self.client);
        let mode = std::mem::take(&mut self.mode);
        let given = |flags: Vec<&'static str>, sub: &str| match flags.as_slice() {
            [] => Ok(()),
            _ => Err(format!("`ecrp {sub}` does not take {}", flags.join(", "))),
        };
        match &mut self.command {
            None => {
                (self.client, self.mode) = (client, mode);
                return Ok(self);
            }
            Some(Command::Ls(a)) => {
                a.client.take_from(client);
                given(mode.given(), "ls")?;
            }
            Some(Command::Login(a)) => {
                a.client.take_from(client);
                given(mode.given(), "login")?;
            }
            Some(Command::Inspect(a)) => {
                a.client.take_from(client);
                take(&mut a.registry_url, self.registry_url.take());
                given(mode.given(), "inspect")?;
            }
            Some(Command::Tags(a)) => {
                a.client.take_from(client);
                take(&mut a.registry_url, self.registry_url.take());
                given(mode.given(), "tags")?;
            }
            Some(Command::Prune(a)) => {
                a.client.take_from(client);
                take(&mut a.registry_url, self.registry_url.take());
                a.mode.read_only |= mode.read_only;
                a.mode.read_write |= mode.read_write;
                if a.mode.read_only && a.mode.read_write {
                    return Err("--read-only and --read-write cannot be used together".into());
                }
            }
            Some(Command::Push(a)) => {
                a.client.take_from(client);
                take(&mut a.registry_url, self.registry_url.take());
                a.mode.read_only |= mode.read_only;
                a.mode.read_write |= mode.read_write;
                if a.mode.read_only && a.mode.read_write {
                    return Err("--read-only and --read-write cannot be used together".into());
                }
            }
            Some(Command::Emulator(a)) => {
                let mut rest = client;
                take(&mut a.log.log_file, rest.log.log_file.take());
                take(&mut a.log.log_level, rest.log.log_level.take());
                given([rest.given(), mode.given()].concat(), "emulator")?;
            }
            Some(Command::Profiles(a)) => {
                let mut rest = client;
                take(&mut a.profile, rest.conn.profile.take());
                take(&mut a.config, rest.config.take());
                given([rest.given(), mode.given()].concat(), "profiles")?;
            }
            Some(Command::Config(a)) => {
                let mut rest = client;
                take(&mut a.config, rest.config.take());
                given([rest.given(), mode.given()].concat(), "config")?;
            }
            Some(Command::Completions { .. }) => {
                given([client.given(), mode.given()].concat(), "completions")?
            }
            Some(Command::Man) => given([client.given(), mode.given()].concat(), "man")?,
        }
        Ok(self)
    }
}

/// A value given after the subcommand's name wins over one given before it.
fn take<T>(after: &mut Option<T>, before: Option<T>) {
    if after.is_none() {
        *after = before;
    }
}

impl ClientArgs {
    fn take_from(&mut self, before: ClientArgs) {
        take(&mut self.conn.profile, before.conn.profile);
        take(&mut self.conn.region, before.conn.region);
        take(&mut self.conn.endpoint_url, before.conn.endpoint_url);
        take(&mut self.config, before.config);
        take(&mut self.log.log_file, before.log.log_file);
        take(&mut self.log.log_level, before.log.log_level);
        self.demo |= before.demo;
    }

    /// The flags that were given, by name.
    fn given(&self) -> Vec<&'static str> {
        [
            ("--profile", self.conn.profile.is_some()),
            ("--region", self.conn.region.is_some()),
            ("--endpoint-url", self.conn.endpoint_url.is_some()),
            ("--demo", self.demo),
            ("--config", self.config.is_some()),
            ("--log-file", self.log.log_file.is_some()),
            ("--log-level", self.log.log_level.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

impl ModeArgs {
    fn given(&self) -> Vec<&'static str> {
        [
            ("--read-only", self.read_only),
            ("--read-write", self.read_write),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// The command line's definition. `ls` and `config` have subcommands of their own, and their
/// flags are also accepted after those (`ecrp ls images web --json`), so within them they are
/// global; at the top they are not, which would offer them to every subcommand.
pub fn command() -> clap::Command {
    const LS: [&str; 8] = [
        "profile",
        "region",
        "endpoint_url",
        "demo",
        "config",
        "log_file",
        "log_level",
        "json",
    ];
    Cli::command()
        .mut_subcommand("ls", |ls| {
            LS.iter()
                .fold(ls, |c, id| c.mut_arg(*id, |a| a.global(true)))
        })
        .mut_subcommand("config", |c| c.mut_arg("config", |a| a.global(true)))
}

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

/// Write the completion script for `shell`.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    clap_complete::generate(shell, &mut command(), "ecrp", out);
}

/// Write the man page (roff) for `ecrp`, subcommands included in its SUBCOMMANDS section.
pub fn write_man(out: &mut dyn Write) -> io::Result<()> {
    clap_mangen::Man::new(command()).render(out)
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

fn parse_synthetic(s: &str) -> Result<(String, usize), String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        command().debug_assert();
    }

    fn parse(args: &[&str]) -> Result<Cli, String> {
        let m = command()
            .try_get_matches_from([&["ecrp"], args].concat())
            .map_err(|e| e.to_string())?;
        Cli::from_arg_matches(&m).map_err(|e| e.to_string())?.lift()
    }

    #[test]
    fn flags_before_a_subcommand_count_for_it_or_are_refused() {
        let cli = parse(&["--demo", "--profile", "a", "ls", "repos", "--profile", "b"]).unwrap();
        let Some(Command::Ls(ls)) = cli.command else {
            panic!("ls")
        };
        assert!(ls.client.demo);
        assert_eq!(
            ls.client.conn.profile.as_deref(),
            Some("b"),
            "after the name wins"
        );
        let cli = parse(&["--read-only", "push", "dir", "repo:v1"]).unwrap();
        let Some(Command::Push(push)) = cli.command else {
            panic!("push")
        };
        assert_eq!(push.mode.read_only(), Some(true));
        assert_eq!(push.via, PushVia::Api, "the API path is the default");
        let cli = parse(&[
            "--registry-url",
            "http://127.0.0.1:1",
            "push",
            "--via",
            "registry",
            "dir",
            "repo",
        ])
        .unwrap();
        let Some(Command::Push(push)) = cli.command else {
            panic!("push")
        };
        assert_eq!(push.via, PushVia::Registry);
        assert_eq!(push.registry_url.as_deref(), Some("http://127.0.0.1:1"));
        assert!(parse(&["push", "--via", "docker", "dir", "repo"]).is_err());
        assert!(
            parse(&["--read-only", "push", "dir", "repo", "--read-write"])
                .unwrap_err()
                .contains("cannot be used together")
        );
        assert_eq!(
            parse(&["--demo", "--region", "x", "emulator"]).unwrap_err(),
            "`ecrp emulator` does not take --region, --demo"
        );
        assert!(parse(&["emulator", "--demo"]).is_err());
        let cli = parse(&["--log-level", "debug", "emulator"]).unwrap();
        let Some(Command::Emulator(emu)) = cli.command else {
            panic!("emulator")
        };
        assert_eq!(emu.log.log_level.as_deref(), Some("debug"));
        let tui = parse(&["--demo", "--read-write"]).unwrap();
        assert!(tui.client.demo && tui.command.is_none());
        assert_eq!(tui.mode.read_only(), Some(false));
    }

    #[test]
    fn synthetic_spec_parses_and_rejects() {
        assert_eq!(
            parse_synthetic("big=100_000").unwrap(),
            ("big".into(), 100_000)
        );
        assert!(parse_synthetic("big").unwrap_err().contains("REPO=COUNT"));
        assert!(
            parse_synthetic("big=x")
                .unwrap_err()
                .contains("whole number")
        );
        assert!(parse_synthetic("=3").unwrap_err().contains("REPO"));
    }

    #[test]
    fn chunk_sizes_respect_the_part_limits() {
        assert_eq!(parse_chunk_size("10MiB"), Ok(10 << 20));
        assert_eq!(parse_chunk_size("5m"), Ok(5 << 20));
        assert_eq!(parse_chunk_size("6_000_000"), Ok(6_000_000));
        assert!(parse_chunk_size("1MiB").unwrap_err().contains("5 MiB"));
        assert!(parse_chunk_size("21MiB").is_err());
        assert!(parse_chunk_size("lots").is_err());
    }
}
