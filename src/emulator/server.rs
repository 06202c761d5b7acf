//! The HTTP side: `POST /` with `X-Amz-Target: SpencerFrontendService.<Op>` (awsJson1.1), and
//! `GET /logo/<hash>` serving the logos catalog data points at.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Request, State as AxState};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use parking_lot::Mutex;
use serde_json::Value;

use super::catalog;
use super::ctx::{Ctx, now_ms};
use super::error::ApiError;
use super::faults::{Conn, Fault, Faults};
use super::input::Input;
use super::limits::{MAX_REQUEST_BYTES, SERVED_REGIONS};
use super::ops;
use super::persist;
use super::quota::Quotas;
use super::sigv4::{self, SigV4Key};
use super::state::State;

pub const TARGET_PREFIX: &str = "SpencerFrontendService.";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

pub struct Shared {
    pub state: Mutex<State>,
    pub counts: Mutex<BTreeMap<String, u64>>,
    /// Where a mutation is saved before it is answered.
    pub persistence: persist::Persistence,
    pub base_url: String,
    /// Fixed time for every request (EmulatorOptions::clock), else the system clock.
    pub clock_ms: Option<i64>,
    pub faults: Option<Faults>,
    /// With `--verify-sigv4`, every request's signature is checked against this key.
    pub sigv4: Option<SigV4Key>,
    /// The registry API's options and sessions (uploads, rate limits).
    pub registry: super::distribution::Registry,
    pub quotas: Quotas,
}

pub fn router(shared: Arc<Shared>) -> Router {
    super::distribution::routes(Router::new())
        .route("/", post(api))
        .route("/logo/{hash}", get(logo))
        .fallback(not_found)
        .with_state(shared)
}

fn respond(status: u16, body: &Value) -> Response {
    // Encoding a Value cannot fail (its keys are strings).
    respond_bytes(
        status,
        serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec()),
    )
}

fn respond_bytes(status: u16, bytes: Vec<u8>) -> Response {
    let mut resp = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        bytes,
    )
        .into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        h.insert("x-amzn-RequestId", id);
    }
    resp
}

fn error(e: &ApiError) -> Response {
    let mut resp = respond(e.status, &e.body());
    // AWS JSON services name the error in a header too; SDKs read either.
    resp.headers_mut()
        .insert("x-amzn-errortype", HeaderValue::from_static(e.code));
    resp
}

async fn api(AxState(shared): AxState<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let headers = &parts.headers;
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let op_name = target.strip_prefix(TARGET_PREFIX).unwrap_or("");
    if !op_name.is_empty() {
        *shared.counts.lock().entry(op_name.to_string()).or_insert(0) += 1;
    }
    // Decided before anything else so a faulted request never reaches an operation.
    if let Some(faults) = &shared.faults {
        let (fault, delay) = faults.decide();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        match fault {
            Some(Fault::Throttle) => {
                return error(&ApiError::new("ThrottlingException", "Rate exceeded"));
            }
            Some(Fault::Error) => {
                return error(&ApiError::new(
                    "ServerException",
                    "Internal server error (injected fault)",
                ));
            }
            Some(Fault::Reset) => {
                match parts.extensions.get::<ConnectInfo<Conn>>() {
                    Some(ConnectInfo(conn)) => {
                        tracing::debug!(peer = %conn.peer, op = op_name, "injected reset");
                        conn.reset();
                    }
                    None => tracing::error!("reset fault without a connection handle"),
                }
                return error(&ApiError::new("ServerException", "connection reset"));
            }
            None => {}
        }
    }
    // Signed in the Authorization header or, for a presigned request, in the query string.
    let Some((access_key, region)) = sigv4::signed_scope(&parts.uri, headers) else {
        return error(&ApiError::new(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BYTES) {
        // Refuse before reading: the body is never buffered.
        return error(&too_large());
    }
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_REQUEST_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(op = op_name, "request body refused: {e}");
            return error(&too_large());
        }
    };
    if let Some(key) = &shared.sigv4 {
        // The real clock even with a fixed one (--clock): clients sign with theirs.
        if let Err(e) = sigv4::verify(key, &parts.method, &parts.uri, headers, &bytes, now_ms()) {
            tracing::debug!(op = op_name, code = e.code, "signature refused");
            return error(&e);
        }
    }
    if !SERVED_REGIONS.contains(&region.as_str()) {
        tracing::debug!(op = op_name, %region, "region without the ECR Public API");
        return error(&ApiError::new(
            "UnsupportedCommandException",
            format!(
                "The action isn't supported in this Region ({region}); the ECR Public API is served from {}",
                SERVED_REGIONS.join(" and ")
            ),
        ));
    }
    let Some(op) = ops::find(op_name) else {
        tracing::debug!(target, "unknown operation");
        return error(&ApiError::new(
            "UnknownOperationException",
            "The requested operation is not recognized",
        ));
    };
    let input = match Input::parse(&bytes) {
        Ok(i) => i,
        Err(e) => return error(&e),
    };
    let ctx = Ctx {
        now_ms: shared.clock_ms.unwrap_or_else(now_ms),
        base_url: shared.base_url.clone(),
        access_key,
        quotas: shared.quotas,
    };
    let outcome = execute(&shared, op, &input, &ctx);
    match outcome {
        Ok(reply) => {
            tracing::debug!(op = op.name, "ok");
            match reply {
                ops::Reply::Json(value) => respond(200, &value),
                ops::Reply::Encoded(bytes) => respond_bytes(200, bytes),
            }
        }
        Err(e) => {
            tracing::debug!(op = op.name, code = e.code, "{}", e.message);
            error(&e)
        }
    }
}

