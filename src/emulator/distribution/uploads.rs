//! Blob uploads: `POST /v2/<name>/blobs/uploads/` (monolithic with `?digest=`, cross-repository
//! with `?mount=&from=`), `PATCH` chunks (Content-Range checked), `PUT ?digest=` to finish (the
//! digest verified), `GET` for the progress, `DELETE` to cancel. Bytes stream to a temporary
//! file of the blob store, hashed as they arrive; a verified blob becomes a layer of the
//! repository, exactly as CompleteLayerUpload makes one. Uploads left untouched are abandoned.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::errors::{RegError, RegResult};
use super::manifests::header_value;
use super::{Shared, persist, resolve};
use crate::emulator::layer::DEFAULT_LAYER_MEDIA_TYPE;
use crate::emulator::state::Layer;
use crate::emulator::validate;

/// ECR's largest layer.
pub const MAX_BLOB_BYTES: u64 = 10 * 1024 * 1024 * 1024;
/// Uploads in progress at once; more are refused until some finish or expire.
const MAX_SESSIONS: usize = 1000;

pub struct Session {
    name: String,
    file: PathBuf,
    hasher: Sha256,
    size: u64,
    touched: Instant,
}

fn query_value(req: &Request, key: &str) -> Option<String> {
    req.uri().query()?.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k == key).then(|| v.replace("%3A", ":").replace("%3a", ":"))
    })
}

fn range(size: u64) -> HeaderValue {
    header_value(&format!("0-{}", size.saturating_sub(1)))
}

fn accepted(name: &str, id: &str, size: u64) -> Response {
    let mut resp = StatusCode::ACCEPTED.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::LOCATION,
        header_value(&format!("/v2/{name}/blobs/uploads/{id}")),
    );
    h.insert(header::RANGE, range(size));
    h.insert("docker-upload-uuid", header_value(id));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(0));
    resp
}

fn created(name: &str, digest: &str) -> Response {
    let mut resp = StatusCode::CREATED.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::LOCATION,
        header_value(&format!("/v2/{name}/blobs/{digest}")),
    );
    h.insert("docker-content-digest", header_value(digest));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(0));
    resp
}

fn io_error(e: std::io::Error) -> RegError {
    tracing::error!("blob upload storage failed: {e}");
    RegError::server("storing the upload")
}

fn too_large() -> RegError {
    RegError::new(
        413,
        "SIZE_INVALID",
        format!("a blob may not exceed {MAX_BLOB_BYTES} bytes"),
    )
}

/// Appends a request body to the session's file, hashing as it goes.
async fn append(s: &mut Session, headers: &HeaderMap, body: Body) -> RegResult<()> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| s.size.saturating_add(n) > MAX_BLOB_BYTES) {
        return Err(too_large());
    }
    // 0600, never through a symlink: the upload area is private like the store.
    let mut file =
        tokio::fs::File::from_std(crate::private_fs::open_append(&s.file).map_err(io_error)?);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            RegError::new(
                400,
                "BLOB_UPLOAD_INVALID",
                "the upload body could not be read",
            )
        })?;
        if s.size + chunk.len() as u64 > MAX_BLOB_BYTES {
            return Err(too_large());
        }
        file.write_all(&chunk).await.map_err(io_error)?;
        s.hasher.update(&chunk);
        s.size += chunk.len() as u64;
    }
    file.flush().await.map_err(io_error)?;
    s.touched = Instant::now();
    Ok(())
}

/// Verifies the digest and moves the bytes into the store as a layer of the repository.
fn finish(shared: &Shared, s: Session, digest: Option<String>) -> RegResult<Response> {
    let computed = format!("sha256:{}", hex::encode(s.hasher.finalize()));
    let Some(given) = digest.filter(|d| validate::is_image_digest(d)) else {
        remove(&s.file);
        return Err(RegError::digest_invalid(
            "the digest parameter is missing or not sha256 followed by 64 hex digits",
        ));
    };
    if given != computed {
        remove(&s.file);
        return Err(RegError::digest_invalid(format!(
            "the upload's content has digest {computed}, not {given}"
        ))
        .detail(serde_json::json!({ "digest": given })));
    }
    let mut state = shared.state.lock();
    let repo_name = resolve(&state, &s.name)?.to_string();
    if let Err(e) = state.blobs.commit(&s.file, &computed) {
        tracing::error!("storing blob {computed}: {e:#}");
        return Err(RegError::server("storing the blob"));
    }
    let size = s.size as i64;
    if let Ok(repo) = state.repo_mut(&repo_name) {
        repo.add_layer(
            &computed,
            Layer {
                size,
                media_type: DEFAULT_LAYER_MEDIA_TYPE.into(),
            },
        );
    }
    persist(shared, &mut state)?;
    Ok(created(&s.name, &computed))
}

fn remove(path: &Path) {
    if let Err(e) = std::fs::remove_file(path)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("removing abandoned upload {}: {e}", path.display());
    }
}

impl super::Registry {
    /// Drops uploads untouched for longer than the timeout, with their bytes.
    fn sweep(&self) {
        let timeout = self.config.upload_timeout;
        self.uploads.lock().retain(|_, s| {
            let alive = s.touched.elapsed() < timeout;
            if !alive {
                remove(&s.file);
            }
            alive
        });
    }

