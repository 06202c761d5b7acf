//! The listing cache in `update` (no terminal, no network: the tests answer the
//! effects themselves), and the cache against the in-process emulator with a real store.

use crate::support::tui as tui_support;

use crossterm::event::KeyCode;
use ecrp::app::load::LoadState;
use ecrp::app::prefetch::Prefetched;
use ecrp::app::{self, App, CacheOptions, Effect, ListId, Msg, PageRows, RunOptions, Status};
use ecrp::aws::{ConnectionInfo, RegistryRow, RepoRow};
use ecrp::cache::{Cached, Key, Listing, Store, format};
use tui_support::*;

const W: u16 = 160;
const H: u16 = 45;

fn registry() -> RegistryRow {
    RegistryRow {
        registry_id: "123456789012".into(),
        registry_arn: "arn:aws:ecr-public::123456789012:registry/123456789012".into(),
        registry_uri: "public.ecr.aws/acme".into(),
        verified: true,
        aliases: vec![],
        display_name: None,
    }
}

fn store(dir: &std::path::Path) -> Store {
    Store::new(dir.to_path_buf(), ecrp::cache::DEFAULT_MAX_BYTES)
}

fn info(profile: &str, region: &str) -> ConnectionInfo {
    ConnectionInfo {
        profile: profile.into(),
        region: region.into(),
        endpoint: None,
    }
}

/// Connected with the cache on (in `dir`): the effects of connecting.
pub(crate) fn cached_app(dir: &std::path::Path) -> (App, Vec<Effect>) {
    let opts = RunOptions {
        cache: Some(CacheOptions {
            store: store(dir),
            identity: String::new(),
        }),
        ..RunOptions::default()
    };
    let mut app = App::new(opts, NOW, W, H);
    let fx = app::update(&mut app, Msg::Connected(info("default", "us-east-1")));
    (app, fx)
}

/// The `ReadCache` effect for `list` in `fx`: its client and key.
pub(crate) fn read_cache(fx: &[Effect], list: ListId) -> Option<(u64, Box<Key>)> {
    fx.iter().find_map(|e| match e {
        Effect::ReadCache {
            client,
            list: l,
            key,
            ..
        } if *l == list => Some((*client, key.clone())),
        _ => None,
    })
}

fn write_cache(fx: &[Effect], list_kind: &str) -> Option<Vec<u8>> {
    fx.iter().find_map(|e| match e {
        Effect::WriteCache { key, bytes, .. } if key.kind == list_kind => Some(bytes.clone()),
        _ => None,
    })
}

pub(crate) fn cache_read(client: u64, list: ListId, key: &Key, listing: Option<Listing>) -> Msg {
    Msg::CacheRead {
        client,
        list,
        key: Box::new(key.clone()),
        cached: listing.map(|listing| {
            Box::new(Cached {
                listing,
                saved_at: NOW - 2 * 3600,
                index: None,
            })
        }),
    }
}

fn names(app: &App) -> Vec<String> {
    app.remote
        .repos
        .window(0, 100)
        .map(|r| r.repository_name.to_string())
        .collect()
}

/// The registries answered (one registry, nothing cached for them): on the repositories pane.
pub(crate) fn one_registry(app: &mut App, fx: &[Effect]) {
    let (client, key) = read_cache(fx, ListId::Registries).expect("registries read the cache");
    let (g, _) = load_generation(fx, ListId::Registries).unwrap();
    app::update(app, cache_read(client, ListId::Registries, &key, None));
    app::update(
        app,
        Msg::Page {
            generation: g,
            rows: PageRows::Registries(page(vec![registry()], None, 1)),
        },
    );
}

