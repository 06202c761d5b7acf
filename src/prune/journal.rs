//! The undo journal of `ecrp prune --apply`: before anything is deleted, the exact manifest bytes,
//! media type and tags of every image to go, in one JSON file per repository and run.
//!
//! Files are 0600 in a 0700 directory, created new (never overwriting, never through a symlink):
//! a journal holds what is needed to re-publish images, and a planted symlink must not make ecrp
//! write it somewhere else.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::private_fs;

pub const FORMAT: &str = "ecrp-prune-journal/1";
/// A journal larger than this is refused on restore (100,000 images of 4 KiB manifests fit).
pub const MAX_JOURNAL_BYTES: u64 = 1 << 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Journal {
    pub format: String,
    /// Epoch seconds when written.
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_id: Option<String>,
    pub repository_name: String,
    /// In deletion order (indexes first); a restore walks it backwards.
    pub images: Vec<JournalImage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalImage {
    pub image_digest: String,
    pub image_manifest_media_type: String,
    /// The manifest's exact bytes, base64: its digest is the sha256 of these bytes.
    pub image_manifest: String,
    pub image_tags: Vec<String>,
}

impl JournalImage {
    pub fn new(digest: &str, media_type: &str, bytes: &[u8], tags: &[Box<str>]) -> Self {
        JournalImage {
            image_digest: digest.to_string(),
            image_manifest_media_type: media_type.to_string(),
            image_manifest: STANDARD.encode(bytes),
            image_tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    pub fn manifest_bytes(&self) -> Result<Vec<u8>, String> {
        STANDARD
            .decode(&self.image_manifest)
            .map_err(|e| format!("imageManifest is not base64: {e}"))
    }
}

/// `$ECRP_DATA_DIR/journal`, else the platform data directory's `journal`
/// (`~/.local/share/ecrp/journal` on Linux).
pub fn default_dir() -> Option<PathBuf> {
    match std::env::var_os("ECRP_DATA_DIR") {
        Some(d) if !d.is_empty() => Some(PathBuf::from(d).join("journal")),
        _ => directories::ProjectDirs::from("", "", "ecrp").map(|d| d.data_dir().join("journal")),
    }
}

/// File names from repository names: keep [a-z0-9._-], percent-encode the rest (`/` included).
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `20261203T221502Z` for epoch seconds.
fn stamp(t: i64) -> String {
    let a = crate::fmt::absolute(t); // "2026-12-03 22:15 UTC"
    let digits: String = a.chars().filter(char::is_ascii_digit).collect();
    let (date, hm) = digits.split_at(digits.len().min(8));
    format!("{date}T{hm}{:02}Z", t.rem_euclid(60))
}

/// Write `journal` as a new file in `dir`, synced before returning; returns its path.
pub fn write(dir: &Path, journal: &Journal) -> io::Result<PathBuf> {
    // Refuses a symlinked directory and tightens a loose one.
    private_fs::ensure_own_dir(dir)?;
    let body = serde_json::to_vec_pretty(journal)?;
    let base = format!(
        "{}-{}",
        stamp(journal.created_at),
        encode(&journal.repository_name)
    );
    for n in 0..1000 {
        let name = if n == 0 {
            format!("{base}.json")
        } else {
            format!("{base}-{n}.json")
        };
        let path = dir.join(name);
        match private_fs::create_new(&path) {
            Ok(mut f) => {
                f.write_all(&body)?;
                f.sync_all()?;
                return Ok(path);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "1,000 journals named {base}*.json already exist in {}",
        dir.display()
    )))
}

/// Read a journal, refusing one too large to be ecrp's or of another format.
pub fn read(path: &Path) -> Result<Journal, String> {
    let meta = fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > MAX_JOURNAL_BYTES {
        return Err(format!(
            "{}: {} bytes, larger than any journal ecrp writes",
            path.display(),
            meta.len()
        ));
    }
    let bytes = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let journal: Journal = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: not an ecrp prune journal: {e}", path.display()))?;
    if journal.format != FORMAT {
        return Err(format!(
            "{}: format {:?}, expected {FORMAT:?}",
            path.display(),
            journal.format
        ));
    }
    Ok(journal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn journal() -> Journal {
        Journal {
            format: FORMAT.into(),
            created_at: 1_764_800_102,
            registry_id: None,
            repository_name: "team/web".into(),
            images: vec![JournalImage::new(
                "sha256:00",
                "application/vnd.oci.image.index.v1+json",
                b"{\"x\":1}",
                &["v1".into()],
            )],
        }
    }

    #[test]
    fn written_private_and_new_and_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("journal");
        let a = write(&dir, &journal()).unwrap();
        let b = write(&dir, &journal()).unwrap();
        assert_ne!(a, b, "a second run never overwrites the first");
        assert!(
            a.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .ends_with("-team%2Fweb.json")
        );
        assert_eq!(
            fs::metadata(&a).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        let back = read(&a).unwrap();
        assert_eq!(back, journal());
        assert_eq!(back.images[0].manifest_bytes().unwrap(), b"{\"x\":1}");
    }

    #[test]
    fn a_symlinked_directory_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let dir = tmp.path().join("journal");
        std::os::unix::fs::symlink(&elsewhere, &dir).unwrap();
        let e = write(&dir, &journal()).unwrap_err();
        assert!(e.to_string().contains("symlink"), "{e}");
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
    }

    #[test]
    fn stamps_are_compact_utc() {
        assert_eq!(stamp(1_764_800_102), "20251203T221502Z");
    }
}
