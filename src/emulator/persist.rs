//! `--state FILE`: the whole state as JSON, replaced atomically (temp file in the same directory,
//! fsync, rename, fsync the directory) so a crash leaves either the old or the new file.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::state::State;

pub fn load(path: &Path) -> Result<Option<State>> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading state file {}", path.display())),
    };
    let mut state: State = serde_json::from_slice(&bytes)
        .with_context(|| format!("parsing state file {}", path.display()))?;
    state.reindex();
    Ok(Some(state))
}

pub fn save(path: &Path, state: &State) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .context("state file has no file name")?
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let mut file = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let bytes = serde_json::to_vec(state).context("encoding state")?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
        // The rename itself is durable only once the directory is synced.
        File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        // Best effort: the write already failed and that error is what the caller sees.
        let _ = fs::remove_file(&tmp);
    }
    result
}
