//! The TUI measured in-process as the app runs: `update`, the real effect runner and SDK client
//! against the emulator, and `view` drawn into a 160×45 `TestBackend` after every message (the
//! real loop draws at most 60 frames a second; drawing every message is never faster).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ecrp::app::load::LoadState;
use ecrp::app::{self, App, Msg, Pane, RunOptions, Runner};
use ecrp::aws::ClientOptions;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

pub const WIDTH: u16 = 160;
pub const HEIGHT: u16 = 45;

/// Times from pressing enter on a repository.
pub struct Opened {
    /// Enter's `update` and its frame done.
    pub entered: Duration,
    /// The first page's message received from the runner.
    pub arrived: Duration,
    /// That page through `update`.
    pub applied: Duration,
    /// The frame showing the first rows drawn.
    pub first: Duration,
    /// The frame after the last page drawn.
    pub all: Duration,
}

pub struct Driver {
    pub app: App,
    runner: Runner,
    pub rx: mpsc::UnboundedReceiver<Msg>,
    term: Terminal<TestBackend>,
}

pub fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

impl Driver {
    /// The app connected to `url` with its first lists loaded.
    pub async fn start(url: &str) -> Result<Driver> {
        Self::start_with(url, None).await
    }

    /// As `start`, with the listing cache `cache` (`None`: off).
    pub async fn start_with(url: &str, cache: Option<app::CacheOptions>) -> Result<Driver> {
        let mut d = Self::begin(url, cache)?;
        d.settle().await?;
        Ok(d)
    }

    /// The app's start effects sent (connecting), nothing answered yet.
    pub fn begin(url: &str, cache: Option<app::CacheOptions>) -> Result<Driver> {
        let opts = RunOptions {
            client: ClientOptions::for_emulator(url),
            read_only: false,
            demo: false,
            cache,
            ..RunOptions::default()
        };
        Self::begin_opts(opts)
    }

    /// The app with `opts`, its first lists loaded.
    pub async fn start_opts(opts: RunOptions) -> Result<Driver> {
        let mut d = Self::begin_opts(opts)?;
        d.settle().await?;
        Ok(d)
    }

    /// The app with `opts`, its start effects sent, nothing answered yet.
    pub fn begin_opts(opts: RunOptions) -> Result<Driver> {
        let page_size = opts.config.page_size;
        let (tx, rx) = mpsc::unbounded_channel();
        let mut d = Driver {
            app: App::new(opts, app::now_epoch(), WIDTH, HEIGHT),
            runner: Runner::new(tx, false, page_size),
            rx,
            term: Terminal::new(TestBackend::new(WIDTH, HEIGHT))?,
        };
        for e in app::start(&mut d.app) {
            d.runner.run(e);
        }
        Ok(d)
    }

    /// Deliver messages, drawing after each, until `done` holds once a frame is drawn; the time
    /// from `t` to that frame.
    pub async fn until(
        &mut self,
        t: Instant,
        what: &str,
        done: impl Fn(&App) -> bool,
    ) -> Result<Duration> {
        let deadline = t + Duration::from_secs(300);
        if done(&self.app) {
            self.draw()?;
            return Ok(t.elapsed());
        }
        loop {
            let m = match tokio::time::timeout_at(deadline.into(), self.rx.recv()).await {
                Ok(m) => m.context("runner gone")?,
                Err(_) => bail!("waited 300 s for {what}"),
            };
            if let Msg::PageFailed { error, .. } = &m {
                bail!("a page failed: {error:?}");
            }
            self.apply(m);
            self.draw()?;
            if done(&self.app) {
                return Ok(t.elapsed());
            }
        }
    }

    pub fn apply(&mut self, m: Msg) {
        for e in app::update(&mut self.app, m) {
            self.runner.run(e);
        }
    }

    pub fn draw(&mut self) -> Result<()> {
        self.term.draw(|f| ecrp::ui::view(&self.app, f))?;
        Ok(())
    }

