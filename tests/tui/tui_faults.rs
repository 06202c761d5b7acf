//! The whole app (keys → `update` → the real effect runner and SDK client) against an emulator
//! injecting the issue's fault mix: 10% throttling, 5% server errors, 2% connections dropped, plus
//! latency. A user browses, edits and cleans up as usual, and the counts at the end are exact.

use std::collections::HashSet;

use crate::support::mutate::{demo_emulator, truth, type_text};
use crate::support::tui::*;
use crossterm::event::KeyCode;
use ecrp::app::ListId;
use ecrp::app::load::LoadState;
use ecrp::app::modal::Modal;
use ecrp::emulator::FaultSpec;

const MIX: &str = "throttle=0.1,error=0.05,reset=0.02,latency=0-3ms";

/// Like a user after a failed page: `r` resumes from it, until every page is in.
async fn load_fully(h: &mut Harness, list: ListId) {
    for _ in 0..20 {
        match &h.app.load_of(list).state {
            LoadState::Done => return,
            LoadState::Failed(_) => h.keys("r").await,
            other => panic!("{list:?} neither done nor failed: {other:?}"),
        }
    }
    panic!("{list:?} still not loaded after 20 retries");
}

#[tokio::test]
async fn browse_edit_and_clean_up_under_faults_with_exact_counts() {
    let emu = demo_emulator(|o| {
        o.faults = Some(FaultSpec::parse(MIX).unwrap());
        o.fault_seed = Some(7);
    })
    .await;
    let mut h = Harness::start(&emu.url(), 160, 45, NOW).await;
    load_fully(&mut h, ListId::Repositories).await;
    assert_eq!(h.app.remote.repos.rows.len(), 13, "every repository, once");

    // Browse: all 3,500 images of ci/builds, each once, however many requests failed.
    h.keys("/ci/builds").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    load_fully(&mut h, ListId::Images).await;
    let digests: HashSet<&str> = h
        .app
        .remote
        .images
        .rows
        .iter()
        .map(|r| &*r.image_digest)
        .collect();
    assert_eq!(h.app.remote.images.rows.len(), 3_500);
    assert_eq!(digests.len(), 3_500, "no image twice");

    // Edit: each save lands whole, or leaves the form open with every typed character.
    h.send(code(KeyCode::Esc)).await;
    h.keys("e").await;
    assert!(
        matches!(h.app.modal, Some(Modal::Form(_))),
        "{}",
        h.screen()
    );
    h.send(code(KeyCode::End)).await;
    type_text(&mut h, " (saved under faults)").await;
    let typed = match &h.app.modal {
        Some(Modal::Form(ef)) => ef.form.values(),
        _ => unreachable!(),
    };
    let mut attempts = 0;
    while h.app.modal.is_some() {
        attempts += 1;
        assert!(attempts <= 10, "the catalog never saved");
        h.send(ctrl('s')).await;
        if let Some(Modal::Form(ef)) = &h.app.modal {
            assert_eq!(ef.form.values(), typed, "a failed save kept the input");
            assert!(ef.form.error.is_some() || ef.form.fields.iter().any(|f| f.error.is_some()));
        }
    }
    let client = truth(&emu).await;
    let saved = client
        .get_repository_catalog_data()
        .repository_name("ci/builds")
        .send()
        .await
        .expect("catalog");
    let description = saved
        .catalog_data()
        .and_then(|c| c.description())
        .unwrap_or_default();
    assert!(
        description.ends_with(" (saved under faults)"),
        "{description}"
    );

    // Clean up: every untagged image is either deleted or reported as failed, counted once.
    h.send(code(KeyCode::Enter)).await;
    load_fully(&mut h, ListId::Images).await;
    let untagged: HashSet<String> = h
        .app
        .remote
        .images
        .rows
        .iter()
        .filter(|r| r.image_tags.is_empty())
        .map(|r| r.image_digest.to_string())
        .collect();
    assert!(untagged.len() >= 300, "{} untagged", untagged.len());
    h.keys("/untagged").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(ctrl('a')).await;
    h.keys("d").await;
    h.keys("y").await;
    // With failures the report stays up; with none it closes and the status line says so.
    let failed: HashSet<String> = match &h.app.modal {
        Some(Modal::Deleting(d)) => {
            assert!(d.is_over(), "the delete ended");
            assert_eq!(d.not_sent, Some(0));
            let report = d.progress.report.clone();
            assert!(!report.failures.is_empty(), "a report with nothing to read");
            assert_eq!(report.requested, untagged.len());
            assert_eq!(
                report.deleted + report.failures.len(),
                untagged.len(),
                "every id deleted or failed, once"
            );
            let failed: HashSet<String> = report
                .failures
                .iter()
                .map(|(id, _, _)| match id {
                    ecrp::aws::ImageRef::Digest(d) => d.clone(),
                    ecrp::aws::ImageRef::Tag(t) => panic!("deleted by digest, got tag {t}"),
                })
                .collect();
            assert_eq!(failed.len(), report.failures.len(), "each failure once");
            failed
        }
        None => {
            let n = ecrp::fmt::thousands(untagged.len());
            assert_eq!(
                h.app.status,
                ecrp::app::Status::Info(format!("deleted {n} of {n}"))
            );
            HashSet::new()
        }
        _ => panic!("no delete report:\n{}", h.screen()),
    };

    // The service agrees: what is left untagged is exactly what failed.
    let mut left: HashSet<String> = HashSet::new();
    let mut pages = client
        .describe_images()
        .repository_name("ci/builds")
        .max_results(1000)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.expect("listing after the delete");
        for d in page.image_details() {
            if d.image_tags().is_empty() {
                left.insert(d.image_digest().unwrap_or_default().to_string());
            }
        }
    }
    assert_eq!(left, failed, "left untagged == reported failed");
    // The faults did happen: more requests reached the emulator than the pages and calls asked
    // for (each fault is answered before the operation runs, then retried).
    let requests: u64 = emu.op_counts().values().sum();
    eprintln!(
        "requests {requests}: {:?}; {} deletes failed",
        emu.op_counts(),
        failed.len()
    );
    assert!(
        emu.op_counts().get("DescribeImages").copied().unwrap_or(0) > 12,
        "{:?}",
        emu.op_counts()
    );
    emu.shutdown().await;
}
