//! Unsaved edits on disk, so a crash, a SIGKILL or a quit loses nothing: one JSON file per
//! (registry, repository, kind) in the data dir, written atomically (temp file + rename) on every
//! change the caller reports, removed after a successful save, and offered back on the next edit.
//! The directory is 0700 and the files 0600 (`private_fs`): drafts are unpublished text.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::forms::Values;

/// Which edit a draft belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DraftKind {
    Catalog,
    Policy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub registry: String,
    pub repository: String,
    pub kind: DraftKind,
    /// Seconds since the epoch when written.
    pub saved_at: u64,
    pub values: Values,
}

/// The drafts directory.
#[derive(Debug, Clone)]
pub struct Drafts {
    dir: PathBuf,
}

/// File names from arbitrary names: keep [a-z0-9._-], percent-encode the rest (so `acme/web`
/// and `acme_web` never collide).
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Drafts {
    /// `$ECRP_DATA_DIR/drafts`, else the platform data dir's `drafts`.
    pub fn default_dir() -> Option<PathBuf> {
        match std::env::var_os("ECRP_DATA_DIR") {
            Some(d) if !d.is_empty() => Some(PathBuf::from(d).join("drafts")),
            _ => {
                directories::ProjectDirs::from("", "", "ecrp").map(|d| d.data_dir().join("drafts"))
            }
        }
    }

    pub fn open_default() -> io::Result<Self> {
        let dir = Self::default_dir()
            .ok_or_else(|| io::Error::other("no home directory for the data dir"))?;
        Ok(Drafts { dir })
    }

    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Drafts { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, registry: &str, repository: &str, kind: DraftKind) -> PathBuf {
        let kind = match kind {
            DraftKind::Catalog => "catalog",
            DraftKind::Policy => "policy",
        };
        self.dir.join(format!(
            "{}__{}__{kind}.json",
            encode(registry),
            encode(repository)
        ))
    }

    /// Write a draft atomically: a reader (or a crash) sees the old file or the new one, never a
    /// torn one. Synced before the rename so it survives power loss too.
    pub fn save(
        &self,
        registry: &str,
        repository: &str,
        kind: DraftKind,
        values: &Values,
    ) -> io::Result<PathBuf> {
        // Drafts hold unpublished text: private to the user, like every file in the data dir.
        crate::private_fs::ensure_dir(&self.dir)?;
        let draft = Draft {
            registry: registry.to_string(),
            repository: repository.to_string(),
            kind,
            saved_at: now(),
            values: values.clone(),
        };
        let path = self.path(registry, repository, kind);
        crate::private_fs::write_atomic_with(&path, |f| {
            serde_json::to_writer_pretty(f, &draft).map_err(io::Error::from)
        })?;
        Ok(path)
    }

    /// The draft to offer back when this edit is opened again, if any. An unreadable draft (or a
    /// symlink planted in its place, which is never followed) reads as none rather than blocking
    /// the edit.
    pub fn load(&self, registry: &str, repository: &str, kind: DraftKind) -> Option<Draft> {
        let bytes = crate::private_fs::read(&self.path(registry, repository, kind)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// After a successful save (or when the user declines the draft).
    pub fn remove(&self, registry: &str, repository: &str, kind: DraftKind) -> io::Result<()> {
        match std::fs::remove_file(self.path(registry, repository, kind)) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            r => r,
        }
    }

    /// Every draft, newest first.
    pub fn list(&self) -> Vec<Draft> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return vec![];
        };
        let mut v: Vec<Draft> = rd
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| serde_json::from_slice(&crate::private_fs::read(&e.path()).ok()?).ok())
            .collect();
        v.sort_by_key(|d| std::cmp::Reverse(d.saved_at));
        v
    }
}

/// "Restore your unsaved edits from …?" — shown before opening the form; `y` calls
/// `Form::restore(&draft.values)`, `n` removes the draft.
pub fn offer(draft: &Draft, now_secs: u64) -> crate::forms::confirm::Confirm {
    let ago = now_secs.saturating_sub(draft.saved_at);
    let when = match ago {
        0..60 => "less than a minute ago".to_string(),
        60..3600 => format!("{} min ago", ago / 60),
        3600..86_400 => format!("{} h ago", ago / 3600),
        _ => format!("{} days ago", ago / 86_400),
    };
    let what = match draft.kind {
        DraftKind::Catalog => "catalog",
        DraftKind::Policy => "policy",
    };
    crate::forms::confirm::Confirm::new(
        "Unsaved edits",
        vec![ratatui::text::Line::raw(format!(
            "You have unsaved {what} edits of {} from {when}.",
            draft.repository
        ))],
        "restore them? y restore · n discard",
    )
}
