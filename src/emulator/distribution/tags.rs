//! `GET /v2/<name>/tags/list?n=&last=`: tags in lexical order, a page at a time, with a `Link`
//! header naming the next page as the distribution spec describes.

use std::ops::Bound;
use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::errors::{RegError, RegResult};
use super::{Shared, resolve};

/// Largest page (and the page size without `n`), so one request never lists 100,000 tags.
pub const MAX_PAGE: usize = 1000;

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), percent_decode(v))
        })
        .collect()
}

/// Tags pushed through PutImage may hold any character: escape all but the unreserved ones.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn list(shared: &Arc<Shared>, name: &str, query: Option<&str>) -> RegResult<Response> {
    let pairs = query_pairs(query);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let n = match get("n") {
        None => MAX_PAGE,
        Some(v) => v.parse::<usize>().map_err(|_| {
            RegError::new(400, "PAGINATION_NUMBER_INVALID", "n must be a whole number")
        })?,
    }
    .min(MAX_PAGE);
    let last = get("last").map(str::to_string);
    let (tags, more) = {
        let state = shared.state.lock();
        let repo = state
            .repo(resolve(&state, name)?)
            .map_err(|_| RegError::name_unknown(name))?;
        let start = match &last {
            Some(l) => Bound::Excluded(l.clone()),
            None => Bound::Unbounded,
        };
        let mut page: Vec<String> = repo
            .image_tags
            .range((start, Bound::Unbounded))
            .take(n + 1)
            .map(|(t, _)| t.clone())
            .collect();
        let more = page.len() > n;
        page.truncate(n);
        (page, more)
    };
    let body = json!({ "name": name, "tags": tags }).to_string();
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let (true, Some(last)) = (more, tags.last()) {
        let link = format!(
            "</v2/{name}/tags/list?n={n}&last={}>; rel=\"next\"",
            percent_encode(last)
        );
        if let Ok(v) = HeaderValue::from_str(&link) {
            h.insert(header::LINK, v);
        }
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips() {
        for t in ["v1.2_3-x", "a b/c%d", "é"] {
            assert_eq!(percent_decode(&percent_encode(t)), t);
        }
        assert_eq!(percent_encode("a/b"), "a%2Fb");
    }
}
