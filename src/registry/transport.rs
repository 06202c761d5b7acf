//! HTTP under the registry client: hyper 1 with rustls (the stack the AWS SDK already uses), every
//! exchange bounded in time, every body read bounded in size. No redirects, auth or retries here:
//! `session` decides those, request by request.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Method, Request, Response};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::time::Instant;
use url::Url;

use super::error::RegistryError;
use super::reference::is_loopback_host;

/// Time limits. `connect` and `response` (until the headers) bound every request; `idle` ends a body
/// that stops arriving; `total` bounds a whole capped read (manifests, configs, token and tag
/// pages), not blob downloads, whose size is legitimately unbounded.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub response: Duration,
    pub idle: Duration,
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            response: Duration::from_secs(30),
            idle: Duration::from_secs(30),
            total: Duration::from_secs(120),
        }
    }
}

/// A request body: empty for reads, bytes or a file section for uploads.
pub(crate) type ReqBody = UnsyncBoxBody<Bytes, std::io::Error>;

type PlainClient = Client<HttpConnector, ReqBody>;
type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, ReqBody>;

/// The empty body of reads.
pub(crate) fn empty_body() -> ReqBody {
    Empty::new().map_err(|never| match never {}).boxed_unsync()
}

#[derive(Clone)]
pub(crate) struct Transport {
    plain: PlainClient,
    /// Built on the first https request: loading and parsing the system's CA certificates costs
    /// tens of milliseconds, which loopback registries (the emulator, tests) never need.
    tls: Arc<OnceLock<Result<HttpsClient, String>>>,
    pub(crate) timeouts: Timeouts,
}

impl Transport {
    pub(crate) fn new(timeouts: Timeouts) -> Self {
        Transport {
            plain: Client::builder(TokioExecutor::new()).build(connector(timeouts)),
            tls: Arc::default(),
            timeouts,
        }
    }

    fn tls_client(&self) -> Result<&HttpsClient, String> {
        let built = self.tls.get_or_init(|| {
            let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let https = hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_native_roots(provider)
                .map_err(|e| format!("could not load the system's CA certificates ({e})"))?
                .https_only()
                .enable_http1()
                .wrap_connector(connector(self.timeouts));
            Ok(Client::builder(TokioExecutor::new()).build(https))
        });
        built.as_ref().map_err(Clone::clone)
    }

