//! `ecrp ls` as a user runs it: the real binary against the emulator, credentials from the
//! environment (the default chain), table and JSON output.

use std::process::Command;

use crate::support::binary::{BIN, hermetic};
use ecrp::emulator::{self, EmulatorOptions, Seed};

fn ecrp(url: &str, args: &[&str]) -> (String, String, bool) {
    run(hermetic(&mut Command::new(BIN))
        .args(args)
        .args(["--endpoint-url", url]))
}

/// `cmd` with credentials in the environment (the default chain): stdout, stderr, success.
fn run(cmd: &mut Command) -> (String, String, bool) {
    let out = cmd
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

/// `ls images` names every column (the last says whether a row is a multi-arch index), and
/// `ls tags --json` has DescribeImageTags' shape: the image under `imageDetail`.
#[tokio::test(flavor = "multi_thread")]
async fn ls_images_labels_every_column_and_tags_json_keeps_the_apis_shape() {
    let emu = emulator::start(EmulatorOptions::default()).await.unwrap();
    let (stdout, stderr, ok) = ecrp(&emu.url(), &["ls", "images", "web"]);
    assert!(ok, "{stderr}");
    let header: Vec<&str> = stdout.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["TAGS", "DIGEST", "SIZE", "PUSHED", "TYPE"],
        "{stdout}"
    );
    let types: Vec<&str> = stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().last().unwrap())
        .collect();
    assert!(
        types.contains(&"index") && types.contains(&"image"),
        "{stdout}"
    );
    assert!(
        types.iter().all(|t| *t == "index" || *t == "image"),
        "{stdout}"
    );

    let (stdout, stderr, ok) = ecrp(&emu.url(), &["ls", "tags", "web", "--json"]);
    assert!(ok, "{stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("one JSON array");
    assert!(!rows.is_empty());
    for row in &rows {
        let mut keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["createdAt", "imageDetail", "imageTag"], "{row}");
        let detail = &row["imageDetail"];
        assert!(
            detail["imageDigest"]
                .as_str()
                .unwrap()
                .starts_with("sha256:"),
            "{row}"
        );
        assert!(
            detail["imageSizeInBytes"].is_i64() && detail["imagePushedAt"].is_i64(),
            "{row}"
        );
        assert!(detail["imageManifestMediaType"].is_string(), "{row}");
    }
    emu.shutdown().await;
}

/// What `ls` writes on stderr is its own messages: never a log line (with its colour codes), an
/// error on one line, and a credentials problem's advice on a line of its own. The log goes to
/// the log file in the data directory.
#[tokio::test(flavor = "multi_thread")]
async fn ls_stderr_holds_clean_sentences_and_never_log_lines() {
    let emu = emulator::start(EmulatorOptions::default()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str], credentials: bool| {
        let mut cmd = Command::new(BIN);
        hermetic(&mut cmd)
            .args(args)
            .args(["--endpoint-url", &emu.url(), "--log-level", "debug"])
            .env("HOME", home.path())
            .env_remove("XDG_DATA_HOME");
        if credentials {
            cmd.env("AWS_ACCESS_KEY_ID", "AKIDLSTEST0000000000")
                .env("AWS_SECRET_ACCESS_KEY", "ls-test-secret");
        } else {
            cmd.env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_SECRET_ACCESS_KEY");
        }
        let out = cmd.output().expect("ecrp runs");
        (
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.success(),
        )
    };
    let clean = |stderr: &str| {
        assert!(!stderr.contains('\x1b'), "escape codes: {stderr:?}");
        for level in [" TRACE ", " DEBUG ", " INFO ", " WARN ", " ERROR "] {
            assert!(!stderr.contains(level), "a log line: {stderr}");
        }
        assert!(stderr.lines().all(|l| l.starts_with("ecrp: ")), "{stderr}");
    };

    let (stderr, ok) = run(&["ls", "repos"], true);
    assert!(ok, "{stderr}");
    assert_eq!(stderr, "", "a listing that works says nothing on stderr");

    let (stderr, ok) = run(&["ls", "images", "nope"], true);
    assert!(!ok);
    clean(&stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("RepositoryNotFoundException"), "{stderr}");

    let (stderr, ok) = run(&["ls", "repos"], false);
    assert!(!ok);
    clean(&stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "the error, then the advice: {stderr}");
    assert!(lines[0].contains("credentials"), "{stderr}");
    assert!(lines[1].contains("aws configure"), "{stderr}");

    // The debug lines went to the log file instead.
    let logs = home.path().join(".local/share/ecrp/logs");
    let logged: String = std::fs::read_dir(&logs)
        .unwrap_or_else(|e| panic!("no log directory {}: {e}", logs.display()))
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(logged.contains("DEBUG"), "{logged}");
    emu.shutdown().await;
}

