//! The `ecrp` binary: parse arguments, set up logging, load the config, dispatch to the TUI or a
//! subcommand.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use ecrp::aws::{self, Api, ClientOptions};
use ecrp::cli::overrides;
use ecrp::cli::{Cli, ClientArgs, Command, ConfigAction, LogArgs, SeedArg};
use ecrp::config::{self, Settings};
use ecrp::emulator::{self, EmulatorOptions, Seed};
use ecrp::registry::{Credentials, Reference, Secret};
use ecrp::{app, cli, inspect, logging, login, ls, profiles, prune, push};

fn main() -> Result<()> {
    let cli = Cli::parse_args();
    // Commands that only print need neither logging nor a runtime.
    match &cli.command {
        Some(Command::Completions { shell }) => {
            cli::write_completions(*shell, &mut std::io::stdout());
            return Ok(());
        }
        Some(Command::Man) => return Ok(cli::write_man(&mut std::io::stdout())?),
        Some(Command::Config(args)) => return config_command(args.config.as_deref(), &args.action),
        _ => {}
    }
    // A server's log is its output: the emulator logs to stderr. Every other command (the TUI,
    // `ls`, `login`, …) writes its log to the log file, so what a person reads on stderr is
    // the outcome alone, never log lines with colour codes in them.
    let to_stderr = matches!(cli.command, Some(Command::Emulator(_)));
    let log = log_args(&cli);
    let _log_guard = logging::init(log.log_file.as_deref(), log.log_level.as_deref(), to_stderr);
    // `ls` is one fetching task and one writer that take turns around each round trip: a single
    // thread serves it with less CPU than a pool (no hand-offs between threads, rows freed on the
    // thread that allocated them). `--demo` runs the emulator in-process and keeps the pool.
    let rt = if matches!(&cli.command, Some(Command::Ls(a)) if !a.client.demo || a.cached) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    }
    .enable_all()
    .build()?;
    let log_file = log.log_file.is_some();
    if let Err(e) = rt.block_on(run(cli)) {
        // The whole cause chain on one line, not a Debug dump with a backtrace. It can quote the
        // service's message, which a hostile endpoint controls: neutralised like anything drawn.
        // Logged too when the log has a file of its own, not when it is this same stderr.
        if !to_stderr || log_file {
            tracing::error!("{e:#}");
        }
        // One sentence a line: an error and the advice that follows it (`aws sso login …`) are
        // two lines, not one run-on. Not eprintln!: when the terminal is gone (tmux killed, SSH
        // dropped) it would panic.
        let text = match e.downcast_ref::<profiles::Advised>() {
            Some(advised) => advised.to_string(),
            None => profiles::one_line(&format!("{e:#}")),
        };
        let mut err = std::io::stderr().lock();
        for line in text.lines() {
            let _ = writeln!(err, "ecrp: {}", ecrp::sanitize::clean_line(line));
        }
        std::process::exit(1);
    }
    Ok(())
}

/// The log flags of the command being run (`profiles` takes none: it logs nothing of note).
fn log_args(cli: &Cli) -> LogArgs {
    match &cli.command {
        None => cli.client.log.clone(),
        Some(Command::Emulator(a)) => a.log.clone(),
        Some(Command::Ls(a)) => a.client.log.clone(),
        Some(Command::Login(a)) => a.client.log.clone(),
        Some(Command::Push(a)) => a.client.log.clone(),
        Some(Command::Prune(a)) => a.client.log.clone(),
        Some(Command::Inspect(a)) => a.client.log.clone(),
        Some(Command::Tags(a)) => a.client.log.clone(),
        Some(_) => LogArgs::default(),
    }
}

