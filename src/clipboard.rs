//! Copy to the clipboard with OSC 52: the terminal (not the machine ecrp runs on) sets its
//! clipboard, so copying works over SSH and inside tmux.
//!
//! Terminals cap OSC 52 payloads (xterm and others at around 100 kB of base64), and a sequence that
//! is cut off can leave the terminal in a bad state, so oversized text is refused up front.

use std::fmt;
use std::io::{self, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Largest text accepted, in bytes before base64 (which grows it by a third, to 100,000 bytes).
pub const MAX_BYTES: usize = 75_000;

#[derive(Debug)]
pub enum ClipboardError {
    TooLarge { bytes: usize },
    Io(io::Error),
}

impl fmt::Display for ClipboardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClipboardError::TooLarge { bytes } => write!(
                f,
                "{bytes} bytes is too much to copy through the terminal (at most {MAX_BYTES})"
            ),
            ClipboardError::Io(e) => write!(f, "could not write to the terminal: {e}"),
        }
    }
}

impl std::error::Error for ClipboardError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClipboardError::Io(e) => Some(e),
            ClipboardError::TooLarge { .. } => None,
        }
    }
}

/// `ESC ] 52 ; c ; <base64> BEL`: set the clipboard ("c") to `text`.
pub fn osc52(text: &str) -> Result<String, ClipboardError> {
    if text.len() > MAX_BYTES {
        return Err(ClipboardError::TooLarge { bytes: text.len() });
    }
    Ok(format!("\x1b]52;c;{}\x07", STANDARD.encode(text)))
}

/// The same sequence wrapped for tmux, which otherwise swallows it: `ESC P tmux; <seq with every
/// ESC doubled> ESC \`. (tmux also needs `set -g allow-passthrough on` from 3.3 on, or
/// `set -g set-clipboard on`, which makes it handle plain OSC 52 itself.)
pub fn osc52_tmux(text: &str) -> Result<String, ClipboardError> {
    let inner = osc52(text)?;
    Ok(format!(
        "\x1bPtmux;{}\x1b\\",
        inner.replace('\x1b', "\x1b\x1b")
    ))
}

/// The sequence for this environment: the tmux form when `in_tmux` (pass
/// `std::env::var_os("TMUX").is_some()`).
pub fn sequence(text: &str, in_tmux: bool) -> Result<String, ClipboardError> {
    if in_tmux {
        osc52_tmux(text)
    } else {
        osc52(text)
    }
}

/// Write the sequence for `text` to `out` (the terminal) and flush. The TUI passes its terminal's
/// writer (stdout), so this must not run while a frame is half drawn.
pub fn copy<W: Write>(out: &mut W, text: &str, in_tmux: bool) -> Result<(), ClipboardError> {
    let seq = sequence(text, in_tmux)?;
    out.write_all(seq.as_bytes()).map_err(ClipboardError::Io)?;
    out.flush().map_err(ClipboardError::Io)
}

/// Whether ecrp runs inside tmux.
pub fn in_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|v| !v.is_empty())
}