/// `ecrp ls … --cached` against an endpoint nothing listens on (any request would fail the run),
/// with the cache in `dir`.
fn ecrp_cached(dir: &std::path::Path, args: &[&str]) -> (String, String, bool) {
    run(hermetic(&mut Command::new(BIN))
        .args(args)
        .args(["--cached", "--endpoint-url", DEAD_ENDPOINT])
        .env(ecrp::cache::DIR_ENV, dir))
}

/// The discard port on loopback: connections are refused at once.
const DEAD_ENDPOINT: &str = "http://127.0.0.1:9";

/// The key the TUI saves `kind` under for the scope `ecrp_cached` runs in.
fn cached_key(kind: &'static str, registry: &str, repo: &str) -> ecrp::cache::Key {
    ecrp::cache::Key {
        kind,
        scope: ecrp::cache::Scope {
            endpoint: Some(DEAD_ENDPOINT.into()),
            profile: "default".into(),
            region: "us-east-1".into(),
            identity: ecrp::cache::Scope::identity_of("AKIDLSTEST0000000000"),
        },
        registry: registry.into(),
        repo: repo.into(),
    }
}

#[test]
fn ls_cached_prints_the_listing_cache_with_its_age_and_sends_nothing() {
    use crate::support::tui::{image, repo};
    use ecrp::cache::{Listing, Store};
    let dir = tempfile::tempdir().unwrap();

    // Nothing cached: the error names the key and the file.
    let (_, stderr, ok) = ecrp_cached(dir.path(), &["ls", "repos"]);
    assert!(!ok);
    assert!(
        stderr.contains(
            "nothing cached for repositories of endpoint http://127.0.0.1:9, profile default, \
             region us-east-1"
        ),
        "{stderr}"
    );
    assert!(stderr.contains(".lc"), "names the file: {stderr}");

    let now = ecrp::app::now_epoch();
    let saved_at = now - 2 * 3600;
    let store = Store::new(dir.path().to_path_buf(), ecrp::cache::DEFAULT_MAX_BYTES);
    let repos = vec![repo("alpha", saved_at), repo("beta/longer", saved_at)];
    store
        .write(
            &cached_key("repositories", "", ""),
            &Listing::Repositories(repos),
            saved_at,
        )
        .unwrap();
    let images = vec![image("aa", &["v1"], 1_000, saved_at)];
    store
        .write(
            &cached_key("images", "123456789012", "alpha"),
            &Listing::Images(images),
            saved_at,
        )
        .unwrap();

    // The table: the live listing's columns on stdout, the age on stderr.
    let (stdout, stderr, ok) = ecrp_cached(dir.path(), &["ls", "repos"]);
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("URI"),
        "{stdout}"
    );
    assert!(lines.iter().any(|l| l.starts_with("alpha ")), "{stdout}");
    assert!(
        lines.iter().any(|l| l.starts_with("beta/longer ")),
        "{stdout}"
    );
    assert!(
        stderr.contains("from the listing cache, saved 2 hours ago"),
        "{stderr}"
    );

    // JSON: the API's field names, and the age in every object.
    let (stdout, stderr, ok) = ecrp_cached(dir.path(), &["ls", "images", "alpha", "--json"]);
    assert!(ok, "{stderr}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("one JSON array");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["imageDigest"], "sha256:aa");
    assert_eq!(rows[0]["imageTags"][0], "v1");
    assert_eq!(rows[0]["cachedAt"], saved_at);
    assert!(
        rows[0]["cacheAgeSeconds"].as_i64().unwrap() >= 7200,
        "{stdout}"
    );

    // Tags of a known repository that were never cached: the key names registry and repository.
    let (_, stderr, ok) = ecrp_cached(dir.path(), &["ls", "tags", "alpha"]);
    assert!(!ok);
    assert!(
        stderr.contains("nothing cached for tags of endpoint http://127.0.0.1:9")
            && stderr.contains("registry 123456789012, repository alpha"),
        "{stderr}"
    );
    // A repository the cached repositories do not have.
    let (_, stderr, ok) = ecrp_cached(dir.path(), &["ls", "images", "nope"]);
    assert!(!ok);
    assert!(
        stderr.contains("no repository \"nope\" in the cached repositories"),
        "{stderr}"
    );
}

