//! The `:open` view's session in the runner against the emulator's registry API: the first page of
//! tags brings the view's registry client (no message of its own), the manifest reads of the rows
//! on screen run as one task, and `enter` on a tag inspects it through the client that came with
//! the page.

use std::time::Duration;

use crate::support::tui as tui_support;

use crossterm::event::KeyCode;
use ecrp::app::inspector_state::{Shared, Source};
use ecrp::app::{self, Effect, Msg, Runner, Status};
use ecrp::emulator::{self, EmulatorOptions, Seed};
use tokio::sync::mpsc;
use tui_support::*;

const REFERENCE: &str = "public.ecr.aws/acme/many";

async fn next(rx: &mut mpsc::UnboundedReceiver<Msg>) -> Msg {
    tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .expect("an answer within 30 s")
        .expect("the runner's channel is open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_page_brings_the_client_and_the_rows_are_read_in_one_task() {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        synthetic: vec![("many".into(), 30)],
        ..Default::default()
    })
    .await
    .expect("emulator");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = Runner::new(tx, true, 100);
    runner.run(Effect::OpenTags {
        generation: 1,
        reference: REFERENCE.into(),
        registry_url: Some(emu.url()),
    });
    let (mut tags, mut clients, mut pages) = (Vec::new(), Vec::new(), 0);
    loop {
        match next(&mut rx).await {
            Msg::OpenPage {
                generation,
                tags: t,
                done,
                client,
            } => {
                assert_eq!(generation, 1);
                clients.push(client.is_some());
                pages += 1;
                tags.extend(t);
                if done {
                    break;
                }
            }
            other => panic!("unexpected message while listing: {other:?}"),
        }
    }
    assert_eq!(tags.len(), 30, "{tags:?}");
    assert!(pages >= 2, "a page, then the end");
    assert_eq!(
        clients.iter().filter(|c| **c).count(),
        1,
        "only the first message carries the client: {clients:?}"
    );
    assert!(clients[0], "the client rides with the first page");

    let before = runner.started();
    let wanted: Vec<Box<str>> = tags.iter().take(12).map(|t| t.as_str().into()).collect();
    runner.run(Effect::OpenDetails {
        generation: 1,
        tags: wanted.clone(),
    });
    assert_eq!(runner.started(), before + 1, "one task for the batch");
    let mut answered = Vec::new();
    while answered.len() < wanted.len() {
        match next(&mut rx).await {
            Msg::OpenDetail {
                generation,
                tag,
                detail,
            } => {
                assert_eq!(generation, 1);
                let d = detail.unwrap_or_else(|e| panic!("{tag}: {e}"));
                assert!(d.digest.starts_with("sha256:"), "{tag}: {d:?}");
                answered.push(tag);
            }
            other => panic!("unexpected message while reading rows: {other:?}"),
        }
    }
    answered.sort();
    let mut want = wanted;
    want.sort();
    assert_eq!(answered, want, "each row answered once");
    emu.shutdown().await;
}

fn open_view(app: &mut app::App) -> u64 {
    for c in format!(":open {REFERENCE}").chars() {
        app::update(app, key(c));
    }
    app::update(app, code(KeyCode::Enter))
        .iter()
        .find_map(|e| match e {
            Effect::OpenTags { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("an OpenTags effect")
}

fn page(generation: u64, client: Option<Shared<ecrp::registry::RegistryClient>>) -> Msg {
    Msg::OpenPage {
        generation,
        tags: vec!["v1".into(), "v2".into()],
        done: true,
        client,
    }
}

#[test]
fn enter_on_a_tag_inspects_through_the_client_of_the_first_page() {
    let (mut app, _) = connected_app(120, 30);
    let g = open_view(&mut app);
    let r = ecrp::registry::Reference::parse(REFERENCE).expect("reference");
    let client = Shared::new(
        ecrp::inspect::client_for(&r, Some("http://127.0.0.1:9"), None).expect("client"),
    );
    app::update(&mut app, page(g, Some(client.clone())));
    let fx = app::update(&mut app, code(KeyCode::Enter));
    let used = fx
        .iter()
        .find_map(|e| match e {
            Effect::Inspect(req) => match &req.source {
                Source::Registry { client, reference } => {
                    assert_eq!(reference.tag.as_deref(), Some("v1"));
                    Some(client.clone())
                }
                other => panic!("not the view's registry: {other:?}"),
            },
            _ => None,
        })
        .expect("an Inspect effect");
    assert!(
        used == client,
        "the inspector reads through the page's client"
    );
}

#[test]
fn without_a_client_yet_enter_says_so_and_a_stale_page_brings_none() {
    let (mut app, _) = connected_app(120, 30);
    let g = open_view(&mut app);
    let r = ecrp::registry::Reference::parse(REFERENCE).expect("reference");
    let stale = Shared::new(ecrp::inspect::client_for(&r, None, None).expect("client"));
    // A page of an earlier `:open` lands nothing, its client included.
    app::update(&mut app, page(g - 1, Some(stale)));
    app::update(&mut app, page(g, None));
    let fx = app::update(&mut app, code(KeyCode::Enter));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Inspect(_))),
        "{fx:?}"
    );
    match &app.status {
        Status::Warning(w) => assert!(w.contains("not connected yet"), "{w}"),
        other => panic!("no warning: {other:?}"),
    }
}
