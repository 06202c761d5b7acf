//! The effect runner: each `Effect` runs in a tokio task and answers with `Msg`s on a channel.
//! Paged loads keep an abort handle per list, so cancelling one stops its requests at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use tokio::sync::{Semaphore, mpsc::UnboundedSender};
use tokio::task::AbortHandle;

use super::index_reads;
use super::mutate::{self, DraftOp, DraftWriter};
use crate::app::msg::{Answer, Effect, ListId, Msg, Mutation, PageRows, Read};
use crate::aws::{self, Api, AwsError, Page, PageStream};
use crate::drafts::Drafts;

mod cache;
mod open;

/// Lazy catalog fetches for visible rows run a few at a time, so a tall terminal does not fire
/// dozens of requests at once.
const CATALOG_CONCURRENCY: usize = 4;

/// Where terminal escape sequences (OSC 52) go: the terminal's stdout, or a buffer in tests.
pub type TerminalOut = Arc<Mutex<dyn std::io::Write + Send>>;

pub struct Runner {
    tx: UnboundedSender<Msg>,
    read_only: bool,
    page_size: u32,
    out: TerminalOut,
    api: Arc<Mutex<Option<Api>>>,
    loads: HashMap<ListId, AbortHandle>,
    /// The prefetch in flight (at most one).
    prefetch: Option<AbortHandle>,
    in_flight: Arc<AtomicUsize>,
    /// Tasks started so far (tests count what an effect started).
    started: u64,
    catalogs: Arc<Semaphore>,
    /// Set to stop the running bulk delete after the chunks in flight.
    delete_stop: Option<Arc<std::sync::atomic::AtomicBool>>,
    drafts: DraftWriter,
    /// The registry API connection the multi-arch marks read index manifests through.
    index_reads: index_reads::Connection,
    /// The index reads running, stopped together with the listing they serve.
    index_tasks: Vec<AbortHandle>,
    /// Where public.ecr.aws's registry API is reached (from the client options), for retag.
    registry_url: Option<String>,
    /// The repository open in the `:open` view.
    open: Option<super::open_repo::Session>,
}

