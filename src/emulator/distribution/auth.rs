//! Passwords and tokens. GetAuthorizationToken hands a password (`AWS:<password>`); `GET /token/`
//! turns Basic credentials carrying it into a token that may push, or hands an anonymous pull
//! token to anyone, as public.ecr.aws does. Both are HMAC-signed with a key made at start, carry
//! their expiry, and are checked by signature: nothing issued needs remembering, and a forged or
//! expired one is refused. Neither is ever logged.

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::emulator::limits::AUTH_TOKEN_TTL_SECS;

pub const SERVICE: &str = "public.ecr.aws";

#[derive(Clone)]
pub struct Keys {
    secret: [u8; 32],
    /// Lifetime of passwords and tokens (12 hours, as AWS's).
    pub ttl_secs: i64,
}

impl Default for Keys {
    fn default() -> Self {
        let mut secret = [0u8; 32];
        secret[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        secret[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        Keys {
            secret,
            ttl_secs: AUTH_TOKEN_TTL_SECS,
        }
    }
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("ttl_secs", &self.ttl_secs)
            .finish_non_exhaustive()
    }
}

/// What a valid bearer token allows.
#[derive(Debug, Clone, PartialEq)]
pub struct Access {
    /// The session logged in (its own rate-limit allowance).
    pub push: bool,
    /// Distinguishes sessions for rate limits.
    pub id: String,
    /// The repositories (`alias/name`) it may push to: those its scope asked push for, and only
    /// for a session that logged in. A token asked for one repository never pushes to another.
    pub push_to: Vec<String>,
}

impl Access {
    pub fn may_push(&self, name: &str) -> bool {
        self.push && self.push_to.iter().any(|r| r == name)
    }
}

/// The repositories `scope` parameters (`repository:NAME:pull,push`, one or several) ask push
/// for. Names outside the registry's alphabet are dropped: they could not be pushed to anyway,
/// and must not break the token's `|`/space-separated payload.
pub fn push_scopes<'a>(scopes: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = scopes
        .filter_map(|s| s.strip_prefix("repository:")?.rsplit_once(':'))
        .filter(|(_, actions)| actions.split(',').any(|a| a == "push" || a == "*"))
        .map(|(name, _)| name)
        .filter(|n| {
            !n.is_empty()
                && n.len() <= 512
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._/-".contains(c))
        })
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

impl Keys {
    fn mac(&self, kind: &str, payload: &str) -> Hmac<Sha256> {
        let mut m =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret).expect("HMAC accepts any key");
        // The kind is signed too, so a password is never accepted as a token or the reverse.
        m.update(kind.as_bytes());
        m.update(b"\n");
        m.update(payload.as_bytes());
        m
    }

    /// `payload` signed as `kind`: base64url(payload) "." hex(mac).
    pub fn seal(&self, kind: &str, payload: &str) -> String {
        let sig = hex::encode(self.mac(kind, payload).finalize().into_bytes());
        format!("{}.{sig}", URL_SAFE_NO_PAD.encode(payload))
    }

    /// The payload of a sealed value, if its signature holds.
    pub fn open(&self, kind: &str, sealed: &str) -> Option<String> {
        let (body, sig) = sealed.split_once('.')?;
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
        let sig = hex::decode(sig).ok()?;
        self.mac(kind, &payload).verify_slice(&sig).ok()?;
        Some(payload)
    }

    /// A fresh password for GetAuthorizationToken and its expiry in epoch ms. It starts with
    /// `ecrp-emulator-<access key>-` so a leak is easy to spot (tests look for it).
    pub fn password(&self, access_key: &str, now_ms: i64) -> (String, i64) {
        let exp = now_ms / 1000 + self.ttl_secs;
        let payload = format!("{exp}|{access_key}|{}", uuid::Uuid::new_v4().simple());
        let sealed = self.seal("password", &payload);
        (format!("ecrp-emulator-{access_key}-{sealed}"), exp * 1000)
    }

    pub fn check_password(&self, password: &str, now_ms: i64) -> bool {
        let Some((key, sealed)) = password
            .strip_prefix("ecrp-emulator-")
            .and_then(|rest| rest.split_once('-'))
        else {
            return false;
        };
        let Some(payload) = self.open("password", sealed) else {
            return false;
        };
        let mut parts = payload.split('|');
        let exp = parts.next().and_then(|e| e.parse::<i64>().ok());
        parts.next() == Some(key) && exp.is_some_and(|exp| now_ms / 1000 < exp)
    }