fn config_command(config: Option<&Path>, action: &ConfigAction) -> Result<()> {
    let path = config
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .or_else(config::config_path)
        .context("no config directory (no home directory): use --config FILE")?;
    match action {
        ConfigAction::Path => println!("{}", path.display()),
        ConfigAction::Init { force } => {
            config::write_default_file(&path, *force)
                .with_context(|| format!("could not write {}", path.display()))?;
            println!("wrote {}", path.display());
        }
        ConfigAction::Check => {
            if !path.exists() {
                println!("{} does not exist: ecrp uses the defaults", path.display());
                return Ok(());
            }
            let (_, warnings) = config::load(&path);
            for w in &warnings {
                println!("{w}");
            }
            if !warnings.is_empty() {
                anyhow::bail!("{} problem(s) in {}", warnings.len(), path.display());
            }
            println!("{}: no problems", path.display());
        }
    }
    Ok(())
}

/// The config file merged with flags and environment. Subcommands print the file's problems to
/// stderr; the TUI (`create`) writes the default file on first run.
fn settings(
    file: Option<&Path>,
    overrides: &config::Overrides,
    create: bool,
) -> (Settings, config::Startup) {
    let startup = config::startup(file, create);
    let env = |k: &str| std::env::var(k).ok();
    let settings = config::resolve(overrides, env, &startup.config);
    (settings, startup)
}

fn print_warnings(startup: &config::Startup) {
    for w in &startup.warnings {
        eprintln!("warning: {w}");
    }
}

