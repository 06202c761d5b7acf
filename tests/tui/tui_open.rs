//! `:open` against an independent registry: the real binary in tmux, started with no AWS
//! credentials at all (HOME without ~/.aws, none in the environment), browses a repository of
//! the CNCF distribution registry (Debian's `docker-registry`) into which skopeo copied an image
//! from `ecrp emulator`. The start offers `:open` (or the picker of bookmarks) instead of failing;
//! the view lists the registry's tags with the digest skopeo reports; `B` writes the bookmark to
//! the config file and the `:open` picker offers it; what was opened is kept for the next run.
//!
//! Skipped (with a message) where tmux, docker-registry or skopeo is missing, unless
//! ECRP_REQUIRE_TMUX=1 / ECRP_REQUIRE_INTEROP=1.

use crate::support::tmux as tmux_support;

use std::process::Command;

use crate::support::binary::{Emulator, tmux_available};
use crate::support::distribution::Distribution;
use tmux_support::{Launch, Session};

fn require_interop() -> bool {
    std::env::var("ECRP_REQUIRE_INTEROP").is_ok_and(|v| v == "1")
}

fn skip(test: &str, what: &str) -> bool {
    assert!(
        !require_interop(),
        "{test}: {what} is missing and ECRP_REQUIRE_INTEROP=1"
    );
    eprintln!("SKIPPED {test}: {what} is missing");
    true
}

fn skopeo(args: &[&str]) -> String {
    let out = Command::new("skopeo")
        .args(args)
        .output()
        .expect("run skopeo");
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The emulator and a distribution registry holding `acme/alpine` with the tags `latest` and
/// `3.20` (one image, copied from the emulator's `acme/base/alpine:latest` by skopeo), and that
/// image's digest in the registry; `None` (skipped) when a tool is missing.
fn setup(test: &str) -> Option<(Emulator, Distribution, String)> {
    if !tmux_available() {
        eprintln!("SKIPPED {test}: tmux not installed");
        return None;
    }
    if Command::new("skopeo").arg("--version").output().is_err() {
        skip(test, "skopeo");
        return None;
    }
    let reg = Distribution::start(test)?;
    let emu = Emulator::start(&[]);
    let src = format!(
        "docker://{}/acme/base/alpine:latest",
        emu.url.trim_start_matches("http://")
    );
    for tag in ["latest", "3.20"] {
        let dest = format!("docker://{}/acme/alpine:{tag}", reg.addr);
        skopeo(&[
            "copy",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            &src,
            &dest,
        ]);
    }
    let digest = skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--format",
        "{{.Digest}}",
        &format!("docker://{}/acme/alpine:latest", reg.addr),
    ]);
    assert!(digest.starts_with("sha256:"), "{digest}");
    Some((emu, reg, digest))
}

/// The environment words for the pane: the session's credentials removed, HOME without ~/.aws.
fn no_credentials(home: &std::path::Path) -> Vec<String> {
    vec![
        format!("HOME={}", home.display()),
        format!("ECRP_DATA_DIR={}", home.join("data").display()),
        "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN".into(),
    ]
}

/// The digest as the view's DIGEST column shows it: `sha256:` and the first 12 hex digits.
fn short(digest: &str) -> String {
    digest.chars().take("sha256:".len() + 12).collect()
}

#[test]
fn without_credentials_open_a_distribution_registry_repository_and_bookmark_it() {
    let test = "open_and_bookmark";
    let Some((emu, reg, digest)) = setup(test) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let env = no_credentials(home.path());
    let env: Vec<&str> = env.iter().map(String::as_str).collect();
    let session = Session::launch(Launch {
        tag: "open",
        endpoint: &emu.url,
        env: &env,
        args: &[],
        width: 140,
        height: 30,
    });
    session.go();
    // The start does not fail: it says why the registry is empty and how to browse instead.
    session.wait_for(&["no AWS credentials", ":open HOST/NAME"]);
    let reference = format!("{}/acme/alpine", reg.addr);
    session.keys(&["-l", &format!(":open {reference}")]);
    session.keys(&["Enter"]);
    let screen = session.wait_for(&[
        &format!("{reference} · 2 tags · read-only"),
        "latest",
        "3.20",
        &short(&digest),
    ]);
    // Both tags name the one image: its digest, size and creation time on both rows.
    assert_eq!(screen.matches(&short(&digest)).count(), 2, "{screen}");
    assert!(screen.contains(" kB"), "{screen}");
    assert!(
        screen.contains("B bookmark"),
        "the footer offers B:\n{screen}"
    );

    session.keys(&["B"]);
    session.wait_for(&["bookmarked"]);
    let config = std::fs::read_to_string(session.path("config.toml")).unwrap();
    assert!(
        config.contains(&format!("\"acme/alpine\" = \"{reference}\"")),
        "{config}"
    );

    // Back to the panes; `:open` alone offers the bookmark, enter opens it again.
    session.keys(&["Escape"]);
    session.wait_for_without("Registries", "read-only");
    session.keys(&["-l", ":open"]);
    session.keys(&["Enter"]);
    session.wait_for(&["Open a repository", &reference, "bookmark"]);
    session.keys(&["Enter"]);
    session.wait_for(&[
        &format!("{reference} · 2 tags · read-only"),
        &short(&digest),
    ]);
    // enter inspects the tag through the view's own anonymous client; esc comes back to the view.
    session.keys(&["Enter"]);
    session.wait_for(&[&format!("inspect · {reference}:"), &digest]);
    session.keys(&["Escape"]);
    session.wait_for_without(&format!("{reference} · 2 tags · read-only"), "inspect · ");
    std::thread::sleep(std::time::Duration::from_millis(100));
    session.keys(&["q"]);
    assert_eq!(session.exit_code(), 0);
    // Kept for the next run's picker.
    let recent = std::fs::read_to_string(home.path().join("data/recent-open")).unwrap();
    assert_eq!(recent, format!("{reference}\n"));
    assert!(
        !home.path().join(".aws").exists(),
        "nothing was written to ~/.aws"
    );
}

#[test]
fn without_credentials_the_start_offers_the_bookmarks() {
    let test = "start_offers_bookmarks";
    let Some((emu, reg, digest)) = setup(test) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let env = no_credentials(home.path());
    let env: Vec<&str> = env.iter().map(String::as_str).collect();
    let session = Session::launch(Launch {
        tag: "open-start",
        endpoint: &emu.url,
        env: &env,
        args: &[],
        width: 140,
        height: 30,
    });
    let reference = format!("{}/acme/alpine", reg.addr);
    // The pane waits for `go`: the config file is in place before ecrp reads it.
    std::fs::write(
        session.path("config.toml"),
        format!("[bookmarks]\nalpine = \"{reference}\"\n"),
    )
    .unwrap();
    // And what an earlier run opened.
    std::fs::create_dir_all(home.path().join("data")).unwrap();
    std::fs::write(
        home.path().join("data/recent-open"),
        "ghcr.io/earlier/run\nnot a reference\n",
    )
    .unwrap();
    session.go();
    let screen = session.wait_for(&[
        "no AWS credentials",
        "Open a repository",
        &reference,
        "bookmark alpine",
        "ghcr.io/earlier/run",
    ]);
    assert!(!screen.contains("not a reference"), "{screen}");
    session.keys(&["Enter"]);
    session.wait_for(&[
        &format!("{reference} · 2 tags · read-only"),
        &short(&digest),
    ]);
    session.keys(&["q"]);
    assert_eq!(session.exit_code(), 0);
}
