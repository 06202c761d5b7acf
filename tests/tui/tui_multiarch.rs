//! Multi-arch structure in the TUI. Against the in-process emulator (which serves the registry
//! API beside the ECR Public API), through the real effect runner: the images pane marks the
//! platform manifests of an index as its children, from the index manifests read through the
//! registry API; the untagged cleanup (/untagged, ctrl-a, d) leaves them out and says so; when
//! the registry API cannot be read the plan warns, and the report groups the service's identical
//! refusals. Without a network, through `update` alone: the reads go with the listing.

use crate::support::mutate as tui_mutate_support;
use crate::support::tui as tui_support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crossterm::event::KeyCode;
use ecrp::app::modal::{ConfirmAction, Modal};
use ecrp::app::platforms::Child;
use ecrp::app::{self, Answer, App, Effect, ListId, Msg, PageRows, Pane, Status};
use ecrp::aws::RegistryRow;
use ecrp::fmt::short_digest;
use tui_mutate_support::*;
use tui_support::*;

/// Every image of web as the service lists it: digest → tags.
async fn web_images(emu: &ecrp::emulator::Emulator) -> HashMap<String, Vec<String>> {
    let out = truth(emu)
        .await
        .describe_images()
        .repository_name("web")
        .send()
        .await
        .unwrap();
    out.image_details
        .unwrap_or_default()
        .into_iter()
        .map(|d| (d.image_digest.unwrap(), d.image_tags.unwrap_or_default()))
        .collect()
}

/// The untagged images of web no index lists: the seed pushes them 74 and 1,800 hours before
/// its clock (the other ten untagged ones are the platform images of its five multi-arch tags).
async fn standalone_untagged_of_web(emu: &ecrp::emulator::Emulator) -> HashSet<String> {
    let out = truth(emu)
        .await
        .describe_images()
        .repository_name("web")
        .send()
        .await
        .unwrap();
    out.image_details
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.image_tags.as_ref().is_none_or(|t| t.is_empty()))
        .filter(|d| {
            let at = d.image_pushed_at.unwrap().secs();
            at == NOW - 74 * 3600 || at == NOW - 1800 * 3600
        })
        .map(|d| d.image_digest.unwrap())
        .collect()
}

fn plan_text(app: &App) -> String {
    match &app.modal {
        Some(Modal::Confirm(m)) => {
            assert!(matches!(m.action, ConfirmAction::DeleteImages { .. }));
            m.confirm.text()
        }
        other => panic!("no delete plan: {other:?}"),
    }
}

fn report(app: &App) -> Vec<String> {
    match &app.modal {
        Some(Modal::Deleting(d)) => d.progress.report_lines(),
        other => panic!("no delete report: {other:?}"),
    }
}

