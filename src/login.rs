//! `docker login` for ECR Public: `ecrp login` and the TUI's `:login` call the same functions.
//!
//! GetAuthorizationToken returns base64 of `AWS:<password>`. The password goes to docker on stdin
//! (never on a command line, where `ps` would show it) and is never printed or logged unless the
//! user asks with `--print-password`. The model does not mark the token sensitive, so the SDK's
//! trace logs would include it: the call runs with tracing silenced (see `fetch`).

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::io::AsyncWriteExt;
use tracing::instrument::WithSubscriber;

use crate::aws::{Api, AwsError, Epoch};

/// The registry every ECR Public repository is pulled from.
pub const REGISTRY: &str = "public.ecr.aws";
/// The user name in the decoded token.
pub const USERNAME: &str = "AWS";

/// Why no login was made, when docker is not installed.
pub const NO_DOCKER: &str = "docker was not found on PATH, so no login was made.";

/// A registry password. `Debug` is redacted so it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The secret itself: only for docker's stdin and `--print-password`.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(** redacted **)")
    }
}

#[derive(Debug, Clone)]
pub struct AuthToken {
    pub password: Password,
    /// Epoch seconds.
    pub expires_at: Epoch,
}

#[derive(Debug)]
pub enum LoginError {
    Aws(AwsError),
    /// The token was not base64 of `AWS:<password>`.
    BadToken(String),
    /// docker could not be started or fed.
    Docker(std::io::Error),
    /// docker ran and refused; its output (with the password scrubbed, should it ever appear).
    DockerFailed {
        status: String,
        output: String,
    },
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoginError::Aws(e) => write!(f, "GetAuthorizationToken failed: {e}"),
            LoginError::BadToken(why) => write!(f, "the authorization token is not usable: {why}"),
            LoginError::Docker(e) => write!(f, "could not run docker: {e}"),
            LoginError::DockerFailed { status, output } => {
                write!(f, "docker login failed ({status})")?;
                if !output.trim().is_empty() {
                    write!(f, ": {}", output.trim())?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LoginError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoginError::Aws(e) => Some(e),
            LoginError::Docker(e) => Some(e),
            _ => None,
        }
    }
}

/// Call GetAuthorizationToken and decode it. Tracing is silenced for the duration of the call
/// because the SDK logs whole responses at trace level; the outcome is logged here without the
/// secret.
pub async fn fetch(api: &Api) -> Result<AuthToken, LoginError> {
    let result = api
        .authorization_token()
        .with_subscriber(tracing::subscriber::NoSubscriber::default())
        .await;
    let (token, expires_at) = match result {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(error = %e, "GetAuthorizationToken failed");
            return Err(LoginError::Aws(e));
        }
    };
    let password = decode_token(&token)?;
    tracing::info!(expires_at, "got an ECR Public authorization token");
    Ok(AuthToken {
        password,
        expires_at,
    })
}

/// base64 of `AWS:<password>` → the password.
pub fn decode_token(token: &str) -> Result<Password, LoginError> {
    let bytes = STANDARD
        .decode(token.trim())
        .map_err(|e| LoginError::BadToken(format!("not base64 ({e})")))?;
    let text =
        String::from_utf8(bytes).map_err(|_| LoginError::BadToken("not UTF-8 text".into()))?;
    match text.split_once(':') {
        Some((user, password)) if user == USERNAME && !password.is_empty() => {
            Ok(Password(password.to_string()))
        }
        // Say what was wrong without echoing any of the secret.
        Some((user, _)) if user != USERNAME => {
            Err(LoginError::BadToken(format!("user name is not {USERNAME}")))
        }
        Some(_) => Err(LoginError::BadToken("empty password".into())),
        None => Err(LoginError::BadToken(
            "no ':' between user and password".into(),
        )),
    }
}

/// The `docker` executable on `path_var` (pass `std::env::var_os("PATH")`), if any.
pub fn find_docker(path_var: Option<&OsStr>) -> Option<PathBuf> {
    find_executable("docker", path_var?)
}

