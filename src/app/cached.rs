//! The listing cache in the app (stale-while-revalidate): a list loaded for the first time shows
//! its cached rows at once, marked with their age, while the fresh listing is staged page by page
//! (counting how it differs) and replaces them whole when complete, keeping selection, marks and
//! filter as auto-refresh does. Every complete listing is saved back.
//!
//! Part of the base layer: it imports only the state, its types and `crate::cache`, so the
//! loaders in `base` can use it.

use nucleo_matcher::Matcher;

use super::list::List;
use super::msg::{Effect, ListId};
use super::stale::{Compare, Stale};
use super::state::App;
use crate::aws::{ImageRow, RegistryRow, RepoRow, TagRow};
use crate::cache::{Cached, Key, Listing, Rows, Scope, format};

/// A row type the cache holds.
pub trait Cacheable: Compare + Sized {
    const KIND: &'static str;
    fn take(l: Listing) -> Option<Vec<Self>>;
    fn rows(rows: &[Self]) -> Rows<'_>;
}

macro_rules! cacheable {
    ($t:ty, $kind:literal, $variant:ident) => {
        impl Cacheable for $t {
            const KIND: &'static str = $kind;
            fn take(l: Listing) -> Option<Vec<Self>> {
                match l {
                    Listing::$variant(r) => Some(r),
                    _ => None,
                }
            }
            fn rows(rows: &[Self]) -> Rows<'_> {
                Rows::$variant(rows)
            }
        }
    };
}

cacheable!(RegistryRow, "registries", Registries);
cacheable!(RepoRow, "repositories", Repositories);
cacheable!(ImageRow, "images", Images);
cacheable!(TagRow, "tags", Tags);

fn kind(list: ListId) -> &'static str {
    match list {
        ListId::Registries => RegistryRow::KIND,
        ListId::Repositories => RepoRow::KIND,
        ListId::Images => ImageRow::KIND,
        ListId::Tags => TagRow::KIND,
    }
}

/// What `list`'s listing is cached under now: who is connected, where, and (for images and
/// tags) which repository of which registry. `None` with the cache off or nothing to key on.
pub fn key(app: &App, list: ListId) -> Option<Key> {
    match list {
        ListId::Registries | ListId::Repositories => key_for(app, list, "", ""),
        ListId::Images | ListId::Tags => {
            let r = app.remote.repo.as_ref()?;
            key_for(app, list, &r.registry_id, &r.repository_name)
        }
    }
}

/// The key of `list` for repository `repo` of registry `registry` (both empty for the
/// registries and the caller's repositories).
pub fn key_for(app: &App, list: ListId, registry: &str, repo: &str) -> Option<Key> {
    let opts = app.opts.cache.as_ref()?;
    let info = app.remote.connection.as_ref()?;
    Some(Key {
        kind: kind(list),
        scope: scope(info, app.opts.demo, opts.identity.clone()),
        registry: registry.to_string(),
        repo: repo.to_string(),
    })
}

/// Who is asking, where, as the cache keys it (`ecrp ls --cached` builds the same keys).
pub fn scope(info: &crate::aws::ConnectionInfo, demo: bool, identity: String) -> Scope {
    // The demo's emulator listens on a new port each run, yet serves the same data.
    let endpoint = if demo {
        Some("demo".to_string())
    } else {
        info.endpoint.clone()
    };
    Scope {
        endpoint,
        profile: info.profile.clone(),
        region: info.region.clone(),
        identity,
    }
}

/// Before the first load of `list` (nothing shown yet): stage its pages and ask for the cached
/// rows to show meanwhile. Returns whether it did (the cache is on and there is a key).
pub fn begin(app: &mut App, list: ListId, fx: &mut Vec<Effect>) -> bool {
    let (Some(opts), Some(key)) = (app.opts.cache.as_ref(), key(app, list)) else {
        return false;
    };
    let l = app.remote.list_mut(list);
    if l.rows_loaded() > 0 {
        return false;
    }
    l.stage();
    fx.push(Effect::ReadCache {
        client: app.remote.client,
        list,
        store: opts.store.clone(),
        key: Box::new(key),
    });
    true
}

/// The cached rows arrived. They are shown only if they are still about what the list is
/// waiting for: the same client and key (not another account's or repository's), and the fresh
/// listing neither finished nor was thrown away meanwhile.
pub fn arrived(app: &mut App, client: u64, list: ListId, key: &Key, cached: Option<Box<Cached>>) {
    if client != app.remote.client || self::key(app, list).as_ref() != Some(key) {
        return;
    }
    let m = &mut app.matcher;
    let r = &mut app.remote;
    match list {
        ListId::Registries => show(&mut r.registries, cached, m),
        ListId::Repositories => show(&mut r.repos, cached, m),
        ListId::Images => show(&mut r.images, cached, m),
        ListId::Tags => show(&mut r.tags, cached, m),
    }
    if list == ListId::Registries {
        skip_single_registry(app);
    }
}

/// One cached registry: its repositories at once, as the fresh listing would lead there (both
/// lists load from the start, so the repositories' cached rows are on their way too).
pub(super) fn skip_single_registry(app: &mut App) {
    if app.skip_single_registry
        && app.single_registry()
        && app.pane == super::state::Pane::Registries
        && app.overlay.is_none()
    {
        app.skip_single_registry = false;
        app.pane = super::state::Pane::Repositories;
    }
}