async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Some(Command::Emulator(args)) => {
            let opts = EmulatorOptions {
                addr: args.addr,
                seed: match args.seed {
                    SeedArg::Demo => Seed::Demo,
                    SeedArg::Empty => Seed::Empty,
                },
                synthetic: args.synthetic.clone(),
                state_file: args.state.clone(),
                data_dir: args.data_dir.clone(),
                faults: args.faults,
                fault_seed: args.fault_seed,
                verify_sigv4: args.verify_sigv4.clone(),
                registry: emulator::RegistryOptions {
                    blob_redirect: args.blob_redirect.clone(),
                    rate: args.registry_rate,
                    ..Default::default()
                },
                quotas: args.quota.unwrap_or_default(),
                allow_remote: args.allow_remote,
                ..Default::default()
            };
            // Warned once it really listens there: a refused address gets the refusal alone.
            let warning = emulator::remote_warning(&opts);
            let emu = emulator::start(opts).await?;
            if let Some(warning) = warning {
                eprintln!("{warning}");
            }
            // The first line on stdout names the address, for scripts that start us on port 0.
            println!("listening on {}", emu.url());
            std::io::stdout().flush()?;
            wait_for_shutdown_signal().await?;
            emu.shutdown().await;
            Ok(())
        }
        Some(Command::Ls(args)) => {
            let c = &args.client;
            let (settings, startup) =
                settings(c.config.as_deref(), &overrides(&c.conn, None), false);
            print_warnings(&startup);
            // The SDK would only say "could not parse profile file": name the file and line.
            if let Some(p) = (!c.demo).then(profiles::shared_files_problem).flatten() {
                eprintln!("warning: {p}");
            }
            if args.cached && !startup.config.listing_cache {
                bail!(
                    "--cached reads the listing cache, which is off: listing_cache = false in {}; \
                     set it to true (the TUI then saves listings again), or drop --cached to list \
                     from the service",
                    startup
                        .path
                        .as_deref()
                        .map_or_else(|| "the config file".into(), |p| p.display().to_string())
                );
            }
            // `--cached` sends nothing, so `--demo` needs no emulator: its listings are keyed by
            // the name `demo`, not the address, and the scope is the emulator client's.
            let (opts, emu) = if args.cached && c.demo {
                let opts = ClientOptions::for_emulator(DEMO_UNUSED_URL);
                (opts, None)
            } else {
                client_options(c, &settings).await?
            };
            let result = ls::run(&opts, args).await;
            if let Some(emu) = emu {
                emu.shutdown().await;
            }
            result
        }
        Some(Command::Push(args)) => {
            let c = &args.client;
            let flags = overrides(&c.conn, Some(&args.mode));
            let (settings, startup) = settings(c.config.as_deref(), &flags, false);
            print_warnings(&startup);
            let (opts, emu) = client_options(c, &settings).await?;
            let push_opts = push::PushOptions {
                dir: args.dir.clone(),
                target: args.target.clone(),
                all_tags: args.all_tags,
                registry_id: args.registry_id.clone(),
                chunk_size: args.chunk_size,
                dry_run: args.dry_run,
                via: match args.via {
                    cli::PushVia::Api => push::Via::Api,
                    cli::PushVia::Registry => push::Via::Registry,
                },
                registry_url: registry_url(
                    emu.as_ref(),
                    args.registry_url.clone(),
                    &startup.config,
                    &opts,
                ),
            };
            let result = push::run(&opts, settings.read_only, &push_opts).await;
            if let Some(emu) = emu {
                emu.shutdown().await;
            }
            result
        }
        Some(Command::Prune(args)) => {
            let c = &args.client;
            let flags = overrides(&c.conn, Some(&args.mode));
            let (settings, startup) = settings(c.config.as_deref(), &flags, false);
            print_warnings(&startup);
            let (opts, emu) = client_options(c, &settings).await?;
            let registry_url = registry_url(
                emu.as_ref(),
                args.registry_url.clone(),
                &startup.config,
                &opts,
            );
            let result = prune::run(
                &opts,
                settings.read_only,
                args,
                registry_url.as_deref(),
                &startup.config.lifecycle,
            )
            .await;
            if let Some(emu) = emu {
                emu.shutdown().await;
            }
            result
        }
        Some(Command::Login(args)) => {
            let c = &args.client;
            let (settings, startup) =
                settings(c.config.as_deref(), &overrides(&c.conn, None), false);
            print_warnings(&startup);
            let (opts, emu) = client_options(c, &settings).await?;
            let (client, info) = aws::connect(&opts).await;
            let api = Api::new(client, settings.read_only);
            // The emulator's token would only make docker fail against the real registry.
            let (docker, reason) = if c.demo {
                (
                    None,
                    "--demo: the token comes from the built-in emulator, so docker is not logged in.",
                )
            } else {
                (
                    login::find_docker(std::env::var_os("PATH").as_deref()),
                    login::NO_DOCKER,
                )
            };
            let result = login::run_command(
                &api,
                &info.profile,
                args.print_password,
                docker.as_deref(),
                reason,
            )
            .await;
            if let Some(emu) = emu {
                emu.shutdown().await;
            }
            result
        }
        Some(Command::Inspect(args)) => {
            let opts = inspect::InspectOptions {
                platform: args
                    .platform
                    .as_deref()
                    .map(inspect::PlatformSpec::parse)
                    .transpose()
                    .map_err(anyhow::Error::msg)?,
                json: args.json,
                raw: args.raw.map(|r| match r {
                    cli::RawArg::Manifest => inspect::RawPart::Manifest,
                    cli::RawArg::Config => inspect::RawPart::Config,
                }),
            };
            registry_command(
                &args.client,
                args.registry_url.clone(),
                &args.reference,
                args.login,
                |client, reference| {
                    Box::pin(async move { inspect::run_inspect(&client, &reference, &opts).await })
                },
            )
            .await
        }
        Some(Command::Tags(args)) => {
            let json = args.json;
            registry_command(
                &args.client,
                args.registry_url.clone(),
                &args.reference,
                args.login,
                |client, reference| {
                    Box::pin(async move { inspect::run_tags(&client, &reference, json).await })
                },
            )
            .await
        }
        Some(Command::Profiles(args)) => {
            let flags = config::Overrides {
                profile: args.profile.clone(),
                ..Default::default()
            };
            let (settings, startup) = settings(args.config.as_deref(), &flags, false);
            print_warnings(&startup);
            let list = profiles::list_profiles()?;
            if list.is_empty() {
                println!(
                    "no profiles in {} or {}",
                    profiles::config_file_path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    profiles::credentials_file_path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                );
            }
            let current = settings.profile.as_deref().unwrap_or("default");
            print!("{}", profiles::render_table(&list, current));
            Ok(())
        }
        // Handled in `main` before the runtime starts.
        Some(Command::Completions { .. }) | Some(Command::Man) | Some(Command::Config(_)) => Ok(()),
        None => {
            let c = &cli.client;
            let flags = overrides(&c.conn, Some(&cli.mode));
            let (settings, startup) = settings(c.config.as_deref(), &flags, true);
            for w in &startup.warnings {
                tracing::warn!(warning = %w, "config file problem");
            }
            if startup.created
                && let Some(p) = &startup.path
            {
                tracing::info!(path = %p.display(), "wrote the default config file");
            }
            let (mut opts, emu) = client_options(c, &settings).await?;
            // The inspector, `:open`, retag and the lifecycle view read public.ecr.aws's
            // registry API here.
            let own_registry = registry_url(
                emu.as_ref(),
                cli.registry_url.clone(),
                &startup.config,
                &opts,
            );
            if let Some(url) = &own_registry {
                ecrp::registry::parse_registry_url(url)?;
            }
            opts.registry_url = own_registry.clone();
            // The demo's references name its emulator, not a registry to offer next time.
            let recent_path = (!c.demo).then(config::recent::default_path).flatten();
            let recent = match recent_path.as_deref().map(config::recent::load) {
                Some(Ok(r)) => r,
                Some(Err(e)) => {
                    tracing::warn!("could not read the recently opened list: {e}");
                    Vec::new()
                }
                None => Vec::new(),
            };
            let mut config = startup.config;
            config.registry_url = own_registry;
            config.theme = config
                .theme
                .resolve(std::env::var("COLORFGBG").ok().as_deref());
            let cache = listing_cache(cli.no_cache, &config);
            let result = panic_on_request(app::run(
                app::RunOptions {
                    client: opts,
                    read_only: settings.read_only,
                    demo: c.demo,
                    config,
                    config_warnings: startup.warnings,
                    config_created: startup.path.clone().filter(|_| startup.created),
                    config_path: startup.path,
                    recent_path,
                    recent,
                    no_color: config::no_color(std::env::var_os("NO_COLOR").as_deref()),
                    in_tmux: ecrp::clipboard::in_tmux(),
                    aws_files_problem: (!c.demo).then(profiles::shared_files_problem).flatten(),
                    region_pinned: flags.region.is_some(),
                    tmux_passthrough: ecrp::clipboard::in_tmux()
                        .then(ecrp::clipboard::tmux_passthrough)
                        .flatten(),
                    journal_dir: None,
                    cache,
                },
                ecrp::ui::view,
            ))
            .await;
            if let Some(emu) = emu {
                emu.shutdown().await;
            }
            result
        }
    }
}

