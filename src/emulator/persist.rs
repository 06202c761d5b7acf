//! `--state FILE`: the whole state as JSON, replaced atomically (a 0600 temp file in the same
//! directory, fsync, rename, fsync the directory) so a crash leaves either the old or the new file.

use std::fs;
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

/// Writes the state file 0600 (it holds everything the emulator serves, unpublished catalogs
/// included) through a temp file and a rename, so a crash leaves the old file or the new one.
pub fn save(path: &Path, state: &State) -> Result<()> {
    let bytes = serde_json::to_vec(state).context("encoding state")?;
    crate::private_fs::write_atomic(path, &bytes)
        .with_context(|| format!("writing state file {}", path.display()))
}
