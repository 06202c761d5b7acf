//! The registry API (OCI Distribution Specification, "Docker Registry HTTP API V2") on the same
//! address as the ECR Public API, as public.ecr.aws serves both, over the same store: an image
//! pushed through either plane is visible through the other.
//!
//! Names are `<registry alias>/<repository>` (`acme/ci/builds`). Every request needs a bearer
//! token from `GET /token/` (anonymous tokens pull; tokens from Basic `AWS:<password>` also push).

pub mod auth;
mod blobs;
mod errors;
mod manifests;
mod paths;
mod ratelimit;
mod tags;
mod uploads;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, RawQuery, Request, State as AxState};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use parking_lot::Mutex;

use super::faults::Conn;
use super::server::Shared;
use super::state::State;
pub use errors::{RegError, RegResult};
use paths::Route;
pub use ratelimit::RateSpec;

/// Registry-side options (`ecrp emulator --blob-redirect`, `--registry-rate`).
#[derive(Debug, Clone)]
pub struct Config {
    /// Blob GETs answer 307 to this host (same port) at a signed, expiring URL, as ECR hands
    /// layers to its storage; clients must follow it without sending their token.
    pub blob_redirect: Option<String>,
    /// Pull rate limits per client; none by default.
    pub rate: Option<RateSpec>,
    /// An upload untouched this long is abandoned and its bytes removed.
    pub upload_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            blob_redirect: None,
            rate: None,
            upload_timeout: Duration::from_secs(30 * 60),
        }
    }
}

#[derive(Default)]
pub struct Registry {
    pub config: Config,
    uploads: Mutex<HashMap<String, uploads::Session>>,
    limiter: ratelimit::Limiter,
}

impl Registry {
    pub fn new(config: Config) -> Self {
        Registry {
            config,
            ..Default::default()
        }
    }
}

pub fn routes(router: Router<Arc<Shared>>) -> Router<Arc<Shared>> {
    router
        .route("/v2", any(base))
        .route("/v2/", any(base))
        .route("/v2/{*rest}", any(dispatch))
        .route("/token", get(token))
        .route("/token/", get(token))
        .route("/_blobs/{digest}", any(blobs::signed))
}

fn listening(shared: &Shared) -> &str {
    shared
        .base_url
        .strip_prefix("http://")
        .unwrap_or(&shared.base_url)
}

fn now_ms() -> i64 {
    // Tokens are checked against the real clock even with a fixed `--clock`: clients hold them
    // in real time.
    super::ctx::now_ms()
}

/// What the request's bearer token allows; 401 with the challenge without a valid one.
fn access(shared: &Shared, headers: &HeaderMap, scope: &str) -> RegResult<auth::Access> {
    let challenge = || auth::challenge(&auth::realm(headers, listening(shared)), scope);
    let Some(token) = auth::bearer(headers) else {
        return Err(RegError::unauthorized(
            challenge(),
            "authentication required",
        ));
    };
    let keys = shared.state.lock().auth.clone();
    keys.check_token(token, now_ms())
        .map_err(|why| RegError::unauthorized(challenge(), why))
}

async fn base(AxState(shared): AxState<Arc<Shared>>, headers: HeaderMap) -> Response {
    match access(&shared, &headers, "aws") {
        Ok(_) => (StatusCode::OK, [("content-type", "application/json")], "{}").into_response(),
        Err(e) => e.into_response(),
    }
}