    /// Send one request without a body; the headers must arrive within `timeouts.response`.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: &Url,
        headers: HeaderMap,
    ) -> Result<Response<Incoming>, RegistryError> {
        self.send_body(method, url, headers, empty_body(), None)
            .await
    }

    /// Send one request with `body`. Without `progress`, the headers must arrive within
    /// `timeouts.response`. With it (an upload), the body must keep moving (a chunk taken at least
    /// every `timeouts.idle`) and the headers must arrive within `timeouts.response` of its end:
    /// a big upload may take long, a stalled one may not.
    pub(crate) async fn send_body(
        &self,
        method: Method,
        url: &Url,
        headers: HeaderMap,
        body: ReqBody,
        progress: Option<&super::upload::Progress>,
    ) -> Result<Response<Incoming>, RegistryError> {
        check_scheme(url)?;
        let endpoint = endpoint(&method, url);
        let uri: http::Uri = url
            .as_str()
            .parse()
            .map_err(|e| RegistryError::Invalid(format!("{endpoint}: not a usable URL ({e})")))?;
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .body(body)
            .map_err(|e| RegistryError::Invalid(format!("{endpoint}: {e}")))?;
        *req.headers_mut() = headers;
        req.headers_mut().insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static(concat!("ecrp/", env!("CARGO_PKG_VERSION"))),
        );
        let after = self.timeouts.response;
        let pending = if url.scheme() == "https" {
            let client = self
                .tls_client()
                .map_err(|cause| RegistryError::Transport {
                    endpoint: endpoint.clone(),
                    cause,
                })?;
            client.request(req)
        } else {
            self.plain.request(req)
        };
        let result = match progress {
            None => {
                tokio::time::timeout(after, pending)
                    .await
                    .map_err(|_| RegistryError::Timeout {
                        endpoint: endpoint.clone(),
                        what: "the response",
                        after,
                    })
            }
            Some(p) => {
                let mut pending = std::pin::pin!(pending);
                loop {
                    let (deadline, what, limit) = match p.finished() {
                        Some(end) => (end + after, "the response", after),
                        None => (
                            p.last() + self.timeouts.idle,
                            "the upload to move on",
                            self.timeouts.idle,
                        ),
                    };
                    if deadline <= Instant::now() {
                        break Err(RegistryError::Timeout {
                            endpoint: endpoint.clone(),
                            what,
                            after: limit,
                        });
                    }
                    // At the deadline, look again: progress since then has moved it.
                    if let Ok(r) = tokio::time::timeout_at(deadline, &mut pending).await {
                        break Ok(r);
                    }
                }
            }
        };
        match result? {
            Err(e) => Err(RegistryError::Transport {
                endpoint,
                cause: error_chain(&e),
            }),
            Ok(r) => Ok(r),
        }
    }

    /// The whole body, refusing more than `cap` bytes (by Content-Length before reading, and while
    /// reading for bodies that do not announce their size).
    pub(crate) async fn read_capped(
        &self,
        endpoint: &str,
        resp: Response<Incoming>,
        cap: u64,
        what: &'static str,
    ) -> Result<Bytes, RegistryError> {
        let too_large = || RegistryError::TooLarge {
            endpoint: endpoint.to_string(),
            what,
            cap,
        };
        if content_length(resp.headers()).is_some_and(|n| n > cap) {
            return Err(too_large());
        }
        let deadline = Instant::now() + self.timeouts.total;
        let mut body = resp.into_body();
        let mut buf = BytesMut::new();
        while let Some(chunk) = self.next_chunk(endpoint, &mut body, Some(deadline)).await? {
            if buf.len() as u64 + chunk.len() as u64 > cap {
                return Err(too_large());
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }

    /// The next data chunk of a body (`None` at its end), within `idle` and before `deadline`.
    pub(crate) async fn next_chunk(
        &self,
        endpoint: &str,
        body: &mut Incoming,
        deadline: Option<Instant>,
    ) -> Result<Option<Bytes>, RegistryError> {
        loop {
            let idle_end = Instant::now() + self.timeouts.idle;
            let (end, what, after) = match deadline {
                Some(d) if d < idle_end => (d, "the whole body", self.timeouts.total),
                _ => (idle_end, "more of the body", self.timeouts.idle),
            };
            let frame = match tokio::time::timeout_at(end, body.frame()).await {
                Err(_) => {
                    return Err(RegistryError::Timeout {
                        endpoint: endpoint.to_string(),
                        what,
                        after,
                    });
                }
                Ok(None) => return Ok(None),
                Ok(Some(Err(e))) => {
                    return Err(RegistryError::Transport {
                        endpoint: endpoint.to_string(),
                        cause: error_chain(&e),
                    });
                }
                Ok(Some(Ok(f))) => f,
            };
            // Trailers carry no data: keep reading.
            if let Ok(data) = frame.into_data() {
                return Ok(Some(data));
            }
        }
    }
}

fn connector(timeouts: Timeouts) -> HttpConnector {
    let mut http = HttpConnector::new();
    // https URLs go through the TLS layer wrapping this connector.
    http.enforce_http(false);
    http.set_connect_timeout(Some(timeouts.connect));
    http
}

/// `GET https://host/v2/…` for messages: the query is left out because a redirect target can carry
/// a pre-signed storage URL whose query is a credential.
pub(crate) fn endpoint(method: &Method, url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    format!("{method} {u}")
}

/// https anywhere; http only to loopback hosts.
pub(crate) fn check_scheme(url: &Url) -> Result<(), RegistryError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if url.host_str().is_some_and(is_loopback_host) => Ok(()),
        "http" => Err(RegistryError::Insecure {
            url: url.origin().ascii_serialization(),
        }),
        other => Err(RegistryError::Invalid(format!(
            "unsupported URL scheme {other:?} in {}: use https (or http for loopback hosts)",
            url.origin().ascii_serialization()
        ))),
    }
}

pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// An error and its causes on one line (hyper's top-level message alone is often just "error").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let text = c.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        cur = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_loopback() {
        for ok in [
            "https://public.ecr.aws/v2/",
            "http://127.0.0.1:5000/v2/",
            "http://[::1]:5000/v2/",
            "http://localhost/v2/",
        ] {
            assert!(check_scheme(&Url::parse(ok).unwrap()).is_ok(), "{ok}");
        }
        let e = check_scheme(&Url::parse("http://registry.example/v2/").unwrap()).unwrap_err();
        assert!(e.to_string().contains("only allowed for loopback"), "{e}");
        let e = check_scheme(&Url::parse("ftp://x/").unwrap()).unwrap_err();
        assert!(e.to_string().contains("unsupported URL scheme"), "{e}");
    }

    #[test]
    fn endpoints_leave_out_queries_and_user_info() {
        let u = Url::parse("https://u:p@s3.example/blob?X-Amz-Signature=secret").unwrap();
        assert_eq!(endpoint(&Method::GET, &u), "GET https://s3.example/blob");
    }
}
