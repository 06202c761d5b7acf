//! Properties and hostility: property tests over generated input (markdown, sanitising, the TUI's
//! update loop, the emulator's requests), a misbehaving endpoint and hostile server strings in
//! front of the real client, and the secrets that must never reach a log, a screen or a file.

#[path = "../support/mod.rs"]
mod support;

mod emulator_fuzz;
mod hostile_output;
mod hostile_service;
mod markdown_props;
mod sanitize_props;
mod secrets_log;
mod secrets_tui;
mod tui_proptest;