    /// The screen as text (for checks, never inside a timing).
    pub fn screen(&self) -> String {
        let buf = self.term.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                out.push_str(buf[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }

    /// Deliver messages until no task runs and none is queued.
    pub async fn settle(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            while let Ok(m) = self.rx.try_recv() {
                self.apply(m);
            }
            if self.runner.in_flight() == 0 && self.rx.is_empty() {
                return Ok(());
            }
            ensure!(Instant::now() < deadline, "the app did not settle in 120 s");
            if let Ok(Some(m)) =
                tokio::time::timeout(Duration::from_millis(20), self.rx.recv()).await
            {
                self.apply(m);
            }
        }
    }

    /// Put the repositories cursor on `repo` (setup, not timed).
    pub fn select_repo(&mut self, repo: &str) -> Result<()> {
        ensure!(
            self.app.pane == Pane::Repositories,
            "not on the repositories"
        );
        let pos = (0..self.app.remote.repos.len())
            .find(|&i| {
                self.app.remote.repos.select(i);
                self.app
                    .remote
                    .repos
                    .selected()
                    .map(|r| &*r.repository_name)
                    == Some(repo)
            })
            .with_context(|| format!("no repository {repo} in the list"))?;
        self.app.remote.repos.select(pos);
        Ok(())
    }

    /// Press enter on the selected repository and run the app until every image is loaded.
    /// `paced`: draw as `app::run` does, with its `app::Pacer` (about one frame per `app::FRAME` in
    /// a burst; a message that comes sooner waits for its slot); otherwise a frame after every
    /// message.
    pub async fn open_and_load(&mut self, paced: bool) -> Result<Opened> {
        let t = Instant::now();
        let deadline = t + Duration::from_secs(300);
        self.apply(key(KeyCode::Enter));
        self.draw()?;
        let mut pacer = app::Pacer::default();
        pacer.drew(Instant::now());
        let entered = t.elapsed();
        let (mut first, mut arrived, mut applied) = (None, None, None);
        let mut dirty = false;
        loop {
            if dirty && (!paced || pacer.may_draw(Instant::now())) {
                self.draw()?;
                pacer.drew(Instant::now());
                dirty = false;
                if first.is_none() && !self.app.remote.images.rows.is_empty() {
                    first = Some(t.elapsed());
                    ensure!(
                        self.screen().contains("build-"),
                        "the first rows are not on screen"
                    );
                }
                if self.app.remote.images.load.state == LoadState::Done {
                    let all = t.elapsed();
                    return Ok(Opened {
                        entered,
                        arrived: arrived.unwrap_or(all),
                        applied: applied.unwrap_or(all),
                        first: first.unwrap_or(all),
                        all,
                    });
                }
            }
            // Wake up for the next message, or to draw what the frame interval held back.
            let wake = if dirty {
                pacer.next_slot(Instant::now())
            } else {
                deadline
            };
            let m = match tokio::time::timeout_at(wake.into(), self.rx.recv()).await {
                Ok(m) => m.context("runner gone")?,
                Err(_) if dirty => continue,
                Err(_) => bail!("loading took over 300 s"),
            };
            if let Msg::PageFailed { error, .. } = &m {
                bail!("a page failed: {error:?}");
            }
            let got = t.elapsed();
            let had_rows = !self.app.remote.images.rows.is_empty();
            self.apply(m);
            if !had_rows && !self.app.remote.images.rows.is_empty() {
                (arrived, applied) = (Some(got), Some(t.elapsed()));
            }
            dirty = true;
        }
    }

    /// `n` frames, each after moving the cursor one row (so every frame has something to draw).
    pub fn frames(&mut self, n: usize) -> Result<Vec<Duration>> {
        let mut samples = Vec::with_capacity(n);
        for i in 0..n {
            self.apply(key(if i % 2 == 0 {
                KeyCode::Down
            } else {
                KeyCode::Up
            }));
            let t = Instant::now();
            self.draw()?;
            samples.push(t.elapsed());
        }
        Ok(samples)
    }

    /// The next message from the runner (what a task answered).
    pub async fn recv(&mut self) -> Result<Msg> {
        tokio::time::timeout(Duration::from_secs(60), self.rx.recv())
            .await
            .context("no message in 60 s")?
            .context("the runner's channel closed")
    }

    /// One key through `update` and the frame that shows it.
    pub fn timed_key(&mut self, c: KeyCode) -> Result<Duration> {
        let t = Instant::now();
        self.apply(key(c));
        self.draw()?;
        Ok(t.elapsed())
    }
}

/// Filter keystrokes at the loaded list: `/`, then `typed` one key at a time, then `narrow` (one
/// more key on the existing query), then backspace (a shorter query: every row re-checked).
pub struct FilterTimes {
    pub typed: Vec<Duration>,
    pub narrow: Duration,
    pub backspace: Duration,
    /// Rows shown after each typed key and after the narrowing key.
    pub shown: Vec<usize>,
}

pub fn filter_run(d: &mut Driver, typed: &str, narrow: char) -> Result<FilterTimes> {
    d.apply(key(KeyCode::Char('/')));
    d.draw()?;
    let mut times = Vec::new();
    let mut shown = Vec::new();
    for c in typed.chars() {
        times.push(d.timed_key(KeyCode::Char(c))?);
        shown.push(d.app.remote.images.len());
    }
    let narrow = d.timed_key(KeyCode::Char(narrow))?;
    shown.push(d.app.remote.images.len());
    let backspace = d.timed_key(KeyCode::Backspace)?;
    // Leave the filter cleared for the next run.
    d.apply(key(KeyCode::Esc));
    d.draw()?;
    ensure!(
        d.app.remote.images.len() == d.app.remote.images.rows.len(),
        "esc did not clear the filter"
    );
    Ok(FilterTimes {
        typed: times,
        narrow,
        backspace,
        shown,
    })
}
