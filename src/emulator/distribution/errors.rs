//! Registry errors in the distribution spec's form: `{"errors":[{"code","message","detail"}]}`
//! with the status the spec gives each code. 401s carry the Bearer challenge so clients know
//! where to get a token; 429s carry Retry-After.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(Debug)]
pub struct RegError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub detail: Option<Value>,
    /// `WWW-Authenticate` value for 401s.
    pub challenge: Option<String>,
    pub retry_after: Option<u64>,
}

pub type RegResult<T> = Result<T, RegError>;

impl RegError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        RegError {
            status,
            code,
            message: message.into(),
            detail: None,
            challenge: None,
            retry_after: None,
        }
    }
    pub fn detail(mut self, detail: Value) -> Self {
        self.detail = Some(detail);
        self
    }
    pub fn name_unknown(name: &str) -> Self {
        Self::new(404, "NAME_UNKNOWN", "repository name not known to registry")
            .detail(json!({ "name": name }))
    }
    pub fn name_invalid(why: &str) -> Self {
        Self::new(
            400,
            "NAME_INVALID",
            format!("invalid repository name: {why}"),
        )
    }
    pub fn manifest_unknown(reference: &str) -> Self {
        Self::new(404, "MANIFEST_UNKNOWN", "manifest unknown")
            .detail(json!({ "reference": reference }))
    }
    pub fn manifest_invalid(why: impl Into<String>) -> Self {
        Self::new(400, "MANIFEST_INVALID", why)
    }
    pub fn blob_unknown(digest: &str) -> Self {
        Self::new(404, "BLOB_UNKNOWN", "blob unknown to registry")
            .detail(json!({ "digest": digest }))
    }
    pub fn digest_invalid(why: impl Into<String>) -> Self {
        Self::new(400, "DIGEST_INVALID", why)
    }
    pub fn upload_unknown() -> Self {
        Self::new(
            404,
            "BLOB_UPLOAD_UNKNOWN",
            "blob upload unknown to registry",
        )
    }
    pub fn unauthorized(challenge: String, why: &str) -> Self {
        RegError {
            challenge: Some(challenge),
            ..Self::new(401, "UNAUTHORIZED", why)
        }
    }
    pub fn denied(why: &str) -> Self {
        Self::new(403, "DENIED", why)
    }
    pub fn unsupported(status: u16, why: &str) -> Self {
        Self::new(status, "UNSUPPORTED", why)
    }
    pub fn server(what: &str) -> Self {
        Self::new(500, "UNKNOWN", format!("{what} failed on the server"))
    }
}

impl IntoResponse for RegError {
    fn into_response(self) -> Response {
        let mut entry = json!({ "code": self.code, "message": self.message });
        if let Some(d) = self.detail {
            entry["detail"] = d;
        }
        let body = serde_json::to_vec(&json!({ "errors": [entry] })).unwrap_or_default();
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        // The challenge's host part was checked by `auth::realm`; it is plain ASCII.
        if let Some(c) = self.challenge
            && let Ok(v) = HeaderValue::from_str(&c)
        {
            h.insert(header::WWW_AUTHENTICATE, v);
        }
        if let Some(secs) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}
