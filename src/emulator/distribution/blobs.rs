//! `GET`/`HEAD /v2/<name>/blobs/<digest>`: configs and layers, streamed from the blob store.
//! With `--blob-redirect HOST`, GETs answer 307 to `http://HOST:PORT/_blobs/<digest>` with a
//! signed, expiring query, as ECR hands layers to its storage; that endpoint refuses a request
//! that also carries an Authorization header (as S3 refuses two authentication mechanisms), so a
//! client leaking its bearer token to the storage host fails visibly.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::io::AsyncReadExt;

use super::errors::{RegError, RegResult};
use super::manifests::header_value;
use super::{Shared, now_ms, resolve};
use crate::emulator::blobstore::BlobBody;
use crate::emulator::validate;

/// Lifetime of a redirect URL (ECR's presigned layer URLs last minutes, not hours).
const REDIRECT_TTL_SECS: i64 = 600;
const CHUNK: usize = 64 * 1024;

fn check_digest(digest: &str) -> RegResult<()> {
    if validate::is_image_digest(digest) {
        Ok(())
    } else {
        Err(RegError::digest_invalid(
            "the digest is not sha256 followed by 64 hex digits",
        ))
    }
}

pub async fn get(
    shared: &Arc<Shared>,
    name: &str,
    digest: &str,
    head: bool,
) -> RegResult<Response> {
    check_digest(digest)?;
    let (body, len, keys) = {
        let state = shared.state.lock();
        let repo = state
            .repo(resolve(&state, name)?)
            .map_err(|_| RegError::name_unknown(name))?;
        if !repo.layers.contains_key(digest) {
            return Err(RegError::blob_unknown(digest));
        }
        let (body, len) = state
            .blobs
            .get(digest)
            .ok_or_else(|| RegError::blob_unknown(digest))?;
        (body, len, state.auth.clone())
    };
    if let (Some(host), false) = (&shared.registry.config.blob_redirect, head) {
        let port = super::listening(shared).rsplit(':').next().unwrap_or("80");
        let exp = now_ms() / 1000 + REDIRECT_TTL_SECS;
        let sig = keys.seal("blob", &format!("{digest}|{exp}"));
        let url = format!("http://{host}:{port}/_blobs/{digest}?expires={exp}&signature={sig}");
        let mut resp = StatusCode::TEMPORARY_REDIRECT.into_response();
        resp.headers_mut()
            .insert(header::LOCATION, header_value(&url));
        resp.headers_mut()
            .insert("docker-content-digest", header_value(digest));
        return Ok(resp);
    }
    serve(body, len, digest, head).await
}

async fn serve(body: BlobBody, len: u64, digest: &str, head: bool) -> RegResult<Response> {
    let body = match (head, body) {
        (true, _) => Body::empty(),
        (false, BlobBody::Mem(bytes)) => Body::from(bytes),
        (false, BlobBody::File(path)) => {
            let file = tokio::fs::File::open(&path).await.map_err(|e| {
                tracing::error!("opening blob {}: {e}", path.display());
                RegError::server("reading the blob")
            })?;
            // Read in chunks as the client takes them; a read error ends the stream (the client
            // sees a short body and its digest check fails).
            let stream = futures::stream::unfold(Some(file), |file| async move {
                let mut file = file?;
                let mut buf = vec![0u8; CHUNK];
                match file.read(&mut buf).await {
                    Ok(0) => None,
                    Ok(n) => {
                        buf.truncate(n);
                        Some((Ok::<_, std::io::Error>(Bytes::from(buf)), Some(file)))
                    }
                    Err(e) => Some((Err(e), None)),
                }
            });
            Body::from_stream(stream)
        }
    };
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert("docker-content-digest", header_value(digest));
    h.insert(header::ETAG, header_value(&format!("\"{digest}\"")));
    Ok(resp)
}

/// The redirect target: `/_blobs/<digest>?expires=..&signature=..`.
pub async fn signed(
    AxState(shared): AxState<Arc<Shared>>,
    method: Method,
    Path(digest): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let outcome = async {
        if headers.contains_key(header::AUTHORIZATION) {
            return Err(RegError::new(
                400,
                "UNSUPPORTED",
                "only one authentication mechanism is allowed: the signed URL, not an Authorization header",
            ));
        }
        check_digest(&digest)?;
        let denied = || RegError::denied("the signed URL is invalid or has expired");
        let (exp, sig) = (q.get("expires").ok_or_else(denied)?, q.get("signature").ok_or_else(denied)?);
        let (body, len) = {
            let state = shared.state.lock();
            let payload = state.auth.open("blob", sig).ok_or_else(denied)?;
            let expected = format!("{digest}|{exp}");
            let alive = exp.parse::<i64>().is_ok_and(|e| now_ms() / 1000 < e);
            if payload != expected || !alive {
                return Err(denied());
            }
            state.blobs.get(&digest).ok_or_else(|| RegError::blob_unknown(&digest))?
        };
        serve(body, len, &digest, method == Method::HEAD).await
    }
    .await;
    outcome.unwrap_or_else(IntoResponse::into_response)
}
