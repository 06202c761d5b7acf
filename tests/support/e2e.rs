//! Helpers for end-to-end tests that drive the real `ecrp` binary in tmux against `ecrp emulator`
//! and check the result with a fresh `aws-sdk-ecrpublic` client.
//!
//! Every test gets its own tmux server (`tmux -S <socket> -f <conf>`, both in a temporary
//! directory), so nothing depends on or touches the user's tmux server or configuration, and
//! dropping the `Tmux` kills the server and every process in it. Panes stay after their process
//! exits (`remain-on-exit`), so a failure can still print the last screen. Home, config, data dir,
//! drafts, temp files and the log all live in a `Sandbox` (a temporary directory), and the AWS
//! config files are not read.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_ecrpublic::Client;
use aws_sdk_ecrpublic::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_ecrpublic::types::{ImageDetail, RepositoryCatalogData};

use super::binary::BIN;

/// How long any single wait may take before the test fails (generous for CI's 2 cores).
pub const WAIT: Duration = Duration::from_secs(30);

/// Poll `f` every 100 ms until it returns `Some`, or fail after `WAIT` with `what` and whatever
/// `context` says about the state at that moment.
pub fn poll<T>(what: &str, mut f: impl FnMut() -> Option<T>, context: impl Fn() -> String) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {WAIT:?} waiting for {what}\n{}",
            context()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A temporary home for one run of the TUI: config, data dir (drafts), temp files and log.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        for d in [
            "home",
            "data",
            "tmp",
            "xdg/config",
            "xdg/data",
            "xdg/state",
            "xdg/cache",
        ] {
            std::fs::create_dir_all(dir.path().join(d)).expect("sandbox dirs");
        }
        Sandbox { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `$ECRP_DATA_DIR`.
    pub fn data_dir(&self) -> PathBuf {
        self.path("data")
    }

    /// Where drafts are written: `$ECRP_DATA_DIR/drafts`.
    pub fn drafts_dir(&self) -> PathBuf {
        self.data_dir().join("drafts")
    }

    pub fn log_file(&self) -> PathBuf {
        self.path("ecrp.log")
    }

    /// The draft files (`*.json`) whose name ends with `suffix`, e.g. `__web__catalog.json`.
    pub fn drafts(&self, suffix: &str) -> Vec<PathBuf> {
        let Ok(rd) = std::fs::read_dir(self.drafts_dir()) else {
            return vec![];
        };
        rd.filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(suffix))
            })
            .collect()
    }

    /// The environment the TUI runs with: everything it could write points into the sandbox, the
    /// user's AWS files are not read, and the credentials are static.
    pub fn env(&self) -> Vec<(String, String)> {
        let p = |rel: &str| self.path(rel).display().to_string();
        vec![
            ("HOME".into(), p("home")),
            ("XDG_CONFIG_HOME".into(), p("xdg/config")),
            ("XDG_DATA_HOME".into(), p("xdg/data")),
            ("XDG_STATE_HOME".into(), p("xdg/state")),
            ("XDG_CACHE_HOME".into(), p("xdg/cache")),
            ("ECRP_DATA_DIR".into(), p("data")),
            ("TMPDIR".into(), p("tmp")),
            ("AWS_ACCESS_KEY_ID".into(), "AKIDTEST".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "secret".into()),
            ("AWS_REGION".into(), "us-east-1".into()),
            ("AWS_CONFIG_FILE".into(), "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), "/dev/null".into()),
        ]
    }

    /// The last `n` lines of the log, for failure messages.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(self.log_file()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

/// Quote for `sh`: single quotes, with embedded single quotes closed and escaped.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r#"'\''"#))
}

/// A private tmux server (its socket and config in a temporary directory); killed, with
/// everything running in it, on drop.
pub struct Tmux {
    dir: tempfile::TempDir,
}

impl Tmux {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        // The pane is exactly the window (no status line); a pane whose process ended stays, so
        // its last screen can be captured.
        std::fs::write(
            dir.path().join("tmux.conf"),
            "set -g status off\nset -g remain-on-exit on\n",
        )
        .expect("write tmux.conf");
        Tmux { dir }
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.env_remove("TMUX")
            .arg("-S")
            .arg(self.dir.path().join("tmux.sock"))
            .arg("-f")
            .arg(self.dir.path().join("tmux.conf"));
        c
    }

    /// Run `ecrp ARGS --endpoint-url URL` as the pane's own process (so the pane pid is ecrp's)
    /// in a new 160×45 session named `session`, with the sandbox's environment plus `env`.
    pub fn launch<'a>(
        &'a self,
        session: &str,
        sandbox: &'a Sandbox,
        url: &str,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> Pane<'a> {
        let mut vars = sandbox.env();
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let assignments: Vec<String> = vars
            .iter()
            .map(|(k, v)| format!("{k}={}", sh_quote(v)))
            .collect();
        let mut argv = vec![
            sh_quote(BIN),
            "--endpoint-url".into(),
            sh_quote(url),
            "--config".into(),
            sh_quote(&sandbox.path("config.toml").display().to_string()),
            "--log-file".into(),
            sh_quote(&sandbox.log_file().display().to_string()),
        ];
        argv.extend(args.iter().map(|a| sh_quote(a)));
        let cmd = format!("exec env {} {}", assignments.join(" "), argv.join(" "));
        let status = self
            .cmd()
            .args([
                "new-session",
                "-d",
                "-s",
                session,
                "-x",
                "160",
                "-y",
                "45",
                &cmd,
            ])
            .status()
            .expect("tmux new-session");
        assert!(status.success(), "tmux new-session failed");
        Pane {
            tmux: self,
            target: session.to_string(),
            sandbox,
        }
    }
}

