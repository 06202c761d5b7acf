//! The `ecrp` binary: parse arguments, set up logging, load the config, dispatch to the TUI or a
//! subcommand.

use std::io::Write;

use anyhow::{Context, Result};
use clap::Parser;

use ecrp::aws::{self, Api, ClientOptions};
use ecrp::cli::{Cli, Command, ConfigAction, SeedArg};
use ecrp::config::{self, Settings};
use ecrp::emulator::{self, EmulatorOptions, Seed};
use ecrp::{app, cli, logging, login, ls, profiles, push};

fn main() -> Result<()> {
    let cli = Cli::parse();
    // Commands that only print need neither logging nor a runtime.
    match &cli.command {
        Some(Command::Completions { shell }) => {
            cli::write_completions(*shell, &mut std::io::stdout());
            return Ok(());
        }
        Some(Command::Man) => return Ok(cli::write_man(&mut std::io::stdout())?),
        Some(Command::Config(args)) => return config_command(&cli, &args.action),
        _ => {}
    }
    let to_stderr = cli.command.is_some();
    let _log_guard = logging::init(cli.log_file.as_deref(), cli.log_level.as_deref(), to_stderr);
    // `ls` is one fetching task and one writer that take turns around each round trip: a single
    // thread serves it with less CPU than a pool (no hand-offs between threads, rows freed on the
    // thread that allocated them). `--demo` runs the emulator in-process and keeps the pool.
    let rt = if matches!(cli.command, Some(Command::Ls(_))) && !cli.demo {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    }
    .enable_all()
    .build()?;
    let log_file = cli.log_file.is_some();
    if let Err(e) = rt.block_on(run(cli)) {
        // The whole cause chain on one line, not a Debug dump with a backtrace. It can quote the
        // service's message, which a hostile endpoint controls: neutralised like anything drawn.
        // Logged too when the log has a file of its own, not when it is this same stderr.
        if !to_stderr || log_file {
            tracing::error!("{e:#}");
        }
        // Not eprintln!: when the terminal is gone (tmux killed, SSH dropped) it would panic.
        let _ = writeln!(
            std::io::stderr(),
            "ecrp: {}",
            ecrp::sanitize::clean_line(&format!("{e:#}"))
        );
        std::process::exit(1);
    }
    Ok(())
}

fn config_command(cli: &Cli, action: &ConfigAction) -> Result<()> {
    let path = cli
        .config
        .clone()
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
fn settings(cli: &Cli, create: bool) -> (Settings, config::Startup) {
    let startup = config::startup(cli.config.as_deref(), create);
    let env = |k: &str| std::env::var(k).ok();
    let settings = config::resolve(&cli.overrides(), env, &startup.config);
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
                faults: args.faults,
                fault_seed: args.fault_seed,
                verify_sigv4: args.verify_sigv4.clone(),
                ..Default::default()
            };
            let emu = emulator::start(opts).await?;
            // The first line on stdout names the address, for scripts that start us on port 0.
            println!("listening on {}", emu.url());
            std::io::stdout().flush()?;
            wait_for_shutdown_signal().await?;
            emu.shutdown().await;
            Ok(())
        }
        Some(Command::Ls(args)) => {
            let (settings, startup) = settings(&cli, false);
            print_warnings(&startup);
            let (opts, emu) = client_options(&cli, &settings).await?;
            let result = ls::run(&opts, args).await;
            if let Some(emu) = emu {
                emu.shutdown().await;
            }
            result
        }
        Some(Command::Push(args)) => {
            let (settings, startup) = settings(&cli, false);
            print_warnings(&startup);
            let (opts, emu) = client_options(&cli, &settings).await?;
            let result = push::run(&opts, settings.read_only, args).await;
            if let Some(emu) = emu {
                emu.shutdown().await;
            }
            result
        }
        Some(Command::Login(args)) => {
            let (settings, startup) = settings(&cli, false);
            print_warnings(&startup);
            let (opts, emu) = client_options(&cli, &settings).await?;
            let (client, info) = aws::connect(&opts).await;
            let api = Api::new(client, settings.read_only);
            // The emulator's token would only make docker fail against the real registry.
            let (docker, reason) = if cli.demo {
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
        Some(Command::Profiles) => {
            let (settings, startup) = settings(&cli, false);
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
            let (settings, startup) = settings(&cli, true);
            for w in &startup.warnings {
                tracing::warn!(warning = %w, "config file problem");
            }
            if startup.created
                && let Some(p) = &startup.path
            {
                tracing::info!(path = %p.display(), "wrote the default config file");
            }
            let (opts, emu) = client_options(&cli, &settings).await?;
            let mut config = startup.config;
            config.theme = config
                .theme
                .resolve(std::env::var("COLORFGBG").ok().as_deref());
            let result = panic_on_request(app::run(app::RunOptions {
                client: opts,
                read_only: settings.read_only,
                demo: cli.demo,
                config,
                config_warnings: startup.warnings,
                config_created: startup.path.filter(|_| startup.created),
                no_color: config::no_color(std::env::var_os("NO_COLOR").as_deref()),
                in_tmux: ecrp::clipboard::in_tmux(),
            }))
            .await;
            if let Some(emu) = emu {
                emu.shutdown().await;
            }
            result
        }
    }
}

/// For the crash tests (tests/tui_crash.rs), not a feature: with `ECRP_DEBUG_PANIC_AFTER_MS=N`, panic
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

/// With `--demo`, start the emulator in-process with demo data and point the client at it.
async fn client_options(
    cli: &Cli,
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
