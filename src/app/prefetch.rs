//! Prefetch: when the cursor rests on a repository (about `REST`), its first page of images (and
//! its cached listing, when the cache is on) and its first page of tags are asked for in the
//! background, so `enter` draws rows in the same frame instead of a round trip later, and so does
//! `tab` to the tags.
//!
//! Bounded by construction: one rest timer, one prefetch in flight and one answer held at a time.
//! Moving on cancels the request in flight; moving to another repository drops what it brought,
//! while a view opened over the list keeps it for when the cursor shows again; scrolling fast sends
//! nothing, since the timer only fires a request when the cursor has not moved since it was armed.
//!
//! Part of the base layer (it imports only the state, its types and `cached`), so navigation can
//! adopt a prefetched answer when it opens the repository.

use std::time::Duration;

use super::cached::{self, Cacheable};
use super::msg::{Effect, ListId};
use super::stale::Stale;
use super::state::{App, Pane, Status};
use nucleo_matcher::Matcher;

use super::list::List;
use crate::aws::{AwsError, ImageRow, Page, TagRow};
use crate::cache::Cached;

/// How long the cursor must rest on a repository before its images are asked for.
pub const REST: Duration = Duration::from_millis(150);
/// A prefetched page older than this is not shown: after a long rest, `enter` loads afresh
/// rather than show a page that may no longer be true.
pub const MAX_AGE_SECS: i64 = 30;

/// What the prefetcher follows; a part of `Remote`, so a client switch drops it whole.
#[derive(Debug, Default)]
pub struct Prefetch {
    /// The repository under the cursor, as last seen.
    target: Option<Box<str>>,
    /// Bumped whenever `target` changes: a timer or an answer carrying another number is
    /// outdated.
    pub seq: u64,
    timer_armed: bool,
    in_flight: bool,
    /// What arrived for `target` (or for the repository under the cursor when a view covered the
    /// list), and when (`App::now`).
    ready: Option<Prefetched>,
    ready_at: i64,
}

/// A prefetched first page of a repository's images, and its cached listing if any; and its
/// first page of tags, unless that request failed (opening the tags then loads them as usual),
/// and their cached listing if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Prefetched {
    pub repo: Box<str>,
    pub page: Page<ImageRow>,
    pub cached: Option<Box<Cached>>,
    pub tags: Option<Page<TagRow>>,
    pub tags_cached: Option<Box<Cached>>,
}

