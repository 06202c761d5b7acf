//! Registry authentication: what the challenge asks for, the credentials the caller supplies, and
//! bearer tokens cached per (realm, scope) until they expire or are refused.
//!
//! Secrets never reach a log or an error message: `Secret`'s Debug is redacted, and neither
//! tokens nor passwords are formatted anywhere but into the Authorization header.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderValue, Method};
use parking_lot::Mutex;
use tokio::time::Instant;
use url::Url;

use super::challenge::{self, Challenge};
use super::error::RegistryError;
use super::transport::{Transport, endpoint};

/// Token responses are a few KiB; more is a hostile or broken endpoint.
const TOKEN_CAP: u64 = 1 << 20;
/// The spec's default lifetime when the token endpoint does not say (`expires_in`).
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// Renew this long before the announced expiry, so a token does not lapse in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(10);

/// A password or token. Debug is redacted so it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(** redacted **)")
    }
}

/// User name and password: sent to a token endpoint (Bearer) or to the registry (Basic). For ECR
/// Public, `AWS` and the password from GetAuthorizationToken.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

impl Credentials {
    fn basic_header(&self) -> Result<HeaderValue, RegistryError> {
        let raw = format!("{}:{}", self.username, self.password.expose());
        let mut v = HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(raw)))
            .map_err(|_| RegistryError::Invalid("the credentials are not valid".into()))?;
        v.set_sensitive(true);
        Ok(v)
    }
}

/// What the registry asked for in its 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scheme {
    Bearer { realm: Url, service: Option<String> },
    Basic,
}

/// Choose from the challenges of every WWW-Authenticate header: Bearer first (what registries
/// use), then Basic.
pub(crate) fn scheme_from(headers: &HeaderMap, endpoint: &str) -> Result<Scheme, RegistryError> {
    let auth_err = |reason: String| RegistryError::Auth {
        endpoint: endpoint.to_string(),
        reason,
    };
    let mut challenges: Vec<Challenge> = Vec::new();
    for v in headers.get_all(http::header::WWW_AUTHENTICATE) {
        let text = v
            .to_str()
            .map_err(|_| auth_err("the WWW-Authenticate header is not ASCII text".into()))?;
        challenges.extend(
            challenge::parse(text)
                .map_err(|e| auth_err(format!("malformed WWW-Authenticate header: {e}")))?,
        );
    }
    if challenges.is_empty() {
        return Err(auth_err(
            "HTTP 401 without a WWW-Authenticate header, so there is no way to log in".into(),
        ));
    }
    if let Some(c) = challenges.iter().find(|c| c.scheme == "bearer") {
        let realm = c
            .param("realm")
            .ok_or_else(|| auth_err("the Bearer challenge has no realm".into()))?;
        let realm = Url::parse(realm)
            .map_err(|e| auth_err(format!("the Bearer realm is not an absolute URL ({e})")))?;
        return Ok(Scheme::Bearer {
            realm,
            service: c.param("service").map(str::to_string),
        });
    }
    if challenges.iter().any(|c| c.scheme == "basic") {
        return Ok(Scheme::Basic);
    }
    let names: Vec<&str> = challenges.iter().map(|c| c.scheme.as_str()).collect();
    Err(auth_err(format!(
        "unsupported authentication scheme(s): {} (Bearer and Basic are supported)",
        names.join(", ")
    )))
}

struct CachedToken {
    header: HeaderValue,
    expires: Instant,
}

/// The registry's scheme (learnt from the first 401) and the tokens fetched so far.
#[derive(Default)]
pub(crate) struct AuthState {
    scheme: Mutex<Option<Scheme>>,
    tokens: Mutex<HashMap<(String, String), CachedToken>>,
}

impl AuthState {
    pub(crate) fn set_scheme(&self, s: Scheme) {
        *self.scheme.lock() = Some(s);
    }

    /// Forget the token for `scope` (refused by the registry: expired early or revoked).
    pub(crate) fn invalidate(&self, scope: &str) {
        if let Some(Scheme::Bearer { realm, .. }) = &*self.scheme.lock() {
            self.tokens
                .lock()
                .remove(&(realm.to_string(), scope.to_string()));
        }
    }

