//! Logs go to a file (tracing), never to the screen under the TUI.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Where logs go by default: `<data dir>/logs/ecrp.log` (for example
/// `~/.local/share/ecrp/logs/ecrp.log` on Linux).
pub fn default_log_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ecrp").map(|d| d.data_local_dir().join("logs"))
}

/// Install the global subscriber. `to_stderr` is for the non-TUI subcommands (`emulator`, `ls`),
/// where stderr is a fine place for logs; the TUI always logs to a file. Keep the guard alive for
/// the life of the process so buffered lines are flushed.
pub fn init(file: Option<&Path>, level: Option<&str>, to_stderr: bool) -> Option<WorkerGuard> {
    let filter = match level {
        Some(l) => EnvFilter::try_new(l).unwrap_or_else(|_| EnvFilter::new("info")),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
    };
    if to_stderr && file.is_none() {
        // On a terminal that is also the user's output: only warnings and errors unless asked.
        let filter = match level {
            Some(_) => filter,
            None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        };
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init();
        return None;
    }
    let (dir, name) = match file {
        Some(f) => (
            f.parent().map(Path::to_path_buf).unwrap_or_default(),
            f.file_name()?.to_string_lossy().into_owned(),
        ),
        None => (default_log_dir()?, "ecrp.log".to_string()),
    };
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, name);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
