//! Drawing: `view(&App, &mut Frame)`, a file per pane or popup. CONTRACT: filled in by the TUI work.
