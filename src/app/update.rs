//! `update`: the only place state changes. Pure: it never awaits and never does I/O; what needs
//! the network is returned as `Effect`s.

use super::base::{self, set_error};
use super::layout;
use super::list::{List, Row};
use super::load::LoadState;
use super::msg::{Answer, Effect, ListId, Msg, PageRows};
use super::stale::Compare;
use super::state::{App, Fetch, Pane, Status};
use super::{
    auto_refresh, cached, cached_start, delete, drafts, edit, form_input, inspector, key_dispatch,
    lifecycle, mouse, open_repo, outcomes, platforms, prefetch, session, strings,
};
use crate::aws::AwsError;
use crate::aws::Page;

/// What to run when the app starts: build the client (off the UI's path, so the first frame shows
/// "connecting…" at once).
pub fn start(app: &mut App) -> Vec<Effect> {
    // The cached lists are read alongside, so they can be drawn before the client is ready.
    let mut fx: Vec<Effect> = cached_start::start(app).into_iter().collect();
    fx.extend([Effect::Connect(app.opts.client.clone()), Effect::ReadDrafts]);
    fx
}

pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(k) => {
            key_dispatch::on_key(app, k, &mut fx);
            edit::drop_pending_if_moved(app);
        }
        Msg::Paste(text) => key_dispatch::on_paste(app, &text, &mut fx),
        // A popup owns the screen: clicks and the wheel must not move the lists under it.
        Msg::Mouse(_) if app.modal.is_some() => {}
        Msg::Mouse(m) => {
            mouse::on_mouse(app, m, &mut fx);
            edit::drop_pending_if_moved(app);
        }
        Msg::Resize(w, h) => {
            app.width = w;
            app.height = h;
        }
        Msg::Tick(now) => {
            app.now = now;
            app.beat = app.beat.wrapping_add(1);
            auto_refresh::auto_refresh_tick(app, &mut fx);
        }
        Msg::Connected(info) => {
            if std::mem::take(&mut app.switching) {
                app.status = Status::Info(strings::switched(&info.profile, &info.region));
            }
            app.remote.connection = Some(info);
            cached_start::connected(app);
            // Both at once: with a single registry (the usual case) the repositories are shown
            // as soon as the registry list says so, without a second round trip.
            base::ensure_loading(app, ListId::Registries, &mut fx);
            base::ensure_loading(app, ListId::Repositories, &mut fx);
            base::fetch_display_name(app, &mut fx);
        }
        Msg::Page { generation, rows } => on_page(app, generation, rows, &mut fx),
        Msg::PageFailed {
            list,
            generation,
            error,
        } => {
            if app.load_of(list).generation == generation {
                app.load_mut(list).fail(error.clone());
                reported(app, error);
                app.failed_list = Some(list);
            }
        }
        // An answer to a client replaced since (a profile or region switch): not about this
        // account, so it must not land.
        Msg::Fetched { client, .. } if client != app.remote.client => {}
        Msg::Fetched { answer, .. } => on_answer(app, answer, &mut fx),
        Msg::Drafts(list) => app.drafts = Some(list),
        Msg::PathChecked { field, path, check } => {
            form_input::path_checked(app, field, &path, check)
        }
        Msg::EditorDone { field, result } => form_input::editor_done(app, field, result, &mut fx),
        Msg::Saved { op, result } => {
            if result.is_ok() {
                base::succeeded(app);
            }
            outcomes::saved(app, op, result, &mut fx)
        }
        Msg::Deleted(o) => delete::chunk_done(app, &o),
        Msg::DeleteEnded { not_sent } => {
            delete::ended(app, not_sent, &mut fx);
            lifecycle::apply_ended(app, &mut fx);
        }
        Msg::Profiles(r) => session::profiles_arrived(app, r),
        Msg::Done(Ok(m)) => {
            base::succeeded(app);
            app.status = Status::Info(m)
        }
        Msg::Done(Err(m)) => app.status = Status::Warning(m),
        Msg::Quit => app.quit = true,
        Msg::Inspected(m) => inspector::answered(app, m, &mut fx),
        Msg::OpenPage {
            generation,
            tags,
            done,
            client,
        } => open_repo::page(app, generation, tags, done, client),
        Msg::OpenFailed { generation, error } => open_repo::failed(app, generation, error),
        Msg::OpenDetail {
            generation,
            tag,
            detail,
        } => open_repo::detail(app, generation, tag, detail),
        Msg::Lifecycle(m) => lifecycle::on_msg(app, m, &mut fx),
        Msg::CacheRead {
            client,
            list,
            key,
            cached,
        } => cached::arrived(app, client, list, &key, cached),
        Msg::StartCache {
            client,
            scope,
            registries,
            repos,
        } => cached_start::arrived(app, client, *scope, registries, repos),
        Msg::Rested { seq } => prefetch::rested(app, seq, &mut fx),
        Msg::Prefetched {
            client,
            seq,
            answer,
        } => prefetch::arrived(app, client, seq, answer),
    }
    after(app, &mut fx);
    fx
}

