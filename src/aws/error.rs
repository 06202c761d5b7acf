//! A user-facing error: the AWS error code and message for the status line, the full
//! `DisplayErrorContext` chain for the details popup. An `SdkError`'s plain Display says only
//! "service error" or "dispatch failure", which tells a user nothing.

use std::fmt;

use aws_sdk_ecrpublic::config::http::HttpResponse;
use aws_sdk_ecrpublic::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::error::display::DisplayErrorContext;

use super::guard::ResponseTooLarge;

/// Codes of the errors ecrp raises itself when an endpoint misbehaves (see `aws::load`).
pub const PAGINATION_LOOP: &str = "PaginationLoop";
pub const TOO_MANY_ROWS: &str = "TooManyRows";
pub const RESPONSE_TOO_LARGE: &str = "ResponseTooLarge";
pub const INVALID_RESPONSE: &str = "InvalidResponse";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// The service's error code (`RepositoryNotFoundException`), or a local one (`ReadOnly`,
    /// `DispatchFailure`, `Timeout`, `InvalidInput`).
    pub code: String,
    /// One line for the status bar.
    pub message: String,
    /// Everything known in one string, for the log.
    pub detail: String,
    /// Where and how it failed, for `!` (boxed: errors travel in every `Result` of the client).
    pub info: Box<ErrorInfo>,
}

/// The parts of an error `!` lists one a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorInfo {
    /// The HTTP status of the answer, when there was one.
    pub status: Option<u16>,
    /// The service's request id (what AWS support asks for).
    pub request_id: Option<String>,
    /// The operation and the endpoint it went to (`context`).
    pub operation: Option<String>,
    pub endpoint: Option<String>,
    /// The error's source chain, outermost first, each link's own sentence ("dispatch failure",
    /// "io error", "Connection refused"): what `!` lists instead of a Debug dump.
    pub causes: Vec<String>,
}

impl AwsError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        let (code, message) = (code.into(), message.into());
        let detail = format!("{code}: {message}");
        AwsError {
            code,
            message,
            detail,
            info: Box::default(),
        }
    }

    /// The refusal every mutating call returns in read-only mode.
    pub fn read_only(op: &str) -> Self {
        AwsError::new(
            "ReadOnly",
            format!("{op} not sent: ecrp runs read-only (--read-only or read_only in the config)"),
        )
    }

    /// Bad input caught before anything is sent.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        AwsError::new("InvalidInput", message)
    }

    /// Whether retrying the same call later may succeed (throttling, server faults, the network).
    pub fn is_transient(&self) -> bool {
        matches!(
            self.code.as_str(),
            "ThrottlingException"
                | "ServerException"
                | "ServiceUnavailableException"
                | "DispatchFailure"
                | "Timeout"
                | "ResponseError"
                | "ServerError"
        )
    }

    /// Whether retrying from the failed page can help. Not when the page itself was the problem:
    /// after a token loop the last token is the one that loops, and after a page the endpoint
    /// answered wrongly (too many rows, too large, not ECR Public's JSON, a redirect) or a token the
    /// service refuses, the token in hand came from that answer, so resuming would fail the same
    /// way forever; those reload from the first page.
    pub fn is_resumable(&self) -> bool {
        ![
            PAGINATION_LOOP,
            TOO_MANY_ROWS,
            RESPONSE_TOO_LARGE,
            INVALID_RESPONSE,
            "ResponseError",
            "Redirect",
            "InvalidParameterException",
        ]
        .contains(&self.code.as_str())
    }

    /// The same error with where it happened added to the details (`!` and the log).
    pub fn context(mut self, op: &str, endpoint: &str) -> Self {
        self.detail = format!("{op} at {endpoint}: {}", self.detail);
        self.info.operation = Some(op.to_string());
        self.info.endpoint = Some(endpoint.to_string());
        self
    }

    pub fn from_sdk<E>(err: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let detail = DisplayErrorContext(&err).to_string();
        let cause = innermost_cause(&err);
        let raw = err.raw_response();
        let status = raw.map(|r| r.status().as_u16());
        let request_id = raw.and_then(|r| {
            ["x-amzn-requestid", "x-amz-request-id"]
                .iter()
                .find_map(|h| r.headers().get(*h))
                .map(|v| v.chars().take(200).collect::<String>())
        });
        let causes = cause_chain(&err);
        let (code, message) = match &err {
            _ if find_cause::<ResponseTooLarge>(&err).is_some() => (
                RESPONSE_TOO_LARGE.into(),
                format!("{cause}: the endpoint does not answer as ECR Public does"),
            ),
            SdkError::ServiceError(se) => match se.err().code() {
                Some(code) => (
                    code.to_string(),
                    se.err()
                        .message()
                        .map(str::to_string)
                        .unwrap_or_else(|| detail.clone()),
                ),
                // No error code: not an AWS error answer at all; the status says what it was.
                None => unrecognised(se.raw(), &cause),
            },
            // Identity resolution fails before anything is sent; the SDK reports it as a dispatch
            // failure, but "could not reach the endpoint" would send the user the wrong way.
            _ if is_credentials_failure(&detail) => (
                "CredentialsError".into(),
                format!("could not load AWS credentials ({cause})"),
            ),
            SdkError::TimeoutError(_) => (
                "Timeout".into(),
                format!(
                    "no complete answer in time ({cause}); the limits are the *_timeout_seconds \
                     settings in the config file"
                ),
            ),
            SdkError::DispatchFailure(_) => (
                "DispatchFailure".into(),
                format!("could not reach the endpoint ({cause})"),
            ),
            // An answer that is not the operation's (redirect, bare 5xx, HTML, broken JSON):
            // what the endpoint said helps more than the parser's complaint alone.
            SdkError::ResponseError(re) if !(200..300).contains(&re.raw().status().as_u16()) => {
                unrecognised(re.raw(), &cause)
            }
            SdkError::ResponseError(re) => match re.raw().headers().get("content-type") {
                Some(t) if !t.contains("json") => unrecognised(re.raw(), &cause),
                // A parse error or a connection lost mid-body: the cause tells which.
                _ => (
                    "ResponseError".into(),
                    format!(
                        "the answer could not be read as this operation's ({cause}); if it \
                         persists, the endpoint does not answer as ECR Public does"
                    ),
                ),
            },
            SdkError::ConstructionFailure(_) => (
                "ConstructionFailure".into(),
                format!("the request could not be built ({cause})"),
            ),
            _ => ("Error".into(), detail.clone()),
        };
        AwsError {
            code,
            message,
            detail,
            info: Box::new(ErrorInfo {
                status,
                request_id,
                operation: None,
                endpoint: None,
                causes,
            }),
        }
    }
}

