//! The TUI: state, messages, `update`, effects and the event loop. CONTRACT: filled in by the TUI
//! work; `run` is what `ecrp` (and `ecrp --demo`) calls.

use crate::aws::ClientOptions;

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub client: ClientOptions,
    pub read_only: bool,
    /// Shown in the header when running on the built-in emulator.
    pub demo: bool,
}

pub async fn run(_opts: RunOptions) -> anyhow::Result<()> {
    anyhow::bail!("the TUI is not built yet")
}