    fn take(&self, name: &str, id: &str) -> RegResult<Session> {
        let mut uploads = self.uploads.lock();
        match uploads.remove(id) {
            Some(s) if s.name == name => Ok(s),
            Some(s) => {
                uploads.insert(id.to_string(), s);
                Err(RegError::upload_unknown())
            }
            None => Err(RegError::upload_unknown()),
        }
    }
}

fn new_session(shared: &Shared, name: &str) -> RegResult<(String, Session)> {
    if shared.registry.uploads.lock().len() >= MAX_SESSIONS {
        return Err(RegError {
            retry_after: Some(60),
            ..RegError::new(
                429,
                "TOOMANYREQUESTS",
                format!("more than {MAX_SESSIONS} uploads in progress"),
            )
        });
    }
    let file = shared.state.lock().blobs.temp_path().map_err(|e| {
        tracing::error!("upload area: {e:#}");
        RegError::server("starting the upload")
    })?;
    let s = Session {
        name: name.to_string(),
        file,
        hasher: Sha256::new(),
        size: 0,
        touched: Instant::now(),
    };
    Ok((uuid::Uuid::new_v4().to_string(), s))
}

/// `?mount=<digest>&from=<name>`: the blob becomes a layer here if `from` has it.
fn mount(shared: &Shared, name: &str, digest: &str, from: &str) -> RegResult<Option<Response>> {
    let mut state = shared.state.lock();
    let Ok(from_repo) = resolve(&state, from).map(str::to_string) else {
        return Ok(None);
    };
    let to_repo = resolve(&state, name)?.to_string();
    let layer = state
        .repos
        .get(&from_repo)
        .and_then(|r| r.layers.get(digest))
        .cloned();
    let Some(layer) = layer.filter(|_| state.blobs.contains(digest)) else {
        return Ok(None);
    };
    if let Ok(repo) = state.repo_mut(&to_repo) {
        repo.add_layer(digest, layer);
    }
    persist(shared, &mut state)?;
    Ok(Some(created(name, digest)))
}

pub async fn handle(
    shared: &Arc<Shared>,
    name: &str,
    id: Option<&str>,
    req: Request,
) -> RegResult<Response> {
    {
        let state = shared.state.lock();
        resolve(&state, name)?;
    }
    let registry = &shared.registry;
    registry.sweep();
    let method = req.method().clone();
    let digest = query_value(&req, "digest");
    match (method, id) {
        (Method::POST, None) => {
            if let (Some(d), Some(from)) = (query_value(&req, "mount"), query_value(&req, "from"))
                && validate::is_image_digest(&d)
                && let Some(resp) = mount(shared, name, &d, &from)?
            {
                return Ok(resp);
            }
            let (id, mut s) = new_session(shared, name)?;
            if digest.is_some() {
                let (parts, body) = req.into_parts();
                if let Err(e) = append(&mut s, &parts.headers, body).await {
                    remove(&s.file);
                    return Err(e);
                }
                return finish(shared, s, digest);
            }
            // The empty file exists from the start so a GET of the upload finds it.
            crate::private_fs::create_new(&s.file).map_err(io_error)?;
            registry.uploads.lock().insert(id.clone(), s);
            Ok(accepted(name, &id, 0))
        }
        (Method::PATCH, Some(id)) => {
            let mut s = registry.take(name, id)?;
            if let Some(r) = req.headers().get(header::CONTENT_RANGE) {
                let text = r.to_str().unwrap_or("");
                let start = text
                    .trim_start_matches("bytes ")
                    .split(['-', '/'])
                    .next()
                    .and_then(|n| n.trim().parse::<u64>().ok());
                if start != Some(s.size) {
                    let size = s.size;
                    registry.uploads.lock().insert(id.to_string(), s);
                    return Err(RegError::new(
                        416,
                        "RANGE_INVALID",
                        format!("the chunk must start at byte {size}"),
                    )
                    .detail(serde_json::json!({ "range": text, "expected_start": size })));
                }
            }
            let (parts, body) = req.into_parts();
            if let Err(e) = append(&mut s, &parts.headers, body).await {
                remove(&s.file);
                return Err(e);
            }
            let size = s.size;
            registry.uploads.lock().insert(id.to_string(), s);
            Ok(accepted(name, id, size))
        }
        (Method::PUT, Some(id)) => {
            let mut s = registry.take(name, id)?;
            let (parts, body) = req.into_parts();
            if let Err(e) = append(&mut s, &parts.headers, body).await {
                remove(&s.file);
                return Err(e);
            }
            finish(shared, s, digest)
        }
        (Method::GET, Some(id)) => {
            let s = registry.take(name, id)?;
            let size = s.size;
            registry.uploads.lock().insert(id.to_string(), s);
            let mut resp = accepted(name, id, size);
            *resp.status_mut() = StatusCode::NO_CONTENT;
            Ok(resp)
        }
        (Method::DELETE, Some(id)) => {
            let s = registry.take(name, id)?;
            remove(&s.file);
            let mut resp = StatusCode::NO_CONTENT.into_response();
            resp.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(0));
            Ok(resp)
        }
        _ => Err(RegError::unsupported(
            405,
            "this method is not supported on blob uploads",
        )),
    }
}
