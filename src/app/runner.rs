//! The effect runner: each `Effect` runs in a tokio task and answers with `Msg`s on a channel.
//! Paged loads keep an abort handle per list, so cancelling one stops its requests at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use tokio::sync::{Semaphore, mpsc::UnboundedSender};
use tokio::task::AbortHandle;

use super::msg::{Effect, ListId, Msg, PageRows};
use crate::aws::{self, Api, AwsError, Page, PageStream};

/// Lazy catalog fetches for visible rows run a few at a time, so a tall terminal does not fire
/// dozens of requests at once.
const CATALOG_CONCURRENCY: usize = 4;

pub struct Runner {
    tx: UnboundedSender<Msg>,
    read_only: bool,
    api: Arc<Mutex<Option<Api>>>,
    loads: HashMap<ListId, AbortHandle>,
    in_flight: Arc<AtomicUsize>,
    catalogs: Arc<Semaphore>,
}

/// Counts a task as in flight until it ends or is aborted.
struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Runner {
    pub fn new(tx: UnboundedSender<Msg>, read_only: bool) -> Self {
        Runner {
            tx,
            read_only,
            api: Arc::new(Mutex::new(None)),
            loads: HashMap::new(),
            in_flight: Arc::new(AtomicUsize::new(0)),
            catalogs: Arc::new(Semaphore::new(CATALOG_CONCURRENCY)),
        }
    }

    /// Tasks still running (tests wait for 0 to know the app is idle; a task sends its messages
    /// before it stops counting).
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    fn spawn<F>(&self, fut: F) -> AbortHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let guard = InFlight(self.in_flight.clone());
        tokio::spawn(async move {
            let _guard = guard;
            fut.await;
        })
        .abort_handle()
    }

    fn api(&self) -> Result<Api, AwsError> {
        self.api
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| AwsError::new("NotConnected", "the client is not ready yet"))
    }

    pub fn run(&mut self, effect: Effect) {
        let tx = self.tx.clone();
        match effect {
            Effect::Connect(opts) => {
                let slot = self.api.clone();
                let read_only = self.read_only;
                self.spawn(async move {
                    let (client, info) = aws::connect(&opts).await;
                    *slot.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some(Api::new(client, read_only));
                    let _ = tx.send(Msg::Connected(info));
                });
            }
            Effect::Cancel(list) => {
                if let Some(h) = self.loads.remove(&list) {
                    h.abort();
                }
            }
            Effect::Load {
                list,
                generation,
                repo,
                token,
            } => {
                if let Some(h) = self.loads.remove(&list) {
                    h.abort();
                }
                let api = match self.api() {
                    Ok(a) => a,
                    Err(error) => {
                        let _ = tx.send(Msg::PageFailed {
                            list,
                            generation,
                            error,
                        });
                        return;
                    }
                };
                let repo = repo.as_deref().unwrap_or_default();
                let handle = match list {
                    ListId::Registries => self.spawn(drive(
                        api.registries(token),
                        PageRows::Registries,
                        list,
                        generation,
                        tx,
                    )),
                    ListId::Repositories => self.spawn(drive(
                        api.repositories(token),
                        PageRows::Repositories,
                        list,
                        generation,
                        tx,
                    )),
                    ListId::Images => self.spawn(drive(
                        api.images(repo, token),
                        PageRows::Images,
                        list,
                        generation,
                        tx,
                    )),
                    ListId::Tags => self.spawn(drive(
                        api.image_tags(repo, token),
                        PageRows::Tags,
                        list,
                        generation,
                        tx,
                    )),
                };
                self.loads.insert(list, handle);
            }
            Effect::RegistryName => {
                let api = self.api();
                self.spawn(async move {
                    let r = match api {
                        Ok(api) => api.registry_display_name().await,
                        Err(e) => Err(e),
                    };
                    let _ = tx.send(Msg::RegistryName(r));
                });
            }
            Effect::Catalog(repo) => {
                let api = self.api();
                let permits = self.catalogs.clone();
                self.spawn(async move {
                    let _permit = permits.acquire_owned().await;
                    let r = match api {
                        Ok(api) => api.repository_catalog(&repo).await,
                        Err(e) => Err(e),
                    };
                    let _ = tx.send(Msg::Catalog(repo, r));
                });
            }
            Effect::Policy(repo) => {
                let api = self.api();
                self.spawn(async move {
                    let r = match api {
                        Ok(api) => api.repository_policy(&repo).await,
                        Err(e) => Err(e),
                    };
                    let _ = tx.send(Msg::Policy(repo, r));
                });
            }
            Effect::ResourceTags(_repo, arn) => {
                let api = self.api();
                self.spawn(async move {
                    let r = match api {
                        Ok(api) => api.list_tags(&arn).await,
                        Err(e) => Err(e),
                    };
                    let _ = tx.send(Msg::ResourceTags(arn, r));
                });
            }
        }
    }
}

/// Send each page as it arrives; a failure ends the load (the app keeps the rows and the token).
async fn drive<T>(
    mut stream: PageStream<T>,
    wrap: fn(Page<T>) -> PageRows,
    list: ListId,
    generation: u64,
    tx: UnboundedSender<Msg>,
) where
    T: Send + 'static,
{
    while let Some(page) = stream.next().await {
        let msg = match page {
            Ok(p) => Msg::Page {
                generation,
                rows: wrap(p),
            },
            Err(error) => Msg::PageFailed {
                list,
                generation,
                error,
            },
        };
        let failed = matches!(msg, Msg::PageFailed { .. });
        // The app is gone (quitting): nothing left to do.
        if tx.send(msg).is_err() || failed {
            return;
        }
    }
}