/// The listing cache unless `--no-cache` or the config file turns it off.
fn listing_cache(no_cache: bool, config: &config::Config) -> Option<app::CacheOptions> {
    if no_cache || !config.listing_cache {
        return None;
    }
    Some(app::CacheOptions {
        store: ecrp::cache::Store::new(ecrp::cache::default_dir()?, ecrp::cache::DEFAULT_MAX_BYTES),
        identity: ecrp::cache::Scope::env_identity(),
    })
}

/// For the crash tests (tests/tui/tui_crash.rs), not a feature: with `ECRP_DEBUG_PANIC_AFTER_MS=N`, panic
/// N ms after the TUI started, on the main thread while `app::run` is live (its terminal entered),
/// which is where a bug in `update` or `view` would panic. Without the variable, `run` as is.
async fn panic_on_request(run: impl Future<Output = Result<()>>) -> Result<()> {
    let Some(ms) = std::env::var("ECRP_DEBUG_PANIC_AFTER_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return run.await;
    };
    // Pinned here, not moved into `select!`, which would drop it (restoring the terminal through
    // its guard) before the panic: it must still hold the terminal when the panic hook runs.
    let mut run = std::pin::pin!(run);
    tokio::select! {
        // `run` is polled first, so the terminal is entered and drawn before the timer can fire.
        biased;
        r = &mut run => r,
        () = tokio::time::sleep(std::time::Duration::from_millis(ms)) => {
            panic!("ECRP_DEBUG_PANIC_AFTER_MS: deliberate panic after {ms} ms")
        }
    }
}