fn find_executable(name: &str, path_var: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(path_var)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(p) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Run `docker login --username AWS --password-stdin public.ecr.aws` with the password on stdin.
/// Output is captured, never inherited, so it cannot draw over the TUI; it is returned (docker's
/// "Login Succeeded" and any warning about credential storage).
pub async fn docker_login(docker: &Path, password: &Password) -> Result<String, LoginError> {
    let mut child = tokio::process::Command::new(docker)
        .args([
            "login",
            "--username",
            USERNAME,
            "--password-stdin",
            REGISTRY,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(LoginError::Docker)?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| LoginError::Docker(std::io::Error::other("no stdin pipe to docker")))?;
    stdin
        .write_all(password.expose().as_bytes())
        .await
        .map_err(LoginError::Docker)?;
    // Closing stdin is docker's end of input.
    drop(stdin);
    let out = child.wait_with_output().await.map_err(LoginError::Docker)?;
    let output = scrub(
        &format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        password,
    );
    if out.status.success() {
        tracing::info!("docker login to {REGISTRY} succeeded");
        Ok(output)
    } else {
        let status = out.status.to_string();
        tracing::warn!(%status, "docker login failed");
        Err(LoginError::DockerFailed { status, output })
    }
}

fn scrub(text: &str, password: &Password) -> String {
    text.replace(password.expose(), "** password **")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// docker accepted the password; its output.
    LoggedIn {
        docker_output: String,
        expires_at: Epoch,
    },
    /// No docker to log in: show `no_docker_help`.
    NoDocker { expires_at: Epoch },
}

/// Fetch a token and, when `docker` is given (see `find_docker`), log docker in with it.
pub async fn login(api: &Api, docker: Option<&Path>) -> Result<LoginOutcome, LoginError> {
    let token = fetch(api).await?;
    match docker {
        Some(docker) => Ok(LoginOutcome::LoggedIn {
            docker_output: docker_login(docker, &token.password).await?,
            expires_at: token.expires_at,
        }),
        None => Ok(LoginOutcome::NoDocker {
            expires_at: token.expires_at,
        }),
    }
}

/// "2026-11-23 01:39:49 UTC (in 11 h 59 m)".
pub fn expiry_text(expires_at: Epoch, now: Epoch) -> String {
    let utc = aws_smithy_types::DateTime::from_secs(expires_at)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .map(|s| s.replacen('T', " ", 1).replace('Z', " UTC"))
        .unwrap_or_else(|_| format!("epoch {expires_at}"));
    format!("{utc} ({})", remaining(expires_at - now))
}

fn remaining(secs: i64) -> String {
    if secs <= 0 {
        return "expired".into();
    }
    let (h, m) = (secs / 3600, (secs % 3600) / 60);
    match (h, m) {
        (0, 0) => "in less than a minute".into(),
        (0, m) => format!("in {m} m"),
        (h, 0) => format!("in {h} h"),
        (h, m) => format!("in {h} h {m} m"),
    }
}

/// What to tell a user when docker was not run: when the token expires and how to use it. Callers
/// say why first (`NO_DOCKER`, or the demo's reason).
pub fn no_docker_help(expires_at: Epoch, now: Epoch) -> String {
    format!(
        "An authorization token for {REGISTRY} is available; it expires {}.\n\
         To log a container tool in with it:\n\
         \x20 ecrp login --print-password | docker login --username {USERNAME} --password-stdin {REGISTRY}\n\
         (podman, nerdctl and finch take the same arguments.)",
        expiry_text(expires_at, now)
    )
}

/// Now, in epoch seconds.
pub fn now_epoch() -> Epoch {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as Epoch)
        .unwrap_or(0)
}

/// `ecrp login`: fetch a token, then print the password (`print_password`), log docker in (when
/// `docker` is given), or say `no_docker_reason` and explain how to use the token. Messages go to
/// stdout; errors come back with advice for credential problems of `profile`.
pub async fn run_command(
    api: &Api,
    profile: &str,
    print_password: bool,
    docker: Option<&Path>,
    no_docker_reason: &str,
) -> anyhow::Result<()> {
    let explain = |e: LoginError| -> anyhow::Error {
        match &e {
            LoginError::Aws(aws) => match crate::profiles::explain_aws_error(profile, aws) {
                Some(advice) => crate::profiles::Advised {
                    error: e.to_string(),
                    advice,
                }
                .into(),
                None => anyhow::anyhow!("{e}"),
            },
            _ => anyhow::anyhow!("{e}"),
        }
    };
    if print_password {
        let token = fetch(api).await.map_err(explain)?;
        println!("{}", token.password.expose());
        return Ok(());
    }
    match login(api, docker).await.map_err(explain)? {
        LoginOutcome::LoggedIn {
            docker_output,
            expires_at,
        } => {
            if !docker_output.trim().is_empty() {
                println!("{}", docker_output.trim_end());
            }
            println!(
                "docker is logged in to {REGISTRY}; the token expires {}.",
                expiry_text(expires_at, now_epoch())
            );
        }
        LoginOutcome::NoDocker { expires_at } => {
            println!("{no_docker_reason}");
            println!("{}", no_docker_help(expires_at, now_epoch()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_rejects_tokens_without_echoing_them() {
        let ok = STANDARD.encode("AWS:s3cr3t-pass");
        assert_eq!(decode_token(&ok).unwrap().expose(), "s3cr3t-pass");
        let wrong_user = STANDARD.encode("bob:s3cr3t-pass");
        let e = decode_token(&wrong_user).unwrap_err().to_string();
        assert!(e.contains("user name") && !e.contains("s3cr3t"), "{e}");
        assert!(
            decode_token("%%%")
                .unwrap_err()
                .to_string()
                .contains("base64")
        );
        assert!(decode_token(&STANDARD.encode("AWS:")).is_err());
        assert!(decode_token(&STANDARD.encode("AWSs3cr3t")).is_err());
        assert_eq!(
            format!("{:?}", decode_token(&ok).unwrap()),
            "Password(** redacted **)"
        );
    }

    #[test]
    fn expiry_reads_as_utc_and_time_left() {
        // 2026-11-23T01:39:49Z
        let exp = 1_795_397_989;
        assert_eq!(
            expiry_text(exp, exp - (11 * 3600 + 59 * 60 + 30)),
            "2026-11-23 01:39:49 UTC (in 11 h 59 m)"
        );
        assert!(expiry_text(exp, exp - 125).ends_with("(in 2 m)"));
        assert!(expiry_text(exp, exp - 12 * 3600).ends_with("(in 12 h)"));
        assert!(expiry_text(exp, exp + 1).ends_with("(expired)"));
    }

    #[test]
    fn finds_docker_only_when_executable() {
        let dir = tempfile::tempdir().unwrap();
        let path = std::env::join_paths([dir.path()]).unwrap();
        assert_eq!(find_docker(Some(&path)), None);
        let docker = dir.path().join("docker");
        std::fs::write(&docker, "#!/bin/sh\n").unwrap();
        assert_eq!(find_docker(Some(&path)), None, "not executable yet");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(find_docker(Some(&path)), Some(docker));
        assert_eq!(find_docker(None), None);
    }
}
