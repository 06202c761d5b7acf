//! AWS profiles for the ctrl-p picker, the regions for ctrl-r, and plain-words explanations of
//! credential errors.
//!
//! Only names, kinds and regions are read here; credentials themselves are always resolved by
//! aws-config when a client is built for the chosen profile, so SSO, assume-role and
//! credential_process behave exactly as in the AWS CLI.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::aws::AwsError;

/// Regions that serve the ECR Public API.
pub const ECR_PUBLIC_REGIONS: &[&str] = &["us-east-1", "us-west-2"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    /// aws_access_key_id / aws_secret_access_key.
    StaticKeys,
    /// IAM Identity Center (sso_session or sso_start_url).
    Sso,
    /// role_arn (with source_profile, credential_source or web_identity_token_file).
    AssumeRole,
    CredentialProcess,
    Unknown,
}

impl fmt::Display for ProfileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProfileKind::StaticKeys => "static keys",
            ProfileKind::Sso => "sso",
            ProfileKind::AssumeRole => "assume-role",
            ProfileKind::CredentialProcess => "credential_process",
            ProfileKind::Unknown => "unknown",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileInfo {
    pub name: String,
    pub kind: ProfileKind,
    pub region: Option<String>,
}

/// The shared config file: AWS_CONFIG_FILE, else `~/.aws/config`.
pub fn config_file_path() -> Option<PathBuf> {
    env_path("AWS_CONFIG_FILE").or_else(|| home().map(|h| h.join(".aws").join("config")))
}

/// The shared credentials file: AWS_SHARED_CREDENTIALS_FILE, else `~/.aws/credentials`.
pub fn credentials_file_path() -> Option<PathBuf> {
    env_path("AWS_SHARED_CREDENTIALS_FILE")
        .or_else(|| home().map(|h| h.join(".aws").join("credentials")))
}

fn home() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf())
}

/// An environment path, with a leading `~/` expanded as the AWS CLI does.
fn env_path(var: &str) -> Option<PathBuf> {
    let v = std::env::var(var).ok().filter(|v| !v.is_empty())?;
    match v.strip_prefix("~/") {
        Some(rest) => home().map(|h| h.join(rest)),
        None => Some(PathBuf::from(v)),
    }
}

/// Profiles from the files the environment names (see `list_profiles_from`).
pub fn list_profiles() -> io::Result<Vec<ProfileInfo>> {
    list_profiles_from(
        config_file_path().as_deref(),
        credentials_file_path().as_deref(),
    )
}

/// Every profile in the config and credentials files, deduplicated and sorted by name with
/// `default` first. A missing file counts as empty; an unreadable one is an error. Where both files
/// set a property, the credentials file wins, as in aws-config.
pub fn list_profiles_from(
    config: Option<&Path>,
    credentials: Option<&Path>,
) -> io::Result<Vec<ProfileInfo>> {
    let mut merged: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    if let Some(text) = read_optional(config)? {
        for (header, props) in parsed(config, &text)? {
            let header = header.trim();
            let name = if header == "default" {
                Some("default")
            } else {
                // `[profile x]`; `[sso-session x]`, `[services x]` and others are not profiles.
                header
                    .strip_prefix("profile")
                    .filter(|rest| rest.starts_with(char::is_whitespace))
                    .map(str::trim)
            };
            if let Some(name) = name.filter(|n| !n.is_empty()) {
                merged.entry(name.to_string()).or_default().extend(props);
            }
        }
    }
    if let Some(text) = read_optional(credentials)? {
        for (header, props) in parsed(credentials, &text)? {
            let name = header.trim();
            if !name.is_empty() {
                merged.entry(name.to_string()).or_default().extend(props);
            }
        }
    }
    let mut out: Vec<ProfileInfo> = merged
        .into_iter()
        .map(|(name, props)| ProfileInfo {
            kind: kind_of(&props),
            region: props.get("region").filter(|r| !r.is_empty()).cloned(),
            name,
        })
        .collect();
    out.sort_by(|a, b| (a.name != "default", &a.name).cmp(&(b.name != "default", &b.name)));
    Ok(out)
}

/// A shared file the AWS SDK refuses to read: where and why. The SDK then reads no profile,
/// credentials or region from it at all, so a guess from the parts that look fine would list a
/// section's region under the wrong profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFileError {
    pub path: PathBuf,
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for SharedFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} line {}: {}; the AWS SDK reads no profile, credentials or region from this file \
             until it is fixed",
            self.path.display(),
            self.line,
            self.reason
        )
    }
}

fn parsed(path: Option<&Path>, text: &str) -> io::Result<Vec<Section>> {
    parse_ini(text).map_err(|(line, reason)| {
        let e = SharedFileError {
            path: path.map(Path::to_path_buf).unwrap_or_default(),
            line,
            reason,
        };
        io::Error::new(io::ErrorKind::InvalidData, e.to_string())
    })
}

