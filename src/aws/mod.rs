//! The client layer: one `aws-sdk-ecrpublic` client built from aws-config's default chain, compact
//! row types for the panes, paged loads as cancellable streams, and every single-call operation.
//!
//! `--demo` and the tests only change the endpoint (and use static dummy credentials); the code path
//! is the same HTTP one used against AWS.

mod error;
mod guard;
mod load;
mod local;
mod ops;
mod push;
mod rows;

use std::sync::Arc;
use std::time::Duration;

use aws_config::environment::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_sdk_ecrpublic::Client;

pub use error::{AwsError, INVALID_RESPONSE, PAGINATION_LOOP, RESPONSE_TOO_LARGE, TOO_MANY_ROWS};
pub use guard::{MAX_RESPONSE_BYTES, ResponseTooLarge};
pub use load::{MAX_EMPTY_PAGES, MAX_LISTING_ROWS, MAX_TOKEN_BYTES, Page, PageStream, collect_all};
pub use local::local_info;
pub use ops::{DELETE_CHUNK, DeleteOutcome, DeleteReport, PolicyText};
pub use push::{PushTarget, PutOutcome};
pub use rows::*;

/// BatchDeleteImage calls in flight during a bulk delete (the TUI's and `ecrp prune`'s): enough to
/// hide the round trip, few enough not to provoke throttling.
pub const DELETE_CONCURRENCY: usize = 8;

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
    /// How long a request may take (the config file's `*_timeout_seconds`).
    pub timeouts: Timeouts,
    /// Where the registry API of public.ecr.aws is reached instead (`--registry-url`; the
    /// emulator serves both planes on one address), for `:open` and retag.
    pub registry_url: Option<String>,
}

/// Every request ends: an endpoint that accepts the connection and then stalls, or trickles its
/// answer, fails the attempt instead of holding a pane (or `ecrp ls`) forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the TCP (and TLS) connection.
    pub connect: Duration,
    /// Waiting for the response to start once the request is sent.
    pub read: Duration,
    /// One attempt, body included: what ends a body that trickles or never ends.
    pub attempt: Duration,
    /// The whole call, retries and their backoff included.
    pub operation: Duration,
}

impl Default for Timeouts {
    /// Connect quickly to notice an unreachable endpoint; give a single attempt enough time for a
    /// 1,000-row page on a slow link.
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            read: Duration::from_secs(30),
            attempt: Duration::from_secs(30),
            operation: Duration::from_secs(120),
        }
    }
}

impl Timeouts {
    fn config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .read_timeout(self.read)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }
}

impl ClientOptions {
    /// Options for the built-in emulator at `url`: dummy static credentials, us-east-1.
    pub fn for_emulator(url: &str) -> Self {
        ClientOptions {
            profile: None,
            region: Some(DEFAULT_REGION.into()),
            endpoint_url: Some(url.into()),
            static_credentials: Some((DEMO_ACCESS_KEY.into(), DEMO_SECRET_KEY.into())),
            timeouts: Timeouts::default(),
            registry_url: Some(url.into()),
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
        .timeout_config(opts.timeouts.config());
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
    let mut conf = aws_sdk_ecrpublic::config::Builder::from(&sdk).interceptor(guard::BodyCap {
        limit: MAX_RESPONSE_BYTES,
    });
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
    /// Where requests go, for messages about a misbehaving endpoint.
    endpoint: Arc<str>,
}

impl Api {
    pub fn new(client: Client, read_only: bool) -> Self {
        // AWS's own endpoint unless `with_endpoint` names another.
        let endpoint = format!(
            "https://api.ecr-public.{}.amazonaws.com",
            client
                .config()
                .region()
                .map_or(DEFAULT_REGION, |r| r.as_ref())
        );
        Api {
            client,
            read_only,
            page_size: PAGE_SIZE,
            registry_id: None,
            endpoint: endpoint.into(),
        }
    }

    /// The endpoint the client was pointed at (`ConnectionInfo::endpoint`), for messages.
    pub fn with_endpoint(mut self, url: Option<&str>) -> Self {
        if let Some(url) = url {
            self.endpoint = url.into();
        }
        self
    }

    /// The endpoint's URL, as messages name it.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
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
