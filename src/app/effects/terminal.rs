//! The terminal: alternate screen, raw mode and mouse capture on entry; restored on every way out
//! (normal return, error, panic via the hook, SIGTERM/SIGHUP/SIGINT via a Quit message).

use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped, so an early `?` return restores it too.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Whether the terminal is in the TUI's modes, so `restore` has something to undo.
static ENTERED: AtomicBool = AtomicBool::new(false);

pub fn enter() -> io::Result<(Tui, Guard)> {
    install_panic_hook();
    enable_raw_mode()?;
    ENTERED.store(true, Ordering::SeqCst);
    let guard = Guard;
    // Bracketed paste: a pasted block arrives as one event of text, so it is one edit and a pasted
    // escape sequence or newline is never read as a key.
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((terminal, guard))
}

/// Leave the alternate screen and raw mode. Only the first call after `enter` does anything: a
/// panic restores in the hook, then again as the guard drops, and leaving the alternate screen a
/// second time would (in xterm and tmux) also restore the cursor saved on entry, moving it back up
/// so the shell's next prompt overwrites the panic message.
pub fn restore() {
    if !ENTERED.swap(false, Ordering::SeqCst) {
        return;
    }
    // Errors are ignored on purpose: this runs on the way out (possibly in a panic) and each step
    // should be tried even when another fails.
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Woken by a panic on any thread: a panic in a background task would otherwise leave the app
/// running on a terminal the hook has already handed back.
pub static PANICKED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Restore the terminal before the panic message is printed, so it is readable, and log it.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        tracing::error!("panic: {info}");
        previous(info);
        PANICKED.notify_one();
    }));
}

/// Hand the terminal to another program (the user's editor).
pub fn suspend() {
    restore();
}

/// Take the terminal back after `suspend`, and have the next frame drawn whole.
pub fn resume(terminal: &mut Tui) -> io::Result<()> {
    enable_raw_mode()?;
    ENTERED.store(true, Ordering::SeqCst);
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    // Both buffers blank, like the screen: the next draw writes every non-blank cell. (Not
    // `Terminal::clear`, which asks the terminal for the cursor position and can time out.)
    terminal.swap_buffers();
    terminal.swap_buffers();
    Ok(())
}
