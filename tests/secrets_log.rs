//! Secrets never reach the logs: the real binary at trace level, with a recognisable secret key,
//! against the emulator; the log must be written (so the check is not vacuous) and hold no secret.

mod binary_support;

use std::process::Command;

use binary_support::{BIN, hermetic};
use ecrp::emulator::{self, EmulatorOptions, Seed};

#[tokio::test(flavor = "multi_thread")]
async fn trace_logs_never_contain_the_secret_key() {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        synthetic: vec![("logged".into(), 5)],
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("trace.log");
    let secret = "SeCrEt-ecrp-log-test-0123456789abcdefXYZ";
    let out = hermetic(&mut Command::new(BIN))
        .args(["ls", "images", "logged", "--json", "--log-level", "trace"])
        .arg("--log-file")
        .arg(&log)
        .args(["--endpoint-url", &emu.url()])
        .env("AWS_ACCESS_KEY_ID", "AKIDLOGTEST000000000")
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&log).expect("the log file is written");
    assert!(
        text.contains("DescribeImages") || text.contains("describe_images"),
        "the trace log records the request (so the search below means something)"
    );
    assert!(!text.contains(secret), "the secret key leaked into the log");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains(secret) && !stderr.contains(secret));
    emu.shutdown().await;
}
