//! Prefetch in `update` (no terminal, no network: the tests answer the effects themselves): a
//! cursor resting on a repository asks for its first page once, scrolling sends nothing, moving on
//! cancels, a late or old answer is dropped, and `enter` adopts the prefetched page.

use crate::support::tui as tui_support;

use crossterm::event::KeyCode;
use ecrp::app::prefetch::Prefetched;
use ecrp::app::{self, App, Effect, ListId, Msg, PageRows};
use ecrp::aws::{ImageRow, Page, RegistryRow};
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

fn rest_timer(fx: &[Effect]) -> Option<u64> {
    fx.iter().find_map(|e| match e {
        Effect::RestTimer { seq, .. } => Some(*seq),
        _ => None,
    })
}

fn prefetch_of(fx: &[Effect]) -> Option<(u64, String)> {
    fx.iter().find_map(|e| match e {
        Effect::Prefetch { seq, repo, .. } => Some((*seq, repo.to_string())),
        _ => None,
    })
}

/// Connected without the cache, with `n` repositories loaded and the first one's rest timer
/// armed: the app and that timer's number.
fn with_repos(n: usize) -> (App, u64) {
    let (mut app, fx) = connected_app(W, H);
    let (rg, _) = load_generation(&fx, ListId::Registries).unwrap();
    let (rp, _) = load_generation(&fx, ListId::Repositories).unwrap();
    app::update(
        &mut app,
        Msg::Page {
            generation: rg,
            rows: PageRows::Registries(page(vec![registry()], None, 1)),
        },
    );
    let rows = (0..n)
        .map(|i| repo(&format!("repo-{i:03}"), NOW - i as i64 * 3600))
        .collect();
    let fx = app::update(&mut app, repos_page(rows, rp, None));
    let seq = rest_timer(&fx).expect("the cursor landed on a repository: a rest timer");
    (app, seq)
}

/// The prefetch's answer for `repo`: its first page of images, nothing cached, no tags.
fn answer_prefetch(app: &mut App, seq: u64, repo: &str, page: Page<ImageRow>) {
    let client = app.remote.client;
    app::update(
        app,
        Msg::Prefetched {
            client,
            seq,
            answer: Ok(Prefetched {
                repo: repo.into(),
                page,
                cached: None,
                tags_cached: None,
                tags: None,
            }),
        },
    );
}

#[test]
fn scrolling_fast_sends_nothing_and_a_rest_prefetches_once() {
    let (mut app, first) = with_repos(20);
    // Scrolling: one timer is armed already, so no key arms another or asks for anything.
    for _ in 0..10 {
        let fx = app::update(&mut app, tui_support::key('j'));
        assert!(
            rest_timer(&fx).is_none() && prefetch_of(&fx).is_none(),
            "{fx:?}"
        );
    }
    // The timer fires, but the cursor moved since it was armed: it waits again.
    let fx = app::update(&mut app, Msg::Rested { seq: first });
    assert!(prefetch_of(&fx).is_none(), "{fx:?}");
    let seq = rest_timer(&fx).expect("re-armed for where the cursor is now");
    // Now it rested: one prefetch, of the repository under the cursor, and its catalog.
    let fx = app::update(&mut app, Msg::Rested { seq });
    assert_eq!(prefetch_of(&fx), Some((seq, "repo-010".into())));
    assert!(app.remote.catalogs.get("repo-010").is_some());
    assert!(app.remote.prefetch.in_flight());
    // A second timer answer for the same rest asks nothing more.
    let fx = app::update(&mut app, Msg::Rested { seq });
    assert!(prefetch_of(&fx).is_none(), "{fx:?}");
}

#[test]
fn moving_on_cancels_the_prefetch_and_drops_its_late_answer() {
    let (mut app, seq) = with_repos(5);
    let fx = app::update(&mut app, Msg::Rested { seq });
    let (seq, repo) = prefetch_of(&fx).unwrap();
    assert_eq!(repo, "repo-000");
    let fx = app::update(&mut app, tui_support::key('j'));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::CancelPrefetch)),
        "{fx:?}"
    );
    assert!(!app.remote.prefetch.in_flight());
    let next = rest_timer(&fx).expect("a timer for the new repository");
    // The cancelled request's answer, had it slipped through, is dropped.
    answer_prefetch(
        &mut app,
        seq,
        "repo-000",
        page(vec![image("aa", &["v1"], 10, NOW)], None, 1),
    );
    assert!(!app.remote.prefetch.holds("repo-000"));
    // Covering the pane (help here) cancels too.
    let fx = app::update(&mut app, Msg::Rested { seq: next });
    assert_eq!(prefetch_of(&fx).unwrap().1, "repo-001");
    let fx = app::update(&mut app, tui_support::key('?'));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::CancelPrefetch)),
        "{fx:?}"
    );
}

