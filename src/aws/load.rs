//! Paginated loads as streams of pages (maxResults 1,000).
//!
//! Dropping the stream (or aborting the task that polls it) cancels the load: no further request
//! is sent. Each page carries the token for the one after it, so a load that failed part-way can be
//! resumed from the last good page instead of from zero.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

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

    pub fn images(&self, repo: &str, start: Option<String>) -> PageStream<ImageRow> {
        let client = self.client.clone();
        let page_size = self.page_size;
        let repo = repo.to_string();
        // One interner across pages: 100,000 rows share a handful of media-type strings.
        let media = Arc::new(Mutex::new(MediaTypes::default()));
        paged(start, move |token| {
            let req = client
                .describe_images()
                .repository_name(&repo)
                .max_results(page_size)
                .set_next_token(token);
            let media = media.clone();
            async move {
                let out = req.send().await?;
                let mut media = media.lock().unwrap_or_else(|p| p.into_inner());
                let rows = out
                    .image_details
                    .unwrap_or_default()
                    .into_iter()
                    .map(|d| ImageRow::from_sdk(d, &mut media))
                    .collect();
                Ok((rows, out.next_token))
            }
        })
    }

    pub fn image_tags(&self, repo: &str, start: Option<String>) -> PageStream<TagRow> {
        let client = self.client.clone();
        let page_size = self.page_size;
        let repo = repo.to_string();
        let media = Arc::new(Mutex::new(MediaTypes::default()));
        paged(start, move |token| {
            let req = client
                .describe_image_tags()
                .repository_name(&repo)
                .max_results(page_size)
                .set_next_token(token);
            let media = media.clone();
            async move {
                let out = req.send().await?;
                let mut media = media.lock().unwrap_or_else(|p| p.into_inner());
                let rows = out
                    .image_tag_details
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| TagRow::from_sdk(t, &mut media))
                    .collect();
                Ok((rows, out.next_token))
            }
        })
    }
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
