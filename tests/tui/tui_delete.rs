//! Deletions in the TUI, with keys as a user presses them, through the real effect runner and SDK
//! client against the in-process emulator: marks, the confirmation that lists what goes, the
//! chunked BatchDeleteImage with its progress and report (failures included), and stopping a long
//! delete. What is left is read back with a fresh client. Deleting a repository:
//! tests/tui/tui_delete_repo.rs.

use std::collections::HashSet;
use std::time::Duration;

use crate::support::mutate::*;
use crate::support::tui::*;
use aws_sdk_ecrpublic::types::ImageIdentifier;
use crossterm::event::KeyCode;
use ecrp::app::modal::{ConfirmAction, Deleting, Modal};
use ecrp::app::{self, Pane, Status};
use ecrp::emulator::FaultSpec;
use ecrp::fmt::short_digest;

const W: u16 = 160;
const H: u16 = 45;

/// Every image of `repo` as the service lists it: digest → tags.
async fn images_of(
    emu: &ecrp::emulator::Emulator,
    repo: &str,
) -> std::collections::HashMap<String, Vec<String>> {
    let c = truth(emu).await;
    let mut out = std::collections::HashMap::new();
    let mut pages = c
        .describe_images()
        .repository_name(repo)
        .into_paginator()
        .send();
    while let Some(p) = pages.next().await {
        for d in p.unwrap().image_details.unwrap_or_default() {
            out.insert(d.image_digest.unwrap(), d.image_tags.unwrap_or_default());
        }
    }
    out
}

/// The app with the registry API out of reach (nothing listens on port 1), so it cannot tell
/// which untagged images are platform manifests and sends them: the service refuses those.
async fn without_registry_api(emu: &ecrp::emulator::Emulator) -> Harness {
    Harness::start_with(&emu.url(), W, H, NOW, |o| {
        o.config.registry_url = Some("http://127.0.0.1:1".into());
    })
    .await
}

fn deleting(h: &Harness) -> &Deleting {
    match &h.app.modal {
        Some(Modal::Deleting(d)) => d,
        other => panic!("no delete progress: {other:?}"),
    }
}

