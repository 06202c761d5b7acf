//! The runner's `:open` effects: one registry session per open view (its tag listing and the
//! manifest reads of the rows on screen, stopped together), and the bookmark and recent-list files.

use tokio::sync::mpsc::UnboundedSender;

use super::Runner;
use crate::app::msg::{Effect, Msg};

impl Runner {
    pub(super) fn run_open(&mut self, effect: Effect, tx: UnboundedSender<Msg>) {
        match effect {
            Effect::OpenTags {
                generation,
                reference,
                registry_url,
            } => {
                if let Some(mut old) = self.open.take() {
                    old.stop();
                }
                match super::super::open_repo::Session::new(
                    generation,
                    &reference,
                    registry_url.as_deref(),
                ) {
                    Ok(mut session) => {
                        let h = self.spawn(session.list(tx));
                        session.track(h);
                        self.open = Some(session);
                    }
                    Err(error) => {
                        let _ = tx.send(Msg::OpenFailed { generation, error });
                    }
                }
            }
            Effect::OpenDetails { generation, tags } => {
                let Some(mut session) = self.open.take() else {
                    return;
                };
                if session.generation == generation {
                    let h = self.spawn(session.details(tags, tx));
                    session.track(h);
                }
                self.open = Some(session);
            }
            Effect::CloseOpen => {
                if let Some(mut s) = self.open.take() {
                    s.stop();
                }
            }
            Effect::SaveBookmark { path, reference } => {
                self.spawn(async move {
                    let r = tokio::task::spawn_blocking(move || {
                        crate::config::bookmarks::add(&path, &reference)
                            .map(|label| {
                                format!("bookmarked {reference} as {label} in {}", path.display())
                            })
                            .map_err(|e| {
                                format!("could not add the bookmark to {}: {e}", path.display())
                            })
                    })
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
                    let _ = tx.send(Msg::Done(
                        r.map(|m| crate::sanitize::clean_line(&m).into_owned()),
                    ));
                });
            }
            Effect::SaveRecent { path, references } => {
                self.spawn(async move {
                    let r = tokio::task::spawn_blocking(move || {
                        crate::config::recent::save(&path, &references).map_err(|e| {
                            format!(
                                "could not keep the recently opened list in {}: {e}",
                                path.display()
                            )
                        })
                    })
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
                    // Kept quietly: only a failure is worth the status line.
                    if let Err(m) = r {
                        let _ =
                            tx.send(Msg::Done(Err(crate::sanitize::clean_line(&m).into_owned())));
                    }
                });
            }
            _ => unreachable!("not an :open effect"),
        }
    }
}