/// The first problem in the shared config or credentials file the environment names, in one
/// sentence (file, line, reason), or `None` when both read (or are absent). For the TUI's start
/// and `ecrp ls`, where the SDK itself only says "could not parse profile file".
pub fn shared_files_problem() -> Option<String> {
    list_profiles().err().map(|e| e.to_string())
}

fn read_optional(path: Option<&Path>) -> io::Result<Option<String>> {
    let Some(path) = path else { return Ok(None) };
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
    }
}

/// Precedence as aws-config resolves a profile: a role to assume first, then SSO, then an external
/// process, then static keys.
fn kind_of(props: &BTreeMap<String, String>) -> ProfileKind {
    let has = |k: &str| props.get(k).is_some_and(|v| !v.is_empty());
    if has("role_arn") {
        ProfileKind::AssumeRole
    } else if has("sso_session") || has("sso_start_url") {
        ProfileKind::Sso
    } else if has("credential_process") {
        ProfileKind::CredentialProcess
    } else if has("aws_access_key_id") {
        ProfileKind::StaticKeys
    } else {
        ProfileKind::Unknown
    }
}

type Section = (String, BTreeMap<String, String>);

/// The AWS shared-file INI dialect: `[section]`, `key = value`, `#`/`;` comments, and indented
/// continuation lines (sub-properties such as `s3 =` blocks), which are skipped. Keys are
/// lower-cased, as the AWS tools treat them case-insensitively. What the SDK's parser refuses is
/// refused here too, with the 1-based line and the reason: a header without its `]`, a line
/// without `=`, a property before any section or without a name, an indented line that continues
/// nothing.
fn parse_ini(text: &str) -> Result<Vec<Section>, (usize, String)> {
    let mut sections: Vec<Section> = Vec::new();
    // Whether an indented line has a property to continue.
    let mut in_property = false;
    for (n, raw) in text.lines().enumerate() {
        let fail = |reason: &str| Err((n + 1, reason.to_string()));
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            // A comment may follow the header without a space before it.
            let rest = rest.split(['#', ';']).next().unwrap_or("").trim_end();
            let Some(name) = rest.strip_suffix(']') else {
                return fail("a section header must end with ']', as in [profile NAME]");
            };
            sections.push((name.to_string(), BTreeMap::new()));
            in_property = false;
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            if sections.is_empty() {
                return fail("a property before any [section] header");
            }
            if !in_property {
                return fail("an indented line that continues no property");
            }
            continue;
        }
        let Some((_, props)) = sections.last_mut() else {
            return fail("a property before any [section] header");
        };
        let Some((k, v)) = trimmed.split_once('=') else {
            return fail("expected `name = value`: the line has no '='");
        };
        if k.trim().is_empty() {
            return fail("a property without a name before its '='");
        }
        in_property = true;
        {
            let v = v.trim();
            // Inline comments need whitespace before them, as in botocore.
            let v = v
                .find(" #")
                .or_else(|| v.find(" ;"))
                .map_or(v, |i| v[..i].trim_end());
            props.insert(k.trim().to_ascii_lowercase(), v.to_string());
        }
    }
    Ok(sections)
}

/// `ecrp profiles`: an aligned table, `*` marking `current`.
pub fn render_table(profiles: &[ProfileInfo], current: &str) -> String {
    let width = profiles
        .iter()
        .map(|p| p.name.chars().count())
        .chain(["PROFILE".len()])
        .max()
        .unwrap_or(0);
    let mut out = format!("  {:<width$}  {:<18}  REGION\n", "PROFILE", "KIND");
    for p in profiles {
        let mark = if p.name == current { '*' } else { ' ' };
        let region = p.region.as_deref().unwrap_or("-");
        out.push_str(&format!(
            "{mark} {:<width$}  {:<18}  {region}\n",
            p.name,
            p.kind.to_string()
        ));
    }
    out
}

/// An error and what to do about it, for the command-line tools: printed as two lines, each
/// one sentence (the error's own line breaks, as in the SDK's "no credentials found in chain.
/// Attempted: …", are joined), so the advice never runs into the error.
#[derive(Debug)]
pub struct Advised {
    pub error: String,
    pub advice: String,
}

impl std::fmt::Display for Advised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\n{}", one_line(&self.error), one_line(&self.advice))
    }
}

impl std::error::Error for Advised {}

/// Text on one line: its lines trimmed and joined by a space.
pub fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A sentence that tells the user what to run when credentials for `profile` could not be used,
/// or `None` when the error is not about credentials.
pub fn explain_aws_error(profile: &str, err: &AwsError) -> Option<String> {
    explain_credentials_error(
        profile,
        &format!("{} {} {}", err.code, err.message, err.detail),
    )
}

