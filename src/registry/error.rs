//! What can go wrong talking to a registry, each variant a sentence that names the endpoint or the
//! field and limit concerned. Server-supplied text is kept short here and sanitised where printed.

use std::fmt;
use std::time::Duration;

/// One entry of the distribution spec's error body: `{"errors":[{"code":…,"message":…}]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub code: String,
    pub message: String,
}

#[derive(Debug)]
pub enum RegistryError {
    /// The REF, a URL or an option is malformed; nothing was sent.
    Invalid(String),
    /// Plain HTTP to a host that is not loopback (credentials and content would travel in clear).
    Insecure { url: String },
    /// Connecting or exchanging the request failed.
    Transport { endpoint: String, cause: String },
    /// No answer (headers) or no body progress within the limit.
    Timeout {
        endpoint: String,
        what: &'static str,
        after: Duration,
    },
    /// A response body larger than the cap for its kind.
    TooLarge {
        endpoint: String,
        what: &'static str,
        cap: u64,
    },
    /// The server answered an error status; `errors` parsed from the spec's JSON body when present.
    Status {
        endpoint: String,
        status: u16,
        errors: Vec<ServiceError>,
    },
    /// 429 after the allowed retries, or a Retry-After longer than we wait.
    TooManyRequests {
        endpoint: String,
        retry_after: Option<Duration>,
        anonymous: bool,
        login_hint: Option<String>,
    },
    /// Authentication could not be completed (bad challenge, token endpoint refusal, …).
    Auth { endpoint: String, reason: String },
    /// The bytes received do not hash to the digest they were asked for or announced with.
    DigestMismatch {
        endpoint: String,
        expected: String,
        actual: String,
    },
    /// The response is not what the spec says (bad JSON, missing header, wrong size, …).
    BadResponse { endpoint: String, reason: String },
    /// Redirect chains longer than the limit, or without a usable Location.
    Redirect { endpoint: String, reason: String },
    /// The tag listing repeated itself or grew past the cap.
    Paging { endpoint: String, reason: String },
    /// Writing a downloaded blob failed.
    Io(std::io::Error),
    /// A write (blob upload, manifest put) refused in read-only mode; nothing was sent.
    ReadOnly { operation: String },
    /// Reading a blob to upload failed.
    Read { path: String, cause: String },
}

impl RegistryError {
    pub(crate) fn bad(endpoint: &str, reason: impl Into<String>) -> Self {
        RegistryError::BadResponse {
            endpoint: endpoint.to_string(),
            reason: reason.into(),
        }
    }

    /// The HTTP status, for errors that carry one.
    pub fn status(&self) -> Option<u16> {
        match self {
            RegistryError::Status { status, .. } => Some(*status),
            RegistryError::TooManyRequests { .. } => Some(429),
            _ => None,
        }
    }

    /// The first service error code (e.g. MANIFEST_UNKNOWN), when the server sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            RegistryError::Status { errors, .. } => errors.first().map(|e| e.code.as_str()),
            _ => None,
        }
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::Invalid(s) => f.write_str(s),
            RegistryError::Insecure { url } => write!(
                f,
                "refusing plain HTTP to {url}: http:// is only allowed for loopback hosts \
                 (127.0.0.0/8, ::1, localhost); use https://"
            ),
            RegistryError::Transport { endpoint, cause } => {
                write!(f, "{endpoint}: request failed: {cause}")
            }
            RegistryError::Timeout {
                endpoint,
                what,
                after,
            } => write!(
                f,
                "{endpoint}: timed out waiting for {what} ({} s)",
                after.as_secs_f64()
            ),
            RegistryError::TooLarge {
                endpoint,
                what,
                cap,
            } => write!(
                f,
                "{endpoint}: the {what} is larger than the {} cap; not read further",
                human_cap(*cap)
            ),
            RegistryError::Status {
                endpoint,
                status,
                errors,
            } => {
                write!(f, "{endpoint}: HTTP {status}")?;
                if let Some(reason) = http::StatusCode::from_u16(*status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                {
                    write!(f, " {reason}")?;
                }
                for e in errors.iter().take(3) {
                    write!(f, "; {}: {}", e.code, e.message)?;
                }
                Ok(())
            }
            RegistryError::TooManyRequests {
                endpoint,
                retry_after,
                anonymous,
                login_hint,
            } => {
                write!(f, "{endpoint}: too many requests (HTTP 429)")?;
                if let Some(d) = retry_after {
                    write!(f, ", the registry asks to retry after {} s", d.as_secs())?;
                }
                if *anonymous {
                    f.write_str("; this session is anonymous")?;
                    if let Some(hint) = login_hint {
                        write!(f, ": {hint}")?;
                    }
                } else {
                    f.write_str("; this session is authenticated, so wait and try again")?;
                }
                Ok(())
            }
            RegistryError::Auth { endpoint, reason } => {
                write!(f, "{endpoint}: authentication failed: {reason}")
            }
            RegistryError::DigestMismatch {
                endpoint,
                expected,
                actual,
            } => write!(
                f,
                "{endpoint}: digest mismatch: expected {expected}, the bytes received hash to {actual}"
            ),
            RegistryError::BadResponse { endpoint, reason } => {
                write!(f, "{endpoint}: invalid response: {reason}")
            }
            RegistryError::Redirect { endpoint, reason } => write!(f, "{endpoint}: {reason}"),
            RegistryError::Paging { endpoint, reason } => write!(f, "{endpoint}: {reason}"),
            RegistryError::Io(e) => write!(f, "could not write the blob: {e}"),
            RegistryError::ReadOnly { operation } => write!(
                f,
                "{operation} not sent: ecrp runs read-only (--read-only or read_only in the config)"
            ),
            RegistryError::Read { path, cause } => write!(f, "{path}: cannot read ({cause})"),
        }
    }
}

impl std::error::Error for RegistryError {}

/// `4 MiB` for caps (always whole MiB or KiB here).
fn human_cap(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} B")
    }
}

/// Parse the spec's error body; anything else yields no entries (the status says enough).
/// Codes and messages are cut short: a hostile server could send megabytes of them.
pub(crate) fn parse_service_errors(body: &[u8]) -> Vec<ServiceError> {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(default)]
        errors: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    let Ok(b) = serde_json::from_slice::<Body>(body) else {
        return Vec::new();
    };
    b.errors
        .into_iter()
        .take(3)
        .map(|e| ServiceError {
            code: truncate(&e.code, 64),
            message: truncate(&e.message, 300),
        })
        .collect()
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_parse_and_are_bounded() {
        let long = "x".repeat(1000);
        let body = format!(
            r#"{{"errors":[{{"code":"MANIFEST_UNKNOWN","message":"{long}"}},{{"code":"A"}},{{"code":"B"}},{{"code":"C"}}]}}"#
        );
        let e = parse_service_errors(body.as_bytes());
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].code, "MANIFEST_UNKNOWN");
        assert_eq!(e[0].message.chars().count(), 301);
        assert!(parse_service_errors(b"<html>").is_empty());
    }

    #[test]
    fn caps_read_in_binary_units() {
        assert_eq!(human_cap(4 << 20), "4 MiB");
        assert_eq!(human_cap(64 << 10), "64 KiB");
        assert_eq!(human_cap(1000), "1000 B");
    }
}
