//! The ECR Public service model: limits and name patterns that both the client (forms, push) and
//! the emulator apply, so the two agree and neither depends on the other.

pub mod limits;
pub mod names;
