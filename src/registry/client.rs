//! `RegistryClient`: one registry, its base URL, the transport and the auth state, and the request
//! loop every operation goes through (authentication on 401, redirects, 429 with Retry-After).

use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use hyper::body::Incoming;
use url::Url;

use super::auth::{self, AuthState, Credentials};
use super::error::{RegistryError, parse_service_errors};
use super::reference::{ECR_PUBLIC_HOST, Reference, is_loopback_host, split_host_port};
use super::transport::{ReqBody, Timeouts, Transport, check_scheme, endpoint};
use super::upload::Progress;

/// Makes a request body for one attempt, with the progress an upload's watchdog reads.
pub(crate) type MakeBody<'a> = &'a (
        dyn Fn() -> Result<(ReqBody, Option<std::sync::Arc<Progress>>), RegistryError> + Send + Sync
    );

/// Error bodies are read only this far: enough for the spec's JSON, not for a flood.
const ERROR_BODY_CAP: u64 = 64 << 10;

#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Sent to the token endpoint (Bearer) or the registry (Basic); `None` is anonymous.
    pub credentials: Option<Credentials>,
    pub timeouts: Timeouts,
    pub max_redirects: usize,
    /// How often a 429 is retried before giving up.
    pub max_rate_limit_retries: u32,
    /// The longest Retry-After honoured; a longer one is an error at once.
    pub max_retry_wait: Duration,
    /// `n` for tag listing pages.
    pub tags_page_size: u32,
    /// Cap on the tags held for one listing.
    pub max_tags: usize,
    /// What to tell an anonymous user who hit a rate limit (how logging in would help).
    pub login_hint: Option<String>,
    /// Refuse every write (blob uploads, manifest puts) before a request is built.
    pub read_only: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            credentials: None,
            timeouts: Timeouts::default(),
            max_redirects: 5,
            max_rate_limit_retries: 3,
            max_retry_wait: Duration::from_secs(30),
            tags_page_size: 1000,
            max_tags: 1_000_000,
            login_hint: None,
            read_only: false,
        }
    }
}

/// The base URL for a reference's registry: `mapped` when the host is public.ecr.aws and a
/// `--registry-url` is set; otherwise https, or http for loopback hosts.
pub fn registry_base(reference: &Reference, mapped: Option<&str>) -> Result<Url, RegistryError> {
    if let Some(m) = mapped
        && reference.hostname().eq_ignore_ascii_case(ECR_PUBLIC_HOST)
        && split_host_port(&reference.host).1.is_none()
    {
        return parse_registry_url(m);
    }
    let scheme = if is_loopback_host(reference.hostname()) {
        "http"
    } else {
        "https"
    };
    Url::parse(&format!("{scheme}://{}/", reference.host))
        .map_err(|e| RegistryError::Invalid(format!("registry host {:?}: {e}", reference.host)))
}

/// A `--registry-url`: `http(s)://HOST[:PORT]` with no path, query or user; http only for loopback.
pub fn parse_registry_url(s: &str) -> Result<Url, RegistryError> {
    let bad = |why: &str| {
        RegistryError::Invalid(format!(
            "--registry-url {s:?}: {why} (expected http(s)://HOST[:PORT], e.g. http://127.0.0.1:5000)"
        ))
    };
    let url = Url::parse(s).map_err(|e| bad(&e.to_string()))?;
    if url.host_str().is_none() {
        return Err(bad("no host"));
    }
    if !(url.path() == "/" || url.path().is_empty())
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(bad("must not have a path, query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not hold a user or password"));
    }
    check_scheme(&url)?;
    Ok(url)
}

/// Where public.ecr.aws's registry API is when nothing says: an API endpoint on a loopback
/// address is a local stand-in for AWS (an `ecrp emulator`), which serves the registry API on the
/// same address; for any other endpoint (AWS's own, or a proxy to it) pulls still go to
/// public.ecr.aws, so there is no default.
pub fn registry_url_for_endpoint(endpoint: Option<&str>) -> Option<String> {
    let url = Url::parse(endpoint?).ok()?;
    let local = url.host_str().is_some_and(is_loopback_host);
    (local && (url.path() == "/" || url.path().is_empty()))
        .then(|| url.origin().ascii_serialization())
}

pub struct RegistryClient {
    base: Url,
    pub(crate) transport: Transport,
    pub(crate) opts: ClientOptions,
    auth: AuthState,
}

