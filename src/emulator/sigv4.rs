//! AWS Signature Version 4 verification (`--verify-sigv4 ACCESS_KEY:SECRET`), as the service does
//! it: rebuild the canonical request from what arrived (method, path, query, the signed headers,
//! the SHA-256 of the body actually received), derive the signing key for the credential scope
//! and compare signatures in constant time. A request dated more than 15 minutes from the server's
//! clock is refused too.

use std::fmt;

use axum::http::{HeaderMap, Method, Uri};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::error::ApiError;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const SERVICE: &str = "ecr-public";
const MAX_SKEW_MS: i64 = 15 * 60 * 1000;
/// Longest validity of a presigned request (X-Amz-Expires), 7 days as in every AWS service.
const MAX_PRESIGN_SECS: i64 = 7 * 24 * 3600;

/// The one access key the emulator accepts and its secret. Debug never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SigV4Key {
    pub access_key: String,
    secret: String,
}

impl fmt::Debug for SigV4Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigV4Key({}:<redacted>)", self.access_key)
    }
}

impl SigV4Key {
    /// `ACCESS_KEY:SECRET`, both non-empty (the secret may itself contain ':').
    pub fn parse(s: &str) -> Result<SigV4Key, String> {
        match s.split_once(':') {
            Some((ak, sk)) if !ak.is_empty() && !sk.is_empty() => Ok(SigV4Key {
                access_key: ak.to_string(),
                secret: sk.to_string(),
            }),
            _ => Err("expected ACCESS_KEY:SECRET, both non-empty".into()),
        }
    }
}

fn invalid_signature(message: impl Into<String>) -> ApiError {
    let mut e = ApiError::new("InvalidSignatureException", message);
    e.status = 403;
    e
}

fn mismatch() -> ApiError {
    invalid_signature(
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. Consult the service documentation \
         for details.",
    )
}

/// What a request was signed with, from the Authorization header or from the query string (the
/// Common Parameters `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`,
/// `X-Amz-Signature`, optionally `X-Amz-Expires`) of a presigned request.
struct Authorization {
    access_key: String,
    date: String,
    region: String,
    service: String,
    signed_headers: String,
    signature: String,
    /// `X-Amz-Expires` in seconds for the query form; None for the header form.
    expires: Option<i64>,
    query_form: bool,
}

/// `AKID/20260101/us-east-1/ecr-public/aws4_request` as (access key, date, region, service).
fn parse_scope(cred: &str) -> Option<(String, String, String, String)> {
    let mut scope = cred.split('/');
    let parts = (
        scope.next()?.to_string(),
        scope.next()?.to_string(),
        scope.next()?.to_string(),
        scope.next()?.to_string(),
    );
    (scope.next()? == "aws4_request" && scope.next().is_none()).then_some(parts)
}

fn parse_authorization(value: &str) -> Option<Authorization> {
    let rest = value.strip_prefix(ALGORITHM)?.trim_start();
    let (mut cred, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("Credential=") {
            cred = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            sig = Some(v);
        }
    }
    let (access_key, date, region, service) = parse_scope(cred?)?;
    Some(Authorization {
        access_key,
        date,
        region,
        service,
        signed_headers: signed?.to_string(),
        signature: sig?.to_string(),
        expires: None,
        query_form: false,
    })
}

/// Percent-decoding of one query component; None for an invalid escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The query's parameters, decoded, in order.
fn query_params(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode(k).unwrap_or_else(|| k.to_string()),
                percent_decode(v).unwrap_or_else(|| v.to_string()),
            )
        })
        .collect()
}

fn query_param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A presigned request's parameters, when `X-Amz-Algorithm` is among them. Missing members make
/// it None, which is refused as an incomplete signature.
fn parse_query_authorization(params: &[(String, String)]) -> Option<Authorization> {
    if query_param(params, "X-Amz-Algorithm")? != ALGORITHM {
        return None;
    }
    let (access_key, date, region, service) =
        parse_scope(query_param(params, "X-Amz-Credential")?)?;
    let expires = match query_param(params, "X-Amz-Expires") {
        Some(e) => Some(e.parse::<i64>().ok()?),
        None => None,
    };
    Some(Authorization {
        access_key,
        date,
        region,
        service,
        signed_headers: query_param(params, "X-Amz-SignedHeaders")?.to_string(),
        signature: query_param(params, "X-Amz-Signature")?.to_string(),
        expires,
        query_form: true,
    })
}