async fn token(
    AxState(shared): AxState<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let keys = shared.state.lock().auth.clone();
    let now = now_ms();
    let push = match auth::basic_password(&headers) {
        None => false,
        Some(Ok(pw)) if keys.check_password(&pw, now) => true,
        Some(_) => {
            let challenge = auth::challenge(&auth::realm(&headers, listening(&shared)), "aws");
            return RegError::unauthorized(
                challenge,
                "the credentials are not AWS:<password from GetAuthorizationToken>, or it expired",
            )
            .into_response();
        }
    };
    let scopes: Vec<String> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == "scope")
        .flat_map(|(_, v)| v.split(' ').map(str::to_string).collect::<Vec<_>>())
        .collect();
    let token = keys.token(
        push,
        &auth::push_scopes(scopes.iter().map(String::as_str)),
        now,
    );
    let body = serde_json::json!({
        "token": token,
        "access_token": token,
        "expires_in": keys.ttl_secs,
        "issued_at": super::content::rfc3339(now),
    });
    ([("content-type", "application/json")], body.to_string()).into_response()
}

/// The repository a registry name designates: the alias must be this registry's and the
/// repository must exist.
fn resolve<'a>(state: &State, name: &'a str) -> RegResult<&'a str> {
    let (alias, repo) = name
        .split_once('/')
        .ok_or_else(|| RegError::name_unknown(name))?;
    let known_alias = state.registry.aliases.iter().any(|a| a.name == alias);
    if !known_alias || !state.repos.contains_key(repo) {
        return Err(RegError::name_unknown(name));
    }
    Ok(repo)
}

/// Saves the state after a registry-side mutation (when the emulator keeps it).
fn persist(shared: &Shared, state: &mut State) -> RegResult<()> {
    if let Err(e) = shared.persistence.save(state, true) {
        tracing::error!("saving state failed: {e:#}");
        return Err(RegError::server("saving the change"));
    }
    Ok(())
}

fn client_key(access: &auth::Access, req: &Request) -> String {
    if access.push {
        return format!("token {}", access.id);
    }
    match req.extensions().get::<ConnectInfo<Conn>>() {
        Some(ConnectInfo(conn)) => format!("addr {}", conn.peer.ip()),
        None => "addr unknown".into(),
    }
}

async fn dispatch(AxState(shared): AxState<Arc<Shared>>, req: Request) -> Response {
    match route(&shared, req).await {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!(code = e.code, status = e.status, "registry request refused");
            e.into_response()
        }
    }
}

async fn route(shared: &Arc<Shared>, req: Request) -> RegResult<Response> {
    let route = paths::parse(req.uri().path())?;
    let method = req.method().clone();
    let pull = method == Method::GET || method == Method::HEAD;
    let name = route.name().to_string();
    let scope = if pull {
        format!("repository:{name}:pull")
    } else {
        format!("repository:{name}:pull,push")
    };
    let access = access(shared, req.headers(), &scope)?;
    if pull {
        if let Some(spec) = &shared.registry.config.rate {
            let key = client_key(&access, &req);
            shared.registry.limiter.check(spec, access.push, &key)?;
        }
    } else if !access.push {
        return Err(RegError::denied(
            "anonymous tokens may only pull: log in with AWS:<password from GetAuthorizationToken> to push",
        ));
    } else if !access.may_push(&name) {
        return Err(RegError::denied(&format!(
            "the token was not issued to push to {name}: ask the token endpoint for scope \
             repository:{name}:pull,push"
        )));
    }
    match (route, method) {
        (Route::Manifest { reference, .. }, m) if m == Method::GET || m == Method::HEAD => {
            manifests::get(shared, &name, &reference, req.headers(), m == Method::HEAD)
        }
        (Route::Manifest { reference, .. }, Method::PUT) => {
            manifests::put(shared, &name, &reference, req).await
        }
        (Route::Blob { digest, .. }, m) if m == Method::GET || m == Method::HEAD => {
            blobs::get(shared, &name, &digest, req.headers(), m == Method::HEAD).await
        }
        (Route::Tags { .. }, Method::GET) => tags::list(shared, &name, req.uri().query()),
        (Route::Upload { id, .. }, _) => uploads::handle(shared, &name, id.as_deref(), req).await,
        _ => Err(RegError::unsupported(
            405,
            "the operation is unsupported: ECR Public deletes images with BatchDeleteImage",
        )),
    }
}
