//! The real binary in tmux, for the crash and hostile-output tests: `ecrp emulator` on a free port,
//! the TUI in a 160×45 pane with every byte it writes recorded (`pipe-pane`), the terminal's
//! settings (`stty -g`) and tmux's view of the pane (alternate screen, cursor, mouse modes) before
//! and after.
//!
//! The pane runs `sh -c`: it waits for one line of input (so `pipe-pane` is recording before ecrp
//! writes a byte), saves `stty -g`, runs ecrp, prints `ECRP-EXITED <code>`, saves `stty -g` again
//! and stays open so the screen can be read.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::binary::BIN;

/// tmux's flags for the pane: what the terminal looks like from outside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaneState {
    pub alternate_on: String,
    pub cursor_flag: String,
    pub mouse_any_flag: String,
    pub mouse_button_flag: String,
    pub mouse_sgr_flag: String,
    pub pane_title: String,
}

/// A tmux session running ecrp; killed on drop.
pub struct Session {
    pub name: String,
    pub dir: tempfile::TempDir,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = tmux_command()
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

/// tmux on this test process's own server (`-L`, no config file): the tests never touch the
/// user's tmux server or settings, and every test binary running at once has its own.
fn tmux_command() -> Command {
    let mut c = Command::new("tmux");
    c.args(["-L", &format!("ecrp-tests-{}", std::process::id())])
        .args(["-f", "/dev/null"]);
    c
}

fn tmux(args: &[&str]) -> String {
    let out = tmux_command().args(args).output().expect("tmux");
    assert!(
        out.status.success(),
        "tmux {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// How to run ecrp in the pane.
pub struct Launch<'a> {
    pub tag: &'a str,
    pub endpoint: &'a str,
    /// Extra `NAME=value` words before the command (later ones win over the defaults).
    pub env: &'a [&'a str],
    /// Extra arguments for ecrp.
    pub args: &'a [&'a str],
    pub width: u16,
    pub height: u16,
}

impl Session {
    /// Starts the pane (waiting at its `read`), starts recording, then lets ecrp run. The config
    /// file, log file (`ecrp.log`), recorded output (`raw`) and `stty` snapshots live in `dir`.
    pub fn launch(l: Launch<'_>) -> Session {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path().display().to_string();
        // Unique within the process: several test files share one binary and may reuse a tag.
        static SESSIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SESSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("ecrp-{}-{}-{n}", l.tag, std::process::id());
        let env = l.env.join(" ");
        let args = l.args.join(" ");
        let script = format!(
            "read _; stty -g > {d}/stty-before; \
             AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secret AWS_REGION=us-east-1 \
             AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null ECRP_CACHE_DIR={d}/cache {env} \
             {BIN} --endpoint-url {} --config {d}/config.toml --log-file {d}/ecrp.log {args}; \
             echo ECRP-EXITED $?; stty -g > {d}/stty-after; sleep 120",
            l.endpoint
        );
        let (w, h) = (l.width.to_string(), l.height.to_string());
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            &w,
            "-y",
            &h,
            "sh",
            "-c",
            &script,
        ]);
        let session = Session { name, dir };
        tmux(&[
            "pipe-pane",
            "-O",
            "-t",
            &session.name,
            &format!("cat > {d}/raw"),
        ]);
        session
    }

    /// Lets the pane's `read` return: ecrp starts.
    pub fn go(&self) {
        self.keys(&["Enter"]);
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    pub fn capture(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.name])
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        tmux(&args);
    }

    pub fn state(&self) -> PaneState {
        let out = tmux(&[
            "display-message",
            "-p",
            "-t",
            &self.name,
            "#{alternate_on}|#{cursor_flag}|#{mouse_any_flag}|#{mouse_button_flag}|#{mouse_sgr_flag}|#{pane_title}",
        ]);
        let f: Vec<&str> = out.trim_end_matches('\n').splitn(6, '|').collect();
        assert_eq!(f.len(), 6, "{out:?}");
        PaneState {
            alternate_on: f[0].into(),
            cursor_flag: f[1].into(),
            mouse_any_flag: f[2].into(),
            mouse_button_flag: f[3].into(),
            mouse_sgr_flag: f[4].into(),
            pane_title: f[5].into(),
        }
    }

    /// Waits until the screen shows every one of `texts`.
    pub fn wait_for(&self, texts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
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

    /// Waits until the screen shows `text` and no longer shows `gone` (a key's effect, when what
    /// it leads to was on screen before it too). Sending ESC and the next key before the app read
    /// the ESC makes them one key (alt-…), so wait after ESC.
    pub fn wait_for_without(&self, text: &str, gone: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.capture();
            if s.contains(text) && !s.contains(gone) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {text:?} without {gone:?}, screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until tmux's flags for the pane satisfy `ok`.
    pub fn wait_state(&self, what: &str, ok: impl Fn(&PaneState) -> bool) -> PaneState {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.state();
            if ok(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "waited for {what}: {s:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for a file in `dir` to exist with content containing `text`, and returns it.
    pub fn wait_file(&self, file: &str, text: &[u8]) -> Vec<u8> {
        let path = self.path(file);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(b) = std::fs::read(&path)
                && b.windows(text.len()).any(|w| w == text)
            {
                return b;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {text:?} in {}",
                path.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// ecrp's process id: the child of the pane's shell.
    pub fn ecrp_pid(&self) -> String {
        let shell = tmux(&["display-message", "-p", "-t", &self.name, "#{pane_pid}"]);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = Command::new("pgrep")
                .args(["-P", shell.trim()])
                .output()
                .expect("pgrep");
            let pids = String::from_utf8_lossy(&out.stdout).into_owned();
            if let Some(pid) = pids.lines().next() {
                return pid.trim().to_string();
            }
            assert!(Instant::now() < deadline, "no child of the pane's shell");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Everything ecrp wrote, once the pane printed `ECRP-EXITED`.
    pub fn raw_after_exit(&self) -> Vec<u8> {
        self.wait_file("raw", b"ECRP-EXITED")
    }

    /// The exit code printed by the pane, once ecrp has exited and the stty snapshot is taken.
    pub fn exit_code(&self) -> i32 {
        self.wait_file("stty-after", b"\n");
        let s = self.wait_for(&["ECRP-EXITED "]);
        let code = s
            .split("ECRP-EXITED ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("exit code");
        code.parse().expect("numeric exit code")
    }
}

/// Reads a file from `dir` (lossy UTF-8).
pub fn read_text(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// Byte offset of the first occurrence of `needle` at or after `from`.
pub fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Byte offset of the last occurrence of `needle`.
pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}