#[test]
fn cached_rows_show_at_once_then_the_fresh_listing_replaces_them_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, fx) = cached_app(dir.path());
    let (client, key) = read_cache(&fx, ListId::Repositories).expect("repositories read the cache");
    assert_eq!(
        (key.kind, key.scope.profile.as_str()),
        ("repositories", "default")
    );
    let (g, _) = load_generation(&fx, ListId::Repositories).expect("and load at the same time");
    one_registry(&mut app, &fx);
    assert_eq!(app.pane, app::Pane::Repositories);

    let cached: Vec<RepoRow> = ["api", "docs", "web", "worker"]
        .iter()
        .map(|n| repo(n, NOW - 86_400))
        .collect();
    app::update(
        &mut app,
        cache_read(
            client,
            ListId::Repositories,
            &key,
            Some(Listing::Repositories(cached)),
        ),
    );
    assert_eq!(app.remote.repos.len(), 4, "shown at once");
    let s = screen(&app);
    assert!(s.contains("cached 2 hours ago"), "{s}");
    // The cursor goes to "web", and the filter narrows to names with a "w".
    app::update(&mut app, tui_support::key('/'));
    app::update(&mut app, tui_support::key('w'));
    app::update(&mut app, code(KeyCode::Enter));
    let web = names(&app).iter().position(|n| n == "web").unwrap();
    app.remote.repos.select(web);
    assert_eq!(
        app.remote
            .repos
            .selected()
            .unwrap()
            .repository_name
            .as_ref(),
        "web"
    );

    // Unconfirmed rows offer no mutation: it says why instead.
    app::update(&mut app, tui_support::key('d'));
    assert!(app.modal.is_none());
    assert!(
        matches!(&app.status, Status::Warning(m) if m.contains("not confirmed")),
        "{:?}",
        app.status
    );

    // `r` while the fresh listing runs keeps the cached rows and starts no second listing.
    let shown = names(&app);
    let again = app::update(&mut app, tui_support::key('r'));
    assert_eq!(names(&app), shown, "the cached rows stay");
    assert!(
        load_generation(&again, ListId::Repositories).is_none(),
        "{again:?}"
    );
    assert!(
        matches!(&app.status, Status::Info(m) if m.contains("already being read")),
        "{:?}",
        app.status
    );

    // The first fresh page is staged behind the cached rows; the difference shows meanwhile.
    let fx = app::update(
        &mut app,
        repos_page(
            vec![repo("api", NOW - 86_400), repo("web", NOW)],
            g,
            Some("t1"),
        ),
    );
    assert!(
        write_cache(&fx, "repositories").is_none(),
        "not complete yet"
    );
    assert_eq!(app.remote.repos.rows.len(), 4);
    assert!(screen(&app).contains("1 differ so far"), "{}", screen(&app));
    assert_eq!(app.remote.repos.load.state, LoadState::Loading { page: 2 });

    // The last page: the fresh listing replaces the cached rows as a whole, selection and filter
    // kept, and is saved.
    let fx = app::update(
        &mut app,
        repos_page(
            vec![repo("worker", NOW - 86_400), repo("wasm", NOW)],
            g,
            None,
        ),
    );
    assert!(app.remote.repos.stale.is_none());
    assert_eq!(app.remote.repos.load.state, LoadState::Done);
    let mut all: Vec<String> = app
        .remote
        .repos
        .rows
        .iter()
        .map(|r| r.repository_name.to_string())
        .collect();
    all.sort();
    assert_eq!(all, ["api", "wasm", "web", "worker"]);
    assert_eq!(app.remote.repos.filter.query, "w");
    assert_eq!(
        app.remote
            .repos
            .selected()
            .unwrap()
            .repository_name
            .as_ref(),
        "web"
    );
    assert_eq!(
        app.status,
        Status::Info("fresh listing in: 2 new or changed, 1 gone since cached".into())
    );
    let bytes = write_cache(&fx, "repositories").expect("the complete listing is saved");
    let (saved, at) = format::decode(&bytes).expect("decodes");
    assert_eq!(at, NOW);
    assert_eq!(saved.len(), 4);
    assert!(!screen(&app).contains("· cached"), "{}", screen(&app));

    // Confirmed now: delete asks.
    app::update(&mut app, tui_support::key('d'));
    assert!(app.modal.is_some());
}

#[test]
fn without_a_cached_listing_the_pages_show_as_they_come() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, fx) = cached_app(dir.path());
    let (client, key) = read_cache(&fx, ListId::Repositories).unwrap();
    let (g, _) = load_generation(&fx, ListId::Repositories).unwrap();
    one_registry(&mut app, &fx);
    // A page that beats the cache read waits for it (a few milliseconds)...
    app::update(&mut app, repos_page(vec![repo("api", NOW)], g, Some("t1")));
    assert_eq!(app.remote.repos.len(), 0);
    // ...which found nothing: the page shows, and the next one is appended at once.
    app::update(
        &mut app,
        cache_read(client, ListId::Repositories, &key, None),
    );
    assert_eq!(names(&app), ["api"]);
    app::update(&mut app, repos_page(vec![repo("web", NOW)], g, Some("t2")));
    assert_eq!(app.remote.repos.len(), 2);
    assert!(app.remote.repos.stale.is_none());
}

#[test]
fn a_cache_read_slower_than_the_whole_listing_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, fx) = cached_app(dir.path());
    let (client, key) = read_cache(&fx, ListId::Repositories).unwrap();
    let (g, _) = load_generation(&fx, ListId::Repositories).unwrap();
    one_registry(&mut app, &fx);
    app::update(&mut app, repos_page(vec![repo("fresh", NOW)], g, None));
    assert_eq!(names(&app), ["fresh"]);
    let old = Listing::Repositories(vec![repo("old", NOW - 86_400)]);
    app::update(
        &mut app,
        cache_read(client, ListId::Repositories, &key, Some(old)),
    );
    assert_eq!(
        names(&app),
        ["fresh"],
        "older rows never replace fresh ones"
    );
    assert!(app.remote.repos.stale.is_none());
}

