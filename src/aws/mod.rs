//! The client layer: one `aws-sdk-ecrpublic` client built from aws-config's default chain, compact
//! row types for the panes, paged loads as cancellable streams, and every single-call operation.
//!
//! `--demo` and the tests only change the endpoint (and use static dummy credentials); the code path
//! is the same HTTP one used against AWS.

mod error;
mod load;
mod ops;
mod push;
mod rows;

use std::time::Duration;

use aws_config::environment::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_sdk_ecrpublic::Client;

pub use error::AwsError;
pub use load::{Page, PageStream, collect_all};
pub use ops::{DELETE_CHUNK, DeleteOutcome, DeleteReport, PolicyText};
pub use push::{PushTarget, PutOutcome};
pub use rows::*;

/// The region that serves the ECR Public API; AWS documents us-east-1 as the one to use.
pub const DEFAULT_REGION: &str = "us-east-1";
/// Page size for every paginated load: the service maximum, so 100,000 images take 100 calls.
pub const PAGE_SIZE: i32 = 1000;
/// Access key the built-in emulator is given in `--demo` and tests (the emulator accepts any key
/// unless `--verify-sigv4` is set).
pub const DEMO_ACCESS_KEY: &str = "AKIDECRPDEMO00000000";
pub const DEMO_SECRET_KEY: &str = "ecrp-demo-secret-key-not-a-real-secret";

/// Where to connect and as whom.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Static credentials instead of the default chain (demo and tests).
    pub static_credentials: Option<(String, String)>,
}

impl ClientOptions {
    /// Options for the built-in emulator at `url`: dummy static credentials, us-east-1.
    pub fn for_emulator(url: &str) -> Self {
        ClientOptions {
            profile: None,
            region: Some(DEFAULT_REGION.into()),
            endpoint_url: Some(url.into()),
            static_credentials: Some((DEMO_ACCESS_KEY.into(), DEMO_SECRET_KEY.into())),
        }
    }
}

/// What the header shows about the connection, resolved once the SDK config is loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionInfo {
    pub profile: String,
    pub region: String,
    /// Set when the endpoint is not AWS's own.
    pub endpoint: Option<String>,
}

/// Build the SDK client. Loading reads the shared config files but never fetches credentials: those
/// are resolved lazily on the first request, so this never delays the first frame for long.
pub async fn connect(opts: &ClientOptions) -> (Client, ConnectionInfo) {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config())
        .timeout_config(timeout_config());
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    match &opts.region {
        Some(r) => loader = loader.region(Region::new(r.clone())),
        // The environment, then the profile, then us-east-1. Deliberately not IMDS: ECR Public's API
        // lives in us-east-1 whatever region an instance runs in, and probing IMDS off EC2 stalls.
        None => {
            let mut profile = aws_config::profile::ProfileFileRegionProvider::builder();
            if let Some(p) = &opts.profile {
                profile = profile.profile_name(p);
            }
            loader = loader.region(
                RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
                    .or_else(profile.build())
                    .or_else(Region::new(DEFAULT_REGION)),
            );
        }
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some((ak, sk)) = &opts.static_credentials {
        loader = loader.credentials_provider(Credentials::new(ak, sk, None, None, "ecrp-static"));
    }
    let sdk = loader.load().await;
    // Without any region configured anywhere, fall back to the one region that serves the API.
    let region = sdk
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| DEFAULT_REGION.to_string());
    let mut conf = aws_sdk_ecrpublic::config::Builder::from(&sdk);
    if sdk.region().is_none() {
        conf = conf.region(Region::new(DEFAULT_REGION));
    }
    let info = ConnectionInfo {
        profile: opts
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok())
            .unwrap_or_else(|| "default".into()),
        region,
        endpoint: opts
            .endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL_ECR_PUBLIC").ok())
            .or_else(|| sdk.endpoint_url().map(str::to_string))
            .filter(|u| !u.is_empty()),
    };
    (Client::from_conf(conf.build()), info)
}

/// Standard retry mode: exponential backoff with jitter, throttling and 5xx retried, 5 attempts.
fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(5)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(5))
}

/// Connect quickly to notice an unreachable endpoint; give a single attempt enough time for a
/// 1,000-row page on a slow link.
fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(30))
        .operation_attempt_timeout(Duration::from_secs(30))
        .operation_timeout(Duration::from_secs(120))
        .build()
}

/// The app's handle on ECR Public. Cheap to clone (the SDK client is an `Arc`).
///
/// Every mutating method checks `read_only` before a request is built, so read-only mode is
/// enforced where effects run, not by hiding keys.
#[derive(Clone, Debug)]
pub struct Api {
    client: Client,
    read_only: bool,
    page_size: i32,
    /// The registry DescribeImages and BatchDeleteImage address; `None` = the caller's default.
    registry_id: Option<String>,
}

impl Api {
    pub fn new(client: Client, read_only: bool) -> Self {
        Api {
            client,
            read_only,
            page_size: PAGE_SIZE,
            registry_id: None,
        }
    }

    /// Address another registry (an account id) in image listings and deletions.
    pub fn with_registry_id(mut self, id: Option<String>) -> Self {
        self.registry_id = id;
        self
    }

    /// Rows per page for paginated loads (the config's `page_size`), clamped to the service's
    /// 1–1,000.
    pub fn with_page_size(mut self, n: u32) -> Self {
        self.page_size = n.clamp(1, PAGE_SIZE as u32) as i32;
        self
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn read_only(&self) -> bool {
        self.read_only
    }

    fn guard(&self, op: &'static str) -> Result<(), AwsError> {
        if self.read_only {
            Err(AwsError::read_only(op))
        } else {
            Ok(())
        }
    }
}
