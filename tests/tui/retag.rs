//! Retag (`a` on an image): the TUI against the in-process emulator, through the real effect
//! runner, the SDK and the registry API. The digest must not change, skopeo must agree, a tag
//! that names another image moves only after a question that says where it points, and
//! read-only mode refuses before anything is sent.

use crate::support::common;
use crate::support::tui as tui_support;

use crossterm::event::KeyCode;
use ecrp::app::modal::{ConfirmAction, Modal};
use ecrp::app::{Effect, Mutation, Pane, Status};
use ecrp::emulator::EmulatorOptions;
use tui_support::{Harness, NOW, code, ctrl, key, redact};

const W: u16 = 120;
const H: u16 = 32;

/// The demo emulator on the fixed clock, an SDK client, and the app settled on its first screen.
async fn start() -> (ecrp::emulator::Emulator, aws_sdk_ecrpublic::Client, Harness) {
    let (emu, client) = common::start_with(EmulatorOptions {
        clock: Some(NOW),
        ..Default::default()
    })
    .await;
    let h = Harness::start(&emu.url(), W, H, NOW).await;
    (emu, client, h)
}

/// Open `repo`'s images and put the cursor on the image tagged `tag`.
async fn select_image(h: &mut Harness, repo: &str, tag: &str) {
    let repos = &h.app.remote.repos;
    let pos = repos
        .view
        .iter()
        .position(|&i| &*repos.rows[i as usize].repository_name == repo)
        .unwrap_or_else(|| panic!("{repo} not listed:\n{}", h.screen()));
    h.app.remote.repos.select(pos);
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(h.app.pane, Pane::Images, "{}", h.screen());
    let images = &h.app.remote.images;
    let pos = images
        .view
        .iter()
        .position(|&i| {
            images.rows[i as usize]
                .image_tags
                .iter()
                .any(|t| &**t == tag)
        })
        .unwrap_or_else(|| panic!("no image tagged {tag}:\n{}", h.screen()));
    h.app.remote.images.select(pos);
}

/// The digest `tag` names, by DescribeImages.
async fn digest_of(c: &aws_sdk_ecrpublic::Client, repo: &str, tag: &str) -> String {
    let out = common::ok(
        c.describe_images()
            .repository_name(repo)
            .image_ids(common::by_tag(tag))
            .send()
            .await,
    );
    out.image_details.unwrap()[0].image_digest.clone().unwrap()
}