    /// A bearer token; `push` only for a session that logged in, to the repositories `push_to`.
    pub fn token(&self, push: bool, push_to: &[String], now_ms: i64) -> String {
        let exp = now_ms / 1000 + self.ttl_secs;
        let repos = if push {
            push_to.join(" ")
        } else {
            String::new()
        };
        let payload = format!(
            "{exp}|{}|{}|{repos}",
            u8::from(push),
            uuid::Uuid::new_v4().simple()
        );
        self.seal("token", &payload)
    }

    /// The access a token grants, or why it grants none.
    pub fn check_token(&self, token: &str, now_ms: i64) -> Result<Access, &'static str> {
        let payload = self.open("token", token).ok_or("the token is not valid")?;
        let mut parts = payload.split('|');
        let exp: i64 = parts
            .next()
            .and_then(|e| e.parse().ok())
            .ok_or("the token is not valid")?;
        let push = parts.next() == Some("1");
        let id = parts.next().unwrap_or_default().to_string();
        let push_to = parts
            .next()
            .unwrap_or_default()
            .split(' ')
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect();
        if now_ms / 1000 >= exp {
            return Err("the token has expired");
        }
        Ok(Access { push, id, push_to })
    }
}

/// The password of `Authorization: Basic base64(AWS:<password>)`, if the header has that form.
pub fn basic_password(headers: &HeaderMap) -> Option<Result<String, ()>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    Some(match decoded.as_deref().and_then(|d| d.split_once(':')) {
        Some(("AWS", password)) => Ok(password.to_string()),
        _ => Err(()),
    })
}

/// The token of `Authorization: Bearer <token>`, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

/// `http://<host>/token/` for the challenge: the Host the client used when it is a plain
/// host[:port], else the listening address (a hostile Host header never reaches a header).
pub fn realm(headers: &HeaderMap, listening: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or(listening);
    format!("http://{host}/token/")
}

pub fn challenge(realm: &str, scope: &str) -> String {
    format!("Bearer realm=\"{realm}\",service=\"{SERVICE}\",scope=\"{scope}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_passwords_are_checked_by_signature_kind_and_expiry() {
        let k = Keys::default();
        let now = 1_700_000_000_000;
        let (pw, exp) = k.password("AKID", now);
        assert!(pw.starts_with("ecrp-emulator-AKID-"));
        assert!(
            !k.check_password(&pw.replace("-AKID-", "-AKIE-"), now),
            "bound to the key"
        );
        assert_eq!(exp, now + AUTH_TOKEN_TTL_SECS * 1000);
        assert!(k.check_password(&pw, now));
        assert!(!k.check_password(&pw, exp));
        assert!(!Keys::default().check_password(&pw, now), "another key");
        assert!(k.check_token(&pw, now).is_err(), "a password is no token");
        let app = vec!["acme/app".to_string()];
        let t = k.token(true, &app, now);
        let access = k.check_token(&t, now).unwrap();
        assert!(access.may_push("acme/app") && !access.may_push("acme/other"));
        let anonymous = k.check_token(&k.token(false, &app, now), now).unwrap();
        assert!(!anonymous.push && !anonymous.may_push("acme/app"));
        assert_eq!(k.check_token(&t, exp), Err("the token has expired"));
        // Flipping the push bit breaks the signature.
        let (body, sig) = t.split_once('.').unwrap();
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(body).unwrap()).unwrap();
        let forged = format!(
            "{}.{sig}",
            URL_SAFE_NO_PAD.encode(payload.replace("|1|", "|0|"))
        );
        assert!(k.check_token(&forged, now).is_err());
    }

    #[test]
    fn only_push_scopes_with_plain_names_are_granted() {
        let scopes = [
            "repository:acme/app:pull,push",
            "repository:acme/base:pull",
            "repository:acme/x:*",
            "repository:acme/evil|1:push",
            "registry:catalog:*",
            "repository:acme/app:push",
        ];
        assert_eq!(
            push_scopes(scopes.into_iter()),
            vec!["acme/app".to_string(), "acme/x".to_string()]
        );
    }

    #[test]
    fn realm_uses_a_plain_host_header_only() {
        let mut h = HeaderMap::new();
        assert_eq!(realm(&h, "127.0.0.1:9"), "http://127.0.0.1:9/token/");
        h.insert(header::HOST, "localhost:5000".parse().unwrap());
        assert_eq!(realm(&h, "127.0.0.1:9"), "http://localhost:5000/token/");
        h.insert(header::HOST, "evil\"host".parse().unwrap());
        assert_eq!(realm(&h, "127.0.0.1:9"), "http://127.0.0.1:9/token/");
    }
}
