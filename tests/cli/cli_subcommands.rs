//! The comfort subcommands through the real binary: completions, man, config, profiles, and the
//! config file's profile reaching the client (observed through the emulator, whose passwords name
//! the caller's access key).

use std::path::Path;
use std::process::Command;

use crate::support::binary::{BIN, hermetic};
use ecrp::emulator::{self, EmulatorOptions, Seed};

struct Run {
    stdout: String,
    stderr: String,
    ok: bool,
}

/// The binary with a clean environment: no AWS files, no ecrp config unless `ECRP_CONFIG` is set
/// through `env`.
fn ecrp(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(BIN);
    hermetic(&mut cmd)
        .args(args)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("ecrp runs");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        ok: out.status.success(),
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aws")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn completions_name_every_subcommand() {
    let run = ecrp(&["completions", "bash"], &[]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("_ecrp()"));
    for sub in [
        "emulator",
        "ls",
        "login",
        "profiles",
        "config",
        "completions",
        "man",
    ] {
        assert!(run.stdout.contains(sub), "bash completion lacks {sub}");
    }
    assert!(run.stdout.contains("--print-password") && run.stdout.contains("--read-only"));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let run = ecrp(&["completions", shell], &[]);
        assert!(
            run.ok && run.stdout.contains("login"),
            "{shell}: {}",
            run.stderr
        );
    }
    assert!(!ecrp(&["completions", "tcsh"], &[]).ok);
}

#[test]
fn man_page_has_name_synopsis_and_flags() {
    let run = ecrp(&["man"], &[]);
    assert!(run.ok, "{}", run.stderr);
    let page = run.stdout;
    assert!(page.contains(".TH ecrp 1"), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "man page lacks {section}");
    }
    assert!(page.contains("ecrp \\- A terminal UI for Amazon ECR Public"));
    // roff escapes the dashes of long flags.
    for flag in [
        "\\-\\-profile",
        "\\-\\-region",
        "\\-\\-read\\-only",
        "\\-\\-demo",
        "\\-\\-config",
    ] {
        assert!(page.contains(flag), "man page lacks {flag}");
    }
    assert!(page.contains(env!("CARGO_PKG_VERSION")));
}

/// The long flags a help text offers.
fn flags_in_help(help: &str) -> Vec<String> {
    help.split_whitespace()
        .filter(|w| w.starts_with("--"))
        .map(|w| w.trim_end_matches(',').to_string())
        .collect()
}

#[test]
fn emulator_neither_offers_nor_takes_the_tuis_flags() {
    let run = ecrp(&["emulator", "--help"], &[]);
    assert!(run.ok, "{}", run.stderr);
    let offered = flags_in_help(&run.stdout);
    for flag in ["--addr", "--seed", "--state", "--faults", "--log-level"] {
        assert!(
            offered.iter().any(|f| f == flag),
            "lacks {flag}: {offered:?}"
        );
    }
    let tui_flags: [&[&str]; 7] = [
        &["--demo"],
        &["--read-only"],
        &["--read-write"],
        &["--profile", "p"],
        &["--region", "us-east-1"],
        &["--endpoint-url", "http://127.0.0.1:1"],
        &["--config", "/dev/null"],
    ];
    for given in tui_flags {
        let flag = given[0];
        assert!(!offered.iter().any(|f| f == flag), "offers {flag}");
        // After the subcommand's name clap does not know the flag; before it (where the TUI
        // takes it) it is refused by name instead of being silently ignored.
        let after = ecrp(&[&["emulator"], given].concat(), &[]);
        assert!(
            !after.ok
                && after
                    .stderr
                    .contains(&format!("unexpected argument '{flag}'")),
            "{flag}: {}",
            after.stderr
        );
        let before = ecrp(&[given, &["emulator"]].concat(), &[]);
        assert!(
            !before.ok
                && before
                    .stderr
                    .contains(&format!("`ecrp emulator` does not take {flag}")),
            "{flag}: {}",
            before.stderr
        );
    }
}