impl Default for Tmux {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").stderr(Stdio::null()).status();
    }
}

/// The pane ecrp runs in.
pub struct Pane<'a> {
    tmux: &'a Tmux,
    target: String,
    sandbox: &'a Sandbox,
}

impl Pane<'_> {
    pub fn capture(&self) -> String {
        let out = self
            .tmux
            .cmd()
            .args(["capture-pane", "-p", "-t", &self.target])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn display(&self, format: &str) -> String {
        let out = self
            .tmux
            .cmd()
            .args(["display-message", "-p", "-t", &self.target, format])
            .output()
            .expect("tmux display-message");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The pane's process: ecrp itself (it is exec'd).
    pub fn pid(&self) -> u32 {
        let s = self.display("#{pane_pid}");
        s.parse()
            .unwrap_or_else(|_| panic!("pane pid from tmux: {s:?}"))
    }

    /// Whether the pane's process has ended, and its exit status if so.
    pub fn dead(&self) -> Option<String> {
        (self.display("#{pane_dead}") == "1").then(|| self.display("#{pane_dead_status}"))
    }

    /// The screen, whether ecrp is still running, and the end of its log: what a failure shows.
    pub fn report(&self) -> String {
        let state = match self.dead() {
            Some(status) => format!("ecrp EXITED (status {status:?})"),
            None => "ecrp is running".to_string(),
        };
        format!(
            "{state}; screen:\n{}\n--- end of the log ---\n{}",
            self.capture(),
            self.sandbox.log_tail(15)
        )
    }

    /// tmux key names ("Enter", "C-s", "Tab", "C-End", or plain characters).
    pub fn keys(&self, keys: &[&str]) {
        let status = self
            .tmux
            .cmd()
            .args(["send-keys", "-t", &self.target])
            .args(keys)
            .status()
            .expect("tmux send-keys");
        assert!(status.success(), "tmux send-keys {keys:?}");
    }

    /// Type `text` literally.
    pub fn type_text(&self, text: &str) {
        let status = self
            .tmux
            .cmd()
            .args(["send-keys", "-l", "-t", &self.target, text])
            .status()
            .expect("tmux send-keys -l");
        assert!(status.success(), "tmux send-keys -l {text:?}");
    }

    /// Paste `text` as a terminal does when the application asked for bracketed paste (tmux
    /// `paste-buffer -p`; its line feeds arrive as carriage returns, as from a real paste).
    pub fn paste(&self, text: &str) {
        let status = self
            .tmux
            .cmd()
            .args(["set-buffer", "-b", "ecrp-test", "--", text])
            .status()
            .expect("tmux set-buffer");
        assert!(status.success(), "tmux set-buffer {text:?}");
        let status = self
            .tmux
            .cmd()
            .args([
                "paste-buffer",
                "-p",
                "-d",
                "-b",
                "ecrp-test",
                "-t",
                &self.target,
            ])
            .status()
            .expect("tmux paste-buffer");
        assert!(status.success(), "tmux paste-buffer -p");
    }

    /// Wait until the screen shows every one of `texts`; the screen then.
    pub fn wait_for(&self, texts: &[&str]) -> String {
        self.wait_until(&format!("{texts:?} on the screen"), |s| {
            texts.iter().all(|t| s.contains(t))
        })
    }

    /// Wait until `ok(screen)`; the screen then.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        poll(
            what,
            || {
                let s = self.capture();
                ok(&s).then_some(s)
            },
            || self.report(),
        )
    }
}

/// An SDK client of its own (not ecrp's client code), pointed at the emulator, to read back what
/// the TUI did.
pub struct Fresh {
    rt: tokio::runtime::Runtime,
    client: Client,
}

impl Fresh {
    pub fn new(url: &str) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let config = aws_sdk_ecrpublic::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(url)
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "e2e"))
            .build();
        Fresh {
            rt,
            client: Client::from_conf(config),
        }
    }

    /// DescribeRepositories (the repository exists; its registry), then GetRepositoryCatalogData.
    pub fn catalog(&self, repo: &str) -> RepositoryCatalogData {
        self.rt.block_on(async {
            let d = self
                .client
                .describe_repositories()
                .repository_names(repo)
                .send()
                .await
                .unwrap_or_else(|e| panic!("DescribeRepositories {repo}: {e:?}"));
            let r = d
                .repositories()
                .iter()
                .find(|r| r.repository_name() == Some(repo))
                .unwrap_or_else(|| panic!("{repo} not in DescribeRepositories: {d:?}"));
            let c = self
                .client
                .get_repository_catalog_data()
                .set_registry_id(r.registry_id().map(str::to_string))
                .repository_name(repo)
                .send()
                .await
                .unwrap_or_else(|e| panic!("GetRepositoryCatalogData {repo}: {e:?}"));
            c.catalog_data().cloned().expect("catalog data")
        })
    }

    /// Every image of `repo` (DescribeImages, all pages).
    pub fn images(&self, repo: &str) -> Vec<ImageDetail> {
        self.rt.block_on(async {
            let mut all = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let page = self
                    .client
                    .describe_images()
                    .repository_name(repo)
                    .max_results(1000)
                    .set_next_token(token.take())
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("DescribeImages {repo}: {e:?}"));
                all.extend(page.image_details().iter().cloned());
                match page.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_string()),
                    _ => return all,
                }
            }
        })
    }
}

/// The `values` of a draft file, or `None` while it is missing or not (yet) valid JSON.
pub fn draft_values(path: &Path) -> Option<serde_json::Value> {
    let bytes = std::fs::read(path).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("values").cloned()
}