#[test]
fn enter_on_a_prefetched_repository_draws_its_rows_at_once_and_resumes_from_the_token() {
    let (mut app, seq) = with_repos(5);
    app::update(&mut app, tui_support::key('j'));
    let fx = app::update(&mut app, Msg::Rested { seq });
    let seq = rest_timer(&fx).unwrap();
    let fx = app::update(&mut app, Msg::Rested { seq });
    let (seq, repo) = prefetch_of(&fx).unwrap();
    assert_eq!(repo, "repo-001");
    answer_prefetch(
        &mut app,
        seq,
        &repo,
        page(
            vec![image("aa", &["v1"], 10, NOW), image("bb", &["v2"], 10, NOW)],
            Some("t1"),
            1,
        ),
    );
    assert!(app.remote.prefetch.holds("repo-001"));
    let fx = app::update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.pane, app::Pane::Images);
    assert_eq!(app.remote.images.rows.len(), 2, "drawn in the same frame");
    assert!(screen(&app).contains("v2"));
    let (_, token) = load_generation(&fx, ListId::Images).expect("the rest loads");
    assert_eq!(token.as_deref(), Some("t1"));
    assert!(!app.remote.prefetch.holds("repo-001"), "taken");
}

#[test]
fn a_view_over_the_list_keeps_the_prefetched_page_and_another_repository_drops_it() {
    let (mut app, seq) = with_repos(5);
    let fx = app::update(&mut app, Msg::Rested { seq });
    let (seq, repo) = prefetch_of(&fx).unwrap();
    assert_eq!(repo, "repo-000");
    answer_prefetch(
        &mut app,
        seq,
        "repo-000",
        page(vec![image("aa", &["v1"], 10, NOW)], None, 1),
    );
    // Help covers the list and goes: the answer is still held, and the rest asks nothing again.
    app::update(&mut app, tui_support::key('?'));
    assert!(app.remote.prefetch.holds("repo-000"), "kept under the view");
    let fx = app::update(&mut app, code(KeyCode::Esc));
    assert!(app.remote.prefetch.holds("repo-000"));
    if let Some(seq) = rest_timer(&fx) {
        let fx = app::update(&mut app, Msg::Rested { seq });
        assert!(prefetch_of(&fx).is_none(), "held and fresh: {fx:?}");
    }
    app::update(&mut app, code(KeyCode::Enter));
    assert_eq!(
        app.remote.images.rows.len(),
        1,
        "drawn at once after the view"
    );
    assert!(screen(&app).contains("v1"));
    // Back to the list and on to another repository: the answer is not for it, so it goes.
    app::update(&mut app, code(KeyCode::Esc));
    app::update(&mut app, tui_support::key('j'));
    assert!(!app.remote.prefetch.holds("repo-000"));
}

#[test]
fn a_prefetched_page_too_old_is_not_shown() {
    let (mut app, seq) = with_repos(3);
    let fx = app::update(&mut app, Msg::Rested { seq });
    let (seq, repo) = prefetch_of(&fx).unwrap();
    answer_prefetch(
        &mut app,
        seq,
        &repo,
        page(vec![image("aa", &["v1"], 10, NOW)], None, 1),
    );
    app::update(
        &mut app,
        Msg::Tick(NOW + ecrp::app::prefetch::MAX_AGE_SECS + 1),
    );
    let fx = app::update(&mut app, code(KeyCode::Enter));
    assert!(app.remote.images.rows.is_empty());
    assert_eq!(
        load_generation(&fx, ListId::Images).unwrap().1,
        None,
        "a fresh load"
    );
}

