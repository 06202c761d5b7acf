//! The local listing cache: the last complete listing of registries, repositories, images and
//! tags, one private file each under the platform cache directory, so a pane can show what was
//! seen last at once while the fresh listing runs (stale-while-revalidate).
//!
//! - A file is named by a hash of what the listing is about (kind, endpoint, profile, region,
//!   credentials identity, registry, repository): server strings never become paths, and no
//!   account's key can name another's file. Nothing secret is stored: rows only, never tokens.
//! - Writes are atomic (temp file and rename), so another ecrp process reads the old file or the
//!   new, never a torn one; a file that does not decode (corrupt, truncated, another version) is
//!   treated as absent and removed, and the next complete listing replaces it.
//! - The directory is bounded: after a write, the least recently used files (reads touch their
//!   modification time) go until the total fits.

pub mod format;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

pub use format::{Listing, Rows};

/// The directory's bound unless configured otherwise: 100,000 images take about 6 MB.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// A file larger than this is not read (a million rows of long names stay well under it).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// Overrides the directory (tests, or a cache on another disk).
pub const DIR_ENV: &str = "ECRP_CACHE_DIR";
const EXT: &str = "lc";

/// Where the cache lives: `$ECRP_CACHE_DIR`, else the platform cache directory.
pub fn default_dir() -> Option<PathBuf> {
    match std::env::var_os(DIR_ENV).filter(|v| !v.is_empty()) {
        Some(d) => Some(PathBuf::from(d)),
        None => {
            directories::ProjectDirs::from("", "", "ecrp").map(|d| d.cache_dir().join("listings"))
        }
    }
}

/// Who is asking, where: two scopes share cached rows only when every field is equal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Scope {
    /// `None` for AWS's own endpoint.
    pub endpoint: Option<String>,
    pub profile: String,
    pub region: String,
    /// Which credentials, when the environment names them rather than the profile: the access
    /// key id's hash (an id, not a secret), so keys of another account never share a file.
    pub identity: String,
}

impl Scope {
    /// The credentials identity of this process's environment (`AWS_ACCESS_KEY_ID`), hashed.
    pub fn env_identity() -> String {
        match std::env::var("AWS_ACCESS_KEY_ID") {
            Ok(id) => Self::identity_of(&id),
            _ => String::new(),
        }
    }

    /// The identity of access key id `id`, hashed (empty for none).
    pub fn identity_of(id: &str) -> String {
        if id.is_empty() {
            return String::new();
        }
        hex::encode(&Sha256::digest(id.as_bytes())[..8])
    }
}

/// One cached listing: which list, for which scope, of which registry and repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub kind: &'static str,
    pub scope: Scope,
    pub registry: String,
    pub repo: String,
}

impl Key {
    /// The file name: a hash of every field, each length-prefixed so no two keys collide by
    /// moving text between fields.
    pub fn file_name(&self) -> String {
        let mut h = Sha256::new();
        let s = &self.scope;
        for part in [
            self.kind,
            s.endpoint.as_deref().unwrap_or("aws"),
            &s.profile,
            &s.region,
            &s.identity,
            &self.registry,
            &self.repo,
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        format!("{}.{EXT}", hex::encode(&h.finalize()[..16]))
    }
}

/// A cached listing as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cached {
    pub listing: Listing,
    /// When it was saved, epoch seconds.
    pub saved_at: i64,
    /// The rows' positions by the hash of their key, as the app compares fresh pages through:
    /// built by the app's reader on the blocking thread that decoded them, so showing 100,000
    /// rows does not build it on the UI's. `None`: built when shown.
    pub index: Option<std::collections::HashMap<u64, u32>>,
}

#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    max_bytes: u64,
}

impl Store {
    pub fn new(dir: PathBuf, max_bytes: u64) -> Self {
        Store { dir, max_bytes }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self, key: &Key) -> PathBuf {
        self.dir.join(key.file_name())
    }

    /// The cached listing for `key`, if there is an intact one. A damaged file is removed so it
    /// is not read again; a missing one is simply `None`. Never fails: the service is the truth.
    pub fn read(&self, key: &Key) -> Option<Cached> {
        let path = self.path(key);
        let meta = fs::symlink_metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
            discard(&path);
            return None;
        }
        let bytes = match crate::private_fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                if e.kind() != io::ErrorKind::NotFound {
                    tracing::warn!(path = %path.display(), "listing cache unreadable: {e}");
                }
                return None;
            }
        };
        match format::decode(&bytes) {
            Some((listing, saved_at)) => {
                touch(&path);
                Some(Cached {
                    listing,
                    saved_at,
                    index: None,
                })
            }
            None => {
                tracing::warn!(path = %path.display(), "listing cache file damaged: ignored");
                discard(&path);
                None
            }
        }
    }

    /// Save `listing` for `key` (atomically), then drop the least recently used files beyond the
    /// bound.
    pub fn write(&self, key: &Key, listing: &Listing, saved_at: i64) -> io::Result<()> {
        let bytes = format::encode(listing.rows(), saved_at);
        self.write_bytes(&self.path(key), &bytes)
    }

    /// Save already encoded bytes at `path` (the app encodes in `update`, off the disk's path).
    pub fn write_bytes(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        crate::private_fs::ensure_own_dir(&self.dir)?;
        crate::private_fs::write_atomic(path, bytes)?;
        self.evict(path)
    }

    /// Remove the oldest files until the directory fits its bound, never `keep`.
    fn evict(&self, keep: &Path) -> io::Result<()> {
        let mut files = Vec::new();
        let mut total = 0u64;
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some(EXT) {
                continue;
            }
            // Another process may have removed it in between: not ours to worry about.
            let Ok(meta) = entry.metadata() else { continue };
            total += meta.len();
            let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            files.push((used, meta.len(), path));
        }
        files.sort();
        for (_, len, path) in files {
            if total <= self.max_bytes {
                break;
            }
            if path == keep {
                continue;
            }
            match fs::remove_file(&path) {
                Ok(()) => total -= len,
                Err(e) if e.kind() == io::ErrorKind::NotFound => total -= len,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Mark a file used now, for the least-recently-used order.
fn touch(path: &Path) {
    let r = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()));
    // Only the eviction order suffers (the file may go sooner): worth a note, not a failure.
    if let Err(e) = r {
        tracing::debug!(path = %path.display(), "could not mark a cache file used: {e}");
    }
}

fn discard(path: &Path) {
    if let Err(e) = fs::remove_file(path)
        && e.kind() != io::ErrorKind::NotFound
    {
        tracing::warn!(path = %path.display(), "could not remove a damaged cache file: {e}");
    }
}

#[cfg(test)]
mod tests;