#[tokio::test]
async fn platform_manifests_are_marked_and_the_untagged_cleanup_leaves_them_out() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), 80, 24, NOW).await;
    let before = web_images(&emu).await;
    let standalone = standalone_untagged_of_web(&emu).await;
    let children: HashSet<&String> = before
        .iter()
        .filter(|(d, t)| t.is_empty() && !standalone.contains(*d))
        .map(|(d, _)| d)
        .collect();
    assert_eq!((children.len(), standalone.len()), (10, 2));

    open_images(&mut h, "web", None).await;
    let p = &h.app.remote.platforms;
    for c in &children {
        let parent = p
            .parent_of(c)
            .unwrap_or_else(|| panic!("{c} is not marked"));
        assert!(!before[&*parent.index].is_empty(), "a tagged index");
        assert!(
            ["linux/amd64", "linux/arm64"].contains(&&*parent.platform),
            "{parent:?}"
        );
    }
    for d in &standalone {
        assert!(p.parent_of(d).is_none(), "{d} belongs to no index");
    }
    let s = h.screen();
    assert!(s.contains("│  ↳ amd64 of v1.4.2   "), "{s}");
    insta::assert_snapshot!("multiarch_images_80x24", redact(&s));

    // /untagged still finds them: they are untagged images.
    h.keys("/").await;
    type_text(&mut h, "untagged").await;
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(h.app.remote.images.len(), 12);
    h.send(ctrl('a')).await;
    assert_eq!(h.app.remote.images.marked_count(), 12);
    h.keys("d").await;
    let text = plan_text(&h.app);
    assert!(text.starts_with("Will delete 2 images ("), "{text}");
    assert!(
        text.contains("Left out: 10 platform manifests of multi-arch images that stay"),
        "{text}"
    );
    assert!(!text.contains("Caution"), "{text}");
    for d in &standalone {
        assert!(text.contains(&short_digest(d)), "{text}");
    }
    for c in &children {
        assert!(!text.contains(&short_digest(c)), "{text}");
    }
    insta::assert_snapshot!("multiarch_cleanup_plan_80x24", redact(&h.screen()));

    h.keys("y").await;
    // Nothing failed: the report closes by itself and the status line keeps the summary.
    assert!(h.app.modal.is_none(), "{:?}", h.app.modal);
    assert_eq!(h.app.status, Status::Info("deleted 2 of 2".into()));
    let after = web_images(&emu).await;
    assert!(children.iter().all(|c| after.contains_key(*c)));
    assert!(standalone.iter().all(|d| !after.contains_key(d)));
    assert_eq!(after.len(), before.len() - 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn an_unreadable_registry_api_is_warned_about_and_identical_refusals_are_grouped() {
    let emu = demo_emulator(|_| {}).await;
    // Nothing listens on port 1: every index read fails.
    let mut h = Harness::start_with(&emu.url(), 160, 45, NOW, |o| {
        o.config.registry_url = Some("http://127.0.0.1:1".into());
    })
    .await;
    let standalone = standalone_untagged_of_web(&emu).await;
    open_images(&mut h, "web", Some("untagged")).await;
    assert!(!h.screen().contains('↳'), "nothing is marked");
    assert_eq!(h.app.remote.platforms.unknown().0, 5);
    h.send(ctrl('a')).await;
    h.keys("d").await;
    let text = plan_text(&h.app);
    assert!(text.starts_with("Will delete 12 images ("), "{text}");
    assert!(
        text.contains(
            "Caution: the manifests of 5 multi-arch images here could not be read through the \
             registry API ("
        ),
        "{text}"
    );
    assert!(text.contains("may be their platform manifests"), "{text}");

    h.keys("y").await;
    let lines = report(&h.app);
    assert_eq!(lines[0], "Deleted 2 of 12 from web.");
    assert_eq!(lines[1], "10 failed:");
    // The service names the index in its reason: one line per index, with its two platforms
    // on the line under it.
    let grouped: Vec<&String> = lines
        .iter()
        .filter(|l| {
            l.starts_with(
                "  2 × ImageReferencedByManifestList: Requested image is referenced by manifest \
                 lists: ",
            )
        })
        .collect();
    assert_eq!(grouped.len(), 5, "{lines:#?}");
    assert_eq!(lines.len(), 2 + 5 * 2, "{lines:#?}");
    let s = h.screen();
    assert!(s.contains("2 × ImageReferencedByManifestList"), "{s}");
    assert!(
        matches!(&h.app.status, Status::Info(m) if m.starts_with("deleted 2 of 12; 10 failed"))
    );
    let after = web_images(&emu).await;
    assert!(standalone.iter().all(|d| !after.contains_key(d)));
    emu.shutdown().await;
}

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

fn index(digest: &str, tags: &[&str]) -> ecrp::aws::ImageRow {
    let mut r = image(digest, tags, 10, NOW);
    r.image_manifest_media_type = Some(Arc::from("application/vnd.oci.image.index.v1+json"));
    r
}

fn reads(fx: &[Effect]) -> Vec<Vec<String>> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::ReadIndexes { digests, .. } => {
                Some(digests.iter().map(|d| d.to_string()).collect())
            }
            _ => None,
        })
        .collect()
}

fn cancels(fx: &[Effect]) -> usize {
    fx.iter()
        .filter(|e| matches!(e, Effect::CancelIndexReads))
        .count()
}

/// Connected, with web's images open and its first page (`rows`, more to come) loaded: the
/// effects of that page.
fn web_with(rows: Vec<ecrp::aws::ImageRow>) -> (App, Vec<Effect>) {
    let (mut app, fx) = connected_app(80, 24);
    let (rg, _) = load_generation(&fx, ListId::Registries).unwrap();
    let (rp, _) = load_generation(&fx, ListId::Repositories).unwrap();
    app::update(
        &mut app,
        Msg::Page {
            generation: rg,
            rows: PageRows::Registries(page(vec![registry()], None, 1)),
        },
    );
    app::update(&mut app, repos_page(vec![repo("web", NOW)], rp, None));
    let fx = app::update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.pane, Pane::Images);
    let (g, _) = load_generation(&fx, ListId::Images).unwrap();
    let fx = app::update(
        &mut app,
        Msg::Page {
            generation: g,
            rows: PageRows::Images(page(rows, Some("t1"), 1)),
        },
    );
    (app, fx)
}

