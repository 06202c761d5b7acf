//! Child processes: `ecrp emulator`, `ecrp` itself and the AWS CLI, each with dummy credentials and
//! no access to the user's AWS or ecrp configuration.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

pub const ECRP: &str = env!("CARGO_BIN_EXE_ecrp");
pub const ACCESS_KEY: &str = "AKIDECRPBENCH0000000";
pub const SECRET_KEY: &str = "ecrp-bench-secret";

/// Dummy credentials from the environment; config files that do not exist.
pub fn isolate(cmd: &mut Command) -> &mut Command {
    cmd.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_CONFIG_FILE", "/nonexistent/ecrp-bench-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/ecrp-bench-credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("ECRP_CONFIG", "/nonexistent/ecrp-bench.toml")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_ECR_PUBLIC")
}

/// `ecrp ARGS` with isolated credentials and its log in `log`.
pub fn ecrp(args: &[&str], log: &Path) -> Command {
    let mut cmd = ecrp_plain(args);
    cmd.arg("--log-file").arg(log);
    cmd
}

/// `ecrp ARGS` exactly as typed, with isolated credentials: logs (warnings) go to stderr, which
/// `timed` captures.
pub fn ecrp_plain(args: &[&str]) -> Command {
    let mut cmd = Command::new(ECRP);
    cmd.args(args);
    isolate(&mut cmd);
    cmd
}

/// A running `ecrp emulator`, killed when dropped.
pub struct EmuProc {
    child: Child,
    // Held open: a closed pipe would make a later print of the emulator's fail.
    _stdout: BufReader<ChildStdout>,
    pub url: String,
    /// From spawn to the `listening on` line: the time to build the data and bind.
    pub ready: Duration,
}

impl EmuProc {
    /// `ecrp emulator --synthetic S` for each `REPO=COUNT` in `synthetic`.
    pub fn spawn(synthetic: &[&str], log: &Path) -> Result<EmuProc> {
        let mut args = vec!["emulator"];
        for s in synthetic {
            args.extend(["--synthetic", s]);
        }
        let t = Instant::now();
        let mut child = ecrp(&args, log)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting ecrp emulator")?;
        let mut line = String::new();
        let stdout = child.stdout.take().context("emulator stdout")?;
        let mut stdout = BufReader::new(stdout);
        stdout.read_line(&mut line)?;
        let ready = t.elapsed();
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("ecrp emulator printed {line:?} instead of its address");
        };
        Ok(EmuProc {
            url: url.to_string(),
            child,
            _stdout: stdout,
            ready,
        })
    }
}

impl Drop for EmuProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The AWS CLI: `$ECRP_AWS_CLI` (the executable, or a venv holding bin/aws), else `aws` on PATH;
/// `None` when neither answers `--version`.
pub fn aws_cli() -> Option<PathBuf> {
    let candidate = match std::env::var_os("ECRP_AWS_CLI").filter(|v| !v.is_empty()) {
        Some(v) => {
            let p = PathBuf::from(v);
            if p.is_dir() {
                p.join("bin").join("aws")
            } else {
                p
            }
        }
        None => std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("aws"))
                .find(|p| p.is_file())
        })?,
    };
    let ok = Command::new(&candidate)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(candidate)
}

/// `aws ecr-public ARGS --region us-east-1 --endpoint-url URL --output json`.
pub fn aws(cli: &Path, url: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(cli);
    cmd.arg("ecr-public")
        .args(args)
        .args(["--region", "us-east-1", "--endpoint-url", url])
        .args(["--output", "json"]);
    isolate(&mut cmd);
    cmd
}

/// Run `cmd` with stdout to `out` (or /dev/null) and return its wall-clock time; a failure
/// carries its stderr.
pub fn timed(cmd: &mut Command, out: Option<&Path>) -> Result<Duration> {
    let stdout = match out {
        Some(path) => Stdio::from(std::fs::File::create(path)?),
        None => Stdio::null(),
    };
    let t = Instant::now();
    let res = cmd
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .context("spawning")?;
    let took = t.elapsed();
    if !res.status.success() {
        let err = String::from_utf8_lossy(&res.stderr);
        bail!("exit {}: {}", res.status, err.trim());
    }
    Ok(took)
}