#[test]
fn switching_region_never_shows_the_other_accounts_cached_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, fx) = cached_app(dir.path());
    let (old_client, old_key) = read_cache(&fx, ListId::Repositories).unwrap();
    one_registry(&mut app, &fx);
    // Switch region before the first account's cache read answered.
    app::update(&mut app, ctrl('r'));
    app::update(&mut app, tui_support::key('j'));
    let fx = app::update(&mut app, code(KeyCode::Enter));
    let Some(Effect::Connect(opts)) = fx.iter().find(|e| matches!(e, Effect::Connect(_))) else {
        panic!("{fx:?}");
    };
    let region = opts.region.clone().expect("a region chosen");
    assert_ne!(region, "us-east-1");
    let fx = app::update(&mut app, Msg::Connected(info("default", &region)));
    let (client, key) = read_cache(&fx, ListId::Repositories).expect("the new scope's cache");
    assert_ne!(client, old_client);
    assert_eq!(key.scope.region, region);
    assert_ne!(key.file_name(), old_key.file_name());

    let theirs = || Some(Listing::Repositories(vec![repo("other-account", NOW)]));
    // The old client's answer, and an answer about another key, are not about this account.
    app::update(
        &mut app,
        cache_read(old_client, ListId::Repositories, &old_key, theirs()),
    );
    app::update(
        &mut app,
        cache_read(client, ListId::Repositories, &old_key, theirs()),
    );
    assert_eq!(app.remote.repos.len(), 0);
    assert!(!screen(&app).contains("other-account"));
    // Its own cached rows show.
    let mine = Listing::Repositories(vec![repo("mine", NOW)]);
    app::update(
        &mut app,
        cache_read(client, ListId::Repositories, &key, Some(mine)),
    );
    assert_eq!(names(&app), ["mine"]);
}

#[test]
fn no_cache_reads_and_saves_nothing() {
    let (mut app, fx) = connected_app(W, H);
    assert!(read_cache(&fx, ListId::Repositories).is_none());
    let (g, _) = load_generation(&fx, ListId::Repositories).unwrap();
    let fx = app::update(&mut app, repos_page(vec![repo("api", NOW)], g, None));
    assert!(write_cache(&fx, "repositories").is_none());
    assert_eq!(names(&app), ["api"]);
}

// Prefetch with the cache.

pub(crate) fn rest_timer(fx: &[Effect]) -> Option<u64> {
    fx.iter().find_map(|e| match e {
        Effect::RestTimer { seq, .. } => Some(*seq),
        _ => None,
    })
}

#[test]
fn a_prefetched_single_page_replaces_the_cached_listing_and_saves_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, fx) = cached_app(dir.path());
    let (client, key) = read_cache(&fx, ListId::Repositories).unwrap();
    let (g, _) = load_generation(&fx, ListId::Repositories).unwrap();
    one_registry(&mut app, &fx);
    app::update(
        &mut app,
        cache_read(client, ListId::Repositories, &key, None),
    );
    let fx = app::update(&mut app, repos_page(vec![repo("api", NOW)], g, None));
    let seq = rest_timer(&fx).unwrap();
    let fx = app::update(&mut app, Msg::Rested { seq });
    let Some(Effect::Prefetch {
        seq,
        repo,
        cache: Some((_, image_key, tags_key)),
        ..
    }) = fx.iter().find(|e| matches!(e, Effect::Prefetch { .. }))
    else {
        panic!("a prefetch with the cache's keys: {fx:?}");
    };
    assert_eq!((&**repo, image_key.kind), ("api", "images"));
    assert_eq!(image_key.repo, "api");
    assert_eq!((tags_key.kind, &*tags_key.repo), ("tags", "api"));
    let cached = Listing::Images(vec![
        image("aa", &["v1"], 10, NOW - 60),
        image("gone", &["v0"], 10, NOW - 120),
    ]);
    let client = app.remote.client;
    app::update(
        &mut app,
        Msg::Prefetched {
            client,
            seq: *seq,
            answer: Ok(Prefetched {
                repo: "api".into(),
                page: page(vec![image("aa", &["v1"], 10, NOW - 60)], None, 1),
                cached: Some(Box::new(Cached {
                    listing: cached,
                    saved_at: NOW - 600,
                    index: None,
                })),
                tags_cached: None,
                tags: None,
            }),
        },
    );
    let fx = app::update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.remote.images.rows.len(), 1, "the fresh page, whole");
    assert!(app.remote.images.stale.is_none());
    assert_eq!(app.remote.images.load.state, LoadState::Done);
    assert!(
        load_generation(&fx, ListId::Images).is_none(),
        "nothing left to load"
    );
    assert_eq!(
        app.status,
        Status::Info("fresh listing in: 0 new or changed, 1 gone since cached".into())
    );
    assert!(write_cache(&fx, "images").is_some());
}

