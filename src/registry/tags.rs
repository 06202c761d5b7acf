//! Tag listing: `/v2/<name>/tags/list?n=…`, page after page by the `Link` header. A server that
//! sends a page twice (a cycling or repeated Link) or more tags than the cap is stopped with an
//! error naming the endpoint, instead of looping or filling memory.

use std::collections::HashSet;

use http::{HeaderMap, Method};
use url::Url;

use super::blobs::JSON_CAP;
use super::client::{RegistryClient, same_origin};
use super::error::RegistryError;
use super::manifest::pull_scope;
use super::transport::endpoint;

impl RegistryClient {
    /// Every tag of `name`, in the order the registry lists them.
    pub async fn list_tags(&self, name: &str) -> Result<Vec<String>, RegistryError> {
        let mut tags = Vec::new();
        self.list_tags_paged(name, &mut |page| {
            tags.extend_from_slice(page);
            true
        })
        .await?;
        Ok(tags)
    }

    /// The tags of `name` page by page as they arrive (a screen shows the first page after one
    /// round trip); `on_page` returning false stops the listing. Returns how many were listed.
    pub async fn list_tags_paged(
        &self,
        name: &str,
        on_page: &mut (dyn FnMut(&[String]) -> bool + Send),
    ) -> Result<usize, RegistryError> {
        let mut url = self.url(name, "tags/list");
        url.query_pairs_mut()
            .append_pair("n", &self.opts.tags_page_size.to_string());
        let listing = endpoint(&Method::GET, &url);
        let mut seen: HashSet<String> = HashSet::new();
        let mut listed = 0usize;
        loop {
            seen.insert(url.to_string());
            let ep = endpoint(&Method::GET, &url);
            let resp = self
                .request(Method::GET, url.clone(), &pull_scope(name), None)
                .await?;
            let next = next_link(&url, resp.headers(), &ep)?;
            let body = self
                .transport
                .read_capped(&ep, resp, JSON_CAP, "tag list page")
                .await?;
            #[derive(serde::Deserialize)]
            struct Page {
                #[serde(default)]
                tags: Option<Vec<String>>,
            }
            let page: Page = serde_json::from_slice(&body)
                .map_err(|e| RegistryError::bad(&ep, format!("the tag list is not valid ({e})")))?;
            let page = page.tags.unwrap_or_default();
            if listed + page.len() > self.opts.max_tags {
                return Err(RegistryError::Paging {
                    endpoint: listing,
                    reason: format!(
                        "more than {} tags; stopped (the cap on tags held in memory)",
                        self.opts.max_tags
                    ),
                });
            }
            listed += page.len();
            if !on_page(&page) {
                return Ok(listed);
            }
            let Some(next) = next else {
                return Ok(listed);
            };
            if !same_origin(&next, &url) {
                return Err(RegistryError::Paging {
                    endpoint: listing,
                    reason: "the Link header points to another host; stopped".into(),
                });
            }
            if seen.contains(next.as_str()) {
                return Err(RegistryError::Paging {
                    endpoint: listing,
                    reason: format!(
                        "the Link header leads back to a page already read (after {listed} tags); \
                         stopped instead of looping"
                    ),
                });
            }
            url = next;
        }
    }
}

/// The `rel="next"` target of the Link header(s), resolved against the page's URL.
fn next_link(base: &Url, headers: &HeaderMap, ep: &str) -> Result<Option<Url>, RegistryError> {
    for v in headers.get_all(http::header::LINK) {
        let text = v
            .to_str()
            .map_err(|_| RegistryError::bad(ep, "the Link header is not text"))?;
        for link in split_links(text) {
            let Some((target, params)) = parse_link(link) else {
                return Err(RegistryError::bad(
                    ep,
                    "malformed Link header (expected <URL>; rel=\"next\")",
                ));
            };
            let is_next = params.split(';').any(|p| {
                let p = p.trim();
                p.split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("rel")
                        && v.trim()
                            .trim_matches('"')
                            .split_ascii_whitespace()
                            .any(|r| r.eq_ignore_ascii_case("next"))
                })
            });
            if is_next {
                return base.join(target).map(Some).map_err(|e| {
                    RegistryError::bad(ep, format!("the Link target is not a URL ({e})"))
                });
            }
        }
    }
    Ok(None)
}

/// Split `<a>; rel="next", <b>; rel="prev"` at the commas between links (not inside `<…>` or quotes).
fn split_links(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut in_angle, mut in_quote) = (0, false, false);
    for (i, c) in s.char_indices() {
        match c {
            '<' if !in_quote => in_angle = true,
            '>' if !in_quote => in_angle = false,
            '"' if !in_angle => in_quote = !in_quote,
            ',' if !in_angle && !in_quote => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter().filter(|l| !l.trim().is_empty()).collect()
}

/// `<target>; params` → (target, params).
fn parse_link(link: &str) -> Option<(&str, &str)> {
    let rest = link.trim().strip_prefix('<')?;
    let (target, params) = rest.split_once('>')?;
    Some((target, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::LINK, v.parse().unwrap());
        h
    }

    #[test]
    fn next_links_relative_and_absolute() {
        let base = Url::parse("http://127.0.0.1:5000/v2/ns/app/tags/list?n=2").unwrap();
        let n = next_link(
            &base,
            &link(r#"</v2/ns/app/tags/list?n=2&last=b>; rel="next""#),
            "e",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            n.as_str(),
            "http://127.0.0.1:5000/v2/ns/app/tags/list?n=2&last=b"
        );
        let n = next_link(
            &base,
            &link(r#"<http://127.0.0.1:5000/x?a=1,2>; rel="prev", <http://127.0.0.1:5000/y>; rel=next"#),
            "e",
        )
        .unwrap()
        .unwrap();
        assert_eq!(n.path(), "/y");
        assert!(next_link(&base, &HeaderMap::new(), "e").unwrap().is_none());
        assert!(next_link(&base, &link("garbage"), "e").is_err());
    }
}
