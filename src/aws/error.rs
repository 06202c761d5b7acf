//! A user-facing error: the AWS error code and message for the status line, the full
//! `DisplayErrorContext` chain for the details popup. An `SdkError`'s plain Display says only
//! "service error" or "dispatch failure", which tells a user nothing.

use std::fmt;

use aws_sdk_ecrpublic::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::error::display::DisplayErrorContext;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// The service's error code (`RepositoryNotFoundException`), or a local one (`ReadOnly`,
    /// `DispatchFailure`, `Timeout`, `InvalidInput`).
    pub code: String,
    /// One line for the status bar.
    pub message: String,
    /// Everything known, for the details popup and the log.
    pub detail: String,
}

impl AwsError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        let (code, message) = (code.into(), message.into());
        let detail = format!("{code}: {message}");
        AwsError {
            code,
            message,
            detail,
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
        )
    }

    pub fn from_sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: fmt::Debug + Send + Sync + 'static,
    {
        let detail = DisplayErrorContext(&err).to_string();
        let (code, message) = match &err {
            SdkError::ServiceError(se) => {
                let e = se.err();
                (
                    e.code().unwrap_or("UnknownError").to_string(),
                    e.message()
                        .map(str::to_string)
                        .unwrap_or_else(|| detail.clone()),
                )
            }
            SdkError::TimeoutError(_) => ("Timeout".into(), "the request timed out".into()),
            SdkError::DispatchFailure(_) => (
                "DispatchFailure".into(),
                format!("could not reach the endpoint ({})", last_cause(&detail)),
            ),
            SdkError::ResponseError(_) => (
                "ResponseError".into(),
                format!("the response could not be read ({})", last_cause(&detail)),
            ),
            SdkError::ConstructionFailure(_) => (
                "ConstructionFailure".into(),
                format!("the request could not be built ({})", last_cause(&detail)),
            ),
            _ => ("Error".into(), detail.clone()),
        };
        AwsError {
            code,
            message,
            detail,
        }
    }
}

/// The innermost cause of a `DisplayErrorContext` chain (`a: b: c` → `c`), the part a user can act on.
fn last_cause(detail: &str) -> &str {
    detail
        .rsplit(": ")
        .find(|s| !s.trim().is_empty())
        .unwrap_or(detail)
        .trim()
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for AwsError {}

impl<E, R> From<SdkError<E, R>> for AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    fn from(err: SdkError<E, R>) -> Self {
        AwsError::from_sdk(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn last_cause_takes_innermost() {
        assert_eq!(
            last_cause("dispatch failure: io error: Connection refused (os error 111)"),
            "Connection refused (os error 111)"
        );
    }
}
