//! Paginated loads as streams of pages (maxResults 1,000).
//!
//! Dropping the stream (or aborting the task that polls it) cancels the load: no further request
//! is sent. Each page carries the token for the one after it, so a load that failed part-way can be
//! resumed from the last good page instead of from zero.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws_sdk_ecrpublic::types as sdk;
use futures::Stream;

use super::error::{INVALID_RESPONSE, PAGINATION_LOOP, TOO_MANY_ROWS};
use super::rows::{ImageRow, MediaTypes, RegistryRow, RepoRow, TagRow};
use super::{Api, AwsError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Token for the next page; `None` on the last page.
    pub next_token: Option<String>,
    /// 1 for the first page of this stream.
    pub number: usize,
}

pub type PageStream<T> = Pin<Box<dyn Stream<Item = Result<Page<T>, AwsError>> + Send>>;

/// What a listing will take from an endpoint before it stops with an error: a service that
/// repeats or cycles its tokens, answers pages larger than asked, or pages on without rows would
/// otherwise make a listing run (and grow) forever.
#[derive(Debug, Clone)]
pub(super) struct Guard {
    /// The operation and where it is sent, for the error message.
    pub op: &'static str,
    pub endpoint: Arc<str>,
    /// The maxResults asked for: a page with more rows is refused whole.
    pub max_rows: usize,
}

/// Rows one listing may hold: ten times the 100,000 images a repository is expected to have.
pub const MAX_LISTING_ROWS: usize = 1_000_000;
/// Pages in a row with a next token but no rows: a service may answer a few (AWS APIs do), a
/// hundred is one that pages on without end.
pub const MAX_EMPTY_PAGES: usize = 100;
/// Longest next token sent back. Real tokens are a few hundred bytes; each request repeats it.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

impl Guard {
    fn error(&self, code: &str, what: String) -> AwsError {
        AwsError::new(
            code,
            format!(
                "{} at {}: {what}",
                self.op,
                crate::sanitize::clean_line(&self.endpoint)
            ),
        )
    }
}

/// The state a listing keeps between pages.
struct Progress<F> {
    fetch: F,
    /// `Some(token)` = another request to make; `None` = finished.
    next: Option<Option<String>>,
    number: usize,
    rows: usize,
    empty_in_a_row: usize,
    /// A digest of every token handed out so far, with the page that handed it out (digests: a
    /// hostile endpoint's tokens can be long, and only their identity matters).
    seen: HashMap<[u8; 32], usize>,
    /// An error to yield after the page that revealed it.
    failed: Option<AwsError>,
}

fn token_digest(token: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).into()
}

/// Drive `fetch(token)` until a page has no next token; an error ends the stream after it is
/// yielded. `guard` ends it with an error when the endpoint would make it loop or grow unbounded.
fn paged<T, F, Fut>(start: Option<String>, guard: Guard, fetch: F) -> PageStream<T>
where
    T: Send + 'static,
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), AwsError>> + Send + 'static,
{
    let mut seen = HashMap::new();
    if let Some(t) = &start {
        seen.insert(token_digest(t), 0);
    }
    let state = Progress {
        fetch,
        next: Some(start),
        number: 0,
        rows: 0,
        empty_in_a_row: 0,
        seen,
        failed: None,
    };
    Box::pin(futures::stream::unfold(state, move |mut st| {
        let guard = guard.clone();
        async move {
            if let Some(e) = st.failed.take() {
                st.next = None;
                return Some((Err(e), st));
            }
            let token = st.next.take()?;
            st.number += 1;
            let (rows, next) = match (st.fetch)(token).await {
                Ok(answer) => answer,
                Err(e) => return Some((Err(e.context(guard.op, &guard.endpoint)), st)),
            };
            if rows.len() > guard.max_rows {
                let e = guard.error(
                    TOO_MANY_ROWS,
                    format!(
                        "page {} has {} rows for maxResults {}; none of them were kept",
                        st.number,
                        rows.len(),
                        guard.max_rows
                    ),
                );
                return Some((Err(e), st));
            }
            st.rows += rows.len();
            if st.rows > MAX_LISTING_ROWS {
                let e = guard.error(
                    TOO_MANY_ROWS,
                    format!(
                        "more than {MAX_LISTING_ROWS} rows in one listing; it stops at page {}",
                        st.number
                    ),
                );
                return Some((Err(e), st));
            }
            // A service that answers an empty token means the end, as a missing one does.
            let next = next.filter(|t| !t.is_empty());
            st.empty_in_a_row = if rows.is_empty() && next.is_some() {
                st.empty_in_a_row + 1
            } else {
                0
            };
            if let Some(t) = &next {
                if t.len() > MAX_TOKEN_BYTES {
                    st.failed = Some(guard.error(
                        INVALID_RESPONSE,
                        format!(
                            "page {} ends with a nextToken of {} bytes (ecrp sends back at most \
                             {MAX_TOKEN_BYTES}); the listing stops after it",
                            st.number,
                            t.len()
                        ),
                    ));
                } else if let Some(first) = st.seen.insert(token_digest(t), st.number) {
                    st.failed = Some(guard.error(
                        PAGINATION_LOOP,
                        format!(
                            "page {} hands out the same nextToken as page {first}, so the \
                             listing would never end; it stops after {} rows",
                            st.number, st.rows
                        ),
                    ));
                } else if st.empty_in_a_row >= MAX_EMPTY_PAGES {
                    st.failed = Some(guard.error(
                        PAGINATION_LOOP,
                        format!(
                            "{MAX_EMPTY_PAGES} pages in a row without a row, each with another \
                             nextToken; the listing stops after {} rows",
                            st.rows
                        ),
                    ));
                }
            }
            let page = Page {
                rows,
                next_token: next.clone(),
                number: st.number,
            };
            st.next = next.map(Some);
            Some((Ok(page), st))
        }
    }))
}

