//! `ecrp emulator --data-dir DIR`: the state survives restarts and `kill -9` at any moment, as
//! seen through the real SDK (and the real binary for the kills).

use crate::support::binary as binary_support;
use crate::support::common;

use std::collections::BTreeSet;
use std::sync::Arc;

use aws_sdk_ecrpublic::Client;
use aws_sdk_ecrpublic::types::RepositoryCatalogDataInput;
use common::*;
use ecrp::emulator::{EmulatorOptions, Seed};
use parking_lot::Mutex;

fn opts(dir: &std::path::Path) -> EmulatorOptions {
    EmulatorOptions {
        seed: Seed::Empty,
        data_dir: Some(dir.to_path_buf()),
        ..Default::default()
    }
}

async fn sdk(url: &str) -> Client {
    ecrp::aws::connect(&ecrp::aws::ClientOptions::for_emulator(url))
        .await
        .0
}

async fn repo_names(c: &Client) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut pages = c.describe_repositories().into_paginator().send();
    while let Some(page) = pages.next().await {
        for r in ok(page).repositories() {
            names.insert(r.repository_name().unwrap_or_default().to_string());
        }
    }
    names
}

async fn image_digests(c: &Client, repo: &str) -> BTreeSet<String> {
    let mut digests = BTreeSet::new();
    let mut pages = c
        .describe_images()
        .repository_name(repo)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for i in ok(page).image_details() {
            digests.insert(i.image_digest().unwrap_or_default().to_string());
        }
    }
    digests
}

#[tokio::test(flavor = "multi_thread")]
async fn a_data_dir_keeps_everything_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (emu, c) = start_with(EmulatorOptions {
        synthetic: vec![("big".into(), 300)],
        ..opts(&data)
    })
    .await;
    ok(c.create_repository()
        .repository_name("kept")
        .catalog_data(
            RepositoryCatalogDataInput::builder()
                .description("persisted")
                .build(),
        )
        .tags(tag("team", "core"))
        .send()
        .await);
    let blobs = upload_blobs(&c, "kept", "kept", 2).await;
    let v1 = put_manifest(&c, "kept", &docker_manifest(&blobs, "one"), Some("v1")).await;
    let v2 = put_manifest(&c, "kept", &docker_manifest(&blobs, "two"), Some("v2")).await;
    ok(c.batch_delete_image()
        .repository_name("kept")
        .image_ids(by_digest(&v2))
        .send()
        .await);
    let big_before = image_digests(&c, "big").await;
    let gone = big_before.iter().next().unwrap().clone();
    ok(c.batch_delete_image()
        .repository_name("big")
        .image_ids(by_digest(&gone))
        .send()
        .await);
    ok(c.put_registry_catalog_data()
        .display_name("Kept Registry")
        .send()
        .await);
    emu.shutdown().await;

    // Started again with a seed and a synthetic count that differ: the directory's state wins.
    let (emu, c) = start_with(EmulatorOptions {
        seed: Seed::Demo,
        synthetic: vec![("big".into(), 5)],
        data_dir: Some(data.clone()),
        ..Default::default()
    })
    .await;
    assert_eq!(
        repo_names(&c).await,
        BTreeSet::from(["big".to_string(), "kept".to_string()])
    );
    assert_eq!(
        image_digests(&c, "kept").await,
        BTreeSet::from([v1.clone()])
    );
    let big_after = image_digests(&c, "big").await;
    assert_eq!(big_after.len(), 299);
    assert!(!big_after.contains(&gone));
    let img = ok(c
        .describe_images()
        .repository_name("kept")
        .image_ids(by_tag("v1"))
        .send()
        .await);
    assert_eq!(img.image_details()[0].image_digest(), Some(v1.as_str()));
    let cat = ok(c
        .get_repository_catalog_data()
        .repository_name("kept")
        .send()
        .await);
    assert_eq!(
        cat.catalog_data().and_then(|d| d.description()),
        Some("persisted")
    );
    let reg = ok(c.get_registry_catalog_data().send().await);
    assert_eq!(
        reg.registry_catalog_data().and_then(|d| d.display_name()),
        Some("Kept Registry")
    );
    // Layers and their blobs too: the image can be pushed again from them under a new tag.
    let v3 = put_manifest(&c, "kept", &docker_manifest(&blobs, "three"), Some("v3")).await;
    ok(c.delete_repository()
        .repository_name("big")
        .force(true)
        .send()
        .await);
    emu.shutdown().await;

    let (emu, c) = start_with(opts(&data)).await;
    assert_eq!(repo_names(&c).await, BTreeSet::from(["kept".to_string()]));
    assert_eq!(image_digests(&c, "kept").await, BTreeSet::from([v1, v3]));
    emu.shutdown().await;

    // The directory is private: the database and blobs are not readable by other users.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("meta.redb")), 0o600);
}

