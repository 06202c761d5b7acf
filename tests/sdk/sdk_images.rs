//! PutImage, DescribeImages and DescribeImageTags through the real SDK: digests, sizes, tags
//! moving on re-push, manifest lists and OCI indexes, and every modelled error.

use crate::support::common::*;
use aws_sdk_ecrpublic::Client;
use aws_sdk_ecrpublic::types::ImageDetail;

async fn image(c: &Client, repo: &str, digest: &str) -> ImageDetail {
    let out = ok(c
        .describe_images()
        .repository_name(repo)
        .image_ids(by_digest(digest))
        .send()
        .await);
    assert_eq!(out.image_details().len(), 1);
    out.image_details()[0].clone()
}

fn sorted_tags(d: &ImageDetail) -> Vec<String> {
    let mut t = d.image_tags().to_vec();
    t.sort();
    t
}

#[tokio::test(flavor = "multi_thread")]
async fn put_image_digest_size_and_fields() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "img").await;
    let id = registry(&c).await.registry_id().to_string();
    let blobs = upload_blobs(&c, "img", "one", 3).await;
    let manifest = docker_manifest(&blobs, "first");

    let before = now_secs();
    let out = ok(c
        .put_image()
        .repository_name("img")
        .image_manifest(&manifest)
        .image_tag("v1")
        .send()
        .await);
    let img = out.image().expect("image");
    let digest = sha256_digest(manifest.as_bytes());
    assert_eq!(
        img.image_id().and_then(|i| i.image_digest()),
        Some(digest.as_str()),
        "the digest is the sha256 of the manifest bytes"
    );
    assert_eq!(img.image_id().and_then(|i| i.image_tag()), Some("v1"));
    assert_eq!(img.image_manifest(), Some(manifest.as_str()));
    assert_eq!(img.image_manifest_media_type(), Some(DOCKER_MANIFEST));
    assert_eq!(img.repository_name(), Some("img"));
    assert_eq!(img.registry_id(), Some(id.as_str()));

    let d = image(&c, "img", &digest).await;
    assert_eq!(d.image_digest(), Some(digest.as_str()));
    assert_eq!(d.image_tags(), ["v1"]);
    assert_eq!(d.repository_name(), Some("img"));
    assert_eq!(d.registry_id(), Some(id.as_str()));
    assert_eq!(d.image_manifest_media_type(), Some(DOCKER_MANIFEST));
    assert_eq!(
        d.artifact_media_type(),
        Some(DOCKER_CONFIG),
        "the artifact media type is the config's"
    );
    assert_eq!(
        d.image_size_in_bytes(),
        Some(blobs.layer_size_sum()),
        "the image size is the sum of its layers"
    );
    let pushed = d.image_pushed_at().expect("imagePushedAt").secs();
    assert!((before - 5..=now_secs() + 5).contains(&pushed));

    // The same image is found by its tag.
    let by_t = ok(c
        .describe_images()
        .repository_name("img")
        .image_ids(by_tag("v1"))
        .send()
        .await);
    assert_eq!(
        by_t.image_details()[0].image_digest(),
        Some(digest.as_str())
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn put_image_oci_and_media_type_parameter() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "oci").await;
    let blobs = upload_blobs(&c, "oci", "oci", 2).await;
    let m = oci_manifest(&blobs, "x");
    let d = put_manifest(&c, "oci", &m, Some("latest")).await;
    assert_eq!(
        image(&c, "oci", &d).await.image_manifest_media_type(),
        Some(OCI_MANIFEST)
    );

    // A manifest without a mediaType field takes the imageManifestMediaType parameter.
    let bare = manifest_json(&blobs, "bare", OCI_MANIFEST, OCI_CONFIG, OCI_LAYER, false);
    let out = ok(c
        .put_image()
        .repository_name("oci")
        .image_manifest(&bare)
        .image_manifest_media_type(OCI_MANIFEST)
        .image_tag("bare")
        .send()
        .await);
    assert_eq!(
        out.image().and_then(|i| i.image_manifest_media_type()),
        Some(OCI_MANIFEST)
    );
    let dd = image(&c, "oci", &sha256_digest(bare.as_bytes())).await;
    assert_eq!(dd.image_manifest_media_type(), Some(OCI_MANIFEST));
    assert_eq!(dd.image_size_in_bytes(), Some(blobs.layer_size_sum()));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn put_image_errors() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "pe").await;
    let blobs = upload_blobs(&c, "pe", "pe", 1).await;
    let good = docker_manifest(&blobs, "good");

    // Layers never uploaded (or uploaded to another repository).
    let mut ghost = blobs.clone();
    ghost.layers.push((sha256_digest(b"ghost layer"), 11));
    assert_eq!(
        err_code(
            c.put_image()
                .repository_name("pe")
                .image_manifest(docker_manifest(&ghost, "ghost"))
                .image_tag("ghost")
                .send()
                .await
        ),
        "LayersNotFoundException"
    );
    create_repo(&c, "elsewhere").await;
    assert_eq!(
        err_code(
            c.put_image()
                .repository_name("elsewhere")
                .image_manifest(&good)
                .image_tag("x")
                .send()
                .await
        ),
        "LayersNotFoundException",
        "layers belong to the repository they were uploaded to"
    );

    // imageDigest that is not the manifest's sha256.
    assert_eq!(
        err_code(
            c.put_image()
                .repository_name("pe")
                .image_manifest(&good)
                .image_digest(sha256_digest(b"something else"))
                .image_tag("v1")
                .send()
                .await
        ),
        "ImageDigestDoesNotMatchException"
    );
    // The right imageDigest is accepted.
    ok(c.put_image()
        .repository_name("pe")
        .image_manifest(&good)
        .image_digest(sha256_digest(good.as_bytes()))
        .image_tag("v1")
        .send()
        .await);
    // Same manifest, same tag again.
    assert_eq!(
        err_code(
            c.put_image()
                .repository_name("pe")
                .image_manifest(&good)
                .image_tag("v1")
                .send()
                .await
        ),
        "ImageAlreadyExistsException"
    );
    // Not JSON at all.
    assert_eq!(
        err_code(
            c.put_image()
                .repository_name("pe")
                .image_manifest("this is not a manifest")
                .image_tag("bad")
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    // Tag longer than 300 characters.
    assert_eq!(
        err_code(
            c.put_image()
                .repository_name("pe")
                .image_manifest(docker_manifest(&blobs, "long-tag"))
                .image_tag("t".repeat(301))
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        err_code(
            c.put_image()
                .repository_name("missing")
                .image_manifest(&good)
                .image_tag("v1")
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    // Only the one good image exists.
    let all = ok(c.describe_images().repository_name("pe").send().await);
    assert_eq!(all.image_details().len(), 1);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_accumulate_and_move_on_repush() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "mv").await;
    let blobs = upload_blobs(&c, "mv", "mv", 1).await;
    let ma = docker_manifest(&blobs, "a");
    let mb = docker_manifest(&blobs, "b");

    let a = put_manifest(&c, "mv", &ma, Some("latest")).await;
    // The same manifest under another tag adds the tag to the same image.
    assert_eq!(put_manifest(&c, "mv", &ma, Some("v1")).await, a);
    assert_eq!(sorted_tags(&image(&c, "mv", &a).await), ["latest", "v1"]);

    // A new image pushed as `latest` takes the tag away from the old one.
    let b = put_manifest(&c, "mv", &mb, Some("latest")).await;
    assert_ne!(a, b);
    assert_eq!(sorted_tags(&image(&c, "mv", &a).await), ["v1"]);
    assert_eq!(sorted_tags(&image(&c, "mv", &b).await), ["latest"]);

    // Moving the last tag away leaves the old image untagged, not deleted.
    let b2 = put_manifest(&c, "mv", &mb, Some("v1")).await;
    assert_eq!(b2, b);
    let old = image(&c, "mv", &a).await;
    assert!(old.image_tags().is_empty(), "{:?}", old.image_tags());
    assert_eq!(sorted_tags(&image(&c, "mv", &b).await), ["latest", "v1"]);

    let tags = ok(c.describe_image_tags().repository_name("mv").send().await);
    let mut pairs: Vec<(String, String)> = tags
        .image_tag_details()
        .iter()
        .map(|t| {
            (
                t.image_tag().unwrap().to_string(),
                t.image_detail()
                    .and_then(|d| d.image_digest())
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [("latest".to_string(), b.clone()), ("v1".to_string(), b)]
    );
    let all = ok(c.describe_images().repository_name("mv").send().await);
    assert_eq!(all.image_details().len(), 2);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn describe_image_tags_details() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "dt").await;
    let blobs = upload_blobs(&c, "dt", "dt", 2).await;
    let m = oci_manifest(&blobs, "dt");
    let before = now_secs();
    let d = put_manifest(&c, "dt", &m, Some("one")).await;
    put_manifest(&c, "dt", &m, Some("two")).await;
    // An untagged image (tag moved away) has no tag detail.
    let m2 = oci_manifest(&blobs, "dt2");
    put_manifest(&c, "dt", &m2, Some("tmp")).await;
    put_manifest(&c, "dt", &m, Some("tmp")).await;

    let out = ok(c.describe_image_tags().repository_name("dt").send().await);
    assert_eq!(out.image_tag_details().len(), 3);
    assert_eq!(out.next_token(), None);
    for t in out.image_tag_details() {
        let detail = t.image_detail().expect("imageDetail");
        assert_eq!(
            detail.image_digest(),
            Some(d.as_str()),
            "{:?}",
            t.image_tag()
        );
        assert_eq!(detail.image_size_in_bytes(), Some(blobs.layer_size_sum()));
        assert_eq!(detail.image_manifest_media_type(), Some(OCI_MANIFEST));
        assert!(detail.image_pushed_at().is_some());
        let created = t.created_at().expect("createdAt").secs();
        assert!((before - 5..=now_secs() + 5).contains(&created));
    }
    assert_eq!(
        err_code(
            c.describe_image_tags()
                .repository_name("missing")
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn describe_images_by_id_errors() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "di").await;
    let digests = push_many(&c, "di", "t", 2).await;
    assert_eq!(
        err_code(
            c.describe_images()
                .repository_name("di")
                .image_ids(by_tag("nope"))
                .send()
                .await
        ),
        "ImageNotFoundException"
    );
    assert_eq!(
        err_code(
            c.describe_images()
                .repository_name("di")
                .image_ids(by_digest(&sha256_digest(b"none")))
                .send()
                .await
        ),
        "ImageNotFoundException"
    );
    // imageIds cannot be combined with maxResults, and holds 1..=100 ids.
    assert_eq!(
        err_code(
            c.describe_images()
                .repository_name("di")
                .image_ids(by_digest(&digests[0]))
                .max_results(10)
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    let mut req = c.describe_images().repository_name("di");
    for i in 0..101 {
        req = req.image_ids(by_tag(&format!("x{i}")));
    }
    assert_eq!(err_code(req.send().await), "InvalidParameterException");
    assert_eq!(
        err_code(c.describe_images().repository_name("missing").send().await),
        "RepositoryNotFoundException"
    );
    // Both images by id in one call.
    let out = ok(c
        .describe_images()
        .repository_name("di")
        .image_ids(by_digest(&digests[0]))
        .image_ids(by_tag("t1"))
        .send()
        .await);
    let mut got: Vec<_> = out
        .image_details()
        .iter()
        .filter_map(|d| d.image_digest())
        .map(str::to_string)
        .collect();
    got.sort();
    let mut want = digests.clone();
    want.sort();
    assert_eq!(got, want);
    emu.shutdown().await;
}

async fn push_children(c: &Client, repo: &str) -> Vec<(String, i64, &'static str)> {
    let mut children = Vec::new();
    for (i, arch) in ["amd64", "arm64"].into_iter().enumerate() {
        let blobs = upload_blobs(c, repo, arch, i + 1).await;
        let m = oci_manifest(&blobs, arch);
        let d = put_manifest(c, repo, &m, Some(&format!("child-{arch}"))).await;
        children.push((d, m.len() as i64, arch));
    }
    children
}

#[tokio::test(flavor = "multi_thread")]
async fn oci_index_and_docker_manifest_list() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "multi").await;
    let children = push_children(&c, "multi").await;
    let mut child_sizes = Vec::new();
    for (d, _, _) in &children {
        child_sizes.push(image(&c, "multi", d).await.image_size_in_bytes().unwrap());
    }

    let index = index_json(OCI_INDEX, OCI_MANIFEST, &children);
    let idx = put_manifest(&c, "multi", &index, Some("multi")).await;
    let d = image(&c, "multi", &idx).await;
    assert_eq!(d.image_manifest_media_type(), Some(OCI_INDEX));
    assert_eq!(
        d.image_size_in_bytes(),
        child_sizes.iter().max().copied(),
        "a manifest list's size is the largest of its manifests"
    );

    let list = index_json(DOCKER_LIST, OCI_MANIFEST, &children);
    let ld = put_manifest(&c, "multi", &list, Some("list")).await;
    assert_eq!(
        image(&c, "multi", &ld).await.image_manifest_media_type(),
        Some(DOCKER_LIST)
    );

    // An index naming a manifest that is not in the repository.
    let mut ghost = children.clone();
    ghost.push((sha256_digest(b"no such manifest"), 123, "s390x"));
    assert_eq!(
        err_code(
            c.put_image()
                .repository_name("multi")
                .image_manifest(index_json(OCI_INDEX, OCI_MANIFEST, &ghost))
                .image_tag("ghost")
                .send()
                .await
        ),
        "ReferencedImagesNotFoundException"
    );
    let all = ok(c.describe_images().repository_name("multi").send().await);
    assert_eq!(
        all.image_details().len(),
        4,
        "two children, one index, one list"
    );
    emu.shutdown().await;
}

/// Several clients pushing into one repository at once: every push lands, none is lost or doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushes_all_land() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "busy").await;
    let mut tasks = Vec::new();
    for w in 0..6 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            // Each writer uploads its own blobs (in parts) and pushes 8 tagged images.
            push_many(&c, "busy", &format!("w{w}-"), 8).await
        }));
    }
    let mut pushed = std::collections::BTreeSet::new();
    for t in tasks {
        pushed.extend(t.await.expect("writer task"));
    }
    assert_eq!(pushed.len(), 48);
    let all = ok(c
        .describe_images()
        .repository_name("busy")
        .into_paginator()
        .page_size(7)
        .items()
        .send()
        .try_collect()
        .await);
    let listed: std::collections::BTreeSet<String> = all
        .iter()
        .filter_map(|d| d.image_digest().map(str::to_string))
        .collect();
    assert_eq!(listed, pushed);
    let tags = ok(c
        .describe_image_tags()
        .repository_name("busy")
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await);
    assert_eq!(tags.len(), 48);
    emu.shutdown().await;
}