/// `listing_cache = false` in the config file: `--cached` refuses, naming the setting and the
/// file, rather than print rows the TUI no longer keeps up to date.
#[test]
fn ls_cached_refuses_when_the_config_turns_the_cache_off() {
    use crate::support::tui::repo;
    use ecrp::cache::{Listing, Store};
    let dir = tempfile::tempdir().unwrap();
    let now = ecrp::app::now_epoch();
    let store = Store::new(dir.path().to_path_buf(), ecrp::cache::DEFAULT_MAX_BYTES);
    store
        .write(
            &cached_key("repositories", "", ""),
            &Listing::Repositories(vec![repo("alpha", now)]),
            now,
        )
        .unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "listing_cache = false\n").unwrap();
    let cfg = config.to_str().unwrap();

    let (stdout, stderr, ok) = ecrp_cached(dir.path(), &["ls", "repos", "--config", cfg]);
    assert!(!ok, "{stdout}");
    assert_eq!(stdout, "", "no rows printed");
    assert!(
        stderr.contains("listing_cache = false") && stderr.contains(cfg),
        "names the setting and the file: {stderr}"
    );
    // The same file with the cache on prints the rows (the refusal is the setting's doing).
    std::fs::write(&config, "listing_cache = true\n").unwrap();
    let (stdout, stderr, ok) = ecrp_cached(dir.path(), &["ls", "repos", "--config", cfg]);
    assert!(ok, "{stderr}");
    assert!(stdout.lines().any(|l| l.starts_with("alpha ")), "{stdout}");
}

/// `--demo --cached` prints the demo's cached rows (keyed `demo`) without starting the demo
/// emulator: its start is logged ("emulator ready") when it runs, and is absent here.
#[test]
fn ls_cached_with_demo_starts_no_emulator() {
    use crate::support::tui::repo;
    use ecrp::cache::{Listing, Store};
    let dir = tempfile::tempdir().unwrap();
    let now = ecrp::app::now_epoch();
    let store = Store::new(dir.path().to_path_buf(), ecrp::cache::DEFAULT_MAX_BYTES);
    let key = ecrp::cache::Key {
        kind: "repositories",
        scope: ecrp::cache::Scope {
            endpoint: Some("demo".into()),
            profile: "default".into(),
            region: "us-east-1".into(),
            identity: String::new(),
        },
        registry: String::new(),
        repo: String::new(),
    };
    store
        .write(
            &key,
            &Listing::Repositories(vec![repo("cached-demo-repo", now)]),
            now,
        )
        .unwrap();
    let run = |args: &[&str], log: &std::path::Path| {
        let out = hermetic(&mut Command::new(BIN))
            .args(args)
            .args(["--demo", "--log-level", "info", "--log-file"])
            .arg(log)
            .env(ecrp::cache::DIR_ENV, dir.path())
            .env_remove("AWS_ACCESS_KEY_ID")
            .output()
            .expect("ecrp runs");
        let logged = std::fs::read_to_string(log).unwrap_or_default();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.success(),
            logged,
        )
    };
    // Without --cached the demo emulator starts, and says so in the log.
    let (_, stderr, ok, logged) = run(&["ls", "repos"], &dir.path().join("live.log"));
    assert!(ok, "{stderr}");
    assert!(logged.contains("emulator ready"), "{logged}");

    let (stdout, stderr, ok, logged) =
        run(&["ls", "repos", "--cached"], &dir.path().join("cached.log"));
    assert!(ok, "{stderr}");
    assert!(
        stdout.lines().any(|l| l.starts_with("cached-demo-repo ")),
        "{stdout}"
    );
    assert!(!logged.contains("emulator ready"), "{logged}");
}