#[test]
fn each_subcommand_offers_only_the_flags_it_uses() {
    let conn = [
        "--profile",
        "--region",
        "--endpoint-url",
        "--demo",
        "--config",
    ];
    let cases: [(&[&str], &[&str], &[&str]); 6] = [
        (&["ls"], &conn, &["--read-only", "--read-write"]),
        (&["ls", "images"], &conn, &["--read-only"]),
        (&["login"], &conn, &["--read-only", "--read-write"]),
        (
            &["push"],
            &[&conn[..], &["--read-only", "--read-write"]].concat(),
            &[],
        ),
        (
            &["profiles"],
            &["--profile", "--config"],
            &[
                "--demo",
                "--region",
                "--endpoint-url",
                "--read-only",
                "--log-file",
            ],
        ),
        (
            &["config", "path"],
            &["--config"],
            &["--demo", "--profile", "--read-only", "--log-level"],
        ),
    ];
    for (sub, wanted, unwanted) in cases {
        let run = ecrp(&[sub, &["--help"]].concat(), &[]);
        assert!(run.ok, "{sub:?}: {}", run.stderr);
        let offered = flags_in_help(&run.stdout);
        for flag in wanted {
            assert!(offered.iter().any(|f| f == flag), "{sub:?} lacks {flag}");
        }
        for flag in unwanted {
            assert!(!offered.iter().any(|f| f == flag), "{sub:?} offers {flag}");
        }
    }
    // Given before the subcommand's name: refused where meaningless, taken where used.
    let run = ecrp(&["--read-only", "ls", "repos"], &[]);
    assert!(
        run.stderr.contains("`ecrp ls` does not take --read-only"),
        "{}",
        run.stderr
    );
    let run = ecrp(&["--config", "/tmp/before.toml", "config", "path"], &[]);
    assert_eq!(run.stdout, "/tmp/before.toml\n", "{}", run.stderr);
}

