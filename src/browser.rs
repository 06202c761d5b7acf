//! Open a repository's ECR Public Gallery page in the user's browser.
//!
//! The browser is started detached (its own process group, no stdin, output to null) so it can
//! neither draw over the TUI nor die with ecrp on ctrl-c; a thread reaps it and logs a failure.

use std::fmt;
use std::io;
use std::process::{Command, Stdio};

/// `https://gallery.ecr.aws/<alias>/<repo>`. Both names come from the API, which restricts them to
/// lower-case letters, digits and `._/-`; anything else is refused rather than escaped, since it
/// means the caller passed something that is not a name.
pub fn gallery_url(alias: &str, repo: &str) -> Result<String, BrowserError> {
    for (what, s) in [("registry alias", alias), ("repository name", repo)] {
        let ok = !s.is_empty()
            && !s.starts_with('/')
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '/' | '-')
            });
        if !ok {
            return Err(BrowserError::BadName(format!("{what} {s:?}")));
        }
    }
    Ok(format!("https://gallery.ecr.aws/{alias}/{repo}"))
}

/// The registry's own page in the Gallery (every repository under its alias).
pub fn registry_gallery_url(alias: &str) -> Result<String, BrowserError> {
    // Same check as for a repository page; the repository part is a placeholder that passes.
    gallery_url(alias, "r")?;
    Ok(format!("https://gallery.ecr.aws/{alias}"))
}

#[derive(Debug)]
pub enum BrowserError {
    BadName(String),
    /// Nothing could be started; lists what was tried and why each failed.
    NoOpener(Vec<String>),
}

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BrowserError::BadName(s) => write!(f, "cannot make a gallery address from {s}"),
            BrowserError::NoOpener(tried) => write!(
                f,
                "no browser could be started ({}); set BROWSER to your browser's command",
                tried.join("; ")
            ),
        }
    }
}

impl std::error::Error for BrowserError {}

/// The platform's "open this URL" command, tried after `$BROWSER`.
pub fn platform_openers() -> &'static [&'static str] {
    if cfg!(target_os = "macos") {
        &["open"]
    } else {
        &["xdg-open"]
    }
}

/// Open `url` with `$BROWSER` (a `:`-separated list of commands, `%s` standing for the URL, as
/// `xdg-open` and `sensible-browser` read it) or else the platform opener.
pub fn open_url(url: &str) -> Result<String, BrowserError> {
    let browser = std::env::var("BROWSER").ok();
    open_url_with(url, browser.as_deref(), platform_openers())
}

/// `open_url` with the environment passed in (for tests). Returns the command that was started.
pub fn open_url_with(
    url: &str,
    browser_var: Option<&str>,
    fallbacks: &[&str],
) -> Result<String, BrowserError> {
    let mut candidates: Vec<String> = browser_var
        .unwrap_or("")
        .split(':')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    candidates.extend(fallbacks.iter().map(|s| s.to_string()));
    let mut tried = Vec::new();
    for cmd in candidates {
        match spawn_detached(&cmd, url) {
            Ok(()) => return Ok(cmd),
            Err(e) => tried.push(format!("{cmd}: {e}")),
        }
    }
    if tried.is_empty() {
        tried.push("no command to try".into());
    }
    Err(BrowserError::NoOpener(tried))
}

/// Split `cmd` on whitespace (no shell, so a URL can never be interpreted), put the URL in place of
/// `%s` or at the end, and start it detached.
fn spawn_detached(cmd: &str, url: &str) -> io::Result<()> {
    let mut words: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
    if words.iter().any(|w| w.contains("%s")) {
        for w in &mut words {
            *w = w.replace("%s", url);
        }
    } else {
        words.push(url.to_string());
    }
    let (program, args) = words
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty command"))?;
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command.spawn()?;
    let program = program.clone();
    std::thread::spawn(move || match child.wait() {
        Ok(status) if !status.success() => {
            tracing::warn!(%program, %status, "the browser command failed")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(%program, error = %e, "could not wait for the browser command"),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn gallery_url_joins_alias_and_repository() {
        assert_eq!(
            gallery_url("acme", "team/web").unwrap(),
            "https://gallery.ecr.aws/acme/team/web"
        );
        assert!(gallery_url("acme", "").is_err());
        assert!(gallery_url("acme", "a b").is_err());
        assert!(gallery_url("Acme", "web").is_err());
    }

    #[test]
    fn browser_variable_is_used_with_the_url() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("opened");
        let script = dir.path().join("fake-browser");
        std::fs::write(
            &script,
            format!("#!/bin/sh\necho \"$1\" > {}\n", out.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();

        let missing = dir.path().join("no-such-browser");
        let var = format!("{}:{} %s", missing.display(), script.display());
        let used = open_url_with("https://gallery.ecr.aws/acme/web", Some(&var), &[]).unwrap();
        assert!(used.contains("fake-browser"), "{used}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !out.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut text = String::new();
        while !text.ends_with('\n') && Instant::now() < deadline {
            text = std::fs::read_to_string(&out).unwrap_or_default();
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(text, "https://gallery.ecr.aws/acme/web\n");
    }

    #[test]
    fn nothing_to_open_with_is_a_clear_error() {
        let err = open_url_with("https://x", None, &["/nonexistent/xdg-open"]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("/nonexistent/xdg-open"), "{msg}");
        assert!(msg.contains("set BROWSER"), "{msg}");
    }
}
