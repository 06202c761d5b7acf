//! The lifecycle view driven like a user (keys → `update` → the real effect runner, SDK client and
//! registry API client) against the in-process emulator's demo data, whose `web` repository has
//! multi-arch releases: the preview's marks and reasons, multi-arch safety, the confirmation's
//! totals, apply (journal first) with the service agreeing, restore with the same digests, the
//! fault mix, read-only, the config file, and the view at 80×24.

use crate::support::mutate as tui_mutate_support;
use crate::support::tui as tui_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crossterm::event::KeyCode;
use ecrp::app::modal::Modal;
use ecrp::app::{Overlay, RunOptions};
use ecrp::aws::collect_all;
use ecrp::config::lifecycle::PolicySource;
use ecrp::emulator::{Emulator, FaultSpec};
use tui_mutate_support::{demo_emulator, type_text};
use tui_support::*;

const WEB_POLICY: &str = r#"{"rules":[
    {"rulePriority":1,"description":"keep the last two v1 releases","selection":{"tagStatus":"tagged","tagPatternList":["v1.*"],"countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}},
    {"rulePriority":2,"description":"untagged after a day","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}"#;

/// Digest → tags, as the service lists them now.
async fn listing(emu: &Emulator, repo: &str) -> BTreeMap<String, BTreeSet<String>> {
    let (client, _) = ecrp::aws::connect(&ecrp::aws::ClientOptions::for_emulator(&emu.url())).await;
    let api = ecrp::aws::Api::new(client, false);
    collect_all(api.images(repo, None))
        .await
        .expect("listing")
        .into_iter()
        .map(|r| {
            (
                r.image_digest.to_string(),
                r.image_tags.iter().map(|t| t.to_string()).collect(),
            )
        })
        .collect()
}

/// The app against `emu`, with `repo`'s policy in its config, its config file and journals in
/// `dir`, opened on `repo`'s images.
async fn open_repo(
    emu: &Emulator,
    dir: &Path,
    repo: &str,
    policy: &str,
    size: (u16, u16),
    tweak: impl FnOnce(&mut RunOptions),
) -> Harness {
    let (url, dir) = (emu.url(), dir.to_path_buf());
    let mut h = Harness::start_with(&emu.url(), size.0, size.1, NOW, |o| {
        o.config.registry_url = Some(url);
        o.config
            .lifecycle
            .insert(repo.into(), PolicySource::Inline(policy.into()));
        o.config_path = Some(dir.join("config.toml"));
        o.journal_dir = Some(dir.join("journal"));
        tweak(o);
    })
    .await;
    h.keys(&format!("/{repo}")).await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    h
}

fn view(h: &Harness) -> &ecrp::app::lifecycle_state::LifecycleView {
    h.app.lifecycle.as_deref().expect("the lifecycle view")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_apply_and_restore_the_demo_web_repository() {
    let emu = demo_emulator(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let before = listing(&emu, "web").await;
    let mut h = open_repo(&emu, dir.path(), "web", WEB_POLICY, (160, 45), |_| {}).await;
    h.keys("L").await;
    assert!(matches!(h.app.overlay, Some(Overlay::Lifecycle { .. })));
    let v = view(&h);
    assert_eq!(v.origin, "config");
    let p = v
        .planned
        .clone()
        .unwrap_or_else(|| panic!("no plan: {:?}", v.error));
    assert_eq!(p.registry_note, None, "the registry API was read");
    assert_eq!(p.unknown, 0);
    assert_eq!(p.rows.len(), before.len());
    // Six older v1 releases (rule 1) and, on the emulator's fixed clock, eight untagged images
    // pushed more than a day before (rule 2, the platform manifests of expiring indexes included).
    let t = p.plan.totals;
    assert_eq!(t.images, 14);
    let by_rule = |n| {
        p.plan
            .decisions
            .iter()
            .filter(|d| d.expire && d.rule == Some(n))
            .count()
    };
    assert_eq!((by_rule(1), by_rule(2)), (6, 8));
    // Multi-arch safety: the platform manifests of the staying indexes stay, each saying why.
    assert!(!p.plan.kept_for_multiarch.is_empty());
    for &i in &p.plan.kept_for_multiarch {
        assert!(!p.plan.decisions[i].expire);
        assert!(p.rows[i].image_tags.is_empty());
        let why = p.plan.reason_text(i, &p.rows);
        assert!(why.contains("platform manifest of"), "{why}");
        // The plan knows which index lists it, for the preview's TAGS cell.
        let parent = p.parents.get(&p.rows[i].image_digest).expect("its index");
        assert!(matches!(
            p.plan.decisions[i].reason,
            ecrp::lifecycle::Reason::ChildOfStaying { index } if p.rows[index].image_digest == parent.index
        ));
    }
    let s = h.screen();
    assert!(s.contains("expire 14 of"), "{s}");
    assert!(s.contains("kept for multi-arch safety"), "{s}");
    assert!(s.contains("EXPIRE") && s.contains("keep"), "{s}");
    assert!(s.contains("platform manifest of"), "{s}");
    // Untagged platform manifests name their index and platform instead of `<untagged>`.
    assert!(
        s.contains("↳ arm64 of v1.") && s.contains("↳ amd64 of v1."),
        "{s}"
    );

    // The filter: only what expires, then only rule 1.
    h.keys("/expire").await;
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(view(&h).shown.len(), 14);
    h.send(code(KeyCode::Esc)).await;
    h.keys("/v1.").await;
    let shown = view(&h).shown.clone();
    assert!(!shown.is_empty());
    // A tag, or (as the TAGS cell shows it) the tag of the index a platform manifest is of.
    assert!(shown.iter().all(|&i| {
        let r = &p.rows[i as usize];
        r.image_tags.iter().any(|t| t.starts_with("v1."))
            || p.parents
                .get(&r.image_digest)
                .is_some_and(|parent| parent.label.contains("v1."))
    }));
    h.send(code(KeyCode::Esc)).await;
    assert_eq!(view(&h).shown.len(), p.rows.len());

    // The confirmation states the totals; nothing is deleted before `y`.
    h.keys("d").await;
    let text = match &h.app.modal {
        Some(Modal::Confirm(m)) => m.confirm.text(),
        _ => panic!("no confirmation:\n{}", h.screen()),
    };
    assert!(text.contains("14 images expire"), "{text}");
    assert!(
        text.contains(&format!("{} stay", before.len() - 14)),
        "{text}"
    );
    assert_eq!(emu.op_counts().get("BatchDeleteImage"), None);
    h.keys("y").await;
    let report = match &h.app.modal {
        Some(Modal::Deleting(d)) => {
            assert!(d.is_over(), "the apply ended");
            assert_eq!(d.not_sent, Some(0));
            d.progress.report.clone()
        }
        _ => panic!("no apply report:\n{}", h.screen()),
    };
    assert_eq!(report.deleted, 14, "{report:?}");
    assert!(report.failures.is_empty());
    // The service agrees: exactly the planned images are gone.
    let after = listing(&emu, "web").await;
    let planned: BTreeSet<String> = p
        .plan
        .apply_order()
        .map(|i| p.rows[i].image_digest.to_string())
        .collect();
    let gone: BTreeSet<String> = before
        .keys()
        .filter(|d| !after.contains_key(*d))
        .cloned()
        .collect();
    assert_eq!(gone, planned);
    // The journal was written, and the policy kept in the config file.
    let journal = view(&h).journal.clone().expect("journal");
    assert!(journal.starts_with(dir.path().join("journal")) && journal.exists());
    let (config, warnings) = ecrp::config::load(&dir.path().join("config.toml"));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        config.lifecycle.get("web"),
        Some(&PolicySource::Inline(WEB_POLICY.into()))
    );

    // Closing the report shows the plan again, on what is left; `u` puts everything back.
    h.send(code(KeyCode::Enter)).await;
    assert!(h.app.modal.is_none());
    let again = view(&h).planned.clone().unwrap();
    assert_eq!(again.rows.len(), before.len() - 14);
    h.keys("u").await;
    let restored = view(&h).restored.clone().expect("restore report");
    assert_eq!(restored.images.len(), 14);
    assert!(
        restored.images.iter().all(|i| i.status == "restored"),
        "{restored:?}"
    );
    assert_eq!(listing(&emu, "web").await, before, "same digests and tags");
    assert!(h.screen().contains("Restore from the last apply's journal"));
    h.send(code(KeyCode::Esc)).await;
    assert!(view(&h).restored.is_none());
    assert_eq!(view(&h).planned.as_ref().unwrap().plan.totals.images, 14);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_validates_live_and_templates_replan() {
    let emu = demo_emulator(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = open_repo(&emu, dir.path(), "web", WEB_POLICY, (160, 45), |o| {
        o.config.lifecycle.clear();
    })
    .await;
    h.keys("L").await;
    assert!(view(&h).text.is_empty());
    assert!(
        h.screen()
            .contains("No lifecycle policy for this repository")
    );
    // `e`: the menu; the third entry is "keep the last N tagged images".
    h.keys("e").await;
    assert!(matches!(h.app.overlay, Some(Overlay::Picker(_))));
    h.keys("jj").await;
    h.send(code(KeyCode::Enter)).await;
    let Some(Modal::Form(_)) = &h.app.modal else {
        panic!("no editor:\n{}", h.screen());
    };
    assert!(h.screen().contains("valid · 1 rule(s)"), "{}", h.screen());
    // Breaking the JSON is named at once, and ctrl-s refuses.
    h.send(code(KeyCode::End)).await;
    type_text(&mut h, "x").await;
    assert!(!h.screen().contains("valid · 1 rule(s)"));
    h.send(ctrl('s')).await;
    assert!(matches!(h.app.modal, Some(Modal::Form(_))));
    h.send(code(KeyCode::Backspace)).await;
    h.send(ctrl('s')).await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    let v = view(&h);
    assert!(v.origin.starts_with("edited"));
    assert_eq!(v.rules.len(), 1);
    let p = v.planned.clone().expect("planned");
    // Keeps the ten newest tagged images; every expiring one is tagged or a child of one.
    assert!(p.plan.totals.images > 0);
    assert_eq!(
        p.plan
            .decisions
            .iter()
            .filter(|d| d.expire && d.rule == Some(1))
            .count(),
        p.plan.totals.images
    );
    // `:lifecycle save` keeps it in the config file; `:lifecycle load` reads a file.
    h.keys(":lifecycle save").await;
    h.send(code(KeyCode::Enter)).await;
    let (config, _) = ecrp::config::load(&dir.path().join("config.toml"));
    assert_eq!(
        config.lifecycle.get("web"),
        Some(&PolicySource::Inline(view(&h).text.clone()))
    );
    let file = dir.path().join("p.json");
    std::fs::write(&file, WEB_POLICY).unwrap();
    h.keys(&format!(":lifecycle load {}", file.display())).await;
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(view(&h).text, WEB_POLICY);
    assert_eq!(view(&h).planned.as_ref().unwrap().plan.totals.images, 14);
    h.keys(":lifecycle load /nonexistent/p.json").await;
    h.send(code(KeyCode::Enter)).await;
    assert!(
        matches!(&h.app.status, ecrp::app::Status::Warning(w) if w.contains("/nonexistent/p.json")),
        "{:?}",
        h.app.status
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_previews_but_neither_applies_nor_restores() {
    let emu = demo_emulator(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = open_repo(&emu, dir.path(), "web", WEB_POLICY, (160, 45), |o| {
        o.read_only = true;
    })
    .await;
    h.keys("L").await;
    assert_eq!(view(&h).planned.as_ref().unwrap().plan.totals.images, 14);
    h.keys("d").await;
    assert!(h.app.modal.is_none());
    h.keys("u").await;
    h.keys("e").await;
    assert!(h.app.modal.is_none());
    assert_eq!(emu.op_counts().get("BatchDeleteImage"), None);
    assert_eq!(emu.op_counts().get("PutImage"), None);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_the_fault_mix_deleted_failed_and_not_sent_add_up_and_the_service_agrees() {
    let emu = demo_emulator(|o| {
        o.faults = Some(FaultSpec::parse("throttle=0.1,error=0.05,reset=0.02").unwrap());
        o.fault_seed = Some(15);
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let policy = r#"{"rules":[
        {"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["build-"],"countType":"imageCountMoreThan","countNumber":3000},"action":{"type":"expire"}},
        {"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":200},"action":{"type":"expire"}}]}"#;
    let mut h = open_repo(&emu, dir.path(), "ci/builds", policy, (160, 45), |_| {}).await;
    let before = listing(&emu, "ci/builds").await;
    h.keys("L").await;
    // A plan whose listing met a fault says so; `r` plans again.
    for _ in 0..20 {
        if view(&h).planned.is_some() {
            break;
        }
        assert!(view(&h).error.is_some(), "neither planned nor failed");
        h.keys("r").await;
    }
    let p = view(&h).planned.clone().expect("planned under faults");
    assert_eq!(p.rows.len(), before.len());
    let total = p.plan.totals.images;
    assert!(total > 100, "{total}");
    // The journal needs every manifest; a fault there deletes nothing, and a new try goes on.
    let mut report = None;
    for _ in 0..10 {
        h.keys("d").await;
        h.keys("y").await;
        let Some(Modal::Deleting(d)) = &h.app.modal else {
            panic!("no apply report:\n{}", h.screen());
        };
        assert!(d.is_over());
        let r = d.progress.report.clone();
        let not_sent = d.not_sent.unwrap();
        assert_eq!(r.deleted + r.failures.len() + not_sent, total);
        h.send(code(KeyCode::Enter)).await;
        if view(&h).journal.is_some() {
            report = Some(r);
            break;
        }
        assert_eq!(not_sent, total, "nothing sent without a journal");
    }
    let r = report.expect("an apply with its journal");
    let after = listing(&emu, "ci/builds").await;
    assert_eq!(after.len(), before.len() - r.deleted, "the service agrees");
    for (id, code, _) in &r.failures {
        let ecrp::aws::ImageRef::Digest(d) = id else {
            panic!("deleted by digest");
        };
        assert!(after.contains_key(d), "failed ({code}) yet gone");
    }
    emu.shutdown().await;
}

/// The platform manifests the preview marks `↳ arm64 of v1.4.2`: the filter finds them by what the
/// row shows (the mark, the platform, the index's tags), and the confirmation names them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_manifests_are_filtered_and_confirmed_by_what_they_are() {
    let emu = demo_emulator(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = open_repo(&emu, dir.path(), "web", WEB_POLICY, (160, 45), |_| {}).await;
    h.keys("L").await;
    let p = view(&h).planned.clone().expect("a plan");
    let children: BTreeSet<u32> = (0..p.rows.len() as u32)
        .filter(|&i| {
            let r = &p.rows[i as usize];
            r.image_tags.is_empty() && p.parents.contains_key(&r.image_digest)
        })
        .collect();
    assert!(children.len() >= 4, "the demo has platform manifests");
    let shown = |h: &Harness| view(h).shown.iter().copied().collect::<BTreeSet<u32>>();

    // The mark alone: exactly the platform manifests.
    h.keys("/↳").await;
    assert_eq!(shown(&h), children);
    h.send(code(KeyCode::Esc)).await;
    // A platform, as drawn (`arm64`) or in full (`linux/arm64`).
    for q in ["arm64", "linux/arm64"] {
        h.keys(&format!("/{q}")).await;
        let want: BTreeSet<u32> = children
            .iter()
            .copied()
            .filter(|&i| {
                p.parents[&p.rows[i as usize].image_digest]
                    .platform
                    .contains("arm64")
            })
            .collect();
        assert!(!want.is_empty());
        assert_eq!(shown(&h), want, "{q}");
        h.send(code(KeyCode::Esc)).await;
    }
    // The index's tag finds the index and its platform manifests; with `↳`, only the manifests.
    let parent = &p.parents[&p.rows[*children.first().unwrap() as usize].image_digest];
    let tag = parent.label.split(", ").next().unwrap().to_string();
    let of_it: BTreeSet<u32> = children
        .iter()
        .copied()
        .filter(|&i| p.parents[&p.rows[i as usize].image_digest].index == parent.index)
        .collect();
    h.keys(&format!("/{tag}")).await;
    let by_tag = shown(&h);
    assert!(by_tag.is_superset(&of_it), "{tag}: {by_tag:?} {of_it:?}");
    assert!(
        by_tag
            .iter()
            .any(|&i| p.rows[i as usize].image_digest == parent.index)
    );
    h.send(code(KeyCode::Esc)).await;
    h.keys(&format!("/↳ of {tag}")).await;
    let exact: BTreeSet<u32> = of_it
        .iter()
        .copied()
        // `v1.1` also matches the manifests of `v1.10`: the words match inside the cell.
        .chain(children.iter().copied().filter(|&i| {
            p.parents[&p.rows[i as usize].image_digest]
                .label
                .contains(&tag)
        }))
        .collect();
    assert_eq!(shown(&h), exact, "{tag}");
    // `<untagged>` rows (no index lists them) are found by the word the cell shows.
    h.send(code(KeyCode::Esc)).await;
    h.keys("/<untagged>").await;
    for &i in &view(&h).shown {
        let r = &p.rows[i as usize];
        assert!(r.image_tags.is_empty() && !p.parents.contains_key(&r.image_digest));
    }
    h.send(code(KeyCode::Esc)).await;

    // The confirmation lists each expiring platform manifest as what it is, never `<untagged>`.
    h.keys("d").await;
    let text = match &h.app.modal {
        Some(Modal::Confirm(m)) => m.confirm.text(),
        _ => panic!("no confirmation:\n{}", h.screen()),
    };
    let expiring: Vec<usize> = p
        .plan
        .apply_order()
        .filter(|&i| children.contains(&(i as u32)))
        .collect();
    assert!(!expiring.is_empty(), "the plan expires platform manifests");
    for i in expiring {
        let parent = &p.parents[&p.rows[i].image_digest];
        let line = format!(
            "{} ↳ {} of {}",
            ecrp::fmt::short_digest(&p.rows[i].image_digest),
            parent.platform,
            parent.label
        );
        assert!(text.contains(&line), "{line} in\n{text}");
    }
    for line in text.lines().filter(|l| l.contains("<untagged>")) {
        let digest = line.split_whitespace().next().unwrap();
        assert!(
            !p.parents
                .keys()
                .any(|d| ecrp::fmt::short_digest(d) == digest),
            "{line}"
        );
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_view_at_80_by_24() {
    let emu = demo_emulator(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut h = open_repo(&emu, dir.path(), "web", WEB_POLICY, (80, 24), |_| {}).await;
    h.keys("L").await;
    insta::assert_snapshot!("lifecycle_80x24", redact(&h.screen()));
    h.keys("d").await;
    insta::assert_snapshot!("lifecycle_confirm_80x24", redact(&h.screen()));
    emu.shutdown().await;
}
