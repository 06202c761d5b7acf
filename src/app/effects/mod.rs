//! The effect side: the only code under `app` that does I/O. The runner turns each `Effect` into
//! a task that talks to the service, the disk or the terminal and answers with `Msg`s; the rest
//! of `app` stays pure and testable without them.

pub mod index_reads;
pub mod inspect;
pub mod lifecycle;
pub mod mutate;
pub mod open_repo;
pub mod retag;
pub mod runner;
pub mod terminal;