/// Whether the tmux server ecrp runs in passes escape sequences through to the outer terminal
/// (`allow-passthrough`, off by default since tmux 3.3): `None` when tmux cannot be asked. Run
/// once at start, before the TUI, as it waits for the `tmux` command.
pub fn tmux_passthrough() -> Option<bool> {
    let out = std::process::Command::new("tmux")
        .args(["show-options", "-gv", "allow-passthrough"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    passthrough_value(&String::from_utf8_lossy(&out.stdout))
}

/// `on` and `all` pass sequences through; `off` does not.
pub fn passthrough_value(v: &str) -> Option<bool> {
    match v.trim() {
        "on" | "all" => Some(true),
        "off" => Some(false),
        _ => None,
    }
}

/// One entry of the `y` menu: what it is and the text copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyChoice {
    pub label: &'static str,
    pub text: String,
}

/// The `y` menu for a repository: its URI and the pull command for its default tag.
pub fn repository_choices(repository_uri: &str) -> Vec<CopyChoice> {
    vec![
        CopyChoice {
            label: "URI",
            text: repository_uri.to_string(),
        },
        CopyChoice {
            label: "pull command",
            text: format!("docker pull {repository_uri}"),
        },
    ]
}

/// The `y` menu for an image: by tag when it has one (what people type), by digest otherwise
/// (an untagged image can only be pulled by digest), and the digest itself.
pub fn image_choices(repository_uri: &str, tag: Option<&str>, digest: &str) -> Vec<CopyChoice> {
    let reference = match tag {
        Some(t) => format!("{repository_uri}:{t}"),
        None => format!("{repository_uri}@{digest}"),
    };
    let mut out = vec![
        CopyChoice {
            label: "URI",
            text: reference.clone(),
        },
        CopyChoice {
            label: "pull command",
            text: format!("docker pull {reference}"),
        },
    ];
    if tag.is_some() {
        out.push(CopyChoice {
            label: "pull by digest",
            text: format!("docker pull {repository_uri}@{digest}"),
        });
    }
    out.push(CopyChoice {
        label: "digest",
        text: digest.to_string(),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passthrough_values_as_tmux_prints_them() {
        assert_eq!(passthrough_value("on\n"), Some(true));
        assert_eq!(passthrough_value("all\n"), Some(true));
        assert_eq!(passthrough_value("off\n"), Some(false));
        assert_eq!(passthrough_value(""), None);
    }

    #[test]
    fn copy_menus_offer_uri_pull_command_and_digest() {
        let uri = "public.ecr.aws/acme/web";
        let texts = |c: Vec<CopyChoice>| c.into_iter().map(|c| c.text).collect::<Vec<_>>();
        assert_eq!(
            texts(repository_choices(uri)),
            vec![uri.to_string(), format!("docker pull {uri}")]
        );
        assert_eq!(
            texts(image_choices(uri, Some("v1"), "sha256:ab")),
            vec![
                "public.ecr.aws/acme/web:v1",
                "docker pull public.ecr.aws/acme/web:v1",
                "docker pull public.ecr.aws/acme/web@sha256:ab",
                "sha256:ab",
            ]
        );
        assert_eq!(
            texts(image_choices(uri, None, "sha256:ab")),
            vec![
                "public.ecr.aws/acme/web@sha256:ab",
                "docker pull public.ecr.aws/acme/web@sha256:ab",
                "sha256:ab",
            ]
        );
    }

    #[test]
    fn osc52_exact_bytes() {
        // base64("hello") = "aGVsbG8="
        assert_eq!(osc52("hello").unwrap(), "\x1b]52;c;aGVsbG8=\x07");
        assert_eq!(
            osc52("public.ecr.aws/acme/web:latest").unwrap().as_bytes(),
            b"\x1b]52;c;cHVibGljLmVjci5hd3MvYWNtZS93ZWI6bGF0ZXN0\x07"
        );
        assert_eq!(osc52("").unwrap(), "\x1b]52;c;\x07");
    }

    #[test]
    fn tmux_wraps_and_doubles_escapes() {
        assert_eq!(
            osc52_tmux("hello").unwrap().as_bytes(),
            b"\x1bPtmux;\x1b\x1b]52;c;aGVsbG8=\x07\x1b\\"
        );
        assert_eq!(
            sequence("hello", true).unwrap(),
            osc52_tmux("hello").unwrap()
        );
        assert_eq!(sequence("hello", false).unwrap(), osc52("hello").unwrap());
    }

    #[test]
    fn copy_writes_the_sequence_and_refuses_large_payloads() {
        let mut out = Vec::new();
        copy(&mut out, "hello", false).unwrap();
        assert_eq!(out, b"\x1b]52;c;aGVsbG8=\x07");

        let big = "x".repeat(MAX_BYTES + 1);
        let mut out = Vec::new();
        let err = copy(&mut out, &big, false).unwrap_err();
        assert!(matches!(err, ClipboardError::TooLarge { bytes } if bytes == MAX_BYTES + 1));
        assert!(out.is_empty(), "nothing is written when refused");
        assert!(copy(&mut Vec::new(), &"x".repeat(MAX_BYTES), false).is_ok());
        // MAX_BYTES of text is at most 100,000 bytes of base64.
        assert!(osc52(&"x".repeat(MAX_BYTES)).unwrap().len() <= 100_000 + 8);
    }
}