/// The untagged images of web that no index lists: the seed pushes them 74 and 1,800 hours
/// before its clock (the other untagged ones are the platform images of multi-arch tags).
async fn standalone_untagged_of_web(emu: &ecrp::emulator::Emulator) -> Vec<String> {
    let c = truth(emu).await;
    let out = c
        .describe_images()
        .repository_name("web")
        .send()
        .await
        .unwrap();
    let mut v: Vec<String> = out
        .image_details
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.image_tags.as_ref().is_none_or(|t| t.is_empty()))
        .filter(|d| {
            let at = d.image_pushed_at.unwrap().secs();
            at == NOW - 74 * 3600 || at == NOW - 1800 * 3600
        })
        .map(|d| d.image_digest.unwrap())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn untagged_images_go_in_chunks_of_100_after_one_confirmation() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    let before = images_of(&emu, "ci/builds").await;
    assert_eq!(before.len(), 3_500);
    open_images(&mut h, "ci/builds", Some("untagged")).await;
    assert_eq!(h.app.remote.images.rows.len(), 3_500, "every page loaded");
    let shown = h.app.remote.images.len();
    let untagged: HashSet<String> = before
        .iter()
        .filter(|(_, t)| t.is_empty())
        .map(|(d, _)| d.clone())
        .collect();
    assert_eq!(
        shown,
        untagged.len(),
        "/untagged shows exactly the untagged"
    );
    assert!(shown > 300, "a few hundred: {shown}");

    h.send(ctrl('a')).await;
    assert_eq!(h.app.remote.images.marked_count(), shown);
    let bytes: i64 = h
        .app
        .remote
        .images
        .marked_rows()
        .map(|i| i.image_size_in_bytes)
        .sum();
    assert_eq!(
        h.app.status,
        Status::Info(format!("{shown} marked: d deletes them"))
    );
    h.keys("d").await;
    let m = confirm(&h.app);
    assert_eq!(m.confirm.title, format!("Delete {shown} items"));
    let text = m.confirm.text();
    assert!(
        text.starts_with(&format!(
            "Will delete {shown} images ({}) from ci/builds.",
            ecrp::fmt::size(bytes)
        )),
        "{text}"
    );
    for d in &untagged {
        let line = format!("image {} (untagged): the whole image", short_digest(d));
        assert!(text.contains(&line), "{line} missing");
    }
    let ConfirmAction::DeleteImages { plan } = &m.action else {
        panic!("{:?}", m.action);
    };
    assert_eq!(plan.items.len(), shown);
    assert_eq!(ops(&emu, "BatchDeleteImage"), 0, "nothing before y");

    // y: the progress shows; with nothing failed, it closes by itself and the status line says
    // what happened.
    let fx = app::update(&mut h.app, key('y'));
    assert_eq!(deleting(&h).progress.total, shown);
    assert!(h.screen().contains("Deleting…"), "{}", h.screen());
    h.run(fx);
    h.settle().await;
    assert!(h.app.modal.is_none(), "{:?}", h.app.modal);
    assert_eq!(
        h.app.status,
        Status::Info(format!("deleted {shown} of {shown}"))
    );
    assert_eq!(
        ops(&emu, "BatchDeleteImage") as usize,
        shown.div_ceil(100),
        "chunks of 100"
    );

    let after = images_of(&emu, "ci/builds").await;
    assert_eq!(after.len(), 3_500 - shown);
    assert!(after.keys().all(|d| !untagged.contains(d)), "none is left");
    assert!(
        before
            .keys()
            .filter(|d| !untagged.contains(*d))
            .all(|d| after.contains_key(d)),
        "every other image is still there"
    );
    assert_eq!(
        h.app.remote.images.rows.len(),
        3_500 - shown,
        "the list reloaded"
    );
    assert_eq!(
        h.app.remote.images.len(),
        0,
        "nothing untagged is shown any more"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_tag_shared_with_other_tags_goes_alone_and_a_last_tag_takes_its_image() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    let before = images_of(&emu, "web").await;
    let digest_of = |tag: &str| {
        before
            .iter()
            .find(|(_, t)| t.iter().any(|x| x == tag))
            .map(|(d, _)| d.clone())
            .unwrap()
    };
    let (latest, v141) = (digest_of("latest"), digest_of("v1.4.1"));
    assert_eq!(before[&latest], vec!["v1.4.2", "latest"]);

    open_images(&mut h, "web", None).await;
    h.send(code(KeyCode::Tab)).await;
    assert_eq!(h.app.pane, Pane::Tags);
    for tag in ["latest", "v1.4.1"] {
        h.keys("/").await;
        type_text(&mut h, tag).await;
        h.send(code(KeyCode::Enter)).await;
        // The fuzzy filter also keeps near matches (v1.4.2 for v1.4.1): move down to the tag.
        for _ in 0..h.app.remote.tags.len() {
            if h.app.remote.tags.selected().map(|t| &*t.image_tag) == Some(tag) {
                break;
            }
            h.keys("j").await;
        }
        assert_eq!(
            h.app.remote.tags.selected().map(|t| &*t.image_tag),
            Some(tag)
        );
        h.keys(" ").await;
        h.send(code(KeyCode::Esc)).await;
    }
    assert_eq!(h.app.remote.tags.marked_count(), 2);
    h.keys("d").await;
    let text = confirm(&h.app).confirm.text();
    assert!(
        text.starts_with(&format!(
            "Will delete 1 image ({}) from web and remove 1 tag from images that stay.",
            ecrp::fmt::size(
                h.app
                    .remote
                    .tags
                    .rows
                    .iter()
                    .find(|t| &*t.image_tag == "v1.4.1")
                    .unwrap()
                    .image_size_in_bytes
            )
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "tag latest: only the tag; image {} keeps v1.4.2",
            short_digest(&latest)
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "tag v1.4.1: its image's last tag, so the whole image {} goes",
            short_digest(&v141)
        )),
        "{text}"
    );
    insta::assert_snapshot!("delete_confirm", redact(&h.screen()));
    h.keys("y").await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert_eq!(h.app.status, Status::Info("deleted 2 of 2".into()));

    let after = images_of(&emu, "web").await;
    assert_eq!(
        after[&latest],
        vec!["v1.4.2"],
        "the image keeps its other tag"
    );
    assert!(!after.contains_key(&v141), "the last tag took its image");
    assert_eq!(after.len(), before.len() - 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn partial_failures_are_reported_with_code_and_reason() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = without_registry_api(&emu).await;
    let before = images_of(&emu, "web").await;
    let standalone = standalone_untagged_of_web(&emu).await;
    let children: HashSet<String> = before
        .iter()
        .filter(|(d, t)| t.is_empty() && !standalone.contains(*d))
        .map(|(d, _)| d.clone())
        .collect();
    assert_eq!((children.len(), standalone.len()), (10, 2));
    open_images(&mut h, "web", Some("untagged")).await;
    assert_eq!(h.app.remote.images.len(), 12);

    // One of them is deleted behind the app's back.
    truth(&emu)
        .await
        .batch_delete_image()
        .repository_name("web")
        .image_ids(
            ImageIdentifier::builder()
                .image_digest(&standalone[0])
                .build(),
        )
        .send()
        .await
        .unwrap();
    h.send(ctrl('a')).await;
    h.keys("dy").await;

    let d = deleting(&h);
    assert_eq!(d.progress.report.deleted, 1);
    let failures = &d.progress.report.failures;
    assert_eq!(failures.len(), 11);
    let code_of = |digest: &str| {
        failures
            .iter()
            .find(|(id, _, _)| *id == ecrp::aws::ImageRef::Digest(digest.to_string()))
            .map(|(_, code, reason)| (code.clone(), reason.clone()))
            .unwrap_or_else(|| panic!("{digest} not in the report"))
    };
    let (code, reason) = code_of(&standalone[0]);
    assert_eq!(code, "ImageNotFound");
    assert_eq!(reason, "Requested image not found");
    for c in &children {
        let (code, reason) = code_of(c);
        assert_eq!(code, "ImageReferencedByManifestList");
        assert!(reason.starts_with("Requested image is referenced by manifest lists"));
    }
    let lines = d.progress.report_lines();
    assert_eq!(lines[0], "Deleted 1 of 12 from web.");
    assert_eq!(lines[1], "11 failed:");
    assert!(lines.contains(&format!(
        "  {}: ImageNotFound: Requested image not found",
        short_digest(&standalone[0])
    )));
    // The service names the index in its reason, so the refusals group by index: five
    // multi-arch tags with two platforms each.
    let grouped = lines
        .iter()
        .filter(|l| l.starts_with("  2 × ImageReferencedByManifestList: "))
        .count();
    assert_eq!(grouped, 5, "{lines:#?}");
    assert_eq!(
        h.app.status,
        Status::Info("deleted 1 of 12; 11 failed (listed in the report)".into())
    );
    let s = h.screen();
    assert!(s.contains("ImageReferencedByManifestList"), "{s}");
    insta::assert_snapshot!("delete_report_failures", redact(&s));

    let after = images_of(&emu, "web").await;
    assert!(children.iter().all(|c| after.contains_key(c)));
    assert!(standalone.iter().all(|c| !after.contains_key(c)));
    assert_eq!(after.len(), before.len() - 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn esc_stops_a_long_delete_and_the_report_says_what_was_not_sent() {
    // Every answer takes 150 ms, so the first calls are still in flight when esc is pressed.
    let emu = demo_emulator(|o| {
        o.faults = Some(FaultSpec {
            latency: Some((Duration::from_millis(150), Duration::from_millis(150))),
            ..Default::default()
        });
        o.fault_seed = Some(7);
    })
    .await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    open_images(&mut h, "ci/builds", None).await;
    h.send(ctrl('a')).await;
    assert_eq!(h.app.remote.images.marked_count(), 3_500);
    h.keys("d").await;
    let fx = app::update(&mut h.app, key('y'));
    h.run(fx);
    // Wait (without letting answers in) until the first calls reach the emulator.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while ops(&emu, "BatchDeleteImage") == 0 {
        assert!(tokio::time::Instant::now() < deadline, "no call was sent");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let fx = app::update(&mut h.app, code(KeyCode::Esc));
    assert!(deleting(&h).stopped);
    assert!(
        h.screen().contains("Stopping after the calls in flight…"),
        "{}",
        h.screen()
    );
    h.run(fx);
    h.settle().await;

    let d = deleting(&h);
    let not_sent = d.not_sent.expect("over");
    let deleted = d.progress.report.deleted;
    assert!(d.progress.report.failures.is_empty());
    assert!(
        not_sent > 0 && deleted > 0,
        "{deleted} deleted, {not_sent} not sent"
    );
    assert_eq!(deleted + not_sent, 3_500, "every id accounted for once");
    assert_eq!(deleted % 100, 0, "whole chunks");
    let sent = ops(&emu, "BatchDeleteImage") as usize;
    assert_eq!(sent * 100, deleted, "no call after esc was answered");
    assert!(sent <= 8, "at most the calls in flight: {sent}");
    let s = h.screen();
    assert!(s.contains("Delete stopped"), "{s}");
    assert!(
        s.contains(&format!(
            "{} not sent (stopped): they are still in the repository.",
            ecrp::fmt::thousands(not_sent)
        )),
        "{s}"
    );
    assert!(
        matches!(&h.app.status, Status::Info(m) if m.ends_with(&format!("stopped, {} not sent", ecrp::fmt::thousands(not_sent))))
    );
    assert_eq!(images_of(&emu, "ci/builds").await.len(), not_sent);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_report_longer_than_the_screen_scrolls_to_its_last_failure() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    open_images(&mut h, "ci/builds", Some("untagged")).await;
    h.send(ctrl('a')).await;
    let marked: Vec<String> = h
        .app
        .remote
        .images
        .marked_rows()
        .map(|r| r.image_digest.to_string())
        .collect();
    // All of them go behind the app's back: every id in the report fails (ImageNotFound).
    let c = truth(&emu).await;
    for chunk in marked.chunks(100) {
        c.batch_delete_image()
            .repository_name("ci/builds")
            .set_image_ids(Some(
                chunk
                    .iter()
                    .map(|d| ImageIdentifier::builder().image_digest(d).build())
                    .collect(),
            ))
            .send()
            .await
            .unwrap();
    }
    h.keys("dy").await;
    let lines = deleting(&h).progress.report_lines();
    // One refusal for all: its line, then the ids three to a line.
    assert_eq!(
        lines[2],
        format!(
            "  {} × ImageNotFound: Requested image not found",
            marked.len()
        )
    );
    assert_eq!(lines.len(), 3 + marked.len().div_ceil(3));
    let last = lines.last().unwrap().trim().to_string();
    assert!(!h.screen().contains(&last), "it does not fit at first");
    for k in [code(KeyCode::PageDown), key('G'), key('j')] {
        press(&mut h, k, 40).await;
    }
    assert!(
        h.screen().contains(&last),
        "the last failure can be reached:\n{}",
        h.screen()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn the_report_shows_each_failure_reason_whole() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = without_registry_api(&emu).await;
    open_images(&mut h, "web", Some("untagged")).await;
    h.send(ctrl('a')).await;
    h.keys("dy").await;
    let failures = deleting(&h).progress.report.failures.clone();
    assert_eq!(failures.len(), 10);
    let s = h.screen();
    for (_, code, reason) in &failures {
        assert_eq!(code, "ImageReferencedByManifestList");
        // The reason ends with the digest of the list that holds the image.
        let tail: String = reason
            .chars()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        assert!(s.contains(&tail), "{tail} not on screen:\n{s}");
    }
    emu.shutdown().await;
}

/// After a delete the cursor stays where the user was: on the row after the deleted one, or on
/// the one before when the last row went; the next key goes to the list (no report to dismiss).
#[tokio::test]
async fn a_delete_keeps_the_cursor_on_the_neighbouring_row() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    open_images(&mut h, "web", None).await;
    assert!(h.app.remote.images.len() > 4);
    let digest_at = |h: &Harness, pos: usize| {
        h.app
            .remote
            .images
            .window(pos, 1)
            .next()
            .map(|i| i.image_digest.to_string())
    };
    // v1.4.1, an image index (its platform images cannot go while it lists them).
    h.keys("jjj").await;
    let (gone, next) = (digest_at(&h, 3).unwrap(), digest_at(&h, 4).unwrap());
    h.keys("dy").await;
    h.settle().await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert!(!images_of(&emu, "web").await.contains_key(&gone));
    let selected = h
        .app
        .remote
        .images
        .selected()
        .map(|i| i.image_digest.to_string());
    assert_eq!(
        selected.as_deref(),
        Some(next.as_str()),
        "the next row, not the top"
    );
    assert_eq!(h.app.remote.images.cursor.selected, 3);
    // The next key moves in the list.
    h.keys("j").await;
    assert_eq!(h.app.remote.images.cursor.selected, 4);

    // The last row: the cursor goes to the one above.
    h.keys("G").await;
    let n = h.app.remote.images.len();
    let above = digest_at(&h, n - 2).unwrap();
    h.keys("dy").await;
    h.settle().await;
    assert_eq!(h.app.remote.images.len(), n - 1);
    let selected = h
        .app
        .remote
        .images
        .selected()
        .map(|i| i.image_digest.to_string());
    assert_eq!(selected.as_deref(), Some(above.as_str()));
    emu.shutdown().await;
}