/// The access key id and region a request was signed for, from the Authorization header or the
/// query string, without checking the signature (the emulator without `--verify-sigv4` trusts it).
pub fn signed_scope(uri: &Uri, headers: &HeaderMap) -> Option<(String, String)> {
    if let Some(value) = headers.get("authorization") {
        let auth = parse_authorization(value.to_str().ok()?)?;
        return Some((auth.access_key, auth.region));
    }
    let auth = parse_query_authorization(&query_params(uri.query()))?;
    Some((auth.access_key, auth.region))
}

/// `20260101T120000Z` as epoch milliseconds.
fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000)
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length.
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts any key");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 wants.
fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The canonical query: every parameter but the signature itself, decoded then encoded the SigV4
/// way, sorted by name then value.
fn canonical_query(params: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "X-Amz-Signature")
        .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks one request; `now_ms` is the server's clock.
pub fn verify(
    key: &SigV4Key,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    now_ms: i64,
) -> Result<(), ApiError> {
    verify_for(SERVICE, key, method, uri, headers, body, now_ms)
}

fn verify_for(
    service: &str,
    key: &SigV4Key,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    now_ms: i64,
) -> Result<(), ApiError> {
    let params = query_params(uri.query());
    let auth = match headers.get("authorization") {
        Some(value) => value.to_str().ok().and_then(parse_authorization),
        None => parse_query_authorization(&params),
    }
    .ok_or_else(|| {
        let mut e = ApiError::new(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' \
             parameters in the AWS4-HMAC-SHA256 form (or the query string the X-Amz-Algorithm, \
             X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Signature parameters).",
        );
        e.status = 400;
        e
    })?;
    if auth.access_key != key.access_key {
        let mut e = ApiError::new(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        );
        e.status = 403;
        return Err(e);
    }
    if auth.service != service {
        return Err(invalid_signature(format!(
            "Credential should be scoped to correct service: '{service}'."
        )));
    }
    let amz_date = if auth.query_form {
        query_param(&params, "X-Amz-Date").unwrap_or("").to_string()
    } else {
        headers
            .get("x-amz-date")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let signed_at = parse_amz_date(&amz_date).ok_or_else(|| {
        invalid_signature("The request must contain a valid X-Amz-Date header (yyyyMMddTHHmmssZ).")
    })?;
    match auth.expires {
        // A presigned request is valid from its date for X-Amz-Expires seconds (at most 7 days).
        Some(secs) => {
            if !(1..=MAX_PRESIGN_SECS).contains(&secs) {
                return Err(invalid_signature(format!(
                    "X-Amz-Expires must be between 1 and {MAX_PRESIGN_SECS} seconds"
                )));
            }
            if signed_at - now_ms > MAX_SKEW_MS {
                return Err(invalid_signature("Request is not yet valid"));
            }
            if now_ms > signed_at + secs * 1000 {
                return Err(invalid_signature("Request has expired"));
            }
        }
        None if (now_ms - signed_at).abs() > MAX_SKEW_MS => {
            return Err(invalid_signature(format!(
                "Signature expired: {amz_date} is now outside 15 minutes of the server's time."
            )));
        }
        None => {}
    }
    if !amz_date.starts_with(&auth.date) || auth.date.len() != 8 {
        return Err(invalid_signature(
            "Credential should be scoped to a valid date, the date of X-Amz-Date.",
        ));
    }
    let names: Vec<&str> = auth.signed_headers.split(';').collect();
    if !names.contains(&"host") {
        return Err(invalid_signature("'Host' must be a signed header."));
    }
    let mut canonical_headers = String::new();
    for name in &names {
        let values: Vec<String> = headers
            .get_all(*name)
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let path = if uri.path().is_empty() {
        "/"
    } else {
        uri.path()
    };
    let canonical_request = format!(
        "{method}\n{}\n{}\n{canonical_headers}\n{}\n{}",
        uri_encode(path, true),
        canonical_query(&params),
        auth.signed_headers,
        hex::encode(Sha256::digest(body)),
    );
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let mut k = hmac(
        format!("AWS4{}", key.secret).as_bytes(),
        auth.date.as_bytes(),
    );
    for part in [auth.region.as_str(), auth.service.as_str(), "aws4_request"] {
        k = hmac(&k, part.as_bytes());
    }
    let expected = hex::encode(hmac(&k, string_to_sign.as_bytes()));
    if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        Ok(())
    } else {
        tracing::debug!(%canonical_request, "signature mismatch");
        Err(mismatch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_to_epoch() {
        assert_eq!(parse_amz_date("19700101T000000Z"), Some(0));
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(1_440_938_160_000));
        assert_eq!(parse_amz_date("20150830T1236Z"), None);
        assert_eq!(parse_amz_date("20151330T123600Z"), None);
    }

    #[test]
    fn keys_parse_and_hide_the_secret() {
        let k = SigV4Key::parse("AKID:se:cret").unwrap();
        assert_eq!(k.access_key, "AKID");
        assert_eq!(k.secret, "se:cret");
        assert!(!format!("{k:?}").contains("cret"));
        assert!(SigV4Key::parse("AKID").is_err());
        assert!(SigV4Key::parse(":x").is_err());
        assert!(SigV4Key::parse("x:").is_err());
    }

    #[test]
    fn presigned_requests_expire_and_need_every_parameter() {
        let key = SigV4Key::parse("AKIDEXAMPLE:secret").unwrap();
        let signed_at = parse_amz_date("20150830T123600Z").unwrap();
        let query = |extra: &str| -> Uri {
            format!(
                "/?X-Amz-Algorithm=AWS4-HMAC-SHA256\
                 &X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fecr-public%2Faws4_request\
                 &X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00{extra}"
            )
            .parse()
            .unwrap()
        };
        let mut h = HeaderMap::new();
        h.insert("host", "emu".parse().unwrap());
        let check = |uri: &Uri, now: i64| verify(&key, &Method::POST, uri, &h, b"{}", now);
        // Within its validity only the signature is wrong.
        let e = check(&query("&X-Amz-Expires=60"), signed_at + 59_000).unwrap_err();
        assert!(
            e.message.starts_with("The request signature we calculated"),
            "{}",
            e.message
        );
        let e = check(&query("&X-Amz-Expires=60"), signed_at + 61_000).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("InvalidSignatureException", "Request has expired")
        );
        let e = check(&query("&X-Amz-Expires=604801"), signed_at).unwrap_err();
        assert!(e.message.contains("X-Amz-Expires"), "{}", e.message);
        // Without X-Amz-Expires the header form's 15 minutes apply.
        let e = check(&query(""), signed_at + 16 * 60_000).unwrap_err();
        assert!(e.message.starts_with("Signature expired"), "{}", e.message);
        let partial: Uri = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00"
            .parse()
            .unwrap();
        assert_eq!(
            check(&partial, signed_at).unwrap_err().code,
            "IncompleteSignatureException"
        );
    }

    /// The example from the AWS documentation ("Examples of the complete Signature Version 4
    /// signing process", the IAM ListUsers GET request).
    #[test]
    fn the_documented_example_verifies() {
        let key = SigV4Key::parse("AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        let mut h = HeaderMap::new();
        h.insert("host", "iam.amazonaws.com".parse().unwrap());
        h.insert(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        h.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        let sig = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        h.insert(
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date, Signature={sig}"
            )
            .parse()
            .unwrap(),
        );
        let uri: Uri = "/?Action=ListUsers&Version=2010-05-08".parse().unwrap();
        let now = parse_amz_date("20150830T123600Z").unwrap();
        assert!(verify_for("iam", &key, &Method::GET, &uri, &h, b"", now).is_ok());
        // Scoped to IAM, it is refused here; a changed byte or a late arrival is refused there.
        let e = verify(&key, &Method::GET, &uri, &h, b"", now).unwrap_err();
        assert!(e.message.contains("ecr-public"), "{}", e.message);
        let e = verify_for("iam", &key, &Method::GET, &uri, &h, b"x", now).unwrap_err();
        assert_eq!((e.code, e.status), ("InvalidSignatureException", 403));
        assert!(e.message.starts_with("The request signature we calculated"));
        let late = now + 15 * 60 * 1000 + 1;
        let e = verify_for("iam", &key, &Method::GET, &uri, &h, b"", late).unwrap_err();
        assert!(e.message.starts_with("Signature expired"), "{}", e.message);
    }
}