#[tokio::test(flavor = "multi_thread")]
async fn data_dir_and_state_file_together_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = ecrp::emulator::start(EmulatorOptions {
        state_file: Some(dir.path().join("state.json")),
        ..opts(&dir.path().join("data"))
    })
    .await
    .err()
    .expect("refused");
    assert!(err.to_string().contains("--data-dir"), "{err}");
}

/// What the writer was told succeeded. An item whose deletion was sent but not answered is in
/// neither set: the kill may have come before or after the deletion was saved.
#[derive(Default, Clone)]
struct Acked {
    repos: BTreeSet<String>,
    deleted_repos: BTreeSet<String>,
    images: BTreeSet<String>,
    deleted_images: BTreeSet<String>,
}

/// Writes until a request fails (the process was killed): repositories created and deleted,
/// images pushed and deleted, each recorded once its answer arrives.
async fn write_until_killed(c: Client, blobs: Blobs, round: usize, acked: Arc<Mutex<Acked>>) {
    for i in 0.. {
        let ok = match i % 4 {
            0 => {
                let name = format!("r{round}-{i}");
                let r = c.create_repository().repository_name(&name).send().await;
                r.is_ok() && acked.lock().repos.insert(name)
            }
            1 => {
                let m = docker_manifest(&blobs, &format!("{round}-{i}"));
                let r = c
                    .put_image()
                    .repository_name("img")
                    .image_manifest(&m)
                    .image_tag(format!("t{round}-{i}"))
                    .send()
                    .await;
                r.is_ok() && acked.lock().images.insert(sha256_digest(m.as_bytes()))
            }
            2 => {
                let victim = acked.lock().images.pop_first();
                let Some(d) = victim else { continue };
                let r = c
                    .batch_delete_image()
                    .repository_name("img")
                    .image_ids(by_digest(&d))
                    .send()
                    .await;
                let done = r.is_ok_and(|o| o.failures().is_empty());
                if done {
                    acked.lock().deleted_images.insert(d);
                }
                done
            }
            _ => {
                let victim = acked.lock().repos.pop_first();
                let Some(name) = victim else { continue };
                let r = c.delete_repository().repository_name(&name).send().await;
                if r.is_ok() {
                    acked.lock().deleted_repos.insert(name);
                }
                r.is_ok()
            }
        };
        if !ok {
            return;
        }
    }
}

async fn assert_acked_survived(c: &Client, acked: &Acked) {
    let repos = repo_names(c).await;
    for r in &acked.repos {
        assert!(repos.contains(r), "acknowledged repository {r} lost");
    }
    for r in &acked.deleted_repos {
        assert!(!repos.contains(r), "acknowledged deletion of {r} undone");
    }
    let images = image_digests(c, "img").await;
    for d in &acked.images {
        assert!(images.contains(d), "acknowledged image {d} lost");
    }
    for d in &acked.deleted_images {
        assert!(!images.contains(d), "acknowledged deletion of {d} undone");
    }
}

/// `kill -9` the real `ecrp emulator --data-dir` while a client writes, again and again: every
/// write that was answered is there after the restart (a write in flight may or may not be).
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_writes_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let args = ["--seed", "empty", "--data-dir", data_arg];
    let acked = Arc::new(Mutex::new(Acked::default()));
    let blobs = {
        let emu = binary_support::Emulator::start(&args);
        let c = sdk(&emu.url).await;
        create_repo(&c, "img").await;
        upload_blobs(&c, "img", "kill", 1).await
    };
    for round in 0..6 {
        let emu = binary_support::Emulator::start(&args);
        let c = sdk(&emu.url).await;
        // A copy: the writer of the previous round is done, but a lock is never held across an
        // await.
        let snapshot = acked.lock().clone();
        assert_acked_survived(&c, &snapshot).await;
        let writer = tokio::spawn(write_until_killed(
            c.clone(),
            blobs.clone(),
            round,
            acked.clone(),
        ));
        // Let a different number of writes through each round, then kill with writes in flight.
        let want = acked_count(&acked) + 3 + round * 5;
        while acked_count(&acked) < want && !writer.is_finished() {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        drop(emu); // SIGKILL, then reaped
        writer.await.unwrap();
    }
    let emu = binary_support::Emulator::start(&args);
    let c = sdk(&emu.url).await;
    let acked = acked.lock().clone();
    assert!(
        acked.repos.len() + acked.deleted_repos.len() >= 6
            && acked.images.len() + acked.deleted_images.len() >= 6,
        "the writer made too few writes to test anything"
    );
    assert_acked_survived(&c, &acked).await;
}

fn acked_count(acked: &Mutex<Acked>) -> usize {
    let a = acked.lock();
    a.repos.len() + a.deleted_repos.len() + a.images.len() + a.deleted_images.len()
}
