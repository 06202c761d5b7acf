//! Logs go to a file (tracing), never to the screen under the TUI. The files are private (0600 in
//! a 0700 directory, see `private_fs`): requests and errors name repositories, accounts and
//! unpublished catalog text.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::private_fs;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Daily log files kept in the default log directory.
pub const MAX_LOG_FILES: usize = 7;

/// Where logs go by default: `<data dir>/logs/ecrp.<date>.log` (for example
/// `~/.local/share/ecrp/logs/ecrp.2026-11-22.log` on Linux), rotated daily.
pub fn default_log_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ecrp").map(|d| d.data_local_dir().join("logs"))
}

/// Install the global subscriber. `to_stderr` is for `ecrp emulator`, a server whose log is its
/// output; the TUI and the client commands (`ls`, `login`, …) log to a file, so their stderr
/// carries their own messages only. Keep the guard alive for the life of the process so buffered
/// lines are flushed.
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
    let appender: Box<dyn Write + Send> = match file {
        // A file the user named is theirs to manage: append to it, never rename it (it may be
        // /dev/stderr, so a symlink is followed here); created 0600 when new.
        Some(f) => Box::new(open_named(f).ok()?),
        // The default log rotates daily (`ecrp.2026-11-22.log`) and keeps a week, so a tool left
        // open all day never fills the disk.
        None => Box::new(DailyLog::open(&default_log_dir()?).ok()?),
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

/// A log file the user named (`--log-file`): appended to, created 0600, its directory created 0700
/// when missing.
fn open_named(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(private_fs::DIR_MODE)
            .create(dir)?;
    }
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(private_fs::FILE_MODE)
        .open(path)
}

/// Daily log files `ecrp.YYYY-MM-DD.log` (UTC dates) in a private directory, each opened with
/// `private_fs::open_append` (0600, never through a planted symlink); the oldest beyond
/// [`MAX_LOG_FILES`] are removed when a new day starts.
pub struct DailyLog {
    dir: PathBuf,
    date: String,
    file: Option<File>,
}

impl DailyLog {
    pub fn open(dir: &Path) -> io::Result<DailyLog> {
        private_fs::ensure_dir(dir)?;
        let mut log = DailyLog {
            dir: dir.to_path_buf(),
            date: String::new(),
            file: None,
        };
        log.current()?;
        Ok(log)
    }

    /// Today's file, opening it when the day changed.
    fn current(&mut self) -> io::Result<&mut File> {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let today = utc_date(secs);
        if self.file.is_none() || today != self.date {
            let file = private_fs::open_append(&self.dir.join(format!("ecrp.{today}.log")))?;
            self.file = Some(file);
            self.date = today;
            prune(&self.dir, MAX_LOG_FILES);
        }
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("log file not open"))
    }
}

impl Write for DailyLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.current()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// Removes the oldest `ecrp.YYYY-MM-DD.log` files beyond `keep` (the names sort by date).
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut logs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix("ecrp.")?.strip_suffix(".log"))
                .is_some_and(|d| d.len() == 10 && d.as_bytes()[4] == b'-')
        })
        .collect();
    logs.sort();
    let excess = logs.len().saturating_sub(keep);
    for old in &logs[..excess] {
        if let Err(e) = std::fs::remove_file(old) {
            // Runs on the log's worker thread: the event is queued, not written re-entrantly.
            tracing::warn!(file = %old.display(), "could not remove an old log file: {e}");
        }
    }
}

/// `YYYY-MM-DD` of an epoch second, in UTC (Howard Hinnant's civil-from-days).
fn utc_date(epoch_secs: u64) -> String {
    let z = (epoch_secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_795_000_000), "2026-11-18");
    }

    #[test]
    fn daily_files_are_private_and_old_ones_pruned() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("logs");
        for day in 1..=9 {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(format!("ecrp.2020-01-0{day}.log")), b"old").unwrap();
        }
        std::fs::write(dir.join("notes.txt"), b"kept").unwrap();
        let mut log = DailyLog::open(&dir).unwrap();
        log.write_all(b"line\n").unwrap();
        log.flush().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        let today = dir.join(format!("ecrp.{}.log", log.date));
        assert_eq!(std::fs::read(&today).unwrap(), b"line\n");
        assert_eq!(mode(&today), 0o600);
        let logs = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
            .count();
        assert_eq!(logs, MAX_LOG_FILES);
        assert!(dir.join("notes.txt").exists());
    }
}