/// Runs one operation under the state lock and persists a successful mutation before returning.
/// A panicking handler becomes a ServerException and leaves the server (and the lock, which
/// parking_lot does not poison) usable.
fn execute(
    shared: &Shared,
    op: &ops::Op,
    input: &Input,
    ctx: &Ctx,
) -> Result<ops::Reply, ApiError> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut state = shared.state.lock();
        let result = (op.handler)(&mut state, input, ctx);
        let mutated = result.is_ok() && op.mutates;
        // Persist before answering: an acknowledged write survives a crash.
        if let Err(e) = shared.persistence.save(&mut state, mutated) {
            tracing::error!(op = op.name, "saving state failed: {e:#}");
            return Err(ApiError::new(
                "ServerException",
                "The change could not be saved",
            ));
        }
        result
    }));
    outcome.unwrap_or_else(|_| {
        tracing::error!(op = op.name, "handler panicked");
        Err(ApiError::new("ServerException", "Internal server error"))
    })
}

fn too_large() -> ApiError {
    ApiError::new(
        "RequestEntityTooLargeException",
        format!("Request body is larger than {MAX_REQUEST_BYTES} bytes or could not be read"),
    )
}

async fn logo(AxState(shared): AxState<Arc<Shared>>, Path(hash): Path<String>) -> Response {
    match catalog::logo(&shared.state.lock(), &hash) {
        Some(l) => ([(header::CONTENT_TYPE, l.content_type)], l.bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "no such logo").into_response(),
    }
}

async fn not_found() -> Response {
    error(
        &ApiError::new(
            "UnknownOperationException",
            "The requested resource is not served here",
        )
        .with_status(404),
    )
}

impl ApiError {
    fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::testutil;
    use axum::http::HeaderMap;

    fn shared() -> Shared {
        Shared {
            state: Mutex::new(testutil::empty()),
            counts: Mutex::new(BTreeMap::new()),
            persistence: persist::Persistence::Memory,
            base_url: "http://emu".into(),
            clock_ms: None,
            faults: None,
            sigv4: None,
            registry: Default::default(),
            quotas: Quotas::default(),
        }
    }

    #[test]
    fn a_panicking_handler_answers_500_and_the_server_keeps_working() {
        let shared = shared();
        let boom = ops::Op {
            name: "Boom",
            handler: |_, _, _| panic!("handler bug"),
            mutates: true,
        };
        let ctx = Ctx {
            now_ms: testutil::T0,
            base_url: "http://emu".into(),
            access_key: "AKID".into(),
            quotas: Quotas::default(),
        };
        let input = Input::parse(b"{}").unwrap();
        let e = execute(&shared, &boom, &input, &ctx).err().unwrap();
        assert_eq!((e.code, e.status), ("ServerException", 500));
        let create = ops::find("CreateRepository").unwrap();
        let input = Input::parse(br#"{"repositoryName": "after-panic"}"#).unwrap();
        assert!(execute(&shared, create, &input, &ctx).is_ok());
        assert!(shared.state.lock().repos.contains_key("after-panic"));
    }

    #[test]
    fn access_key_and_region_come_from_a_sigv4_header_or_query() {
        let uri: axum::http::Uri = "/".parse().unwrap();
        let mut h = HeaderMap::new();
        assert_eq!(sigv4::signed_scope(&uri, &h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        assert_eq!(sigv4::signed_scope(&uri, &h), None);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=AKIDX/20260101/us-west-2/ecr-public/aws4_request, SignedHeaders=host, Signature=ab"),
        );
        assert_eq!(
            sigv4::signed_scope(&uri, &h),
            Some(("AKIDX".into(), "us-west-2".into()))
        );
        let presigned: axum::http::Uri = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDQ%2F20260101%2Feu-west-1%2Fecr-public%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ab"
            .parse()
            .unwrap();
        assert_eq!(
            sigv4::signed_scope(&presigned, &HeaderMap::new()),
            Some(("AKIDQ".into(), "eu-west-1".into()))
        );
    }
}
