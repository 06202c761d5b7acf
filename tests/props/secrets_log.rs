//! Secrets never reach the logs: the real binary at trace level, with a recognisable secret key,
//! against the emulator; the log must be written (so the check is not vacuous) and hold no secret.
//! The secrets checked are listed in tests/support/secrets.rs.

use crate::support::common;
use crate::support::secrets;

use std::process::Command;

use crate::support::binary::{BIN, hermetic};
use crate::support::secrets::{
    Secret, assert_absent, assert_absent_in_files, assert_no_emulator_token, fake_docker,
};
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

/// `ecrp login` at trace level with a fake docker: the GetAuthorizationToken password reaches
/// docker's stdin and nothing else (not the log, not stdout or stderr), nor does the secret key;
/// the log file ecrp created is private (0600).
#[tokio::test(flavor = "multi_thread")]
async fn trace_logs_of_a_login_never_contain_the_password() {
    use std::os::unix::fs::PermissionsExt;
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("logs/login.log");
    let access_key = "AKIDLOGINLOG00000000";
    let secret = "SeCrEt-ecrp-login-log-0123456789abcdefXYZ";
    let docker_dir = fake_docker(dir.path());
    let out = hermetic(&mut Command::new(BIN))
        .args(["login", "--log-level", "trace"])
        .arg("--log-file")
        .arg(&log)
        .args(["--endpoint-url", &emu.url()])
        .env("PATH", &docker_dir)
        .env("AWS_ACCESS_KEY_ID", access_key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let password = std::fs::read_to_string(docker_dir.join("stdin")).expect("docker got stdin");
    assert!(
        password.starts_with(&format!("ecrp-emulator-{access_key}-")),
        "docker received the password ({} bytes)",
        password.len()
    );
    let text = std::fs::read_to_string(&log).expect("the log file is written");
    assert!(
        text.contains("got an ECR Public authorization token")
            && text.contains("docker login to public.ecr.aws succeeded"),
        "the log records the token and the login (so the search below means something)"
    );
    let secrets = [
        Secret::secret_access_key(secret),
        Secret::auth_password(&password),
        Secret::emulator_auth_password(access_key),
    ];
    for (place, t) in [("log", &text[..]), ("stdout", &stdout), ("stderr", &stderr)] {
        assert_absent(place, t, &secrets);
    }
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&log), 0o600, "the log file is private");
    assert_eq!(
        mode(&dir.path().join("logs")),
        0o700,
        "so is the directory ecrp made for it"
    );
    emu.shutdown().await;
}

/// The scanner below recognises a real token and password of the emulator, so finding none in
/// ecrp's output means something.
#[tokio::test(flavor = "multi_thread")]
async fn the_token_scanner_finds_real_emulator_tokens() {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .unwrap();
    let (status, body) = common::http_get(&format!(
        "{}/token/?service=public.ecr.aws&scope=repository:acme/web:pull",
        emu.url()
    ))
    .await;
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let token = doc["token"].as_str().expect("a token").to_string();
    let text = format!("x Authorization: Bearer {token}\ny");
    assert_eq!(secrets::emulator_sealed_values(&text), [token]);
    let (c_emu, c) = common::start_empty().await;
    let auth = common::ok(c.get_authorization_token().send().await);
    let data = auth.authorization_data().expect("authorization data");
    let basic = data.authorization_token().expect("a token");
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic)
        .unwrap();
    let password = String::from_utf8(decoded).unwrap();
    let password = password.strip_prefix("AWS:").unwrap();
    let found = secrets::emulator_sealed_values(&format!("pw={password} "));
    assert_eq!(found.len(), 1);
    assert!(password.ends_with(&found[0]));
    assert!(secrets::emulator_sealed_values("sha256:ab.cd 1.2.3").is_empty());
    c_emu.shutdown().await;
    emu.shutdown().await;
}

/// `inspect`, `tags` (both with --login), `prune` and `push --via registry` of the demo at trace
/// level: the demo maps public.ecr.aws to its in-process emulator, so ecrp fetches a
/// GetAuthorizationToken password and registry bearer tokens; none of them reaches stdout, stderr
/// or the log file.
#[test]
fn registry_tokens_and_passwords_never_reach_inspect_tags_or_prune_output() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}"#).unwrap();
    let policy = policy.to_str().unwrap().to_string();
    let oci = crate::support::oci::Oci::new();
    let image = oci.image("amd64", &[crate::support::oci::noise(1, 4_000)]);
    oci.write_index(&[(image, Some("v9"))]);
    let layout = oci.path().to_str().unwrap().to_string();
    let runs: [(&str, Vec<&str>); 4] = [
        (
            "inspect",
            vec!["inspect", "public.ecr.aws/acme/api:latest", "--login"],
        ),
        ("tags", vec!["tags", "public.ecr.aws/acme/api", "--login"]),
        ("prune", vec!["prune", "web", "--policy", &policy]),
        ("push", vec!["push", "--via", "registry", &layout, "web:v9"]),
    ];
    let secrets = [Secret::emulator_auth_password(ecrp::aws::DEMO_ACCESS_KEY)];
    for (name, args) in runs {
        let log = dir.path().join(format!("{name}.log"));
        let out = hermetic(&mut Command::new(BIN))
            .env("ECRP_DATA_DIR", dir.path().join("data"))
            .arg("--demo")
            .args(&args)
            .args(["--log-level", "trace", "--log-file"])
            .arg(&log)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
        let text = std::fs::read_to_string(&log).expect("the log file is written");
        if name != "prune" {
            assert!(
                text.contains("got an ECR Public authorization token")
                    && text.contains("got a registry token"),
                "{name}: the log records the password and the token (so the search below means something)"
            );
        }
        for (place, t) in [("log", &text[..]), ("stdout", &stdout), ("stderr", &stderr)] {
            let place = format!("{name} {place}");
            assert_absent(&place, t, &secrets);
            assert_no_emulator_token(&place, t);
        }
        assert_absent_in_files(&dir.path().join("data"), &secrets);
    }
}
