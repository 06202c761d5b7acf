//! End to end: the real binary in tmux against `ecrp emulator`, as a person would use it. Filters
//! to a repository, opens its catalog, checks the screen, quits and checks the terminal came back.
//! Skipped (with a message) where tmux is not installed, unless ECRP_REQUIRE_TMUX=1.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::binary::{BIN, Emulator, tmux_available};

struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}

impl Session {
    fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["send-keys", "-t", &self.0])
            .args(keys)
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }

    /// Wait until the screen shows every one of `texts`.
    fn wait_for(&self, texts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.capture();
            if texts.iter().all(|t| s.contains(t)) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {texts:?}, screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// `ecrp emulator` on a free port, and the TUI against it in a 160×45 tmux session.
/// The config file goes to a temporary directory (the TUI writes a default one on first run) and
/// the user's AWS files are not read.
fn start(tag: &str) -> (Emulator, Session, tempfile::TempDir) {
    start_with(tag, None)
}

/// As `start`, with `config` as the user's config file.
fn start_with(tag: &str, config: Option<&str>) -> (Emulator, Session, tempfile::TempDir) {
    let emu = Emulator::start(&[]);
    let url = emu.url.clone();

    let dir = tempfile::tempdir().expect("temp dir");
    let config_path = dir.path().join("config.toml");
    if let Some(text) = config {
        std::fs::write(&config_path, text).expect("write the config file");
    }
    let config = config_path;
    let name = format!("ecrp-e2e-{tag}-{}", std::process::id());
    let cmd = format!(
        "AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secret AWS_REGION=us-east-1 \
         AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
         ECRP_CACHE_DIR={}/cache {BIN} --endpoint-url {url} --config {} --log-file /dev/null; \
         echo ECRP-EXITED $?; sleep 60",
        dir.path().display(),
        config.display()
    );
    let status = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "160",
            "-y",
            "45",
            &cmd,
        ])
        .status()
        .expect("tmux new-session");
    assert!(status.success());
    let session = Session(name);

    (emu, session, dir)
}

#[test]
fn filter_to_a_repository_and_read_its_catalog() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    let (emu, session, _dir) = start("catalog");
    session.wait_for(&["Repositories (13)", "Acme Containers", "? help"]);
    session.keys(&["/", "w", "e", "b"]);
    let s = session.wait_for(&["/web", "Repositories (1 of 13)"]);
    assert!(s.contains("▶ web "), "{s}");
    session.keys(&["Escape"]);
    session.wait_for(&["Repositories (13)"]);
    std::thread::sleep(Duration::from_millis(100));
    session.keys(&["/", "w", "e", "b", "Enter"]);
    session.keys(&["G"]);
    session.keys(&["c"]);
    let s = session.wait_for(&["Catalog · web", "What's inside", "[Linux]"]);
    assert!(s.contains("repositories (13) › web › catalog"), "{s}");
    // Separately: ESC followed at once by `q` reads as alt-q, as in any terminal app.
    session.keys(&["Escape"]);
    session.wait_for(&["Repositories (1 of 13)"]);
    session.keys(&["q"]);
    let s = session.wait_for(&["ECRP-EXITED 0"]);
    assert!(
        !s.contains("Repositories"),
        "the alternate screen was left:\n{s}"
    );
    drop(emu);
}

#[test]
fn sigterm_restores_the_terminal() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    let (emu, session, _dir) = start("sigterm");
    session.wait_for(&["Repositories (13)"]);
    let out = Command::new("tmux")
        .args(["display-message", "-p", "-t", &session.0, "#{pane_pid}"])
        .output()
        .expect("tmux display-message");
    let shell = String::from_utf8_lossy(&out.stdout).trim().to_string();
    // The pane runs `sh -c '… ecrp …; echo …'`: ecrp is the shell's child.
    let out = Command::new("pgrep")
        .args(["-P", &shell])
        .output()
        .expect("pgrep");
    let pid = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .expect("ecrp's pid")
        .trim()
        .to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let s = session.wait_for(&["ECRP-EXITED 0"]);
    assert!(
        !s.contains("Repositories"),
        "the alternate screen was left:\n{s}"
    );
    drop(emu);
}

#[test]
fn own_keys_switch_region_and_copy() {
    if !tmux_available() {
        eprintln!("tmux not installed: skipping the end-to-end test");
        return;
    }
    let (emu, session, _dir) = start_with(
        "comfort",
        Some("date_format = \"absolute\"\n[keys]\nregions = \"ctrl-g\"\n"),
    );
    let s = session.wait_for(&["Repositories (13)", "us-east-1"]);
    assert!(!s.contains(" ago"), "absolute dates:\n{s}");
    session.keys(&["C-g"]);
    session.wait_for(&["Regions · enter chooses", "us-west-2"]);
    session.keys(&["j", "Enter"]);
    session.wait_for(&["now using profile", "us-west-2", "Repositories (13)"]);
    session.keys(&["y"]);
    session.wait_for(&["Copy · enter chooses"]);
    session.keys(&["Enter"]);
    // Inside tmux: "copied", or, when this tmux server's allow-passthrough is off, that the
    // sequence may not have reached the outer terminal.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = session.capture();
        if s.contains("copied URI: ")
            || s.contains("sent URI to tmux, whose allow-passthrough is off")
        {
            break;
        }
        assert!(Instant::now() < deadline, "no copy message:\n{s}");
        std::thread::sleep(Duration::from_millis(100));
    }
    session.keys(&["q"]);
    session.wait_for(&["ECRP-EXITED 0"]);
    drop(emu);
}
