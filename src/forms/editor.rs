//! Editing long text in the user's own editor, as git and k9s do. The app suspends the TUI (leaves
//! the alternate screen, disables raw mode) around this call and restores it afterwards.

use std::io::{self, Write};
use std::process::Command;

/// The editor command: $VISUAL, then $EDITOR, then vi. May carry arguments ("code --wait").
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Write `initial` to a temp file, run the editor on it with inherited stdio, and read it back.
/// A non-zero exit is an error (the caller keeps the text it had), as git treats it.
pub fn edit_in_editor(initial: &str) -> io::Result<String> {
    edit_with(&editor_command(), initial)
}

/// `edit_in_editor` with an explicit command; `.md` so editors highlight markdown.
pub fn edit_with(command: &str, initial: &str) -> io::Result<String> {
    let mut file = tempfile::Builder::new()
        .prefix("ecrp-")
        .suffix(".md")
        .tempfile()?;
    file.write_all(initial.as_bytes())?;
    file.flush()?;
    let path = file.path().to_path_buf();
    // Through the shell so commands with arguments work; the path is passed as "$1", unquoted
    // nowhere, so odd temp dirs cannot inject anything.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$1\""))
        .arg("ecrp-editor")
        .arg(&path)
        .status()?;
    if !status.success() {
        return Err(io::Error::other(format!(
            "editor `{command}` exited with {status}"
        )));
    }
    let text = std::fs::read_to_string(&path)?;
    // Editors append a final newline; a single-line description should not grow one.
    let had_newline = initial.ends_with('\n');
    Ok(match text.strip_suffix('\n') {
        Some(t) if !had_newline => t.to_string(),
        _ => text,
    })
}
