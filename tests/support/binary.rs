//! What the tests that run the real binary share: the binary, whether tmux can run, and
//! `ecrp emulator` as a child process, a hermetic environment. Included by `tmux_support`,
//! `e2e_support` and the tests that run the binary directly.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_ecrp");

/// `cmd` cut off from this machine's AWS and ecrp settings: no shared config or credentials file,
/// no instance metadata, no ecrp config file, and no profile, region, endpoint or log level from
/// the environment. Callers add what their test needs (credentials, a config file) after it.
pub fn hermetic(cmd: &mut Command) -> &mut Command {
    cmd.env("AWS_CONFIG_FILE", "/nonexistent/ecrp-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/ecrp-test-credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("ECRP_CONFIG", "/nonexistent/ecrp-test.toml");
    for var in [
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_ECR_PUBLIC",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// How long the emulator may take to say it listens (generous for CI's 2 cores).
const START: Duration = Duration::from_secs(30);

/// Whether tmux can run here. CI sets ECRP_REQUIRE_TMUX=1, so there a missing tmux fails the test
/// instead of skipping it.
pub fn tmux_available() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok || std::env::var("ECRP_REQUIRE_TMUX").as_deref() != Ok("1"),
        "tmux is required (ECRP_REQUIRE_TMUX=1) but cannot run"
    );
    ok
}

/// `ecrp emulator` on a free port; killed on drop.
pub struct Emulator {
    child: Child,
    pub url: String,
}

impl Emulator {
    /// Start with the demo seed plus `args`, and read the URL from its first line.
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(["emulator", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ecrp emulator");
        let stdout = child.stdout.take().expect("stdout");
        let mut emu = Emulator {
            child,
            url: String::new(),
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(START)
            .expect("the emulator printed no \"listening on\" line in time");
        emu.url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("expected \"listening on URL\", got {line:?}"))
            .to_string();
        emu
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
