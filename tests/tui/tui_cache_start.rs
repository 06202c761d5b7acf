//! Start-up from the cache (`app::cached_start`): the registries and repositories cached for the
//! connection guessed from local sources are drawn before the client is ready, and dropped when
//! the resolved connection or the fresh listing says they are not this account's.

use crate::support::tui as tui_support;
use crate::tui_cache::read_cache;

use ecrp::app::cached_start::ANOTHER_ACCOUNT;
use ecrp::app::{self, App, CacheOptions, Effect, ListId, Msg, PageRows, RunOptions, Status};
use ecrp::aws::{ConnectionInfo, RegistryRow};
use ecrp::cache::{Cached, Listing, Scope, Store};
use tui_support::*;

const W: u16 = 160;
const H: u16 = 45;

fn registry(id: &str) -> RegistryRow {
    RegistryRow {
        registry_id: id.into(),
        registry_arn: format!("arn:aws:ecr-public::{id}:registry/{id}"),
        registry_uri: "public.ecr.aws/acme".into(),
        verified: true,
        aliases: vec![],
        display_name: None,
    }
}

fn info(region: &str) -> ConnectionInfo {
    ConnectionInfo {
        profile: "default".into(),
        region: region.into(),
        endpoint: None,
    }
}

fn scope(region: &str) -> Scope {
    app::cached::scope(&info(region), false, String::new())
}

/// An app with the cache on, its start effects run by the test: nothing answered yet.
fn started(dir: &std::path::Path) -> (App, Vec<Effect>) {
    let opts = RunOptions {
        cache: Some(CacheOptions {
            store: Store::new(dir.to_path_buf(), ecrp::cache::DEFAULT_MAX_BYTES),
            identity: String::new(),
        }),
        ..RunOptions::default()
    };
    let mut app = App::new(opts, NOW, W, H);
    let fx = app::start(&mut app);
    (app, fx)
}

fn cached(listing: Listing) -> Option<Box<Cached>> {
    Some(Box::new(Cached {
        listing,
        saved_at: NOW - 3600,
        index: None,
    }))
}

/// The start read's answer: registry `id` and its repositories `names`, under `region`'s scope.
/// The client generation of the start's cache read, the first thing the start asks for.
fn start_read(fx: &[Effect]) -> u64 {
    match fx.first() {
        Some(Effect::ReadStartCache { client, .. }) => *client,
        _ => panic!("the start reads the cache first: {fx:?}"),
    }
}

fn start_cache(client: u64, region: &str, id: &str, names: &[&str]) -> Msg {
    let mut repos: Vec<_> = names.iter().map(|n| repo(n, NOW - 7200)).collect();
    for r in &mut repos {
        r.registry_id = id.into();
    }
    Msg::StartCache {
        client,
        scope: Box::new(scope(region)),
        registries: cached(Listing::Registries(vec![registry(id)])),
        repos: cached(Listing::Repositories(repos)),
    }
}

fn names(app: &App) -> Vec<String> {
    app.remote
        .repos
        .window(0, 100)
        .map(|r| r.repository_name.to_string())
        .collect()
}

#[test]
fn cached_repositories_are_drawn_before_the_client_is_ready() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, fx) = started(dir.path());
    // The read goes out with the client's building, not after it.
    let client = start_read(&fx);
    assert!(fx.iter().any(|e| matches!(e, Effect::Connect(_))));
    app::update(
        &mut app,
        start_cache(client, "us-east-1", "111", &["api", "web"]),
    );
    assert!(app.remote.connection.is_none(), "still connecting");
    assert_eq!(app.pane, app::Pane::Repositories, "the single registry");
    assert_eq!(names(&app), ["api", "web"]);
    assert!(app.remote.repos.stale.is_some(), "marked as cached");
    assert!(screen(&app).contains("cached"), "{}", screen(&app));

    // Connected as guessed: the rows stay, the cache is not read again, the fresh listing runs
    // and replaces them whole.
    let fx = app::update(&mut app, Msg::Connected(info("us-east-1")));
    assert!(read_cache(&fx, ListId::Repositories).is_none(), "{fx:?}");
    assert_eq!(names(&app), ["api", "web"]);
    let (g, _) = load_generation(&fx, ListId::Repositories).expect("the fresh listing");
    let mut fresh = repo("api", NOW - 7200);
    fresh.registry_id = "111".into();
    app::update(&mut app, repos_page(vec![fresh], g, None));
    assert_eq!(names(&app), ["api"]);
    assert!(app.remote.repos.stale.is_none());
    assert_eq!(
        app.status,
        Status::Info("fresh listing in: 0 new or changed, 1 gone since cached".into())
    );
}

