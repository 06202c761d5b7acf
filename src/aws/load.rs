//! Paginated loads as streams of pages (maxResults 1,000).
//!
//! Dropping the stream (or aborting the task that polls it) cancels the load: no further request
//! is sent. Each page carries the token for the one after it, so a load that failed part-way can be
//! resumed from the last good page instead of from zero.

use std::future::Future;
use std::pin::Pin;

use aws_sdk_ecrpublic::types as sdk;
use futures::Stream;

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

/// Drive `fetch(token)` until a page has no next token; an error ends the stream after it is
/// yielded.
fn paged<T, F, Fut>(start: Option<String>, fetch: F) -> PageStream<T>
where
    T: Send + 'static,
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), AwsError>> + Send + 'static,
{
    // `Some(token)` = another request to make; `None` = finished.
    let state = (fetch, Some(start), 0usize);
    Box::pin(futures::stream::unfold(
        state,
        |(mut fetch, token, number)| async move {
            let token = token?;
            let number = number + 1;
            match fetch(token).await {
                Ok((rows, next)) => {
                    // A service that answers an empty token means the end, as a missing one does.
                    let next = next.filter(|t| !t.is_empty());
                    let page = Page {
                        rows,
                        next_token: next.clone(),
                        number,
                    };
                    Some((Ok(page), (fetch, next.map(Some), number)))
                }
                Err(e) => Some((Err(e), (fetch, None, number))),
            }
        },
    ))
}

impl Api {
    pub fn registries(&self, start: Option<String>) -> PageStream<RegistryRow> {
        let client = self.client.clone();
        let page_size = self.page_size;
        paged(start, move |token| {
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
        paged(start, move |token| {
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
        paged(start, move |token| {
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
        paged(start, move |token| {
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