fn on_answer(app: &mut App, answer: Answer, fx: &mut Vec<Effect>) {
    match answer {
        // A registry without catalog data, or a caller who may not read it, still browses.
        Answer::RegistryName(r) => app.remote.display_name = Some(Fetch::from_result(r)),
        Answer::Catalog(repo, r) => {
            let shown = app.current_repo().map(|c| &*c.repository_name) == Some(&*repo);
            let v = fetched(app, r, shown);
            app.remote.catalogs.arrived(repo, v);
            edit::fetched(app, fx);
        }
        Answer::Policy(repo, r) => {
            let v = fetched(app, r, true);
            app.remote.policies.arrived(repo, v);
            edit::fetched(app, fx);
        }
        Answer::ResourceTags(arn, r) => {
            let v = fetched(app, r, true);
            app.remote.resource_tags.arrived(arn, v);
            edit::fetched(app, fx);
        }
        // Not an error for the status line: the list is fine, and a delete plan says what it
        // could not tell.
        Answer::IndexManifest { digest, result } => app.remote.platforms.arrived(digest, result),
    }
}

/// A read failed: the status line says so; with no credentials at all (whichever of the start's
/// reads fails last), the `:open` way to browse without them is offered instead.
fn reported(app: &mut App, e: AwsError) {
    let none = crate::profiles::no_credentials_at_all(&e);
    set_error(app, e);
    if none {
        open_repo::no_credentials(app);
    }
}

/// A fetched value; its error reaches the status line when it concerns what is on screen (a
/// lazily fetched description of another row shows as "?" in its cell instead).
fn fetched<T>(app: &mut App, r: Result<T, AwsError>, report: bool) -> Fetch<T> {
    match r {
        Ok(v) => Fetch::Ready(v),
        Err(e) => {
            if report {
                reported(app, e.clone());
            }
            Fetch::Failed(e)
        }
    }
}