type CommandFuture = std::pin::Pin<Box<dyn Future<Output = Result<()>>>>;

/// `inspect` and `tags`: parse REF, work out where public.ecr.aws is (`--demo`'s emulator,
/// `--registry-url`, ECRP_REGISTRY_URL, the config file), get registry credentials with `--login`,
/// then run `body` with a client for REF's registry.
async fn registry_command(
    cli: &ClientArgs,
    registry_url: Option<String>,
    reference: &str,
    with_login: bool,
    body: impl FnOnce(ecrp::registry::RegistryClient, Reference) -> CommandFuture,
) -> Result<()> {
    let reference = Reference::parse(reference)?;
    let (settings, startup) = settings(cli.config.as_deref(), &overrides(&cli.conn, None), false);
    print_warnings(&startup);
    let (opts, emu) = client_options(cli, &settings).await?;
    let registry_url = self::registry_url(emu.as_ref(), registry_url, &startup.config, &opts);
    let result = async {
        let credentials = if with_login {
            if !reference
                .hostname()
                .eq_ignore_ascii_case(ecrp::registry::ECR_PUBLIC_HOST)
            {
                anyhow::bail!(
                    "--login is for public.ecr.aws (ECR Public); REF names {}",
                    ecrp::sanitize::clean_line(&reference.host)
                );
            }
            let (client, _) = aws::connect(&opts).await;
            // Only a read: GetAuthorizationToken changes nothing, so --read-only does not forbid it.
            let token = login::fetch(&Api::new(client, true)).await?;
            Some(Credentials {
                username: login::USERNAME.into(),
                password: Secret::new(token.password.expose()),
            })
        } else {
            None
        };
        let client = inspect::client_for(&reference, registry_url.as_deref(), credentials)?;
        body(client, reference).await
    }
    .await;
    if let Some(emu) = emu {
        emu.shutdown().await;
    }
    result
}

/// The demo emulator's address where none is started (`ls --cached --demo`): never connected to.
const DEMO_UNUSED_URL: &str = "http://127.0.0.1:9";

/// With `--demo`, start the emulator in-process with demo data and point the client at it.
/// Where public.ecr.aws's registry API is reached: the demo's emulator (it serves both APIs on
/// one address), else `--registry-url` or ECRP_REGISTRY_URL, else the config file, else a
/// loopback `--endpoint-url` (an `ecrp emulator` run by hand), else public.ecr.aws itself.
fn registry_url(
    emu: Option<&emulator::Emulator>,
    flag: Option<String>,
    config: &config::Config,
    opts: &ClientOptions,
) -> Option<String> {
    match emu {
        Some(emu) => Some(emu.url()),
        None => flag
            .or(config.registry_url.clone())
            .or_else(|| ecrp::registry::registry_url_for_endpoint(opts.endpoint_url.as_deref())),
    }
}

async fn client_options(
    cli: &ClientArgs,
    settings: &Settings,
) -> Result<(ClientOptions, Option<emulator::Emulator>)> {
    if cli.demo {
        let emu = emulator::start(EmulatorOptions::default()).await?;
        let opts = ClientOptions {
            timeouts: settings.timeouts,
            ..ClientOptions::for_emulator(&emu.url())
        };
        return Ok((opts, Some(emu)));
    }
    Ok((
        ClientOptions {
            profile: settings.profile.clone(),
            region: settings.region.clone(),
            endpoint_url: cli.conn.endpoint_url.clone(),
            static_credentials: None,
            timeouts: settings.timeouts,
            registry_url: None,
        },
        None,
    ))
}

async fn wait_for_shutdown_signal() -> Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    Ok(())
}