/// The prefetch of the selected repository answered with `tags` as its first page of tags; then
/// `enter`. Returns the effects of `enter`.
fn entered_with_tags(app: &mut App, seq: u64, tags: Option<&str>) -> Vec<Effect> {
    let fx = app::update(app, Msg::Rested { seq });
    let (seq, repo) = prefetch_of(&fx).unwrap();
    let client = app.remote.client;
    app::update(
        app,
        Msg::Prefetched {
            client,
            seq,
            answer: Ok(Prefetched {
                repo: repo.as_str().into(),
                page: page(vec![image("aa", &["stable"], 10, NOW)], None, 1),
                cached: None,
                tags_cached: None,
                tags: Some(page(
                    vec![
                        tag_row("stable", "aa", NOW),
                        tag_row("nightly-1", "aa", NOW),
                    ],
                    tags,
                    1,
                )),
            }),
        },
    );
    app::update(app, code(KeyCode::Enter))
}

#[test]
fn tab_to_the_prefetched_tags_draws_them_at_once_and_resumes_from_their_token() {
    let (mut app, seq) = with_repos(3);
    let fx = entered_with_tags(&mut app, seq, Some("tt1"));
    assert_eq!(app.pane, app::Pane::Images);
    assert!(
        load_generation(&fx, ListId::Tags).is_none(),
        "tags are not loaded before they are shown: {fx:?}"
    );
    let fx = app::update(&mut app, code(KeyCode::Tab));
    assert_eq!(app.pane, app::Pane::Tags);
    assert_eq!(app.remote.tags.rows.len(), 2, "drawn in the same frame");
    assert!(screen(&app).contains("nightly-1"), "{}", screen(&app));
    let (_, token) = load_generation(&fx, ListId::Tags).expect("the rest loads");
    assert_eq!(token.as_deref(), Some("tt1"));
}

#[test]
fn prefetched_tags_that_are_the_whole_listing_need_no_request() {
    let (mut app, seq) = with_repos(3);
    entered_with_tags(&mut app, seq, None);
    let fx = app::update(&mut app, code(KeyCode::Tab));
    assert_eq!(app.remote.tags.rows.len(), 2);
    assert!(load_generation(&fx, ListId::Tags).is_none(), "{fx:?}");
    assert_eq!(app.remote.tags.load.state, ecrp::app::load::LoadState::Done);
}

/// The prefetch read the tags' cached listing too: `tab` draws it at once, marked as cached,
/// with the fresh first page staged behind it; the rest resumes from the page's token and the
/// complete fresh listing replaces the cached rows whole.
#[test]
fn prefetched_tags_show_their_cached_listing_until_the_fresh_one_completes() {
    use ecrp::cache::{Cached, Listing};
    let (mut app, seq) = with_repos(3);
    let fx = app::update(&mut app, Msg::Rested { seq });
    let (seq, repo) = prefetch_of(&fx).unwrap();
    let client = app.remote.client;
    let cached_tags = Listing::Tags(vec![
        tag_row("stable", "aa", NOW - 600),
        tag_row("legacy-zz", "bb", NOW - 600),
        tag_row("nightly-1", "aa", NOW - 600),
    ]);
    app::update(
        &mut app,
        Msg::Prefetched {
            client,
            seq,
            answer: Ok(Prefetched {
                repo: repo.as_str().into(),
                page: page(vec![image("aa", &["stable"], 10, NOW)], None, 1),
                cached: None,
                tags_cached: Some(Box::new(Cached {
                    listing: cached_tags,
                    saved_at: NOW - 600,
                    index: None,
                })),
                tags: Some(page(
                    vec![tag_row("stable", "aa", NOW - 600)],
                    Some("tt1"),
                    1,
                )),
            }),
        },
    );
    app::update(&mut app, code(KeyCode::Enter));
    let fx = app::update(&mut app, code(KeyCode::Tab));
    assert_eq!(app.pane, app::Pane::Tags);
    assert_eq!(
        app.remote.tags.rows.len(),
        3,
        "the cached tags, drawn at once"
    );
    assert!(app.remote.tags.stale.is_some(), "marked as cached");
    assert!(screen(&app).contains("legacy-zz"), "{}", screen(&app));
    let (g, token) = load_generation(&fx, ListId::Tags).expect("the rest loads");
    assert_eq!(token.as_deref(), Some("tt1"));
    app::update(
        &mut app,
        Msg::Page {
            generation: g,
            rows: PageRows::Tags(page(vec![tag_row("nightly-1", "aa", NOW - 600)], None, 2)),
        },
    );
    assert_eq!(app.remote.tags.rows.len(), 2, "the fresh listing, whole");
    assert!(app.remote.tags.stale.is_none());
    assert!(!screen(&app).contains("legacy-zz"), "{}", screen(&app));
}
