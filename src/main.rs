//! The `ecrp` binary: parse arguments, set up logging, dispatch to the TUI, `ls` or `emulator`.

use anyhow::Result;
use clap::Parser;

use ecrp::aws::ClientOptions;
use ecrp::cli::{Cli, Command, SeedArg};
use ecrp::emulator::{self, EmulatorOptions, Seed};
use ecrp::{app, logging, ls};

fn main() -> Result<()> {
    let cli = Cli::parse();
    let to_stderr = matches!(
        cli.command,
        Some(Command::Emulator(_)) | Some(Command::Ls(_))
    );
    let _log_guard = logging::init(cli.log_file.as_deref(), cli.log_level.as_deref(), to_stderr);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run(cli))
}

async fn run(cli: Cli) -> Result<()> {
    let conn = cli.conn.clone();
    match cli.command {
        Some(Command::Emulator(args)) => {
            let opts = EmulatorOptions {
                addr: args.addr,
                seed: match args.seed {
                    SeedArg::Demo => Seed::Demo,
                    SeedArg::Empty => Seed::Empty,
                },
                synthetic: args.synthetic,
                state_file: args.state,
                ..Default::default()
            };
            let emu = emulator::start(opts).await?;
            // The first line on stdout names the address, for scripts that start us on port 0.
            println!("listening on {}", emu.url());
            use std::io::Write;
            std::io::stdout().flush()?;
            wait_for_shutdown_signal().await?;
            emu.shutdown().await;
            Ok(())
        }
        Some(Command::Ls(args)) => {
            let (opts, emu) = client_options(&conn, cli.demo).await?;
            let result = ls::run(&opts, &args).await;
            if let Some(emu) = emu {
                emu.shutdown().await;
            }
            result
        }
        None => {
            let (opts, emu) = client_options(&conn, cli.demo).await?;
            let result = app::run(app::RunOptions {
                client: opts,
                read_only: cli.read_only,
                demo: cli.demo,
            })
            .await;
            if let Some(emu) = emu {
                emu.shutdown().await;
            }
            result
        }
    }
}

/// With `--demo`, start the emulator in-process with demo data and point the client at it.
async fn client_options(
    conn: &ecrp::cli::ConnArgs,
    demo: bool,
) -> Result<(ClientOptions, Option<emulator::Emulator>)> {
    if demo {
        let emu = emulator::start(EmulatorOptions::default()).await?;
        let opts = ClientOptions::for_emulator(&emu.url());
        return Ok((opts, Some(emu)));
    }
    Ok((
        ClientOptions {
            profile: conn.profile.clone(),
            region: conn.region.clone(),
            endpoint_url: conn.endpoint_url.clone(),
            static_credentials: None,
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