async fn type_text(h: &mut Harness, text: &str) {
    for c in text.chars() {
        h.send(key(c)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retag_adds_a_tag_with_the_same_digest_and_skopeo_agrees() {
    let (emu, c, mut h) = start().await;
    select_image(&mut h, "worker", "3.1.0").await;
    let before = digest_of(&c, "worker", "3.1.0").await;
    h.send(key('a')).await;
    let Some(Modal::Form(ef)) = &h.app.modal else {
        panic!("no form:\n{}", h.screen());
    };
    assert!(ef.form.title.contains("3.1.0"), "{}", ef.form.title);
    insta::assert_snapshot!("retag_form", redact(&h.screen()));
    type_text(&mut h, "3.1-lts").await;
    h.send(ctrl('s')).await;
    assert!(h.app.modal.is_none(), "form closed:\n{}", h.screen());
    let Status::Info(msg) = &h.app.status else {
        panic!("{:?}", h.app.status);
    };
    assert!(msg.contains("as 3.1-lts"), "{msg}");
    assert_eq!(digest_of(&c, "worker", "3.1-lts").await, before);
    assert_eq!(digest_of(&c, "worker", "3.1.0").await, before, "kept");
    // The panes reloaded: the image shows both tags.
    let shown = h
        .app
        .remote
        .images
        .rows
        .iter()
        .find(|i| *i.image_digest == *before)
        .unwrap();
    assert!(shown.image_tags.iter().any(|t| &**t == "3.1-lts"));

    // skopeo, an independent client, reads the new tag through the registry API.
    let installed = std::process::Command::new("skopeo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if installed {
        let addr = emu.url().trim_start_matches("http://").to_string();
        let out = std::process::Command::new("skopeo")
            .args([
                "inspect",
                "--raw",
                "--tls-verify=false",
                &format!("docker://{addr}/acme/worker:3.1-lts"),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            common::sha256_digest(&out.stdout),
            before,
            "same manifest bytes"
        );
    } else {
        assert!(
            std::env::var("ECRP_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "skopeo is required (ECRP_REQUIRE_INTEROP=1)"
        );
        println!("SKIPPED the skopeo check: skopeo is not installed");
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_tag_asks_first_naming_where_it_points() {
    let (emu, c, mut h) = start().await;
    select_image(&mut h, "worker", "3.1.0").await;
    let target = digest_of(&c, "worker", "3.1.0").await;
    let elsewhere = digest_of(&c, "worker", "3.2.0").await;
    h.send(key('a')).await;
    type_text(&mut h, "3.2.0").await;
    h.send(ctrl('s')).await;
    let Some(Modal::Confirm(m)) = &h.app.modal else {
        panic!("no question:\n{}", h.screen());
    };
    assert!(
        m.confirm.text().contains(&elsewhere),
        "{}",
        m.confirm.text()
    );
    assert!(matches!(
        &m.action,
        ConfirmAction::Retag {
            op: Mutation::Retag { force: true, .. }
        }
    ));
    insta::assert_snapshot!("retag_move_question", redact(&h.screen()));
    assert_eq!(
        digest_of(&c, "worker", "3.2.0").await,
        elsewhere,
        "nothing sent yet"
    );
    // n returns to the form with the tag typed; y moves it.
    h.send(key('n')).await;
    assert!(
        matches!(h.app.modal, Some(Modal::Form(_))),
        "{}",
        h.screen()
    );
    h.send(ctrl('s')).await;
    h.send(key('y')).await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert_eq!(digest_of(&c, "worker", "3.2.0").await, target, "moved");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registry_is_asked_where_a_tag_points_when_the_rows_do_not_say() {
    let (emu, c, mut h) = start().await;
    select_image(&mut h, "worker", "3.1.0").await;
    let elsewhere = digest_of(&c, "worker", "3.2.0").await;
    // As if the image holding the tag had not been loaded yet.
    h.app.remote.images.rows.iter_mut().for_each(|i| {
        i.image_tags = i
            .image_tags
            .iter()
            .filter(|t| &***t != "3.2.0")
            .cloned()
            .collect()
    });
    h.app.remote.tags.rows.clear();
    h.send(key('a')).await;
    type_text(&mut h, "3.2.0").await;
    h.send(ctrl('s')).await;
    let Some(Modal::Confirm(m)) = &h.app.modal else {
        panic!("no question:\n{}", h.screen());
    };
    assert!(
        m.confirm.text().contains(&elsewhere),
        "{}",
        m.confirm.text()
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_tag_is_named_as_typed_and_nothing_is_sent() {
    let (emu, _c, mut h) = start().await;
    select_image(&mut h, "worker", "3.1.0").await;
    h.send(key('a')).await;
    type_text(&mut h, "bad tag").await;
    assert!(
        h.screen().contains("tag: ' ' is not allowed"),
        "{}",
        h.screen()
    );
    let fx = ecrp::app::update(&mut h.app, ctrl('s'));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Mutate(_))), "{fx:?}");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_refuses_retag_in_the_app_and_in_the_client() {
    let (emu, c, _) = start().await;
    let mut h = Harness::start_with(&emu.url(), W, H, NOW, |o| o.read_only = true).await;
    select_image(&mut h, "worker", "3.1.0").await;
    h.send(key('a')).await;
    assert!(h.app.modal.is_none());
    assert!(
        matches!(&h.app.status, Status::Warning(w) if w.contains("read-only")),
        "{:?}",
        h.app.status
    );

    // The client layer refuses too, before any request.
    let (client, _) = ecrp::aws::connect(&ecrp::aws::ClientOptions::for_emulator(&emu.url())).await;
    let api = ecrp::aws::Api::new(client, true);
    let digest = digest_of(&c, "worker", "3.1.0").await;
    let e = ecrp::app::effects::retag::apply(
        &api,
        Some(&emu.url()),
        "123456789012",
        "worker",
        &digest,
        "3.1-ro",
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, "ReadOnly");
    let r = c
        .describe_images()
        .repository_name("worker")
        .image_ids(common::by_tag("3.1-ro"))
        .send()
        .await;
    assert_eq!(common::err_code(r), "ImageNotFoundException");
    emu.shutdown().await;
}