impl RegistryClient {
    /// A client for the registry at `base` (scheme, host and port; see [`registry_base`]).
    pub fn new(base: Url, opts: ClientOptions) -> Result<Self, RegistryError> {
        check_scheme(&base)?;
        Ok(RegistryClient {
            base,
            transport: Transport::new(opts.timeouts),
            opts,
            auth: AuthState::default(),
        })
    }

    /// This client with writes refused (or allowed) before any request.
    pub fn with_read_only(mut self, read_only: bool) -> Self {
        self.opts.read_only = read_only;
        self
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub fn is_anonymous(&self) -> bool {
        self.opts.credentials.is_none()
    }

    /// The read-only refusal every write method returns before building a request.
    pub(crate) fn guard(&self, operation: &str) -> Result<(), RegistryError> {
        if self.opts.read_only {
            return Err(RegistryError::ReadOnly {
                operation: operation.to_string(),
            });
        }
        Ok(())
    }

    /// `/v2/<name>/<rest>` on this registry.
    pub(crate) fn url(&self, name: &str, rest: &str) -> Url {
        let mut u = self.base.clone();
        u.set_path(&format!("/v2/{name}/{rest}"));
        u
    }

    /// Send `method url` with `scope` (`repository:<name>:pull`), following the registry's auth,
    /// redirects and rate limits; returns the final 2xx response. Any other status is an error
    /// carrying the spec's error codes.
    pub(crate) async fn request(
        &self,
        method: Method,
        url: Url,
        scope: &str,
        accept: Option<&str>,
    ) -> Result<Response<Incoming>, RegistryError> {
        let mut headers = HeaderMap::new();
        if let Some(a) = accept {
            headers.insert(
                http::header::ACCEPT,
                HeaderValue::from_str(a)
                    .map_err(|_| RegistryError::Invalid(endpoint(&method, &url)))?,
            );
        }
        self.request_with(method, url, scope, headers, None).await
    }

    /// [`request`](Self::request) with `headers` and, for uploads, a body: `body` makes a fresh
    /// one for every attempt (after a 401, a 307/308 redirect or a 429 it is sent again).
    pub(crate) async fn request_with(
        &self,
        method: Method,
        url: Url,
        scope: &str,
        extra: HeaderMap,
        body: Option<MakeBody<'_>>,
    ) -> Result<Response<Incoming>, RegistryError> {
        let mut url = url;
        let mut method = method;
        let mut body = body;
        let mut redirects = 0;
        let mut rate_limited = 0;
        let mut renewed = false;
        loop {
            let ep = endpoint(&method, &url);
            let mut headers = extra.clone();
            // Credentials only ever go to the registry itself, never to a host it redirects to.
            let home_origin = same_origin(&url, &self.base);
            if home_origin
                && let Some(h) = self
                    .auth
                    .header(&self.transport, self.opts.credentials.as_ref(), scope, &ep)
                    .await?
            {
                headers.insert(http::header::AUTHORIZATION, h);
            }
            let sent_auth = headers.contains_key(http::header::AUTHORIZATION);
            let resp = match body {
                None => self.transport.send(method.clone(), &url, headers).await?,
                Some(make) => {
                    let (b, progress) = make()?;
                    self.transport
                        .send_body(method.clone(), &url, headers, b, progress.as_deref())
                        .await?
                }
            };
            let status = resp.status();
            tracing::debug!(endpoint = %ep, status = status.as_u16(), "registry response");
            match status {
                StatusCode::UNAUTHORIZED if home_origin && !renewed => {
                    let scheme = auth::scheme_from(resp.headers(), &ep)?;
                    if sent_auth {
                        self.auth.invalidate(scope);
                    }
                    self.auth.set_scheme(scheme);
                    renewed = true;
                }
                StatusCode::MOVED_PERMANENTLY
                | StatusCode::FOUND
                | StatusCode::SEE_OTHER
                | StatusCode::TEMPORARY_REDIRECT
                | StatusCode::PERMANENT_REDIRECT => {
                    redirects += 1;
                    if redirects > self.opts.max_redirects {
                        return Err(RegistryError::Redirect {
                            endpoint: ep,
                            reason: format!(
                                "more than {} redirects; stopped",
                                self.opts.max_redirects
                            ),
                        });
                    }
                    url = next_location(&url, resp.headers(), &ep)?;
                    if status == StatusCode::SEE_OTHER && method != Method::HEAD {
                        method = Method::GET;
                        body = None;
                    }
                }
                StatusCode::TOO_MANY_REQUESTS => {
                    let wait = retry_after(resp.headers());
                    rate_limited += 1;
                    let give_up = rate_limited > self.opts.max_rate_limit_retries
                        || wait.is_some_and(|w| w > self.opts.max_retry_wait);
                    if give_up {
                        return Err(RegistryError::TooManyRequests {
                            endpoint: ep,
                            retry_after: wait,
                            anonymous: self.is_anonymous(),
                            login_hint: self.opts.login_hint.clone(),
                        });
                    }
                    drop(resp);
                    // No Retry-After: one second, the anonymous rate of public.ecr.aws.
                    tokio::time::sleep(wait.unwrap_or(Duration::from_secs(1))).await;
                }
                s if s.is_success() => return Ok(resp),
                _ => {
                    let errors = if method == Method::HEAD {
                        Vec::new()
                    } else {
                        let body = self
                            .transport
                            .read_capped(&ep, resp, ERROR_BODY_CAP, "error body")
                            .await
                            .unwrap_or_default();
                        parse_service_errors(&body)
                    };
                    return Err(RegistryError::Status {
                        endpoint: ep,
                        status: status.as_u16(),
                        errors,
                    });
                }
            }
        }
    }
}

/// The Location of a redirect, resolved against the URL that answered it.
fn next_location(url: &Url, headers: &HeaderMap, ep: &str) -> Result<Url, RegistryError> {
    let loc = headers
        .get(http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| RegistryError::Redirect {
            endpoint: ep.to_string(),
            reason: "a redirect without a usable Location header".into(),
        })?;
    url.join(loc).map_err(|e| RegistryError::Redirect {
        endpoint: ep.to_string(),
        reason: format!("the redirect Location is not a URL ({e})"),
    })
}

/// Retry-After as seconds or an HTTP date; `None` when absent or unreadable.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Whether two URLs share scheme, host and port (where Authorization may go).
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_loopback_endpoint_is_taken_for_the_registry_api() {
        let f = registry_url_for_endpoint;
        assert_eq!(
            f(Some("http://127.0.0.1:4000")).as_deref(),
            Some("http://127.0.0.1:4000")
        );
        assert_eq!(
            f(Some("http://localhost:4000/")).as_deref(),
            Some("http://localhost:4000")
        );
        assert_eq!(f(Some("http://[::1]:9")).as_deref(), Some("http://[::1]:9"));
        assert_eq!(
            f(Some("https://api.ecr-public.us-east-1.amazonaws.com")),
            None
        );
        assert_eq!(f(Some("http://10.0.0.5:4000")), None);
        assert_eq!(f(Some("http://127.0.0.1:4000/prefix")), None);
        assert_eq!(f(Some("not a url")), None);
        assert_eq!(f(None), None);
    }

