//! `ecrp login` against the in-process emulator, with a fake `docker` on PATH that records its
//! arguments and stdin, and without docker: the password reaches docker's stdin and nothing else.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::binary::{BIN, hermetic};
use ecrp::aws::{self, Api, ClientOptions};
use ecrp::emulator::{self, Emulator, EmulatorOptions, Seed};
use ecrp::login::{self, LoginError, LoginOutcome};

const ACCESS_KEY: &str = "AKIDLOGINTEST0000000";
/// The emulator's passwords start with this, and base64 of `AWS:` starts with `QVdTO`: neither may
/// be seen anywhere but docker's stdin (or stdout with --print-password).
const PASSWORD_PREFIX: &str = "ecrp-emulator-AKIDLOGINTEST0000000-";
const TOKEN_PREFIX: &str = "QVdTO";

async fn emulator() -> Emulator {
    emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .unwrap()
}

/// A `docker` that writes its arguments (one a line) to `args` and its stdin to `stdin` beside it,
/// prints what docker prints, and exits with `status`. Absolute paths: PATH holds only its dir.
fn fake_docker(dir: &Path, status: i32) -> PathBuf {
    let script = dir.join("docker");
    let d = dir.display();
    let body = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > {d}/args\n/bin/cat > {d}/stdin\n\
         if [ {status} -eq 0 ]; then echo 'Login Succeeded'; else echo 'Error response from daemon: unauthorized' >&2; fi\n\
         exit {status}\n"
    );
    std::fs::write(&script, body).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

struct Run {
    stdout: String,
    stderr: String,
    ok: bool,
}

/// The real binary with only `path_dir` on PATH, credentials from the environment, no AWS or ecrp
/// config files.
fn ecrp(url: Option<&str>, path_dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(BIN);
    hermetic(&mut cmd).args(["login"]).args(args);
    if let Some(url) = url {
        cmd.args(["--endpoint-url", url]);
    }
    let out = cmd
        .env("PATH", path_dir)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", "login-test-secret")
        .env("ECRP_CONFIG", path_dir.join("no-config.toml"))
        .output()
        .expect("ecrp runs");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        ok: out.status.success(),
    }
}

/// A fresh token's expiry: 12 hours from now, give or take the seconds the test took.
fn fresh_expiry(text: &str) -> bool {
    text.contains(" UTC (in 12 h)") || text.contains(" UTC (in 11 h 59 m)")
}

