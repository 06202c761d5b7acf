//! Content-addressed blobs (layers and configs) shared by both planes. Generated blobs (demo and
//! synthetic content, a few KB each and deterministic) live in memory; uploaded blobs, whose size
//! the client decides, always go to files: under the data directory when the emulator has one
//! (written to a temporary file, verified, fsynced, renamed), else under a temporary directory
//! removed at exit. Serving reads files in chunks, so a large blob is never whole in memory.
//!
//! Directories are 0700 and files 0600 (`private_fs`), and a symlink planted at the blob
//! directory or an upload's path is refused: pushed layers may be private images.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::body::Bytes;

use super::validate;
use crate::private_fs;

#[derive(Clone, Default)]
pub struct BlobStore {
    mem: HashMap<String, Bytes>,
    /// The persistent directory (`--state FILE` keeps blobs in `FILE.blobs/`).
    dir: Option<PathBuf>,
    /// Created on first use when there is no persistent directory.
    temp: Option<Arc<tempfile::TempDir>>,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore")
            .field("in_memory", &self.mem.len())
            .field("dir", &self.dir)
            .finish()
    }
}

/// Where a blob's bytes are.
pub enum BlobBody {
    Mem(Bytes),
    File(PathBuf),
}

impl BlobStore {
    /// Makes `dir` the persistent home of every blob, moving the generated ones there, and
    /// removes temporary files a crash may have left.
    pub fn attach(&mut self, dir: &Path) -> Result<()> {
        private_fs::ensure_own_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
        private_fs::ensure_own_dir(&dir.join("sha256"))?;
        let tmp = dir.join("tmp");
        if fs::symlink_metadata(&tmp).is_ok() {
            // remove_dir_all removes a symlink itself, never what it points to.
            fs::remove_dir_all(&tmp).with_context(|| format!("cleaning {}", tmp.display()))?;
        }
        private_fs::ensure_own_dir(&tmp)?;
        self.dir = Some(dir.to_path_buf());
        // Generated blobs (regenerable demo content) are written without an fsync each: thousands
        // of them would make the first start take minutes. A killed process loses none of them
        // (the page cache outlives it); a file of the wrong length is rewritten on the next start.
        for (digest, bytes) in std::mem::take(&mut self.mem) {
            let Some(dest) = self.file_of(&digest) else {
                continue;
            };
            if fs::metadata(&dest).is_ok_and(|m| m.len() == bytes.len() as u64) {
                continue;
            }
            let path = self.temp_path()?;
            private_fs::create_new(&path)?.write_all(&bytes)?;
            fs::rename(&path, &dest)?;
        }
        File::open(dir.join("sha256"))?.sync_all()?;
        Ok(())
    }

    fn root(&mut self) -> Result<PathBuf> {
        if let Some(d) = &self.dir {
            return Ok(d.clone());
        }
        if self.temp.is_none() {
            let t = tempfile::Builder::new()
                .prefix("ecrp-emulator-blobs-")
                .tempdir()
                .context("creating a temporary blob directory")?;
            private_fs::ensure_own_dir(&t.path().join("sha256"))?;
            private_fs::ensure_own_dir(&t.path().join("tmp"))?;
            self.temp = Some(Arc::new(t));
        }
        Ok(self
            .temp
            .as_ref()
            .map(|t| t.path().to_path_buf())
            .unwrap_or_default())
    }

    fn file_of(&self, digest: &str) -> Option<PathBuf> {
        // Only a well-formed digest names a file: nothing a client sends can reach another path.
        if !validate::is_image_digest(digest) {
            return None;
        }
        let hex = digest.strip_prefix("sha256:")?;
        let root = self
            .dir
            .clone()
            .or_else(|| self.temp.as_ref().map(|t| t.path().to_path_buf()))?;
        Some(root.join("sha256").join(hex))
    }

    /// A new, unique path for an upload in progress.
    pub fn temp_path(&mut self) -> Result<PathBuf> {
        Ok(self
            .root()?
            .join("tmp")
            .join(uuid::Uuid::new_v4().simple().to_string()))
    }

    /// Keeps a generated blob (its digest computed by the caller from these bytes).
    pub fn insert_generated(&mut self, digest: &str, bytes: Bytes) -> Result<()> {
        if self.dir.is_some() {
            if self.file_of(digest).is_some_and(|p| p.exists()) {
                return Ok(());
            }
            let path = self.temp_path()?;
            private_fs::create_new(&path)?.write_all(&bytes)?;
            return self.commit(&path, digest);
        }
        self.mem.entry(digest.to_string()).or_insert(bytes);
        Ok(())
    }

    /// Moves a verified temporary file into the store under `digest`; durable once this returns
    /// when the store is persistent.
    pub fn commit(&mut self, tmp: &Path, digest: &str) -> Result<()> {
        let dest = self
            .file_of(digest)
            .with_context(|| format!("{digest} is not a sha256 digest"))?;
        if dest.exists() {
            // The same content is already there: nothing to replace.
            fs::remove_file(tmp)?;
            return Ok(());
        }
        if self.dir.is_some() {
            File::open(tmp)?.sync_all()?;
        }
        fs::rename(tmp, &dest).with_context(|| format!("storing {}", dest.display()))?;
        if let Some(parent) = dest.parent().filter(|_| self.dir.is_some()) {
            File::open(parent)?.sync_all()?;
        }
        Ok(())
    }

    pub fn get(&self, digest: &str) -> Option<(BlobBody, u64)> {
        if let Some(b) = self.mem.get(digest) {
            return Some((BlobBody::Mem(b.clone()), b.len() as u64));
        }
        let path = self.file_of(digest)?;
        let len = fs::metadata(&path).ok()?.len();
        Some((BlobBody::File(path), len))
    }

    pub fn contains(&self, digest: &str) -> bool {
        self.get(digest).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_blobs_move_to_an_attached_directory_and_survive_a_new_store() {
        let d = "sha256:".to_string() + &"ab".repeat(32);
        let mut s = BlobStore::default();
        s.insert_generated(&d, Bytes::from_static(b"hello"))
            .unwrap();
        assert!(matches!(s.get(&d), Some((BlobBody::Mem(_), 5))));
        let dir = tempfile::tempdir().unwrap();
        s.attach(dir.path()).unwrap();
        assert!(matches!(s.get(&d), Some((BlobBody::File(_), 5))));
        let mut again = BlobStore::default();
        again.attach(dir.path()).unwrap();
        assert!(again.contains(&d));
        assert!(!again.contains("sha256:../../etc/passwd"));
    }
}
