//! The HTTP side: `POST /` with `X-Amz-Target: SpencerFrontendService.<Op>` (awsJson1.1), and
//! `GET /logo/<hash>` serving the logos catalog data points at.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State as AxState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use parking_lot::Mutex;
use serde_json::Value;

use super::catalog;
use super::ctx::{Ctx, now_ms};
use super::error::ApiError;
use super::input::Input;
use super::limits::MAX_REQUEST_BYTES;
use super::ops;
use super::persist;
use super::state::State;

pub const TARGET_PREFIX: &str = "SpencerFrontendService.";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

pub struct Shared {
    pub state: Mutex<State>,
    pub counts: Mutex<BTreeMap<String, u64>>,
    pub state_file: Option<PathBuf>,
    pub base_url: String,
    /// Fixed time for every request (EmulatorOptions::clock), else the system clock.
    pub clock_ms: Option<i64>,
}

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", post(api))
        .route("/logo/{hash}", get(logo))
        .fallback(not_found)
        .with_state(shared)
}

fn respond(status: u16, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
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
    respond(e.status, &e.body())
}

/// The access key id from a SigV4 Authorization header, if the header has that form.
fn access_key(headers: &HeaderMap) -> Option<String> {
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let rest = auth.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let cred = rest
        .split(',')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("Credential="))?;
    let key = cred.split('/').next()?;
    (!key.is_empty()).then(|| key.to_string())
}

async fn api(AxState(shared): AxState<Arc<Shared>>, headers: HeaderMap, body: Body) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let op_name = target.strip_prefix(TARGET_PREFIX).unwrap_or("");
    if !op_name.is_empty() {
        *shared.counts.lock().entry(op_name.to_string()).or_insert(0) += 1;
    }
    let Some(access_key) = access_key(&headers) else {
        return error(&ApiError::new(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let Some(op) = ops::find(op_name) else {
        tracing::debug!(target, "unknown operation");
        return error(&ApiError::new(
            "UnknownOperationException",
            "The requested operation is not recognized",
        ));
    };
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_REQUEST_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(op = op.name, "request body refused: {e}");
            return error(&ApiError::new(
                "RequestEntityTooLargeException",
                format!(
                    "Request body is larger than {MAX_REQUEST_BYTES} bytes or could not be read"
                ),
            ));
        }
    };
    let input = match Input::parse(&bytes) {
        Ok(i) => i,
        Err(e) => return error(&e),
    };
    let ctx = Ctx {
        now_ms: shared.clock_ms.unwrap_or_else(now_ms),
        base_url: shared.base_url.clone(),
        access_key,
    };
    // A panicking handler answers 500 and leaves the server (and the unpoisoned lock) usable.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut state = shared.state.lock();
        let result = (op.handler)(&mut state, &input, &ctx);
        if result.is_ok()
            && op.mutates
            && let Some(path) = &shared.state_file
        {
            // Persist before answering: an acknowledged write survives a crash.
            if let Err(e) = persist::save(path, &state) {
                tracing::error!(op = op.name, "saving state failed: {e:#}");
                return Err(ApiError::new(
                    "ServerException",
                    "The change could not be saved",
                ));
            }
        }
        result
    }));
    match outcome {
        Ok(Ok(value)) => {
            tracing::debug!(op = op.name, "ok");
            respond(200, &value)
        }
        Ok(Err(e)) => {
            tracing::debug!(op = op.name, code = e.code, "{}", e.message);
            error(&e)
        }
        Err(_) => {
            tracing::error!(op = op.name, "handler panicked");
            error(&ApiError::new("ServerException", "Internal server error"))
        }
    }
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
