//! The emulator's `state_file` (persisted across restarts, written atomically after each mutation)
//! and its `synthetic` repositories, seen through the real SDK.

use std::collections::BTreeSet;

use crate::support::common::*;
use aws_sdk_ecrpublic::Client;
use aws_sdk_ecrpublic::types::RepositoryCatalogDataInput;
use ecrp::emulator::{EmulatorOptions, Seed};

fn opts(file: &std::path::Path) -> EmulatorOptions {
    EmulatorOptions {
        seed: Seed::Empty,
        state_file: Some(file.to_path_buf()),
        ..Default::default()
    }
}

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":"*","Action":["ecr-public:BatchCheckLayerAvailability"]}]}"#;

/// What the restarted emulator must still show.
async fn assert_state(c: &Client, digest: &str, arn: &str) {
    let repos = ok(c
        .describe_repositories()
        .repository_names("kept")
        .send()
        .await);
    assert_eq!(repos.repositories()[0].repository_arn(), Some(arn));
    let img = ok(c
        .describe_images()
        .repository_name("kept")
        .image_ids(by_tag("v1"))
        .send()
        .await);
    assert_eq!(img.image_details()[0].image_digest(), Some(digest));
    let pol = ok(c
        .get_repository_policy()
        .repository_name("kept")
        .send()
        .await);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(pol.policy_text().unwrap()).unwrap(),
        serde_json::from_str::<serde_json::Value>(POLICY).unwrap()
    );
    let tags = ok(c.list_tags_for_resource().resource_arn(arn).send().await);
    assert_eq!(tags.tags().len(), 1);
    assert_eq!(tags.tags()[0].key(), Some("team"));
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
}

#[tokio::test(flavor = "multi_thread")]
async fn state_survives_restart_and_is_written_atomically() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("state.json");

    let (emu, c) = start_with(opts(&file)).await;
    let repo = ok(c
        .create_repository()
        .repository_name("kept")
        .catalog_data(
            RepositoryCatalogDataInput::builder()
                .description("persisted")
                .build(),
        )
        .tags(tag("team", "core"))
        .send()
        .await)
    .repository
    .expect("repository");
    let arn = repo.repository_arn().unwrap().to_string();
    let blobs = upload_blobs(&c, "kept", "kept", 2).await;
    let digest = put_manifest(&c, "kept", &docker_manifest(&blobs, "k"), Some("v1")).await;
    ok(c.set_repository_policy()
        .repository_name("kept")
        .policy_text(POLICY)
        .send()
        .await);
    ok(c.put_registry_catalog_data()
        .display_name("Kept Registry")
        .send()
        .await);
    // Written after every mutation: the file is already there while the emulator runs.
    assert!(
        std::fs::metadata(&file)
            .map(|m| m.len() > 0)
            .unwrap_or(false),
        "state file written before shutdown"
    );
    let registry_id = registry(&c).await.registry_id().to_string();

    // A second emulator reading the same file now sees everything (as after a crash).
    let (peek, pc) = start_with(opts(&file)).await;
    assert_state(&pc, &digest, &arn).await;
    peek.shutdown().await;

    emu.shutdown().await;
    let (emu2, c2) = start_with(opts(&file)).await;
    assert_eq!(
        registry(&c2).await.registry_id(),
        registry_id,
        "same registry"
    );
    assert_state(&c2, &digest, &arn).await;
    // Layers survive too: the same layer cannot be completed again, and the image is complete.
    let check = ok(c2
        .batch_check_layer_availability()
        .repository_name("kept")
        .layer_digests(&blobs.layers[0].0)
        .send()
        .await);
    assert_eq!(check.layers().len(), 1);

    // A deletion after the restart is persisted as well.
    ok(c2
        .delete_repository()
        .repository_name("kept")
        .force(true)
        .send()
        .await);
    emu2.shutdown().await;
    let (emu3, c3) = start_with(opts(&file)).await;
    assert_eq!(
        err_code(
            c3.describe_repositories()
                .repository_names("kept")
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    emu3.shutdown().await;

    // Atomic writes: only the state file and its blob directory are left in the directory.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["state.json", "state.json.blobs"],
        "no temporary files left behind"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_state_file_starts_from_the_seed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("fresh.json");
    let (emu, c) = start_with(opts(&file)).await;
    let repos = ok(c.describe_repositories().send().await);
    assert!(repos.repositories().is_empty(), "empty seed");
    create_repo(&c, "first").await;
    emu.shutdown().await;
    assert!(file.exists(), "created on the first mutation");
}

/// One synthetic repository of 100,000 tagged images, walked with maxResults 1,000.
#[tokio::test(flavor = "multi_thread")]
async fn synthetic_100k_images() {
    let (emu, c) = start_synthetic("big", 100_000).await;
    let repos = ok(c.describe_repositories().send().await);
    assert_eq!(repos.repositories().len(), 1);
    assert_eq!(repos.repositories()[0].repository_name(), Some("big"));

    let mut digests = BTreeSet::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let out = ok(c
            .describe_images()
            .repository_name("big")
            .max_results(1000)
            .set_next_token(token.take())
            .send()
            .await);
        pages += 1;
        assert_eq!(out.image_details().len(), 1000, "page {pages} is full");
        for d in out.image_details() {
            assert!(!d.image_tags().is_empty(), "synthetic images are tagged");
            digests.insert(d.image_digest().expect("digest").to_string());
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 100);
    assert_eq!(digests.len(), 100_000, "exactly 100,000 distinct images");
    emu.shutdown().await;
}

/// The state file holds everything the emulator serves: it is written 0600, and a symlink planted
/// at its path is replaced by the new file, never written through.
#[tokio::test(flavor = "multi_thread")]
async fn the_state_file_is_private_and_never_written_through_a_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let mode =
        |p: &std::path::Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    let fresh = dir.path().join("fresh.json");
    let (emu, c) = start_with(opts(&fresh)).await;
    create_repo(&c, "private").await;
    assert_eq!(mode(&fresh), 0o600);
    emu.shutdown().await;

    // A link planted where the state goes, pointing where an attacker wants a file written: the
    // first save replaces the link and creates nothing at its target.
    let file = dir.path().join("state.json");
    let target = dir.path().join("planted-target");
    std::os::unix::fs::symlink(&target, &file).unwrap();
    let (emu, c) = start_with(opts(&file)).await;
    create_repo(&c, "replaced").await;
    assert!(std::fs::symlink_metadata(&file).unwrap().is_file());
    assert_eq!(mode(&file), 0o600);
    assert!(!target.exists(), "nothing was written through the link");
    emu.shutdown().await;
}