#[test]
fn config_path_init_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("config.toml");
    let p = path.to_str().unwrap();
    let env = [("ECRP_CONFIG", p)];

    let run = ecrp(&["config", "path"], &env);
    assert_eq!(run.stdout, format!("{p}\n"));
    // --config beats ECRP_CONFIG.
    let run = ecrp(&["config", "path", "--config", "/tmp/other.toml"], &env);
    assert_eq!(run.stdout, "/tmp/other.toml\n");

    let run = ecrp(&["config", "check"], &env);
    assert!(
        run.ok && run.stdout.contains("does not exist"),
        "{}",
        run.stdout
    );

    // An empty ECRP_CONFIG means "not set": the platform path under HOME.
    let home = dir.path().display().to_string();
    let run = ecrp(
        &["config", "path"],
        &[
            ("ECRP_CONFIG", ""),
            ("HOME", &home),
            ("XDG_CONFIG_HOME", ""),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(run.stdout, format!("{home}/.config/ecrp/config.toml\n"));

    let run = ecrp(&["config", "init"], &env);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(run.stdout, format!("wrote {p}\n"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        ecrp::config::default_file_text()
    );

    std::fs::write(&path, "page_size = 0\n").unwrap();
    let run = ecrp(&["config", "init"], &env);
    assert!(!run.ok);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    let run = ecrp(&["config", "check"], &env);
    assert!(!run.ok);
    assert!(
        run.stdout
            .contains(&format!("{p}:1:13: page_size: 0 is out of range")),
        "{}",
        run.stdout
    );
    let run = ecrp(&["config", "init", "--force"], &env);
    assert!(run.ok, "{}", run.stderr);
    let run = ecrp(&["config", "check"], &env);
    assert!(
        run.ok && run.stdout.contains("no problems"),
        "{}",
        run.stdout
    );
}

#[test]
fn profiles_lists_the_shared_files_and_marks_the_current_one() {
    let env = [
        ("AWS_CONFIG_FILE", fixture("config")),
        ("AWS_SHARED_CREDENTIALS_FILE", fixture("credentials")),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = ecrp(&["profiles"], &env);
    assert!(run.ok, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "  PROFILE     KIND                REGION");
    assert_eq!(lines[1], "* default     static keys         us-east-1");
    assert!(lines.contains(&"  sso-admin   sso                 us-east-1"));
    assert!(lines.contains(&"  deploy      assume-role         eu-central-1"));
    assert_eq!(lines.len(), 9);

    let run = ecrp(&["profiles", "--profile", "deploy"], &env);
    assert!(run.stdout.contains("* deploy "), "{}", run.stdout);
}

/// A config file the AWS SDK refuses (a header without its `]`): `ecrp profiles` names the file,
/// the line and the reason instead of listing the broken section's region under the profile
/// above it, and `ecrp ls` says the same before the SDK's vaguer "could not parse profile file".
#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_aws_config_is_named_with_file_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "[default]\nregion = us-west-2\n\n[profile broken\nregion = eu-west-1\n",
    )
    .unwrap();
    let config = config.display().to_string();
    let env = [("AWS_CONFIG_FILE", config.as_str())];
    let run = ecrp(&["profiles"], &env);
    assert!(!run.ok, "{}", run.stdout);
    assert!(!run.stdout.contains("eu-west-1"), "{}", run.stdout);
    assert!(
        run.stderr.contains(&format!(
            "{config} line 4: a section header must end with ']'"
        )),
        "{}",
        run.stderr
    );

    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .unwrap();
    let url = emu.url();
    let run = ecrp(&["ls", "repos", "--endpoint-url", url.as_str()], &env);
    assert!(
        run.stderr
            .contains(&format!("warning: {config} line 4: a section header")),
        "{}",
        run.stderr
    );
    emu.shutdown().await;
}

/// A credentials file with two profiles whose access keys the emulator will echo back.
fn credentials(dir: &Path) -> String {
    let path = dir.join("credentials");
    std::fs::write(
        &path,
        "[from-file]\naws_access_key_id = AKIDFROMCONFIGFILE00\naws_secret_access_key = x\n\
         [from-flag]\naws_access_key_id = AKIDFROMCOMMANDLINE0\naws_secret_access_key = x\n\
         [from-env]\naws_access_key_id = AKIDFROMENVIRONMENT0\naws_secret_access_key = x\n",
    )
    .unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_config_files_profile_applies_unless_a_flag_or_env_says_otherwise() {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .unwrap();
    let url = emu.url();
    let dir = tempfile::tempdir().unwrap();
    let creds = credentials(dir.path());
    let config = dir.path().join("config.toml");
    // A bad line does not stop the good ones.
    std::fs::write(&config, "theme = 3\nprofile = \"from-file\"\n").unwrap();
    let config = config.display().to_string();
    let env = [
        ("AWS_SHARED_CREDENTIALS_FILE", creds.as_str()),
        ("ECRP_CONFIG", config.as_str()),
    ];
    let login = ["login", "--print-password", "--endpoint-url", url.as_str()];

    let run = ecrp(&login, &env);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.contains("AKIDFROMCONFIGFILE00"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains(&format!("warning: {config}:1:9: theme: expected")),
        "{}",
        run.stderr
    );

    let mut with_env = env.to_vec();
    with_env.push(("AWS_PROFILE", "from-env"));
    let run = ecrp(&login, &with_env);
    assert!(
        run.stdout.contains("AKIDFROMENVIRONMENT0"),
        "{}",
        run.stderr
    );

    let mut flagged = login.to_vec();
    flagged.extend(["--profile", "from-flag"]);
    let run = ecrp(&flagged, &with_env);
    assert!(
        run.stdout.contains("AKIDFROMCOMMANDLINE0"),
        "{}",
        run.stderr
    );

    // A profile that does not exist gets advice naming it, not just the SDK's error.
    std::fs::write(&config, "profile = \"nobody\"\n").unwrap();
    let run = ecrp(&login, &env);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("profile nobody is not defined"),
        "{}",
        run.stderr
    );
    emu.shutdown().await;
}

/// `ecrp emulator` with `args`: its first stdout line (or None when it exited first), its exit
/// status when it exited by itself, and everything it wrote on stderr. Stopped once the line came.
fn emulator_run(args: &[&str]) -> (Option<String>, Option<bool>, String) {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;
    let mut cmd = Command::new(BIN);
    hermetic(&mut cmd)
        .args(["emulator", "--seed", "empty"])
        .args(args)
        .env_remove("ECRP_EMULATOR_VERIFY_SIGV4")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("ecrp emulator starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let exited = match child.try_wait().unwrap() {
        Some(status) => Some(status.success()),
        None if first.is_empty() => Some(child.wait().unwrap().success()),
        None => {
            // Listening: stop it (SIGKILL; the test only needs what it printed).
            child.kill().unwrap();
            child.wait().unwrap();
            None
        }
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    ((!first.is_empty()).then_some(first), exited, stderr)
}

/// The emulator is a test server: it listens on loopback unless told otherwise, a non-loopback
/// address needs --allow-remote, and without --verify-sigv4 that prints a warning that anyone who
/// can reach it can change its state.
#[test]
fn the_emulator_stays_on_loopback_unless_remote_access_is_asked_for() {
    let (line, exited, stderr) = emulator_run(&[]);
    assert!(
        line.as_deref()
            .is_some_and(|l| l.starts_with("listening on http://127.0.0.1:")),
        "{line:?} {stderr}"
    );
    assert_eq!(exited, None);
    assert!(!stderr.contains("warning"), "{stderr}");

    for addr in ["0.0.0.0:0", "[::]:0"] {
        let (line, exited, stderr) = emulator_run(&["--addr", addr]);
        assert_eq!(line, None, "{addr} must not be served");
        assert_eq!(exited, Some(false));
        assert!(
            stderr.contains("is not a loopback address") && stderr.contains("--allow-remote"),
            "{stderr}"
        );
        // The refusal alone: no warning about an address it never listened on.
        assert!(!stderr.contains("warning"), "{stderr}");
    }

    let (line, exited, stderr) = emulator_run(&["--addr", "0.0.0.0:0", "--allow-remote"]);
    assert!(
        line.as_deref()
            .is_some_and(|l| l.starts_with("listening on http://0.0.0.0:")),
        "{line:?} {stderr}"
    );
    assert_eq!(exited, None);
    assert!(
        stderr.contains("warning:")
            && stderr.contains("without --verify-sigv4")
            && stderr.contains("anyone who can reach"),
        "{stderr}"
    );

    let (line, _, stderr) = emulator_run(&[
        "--addr",
        "0.0.0.0:0",
        "--allow-remote",
        "--verify-sigv4",
        "AKIDREMOTE:remote-secret",
    ]);
    assert!(line.is_some(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

/// The same rule for the library: `emulator::start` refuses a non-loopback address by itself.
#[tokio::test(flavor = "multi_thread")]
async fn the_emulator_library_refuses_a_remote_address_without_allow_remote() {
    let e = emulator::start(EmulatorOptions {
        addr: "0.0.0.0:0".parse().unwrap(),
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .err()
    .expect("refused");
    assert!(e.to_string().contains("--allow-remote"), "{e}");
    let emu = emulator::start(EmulatorOptions {
        addr: "0.0.0.0:0".parse().unwrap(),
        seed: Seed::Empty,
        allow_remote: true,
        ..Default::default()
    })
    .await
    .expect("allowed when asked for");
    emu.shutdown().await;
}

/// `--endpoint-url` on a loopback address is an `ecrp emulator`, which serves the registry API on
/// the same address: a reference to public.ecr.aws goes there without `--registry-url`, and an
/// explicit `--registry-url` still wins (here one nothing listens on, so the call fails).
#[tokio::test(flavor = "multi_thread")]
async fn a_loopback_endpoint_serves_public_ecr_aws_references() {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Demo,
        ..Default::default()
    })
    .await
    .unwrap();
    let url = emu.url();
    let creds = [
        ("AWS_ACCESS_KEY_ID", "AKIDLOOPBACK00000000"),
        ("AWS_SECRET_ACCESS_KEY", "loopback-secret"),
    ];
    let repos = ecrp(&["ls", "repos", "--json", "--endpoint-url", &url], &creds);
    assert!(repos.ok, "{}", repos.stderr);
    let repos: Vec<serde_json::Value> = serde_json::from_str(&repos.stdout).unwrap();
    let uri = repos
        .iter()
        .find(|r| r["repositoryName"] == "worker")
        .and_then(|r| r["repositoryUri"].as_str())
        .expect("the demo has worker")
        .to_string();
    assert!(uri.starts_with("public.ecr.aws/"), "{uri}");
    let tags = ecrp(&["tags", &uri, "--json", "--endpoint-url", &url], &creds);
    assert!(tags.ok, "{}", tags.stderr);
    let listed: serde_json::Value = serde_json::from_str(&tags.stdout).unwrap();
    assert_eq!(listed["repository"], uri.as_str());
    let names: Vec<&str> = listed["tags"]
        .as_array()
        .expect("a tag list")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(
        names.contains(&"latest") && names.len() > 1,
        "worker's tags from the emulator: {listed}"
    );
    let elsewhere = ecrp(
        &[
            "tags",
            &uri,
            "--endpoint-url",
            &url,
            "--registry-url",
            "http://127.0.0.1:9",
        ],
        &creds,
    );
    assert!(!elsewhere.ok, "{}", elsewhere.stdout);
    assert!(
        elsewhere.stderr.contains("127.0.0.1:9"),
        "{}",
        elsewhere.stderr
    );
    emu.shutdown().await;
}