    #[test]
    fn registry_urls_map_only_public_ecr_aws() {
        let r = Reference::parse("public.ecr.aws/acme/api:v1").unwrap();
        assert_eq!(
            registry_base(&r, Some("http://127.0.0.1:4000"))
                .unwrap()
                .as_str(),
            "http://127.0.0.1:4000/"
        );
        assert_eq!(
            registry_base(&r, None).unwrap().as_str(),
            "https://public.ecr.aws/"
        );
        let r = Reference::parse("127.0.0.1:5000/ns/app").unwrap();
        assert_eq!(
            registry_base(&r, Some("http://127.0.0.1:4000"))
                .unwrap()
                .as_str(),
            "http://127.0.0.1:5000/"
        );
        let r = Reference::parse("registry.example:5000/ns/app").unwrap();
        assert_eq!(
            registry_base(&r, None).unwrap().as_str(),
            "https://registry.example:5000/"
        );
    }

    #[test]
    fn bad_registry_urls_are_refused() {
        for (u, want) in [
            ("127.0.0.1:4000", "expected http(s)://"),
            ("http://127.0.0.1:4000/v2", "path"),
            ("http://u:p@127.0.0.1", "user or password"),
            ("http://registry.example", "only allowed for loopback"),
        ] {
            let e = parse_registry_url(u).unwrap_err().to_string();
            assert!(e.contains(want), "{u}: {e}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(http::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            http::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn relative_and_absolute_locations() {
        let base = Url::parse("http://127.0.0.1:1/v2/a/blobs/x").unwrap();
        let mut h = HeaderMap::new();
        h.insert(http::header::LOCATION, "/store/x".parse().unwrap());
        assert_eq!(
            next_location(&base, &h, "e").unwrap().as_str(),
            "http://127.0.0.1:1/store/x"
        );
        h.insert(
            http::header::LOCATION,
            "http://127.0.0.1:2/s?sig=1".parse().unwrap(),
        );
        let u = next_location(&base, &h, "e").unwrap();
        assert!(!same_origin(&base, &u));
    }
}