/// Pushed layers may belong to private images: the blob directory beside the state file and its
/// subdirectories are 0700, a blob pushed through the API is 0600, and a symlink planted at the
/// blob directory is refused instead of followed.
#[tokio::test(flavor = "multi_thread")]
async fn pushed_blobs_are_private_and_the_blob_dir_is_never_a_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let mode =
        |p: &std::path::Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    let file = dir.path().join("state.json");
    let (emu, c) = start_with(opts(&file)).await;
    create_repo(&c, "blobs").await;
    let layer = b"a private layer".to_vec();
    let digest = upload_layer(&c, "blobs", &layer).await;
    let blobs = upload_blobs(&c, "blobs", "private", 1).await;
    put_manifest(&c, "blobs", &oci_manifest(&blobs, "private"), Some("v1")).await;
    emu.shutdown().await;

    let store = dir.path().join("state.json.blobs");
    for d in [store.clone(), store.join("sha256"), store.join("tmp")] {
        assert_eq!(mode(&d), 0o700, "{}", d.display());
    }
    let blob = store
        .join("sha256")
        .join(digest.trim_start_matches("sha256:"));
    assert_eq!(std::fs::read(&blob).unwrap(), layer);
    assert_eq!(mode(&blob), 0o600);
    for f in std::fs::read_dir(store.join("sha256")).unwrap() {
        let f = f.unwrap().path();
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }

    // A link planted where the blobs go: the emulator refuses to start rather than write there.
    let other = dir.path().join("other.json");
    let target = dir.path().join("planted-target");
    std::fs::create_dir(&target).unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join("other.json.blobs")).unwrap();
    let started = ecrp::emulator::start(opts(&other)).await;
    let e = started
        .err()
        .expect("a symlinked blob directory is refused");
    assert!(format!("{e:#}").contains("symlink"), "{e:#}");
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0);
}
