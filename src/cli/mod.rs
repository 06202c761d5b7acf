//! Command-line definitions (clap derive). Kept apart from `main.rs` so completions and the man
//! page are generated from the same definitions (`write_completions`, `write_man`).

use std::io::{self, Write};
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::Overrides;

mod subcommands;
#[cfg(test)]
use subcommands::parse_synthetic;
pub use subcommands::*;

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
    const LS: [&str; 9] = [
        "profile",
        "region",
        "endpoint_url",
        "demo",
        "config",
        "log_file",
        "log_level",
        "json",
        "cached",
    ];
    Cli::command()
        .mut_subcommand("ls", |ls| {
            LS.iter()
                .fold(ls, |c, id| c.mut_arg(*id, |a| a.global(true)))
        })
        .mut_subcommand("config", |c| c.mut_arg("config", |a| a.global(true)))
}

/// Write the completion script for `shell`.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    clap_complete::generate(shell, &mut command(), "ecrp", out);
}

/// Write the man page (roff) for `ecrp`, subcommands included in its SUBCOMMANDS section.
pub fn write_man(out: &mut dyn Write) -> io::Result<()> {
    clap_mangen::Man::new(command()).render(out)
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