fn on_page(app: &mut App, generation: u64, rows: PageRows, fx: &mut Vec<Effect>) {
    let list = rows.list();
    if app.load_of(list).generation != generation {
        // An answer from a load that was cancelled or replaced.
        return;
    }
    // The failing load works again: the error is still in `last_error` for `!`, the status line
    // and the badge say it is over. A page of another list says nothing about it.
    if app.failed_list == Some(list) {
        app.failed_list = None;
        base::succeeded(app);
        if matches!(app.status, Status::Error(_)) {
            app.status = Status::None;
        }
    }
    cached_start::check_account(app, &rows);
    let m = &mut app.matcher;
    let (revalidated, dropped) = match rows {
        PageRows::Registries(p) => take_page(&mut app.remote.registries, p, m),
        PageRows::Repositories(p) => take_page(&mut app.remote.repos, p, m),
        PageRows::Images(p) => take_page(&mut app.remote.images, p, m),
        PageRows::Tags(p) => take_page(&mut app.remote.tags, p, m),
    };
    if app.load_of(list).state == LoadState::Done {
        cached::save(app, list, fx);
    }
    if let Some((differ, gone)) = revalidated
        && app.pane.list() == list
        && (matches!(app.status, Status::None)
            || cached::is_unconfirmed_warning(&app.status)
            || matches!(&app.status, Status::Info(m) if m == strings::ALREADY_REVALIDATING))
    {
        app.status = Status::Info(cached::summary(differ, gone));
    }
    // Marks on rows the fresh listing no longer has are gone with them: a later `d` must not
    // surprise with a smaller set than the user marked.
    if dropped > 0 {
        app.status = Status::Warning(cached::marks_dropped(dropped));
    }
    if let Some((l, key)) = &app.select_after_load
        && *l == list
    {
        let found = match list {
            ListId::Repositories => select_key(&mut app.remote.repos, key),
            ListId::Images => select_key(&mut app.remote.images, key),
            ListId::Tags => select_key(&mut app.remote.tags, key),
            ListId::Registries => false,
        };
        if found || !app.load_of(list).is_loading() {
            app.select_after_load = None;
        }
    }
    if list == ListId::Registries
        && app.skip_single_registry
        && !app.remote.registries.load.is_loading()
        && app.single_registry()
        && app.pane == Pane::Registries
        && app.overlay.is_none()
    {
        app.skip_single_registry = false;
        app.pane = Pane::Repositories;
        base::ensure_loading(app, ListId::Repositories, fx);
    }
}

/// Put the cursor on the row with `key`, if it is shown.
fn select_key<T: Row>(l: &mut List<T>, key: &str) -> bool {
    match l.view.iter().position(|&i| l.rows[i as usize].key() == key) {
        Some(pos) => {
            l.select(pos);
            true
        }
        None => false,
    }
}

/// Show a page at once, or, during a background reload (or behind cached rows), stage it until
/// the set is complete. When it replaces cached rows: how many rows differed and how many went;
/// when it replaces any rows: how many marks went with their rows.
fn take_page<T: Compare>(
    l: &mut List<T>,
    p: Page<T>,
    m: &mut nucleo_matcher::Matcher,
) -> (Option<(usize, usize)>, usize) {
    let done = p.next_token.is_none();
    let (mut revalidated, mut dropped) = (None, 0);
    match l.staged.as_mut() {
        Some(staged) => {
            if let Some(s) = l.stale.as_mut() {
                s.note(&l.rows, &p.rows);
            }
            staged.extend(p.rows);
            if done {
                let rows = l.staged.take().unwrap_or_default();
                revalidated = l.stale.take().map(|s| (s.differ, s.gone()));
                dropped = l.replace(rows, m);
            }
        }
        None => l.append(p.rows, m),
    }
    l.load.page(p.next_token);
    (revalidated, dropped)
}

/// After every message: keep cursors on screen, and fetch the catalogs of the repositories on
/// screen (descriptions in the list, the preview), each once.
fn after(app: &mut App, fx: &mut Vec<Effect>) {
    open_repo::after(app, fx);
    for pane in Pane::ALL {
        let h = layout::visible_rows(app, pane);
        if h > 0 {
            app.remote.list_mut(pane.list()).scroll_into_view(h);
        }
    }
    if app.remote.connection.is_none() {
        return;
    }
    platforms::sync(app, fx);
    prefetch::follow(app, fx);
    drafts::offer_drafts(app);
    let h = layout::visible_rows(app, Pane::Repositories);
    let mut wanted: Vec<Box<str>> = app
        .remote
        .repos
        .window(app.remote.repos.cursor.offset, h)
        .map(|r| r.repository_name.clone())
        .collect();
    if let Some(r) = app.current_repo() {
        wanted.push(r.repository_name.clone());
    }
    for name in wanted {
        app.remote.catalogs.want_once(&name, app.remote.client, fx);
    }
}
