//! The TUI in the Elm pattern: `App` state, `Msg`, a pure `update` returning `Effect`s, and an
//! effect runner that answers with messages; the pure `view` lives in the `ui` module.
//!
//! `run` is what `ecrp` and `ecrp --demo` call, with `ui::view` as its `view`: the app hands the
//! state to whatever draws it and never imports the drawing.

pub mod actions;
mod auto_refresh;
mod base;
pub mod cached;
pub mod command;
mod copy;
mod delete;
mod drafts;
mod edit;
pub mod effects;
pub mod fetch;
mod form_input;
pub mod inspector;
pub mod inspector_content;
pub mod inspector_state;
mod key_dispatch;
pub mod layout;
mod lifecycle;
pub mod lifecycle_state;
pub mod list;
pub mod load;
pub mod modal;
mod mouse;
pub mod msg;
mod nav;
mod open_repo;
pub mod open_state;
mod outcomes;
pub mod pace;
pub mod platforms;
pub mod prefetch;
mod rank;
mod retag;
mod route;
mod rows;
mod session;
pub mod stale;
pub mod state;
pub mod strings;
mod update;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};

pub use effects::runner::Runner;
use effects::terminal;
pub use msg::{Answer, Effect, ListId, Msg, Mutation, PageRows, Read};
pub use state::{
    App, CacheOptions, Fetch, Overlay, Pane, PickItem, Picker, PickerKind, RunOptions, Status,
};
pub use update::{start, update};

pub use pace::{FRAME, Pacer};
/// Spinner and relative-time beat.
const TICK: Duration = Duration::from_millis(250);

pub fn now_epoch() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// An edit of a form field in $VISUAL / $EDITOR, handed back by `dispatch`: running it needs the
/// terminal, which only the caller holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditorRequest {
    pub field: usize,
    pub text: String,
}

/// One message through `update`, and its effects to the runner: the event loop and the test
/// harness both go through here. The editor is the one effect the runner cannot run alone (the
/// loop has to let go of the terminal first), so it comes back to the caller, who answers with
/// `Msg::EditorDone`.
pub fn dispatch(app: &mut App, runner: &mut Runner, msg: Msg) -> Option<EditorRequest> {
    let mut editor = None;
    for e in update(app, msg) {
        match e {
            Effect::Editor { field, text } => editor = Some(EditorRequest { field, text }),
            e => runner.run(e),
        }
    }
    editor
}

/// The terminal event as a message (key presses, mouse, resize, bracketed paste; focus changes
/// are ignored).
fn event_msg(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) => Some(Msg::Key(k)),
        Event::Mouse(m) => Some(Msg::Mouse(m)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        _ => None,
    }
}

/// Suspend the TUI (stop reading keys, leave the alternate screen and raw mode), run $VISUAL /
/// $EDITOR on `text`, and take the terminal back, as git and k9s do.
async fn edit_outside(
    terminal: &mut terminal::Tui,
    events: &mut EventStream,
    text: String,
) -> anyhow::Result<Result<String, String>> {
    // Dropping the stream stops its reader thread, so the editor gets every key.
    drop(std::mem::replace(events, EventStream::new()));
    terminal::suspend();
    let result = tokio::task::spawn_blocking(move || {
        crate::forms::editor::edit_in_editor(&text).map_err(|e| e.to_string())
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    terminal::resume(terminal)?;
    Ok(result)
}

/// The event loop: terminal events, task answers, ticks and signals become messages for
/// `dispatch`; `view` draws a frame when something changed (paced).
pub async fn run(opts: RunOptions, view: fn(&App, &mut ratatui::Frame)) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    // `kill -INT` (ctrl-c as a key is read in raw mode and handled in `update`).
    let mut sigint = signal(SignalKind::interrupt())?;

    let (mut terminal, _guard) = terminal::enter()?;
    let size = terminal.size()?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = Runner::new(tx, opts.read_only, opts.config.page_size);
    let mut app = App::new(opts, now_epoch(), size.width, size.height);
    for e in start(&mut app) {
        runner.run(e);
    }

    let mut events = EventStream::new();
    let mut tick = interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut pacer = Pacer::default();
    loop {
        if dirty && pacer.may_draw(std::time::Instant::now()) {
            terminal.draw(|f| view(&app, f))?;
            pacer.drew(std::time::Instant::now());
            dirty = false;
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => event_msg(ev),
                Some(Err(e)) => return Err(e.into()),
                None => Some(Msg::Quit),
            },
            Some(m) = rx.recv() => Some(m),
            _ = tick.tick() => Some(Msg::Tick(now_epoch())),
            _ = sigterm.recv() => Some(Msg::Quit),
            _ = sighup.recv() => Some(Msg::Quit),
            _ = sigint.recv() => Some(Msg::Quit),
            // The hook has restored the terminal and printed the message: stop drawing.
            _ = terminal::PANICKED.notified() => {
                anyhow::bail!("a background task panicked (the message is above and in the log)")
            }
            // Wake up to draw what a capped frame left pending.
            _ = sleep_until(Instant::from_std(pacer.next_slot(std::time::Instant::now()))), if dirty => None,
        };
        if let Some(msg) = msg {
            // Ticks only matter to the screen when something moves or a minute passed.
            let redraw = match &msg {
                Msg::Tick(now) => app.is_busy() || now / 60 != app.now / 60,
                _ => true,
            };
            let mut next = Some(msg);
            while let Some(msg) = next.take() {
                // The editor needs the terminal: ecrp lets go of it meanwhile.
                if let Some(EditorRequest { field, text }) = dispatch(&mut app, &mut runner, msg) {
                    let result = edit_outside(&mut terminal, &mut events, text).await?;
                    next = Some(Msg::EditorDone { field, result });
                }
            }
            dirty |= redraw;
        }
        if app.quit {
            break;
        }
    }
    drop(terminal);
    Ok(())
}
