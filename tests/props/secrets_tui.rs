//! Secrets never reach the log or the screen from the TUI either (tests/props/secrets_log.rs covers
//! `ecrp ls`): the real binary in tmux at trace level, with a recognisable secret key and session
//! token, browsing through a fault mix (so retries and errors are logged too), then `:login` with a
//! fake docker. None of them, nor the GetAuthorizationToken password docker received, appears in
//! the log, in any byte ecrp wrote to the terminal, or on the screen (tests/support/secrets.rs lists
//! the secrets).
//!
//! Skipped (with a message) where tmux is not installed, unless ECRP_REQUIRE_TMUX=1.

use crate::support::binary::{Emulator, tmux_available};
use crate::support::secrets::{Secret, assert_absent, fake_docker};
use crate::support::tmux::{Launch, Session};

const SECRET: &str = "SeCrEt-ecrp-tui-test-0123456789abcdefXYZ";
const TOKEN: &str = "ToKeN-ecrp-tui-session-9876543210fedcbaQRS";

#[test]
fn trace_logs_and_the_screen_never_show_the_secret_key_or_token() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    // The emulator checks every signature against the secret: the TUI below really uses it.
    let key = format!("AKIDTEST:{SECRET}");
    let emu = Emulator::start(&[
        "--faults",
        "throttle=0.2,error=0.1",
        "--fault-seed",
        "7",
        "--verify-sigv4",
        &key,
    ]);
    let secret = format!("AWS_SECRET_ACCESS_KEY={SECRET}");
    let token = format!("AWS_SESSION_TOKEN={TOKEN}");
    // `:login` below runs this docker, which keeps the password it is given.
    let docker_home = tempfile::tempdir().unwrap();
    let docker_dir = fake_docker(docker_home.path());
    let path = format!("PATH={}:$PATH", docker_dir.display());
    let session = Session::launch(Launch {
        tag: "secrets",
        endpoint: &emu.url,
        env: &[&secret, &token, "RUST_LOG=", &path],
        args: &["--log-level", "trace"],
        width: 160,
        height: 45,
    });
    session.go();
    session.wait_for(&["Repositories (13)"]);
    session.keys(&["/", "w", "e", "b", "Enter"]);
    session.wait_for(&["Repositories (1 of 13)"]);
    session.keys(&["Enter"]);
    session.wait_for(&["Images · web"]);
    session.keys(&["Tab"]);
    session.wait_for(&["Image tags · web"]);
    session.keys(&["Escape"]);
    session.wait_for_without("Repositories (1 of 13)", "Image tags · web");
    session.keys(&["p"]);
    session.wait_for(&["Policy · web"]);
    session.keys(&["Escape"]);
    session.wait_for(&["Repositories (1 of 13)"]);
    // Under the fault mix a login can fail even after the SDK's retries: ask again until docker
    // has received a password (the deadline only stops a hung run).
    let stdin = docker_dir.join("stdin");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !stdin.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "docker never got a password"
        );
        session.keys(&[":", "l", "o", "g", "i", "n", "Enter"]);
        for _ in 0..50 {
            if stdin.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    session.wait_for(&["docker is logged in"]);
    let password = std::fs::read_to_string(&stdin).expect("docker got stdin");
    assert!(
        password.starts_with("ecrp-emulator-AKIDTEST-"),
        "a password reached docker"
    );
    let screen = session.capture();
    session.keys(&["q"]);
    assert_eq!(session.exit_code(), 0);

    let log = String::from_utf8_lossy(&std::fs::read(session.path("ecrp.log")).expect("log"))
        .into_owned();
    for op in [
        "DescribeRepositories",
        "DescribeImages",
        "GetRepositoryPolicy",
    ] {
        assert!(
            log.contains(op),
            "the trace log records {op} (so the search below means something)"
        );
    }
    assert!(
        log.contains("ThrottlingException") || log.contains("ServerException"),
        "the fault mix was logged"
    );
    let raw = String::from_utf8_lossy(&session.raw_after_exit()).into_owned();
    for (what, text) in [
        ("log", &log),
        ("terminal output", &raw),
        ("screen", &screen),
    ] {
        assert_absent(
            what,
            text,
            &[
                Secret::secret_access_key(SECRET),
                Secret::session_token(TOKEN),
                Secret::auth_password(&password),
                Secret::emulator_auth_password("AKIDTEST"),
            ],
        );
    }
}