/// An answer without an AWS error code: a redirect, a bare 5xx, or a 2xx whose body is not the
/// operation's JSON (an HTML page, truncated or mistyped JSON).
fn unrecognised(raw: &HttpResponse, cause: &str) -> (String, String) {
    let status = raw.status().as_u16();
    let header = |name: &str| {
        raw.headers()
            .get(name)
            .map(|v| v.chars().take(200).collect::<String>())
    };
    match status {
        300..=399 => (
            "Redirect".into(),
            format!(
                "the endpoint answered HTTP {status}, a redirect to {}; ecrp does not follow \
                 redirects of the API: check the endpoint URL",
                header("location").unwrap_or_else(|| "nowhere".into())
            ),
        ),
        500..=599 => (
            "ServerError".into(),
            format!(
                "the endpoint answered HTTP {status} without an error code, also on every retry; \
                 try again later"
            ),
        ),
        200..=299 => (
            INVALID_RESPONSE.into(),
            format!(
                "the endpoint answered HTTP {status} ({}) with a body that is not this \
                 operation's answer ({cause}): check the endpoint URL",
                header("content-type").unwrap_or_else(|| "no content type".into())
            ),
        ),
        _ => (
            format!("HTTP{status}"),
            format!("the endpoint answered HTTP {status} without an error code ({cause})"),
        ),
    }
}

/// The first error of type `T` in the source chain.
fn find_cause<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(t) = e.downcast_ref::<T>() {
            return Some(t);
        }
        cur = e.source();
    }
    None
}

/// The innermost error of the source chain: the part a user can act on ("Connection refused").
fn innermost_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Each link of the source chain in its own words: a link's Display often repeats its source's
/// after a colon ("io error: Connection refused"), so what the next link says is cut off, and a
/// link that says nothing new is left out. At most 12 links, each at most 500 characters, since
/// the text can come from the server.
fn cause_chain(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = Some(err);
    while let Some(e) = cur {
        let next = e.source();
        let mut own = e.to_string();
        if let Some(n) = next {
            let n = n.to_string();
            if let Some(stripped) = own.strip_suffix(&n) {
                own = stripped.trim_end_matches([' ', ':']).to_string();
            }
        }
        let own: String = own.chars().take(500).collect();
        if !own.is_empty() && out.last() != Some(&own) {
            out.push(own);
        }
        if out.len() == 12 {
            break;
        }
        cur = next;
    }
    out
}

fn is_credentials_failure(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    d.contains("credentials") || d.contains("identity resolver") || d.contains("sso token")
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for AwsError {}

impl<E> From<SdkError<E, HttpResponse>> for AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    fn from(err: SdkError<E, HttpResponse>) -> Self {
        AwsError::from_sdk(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failures_a_retry_of_the_same_page_can_mend_resume() {
        for code in [
            "Timeout",
            "ServerError",
            "ThrottlingException",
            "DispatchFailure",
        ] {
            assert!(AwsError::new(code, "m").is_resumable(), "{code}");
        }
        for code in [
            PAGINATION_LOOP,
            TOO_MANY_ROWS,
            RESPONSE_TOO_LARGE,
            INVALID_RESPONSE,
            "ResponseError",
            "Redirect",
            "InvalidParameterException",
        ] {
            assert!(!AwsError::new(code, "m").is_resumable(), "{code}");
        }
    }

    #[test]
    fn display_names_code_and_message() {
        let e = AwsError::new("RepositoryNotFoundException", "no repo x");
        assert_eq!(e.to_string(), "RepositoryNotFoundException: no repo x");
        assert!(!e.is_transient());
        assert!(AwsError::new("ThrottlingException", "slow down").is_transient());
    }

    #[test]
    fn read_only_names_the_operation() {
        let e = AwsError::read_only("DeleteRepository");
        assert_eq!(e.code, "ReadOnly");
        assert!(e.message.contains("DeleteRepository"));
    }

    #[test]
    fn the_cause_chain_lists_each_link_once_in_its_own_words() {
        #[derive(Debug)]
        struct Wrap(std::io::Error);
        impl fmt::Display for Wrap {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "io error: {}", self.0)
            }
        }
        impl std::error::Error for Wrap {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Wrap(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ));
        assert_eq!(cause_chain(&e), ["io error", "Connection refused"]);
    }

    #[test]
    fn innermost_cause_walks_the_source_chain() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
        let outer = std::io::Error::other(io);
        assert_eq!(innermost_cause(&outer), "Connection refused");
        assert!(is_credentials_failure(
            "dispatch failure: no credentials in the provider chain"
        ));
        assert!(!is_credentials_failure(
            "dispatch failure: io error: Connection refused"
        ));
    }
}