#[test]
fn a_failed_read_is_asked_again_with_the_next_listing() {
    let (mut app, fx) = web_with(vec![index("ix", &["v1"]), image("c1", &[], 5, NOW)]);
    assert_eq!(reads(&fx).len(), 1);
    let failed = Answer::IndexManifest {
        digest: "sha256:ix".into(),
        result: Err("toomanyrequests: Rate exceeded".into()),
    };
    let m = fetched(&app, failed);
    app::update(&mut app, m);
    assert_eq!(
        app.remote.platforms.unknown(),
        (1, Some("toomanyrequests: Rate exceeded"))
    );
    // Nothing in flight: leaving cancels nothing; returning asks again.
    assert_eq!(cancels(&app::update(&mut app, code(KeyCode::Esc))), 0);
    let fx = app::update(&mut app, key('l'));
    assert_eq!(reads(&fx), vec![vec!["sha256:ix".to_string()]]);
}

#[test]
fn index_reads_go_with_the_listing_and_the_plan_uses_what_they_said() {
    let rows = vec![
        index("ix", &["v1", "latest"]),
        image("c1", &[], 5, NOW),
        image("c2", &[], 5, NOW),
        image("lone", &[], 5, NOW),
    ];
    let (mut app, fx) = web_with(rows);
    assert_eq!(reads(&fx), vec![vec!["sha256:ix".to_string()]]);
    // Leaving while it is read cancels the read with the listing; returning asks again.
    let fx = app::update(&mut app, code(KeyCode::Esc));
    assert_eq!(cancels(&fx), 1);
    let fx = app::update(&mut app, key('l'));
    assert_eq!(app.pane, Pane::Images);
    assert_eq!(reads(&fx), vec![vec!["sha256:ix".to_string()]]);
    assert_eq!(cancels(&fx), 0);

    // Before the answer the plan cannot tell: it warns.
    app::update(&mut app, ctrl('a'));
    app::update(&mut app, key('d'));
    let text = plan_text(&app);
    assert!(
        text.contains(
            "Caution: the manifests of 1 multi-arch image here are still being read through the \
             registry API"
        ),
        "{text}"
    );
    app::update(&mut app, key('n'));
    app::update(&mut app, ctrl('a'));
    assert_eq!(app.remote.images.marked_count(), 0);

    let answer = Answer::IndexManifest {
        digest: "sha256:ix".into(),
        result: Ok(vec![
            Child {
                digest: "sha256:c1".into(),
                platform: "linux/amd64".into(),
            },
            Child {
                digest: "sha256:c2".into(),
                platform: "attestation".into(),
            },
        ]),
    };
    let m = fetched(&app, answer);
    let fx = app::update(&mut app, m);
    assert!(reads(&fx).is_empty() && cancels(&fx) == 0);
    let s = screen(&app);
    assert!(s.contains("↳ amd64 of v1"), "{s}");
    assert!(s.contains("↳ attestation of v1"), "{s}");
    // Nothing in flight now: leaving cancels nothing, and returning asks nothing again.
    assert_eq!(cancels(&app::update(&mut app, code(KeyCode::Esc))), 0);
    assert!(reads(&app::update(&mut app, key('l'))).is_empty());

    // d on a platform manifest alone: nothing the service would take.
    while app.remote.images.selected().map(|r| &*r.image_digest) != Some("sha256:c1") {
        app::update(&mut app, key('j'));
    }
    app::update(&mut app, key('d'));
    assert!(app.modal.is_none());
    assert_eq!(
        app.status,
        Status::Warning(
            "nothing to delete: it is a platform manifest of multi-arch images (the service \
             refuses them while their index exists)"
                .into()
        )
    );

    // Everything: the index goes, its platforms wait for the next delete.
    app::update(&mut app, ctrl('a'));
    app::update(&mut app, key('d'));
    let text = plan_text(&app);
    assert!(text.starts_with("Will delete 2 images ("), "{text}");
    assert!(
        text.contains("Also left out: 2 platform manifests of multi-arch images this deletes"),
        "{text}"
    );
    assert!(!text.contains("Caution"), "{text}");
    assert!(text.contains("image sha256:ix (v1, latest): the whole image, with all its tags"));
    assert!(text.contains("image sha256:lone (untagged): the whole image"));
}