impl Prefetch {
    /// Whether a prefetched answer for `repo` is held.
    pub fn holds(&self, repo: &str) -> bool {
        self.ready.as_ref().is_some_and(|p| &*p.repo == repo)
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// For a new client: nothing of the old one is kept, but the numbering goes on and an armed
    /// timer stays known, so a timer of the old client neither matches nor doubles.
    pub fn successor(&self) -> Prefetch {
        Prefetch {
            seq: self.seq + 1,
            timer_armed: self.timer_armed,
            ..Prefetch::default()
        }
    }
}

/// After every message: follow the cursor. A new target cancels what was asked for the old one
/// and arms the rest timer (unless one is armed already: it re-arms itself when it fires).
pub fn follow(app: &mut App, fx: &mut Vec<Effect>) {
    let target = match (app.pane, &app.overlay, &app.remote.connection) {
        (Pane::Repositories, None, Some(_)) => app
            .remote
            .repos
            .selected()
            .map(|r| r.repository_name.clone()),
        _ => None,
    };
    let p = &mut app.remote.prefetch;
    if p.target == target {
        return;
    }
    // Only another repository makes the answer useless. A view over the list (no target) keeps
    // it: dropping a page of rows there cost the key that opened the view (`:open`, enter on a
    // tag) a fifth of a millisecond before its request could leave.
    if let Some(t) = &target
        && p.ready.as_ref().is_some_and(|r| r.repo != *t)
    {
        p.ready = None;
    }
    p.target = target;
    p.seq += 1;
    if std::mem::take(&mut p.in_flight) {
        fx.push(Effect::CancelPrefetch);
    }
    if p.target.is_some() && !p.timer_armed {
        p.timer_armed = true;
        fx.push(Effect::RestTimer {
            seq: p.seq,
            after: REST,
        });
    }
}

/// The rest timer fired: prefetch if the cursor stayed, else wait for it to rest again.
pub fn rested(app: &mut App, seq: u64, fx: &mut Vec<Effect>) {
    let p = &mut app.remote.prefetch;
    p.timer_armed = false;
    let Some(repo) = p.target.clone() else {
        return;
    };
    if seq != p.seq {
        p.timer_armed = true;
        fx.push(Effect::RestTimer {
            seq: p.seq,
            after: REST,
        });
        return;
    }
    // The open repository's rows are there already; one asked for already is on its way.
    let open = app.remote.repo.as_ref().map(|r| &r.repository_name) == Some(&repo);
    // A held answer too old to be shown is asked for again.
    let fresh = p.ready.is_some() && app.now - p.ready_at <= MAX_AGE_SECS;
    if open || p.in_flight || fresh {
        return;
    }
    let Some(row) = app.remote.repos.selected().cloned() else {
        return;
    };
    p.in_flight = true;
    let seq = p.seq;
    let cache = app.opts.cache.as_ref().and_then(|o| {
        let key = |list| cached::key_for(app, list, &row.registry_id, &repo).map(Box::new);
        Some((o.store.clone(), key(ListId::Images)?, key(ListId::Tags)?))
    });
    fx.push(Effect::Prefetch {
        client: app.remote.client,
        seq,
        repo: repo.clone(),
        cache,
    });
    app.remote.catalogs.want_once(&repo, app.remote.client, fx);
}

/// A prefetch answered. Kept only if it is for the current client and the cursor is still
/// where it was asked for; a failure is dropped (opening the repository loads it and shows the
/// error there).
pub fn arrived(app: &mut App, client: u64, seq: u64, answer: Result<Prefetched, AwsError>) {
    let now = app.now;
    let p = &mut app.remote.prefetch;
    if client != app.remote.client || seq != p.seq {
        return;
    }
    p.in_flight = false;
    match answer {
        Ok(a) if p.target.as_deref() == Some(&*a.repo) => {
            p.ready = Some(a);
            p.ready_at = now;
        }
        Ok(_) => {}
        Err(e) => tracing::debug!(code = %e.code, "prefetch failed: {}", e.message),
    }
}

/// The repository just opened (its lists emptied): take the prefetched answer for it, if any.
/// The cached rows are shown with the fresh first page staged behind them, or the first page
/// alone; the load then resumes from the page's token.
pub fn adopt(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(repo) = app.remote.repo.as_ref().map(|r| r.repository_name.clone()) else {
        return;
    };
    let p = &mut app.remote.prefetch;
    if !p.holds(&repo) {
        return;
    }
    let Some(a) = p.ready.take() else {
        return;
    };
    if app.now - p.ready_at > MAX_AGE_SECS {
        return;
    }
    // The tags' first page (behind their cached rows) goes in now: the tags list is as empty as
    // the images (a new repository), and `tab` then draws it at once, resuming from its token as
    // the images do.
    if let Some(t) = a.tags {
        // Complete in one page: saved. Its summary is not said: the status line speaks of the
        // pane shown, the images (as for any list's revalidation off screen).
        if take(&mut app.remote.tags, t, a.tags_cached, &mut app.matcher).is_some() {
            cached::save(app, ListId::Tags, fx);
        }
    }
    let done = take(&mut app.remote.images, a.page, a.cached, &mut app.matcher);
    let Some(summary) = done else {
        // Resumed from the token by the caller's `ensure_loading`.
        return;
    };
    if let Some(s) = summary {
        app.status = Status::Info(s);
    }
    cached::save(app, ListId::Images, fx);
}

/// Show a prefetched first page in an empty list: its cached rows with the page staged behind
/// them, or the page alone. `None` when more pages follow (the load stops at the page's token);
/// else the listing is complete, and the summary when it replaced cached rows.
fn take<T: Cacheable>(
    l: &mut List<T>,
    page: Page<T>,
    cached: Option<Box<Cached>>,
    m: &mut Matcher,
) -> Option<Option<String>> {
    let cached = cached.and_then(|c| {
        let Cached {
            listing,
            saved_at,
            index,
        } = *c;
        T::take(listing).map(|rows| (saved_at, index, rows))
    });
    match cached {
        Some((saved_at, index, rows)) => {
            l.append(rows, m);
            let mut s = Stale::with_index(saved_at, index, &l.rows);
            s.note(&l.rows, &page.rows);
            l.stale = Some(s);
            l.staged = Some(page.rows);
        }
        None => l.append(page.rows, m),
    }
    let more = page.next_token.is_some();
    l.load.page(page.next_token);
    if more {
        l.load.stop();
        return None;
    }
    // One page was the whole listing: it replaces the cached rows at once.
    let summary = match (l.staged.take(), l.stale.take()) {
        (Some(rows), Some(s)) => {
            // Nothing could be marked yet: these rows were shown in this very message.
            l.replace(rows, m);
            Some(cached::summary(s.differ, s.gone()))
        }
        _ => None,
    };
    Some(summary)
}