#[test]
fn rows_read_under_another_scope_than_the_resolved_one_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, fx) = started(dir.path());
    let client = start_read(&fx);
    app::update(
        &mut app,
        start_cache(client, "eu-west-1", "111", &["theirs"]),
    );
    assert_eq!(names(&app), ["theirs"]);
    // The SDK resolved another region than the local guess.
    let fx = app::update(&mut app, Msg::Connected(info("us-east-1")));
    assert_eq!(app.remote.repos.len(), 0);
    assert_eq!(app.remote.registries.len(), 0);
    assert!(!screen(&app).contains("theirs"), "{}", screen(&app));
    assert_eq!(app.pane, app::Pane::Registries, "the fresh listing decides");
    // The resolved scope's own cache is read as usual.
    let (_, key) = read_cache(&fx, ListId::Repositories).expect("read under the resolved key");
    assert_eq!(key.scope, scope("us-east-1"));
}

#[test]
fn a_fresh_page_naming_another_registry_drops_the_cached_rows_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, fx) = started(dir.path());
    let client = start_read(&fx);
    app::update(
        &mut app,
        start_cache(client, "us-east-1", "111", &["old-account"]),
    );
    let fx = app::update(&mut app, Msg::Connected(info("us-east-1")));
    let (g, _) = load_generation(&fx, ListId::Registries).unwrap();
    // Same profile, other credentials: the registry is another one.
    app::update(
        &mut app,
        Msg::Page {
            generation: g,
            rows: PageRows::Registries(page(vec![registry("222")], None, 1)),
        },
    );
    assert_eq!(app.status, Status::Warning(ANOTHER_ACCOUNT.into()));
    assert_eq!(app.remote.repos.len(), 0, "before the repositories answer");
    assert!(!screen(&app).contains("old-account"), "{}", screen(&app));
    assert_eq!(app.remote.registries.len(), 1);
    assert_eq!(&*app.remote.registries.rows[0].registry_id, "222");

    // The repositories' fresh pages then show as they come.
    let (g, _) = load_generation(&fx, ListId::Repositories).unwrap();
    let mut r = repo("new-account", NOW);
    r.registry_id = "222".into();
    app::update(&mut app, repos_page(vec![r], g, None));
    assert_eq!(names(&app), ["new-account"]);
}

#[test]
fn a_start_read_answering_after_connecting_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, fx) = started(dir.path());
    let client = start_read(&fx);
    let fx = app::update(&mut app, Msg::Connected(info("us-east-1")));
    assert!(
        read_cache(&fx, ListId::Repositories).is_some(),
        "read under the resolved key"
    );
    app::update(&mut app, start_cache(client, "us-east-1", "111", &["late"]));
    assert_eq!(app.remote.repos.len(), 0);
    assert!(app.remote.early.is_none());
}

/// The index the reader builds off the UI thread compares exactly as one built when shown; one
/// that cannot be these rows' (more entries than rows) is rebuilt rather than trusted.
#[test]
fn an_index_built_by_the_reader_is_the_one_built_when_shown() {
    use ecrp::app::stale::{Stale, index};
    let rows: Vec<_> = (0..50).map(|i| repo(&format!("r{i}"), NOW)).collect();
    let fresh = Stale::new(NOW, &rows);
    assert_eq!(Stale::with_index(NOW, Some(index(&rows)), &rows), fresh);
    let more: Vec<_> = (0..60).map(|i| repo(&format!("x{i}"), NOW)).collect();
    assert_eq!(Stale::with_index(NOW, Some(index(&more)), &rows), fresh);
    let c = Cached {
        listing: Listing::Repositories(rows.clone()),
        saved_at: NOW,
        index: None,
    };
    assert_eq!(app::cached::index(&c), index(&rows));
}
