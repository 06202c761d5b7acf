//! Marks while a pane shows cached rows: only rows a fresh page brought back unchanged can be
//! marked before the listing completes, and marks on rows a fresh listing no longer has are
//! dropped and said (`update` only; the tests answer the effects themselves).

use crate::support::tui as tui_support;
use crate::tui_cache::{cache_read, cached_app, one_registry, read_cache, rest_timer};

use crossterm::event::KeyCode;
use ecrp::app::prefetch::Prefetched;
use ecrp::app::{self, App, Effect, ListId, Msg, PageRows, Status};
use ecrp::cache::{Cached, Listing};
use tui_support::*;

/// On the images of "api": cached rows aa, bb and gone (saved 10 minutes ago) behind a fresh
/// first page that brought aa back unchanged and has more to come. Returns the images' load.
fn images_behind_cache(dir: &std::path::Path) -> (App, u64) {
    let (mut app, fx) = cached_app(dir);
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
    let Some(Effect::Prefetch { seq, .. }) =
        fx.iter().find(|e| matches!(e, Effect::Prefetch { .. }))
    else {
        panic!("a prefetch: {fx:?}");
    };
    let cached = Listing::Images(vec![
        image("aa", &["v1"], 10, NOW - 60),
        image("bb", &["v2"], 10, NOW - 120),
        image("gone", &["v0"], 10, NOW - 180),
    ]);
    let client = app.remote.client;
    app::update(
        &mut app,
        Msg::Prefetched {
            client,
            seq: *seq,
            answer: Ok(Prefetched {
                repo: "api".into(),
                page: page(vec![image("aa", &["v1"], 10, NOW - 60)], Some("t1"), 1),
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
    assert_eq!(app.pane, app::Pane::Images);
    assert!(app.remote.images.stale.is_some(), "the cached rows show");
    let (g, token) = load_generation(&fx, ListId::Images).expect("the listing goes on");
    assert_eq!(token.as_deref(), Some("t1"));
    (app, g)
}

fn select_image(app: &mut App, digest: &str) {
    let at = app
        .remote
        .images
        .window(0, 100)
        .position(|r| *r.image_digest == format!("sha256:{digest}"))
        .unwrap();
    app.remote.images.select(at);
}

fn marked_images(app: &App) -> Vec<String> {
    let mut m: Vec<String> = app
        .remote
        .images
        .marked_rows()
        .map(|r| r.image_digest.to_string())
        .collect();
    m.sort();
    m
}

#[test]
fn only_rows_a_fresh_page_confirmed_can_be_marked_before_the_listing_completes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, g) = images_behind_cache(dir.path());

    // bb is only cached: space refuses, saying how old the rows are and when it will work.
    select_image(&mut app, "bb");
    app::update(&mut app, tui_support::key(' '));
    assert!(marked_images(&app).is_empty());
    let Status::Warning(m) = &app.status else {
        panic!("{:?}", app.status);
    };
    assert!(m.contains("from the cache (saved 10 minutes ago)"), "{m}");
    assert!(m.contains("marking waits for the fresh listing"), "{m}");

    // aa came back unchanged in the first fresh page: it can be marked.
    select_image(&mut app, "aa");
    app::update(&mut app, tui_support::key(' '));
    assert_eq!(marked_images(&app), ["sha256:aa"]);
    // And unmarked.
    select_image(&mut app, "aa");
    app::update(&mut app, tui_support::key(' '));
    assert!(marked_images(&app).is_empty());

    // ctrl-a marks the confirmed rows only and says how many it left out.
    app::update(&mut app, ctrl('a'));
    assert_eq!(marked_images(&app), ["sha256:aa"]);
    let Status::Warning(m) = &app.status else {
        panic!("{:?}", app.status);
    };
    assert!(m.starts_with("1 marked; 2 left out"), "{m}");
    // Still no delete on a set that may hold rows gone meanwhile.
    app::update(&mut app, tui_support::key('d'));
    assert!(app.modal.is_none());

    // The rest of the listing: gone is gone, bb confirmed; aa's mark stays, nothing dropped.
    app::update(
        &mut app,
        Msg::Page {
            generation: g,
            rows: PageRows::Images(page(vec![image("bb", &["v2"], 10, NOW - 120)], None, 2)),
        },
    );
    assert!(app.remote.images.stale.is_none());
    assert_eq!(app.remote.images.rows.len(), 2);
    assert_eq!(marked_images(&app), ["sha256:aa"]);
    assert_eq!(
        app.status,
        Status::Info("fresh listing in: 0 new or changed, 1 gone since cached".into())
    );
    // Every row is confirmed now: ctrl-a marks them all, and d asks.
    app::update(&mut app, ctrl('a'));
    assert_eq!(marked_images(&app), ["sha256:aa", "sha256:bb"]);
    assert_eq!(app.status, Status::Info("2 marked: d deletes them".into()));
    app::update(&mut app, tui_support::key('d'));
    assert!(app.modal.is_some());
}

#[test]
fn ctrl_a_with_no_confirmed_row_marks_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, _) = images_behind_cache(dir.path());
    // A filter that leaves only the unconfirmed rows.
    app::update(&mut app, tui_support::key('/'));
    for c in "v0".chars() {
        app::update(&mut app, tui_support::key(c));
    }
    app::update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.remote.images.len(), 1);
    app::update(&mut app, ctrl('a'));
    assert!(marked_images(&app).is_empty());
    let Status::Warning(m) = &app.status else {
        panic!("{:?}", app.status);
    };
    assert!(m.contains("none is confirmed yet"), "{m}");
    assert!(m.contains("saved 10 minutes ago"), "{m}");
}

#[test]
fn marks_on_rows_a_reload_no_longer_has_are_dropped_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, g) = images_behind_cache(dir.path());
    app::update(
        &mut app,
        Msg::Page {
            generation: g,
            rows: PageRows::Images(page(vec![image("bb", &["v2"], 10, NOW - 120)], None, 2)),
        },
    );
    app::update(&mut app, ctrl('a'));
    assert_eq!(marked_images(&app), ["sha256:aa", "sha256:bb"]);
    // Auto-refresh reloads in the background; bb was deleted elsewhere meanwhile.
    app::update(&mut app, tui_support::key('R'));
    let every = app.auto_refresh.expect("auto-refresh on") as i64;
    let fx = app::update(&mut app, Msg::Tick(NOW + every));
    let (g, _) = load_generation(&fx, ListId::Images).expect("a reload");
    app::update(
        &mut app,
        Msg::Page {
            generation: g,
            rows: PageRows::Images(page(vec![image("aa", &["v1"], 10, NOW - 60)], None, 1)),
        },
    );
    assert_eq!(marked_images(&app), ["sha256:aa"]);
    assert_eq!(
        app.status,
        Status::Warning("1 mark dropped: the fresh listing no longer has those rows".into())
    );
}
