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
    headers: &HeaderMap,
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
    serve(body, len, digest, headers, head).await
}

/// What a `Range` header asks of a blob of `len` bytes.
#[derive(Debug, PartialEq)]
enum Wanted {
    All,
    /// Bytes `start..=end`.
    Part(u64, u64),
    Unsatisfiable,
}

/// One `bytes=START-[END]` or `bytes=-SUFFIX` range, as containers/image sends to resume a
/// layer download. Anything else (several ranges, other units, garbage) is ignored and the
/// whole blob served, which RFC 9110 allows.
fn wanted(headers: &HeaderMap, len: u64) -> Wanted {
    let Some(spec) = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("bytes="))
    else {
        return Wanted::All;
    };
    let Some((a, b)) = spec.split_once('-').filter(|_| !spec.contains(',')) else {
        return Wanted::All;
    };
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(s), Ok(e)) if s <= e => (s, e.min(len.saturating_sub(1))),
        (Ok(s), Err(_)) if b.is_empty() => (s, len.saturating_sub(1)),
        (Err(_), Ok(n)) if a.is_empty() && n > 0 => (len.saturating_sub(n), len.saturating_sub(1)),
        (Err(_), Ok(0)) if a.is_empty() => return Wanted::Unsatisfiable,
        _ => return Wanted::All,
    };
    if start >= len {
        return Wanted::Unsatisfiable;
    }
    Wanted::Part(start, end)
}

async fn serve(
    body: BlobBody,
    len: u64,
    digest: &str,
    headers: &HeaderMap,
    head: bool,
) -> RegResult<Response> {
    let (status, start, count) = match wanted(headers, len) {
        Wanted::All => (StatusCode::OK, 0, len),
        Wanted::Part(s, e) => (StatusCode::PARTIAL_CONTENT, s, e - s + 1),
        Wanted::Unsatisfiable => {
            let mut resp = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            resp.headers_mut().insert(
                header::CONTENT_RANGE,
                header_value(&format!("bytes */{len}")),
            );
            return Ok(resp);
        }
    };
    let body = match (head, body) {
        (true, _) => Body::empty(),
        (false, BlobBody::Mem(bytes)) => {
            Body::from(bytes.slice(start as usize..(start + count) as usize))
        }
        (false, BlobBody::File(path)) => {
            let mut file = tokio::fs::File::open(&path).await.map_err(|e| {
                tracing::error!("opening blob {}: {e}", path.display());
                RegError::server("reading the blob")
            })?;
            if start > 0 {
                use tokio::io::AsyncSeekExt;
                file.seek(std::io::SeekFrom::Start(start))
                    .await
                    .map_err(|e| {
                        tracing::error!("seeking in blob {}: {e}", path.display());
                        RegError::server("reading the blob")
                    })?;
            }
            // Read in chunks as the client takes them, `count` bytes in all; a read error ends
            // the stream (the client sees a short body and its digest check fails).
            let stream = futures::stream::unfold(Some((file, count)), |state| async move {
                let (mut file, left) = state?;
                if left == 0 {
                    return None;
                }
                let mut buf = vec![0u8; CHUNK.min(left as usize)];
                match file.read(&mut buf).await {
                    Ok(0) => None,
                    Ok(n) => {
                        buf.truncate(n);
                        let rest = Some((file, left - n as u64));
                        Some((Ok::<_, std::io::Error>(Bytes::from(buf)), rest))
                    }
                    Err(e) => Some((Err(e), None)),
                }
            });
            Body::from_stream(stream)
        }
    };
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if status == StatusCode::PARTIAL_CONTENT {
        let end = start + count - 1;
        h.insert(
            header::CONTENT_RANGE,
            header_value(&format!("bytes {start}-{end}/{len}")),
        );
    }
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
        serve(body, len, &digest, &headers, method == Method::HEAD).await
    }
    .await;
    outcome.unwrap_or_else(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn ranges_as_resuming_clients_send_them() {
        assert_eq!(wanted(&HeaderMap::new(), 10), Wanted::All);
        assert_eq!(wanted(&range("bytes=4-"), 10), Wanted::Part(4, 9));
        assert_eq!(wanted(&range("bytes=0-0"), 10), Wanted::Part(0, 0));
        assert_eq!(wanted(&range("bytes=2-100"), 10), Wanted::Part(2, 9));
        assert_eq!(wanted(&range("bytes=-3"), 10), Wanted::Part(7, 9));
        assert_eq!(wanted(&range("bytes=-30"), 10), Wanted::Part(0, 9));
        assert_eq!(wanted(&range("bytes=10-"), 10), Wanted::Unsatisfiable);
        assert_eq!(wanted(&range("bytes=-0"), 10), Wanted::Unsatisfiable);
        // What is not one plain byte range is ignored: the whole blob.
        for v in [
            "bytes=0-1,3-4",
            "items=0-1",
            "bytes=5-2",
            "bytes=x-",
            "bytes=-",
        ] {
            assert_eq!(wanted(&range(v), 10), Wanted::All, "{v}");
        }
    }
}
