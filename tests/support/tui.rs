//! Shared helpers for the TUI tests: fixtures, keys, rendering to text, and a harness that runs
//! `update` with the real effect runner against the in-process emulator until the app is idle.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ecrp::app::{self, App, Effect, Msg, PageRows, RunOptions, Runner};
use ecrp::aws::{ClientOptions, ConnectionInfo, ImageRow, Page, RepoRow, TagRow};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tokio::sync::mpsc;

/// 2026-11-22 12:00:00 UTC: the fixed "now" of every screen test.
pub const NOW: i64 = 1_795_348_800;

pub fn key(c: char) -> Msg {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(KeyCode::Char(c), mods))
}

pub fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn repo(name: &str, created: i64) -> RepoRow {
    RepoRow {
        repository_name: name.into(),
        repository_uri: format!("public.ecr.aws/acme/{name}").into(),
        repository_arn: format!("arn:aws:ecr-public::123456789012:repository/{name}").into(),
        registry_id: "123456789012".into(),
        created_at: created,
    }
}

pub fn image(digest: &str, tags: &[&str], size: i64, pushed: i64) -> ImageRow {
    ImageRow {
        image_digest: format!("sha256:{digest}").into(),
        image_tags: tags.iter().map(|t| (*t).into()).collect(),
        image_size_in_bytes: size,
        image_pushed_at: pushed,
        image_manifest_media_type: Some(Arc::from("application/vnd.oci.image.manifest.v1+json")),
        artifact_media_type: None,
    }
}

pub fn tag_row(tag: &str, digest: &str, pushed: i64) -> TagRow {
    TagRow {
        image_tag: tag.into(),
        created_at: pushed,
        image_digest: format!("sha256:{digest}").into(),
        image_size_in_bytes: 1000,
        image_pushed_at: pushed,
        image_manifest_media_type: None,
        artifact_media_type: None,
    }
}

pub fn page<T>(rows: Vec<T>, next: Option<&str>, number: usize) -> Page<T> {
    Page {
        rows,
        next_token: next.map(str::to_string),
        number,
    }
}

/// An app that is "connected" (no network: tests feed the answers themselves).
pub fn connected_app(width: u16, height: u16) -> (App, Vec<Effect>) {
    let mut app = App::new(RunOptions::default(), NOW, width, height);
    let fx = app::update(
        &mut app,
        Msg::Connected(ConnectionInfo {
            profile: "default".into(),
            region: "us-east-1".into(),
            endpoint: None,
        }),
    );
    (app, fx)
}

/// The generation of the last `Load` effect for `list` in `fx`.
pub fn load_generation(fx: &[Effect], list: app::ListId) -> Option<(u64, Option<String>)> {
    fx.iter().rev().find_map(|e| match e {
        Effect::Load {
            list: l,
            generation,
            token,
            ..
        } if *l == list => Some((*generation, token.clone())),
        _ => None,
    })
}

/// A single read's answer, as the app's current client would deliver it.
pub fn fetched(app: &App, answer: app::Answer) -> Msg {
    Msg::Fetched {
        client: app.remote.client,
        answer,
    }
}

pub fn repos_page(rows: Vec<RepoRow>, generation: u64, next: Option<&str>) -> Msg {
    Msg::Page {
        generation,
        rows: PageRows::Repositories(page(rows, next, 1)),
    }
}

pub fn render(app: &App) -> Buffer {
    let backend = TestBackend::new(app.width, app.height);
    let mut terminal = Terminal::new(backend).expect("terminal");
    terminal.draw(|f| ecrp::ui::view(app, f)).expect("draw");
    terminal.backend().buffer().clone()
}

/// The buffer as plain text, one line per row, trailing spaces trimmed.
pub fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn screen(app: &App) -> String {
    text(&render(app))
}

/// The app wired to the real effect runner and SDK client, against an emulator at `url`.
pub struct Harness {
    pub app: App,
    runner: Runner,
    rx: mpsc::UnboundedReceiver<Msg>,
    /// What the runner wrote to the "terminal" (OSC 52 sequences).
    pub terminal_out: Arc<Mutex<Vec<u8>>>,
    /// Where this app keeps drafts (never the user's own data dir).
    pub drafts_dir: tempfile::TempDir,
}

impl Harness {
    /// `now` must be the emulator's clock, so relative times read as the seed means them.
    pub async fn start(url: &str, width: u16, height: u16, now: i64) -> Harness {
        Self::start_with(url, width, height, now, |_| {}).await
    }

