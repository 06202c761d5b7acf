//! Profile listing from fixture AWS config and credentials files, and credential-error advice.

use std::path::{Path, PathBuf};

use ecrp::aws::AwsError;
use ecrp::profiles::{
    self, ECR_PUBLIC_REGIONS, ProfileInfo, ProfileKind, explain_aws_error,
    explain_credentials_error,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aws")
        .join(name)
}

fn p(name: &str, kind: ProfileKind, region: Option<&str>) -> ProfileInfo {
    ProfileInfo {
        name: name.into(),
        kind,
        region: region.map(str::to_string),
    }
}

#[test]
fn lists_every_profile_from_both_files_default_first() {
    let got = profiles::list_profiles_from(Some(&fixture("config")), Some(&fixture("credentials")))
        .unwrap();
    assert_eq!(
        got,
        vec![
            p("default", ProfileKind::StaticKeys, Some("us-east-1")),
            p("ci", ProfileKind::StaticKeys, Some("ap-southeast-2")),
            p("deploy", ProfileKind::AssumeRole, Some("eu-central-1")),
            p("dev", ProfileKind::StaticKeys, Some("us-west-2")),
            p("legacy-sso", ProfileKind::Sso, None),
            p("spaced", ProfileKind::CredentialProcess, None),
            p("sso-admin", ProfileKind::Sso, Some("us-east-1")),
            p("with-s3", ProfileKind::Unknown, None),
        ]
    );
}

#[test]
fn sections_that_are_not_profiles_are_left_out() {
    let got = profiles::list_profiles_from(Some(&fixture("config")), None).unwrap();
    let names: Vec<&str> = got.iter().map(|p| p.name.as_str()).collect();
    assert!(
        !names
            .iter()
            .any(|n| n.contains("corp") || n.contains("local-ecr"))
    );
    // Without the credentials file, default has no keys of its own.
    assert_eq!(
        got[0],
        p("default", ProfileKind::Unknown, Some("us-east-1"))
    );
}

#[test]
fn missing_files_are_empty_and_unreadable_ones_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let none = dir.path().join("absent");
    assert_eq!(
        profiles::list_profiles_from(Some(&none), Some(&none)).unwrap(),
        vec![]
    );
    assert_eq!(profiles::list_profiles_from(None, None).unwrap(), vec![]);
    // A directory where a file is expected cannot be read as text.
    let err = profiles::list_profiles_from(Some(dir.path()), None).unwrap_err();
    assert!(err.to_string().contains(&dir.path().display().to_string()));
}

#[test]
fn ecr_public_regions() {
    assert_eq!(ECR_PUBLIC_REGIONS, &["us-east-1", "us-west-2"]);
}

#[test]
fn expired_sso_sessions_name_the_renewing_command() {
    // As aws-config 1.13 words them inside an SDK error chain (the first is a real AwsError detail
    // for a profile whose `aws sso login` never ran).
    for text in [
        "dispatch failure: other: an error occurred while loading credentials: an error occurred \
         while loading an access token: failed to load the cached SSO token (DispatchFailure(…))",
        "an error occurred while loading credentials: the SSO token has expired and cannot be \
         refreshed",
        "failed to load the cached SSO token: failed to read `/home/u/.aws/sso/cache/ab.json`",
        "UnauthorizedException: Session token not found or invalid",
    ] {
        assert_eq!(
            explain_credentials_error("sso-admin", text).as_deref(),
            Some(
                "the SSO session for profile sso-admin has expired or was never started: \
                 run `aws sso login --profile sso-admin`"
            ),
            "{text}"
        );
    }
}

#[test]
fn other_credential_problems_get_actionable_advice() {
    let cases = [
        (
            // A real AwsError detail with no credentials anywhere.
            "dispatch failure: other: the credential provider was not enabled: no credentials \
             found in chain. Attempted:",
            "aws configure --profile ci",
        ),
        (
            // Off EC2 the default chain's last try, IMDS, is what the error names.
            "dispatch failure: other: an error occurred while loading credentials: failed to load \
             IMDS session token: service error: request forbidden",
            "no AWS credentials found for profile ci",
        ),
        (
            "profile `ci` was not defined: ProfileFile provider could not be built",
            "is not defined",
        ),
        (
            "ExpiredTokenException: The security token included in the request is expired",
            "have expired",
        ),
        (
            "UnrecognizedClientException: The security token included in the request is invalid.",
            "aws sts get-caller-identity --profile ci",
        ),
        (
            "Error retrieving credentials from external process: credential_process exited 1",
            "credential_process of profile ci failed",
        ),
        (
            "AccessDenied: User is not authorized to perform: sts:AssumeRole on resource",
            "not allowed to assume its role_arn",
        ),
    ];
    for (text, want) in cases {
        let got = explain_credentials_error("ci", text).unwrap_or_default();
        assert!(got.contains(want), "{text} → {got}");
    }
    assert_eq!(
        explain_credentials_error("ci", "RepositoryNotFoundException: no such repository"),
        None
    );
}

#[test]
fn explains_aws_errors_by_code_message_and_detail() {
    let mut e = AwsError::new("DispatchFailure", "could not reach the endpoint");
    e.detail = "dispatch failure: other: the SSO token has expired and cannot be refreshed".into();
    assert!(
        explain_aws_error("work", &e)
            .unwrap()
            .contains("aws sso login --profile work")
    );
    let e = AwsError::new(
        "ExpiredTokenException",
        "The security token included in the request is expired",
    );
    assert!(explain_aws_error("work", &e).unwrap().contains("expired"));
}
