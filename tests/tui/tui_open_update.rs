//! The `:open` view through `update` alone (answers fed by the test): tags shown as pages arrive,
//! manifests asked for the rows on screen only (scrolling asks for the next ones, each tag once),
//! answers of an earlier `:open` dropped, `esc` stopping the requests, and a registry's hostile
//! tag names drawn harmless.

use crate::support::tui as tui_support;

use crossterm::event::KeyCode;
use ecrp::app::msg::TagDetail;
use ecrp::app::{self, App, Effect, Msg};
use tui_support::*;

const W: u16 = 120;
const H: u16 = 30;

fn send(app: &mut App, m: Msg) -> Vec<Effect> {
    app::update(app, m)
}

fn type_command(app: &mut App, text: &str) -> Vec<Effect> {
    for c in text.chars() {
        send(app, key(c));
    }
    send(app, code(KeyCode::Enter))
}

/// The generation of the `OpenTags` effect in `fx`.
fn opened(fx: &[Effect]) -> u64 {
    fx.iter()
        .find_map(|e| match e {
            Effect::OpenTags { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("an OpenTags effect")
}

/// The tags whose manifests `fx` asks for.
fn asked(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .flat_map(|e| match e {
            Effect::OpenDetails { tags, .. } => tags.iter().map(|t| t.to_string()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

fn page(generation: u64, from: usize, to: usize, done: bool) -> Msg {
    Msg::OpenPage {
        generation,
        tags: (from..to).map(|i| format!("t{i:05}")).collect(),
        done,
        client: None,
    }
}

#[test]
fn pages_show_as_they_arrive_and_only_visible_rows_are_read() {
    let (mut app, _) = connected_app(W, H);
    let fx = type_command(&mut app, ":open public.ecr.aws/docker/library/nginx");
    let g = opened(&fx);
    assert!(
        screen(&app).contains("reading the tag list"),
        "{}",
        screen(&app)
    );

    let fx = send(&mut app, page(g, 0, 1000, false));
    let first = asked(&fx);
    let s = screen(&app);
    assert!(
        s.contains("public.ecr.aws/docker/library/nginx · 1,000 tags · loading"),
        "{s}"
    );
    assert!(s.contains("t00000") && !s.contains("t00999"), "{s}");
    // The rows on screen, no more: a 30-line terminal shows far fewer than a page.
    assert!(!first.is_empty() && first.len() < 30, "{first:?}");
    assert_eq!(first[0], "t00000");
    assert_eq!(first.last().unwrap(), &format!("t{:05}", first.len() - 1));

    // More pages: nothing new is on screen, so nothing more is read.
    for p in 1..10 {
        let fx = send(&mut app, page(g, p * 1000, (p + 1) * 1000, false));
        assert!(asked(&fx).is_empty(), "page {p} asked {:?}", asked(&fx));
    }
    let fx = send(&mut app, page(g, 0, 0, true));
    assert!(asked(&fx).is_empty());
    assert!(screen(&app).contains("10,000 tags · read-only"));

    // An answer fills its row.
    send(
        &mut app,
        Msg::OpenDetail {
            generation: g,
            tag: "t00000".into(),
            detail: Ok(TagDetail {
                digest: format!("sha256:{}", "ab".repeat(32)).into(),
                size: Some(12_300),
                created: Some(NOW - 3 * 86_400),
                platforms: None,
            }),
        },
    );
    let s = screen(&app);
    assert!(
        s.contains("sha256:abababababab…") && s.contains("12.3 kB"),
        "{s}"
    );

    // Paging down reads the next screenful, each tag once; back up reads nothing again.
    let fx = send(&mut app, code(KeyCode::PageDown));
    let next = asked(&fx);
    assert!(!next.is_empty(), "PageDown reads the rows it shows");
    assert!(next.iter().all(|t| !first.contains(t)), "{next:?}");
    let fx = send(&mut app, code(KeyCode::PageUp));
    assert!(asked(&fx).is_empty(), "{:?}", asked(&fx));
    // `G`: the last rows.
    let fx = send(&mut app, key('G'));
    assert!(asked(&fx).contains(&"t09999".to_string()));

    // esc closes the view and stops its requests; a late answer changes nothing.
    let fx = send(&mut app, code(KeyCode::Esc));
    assert!(fx.iter().any(|e| matches!(e, Effect::CloseOpen)));
    assert!(app.opened.view.is_none());
    send(&mut app, page(g, 10_000, 10_010, false));
    assert!(app.opened.view.is_none());
}

#[test]
fn an_earlier_open_s_answers_are_dropped() {
    let (mut app, _) = connected_app(W, H);
    let g1 = opened(&type_command(&mut app, ":open 127.0.0.1:5000/a/one"));
    let g2 = opened(&type_command(&mut app, ":open 127.0.0.1:5000/a/two"));
    assert_ne!(g1, g2);
    send(&mut app, page(g1, 0, 5, true));
    assert!(screen(&app).contains("127.0.0.1:5000/a/two · 0 tags · loading"));
    send(
        &mut app,
        Msg::OpenFailed {
            generation: g1,
            error: "old".into(),
        },
    );
    assert!(app.opened.view.as_ref().unwrap().error.is_none());
    send(&mut app, page(g2, 0, 2, true));
    assert!(screen(&app).contains("127.0.0.1:5000/a/two · 2 tags · read-only"));
    // Both are remembered for the picker, newest first.
    assert_eq!(
        app.opened.recent,
        ["127.0.0.1:5000/a/two", "127.0.0.1:5000/a/one"]
    );
}

#[test]
fn a_bad_reference_is_explained_and_opens_nothing() {
    let (mut app, _) = connected_app(W, H);
    let fx = type_command(&mut app, ":open not a reference");
    assert!(!fx.iter().any(|e| matches!(e, Effect::OpenTags { .. })));
    assert!(app.opened.view.is_none());
    assert!(
        screen(&app).contains("expected HOST/NAME"),
        "{}",
        screen(&app)
    );
}

#[test]
fn hostile_tag_names_and_errors_are_drawn_harmless() {
    let (mut app, _) = connected_app(W, H);
    let g = opened(&type_command(&mut app, ":open 127.0.0.1:5000/a/b"));
    send(
        &mut app,
        Msg::OpenPage {
            generation: g,
            tags: vec!["ok\u{1b}]0;pwned\u{7}\u{202e}tag".into()],
            done: false,
            client: None,
        },
    );
    send(
        &mut app,
        Msg::OpenFailed {
            generation: g,
            error: "bad \u{1b}[31mred\u{1b}[0m page".into(),
        },
    );
    let s = screen(&app);
    assert!(!s.contains('\u{1b}') && !s.contains('\u{7}') && !s.contains('\u{202e}'));
    assert!(s.contains("stopped"), "{s}");
}
