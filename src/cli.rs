//! Command-line definitions (clap derive). Kept apart from `main.rs` so completions and the man
//! page are generated from the same definitions (`write_completions`, `write_man`).

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::config::Overrides;

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
    #[command(flatten)]
    pub conn: ConnArgs,

    /// Run against the built-in emulator with demo data (no AWS account needed).
    #[arg(long, global = true)]
    pub demo: bool,

    /// Make every mutation impossible (enforced where requests are sent, not only hidden).
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Allow mutations even when the config file says `read_only = true`.
    #[arg(long, global = true, conflicts_with = "read_only")]
    pub read_write: bool,

    /// Config file to use instead of the default (also ECRP_CONFIG; `ecrp config path` prints it).
    // Not clap's `env`: that rejects an empty ECRP_CONFIG, which `config::config_path` ignores.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Write logs to this file instead of the default under the data directory.
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,

    /// Log level or filter (as RUST_LOG): error, warn, info, debug, trace.
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How to reach ECR Public: the same flags for the TUI and for `ecrp ls`.
#[derive(Debug, Clone, Default, Args)]
pub struct ConnArgs {
    /// AWS profile from the shared config and credentials files (default: AWS_PROFILE or "default").
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// AWS region (default: AWS_REGION, the profile's region, or us-east-1, the region that serves
    /// the ECR Public API).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Send requests to this endpoint instead of AWS's (for example `ecrp emulator`'s URL).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
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
    Push(PushArgs),
    /// List the AWS profiles from the shared config and credentials files, with kind and region.
    Profiles,
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
    /// The values the command line sets, for `config::resolve` (flags beat env and the file).
    pub fn overrides(&self) -> Overrides {
        Overrides {
            profile: self.conn.profile.clone(),
            region: self.conn.region.clone(),
            read_only: match (self.read_only, self.read_write) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
        }
    }
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Print the registry password to stdout instead of running docker, for piping into
    /// `docker login --username AWS --password-stdin public.ecr.aws` (or podman, nerdctl).
    #[arg(long)]
    pub print_password: bool,
}

#[derive(Debug, Args)]
pub struct PushArgs {
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
    #[arg(long, value_name = "BYTES", value_parser = crate::push::parse_chunk_size)]
    pub chunk_size: Option<u64>,

    /// Verify the layout and ask which layers are missing, without uploading or putting anything
    /// (allowed in read-only mode).
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
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
    clap_complete::generate(shell, &mut Cli::command(), "ecrp", out);
}

/// Write the man page (roff) for `ecrp`, subcommands included in its SUBCOMMANDS section.
pub fn write_man(out: &mut dyn Write) -> io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)
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

    /// Initial data (ignored when --state names an existing file).
    #[arg(long, value_enum, default_value = "demo")]
    pub seed: SeedArg,

    /// Add a repository REPO holding COUNT tagged images (repeatable), e.g. big=100000.
    #[arg(long, value_name = "REPO=COUNT", value_parser = parse_synthetic)]
    pub synthetic: Vec<(String, usize)>,

    /// Load state from FILE at start and write it atomically after every mutation.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

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

    /// Print one JSON array of objects with the API's field names instead of a table.
    #[arg(long, global = true)]
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
        Cli::command().debug_assert();
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
}