pub(super) fn show<T: Cacheable>(l: &mut List<T>, cached: Option<Box<Cached>>, m: &mut Matcher) {
    if !l.rows.is_empty() || l.stale.is_some() {
        return;
    }
    let Some(staged) = l.staged.take() else {
        return;
    };
    let hit = cached.and_then(|c| {
        let (saved_at, index) = (c.saved_at, c.index);
        T::take(c.listing).map(|rows| (saved_at, index, rows))
    });
    match hit {
        Some((saved_at, index, rows)) => {
            l.append(rows, m);
            let mut s = Stale::with_index(saved_at, index, &l.rows);
            s.note(&l.rows, &staged);
            l.stale = Some(s);
            l.staged = Some(staged);
        }
        // Nothing cached: show what the fresh listing brought so far, and the rest as it comes.
        None => l.append(staged, m),
    }
}

/// The index `Stale` compares fresh rows through, for a listing just read: built by the reader
/// (a blocking thread), so the UI's thread only shows the rows.
pub fn index(c: &Cached) -> std::collections::HashMap<u64, u32> {
    use super::stale::index;
    match &c.listing {
        Listing::Registries(r) => index(r),
        Listing::Repositories(r) => index(r),
        Listing::Images(r) => index(r),
        Listing::Tags(r) => index(r),
    }
}

/// `list`'s listing just completed: save it.
pub fn save(app: &App, list: ListId, fx: &mut Vec<Effect>) {
    let (Some(opts), Some(key)) = (app.opts.cache.as_ref(), key(app, list)) else {
        return;
    };
    let r = &app.remote;
    let now = app.now;
    // Encoded here (CPU only, about 10 ms for 100,000 images) rather than cloning the rows for
    // the task: a clone of 100,000 rows costs as much and doubles their memory meanwhile.
    let bytes = match list {
        ListId::Registries => encode(&r.registries, now),
        ListId::Repositories => encode(&r.repos, now),
        ListId::Images => encode(&r.images, now),
        ListId::Tags => encode(&r.tags, now),
    };
    fx.push(Effect::WriteCache {
        store: opts.store.clone(),
        key: Box::new(key),
        bytes,
    });
}

fn encode<T: Cacheable>(l: &List<T>, now: i64) -> Vec<u8> {
    // In display order: the next start shows them under the same sort without sorting anew
    // (sorting an ordered run is one pass).
    format::encode_in(T::rows(&l.rows), Some(l.sort_order()), now)
}

/// Whether `list` shows cached rows the fresh listing has not confirmed yet.
pub fn unconfirmed(app: &App, list: ListId) -> bool {
    let r = &app.remote;
    match list {
        ListId::Registries => r.registries.stale.is_some(),
        ListId::Repositories => r.repos.stale.is_some(),
        ListId::Images => r.images.stale.is_some(),
        ListId::Tags => r.tags.stale.is_some(),
    }
}

/// The status line once the fresh listing replaced the cached rows.
pub fn summary(differ: usize, gone: usize) -> String {
    if differ == 0 && gone == 0 {
        "the cached rows were up to date".into()
    } else {
        format!(
            "fresh listing in: {} new or changed, {} gone since cached",
            crate::fmt::thousands(differ),
            crate::fmt::thousands(gone)
        )
    }
}

/// A change to a row the fresh listing has not confirmed yet (it may be gone or changed) waits
/// for it: say so instead. Creating a repository concerns no row and goes ahead; marks are
/// decided row by row (`delete::mark`, `mark_all`), as a row a fresh page brought back unchanged
/// can be marked already.
pub fn refuses(app: &mut App, action: crate::config::Action) -> bool {
    use crate::config::Action;
    let list = app.pane.list();
    if matches!(action, Action::New | Action::Mark | Action::MarkAll)
        || !super::actions::row_of(action).mutates
        || !unconfirmed(app, list)
    {
        return false;
    }
    app.status = super::state::Status::Warning(UNCONFIRMED.into());
    true
}

/// Every refusal about unconfirmed rows starts so (`is_unconfirmed_warning` knows them by it).
const FROM_CACHE: &str = "these rows are from the cache";

const UNCONFIRMED: &str =
    "these rows are from the cache and not confirmed yet: wait for the fresh listing";

/// `space` on a cached row no fresh page has brought back unchanged yet: how old the rows are
/// and when marking will work.
pub fn unconfirmed_mark(app: &App, list: ListId) -> String {
    format!(
        "{FROM_CACHE} (saved {}) and this one is not confirmed yet: marking waits for the fresh listing",
        age(app, list)
    )
}

/// `ctrl-a` marked only the confirmed rows (`marked` of them; none when no row shown is
/// confirmed): what it left out and why.
pub fn marked_confirmed(app: &App, list: ListId, marked: usize, left_out: usize) -> String {
    let t = crate::fmt::thousands;
    if marked == 0 {
        format!(
            "{FROM_CACHE} (saved {}) and none is confirmed yet: marking waits for the fresh listing",
            age(app, list)
        )
    } else {
        format!(
            "{} marked; {} left out: {FROM_CACHE} (saved {}) and not confirmed yet",
            t(marked),
            t(left_out),
            age(app, list)
        )
    }
}

fn age(app: &App, list: ListId) -> String {
    let r = &app.remote;
    let stale = match list {
        ListId::Registries => r.registries.stale.as_ref(),
        ListId::Repositories => r.repos.stale.as_ref(),
        ListId::Images => r.images.stale.as_ref(),
        ListId::Tags => r.tags.stale.as_ref(),
    };
    stale.map_or_else(
        || "earlier".into(),
        |s| crate::fmt::relative(s.saved_at, app.now),
    )
}

/// The fresh listing replaced rows some of which were marked and are gone.
pub fn marks_dropped(n: usize) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!(
        "{} mark{s} dropped: the fresh listing no longer has those rows",
        crate::fmt::thousands(n)
    )
}

/// Whether `status` is a refusal above, which the fresh listing's arrival makes moot.
pub fn is_unconfirmed_warning(status: &super::state::Status) -> bool {
    matches!(status, super::state::Status::Warning(m) if m.starts_with(FROM_CACHE))
}
