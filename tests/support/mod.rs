//! What the integration tests share, one module per kind of helper. Every test binary includes
//! this tree with `#[path = "../support/mod.rs"] mod support;` and uses the parts it needs.
//!
//! - `common`: the emulator in-process on 127.0.0.1:0 with a fresh SDK client for it, SDK error
//!   helpers, image fixtures (blobs, manifests, indexes) and a raw HTTP GET.
//! - `binary`: the real `ecrp` binary: its path, a hermetic environment, `ecrp emulator` as a child.
//! - `tmux`: the real binary in a tmux pane on this process's own tmux socket, with every byte it
//!   writes recorded (crash, hostile-output and secrets tests).
//! - `distribution`: the CNCF distribution registry (`docker-registry`) on a free loopback port.
//! - `e2e`: a private tmux server per test plus a sandboxed home, for the end-to-end edit flows.
//! - `tui`: the TUI harness: `update` and `view` driven in-process through the real dispatcher.
//! - `mutate`: TUI helpers for the mutation tests (forms, confirmations, the emulator's counters).
//! - `oci`: OCI image layouts in a temp dir (blobs, image manifests, indexes, index.json) and
//!   deterministic incompressible bytes for layers.
//! - `hostile`: a scripted misbehaving endpoint in front of the emulator.
//! - `secrets`: the secrets that must never be written, and where to look for them.
//! - `alone`: a test that changes the process environment, run alone in a child process.
#![allow(dead_code)]

pub mod alone;
pub mod binary;
pub mod common;
pub mod distribution;
pub mod e2e;
pub mod hostile;
pub mod mutate;
pub mod oci;
pub mod secrets;
pub mod tmux;
pub mod tui;
