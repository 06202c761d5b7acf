//! Peak resident memory of the real `ecrp` binary with 100,000 images loaded: it runs in a tmux
//! session of its own (a private tmux server), keys are sent as a person would type them, and
//! VmHWM is read from /proc once the screen says every image is loaded.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use crate::procs::{ACCESS_KEY, ECRP, SECRET_KEY};

pub fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A private tmux server (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Result<String> {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .stderr(Stdio::piped())
            .output()?;
        ensure!(
            out.status.success(),
            "tmux {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn screen(&self) -> Result<String> {
        self.cmd(&["capture-pane", "-p", "-t", "bench"])
    }

    fn wait_for(&self, what: &str, timeout: Duration) -> Result<String> {
        let end = Instant::now() + timeout;
        loop {
            let s = self.screen()?;
            if s.contains(what) {
                return Ok(s);
            }
            if Instant::now() > end {
                bail!("{what:?} not on screen after {timeout:?}:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(Stdio::null())
            .status();
    }
}

fn vm_hwm_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmHWM in /proc/PID/status")
}

pub struct Peak {
    /// VmHWM with the repositories listed, before opening `big`.
    pub before_mib: f64,
    /// VmHWM once every image is loaded.
    pub loaded_mib: f64,
}

/// Run `ecrp --endpoint-url URL` in tmux, open `repo` with `/repo` enter enter, and wait for
/// "(100,000)" with nothing loading.
/// `cache` is its listing cache directory (a new one: the listing comes from the service).
pub fn peak(
    url: &str,
    repo: &str,
    count_text: &str,
    dir: &Path,
    cache: &Path,
    run: usize,
) -> Result<Peak> {
    let tmux = Tmux {
        socket: format!("ecrp-bench-{}-{run}", std::process::id()),
    };
    let log = dir.join(format!("tui-{run}.log"));
    // `exec env …` so the pane's process is ecrp itself.
    let shell = format!(
        "exec env -u AWS_PROFILE -u AWS_REGION -u AWS_DEFAULT_REGION \
         -u AWS_ENDPOINT_URL_ECR_PUBLIC AWS_ACCESS_KEY_ID={ACCESS_KEY} \
         AWS_SECRET_ACCESS_KEY={SECRET_KEY} AWS_CONFIG_FILE=/nonexistent/c \
         AWS_SHARED_CREDENTIALS_FILE=/nonexistent/c AWS_EC2_METADATA_DISABLED=true \
         ECRP_CONFIG=/nonexistent/ecrp.toml TERM=xterm-256color ECRP_CACHE_DIR='{}' \
         '{ECRP}' --endpoint-url {url} --log-file '{}'",
        // Never the user's own cache.
        cache.display(),
        log.display()
    );
    tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "bench",
        "-x",
        "160",
        "-y",
        "45",
        &shell,
        // A pane whose ecrp died stays, so the failure is reported instead of a vanished server.
        ";",
        "set-option",
        "-t",
        "bench",
        "remain-on-exit",
        "on",
    ])?;
    let pid: u32 = tmux
        .cmd(&["list-panes", "-t", "bench", "-F", "#{pane_pid}"])?
        .trim()
        .parse()
        .context("pane pid")?;
    tmux.wait_for(repo, Duration::from_secs(30))?;
    let before = vm_hwm_kib(pid)?;
    tmux.cmd(&["send-keys", "-t", "bench", "-l", &format!("/{repo}")])?;
    tmux.cmd(&["send-keys", "-t", "bench", "Enter"])?;
    // The filter is applied on each key; give the last one a frame before opening.
    std::thread::sleep(Duration::from_millis(200));
    tmux.cmd(&["send-keys", "-t", "bench", "Enter"])?;
    let title = format!("{repo} ({count_text})");
    let screen = tmux.wait_for(&title, Duration::from_secs(120))?;
    ensure!(
        screen.contains(&format!("Images · {title}")),
        "did not open the images of {repo}:\n{screen}"
    );
    let loaded = vm_hwm_kib(pid)?;
    tmux.cmd(&["send-keys", "-t", "bench", "q"])?;
    Ok(Peak {
        before_mib: before as f64 / 1024.0,
        loaded_mib: loaded as f64 / 1024.0,
    })
}
