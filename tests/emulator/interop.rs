//! Interop with independent clients: the official AWS CLI v1 and boto3 each run a realistic session
//! against the real `ecrp emulator` binary (tests/interop/awscli_session.sh and boto3_session.py).
//!
//! Tools: `ECRP_AWS_CLI` (path to `aws`) and `ECRP_PYTHON` (a python with boto3), else `aws` and
//! `python3` from PATH. A missing tool skips the test with a SKIPPED line, unless
//! `ECRP_REQUIRE_INTEROP=1` (as in CI), where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

fn require() -> bool {
    std::env::var("ECRP_REQUIRE_INTEROP").is_ok_and(|v| v == "1")
}

fn skip_or_fail(test: &str, why: &str) {
    if require() {
        panic!("{test}: {why} (ECRP_REQUIRE_INTEROP=1, so this is a failure)");
    }
    eprintln!("SKIPPED {test}: {why}");
}

/// `name` on PATH, as an absolute path.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

fn tool(env: &str, fallback: &str) -> Option<PathBuf> {
    match std::env::var_os(env) {
        Some(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => on_path(fallback),
    }
}

fn python_with_boto3() -> Option<PathBuf> {
    let py = tool("ECRP_PYTHON", "python3")?;
    let ok = Command::new(&py)
        .args(["-c", "import boto3"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(py)
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop")
        .join(name)
}

fn run(test: &str, mut cmd: Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{test}: cannot run: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let failed: Vec<&str> = stderr.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(
        out.status.success(),
        "{test} failed ({}).\nfailed checks:\n{}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status,
        failed.join("\n")
    );
    let passed = stderr.lines().filter(|l| l.starts_with("ok ")).count();
    assert!(passed > 20, "{test}: only {passed} checks ran\n{stderr}");
    println!("{test}: {passed} checks passed");
}

#[test]
fn awscli_session() {
    let Some(aws) = tool("ECRP_AWS_CLI", "aws") else {
        return skip_or_fail(
            "awscli_session",
            "no AWS CLI (set ECRP_AWS_CLI or put aws on PATH)",
        );
    };
    let Some(py) = tool("ECRP_PYTHON", "python3") else {
        return skip_or_fail("awscli_session", "no python3 for the JSON checks");
    };
    let mut cmd = Command::new("bash");
    cmd.arg(script("awscli_session.sh"))
        .env("AWS", aws)
        .env("ECRP", env!("CARGO_BIN_EXE_ecrp"))
        .env("PYTHON", py);
    run("awscli_session", cmd);
}

#[test]
fn boto3_session() {
    let Some(py) = python_with_boto3() else {
        return skip_or_fail(
            "boto3_session",
            "no python with boto3 (set ECRP_PYTHON or install boto3 for python3)",
        );
    };
    let mut cmd = Command::new(py);
    cmd.arg(script("boto3_session.py"))
        .arg(env!("CARGO_BIN_EXE_ecrp"));
    run("boto3_session", cmd);
}
