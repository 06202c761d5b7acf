//! Logs go to a file (tracing), never to the screen under the TUI.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Daily log files kept in the default log directory.
pub const MAX_LOG_FILES: usize = 7;

/// Where logs go by default: `<data dir>/logs/ecrp.<date>.log` (for example
/// `~/.local/share/ecrp/logs/ecrp.2026-11-22.log` on Linux), rotated daily.
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
        // The HTTP client's warning about a malformed answer is addressed to the SDK's developers
        // ("please file an issue") and repeats the error ecrp prints anyway.
        let filter = match level {
            Some(_) => filter,
            None => EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("warn,aws_smithy_http_client=error")),
        };
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init();
        return None;
    }
    let appender = match file {
        // A file the user named is theirs to manage: append to it, never rename it.
        Some(f) => {
            let dir = f.parent().map(Path::to_path_buf).unwrap_or_default();
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir
            };
            std::fs::create_dir_all(&dir).ok()?;
            tracing_appender::rolling::never(&dir, f.file_name()?)
        }
        // The default log rotates daily (`ecrp.2026-11-22.log`) and keeps a week, so a tool left
        // open all day never fills the disk.
        None => {
            let dir = default_log_dir()?;
            std::fs::create_dir_all(&dir).ok()?;
            tracing_appender::rolling::RollingFileAppender::builder()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("ecrp")
                .filename_suffix("log")
                .max_log_files(MAX_LOG_FILES)
                .build(&dir)
                .ok()?
        }
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
