//! `GET`/`HEAD`/`PUT /v2/<name>/manifests/<tag|digest>`. Manifests are served as stored (the
//! digest is the sha256 of exactly these bytes) and pushed through the same `put_image` as the
//! PutImage operation, so both planes validate alike and DescribeImages sees what was pushed.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::errors::{RegError, RegResult};
use super::{Shared, persist, resolve};
use crate::emulator::error::ApiError;
use crate::emulator::image::{self, PutImage};
use crate::emulator::limits::IMAGE_MANIFEST_MAX;
use crate::emulator::validate;

/// A tag as the distribution spec allows it.
fn is_tag(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(c))
}

fn is_digest_ref(reference: &str) -> bool {
    reference.contains(':')
}

/// Whether the client's Accept header admits `media_type`. No Accept, or a wildcard, admits
/// anything.
fn accepts(headers: &HeaderMap, media_type: &str) -> bool {
    let mut listed = false;
    for value in headers.get_all(header::ACCEPT) {
        for item in value.to_str().unwrap_or("").split(',') {
            let t = item.split(';').next().unwrap_or("").trim();
            if t.is_empty() {
                continue;
            }
            listed = true;
            if t == media_type || t == "*/*" {
                return true;
            }
        }
    }
    !listed
}

pub fn get(
    shared: &Arc<Shared>,
    name: &str,
    reference: &str,
    headers: &HeaderMap,
    head: bool,
) -> RegResult<Response> {
    let (manifest, digest, media_type) = {
        let state = shared.state.lock();
        let repo = state
            .repo(resolve(&state, name)?)
            .map_err(|_| RegError::name_unknown(name))?;
        let digest = if is_digest_ref(reference) {
            if !validate::is_image_digest(reference) {
                return Err(RegError::digest_invalid(
                    "the digest is not sha256 followed by 64 hex digits",
                ));
            }
            reference.to_string()
        } else if is_tag(reference) {
            match repo.image_tags.get(reference) {
                Some(t) => t.digest.clone(),
                None => return Err(RegError::manifest_unknown(reference)),
            }
        } else {
            return Err(RegError::new(
                400,
                "TAG_INVALID",
                "manifest tag did not match the tag grammar",
            ));
        };
        let image = repo
            .images
            .get(&digest)
            .ok_or_else(|| RegError::manifest_unknown(reference))?;
        let manifest = repo
            .manifest_of(image)
            .ok_or_else(|| RegError::manifest_unknown(reference))?;
        (manifest, digest, image.media_type.clone())
    };
    // By tag, a client that lists the types it understands gets only one of them, as the
    // distribution registry does: it answers MANIFEST_UNKNOWN rather than a document the client
    // cannot read (distribution's old schema 1 conversion and platform fallback are gone from
    // it and were never ECR Public's). By digest the bytes are pinned, so they are served as is.
    if !is_digest_ref(reference) && !accepts(headers, &media_type) {
        return Err(RegError::new(
            404,
            "MANIFEST_UNKNOWN",
            format!("the manifest is a {media_type}, which the Accept header does not list"),
        )
        .detail(serde_json::json!({ "reference": reference, "mediaType": media_type })));
    }
    let len = manifest.len();
    let body = if head {
        Body::empty()
    } else {
        Body::from(manifest.to_string())
    };
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, header_value(&media_type));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert("docker-content-digest", header_value(&digest));
    h.insert(header::ETAG, header_value(&format!("\"{digest}\"")));
    Ok(resp)
}

pub fn header_value(s: &str) -> HeaderValue {
    // Stored media types and digests were validated as printable when stored.
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// Maps PutImage's answers onto the registry's codes.
fn put_error(e: ApiError) -> RegError {
    match e.code {
        "LayersNotFoundException" | "ReferencedImagesNotFoundException" => {
            RegError::new(400, "MANIFEST_BLOB_UNKNOWN", e.message)
        }
        "ImageDigestDoesNotMatchException" => RegError::digest_invalid(e.message),
        "RepositoryNotFoundException" => RegError::new(404, "NAME_UNKNOWN", e.message),
        "ServerException" => RegError::server("storing the manifest"),
        _ => RegError::manifest_invalid(e.message),
    }
}

pub async fn put(
    shared: &Arc<Shared>,
    name: &str,
    reference: &str,
    req: Request,
) -> RegResult<Response> {
    let (tag, digest) = if is_digest_ref(reference) {
        if !validate::is_image_digest(reference) {
            return Err(RegError::digest_invalid(
                "the digest is not sha256 followed by 64 hex digits",
            ));
        }
        (None, Some(reference.to_string()))
    } else if is_tag(reference) {
        (Some(reference.to_string()), None)
    } else {
        return Err(RegError::new(
            400,
            "TAG_INVALID",
            "manifest tag did not match the tag grammar",
        ));
    };
    {
        let state = shared.state.lock();
        resolve(&state, name)?;
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_string())
        .filter(|t| t.contains("manifest") || t.contains("image.index"));
    let too_big = || {
        RegError::new(
            413,
            "MANIFEST_INVALID",
            format!("the manifest is larger than {IMAGE_MANIFEST_MAX} bytes, ECR's limit"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > IMAGE_MANIFEST_MAX) {
        return Err(too_big());
    }
    let bytes = axum::body::to_bytes(req.into_body(), IMAGE_MANIFEST_MAX)
        .await
        .map_err(|_| too_big())?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| RegError::manifest_invalid("the manifest is not UTF-8 JSON"))?;
    let now = shared.clock_ms.unwrap_or_else(crate::emulator::ctx::now_ms);
    let digest = {
        let mut state = shared.state.lock();
        let repo = resolve(&state, name)?.to_string();
        let outcome = image::put_image(
            &mut state,
            PutImage {
                repo: &repo,
                manifest: text,
                media_type: content_type.as_deref(),
                tag: tag.as_deref(),
                digest: digest.as_deref(),
            },
            now,
        );
        let digest = match outcome {
            Ok((d, _)) => d,
            // Pushing what is already there is a success in the registry protocol.
            Err(e) if e.code == "ImageAlreadyExistsException" => {
                crate::emulator::content::sha256(&bytes)
            }
            Err(e) => return Err(put_error(e)),
        };
        persist(shared, &mut state)?;
        digest
    };
    let mut resp = StatusCode::CREATED.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::LOCATION,
        header_value(&format!("/v2/{name}/manifests/{digest}")),
    );
    h.insert("docker-content-digest", header_value(&digest));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(0));
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_lists_and_wildcards() {
        let mut h = HeaderMap::new();
        assert!(accepts(&h, "a/b"));
        h.append(header::ACCEPT, "application/x, a/c;q=0.5".parse().unwrap());
        assert!(!accepts(&h, "a/b"));
        assert!(accepts(&h, "a/c"));
        h.append(header::ACCEPT, "*/*".parse().unwrap());
        assert!(accepts(&h, "a/b"));
        assert!(is_tag("v1.2_3-x") && !is_tag(".x") && !is_tag(&"a".repeat(129)));
    }
}
