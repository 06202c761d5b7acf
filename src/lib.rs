//! ecrp: a terminal UI for Amazon ECR Public, and the emulator it is tested against.
//!
//! The binary (`src/main.rs`) is a thin shell over this library so that integration tests can
//! start the emulator in-process and drive the same client layer and `update`/`view` the app uses.

pub mod app;
pub mod aws;
pub mod browser;
pub mod cache;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod drafts;
pub mod emulator;
pub mod fmt;
pub mod forms;
pub mod highlight;
pub mod inspect;
pub mod lifecycle;
pub mod logging;
pub mod login;
pub mod ls;
pub mod markdown;
pub mod model;
pub mod own_registry;
pub mod private_fs;
pub mod profiles;
pub mod prune;
pub mod push;
pub mod registry;
pub mod sanitize;
pub mod screenshot;
pub mod ui;
