//! `ecrp ls` as a user runs it: the real binary against the emulator, credentials from the
//! environment (the default chain), table and JSON output.

use std::process::Command;

use crate::support::binary::{BIN, hermetic};
use ecrp::emulator::{self, EmulatorOptions, Seed};

fn ecrp(url: &str, args: &[&str]) -> (String, String, bool) {
    let out = hermetic(&mut Command::new(BIN))
        .args(args)
        .args(["--endpoint-url", url])
        .env("AWS_ACCESS_KEY_ID", "AKIDLSTEST0000000000")
        .env("AWS_SECRET_ACCESS_KEY", "ls-test-secret")
        .output()
        .expect("ecrp runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn ls_images_json_lists_every_image_with_api_field_names() {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        synthetic: vec![("big".into(), 2_345)],
        ..Default::default()
    })
    .await
    .unwrap();
    let (stdout, stderr, ok) = ecrp(&emu.url(), &["ls", "images", "big", "--json"]);
    assert!(ok, "{stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("one JSON array");
    assert_eq!(rows.len(), 2_345);
    let first = &rows[0];
    for field in [
        "imageDigest",
        "imageTags",
        "imageSizeInBytes",
        "imagePushedAt",
    ] {
        assert!(first.get(field).is_some(), "{field} missing in {first}");
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ls_repos_prints_an_aligned_table_and_errors_name_the_code() {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        synthetic: vec![("alpha".into(), 3), ("beta/longer-name".into(), 1)],
        ..Default::default()
    })
    .await
    .unwrap();
    let (stdout, stderr, ok) = ecrp(&emu.url(), &["ls", "repos"]);
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with("alpha ")), "{stdout}");
    assert!(
        lines.iter().any(|l| l.starts_with("beta/longer-name ")),
        "{stdout}"
    );
    // Columns line up: URI starts at the same offset on every line.
    let col = lines[0].find("URI").unwrap();
    assert!(
        lines[1..]
            .iter()
            .all(|l| l[col..].starts_with("public.ecr.aws/")),
        "{stdout}"
    );

    let (_, stderr, ok) = ecrp(&emu.url(), &["ls", "images", "nope"]);
    assert!(!ok);
    assert!(stderr.contains("RepositoryNotFoundException"), "{stderr}");
    emu.shutdown().await;
}

#[test]
fn ls_with_demo_needs_no_aws_account() {
    let out = hermetic(&mut Command::new(BIN))
        .args(["--demo", "ls", "registries", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let regs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(regs.len(), 1);
    assert!(
        regs[0]["registryUri"]
            .as_str()
            .unwrap()
            .starts_with("public.ecr.aws/")
    );
}
