//! The service's limits (shared with the client, in `crate::model`) and the emulator's own caps.

pub use crate::model::limits::*;

/// Largest request body accepted: a 20 MiB part is ~27 MiB in base64, plus the JSON around it.
pub const MAX_REQUEST_BYTES: usize = 32 * 1024 * 1024;