fn assert_no_secret(what: &str, text: &str) {
    assert!(
        !text.contains(PASSWORD_PREFIX) && !text.contains(TOKEN_PREFIX),
        "the password or token leaked into {what}:\n{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn docker_gets_the_password_on_stdin_and_nowhere_else() {
    let emu = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    fake_docker(dir.path(), 0);
    let run = ecrp(Some(&emu.url()), dir.path(), &[]);
    assert!(run.ok, "{}", run.stderr);

    let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
    assert_eq!(
        args,
        "login\n--username\nAWS\n--password-stdin\npublic.ecr.aws\n"
    );
    let stdin = std::fs::read_to_string(dir.path().join("stdin")).unwrap();
    assert!(stdin.starts_with(PASSWORD_PREFIX), "stdin was {stdin:?}");
    assert!(!stdin.contains("AWS:") && !stdin.contains('\n'));

    assert!(run.stdout.contains("Login Succeeded"), "{}", run.stdout);
    assert!(
        run.stdout.contains("docker is logged in to public.ecr.aws") && fresh_expiry(&run.stdout),
        "{}",
        run.stdout
    );
    assert_no_secret("stdout", &run.stdout);
    assert_no_secret("stderr", &run.stderr);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_docker_is_reported_with_its_message() {
    let emu = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    fake_docker(dir.path(), 1);
    let run = ecrp(Some(&emu.url()), dir.path(), &[]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("docker login failed (exit status: 1)")
            && run.stderr.contains("unauthorized"),
        "{}",
        run.stderr
    );
    assert_no_secret("stdout", &run.stdout);
    assert_no_secret("stderr", &run.stderr);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_docker_the_expiry_and_usage_are_shown_but_never_the_password() {
    let emu = emulator().await;
    let empty = tempfile::tempdir().unwrap();
    let log = empty.path().join("trace.log");
    let log_arg = log.to_str().unwrap();
    // Trace level: the SDK would log whole responses, token included, if it were not silenced.
    let run = ecrp(
        Some(&emu.url()),
        empty.path(),
        &["--log-level", "trace", "--log-file", log_arg],
    );
    assert!(run.ok, "{}", run.stderr);
    for want in [
        "docker was not found on PATH, so no login was made.",
        "An authorization token for public.ecr.aws is available; it expires ",
        "ecrp login --print-password | docker login --username AWS --password-stdin public.ecr.aws",
    ] {
        assert!(
            run.stdout.contains(want),
            "missing {want:?} in:\n{}",
            run.stdout
        );
    }
    assert!(fresh_expiry(&run.stdout), "{}", run.stdout);
    assert_no_secret("stdout", &run.stdout);
    assert_no_secret("stderr", &run.stderr);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("got an ECR Public authorization token"),
        "{logged}"
    );
    assert_no_secret("the log file", &logged);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn print_password_prints_only_the_password() {
    let emu = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    fake_docker(dir.path(), 0);
    let run = ecrp(Some(&emu.url()), dir.path(), &["--print-password"]);
    assert!(run.ok, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert!(lines[0].starts_with(PASSWORD_PREFIX));
    assert!(!dir.path().join("args").exists(), "docker must not run");
    emu.shutdown().await;
}

#[test]
fn demo_mode_uses_the_built_in_emulator_and_does_not_run_docker() {
    let dir = tempfile::tempdir().unwrap();
    fake_docker(dir.path(), 0);
    let run = ecrp(None, dir.path(), &["--demo"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("--demo: the token comes from the built-in emulator")
    );
    assert!(fresh_expiry(&run.stdout), "{}", run.stdout);
    assert!(!dir.path().join("args").exists(), "docker must not run");
    assert!(!run.stdout.contains("ecrp-emulator-") && !run.stdout.contains(TOKEN_PREFIX));
}

#[tokio::test(flavor = "multi_thread")]
async fn library_login_feeds_docker_the_fetched_password() {
    let emu = emulator().await;
    let (client, _) = aws::connect(&ClientOptions::for_emulator(&emu.url())).await;
    // Read-only does not stop a login: it changes nothing in the registry.
    let api = Api::new(client, true);
    let token = login::fetch(&api).await.unwrap();
    assert!(token.expires_at > login::now_epoch() + 11 * 3600);
    assert!(!format!("{token:?}").contains(token.password.expose()));

    let dir = tempfile::tempdir().unwrap();
    let docker = fake_docker(dir.path(), 0);
    let out = login::docker_login(&docker, &token.password).await.unwrap();
    assert_eq!(out.trim(), "Login Succeeded");
    let stdin = std::fs::read_to_string(dir.path().join("stdin")).unwrap();
    assert_eq!(stdin, token.password.expose());

    match login::login(&api, None).await.unwrap() {
        LoginOutcome::NoDocker { expires_at } => assert!(expires_at > login::now_epoch()),
        other => panic!("expected NoDocker, got {other:?}"),
    }
    let missing = dir.path().join("no-such-docker");
    match login::login(&api, Some(&missing)).await {
        Err(LoginError::Docker(e)) => assert_eq!(e.kind(), std::io::ErrorKind::NotFound),
        other => panic!("expected a spawn error, got {other:?}"),
    }
    emu.shutdown().await;
}

/// A login without credentials: the error and the advice the TUI gives, one clean sentence a
/// line, and no log line (the warning goes to the log file).
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_login_says_why_and_what_to_do_on_separate_lines_without_log_lines() {
    let emu = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let out = hermetic(&mut Command::new(BIN))
        .args(["login", "--endpoint-url", &emu.url()])
        .env("PATH", dir.path())
        .env("HOME", dir.path())
        .env_remove("XDG_DATA_HOME")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .expect("ecrp runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!stderr.contains('\x1b'), "escape codes: {stderr:?}");
    assert!(!stderr.contains(" WARN "), "a log line: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with("ecrp: GetAuthorizationToken failed: "),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with("ecrp: ") && lines[1].contains("aws configure"),
        "{stderr}"
    );
    let logs = dir.path().join(".local/share/ecrp/logs");
    let logged: String = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(logged.contains("GetAuthorizationToken failed"), "{logged}");
    emu.shutdown().await;
}
