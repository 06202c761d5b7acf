//! End to end: the lifecycle view of the real binary in tmux against `ecrp emulator` (demo seed).
//! On `web` (tagged multi-arch releases and their untagged platform manifests) a typed policy
//! keeps the last two tagged images; the preview's count, `d` and `y` apply it, and the service
//! (read by `ecrp ls`, `ecrp prune` and `ecrp inspect` as child processes) agrees: exactly what a
//! dry-run `ecrp prune` plans is gone, every index that stays still has all its platform
//! manifests; `u` puts back the same digests and tags. The journal goes to a private data dir.
//! Skipped (with a message) where tmux is not installed, unless ECRP_REQUIRE_TMUX=1.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::binary::{BIN, Emulator, hermetic, tmux_available};
use crate::support::tmux::{Launch, Session};

/// Keeps the two newest tagged images; untagged ones are not selected (they stay unless they
/// are platform manifests of an expiring index).
const KEEP_TWO: &str = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["*"],"countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}]}"#;

/// `ecrp ARGS` against the emulator, with test credentials; its stdout (it must succeed).
fn ecrp(emu: &Emulator, data: &Path, args: &[&str]) -> Vec<u8> {
    let mut cmd = Command::new(BIN);
    hermetic(&mut cmd)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "us-east-1")
        .env("ECRP_DATA_DIR", data)
        .env("ECRP_CACHE_DIR", data.join("cache"))
        .args(["--endpoint-url", &emu.url])
        .args(args);
    let out = cmd.output().expect("ecrp runs");
    assert!(
        out.status.success(),
        "ecrp {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `web` as the service lists it: digest → (tags, whether it is an index).
fn listing(emu: &Emulator, data: &Path) -> BTreeMap<String, (BTreeSet<String>, bool)> {
    let out = ecrp(emu, data, &["ls", "images", "web", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out).expect("a JSON array");
    rows.iter()
        .map(|r| {
            let tags = r["imageTags"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| t.as_str().unwrap().to_string())
                .collect();
            let media = r["imageManifestMediaType"].as_str().unwrap_or_default();
            let index = media.contains("index") || media.contains("manifest.list");
            (
                r["imageDigest"].as_str().unwrap().to_string(),
                (tags, index),
            )
        })
        .collect()
}

/// The platform manifests an index lists, read through the emulator's registry API.
fn children(emu: &Emulator, data: &Path, index: &str) -> Vec<String> {
    let host = emu.url.trim_start_matches("http://");
    let reference = format!("{host}/acme/web@{index}");
    let out = ecrp(emu, data, &["inspect", "--raw", "manifest", &reference]);
    let m: serde_json::Value = serde_json::from_slice(&out).expect("the index's JSON");
    m["manifests"]
        .as_array()
        .expect("an index lists manifests")
        .iter()
        .map(|c| c["digest"].as_str().unwrap().to_string())
        .collect()
}

/// Waits until `ok` holds for the service's listing of `web`.
fn wait_listing(
    emu: &Emulator,
    data: &Path,
    what: &str,
    ok: impl Fn(&BTreeMap<String, (BTreeSet<String>, bool)>) -> bool,
) -> BTreeMap<String, (BTreeSet<String>, bool)> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let l = listing(emu, data);
        if ok(&l) {
            return l;
        }
        assert!(Instant::now() < deadline, "waited for {what}: {l:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The real binary in tmux, journal in `data`, on the lifecycle view of `web` (no policy yet).
fn lifecycle_of_web(tag: &'static str, emu: &Emulator, data: &Path) -> Session {
    let env = format!("ECRP_DATA_DIR={}", data.display());
    let session = Session::launch(Launch {
        tag,
        endpoint: &emu.url,
        env: &[&env],
        args: &["--registry-url", &emu.url],
        width: 160,
        height: 45,
    });
    session.go();
    session.wait_for(&["Repositories (13)", "? help"]);
    session.keys(&["/", "w", "e", "b", "Enter"]);
    session.wait_for(&["Repositories (1 of 13)"]);
    session.keys(&["Enter"]);
    session.wait_for(&["web › images", "enter inspect"]);
    session.keys(&["L"]);
    session.wait_for(&["Lifecycle · web", "No lifecycle policy for this repository"]);
    session
}

#[test]
fn apply_a_typed_policy_to_web_and_restore_it() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    let emu = Emulator::start(&[]);
    let data = tempfile::tempdir().unwrap();
    let before = listing(&emu, data.path());
    let indexes: Vec<&String> = before.iter().filter(|(_, v)| v.1).map(|(d, _)| d).collect();
    assert!(
        indexes.len() >= 2,
        "web has multi-arch releases: {before:?}"
    );
    let kids: BTreeMap<&String, Vec<String>> = indexes
        .iter()
        .map(|d| (*d, children(&emu, data.path(), d)))
        .collect();
    // What the policy expires, planned by `ecrp prune` (dry run) on the same evaluation.
    let policy = data.path().join("keep-two.json");
    std::fs::write(&policy, KEEP_TWO).unwrap();
    let dry = ecrp(
        &emu,
        data.path(),
        &[
            "prune",
            "web",
            "--registry-url",
            &emu.url,
            "--policy",
            policy.to_str().unwrap(),
            "--json",
        ],
    );
    let dry: serde_json::Value = serde_json::from_slice(&dry).expect("prune's JSON");
    let planned: BTreeSet<String> = dry["expire"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["imageDigest"].as_str().unwrap().to_string())
        .collect();
    assert!(planned.len() > 2 && planned.len() < before.len(), "{dry:#}");

    let session = lifecycle_of_web("lifecycle", &emu, data.path());
    // `e`: the menu's first entry edits the JSON, which starts from the untagged-age template:
    // it is erased (from its end, one backspace per character) and the policy typed.
    session.keys(&["e"]);
    session.wait_for(&["Edit the lifecycle policy (JSON)", "keep the last N tagged"]);
    session.keys(&["Enter"]);
    session.wait_for(&["ctrl-s save", "\"rules\""]);
    session.keys(&["-N", "100", "Down"]);
    session.keys(&["End"]);
    let suggested = ecrp::forms::lifecycle::template("untagged-age").unwrap();
    let erase = suggested.chars().count().to_string();
    session.keys(&["-N", &erase, "BSpace"]);
    session.wait_for_without("ctrl-s save", "\"rules\"");
    session.keys(&["-l", KEEP_TWO]);
    session.wait_for(&["valid · 1 rule(s)"]);
    session.keys(&["C-s"]);
    let n = planned.len();
    let s = session.wait_for(&[&format!("expire {n} of {} images", before.len())]);
    assert!(s.contains("EXPIRE") && s.contains("keep"), "{s}");

    session.keys(&["d"]);
    session.wait_for(&[&format!("expire {n} images"), "apply? y yes"]);
    session.keys(&["y"]);
    // The report counts what was deleted; the service must agree before the report is closed.
    session.wait_for(&["Delete finished", &format!("Deleted {n} of {n} from web.")]);
    let after = wait_listing(&emu, data.path(), "the apply", |l| {
        l.len() == before.len() - n
    });
    let gone: BTreeSet<String> = before
        .keys()
        .filter(|d| !after.contains_key(*d))
        .cloned()
        .collect();
    assert_eq!(gone, planned, "exactly the planned images are gone");
    for (index, platforms) in &kids {
        if after.contains_key(*index) {
            for p in platforms {
                assert!(
                    after.contains_key(p),
                    "{p}, a platform manifest of the kept index {index}, was deleted"
                );
            }
        }
    }
    let journal = data.path().join("journal");
    assert!(
        std::fs::read_dir(&journal).is_ok_and(|mut d| d.next().is_some()),
        "the journal is in the private data dir"
    );

    // `enter` closes the report (the view plans again on what is left); `u` restores.
    session.keys(&["Enter"]);
    session.wait_for(&["expire 0 of", "u restores"]);
    session.keys(&["u"]);
    session.wait_for(&[&format!(
        "Restore from the last apply's journal: {n} image(s)"
    )]);
    let restored = wait_listing(&emu, data.path(), "the restore", |l| {
        l.len() == before.len()
    });
    assert_eq!(restored, before, "the same digests and tags");
    // esc: back to the preview. It plans again, on push times the restore made new (PutImage
    // stamps them), so its count is not compared with the first one.
    session.keys(&["Escape"]);
    let all = format!("of {} images", before.len());
    session.wait_for_without(&all, "Restore from the last apply's journal");
    session.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(100));
    session.keys(&["q"]);
    assert_eq!(session.exit_code(), 0);
    drop(emu);
}

/// A burst of keys (tmux send-keys, a paste without bracketed paste) is read to its end without
/// another key to wake the reader: 2,500 spaces then 2,000 backspaces in the policy editor leave
/// exactly 500 spaces, and the counter says so while nothing more is typed. (crossterm's default
/// input source read 1,024 bytes per wakeup and left the rest unread until the next key, which
/// then let stale backspaces eat text typed after them.)
#[test]
fn a_burst_of_keys_is_read_to_its_end_without_another_key() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    let emu = Emulator::start(&[]);
    let data = tempfile::tempdir().unwrap();
    let session = lifecycle_of_web("burst", &emu, data.path());
    session.keys(&["e"]);
    session.wait_for(&["Edit the lifecycle policy (JSON)"]);
    session.keys(&["Enter"]);
    let start = ecrp::forms::lifecycle::template("untagged-age")
        .unwrap()
        .chars()
        .count();
    let count = |n: usize| {
        format!(
            "valid · 1 rule(s) · {} / 30,720 characters",
            ecrp::fmt::thousands(n)
        )
    };
    session.wait_for(&["ctrl-s save", &count(start)]);
    // The cursor is at the start: spaces before the JSON keep it valid, so the counter shows.
    session.keys(&["-l", &" ".repeat(2500)]);
    session.keys(&["-N", "2000", "BSpace"]);
    session.wait_for(&[&count(start + 500)]);
}
