//! The connection as `connect` will resolve it, guessed from local sources only (the options, the
//! environment, the shared config file): no client is built and nothing is sent, so the TUI can
//! read the listing cache at start in parallel with building the client. The guess only picks
//! rows to show meanwhile: `Connected` brings the resolved connection, and rows read under
//! another scope are dropped then.

use std::borrow::Cow;

use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

use super::{ClientOptions, ConnectionInfo, DEFAULT_REGION};

/// `None` when the shared config file cannot be read or names per-service endpoints (`services`),
/// which only the SDK resolves: then no guess, and the cache is read once connected.
pub async fn local_info(opts: &ClientOptions) -> Option<ConnectionInfo> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let profile = opts
        .profile
        .clone()
        .or_else(|| env("AWS_PROFILE"))
        .unwrap_or_else(|| "default".into());
    let files = aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &EnvConfigFiles::default(),
        Some(Cow::Owned(profile.clone())),
    )
    .await
    .ok()?;
    let section = files.get_profile(&profile);
    let setting = |k: &str| {
        section
            .and_then(|p| p.get(k))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    if setting("services").is_some() {
        return None;
    }
    // The order `connect` resolves them in: the options, the environment, the profile.
    let region = opts
        .region
        .clone()
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .or_else(|| setting("region"))
        .unwrap_or_else(|| DEFAULT_REGION.into());
    let endpoint = opts
        .endpoint_url
        .clone()
        .filter(|u| !u.is_empty())
        .or_else(|| env("AWS_ENDPOINT_URL_ECR_PUBLIC"))
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .or_else(|| setting("endpoint_url"));
    Some(ConnectionInfo {
        profile,
        region,
        endpoint,
    })
}
