//! The push side of the distribution spec: whether a blob exists (`HEAD`), blob uploads (`POST`
//! for an upload URL, then one monolithic `PUT ?digest=` for a small blob, or `PATCH` chunks and a
//! closing `PUT` for a big one, each step following the Location the last answered, relative or
//! absolute), and manifest puts (exact bytes, the digest the registry announces checked against
//! them). Blobs stream from their file in small reads: a layer is never whole in memory. Every
//! write refuses read-only mode before a request is built.

use std::io::{Seek, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use parking_lot::Mutex;
use tokio::io::{AsyncRead, ReadBuf};
use tokio::time::Instant;
use url::Url;

use super::client::RegistryClient;
use super::error::RegistryError;
use super::manifest::{MANIFEST_CAP, docker_content_digest, pull_scope};
use super::reference::{Digest, Target};
use super::transport::{ReqBody, endpoint};

/// Bytes read from the file at a time while a blob streams out.
const READ_SIZE: usize = 64 << 10;
/// Upload answers carry headers, not content: their bodies are read (for connection reuse) this far.
const ANSWER_CAP: u64 = 64 << 10;

/// The scope of a push: pushing needs pull too (docker, skopeo and containerd ask for both).
pub fn push_scope(name: &str) -> String {
    format!("repository:{name}:pull,push")
}

/// How far an upload's body has gone, for the transport's watchdog: when a chunk was last taken
/// and when the last one was.
pub(crate) struct Progress {
    last: Mutex<Instant>,
    finished: Mutex<Option<Instant>>,
}

impl Progress {
    fn new() -> Self {
        Progress {
            last: Mutex::new(Instant::now()),
            finished: Mutex::new(None),
        }
    }

    pub(crate) fn last(&self) -> Instant {
        *self.last.lock()
    }

    pub(crate) fn finished(&self) -> Option<Instant> {
        *self.finished.lock()
    }
}

/// `len` bytes of a file from `offset`, read as the connection takes them.
struct FileBody {
    file: tokio::fs::File,
    remaining: u64,
    buf: Box<[u8]>,
    progress: Arc<Progress>,
}

impl Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = &mut *self;
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = this.remaining.min(this.buf.len() as u64) as usize;
        let mut rb = ReadBuf::new(&mut this.buf[..n]);
        match Pin::new(&mut this.file).poll_read(cx, &mut rb) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) if rb.filled().is_empty() => {
                Poll::Ready(Some(Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the file is shorter than its descriptor says (changed while pushing?)",
                ))))
            }
            Poll::Ready(Ok(())) => {
                let data = Bytes::copy_from_slice(rb.filled());
                this.remaining -= data.len() as u64;
                let now = Instant::now();
                *this.progress.last.lock() = now;
                if this.remaining == 0 {
                    *this.progress.finished.lock() = Some(now);
                }
                Poll::Ready(Some(Ok(Frame::data(data))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

type Made = (ReqBody, Option<Arc<Progress>>);

fn file_section(path: &Path, offset: u64, len: u64) -> Result<Made, RegistryError> {
    let read_err = |e: std::io::Error| RegistryError::Read {
        path: path.display().to_string(),
        cause: e.to_string(),
    };
    let mut file = std::fs::File::open(path).map_err(read_err)?;
    file.seek(SeekFrom::Start(offset)).map_err(read_err)?;
    let progress = Arc::new(Progress::new());
    let body = FileBody {
        file: tokio::fs::File::from_std(file),
        remaining: len,
        buf: vec![0; READ_SIZE.min(len.max(1) as usize)].into_boxed_slice(),
        progress: progress.clone(),
    };
    Ok((body.boxed_unsync(), Some(progress)))
}

fn bytes_body(bytes: &Bytes) -> Made {
    let body = Full::new(bytes.clone()).map_err(|never| match never {});
    (body.boxed_unsync(), None)
}

fn headers(content_type: &str, len: u64) -> Result<HeaderMap, RegistryError> {
    let mut h = HeaderMap::new();
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .map_err(|_| RegistryError::Invalid(format!("media type {content_type:?}")))?,
    );
    h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
    Ok(h)
}

/// The upload URL a POST or PATCH answered with, resolved against the URL that answered.
fn upload_location(url: &Url, h: &HeaderMap, ep: &str) -> Result<Url, RegistryError> {
    let loc = h
        .get(http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| RegistryError::bad(ep, "no Location header for the upload to go on"))?;
    url.join(loc)
        .map_err(|e| RegistryError::bad(ep, format!("the upload Location is not a URL ({e})")))
}

impl RegistryClient {
    /// Whether the repository `name` holds the blob: `HEAD /v2/<name>/blobs/<digest>`, 404 is no.
    /// `for_push` asks for the push scope, so one token serves the whole push.
    pub async fn blob_exists(
        &self,
        name: &str,
        digest: &Digest,
        for_push: bool,
    ) -> Result<bool, RegistryError> {
        let url = self.url(name, &format!("blobs/{digest}"));
        let scope = if for_push {
            push_scope(name)
        } else {
            pull_scope(name)
        };
        match self.request(Method::HEAD, url, &scope, None).await {
            Ok(_) => Ok(true),
            Err(e) if e.status() == Some(404) => Ok(false),
            Err(e) => Err(self.explain_refusal(e)),
        }
    }

    /// Upload `size` bytes of the file at `path` as blob `digest`: one monolithic PUT when it fits
    /// in `chunk` bytes, else PATCH chunks of `chunk` bytes and a closing PUT. Returns the number
    /// of requests that carried bytes. The registry checks the digest; so does this, on its answer.
    pub async fn upload_blob(
        &self,
        name: &str,
        digest: &Digest,
        size: u64,
        path: &Path,
        chunk: u64,
    ) -> Result<usize, RegistryError> {
        self.guard("blob upload")?;
        let chunk = chunk.max(1);
        let scope = push_scope(name);
        let start = self.url(name, "blobs/uploads/");
        let ep = endpoint(&Method::POST, &start);
        let resp = self
            .request_with(
                Method::POST,
                start.clone(),
                &scope,
                headers("application/octet-stream", 0)?,
                Some(&|| Ok(bytes_body(&Bytes::new()))),
            )
            .await
            .map_err(|e| self.explain_refusal(e))?;
        let mut location = upload_location(&start, resp.headers(), &ep)?;
        self.drain(&ep, resp).await;
        let mut sent = 0;
        let (mut offset, mut last_body) = (0u64, 0u64);
        if size <= chunk {
            // Monolithic: the bytes go with the closing PUT.
            last_body = size;
        } else {
            while offset < size {
                let n = chunk.min(size - offset);
                let mut h = headers("application/octet-stream", n)?;
                h.insert(
                    http::header::CONTENT_RANGE,
                    HeaderValue::from_str(&format!("{offset}-{}", offset + n - 1))
                        .map_err(|_| RegistryError::Invalid("Content-Range".into()))?,
                );
                let ep = endpoint(&Method::PATCH, &location);
                let make = move || file_section(path, offset, n);
                let resp = self
                    .request_with(Method::PATCH, location.clone(), &scope, h, Some(&make))
                    .await?;
                check_range(&ep, resp.headers(), offset + n)?;
                location = upload_location(&location, resp.headers(), &ep)?;
                self.drain(&ep, resp).await;
                offset += n;
                sent += 1;
            }
        }
        let mut put = location;
        put.query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        let ep = endpoint(&Method::PUT, &put);
        let h = headers("application/octet-stream", last_body)?;
        let resp = if last_body > 0 {
            let make = move || file_section(path, offset, last_body);
            self.request_with(Method::PUT, put, &scope, h, Some(&make))
                .await?
        } else {
            self.request_with(
                Method::PUT,
                put,
                &scope,
                h,
                Some(&|| Ok(bytes_body(&Bytes::new()))),
            )
            .await?
        };
        if let Some(got) = docker_content_digest(&ep, resp.headers())?
            && got != *digest
        {
            return Err(RegistryError::DigestMismatch {
                endpoint: ep,
                expected: digest.to_string(),
                actual: got.to_string(),
            });
        }
        self.drain(&ep, resp).await;
        Ok(sent + usize::from(last_body > 0))
    }

    /// `PUT /v2/<name>/manifests/<target>` with these exact bytes and `media_type` as their
    /// Content-Type. Returns the digest of the bytes, which the registry's Docker-Content-Digest
    /// (when it sends one) must equal.
    pub async fn put_manifest(
        &self,
        name: &str,
        target: &Target,
        media_type: &str,
        bytes: Bytes,
    ) -> Result<Digest, RegistryError> {
        self.guard("manifest put")?;
        let url = self.url(name, &format!("manifests/{}", target.as_path()));
        let ep = endpoint(&Method::PUT, &url);
        if bytes.len() as u64 > MANIFEST_CAP {
            return Err(RegistryError::Invalid(format!(
                "{ep}: the manifest is {} bytes; registries take at most {MANIFEST_CAP}",
                bytes.len()
            )));
        }
        let sent = Digest::sha256(&bytes);
        if let Target::Digest(d) = target
            && *d != sent
        {
            return Err(RegistryError::Invalid(format!(
                "{ep}: the manifest's bytes hash to {sent}, not {d}"
            )));
        }
        let h = headers(media_type, bytes.len() as u64)?;
        let make = move || Ok(bytes_body(&bytes));
        let resp = self
            .request_with(Method::PUT, url, &push_scope(name), h, Some(&make))
            .await
            .map_err(|e| self.explain_refusal(e))?;
        if let Some(got) = docker_content_digest(&ep, resp.headers())?
            && got != sent
        {
            return Err(RegistryError::bad(
                &ep,
                format!("the registry stored the manifest as {got}, but its bytes hash to {sent}"),
            ));
        }
        self.drain(&ep, resp).await;
        Ok(sent)
    }

    /// Read what is left of an answer, so its connection can carry the next request.
    async fn drain(&self, ep: &str, resp: http::Response<Incoming>) {
        let _ = self
            .transport
            .read_capped(ep, resp, ANSWER_CAP, "upload answer")
            .await;
    }

    /// A 401 or 403 to an anonymous client says why: a push needs credentials.
    fn explain_refusal(&self, e: RegistryError) -> RegistryError {
        match e {
            RegistryError::Status {
                endpoint,
                status: status @ (401 | 403),
                errors,
            } if self.is_anonymous() => {
                let said: String = errors
                    .iter()
                    .map(|e| format!("; {}: {}", e.code, e.message))
                    .collect();
                RegistryError::Auth {
                    endpoint,
                    reason: format!(
                        "the registry refused an anonymous push (HTTP {status}{said}); pushing \
                         needs credentials (for ECR Public: AWS and the password from \
                         GetAuthorizationToken)"
                    ),
                }
            }
            e => e,
        }
    }
}

/// After a PATCH, the registry's Range (when sent) must say it holds bytes `0..end`.
fn check_range(ep: &str, h: &HeaderMap, end: u64) -> Result<(), RegistryError> {
    let Some(v) = h.get(http::header::RANGE) else {
        return Ok(());
    };
    let text = v.to_str().unwrap_or("");
    let last = text
        .trim_start_matches("bytes=")
        .split_once('-')
        .and_then(|(_, l)| l.trim().parse::<u64>().ok());
    if last != Some(end - 1) {
        return Err(RegistryError::bad(
            ep,
            format!(
                "after the chunk the registry holds {:?}, not bytes 0-{}",
                crate::sanitize::clean_line(text),
                end - 1
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_must_reach_the_chunk_end() {
        let mut h = HeaderMap::new();
        assert!(check_range("e", &h, 10).is_ok());
        h.insert(http::header::RANGE, "0-9".parse().unwrap());
        assert!(check_range("e", &h, 10).is_ok());
        h.insert(http::header::RANGE, "bytes=0-9".parse().unwrap());
        assert!(check_range("e", &h, 10).is_ok());
        h.insert(http::header::RANGE, "0-4".parse().unwrap());
        let e = check_range("e", &h, 10).unwrap_err().to_string();
        assert!(e.contains("not bytes 0-9"), "{e}");
    }

    #[test]
    fn locations_resolve_relative_and_absolute() {
        let base = Url::parse("http://127.0.0.1:1/v2/a/blobs/uploads/").unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            http::header::LOCATION,
            "/v2/a/blobs/uploads/x?_state=s".parse().unwrap(),
        );
        let u = upload_location(&base, &h, "e").unwrap();
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:1/v2/a/blobs/uploads/x?_state=s"
        );
        h.insert(
            http::header::LOCATION,
            "http://127.0.0.1:2/up/x".parse().unwrap(),
        );
        assert_eq!(
            upload_location(&base, &h, "e").unwrap().as_str(),
            "http://127.0.0.1:2/up/x"
        );
        let e = upload_location(&base, &HeaderMap::new(), "e").unwrap_err();
        assert!(e.to_string().contains("no Location"), "{e}");
    }
}
