//! The references opened with `:open`, kept between runs for its picker: one per line, most
//! recent first, in the data dir (`$ECRP_DATA_DIR/recent-open`, else the platform data dir's).
//! A line that is not a reference (a hand edit, another version's file) is skipped, so the file
//! can never stop ecrp from starting.

use std::io;
use std::path::{Path, PathBuf};

/// The most references kept.
pub const RECENT_MAX: usize = 20;

/// Where the list lives; `None` without a home directory.
pub fn default_path() -> Option<PathBuf> {
    let dir = match std::env::var_os("ECRP_DATA_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => directories::ProjectDirs::from("", "", "ecrp")?
            .data_dir()
            .to_path_buf(),
    };
    Some(dir.join("recent-open"))
}

/// The list at `path`: empty when it does not exist yet.
pub fn load(path: &Path) -> io::Result<Vec<String>> {
    let bytes = match crate::private_fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim) {
        if out.len() == RECENT_MAX {
            break;
        }
        if crate::registry::Reference::parse(line).is_ok() && !out.iter().any(|r| r == line) {
            out.push(line.to_string());
        }
    }
    Ok(out)
}

/// Replace the list at `path` (its directory created private when missing).
pub fn save(path: &Path, references: &[String]) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::private_fs::ensure_dir(dir)?;
    }
    let mut text = String::new();
    for r in references.iter().take(RECENT_MAX) {
        text.push_str(r);
        text.push('\n');
    }
    crate::private_fs::write_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_skipping_what_is_not_a_reference() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("recent-open");
        assert_eq!(load(&path).unwrap(), Vec::<String>::new());
        let refs = vec![
            "public.ecr.aws/docker/library/nginx".to_string(),
            "127.0.0.1:5000/a/b".to_string(),
        ];
        save(&path, &refs).unwrap();
        assert_eq!(load(&path).unwrap(), refs);
        std::fs::write(
            &path,
            "127.0.0.1:5000/a/b\n\u{1b}]0;x\u{7}\nnot a ref\n127.0.0.1:5000/a/b\nghcr.io/o/n\n",
        )
        .unwrap();
        assert_eq!(load(&path).unwrap(), ["127.0.0.1:5000/a/b", "ghcr.io/o/n"]);
    }
}
