//! Where the state is kept between runs: nowhere (the default), `--data-dir DIR` (module
//! `store`: only what changed is written), or `--state FILE`: the whole state as JSON, replaced
//! atomically (a 0600 temp file in the same directory, fsync, rename, fsync the directory) so a
//! crash leaves either the old or the new file, at a cost that grows with the state.

use std::fs;
use std::path::{Path, PathBuf};

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

pub enum Persistence {
    Memory,
    File(PathBuf),
    Dir(super::store::Store),
}

impl Persistence {
    /// Saves after an operation. `mutated` says the operation succeeded and changes state: the
    /// whole-file mode writes only then; the database writes whatever rows were marked, so a
    /// handler that failed half-way still leaves the database equal to memory. Without
    /// persistence the marks are dropped, so they never accumulate.
    pub fn save(&self, state: &mut State, mutated: bool) -> Result<()> {
        match self {
            Persistence::Memory => {
                state.take_changes();
                Ok(())
            }
            Persistence::File(path) => {
                state.take_changes();
                if mutated { save(path, state) } else { Ok(()) }
            }
            Persistence::Dir(store) => store.save_changes(state),
        }
    }
}
