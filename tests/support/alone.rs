//! Tests that change the process environment (`std::env::set_var`) run alone, in a child process
//! of their own test binary: a binary holds many test files whose tests run on parallel threads,
//! and any of them may read the environment (the SDK's default chain, the drafts directory, the
//! editor) while it changes.
#![allow(dead_code)]

use std::process::Command;

const VAR: &str = "ECRP_TEST_ALONE";

/// Whether the caller is the child that runs the test `name` (in the module `module`, given as
/// `module_path!()`). In the parent it runs that child (this test only, one thread), asserts the
/// test ran and passed there, and returns false, so the caller returns at once.
pub fn alone(module: &str, name: &str) -> bool {
    // The name libtest knows: the module path without the binary's crate name.
    let test = match module.split_once("::") {
        Some((_, path)) => format!("{path}::{name}"),
        None => name.to_string(),
    };
    if std::env::var_os(VAR).is_some_and(|v| v == test.as_str()) {
        return true;
    }
    let out = Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", &test, "--test-threads=1", "--nocapture"])
        .env(VAR, &test)
        .output()
        .expect("run the test binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{test} in its own process: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "{test} did not run in its own process:\n{stdout}"
    );
    false
}