    /// As `start`, with the options adjusted by `tweak` (config, theme, …).
    pub async fn start_with(
        url: &str,
        width: u16,
        height: u16,
        now: i64,
        tweak: impl FnOnce(&mut RunOptions),
    ) -> Harness {
        let mut opts = RunOptions {
            client: ClientOptions::for_emulator(url),
            read_only: false,
            demo: true,
            ..RunOptions::default()
        };
        tweak(&mut opts);
        let (tx, rx) = mpsc::unbounded_channel();
        let terminal_out = Arc::new(Mutex::new(Vec::new()));
        let drafts_dir = tempfile::tempdir().expect("drafts dir");
        let runner = Runner::new(tx, opts.read_only, opts.config.page_size)
            .with_output(terminal_out.clone())
            .with_drafts(ecrp::drafts::Drafts::at(drafts_dir.path()));
        let app = App::new(opts, now, width, height);
        let mut h = Harness {
            app,
            runner,
            rx,
            terminal_out,
            drafts_dir,
        };
        let fx = app::start(&mut h.app);
        h.run(fx);
        h.settle().await;
        h
    }

    pub fn run(&mut self, fx: Vec<Effect>) {
        for e in fx {
            self.runner.run(e);
        }
    }

    /// A message through the same dispatch as the event loop; with no terminal to lend, the
    /// editor runs as a task (a scripted $VISUAL).
    pub fn deliver(&mut self, m: Msg) {
        if let Some(app::EditorRequest { field, text }) =
            app::dispatch(&mut self.app, &mut self.runner, m)
        {
            self.runner.edit_in_task(field, text);
        }
    }

    /// Deliver messages until no task is running and none is queued.
    pub async fn settle(&mut self) {
        // Only a hang should trip this: on a loaded 2-core CI machine, tests that stream 100 MB
        // bodies side by side (tests/props/hostile_service.rs) once took over 20 s to settle.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            while let Ok(m) = self.rx.try_recv() {
                self.deliver(m);
                // Checked here too: a load that never ends keeps this queue full.
                assert!(tokio::time::Instant::now() < deadline, "app did not settle");
            }
            if self.runner.in_flight() == 0 && self.rx.is_empty() {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "app did not settle");
            if let Ok(Some(m)) =
                tokio::time::timeout(Duration::from_millis(50), self.rx.recv()).await
            {
                self.deliver(m);
            }
        }
    }

    /// Send a message (a key) and wait until everything it started has answered.
    pub async fn send(&mut self, m: Msg) {
        self.deliver(m);
        self.settle().await;
        // As the event loop does: a frame after every key, which measures what `update` reads.
        render(&self.app);
    }

    pub async fn keys(&mut self, keys: &str) {
        for c in keys.chars() {
            self.send(key(c)).await;
        }
    }

    pub fn screen(&self) -> String {
        screen(&self.app)
    }
}

/// Parts of a screen that depend on the run, not on the app, replaced by placeholders of the same
/// width (so borders stay aligned): the emulator's port, and the request id and HTTP date an
/// error's detail quotes.
pub fn redact(screen: &str) -> String {
    let mut chars: Vec<char> = screen.chars().collect();
    let n = chars.len();
    let shape = |chars: &[char], i: usize, pat: &str| -> bool {
        // `9` = a digit, `x` = a hex digit, `A` = a letter, anything else literally.
        pat.chars()
            .enumerate()
            .all(|(k, p)| match (chars.get(i + k), p) {
                (Some(c), '9') => c.is_ascii_digit(),
                (Some(c), 'x') => c.is_ascii_hexdigit(),
                (Some(c), 'A') => c.is_ascii_alphabetic(),
                (Some(c), p) => *c == p,
                (None, _) => false,
            })
    };
    let mut i = 0;
    while i < n {
        if shape(&chars, i, "127.0.0.1:") {
            i += 10;
            while i < n && chars[i].is_ascii_digit() {
                chars[i] = 'N';
                i += 1;
            }
            continue;
        }
        for (pat, with) in [
            (
                "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
                "00000000-0000-0000-0000-000000000000",
            ),
            ("AAA, 99 AAA 9999", "Ddd, DD Mmm YYYY"),
            ("99:99:99 GMT", "hh:mm:ss GMT"),
        ] {
            if shape(&chars, i, pat) {
                for (k, c) in with.chars().enumerate() {
                    chars[i + k] = c;
                }
                i += pat.len() - 1;
                break;
            }
        }
        i += 1;
    }
    chars.into_iter().collect()
}

/// Start the demo emulator on the fixed clock `NOW` and the app against it, settled on its first
/// screen.
pub async fn demo(width: u16, height: u16) -> (ecrp::emulator::Emulator, Harness) {
    let emu = ecrp::emulator::start(ecrp::emulator::EmulatorOptions {
        clock: Some(NOW),
        ..Default::default()
    })
    .await
    .expect("emulator");
    let h = Harness::start(&emu.url(), width, height, NOW).await;
    (emu, h)
}