/// Whether `err` says there are no credentials at all (as opposed to expired, rejected or
/// misconfigured ones): then browsing without them is what is left to offer.
pub fn no_credentials_at_all(err: &AwsError) -> bool {
    err.code == "CredentialsError"
        && missing(&format!("{} {}", err.message, err.detail).to_ascii_lowercase())
}

/// `e` (lower case) says no credential provider found anything.
fn missing(e: &str) -> bool {
    [
        "no providers in chain provided credentials",
        "the credential provider was not enabled",
        "did not contain credential information",
        "unable to locate credentials",
        "no credentials",
    ]
    .iter()
    .any(|n| e.contains(n))
        || (e.contains("loading credentials") && e.contains("imds"))
}

/// As `explain_aws_error`, from error text (the full `DisplayErrorContext` chain works best).
pub fn explain_credentials_error(profile: &str, error: &str) -> Option<String> {
    let e = error.to_ascii_lowercase();
    let any = |needles: &[&str]| needles.iter().any(|n| e.contains(n));
    let p = profile;
    if any(&[
        "sso token has expired",
        "failed to load the cached sso token",
        "cached sso token",
        "session token not found or invalid",
        "token has expired and refresh failed",
        "sso oidc createtoken",
        "sso/cache",
    ]) {
        return Some(format!(
            "the SSO session for profile {p} has expired or was never started: run `aws sso login --profile {p}`"
        ));
    }
    if any(&["sso-session named", "has invalid sso config"]) {
        return Some(format!(
            "the SSO settings of profile {p} are incomplete: run `aws configure sso --profile {p}`"
        ));
    }
    if e.contains("credential_process") || e.contains("external process") {
        return Some(format!(
            "the credential_process of profile {p} failed: run that command by hand to see why"
        ));
    }
    if any(&["was not defined", "profile formed an infinite loop"])
        || e.contains("could not find source profile")
    {
        return Some(format!(
            "profile {p} is not defined, or its source_profile is not: check {} and {} (`aws configure list-profiles`)",
            display_or(config_file_path(), "~/.aws/config"),
            display_or(credentials_file_path(), "~/.aws/credentials")
        ));
    }
    if e.contains("sts:assumerole") || (e.contains("assumerole") && e.contains("accessdenied")) {
        return Some(format!(
            "profile {p} is not allowed to assume its role_arn: check the role's trust policy and the source profile"
        ));
    }
    if any(&[
        "expiredtoken",
        "security token included in the request is expired",
        "request has expired",
    ]) {
        return Some(format!(
            "the temporary credentials of profile {p} have expired: renew them (`aws sso login --profile {p}`, or the tool that wrote them)"
        ));
    }
    if any(&[
        "unrecognizedclient",
        "security token included in the request is invalid",
        "invalidclienttokenid",
        "signaturedoesnotmatch",
        "invalidsignature",
    ]) {
        return Some(format!(
            "AWS rejected the credentials of profile {p}: check the access key with `aws sts get-caller-identity --profile {p}`"
        ));
    }
    if missing(&e) {
        // The chain ends with IMDS, so off EC2 "nothing found anywhere" reads as an IMDS failure.
        return Some(format!(
            "no AWS credentials found for profile {p} (`ecrp profiles` lists the defined ones): run \
             `aws configure --profile {p}` (access keys) or `aws configure sso --profile {p}`, or set \
             AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        ));
    }
    None
}

fn display_or(p: Option<PathBuf>, fallback: &str) -> String {
    p.map(|p| p.display().to_string())
        .unwrap_or_else(|| fallback.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_skips_comments_and_sub_properties() {
        let s = parse_ini(
            "# c\n[profile a]\nregion = eu-west-1 # inline\ns3 =\n  max_concurrent_requests = 2\nRole_Arn=x\n",
        )
        .unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].1.get("region").unwrap(), "eu-west-1");
        assert_eq!(s[0].1.get("role_arn").unwrap(), "x");
        assert!(!s[0].1.contains_key("max_concurrent_requests"));
    }

    #[test]
    fn what_the_sdk_refuses_is_refused_with_its_line() {
        let bad = |t: &str| parse_ini(t).unwrap_err();
        assert_eq!(bad("[default]\nregion = x\n[profile b\nregion = y\n").0, 3);
        assert!(bad("[profile b\n").1.contains("must end with ']'"));
        assert_eq!(bad("region = x\n").0, 1);
        assert!(bad("[a]\njunk\n").1.contains("no '='"));
        assert!(bad("[a]\n= v\n").1.contains("without a name"));
        assert!(bad("[a]\n  x = 1\n").1.contains("continues no property"));
        assert!(parse_ini("[a] # note\nk = v\n").is_ok());
    }
}