/// Counts a task as in flight until it ends or is aborted.
struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Runner {
    pub fn new(tx: UnboundedSender<Msg>, read_only: bool, page_size: u32) -> Self {
        Runner {
            tx,
            read_only,
            page_size,
            out: Arc::new(Mutex::new(std::io::stdout())),
            api: Arc::new(Mutex::new(None)),
            loads: HashMap::new(),
            prefetch: None,
            in_flight: Arc::new(AtomicUsize::new(0)),
            started: 0,
            catalogs: Arc::new(Semaphore::new(CATALOG_CONCURRENCY)),
            delete_stop: None,
            drafts: DraftWriter::new(Drafts::open_default().ok()),
            index_reads: Default::default(),
            index_tasks: Vec::new(),
            registry_url: None,
            open: None,
        }
    }

    /// Keep drafts in `store` instead of the data dir (tests).
    pub fn with_drafts(mut self, store: Drafts) -> Self {
        self.drafts = DraftWriter::new(Some(store));
        self
    }

    /// Send terminal sequences to `out` instead of stdout (tests read them back).
    pub fn with_output(mut self, out: TerminalOut) -> Self {
        self.out = out;
        self
    }

    /// Tasks still running (tests wait for 0 to know the app is idle; a task sends its messages
    /// before it stops counting).
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// How many tasks were started so far: a change says an effect started one.
    pub fn started(&self) -> u64 {
        self.started
    }

    fn spawn<F>(&mut self, fut: F) -> AbortHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.started += 1;
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

    /// Run $VISUAL / $EDITOR on `text` off the UI's path, answering with `Msg::EditorDone`: for
    /// callers without a terminal to lend it (the tests with a scripted editor).
    pub fn edit_in_task(&mut self, field: usize, text: String) {
        let tx = self.tx.clone();
        self.spawn(async move {
            let result = tokio::task::spawn_blocking(move || {
                crate::forms::editor::edit_in_editor(&text).map_err(|e| e.to_string())
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            let _ = tx.send(Msg::EditorDone { field, result });
        });
    }

    pub fn run(&mut self, effect: Effect) {
        let tx = self.tx.clone();
        match effect {
            Effect::Connect(opts) => {
                let slot = self.api.clone();
                let (read_only, page_size) = (self.read_only, self.page_size);
                self.registry_url = opts.registry_url.clone();
                // Loads started before the new client is ready must not use the old one.
                *slot.lock().unwrap_or_else(|p| p.into_inner()) = None;
                self.spawn(async move {
                    let (client, info) = aws::connect(&opts).await;
                    *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(
                        Api::new(client, read_only)
                            .with_page_size(page_size)
                            .with_endpoint(info.endpoint.as_deref()),
                    );
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
            Effect::Fetch { client, read } => {
                let api = self.api();
                // Catalogs are fetched for every repository on screen: a few at a time.
                let permits = matches!(read, Read::Catalog(_)).then(|| self.catalogs.clone());
                self.spawn(async move {
                    let _permit = match permits {
                        Some(p) => Some(p.acquire_owned().await),
                        None => None,
                    };
                    let answer = match api {
                        Ok(api) => fetch(&api, read).await,
                        Err(e) => failed(read, e),
                    };
                    let _ = tx.send(Msg::Fetched { client, answer });
                });
            }
            Effect::ListProfiles => {
                self.spawn(async move {
                    let r = tokio::task::spawn_blocking(crate::profiles::list_profiles)
                        .await
                        .map_err(|e| e.to_string())
                        .and_then(|r| r.map_err(|e| format!("could not read the AWS files: {e}")));
                    let _ = tx.send(Msg::Profiles(r));
                });
            }
            Effect::WriteTerminal { bytes, done } => {
                // Written here, between frames, so it never lands inside a frame being drawn.
                let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
                let r = out
                    .write_all(bytes.as_bytes())
                    .and_then(|()| out.flush())
                    .map(|()| done)
                    .map_err(|e| format!("could not write to the terminal: {e}"));
                let _ = tx.send(Msg::Done(r));
            }
            Effect::OpenUrl(url) => {
                self.spawn(async move {
                    let r = tokio::task::spawn_blocking(move || {
                        crate::browser::open_url(&url)
                            .map(|_| format!("opened {url}"))
                            .map_err(|e| e.to_string())
                    })
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
                    let _ = tx.send(Msg::Done(r));
                });
            }
            Effect::Login { demo, profile } => {
                let api = self.api();
                self.spawn(async move {
                    let _ = tx.send(Msg::Done(login(api, demo, &profile).await));
                });
            }
            Effect::Mutate(op) => {
                let api = self.api();
                let registry_url = self.registry_url.clone();
                self.spawn(async move {
                    let result = match (api, &op) {
                        (
                            Ok(api),
                            Mutation::Retag {
                                registry_id,
                                repo,
                                digest,
                                tag,
                                force,
                            },
                        ) => {
                            let url = registry_url.as_deref();
                            super::retag::apply(&api, url, registry_id, repo, digest, tag, *force)
                                .await
                        }
                        (Ok(api), _) => mutate::apply(&api, &op).await,
                        (Err(e), _) => Err(e),
                    };
                    let _ = tx.send(Msg::Saved { op, result });
                });
            }
            Effect::DeleteImages { repo, ids } => {
                let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
                self.delete_stop = Some(stop.clone());
                match self.api() {
                    Ok(api) => {
                        self.spawn(mutate::delete_images(api, repo, ids, stop, tx));
                    }
                    Err(e) => {
                        // Nothing was sent: every id is reported as failed, once.
                        let outcome = aws::DeleteOutcome {
                            requested: ids.len(),
                            deleted: vec![],
                            failures: ids
                                .into_iter()
                                .map(|id| (id, e.code.clone(), e.message.clone()))
                                .collect(),
                        };
                        let _ = tx.send(Msg::Deleted(outcome));
                        let _ = tx.send(Msg::DeleteEnded { not_sent: 0 });
                    }
                }
            }
            Effect::StopDelete => {
                if let Some(stop) = &self.delete_stop {
                    stop.store(true, Ordering::SeqCst);
                }
            }
            Effect::CheckPath { field, path } => {
                self.spawn(async move {
                    let p = path.clone();
                    let check = tokio::task::spawn_blocking(move || mutate::check_logo(&p))
                        .await
                        .unwrap_or_else(|e| crate::forms::PathCheck::Err(e.to_string()));
                    let _ = tx.send(Msg::PathChecked { field, path, check });
                });
            }
            // Without a terminal to suspend (the tests' scripted $VISUAL); `app::dispatch` hands
            // this effect to its caller instead, and `edit_in_task` is what a caller without a
            // terminal runs.
            Effect::Editor { field, text } => self.edit_in_task(field, text),
            Effect::ReadDrafts => {
                let drafts = self.drafts.clone();
                self.spawn(async move {
                    let list = tokio::task::spawn_blocking(move || drafts.read_all())
                        .await
                        .unwrap_or_default();
                    let _ = tx.send(Msg::Drafts(list));
                });
            }
            Effect::SaveDraft {
                registry,
                repo,
                kind,
                values,
            } => {
                let write = self
                    .drafts
                    .write(registry, repo, kind, DraftOp::Save(values));
                self.spawn(async move {
                    if let Err(e) = write.await {
                        let _ = tx.send(Msg::Done(Err(e)));
                    }
                });
            }
            Effect::Lifecycle(e) => {
                let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
                // An apply is a bulk delete: esc in its progress stops it like any other.
                if matches!(
                    e,
                    crate::app::lifecycle_state::LifecycleEffect::Apply { .. }
                ) {
                    self.delete_stop = Some(stop.clone());
                }
                let api = self.api();
                self.spawn(super::lifecycle::run(api, e, stop, tx));
            }
            Effect::RemoveDraft {
                registry,
                repo,
                kind,
            } => {
                let write = self.drafts.write(registry, repo, kind, DraftOp::Remove);
                self.spawn(async move {
                    if let Err(e) = write.await {
                        let _ = tx.send(Msg::Done(Err(e)));
                    }
                });
            }
            Effect::ReadIndexes {
                client,
                registry_id,
                registry_url,
                repo,
                digests,
            } => {
                let req = index_reads::Request {
                    client,
                    registry_id,
                    registry_url,
                    repo,
                    digests,
                };
                let api = self.api();
                self.index_tasks.retain(|h| !h.is_finished());
                let h = self.spawn(index_reads::run(api, self.index_reads.clone(), req, tx));
                self.index_tasks.push(h);
            }
            Effect::CancelIndexReads => {
                for h in self.index_tasks.drain(..) {
                    h.abort();
                }
            }
            Effect::Inspect(req) => {
                let api = self.api();
                self.spawn(super::inspect::run(api, req, tx));
            }
            e @ (Effect::OpenTags { .. }
            | Effect::OpenDetails { .. }
            | Effect::CloseOpen
            | Effect::SaveBookmark { .. }
            | Effect::SaveRecent { .. }) => self.run_open(e, tx),
            e @ (Effect::ReadCache { .. }
            | Effect::ReadStartCache { .. }
            | Effect::WriteCache { .. }
            | Effect::RestTimer { .. }
            | Effect::Prefetch { .. }
            | Effect::CancelPrefetch) => self.run_cache(e, tx),
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

/// `:login`: the outcome in one line, never the token.
async fn login(api: Result<Api, AwsError>, demo: bool, profile: &str) -> Result<String, String> {
    use crate::login::{self, LoginOutcome};
    let api = api.map_err(|e| e.to_string())?;
    let docker = if demo {
        None
    } else {
        login::find_docker(std::env::var_os("PATH").as_deref())
    };
    let now = login::now_epoch();
    match login::login(&api, docker.as_deref()).await {
        Ok(LoginOutcome::LoggedIn { expires_at, .. }) => Ok(format!(
            "docker is logged in to {}; the token expires {}",
            login::REGISTRY,
            login::expiry_text(expires_at, now)
        )),
        Ok(LoginOutcome::NoDocker { expires_at }) => {
            let why = if demo {
                crate::app::strings::DEMO_LOGIN
            } else {
                login::NO_DOCKER
            };
            Ok(format!(
                "{why} (token expires {})",
                login::expiry_text(expires_at, now)
            ))
        }
        Err(login::LoginError::Aws(e)) => {
            Err(match crate::profiles::explain_aws_error(profile, &e) {
                Some(advice) => advice,
                None => format!("GetAuthorizationToken failed: {e}"),
            })
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Run a single read.
async fn fetch(api: &Api, read: Read) -> Answer {
    match read {
        Read::RegistryName => Answer::RegistryName(api.registry_display_name().await),
        Read::Catalog(repo) => {
            let r = api.repository_catalog(&repo).await;
            Answer::Catalog(repo, r)
        }
        Read::Policy(repo) => {
            let r = api.repository_policy(&repo).await;
            Answer::Policy(repo, r)
        }
        Read::ResourceTags(arn) => {
            let r = api.list_tags(&arn).await;
            Answer::ResourceTags(arn, r)
        }
    }
}

/// The answer to a read that could not be sent (no client).
fn failed(read: Read, e: AwsError) -> Answer {
    match read {
        Read::RegistryName => Answer::RegistryName(Err(e)),
        Read::Catalog(repo) => Answer::Catalog(repo, Err(e)),
        Read::Policy(repo) => Answer::Policy(repo, Err(e)),
        Read::ResourceTags(arn) => Answer::ResourceTags(arn, Err(e)),
    }
}