// Against the emulator, with a real store.

async fn start_cached(url: &str, dir: &std::path::Path) -> Harness {
    let store = store(dir);
    Harness::start_with(url, W, H, NOW, move |o| {
        o.cache = Some(CacheOptions {
            store,
            identity: String::new(),
        })
    })
    .await
}

fn cache_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "lc"))
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_second_start_revalidates_and_damaged_files_are_replaced() {
    // Answers take 30-40 ms, as on a real link: the cache file is read before the fresh listing
    // is complete (on loopback a busy machine could let the listing win, and then rightly no
    // cached row is shown).
    let emu = ecrp::emulator::start(ecrp::emulator::EmulatorOptions {
        clock: Some(NOW),
        faults: Some(ecrp::emulator::FaultSpec::parse("latency=30-40ms").unwrap()),
        ..Default::default()
    })
    .await
    .expect("emulator");
    let dir = tempfile::tempdir().unwrap();

    // First start: nothing cached; the complete listings are saved.
    let h = start_cached(&emu.url(), dir.path()).await;
    let first = h.screen();
    let repos = h.app.remote.repos.len();
    assert!(repos > 0, "{first}");
    drop(h);
    let files = cache_files(dir.path());
    assert!(
        files.len() >= 2,
        "registries and repositories saved: {files:?}"
    );

    // Second start: the cached rows were shown and the fresh listing confirmed them.
    let h = start_cached(&emu.url(), dir.path()).await;
    assert_eq!(h.app.remote.repos.len(), repos);
    assert_eq!(
        h.app.status,
        Status::Info("the cached rows were up to date".into()),
        "{}",
        h.screen()
    );
    drop(h);

    // Damage every file: truncated, garbage, empty, one byte flipped.
    for (i, f) in files.iter().enumerate() {
        let mut bytes = std::fs::read(f).unwrap();
        match i % 4 {
            0 => bytes.truncate(bytes.len() / 2),
            1 => bytes = b"not a cache file at all".to_vec(),
            2 => bytes.clear(),
            _ => {
                let mid = bytes.len() / 2;
                bytes[mid] ^= 0x40;
            }
        }
        std::fs::write(f, bytes).unwrap();
    }
    let h = start_cached(&emu.url(), dir.path()).await;
    assert_eq!(h.app.remote.repos.len(), repos, "{}", h.screen());
    assert!(h.app.remote.repos.stale.is_none());
    drop(h);
    // Each damaged file was dropped and the fresh listing saved in its place.
    for f in cache_files(dir.path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(format::decode(&bytes).is_some(), "{f:?} was replaced");
    }
    emu.shutdown().await;
}

/// Two processes sharing the directory: writers replace the same file over and over while
/// readers read it; every read is a whole listing (the old or the new), never a torn one.
#[test]
fn concurrent_writers_and_readers_never_see_a_torn_file() {
    let dir = tempfile::tempdir().unwrap();
    let key = Key {
        kind: "repositories",
        scope: Default::default(),
        registry: String::new(),
        repo: String::new(),
    };
    let listing = |n: usize| {
        Listing::Repositories(
            (0..n)
                .map(|i| repo(&format!("repo-{n}-{i:05}"), NOW))
                .collect(),
        )
    };
    // Big enough that a write takes many syscalls.
    let sizes = [2_000usize, 3_000];
    store(dir.path())
        .write(&key, &listing(sizes[0]), NOW)
        .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    std::thread::scope(|s| {
        for n in sizes {
            let (dir, key, stop) = (dir.path(), key.clone(), stop.clone());
            s.spawn(move || {
                // Each thread has its own store, as each process would.
                let st = store(dir);
                let l = listing(n);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    st.write(&key, &l, NOW).unwrap();
                }
            });
        }
        let mut reads = 0;
        let st = store(dir.path());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        while std::time::Instant::now() < deadline {
            let c = st.read(&key).expect("always an intact file to read");
            assert!(sizes.contains(&c.listing.len()), "{}", c.listing.len());
            reads += 1;
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(reads > 10, "{reads}");
    });
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn one_cached_registry_leads_to_its_repositories_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, fx) = cached_app(dir.path());
    let (client, key) = read_cache(&fx, ListId::Registries).unwrap();
    assert_eq!(app.pane, app::Pane::Registries);
    app::update(
        &mut app,
        cache_read(
            client,
            ListId::Registries,
            &key,
            Some(Listing::Registries(vec![registry()])),
        ),
    );
    assert_eq!(app.remote.registries.len(), 1);
    assert!(app.overlay.is_none(), "{:?}", app.overlay);
    assert_eq!(app.pane, app::Pane::Repositories, "without a round trip");
}
