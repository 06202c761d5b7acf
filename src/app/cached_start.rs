//! Start-up from the cache: the registries and repositories cached for the connection as guessed
//! from local sources (`aws::local_info`: options, environment, shared config file) are read at
//! start, in parallel with building the client, and shown marked as cached before the client is
//! ready. `Connected` then checks the guess: rows read under any other scope than the resolved
//! one are dropped before anything else happens. And whenever a fresh page names another
//! registry than the cached rows (other credentials behind the same profile), the cached rows go
//! at once rather than when the fresh listing completes.
//!
//! Part of the base layer, beside `cached`.

use std::collections::HashSet;

use super::cached::{self, Cacheable};
use super::list::{AnyList, List};
use super::msg::{Effect, ListId, PageRows};
use super::state::{App, Pane, Status};
use crate::aws::{RegistryRow, RepoRow};
use crate::cache::{Cached, Key, Scope};

/// The start effect reading the cached registries and repositories, with the cache on.
pub fn start(app: &App) -> Option<Effect> {
    let o = app.opts.cache.as_ref()?;
    Some(Effect::ReadStartCache {
        client: app.remote.client,
        opts: Box::new(app.opts.client.clone()),
        demo: app.opts.demo,
        store: o.store.clone(),
        identity: o.identity.clone(),
    })
}

/// The key of the registries or the caller's repositories under `scope`.
pub fn key(list: ListId, scope: Scope) -> Key {
    let kind = match list {
        ListId::Registries => RegistryRow::KIND,
        _ => RepoRow::KIND,
    };
    Key {
        kind,
        scope,
        registry: String::new(),
        repo: String::new(),
    }
}

/// The start read answered. Shown only while the client is still being built (once connected,
/// the lists read their cache under the resolved key themselves) and if nothing is shown yet.
pub fn arrived(
    app: &mut App,
    client: u64,
    scope: Scope,
    registries: Option<Box<Cached>>,
    repos: Option<Box<Cached>>,
) {
    if client != app.remote.client || app.remote.connection.is_some() {
        return;
    }
    app.remote.early = Some(scope);
    let m = &mut app.matcher;
    let r = &mut app.remote;
    show(&mut r.registries, registries, m);
    show(&mut r.repos, repos, m);
    cached::skip_single_registry(app);
}

/// Stage the list's fresh pages behind the cached rows (the load that brings them starts once
/// connected, finds rows shown and does not read the cache again).
fn show<T: Cacheable>(l: &mut List<T>, c: Option<Box<Cached>>, m: &mut nucleo_matcher::Matcher) {
    if c.is_none() || !l.rows.is_empty() || l.staged.is_some() {
        return;
    }
    l.stage();
    cached::show(l, c, m);
}

/// Connected: rows shown from the start read stay only if the resolved connection has the scope
/// they were read under.
pub fn connected(app: &mut App) {
    let Some(early) = app.remote.early.take() else {
        return;
    };
    let now = cached::key(app, ListId::Registries).map(|k| k.scope);
    if now.as_ref() == Some(&early) {
        return;
    }
    drop_cached(app, ListId::Registries);
    drop_cached(app, ListId::Repositories);
    // The cached single registry led to its repositories: the fresh listing decides again.
    if app.pane == Pane::Repositories && app.overlay.is_none() {
        app.pane = Pane::Registries;
        app.skip_single_registry = true;
    }
}

/// Before a fresh page of the registries or repositories lands: if it names a registry the
/// cached rows do not have, they are another account's and go now (the page then shows alone).
pub fn check_account(app: &mut App, rows: &PageRows) {
    let other = match rows {
        PageRows::Registries(p) => {
            let l = &app.remote.registries;
            l.stale.is_some()
                && !p.rows.is_empty()
                && !p
                    .rows
                    .iter()
                    .any(|f| l.rows.iter().any(|c| c.registry_id == f.registry_id))
        }
        PageRows::Repositories(p) => {
            let l = &app.remote.repos;
            let cached: HashSet<&str> = match l.stale {
                Some(_) => l.rows.iter().map(|r| &*r.registry_id).collect(),
                None => HashSet::new(),
            };
            l.stale.is_some() && p.rows.iter().any(|f| !cached.contains(&*f.registry_id))
        }
        _ => false,
    };
    if !other {
        return;
    }
    let had = drop_cached(app, ListId::Registries) | drop_cached(app, ListId::Repositories);
    if had {
        app.status = Status::Warning(ANOTHER_ACCOUNT.into());
    }
}

pub const ANOTHER_ACCOUNT: &str =
    "the cached rows were another registry's: dropped, the fresh listing follows";

/// Drop `list`'s cached rows, keeping what the fresh listing brought so far (shown, no longer
/// staged). Returns whether there were cached rows.
fn drop_cached(app: &mut App, list: ListId) -> bool {
    let m = &mut app.matcher;
    let r = &mut app.remote;
    match list {
        ListId::Registries => unstage(&mut r.registries, m),
        ListId::Repositories => unstage(&mut r.repos, m),
        ListId::Images => unstage(&mut r.images, m),
        ListId::Tags => unstage(&mut r.tags, m),
    }
}

fn unstage<T: Cacheable>(l: &mut List<T>, m: &mut nucleo_matcher::Matcher) -> bool {
    if l.stale.is_none() {
        return false;
    }
    let fresh = l.staged.take().unwrap_or_default();
    l.clear();
    l.append(fresh, m);
    true
}