impl Api {
    fn listing(&self, op: &'static str) -> Guard {
        Guard {
            op,
            endpoint: self.endpoint.clone(),
            max_rows: self.page_size as usize,
        }
    }

    pub fn registries(&self, start: Option<String>) -> PageStream<RegistryRow> {
        let client = self.client.clone();
        let page_size = self.page_size;
        paged(start, self.listing("DescribeRegistries"), move |token| {
            let req = client
                .describe_registries()
                .max_results(page_size)
                .set_next_token(token);
            async move {
                let out = req.send().await?;
                let rows = out
                    .registries
                    .into_iter()
                    .map(RegistryRow::from_sdk)
                    .collect();
                Ok((rows, out.next_token))
            }
        })
    }

    pub fn repositories(&self, start: Option<String>) -> PageStream<RepoRow> {
        let client = self.client.clone();
        let page_size = self.page_size;
        paged(start, self.listing("DescribeRepositories"), move |token| {
            let req = client
                .describe_repositories()
                .max_results(page_size)
                .set_next_token(token);
            async move {
                let out = req.send().await?;
                let rows = out
                    .repositories
                    .unwrap_or_default()
                    .into_iter()
                    .map(RepoRow::from_sdk)
                    .collect();
                Ok((rows, out.next_token))
            }
        })
    }

    /// A repository's images as the SDK returns them. `images` converts each page as it arrives;
    /// this form lets a consumer convert elsewhere, off the task that fetches (`ecrp ls` converts
    /// and writes while the next page is in flight).
    pub fn image_details(&self, repo: &str, start: Option<String>) -> PageStream<sdk::ImageDetail> {
        let client = self.client.clone();
        let page_size = self.page_size;
        let repo = repo.to_string();
        let registry = self.registry_id.clone();
        paged(start, self.listing("DescribeImages"), move |token| {
            let req = client
                .describe_images()
                .set_registry_id(registry.clone())
                .repository_name(&repo)
                .max_results(page_size)
                .set_next_token(token);
            async move {
                let out = req.send().await?;
                Ok((out.image_details.unwrap_or_default(), out.next_token))
            }
        })
    }

    pub fn images(&self, repo: &str, start: Option<String>) -> PageStream<ImageRow> {
        // One interner across pages: 100,000 rows share a handful of media-type strings.
        let mut media = MediaTypes::default();
        converted(self.image_details(repo, start), move |d| {
            ImageRow::from_sdk(d, &mut media)
        })
    }

    /// A repository's tags as the SDK returns them (see `image_details`).
    pub fn image_tag_details(
        &self,
        repo: &str,
        start: Option<String>,
    ) -> PageStream<sdk::ImageTagDetail> {
        let client = self.client.clone();
        let page_size = self.page_size;
        let repo = repo.to_string();
        let registry = self.registry_id.clone();
        paged(start, self.listing("DescribeImageTags"), move |token| {
            let req = client
                .describe_image_tags()
                .set_registry_id(registry.clone())
                .repository_name(&repo)
                .max_results(page_size)
                .set_next_token(token);
            async move {
                let out = req.send().await?;
                Ok((out.image_tag_details.unwrap_or_default(), out.next_token))
            }
        })
    }

    pub fn image_tags(&self, repo: &str, start: Option<String>) -> PageStream<TagRow> {
        let mut media = MediaTypes::default();
        converted(self.image_tag_details(repo, start), move |t| {
            TagRow::from_sdk(t, &mut media)
        })
    }
}

impl<T> Page<T> {
    /// The same page with every row converted (into a vector of exactly its length).
    fn map_rows<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        let mut rows = Vec::with_capacity(self.rows.len());
        rows.extend(self.rows.into_iter().map(f));
        Page {
            rows,
            next_token: self.next_token,
            number: self.number,
        }
    }
}

/// `pages` with each page's rows converted by `f` as it is yielded (state such as an interner
/// lives in `f`, owned by the stream: no lock).
fn converted<R, T>(
    pages: PageStream<R>,
    mut f: impl FnMut(R) -> T + Send + 'static,
) -> PageStream<T>
where
    R: Send + 'static,
    T: Send + 'static,
{
    use futures::StreamExt;
    Box::pin(pages.map(move |p| p.map(|p| p.map_rows(&mut f))))
}

/// Collect every page of a stream (for `ecrp ls` and tests).
pub async fn collect_all<T>(mut s: PageStream<T>) -> Result<Vec<T>, AwsError> {
    use futures::StreamExt;
    let mut all = Vec::new();
    while let Some(page) = s.next().await {
        all.extend(page?.rows);
    }
    Ok(all)
}