    /// The Authorization header for a request needing `scope`: a cached token (a new one when the
    /// cached one has expired), Basic credentials, or none before the registry asked.
    pub(crate) async fn header(
        &self,
        transport: &Transport,
        credentials: Option<&Credentials>,
        scope: &str,
        endpoint: &str,
    ) -> Result<Option<HeaderValue>, RegistryError> {
        let scheme = self.scheme.lock().clone();
        match scheme {
            None => Ok(None),
            Some(Scheme::Basic) => match credentials {
                Some(c) => Ok(Some(c.basic_header()?)),
                None => Err(RegistryError::Auth {
                    endpoint: endpoint.to_string(),
                    reason: "the registry asks for a user name and password (Basic), and none \
                             were given"
                        .into(),
                }),
            },
            Some(Scheme::Bearer { realm, service }) => {
                let key = (realm.to_string(), scope.to_string());
                if let Some(t) = self.tokens.lock().get(&key)
                    && t.expires > Instant::now()
                {
                    return Ok(Some(t.header.clone()));
                }
                let token =
                    fetch_token(transport, credentials, &realm, service.as_deref(), scope).await?;
                let header = token.header.clone();
                self.tokens.lock().insert(key, token);
                Ok(Some(header))
            }
        }
    }
}

/// GET realm?service=…&scope=…, with Basic credentials when the caller gave some.
async fn fetch_token(
    transport: &Transport,
    credentials: Option<&Credentials>,
    realm: &Url,
    service: Option<&str>,
    scope: &str,
) -> Result<CachedToken, RegistryError> {
    let mut url = realm.clone();
    {
        let mut q = url.query_pairs_mut();
        if let Some(s) = service {
            q.append_pair("service", s);
        }
        q.append_pair("scope", scope);
    }
    let ep = endpoint(&Method::GET, &url);
    let mut headers = HeaderMap::new();
    if let Some(c) = credentials {
        headers.insert(http::header::AUTHORIZATION, c.basic_header()?);
    }
    let requested = Instant::now();
    let resp = transport.send(Method::GET, &url, headers).await?;
    let status = resp.status();
    let body = transport
        .read_capped(&ep, resp, TOKEN_CAP, "token response")
        .await?;
    if !status.is_success() {
        let who = if credentials.is_some() {
            "refused the credentials"
        } else {
            "refused an anonymous token"
        };
        return Err(RegistryError::Auth {
            endpoint: ep,
            reason: format!("the token endpoint {who} (HTTP {})", status.as_u16()),
        });
    }
    #[derive(serde::Deserialize)]
    struct TokenBody {
        token: Option<String>,
        access_token: Option<String>,
        expires_in: Option<u64>,
    }
    let parsed: TokenBody = serde_json::from_slice(&body)
        .map_err(|e| RegistryError::bad(&ep, format!("the token response is not JSON ({e})")))?;
    let token = parsed
        .token
        .filter(|t| !t.is_empty())
        .or(parsed.access_token.filter(|t| !t.is_empty()))
        .ok_or_else(|| RegistryError::bad(&ep, "the token response has no token"))?;
    let mut header = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| RegistryError::bad(&ep, "the token is not a valid header value"))?;
    header.set_sensitive(true);
    let lifetime = parsed
        .expires_in
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TOKEN_LIFETIME);
    // Short-lived tokens are used as they are; only long ones are renewed early.
    let lifetime = if lifetime > 2 * EXPIRY_MARGIN {
        lifetime - EXPIRY_MARGIN
    } else {
        lifetime
    };
    tracing::debug!(endpoint = %ep, lifetime_s = lifetime.as_secs(), "got a registry token");
    Ok(CachedToken {
        header,
        expires: requested + lifetime,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(http::header::WWW_AUTHENTICATE, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn bearer_is_preferred_and_needs_a_realm() {
        let s = scheme_from(
            &headers(&[
                r#"Basic realm="r""#,
                r#"Bearer realm="http://127.0.0.1/token",service="s""#,
            ]),
            "GET x",
        )
        .unwrap();
        assert_eq!(
            s,
            Scheme::Bearer {
                realm: Url::parse("http://127.0.0.1/token").unwrap(),
                service: Some("s".into())
            }
        );
        assert_eq!(
            scheme_from(&headers(&["basic realm=r"]), "x").unwrap(),
            Scheme::Basic
        );
        let e = scheme_from(&headers(&["Bearer service=s"]), "x").unwrap_err();
        assert!(e.to_string().contains("no realm"), "{e}");
        let e = scheme_from(&headers(&[r#"Bearer realm="/token""#]), "x").unwrap_err();
        assert!(e.to_string().contains("not an absolute URL"), "{e}");
        let e = scheme_from(&headers(&[]), "x").unwrap_err();
        assert!(e.to_string().contains("without a WWW-Authenticate"), "{e}");
        let e = scheme_from(&headers(&["Digest realm=x"]), "x").unwrap_err();
        assert!(e.to_string().contains("unsupported"), "{e}");
    }

    #[test]
    fn secrets_do_not_debug_print() {
        let c = Credentials {
            username: "AWS".into(),
            password: Secret::new("hunter2"),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(c.basic_header().unwrap().is_sensitive());
    }
}
