//! The runner's listing-cache and prefetch effects: cache files read and written off the async
//! threads (a failure only costs time, so it is logged), the rest timer, and the one prefetch in
//! flight.

use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;

use super::Runner;
use crate::app::msg::{Effect, ListId, Msg};
use crate::app::prefetch::Prefetched;
use crate::app::{cached, cached_start};
use crate::aws::{self, Api, AwsError};
use crate::cache::Key;

impl Runner {
    pub(super) fn run_cache(&mut self, effect: Effect, tx: UnboundedSender<Msg>) {
        match effect {
            Effect::ReadCache {
                client,
                list,
                store,
                key,
            } => {
                self.spawn(async move {
                    let k = key.clone();
                    let cached = tokio::task::spawn_blocking(move || read(&store, &k))
                        .await
                        .unwrap_or_else(|e| {
                            tracing::warn!("listing cache read failed: {e}");
                            None
                        });
                    let _ = tx.send(Msg::CacheRead {
                        client,
                        list,
                        key,
                        cached,
                    });
                });
            }
            Effect::ReadStartCache {
                client,
                opts,
                demo,
                store,
                identity,
            } => {
                self.spawn(async move {
                    // No guess (per-service endpoints): the lists read the cache once connected.
                    let Some(info) = aws::local_info(&opts).await else {
                        return;
                    };
                    let scope = cached::scope(&info, demo, identity);
                    let keys = [ListId::Registries, ListId::Repositories]
                        .map(|l| cached_start::key(l, scope.clone()));
                    let read =
                        tokio::task::spawn_blocking(move || keys.map(|k| read(&store, &k))).await;
                    let [registries, repos] = read.unwrap_or_else(|e| {
                        tracing::warn!("listing cache read failed: {e}");
                        [None, None]
                    });
                    let _ = tx.send(Msg::StartCache {
                        client,
                        scope: Box::new(scope),
                        registries,
                        repos,
                    });
                });
            }
            Effect::WriteCache { store, key, bytes } => {
                self.spawn(async move {
                    let path = store.path(&key);
                    let r =
                        tokio::task::spawn_blocking(move || store.write_bytes(&path, &bytes)).await;
                    // The cache only saves time: a failure is logged, never in the user's way.
                    match r {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => tracing::warn!("listing cache not saved: {e}"),
                        Err(e) => tracing::warn!("listing cache not saved: {e}"),
                    }
                });
            }
            Effect::RestTimer { seq, after } => {
                self.spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = tx.send(Msg::Rested { seq });
                });
            }
            Effect::Prefetch {
                client,
                seq,
                repo,
                cache,
            } => {
                if let Some(h) = self.prefetch.take() {
                    h.abort();
                }
                let api = self.api();
                self.prefetch = Some(self.spawn(async move {
                    let answer = match api {
                        Ok(api) => prefetch(api, repo, cache).await,
                        Err(e) => Err(e),
                    };
                    let _ = tx.send(Msg::Prefetched {
                        client,
                        seq,
                        answer,
                    });
                }));
            }
            Effect::CancelPrefetch => {
                if let Some(h) = self.prefetch.take() {
                    h.abort();
                }
            }
            _ => unreachable!("not a cache effect"),
        }
    }
}

/// The cached listing for `key`, with the index its rows are compared through built here, on
/// the blocking thread that decoded them, rather than on the UI's.
fn read(store: &crate::cache::Store, key: &Key) -> Option<Box<crate::cache::Cached>> {
    let mut c = store.read(key)?;
    c.index = Some(cached::index(&c));
    Some(Box::new(c))
}

/// The first page of `repo`'s images and, at the same time, the first page of its tags and the
/// cached listings of both (all in the prefetch's task, so one abort cancels them).
async fn prefetch(
    api: Api,
    repo: Box<str>,
    cache: Option<(crate::cache::Store, Box<Key>, Box<Key>)>,
) -> Result<Prefetched, AwsError> {
    let read = async move {
        let Some((store, images, tags)) = cache else {
            return (None, None);
        };
        tokio::task::spawn_blocking(move || (read(&store, &images), read(&store, &tags)))
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("listing cache read failed: {e}");
                (None, None)
            })
    };
    let mut pages = api.images(&repo, None);
    let mut tags = api.image_tags(&repo, None);
    let (page, (cached, tags_cached), tags) = futures::join!(pages.next(), read, tags.next());
    // A tags failure only costs the head start: opening the tags loads them and reports it.
    let tags = match tags {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            tracing::debug!(code = %e.code, "tags prefetch failed: {}", e.message);
            None
        }
        None => None,
    };
    let page = page.unwrap_or_else(|| {
        Err(AwsError::new(
            aws::INVALID_RESPONSE,
            "the image listing ended without a page",
        ))
    })?;
    Ok(Prefetched {
        repo,
        page,
        cached,
        tags,
        tags_cached,
    })
}
