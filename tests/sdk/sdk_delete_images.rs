//! BatchDeleteImage through the real SDK: by tag (the last tag takes the image with it), by digest,
//! every per-id failure code, and the list bounds.

use crate::support::common::*;
use aws_sdk_ecrpublic::Client;
use aws_sdk_ecrpublic::types::{ImageFailureCode, ImageIdentifier};

async fn digests_in(c: &Client, repo: &str) -> Vec<String> {
    let out = ok(c.describe_images().repository_name(repo).send().await);
    let mut v: Vec<String> = out
        .image_details()
        .iter()
        .filter_map(|d| d.image_digest().map(str::to_string))
        .collect();
    v.sort();
    v
}

async fn tags_in(c: &Client, repo: &str) -> Vec<String> {
    let out = ok(c.describe_image_tags().repository_name(repo).send().await);
    let mut v: Vec<String> = out
        .image_tag_details()
        .iter()
        .filter_map(|t| t.image_tag().map(str::to_string))
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_by_tag_removes_the_tag_then_the_image() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "bt").await;
    let blobs = upload_blobs(&c, "bt", "bt", 1).await;
    let m = docker_manifest(&blobs, "bt");
    let d = put_manifest(&c, "bt", &m, Some("a")).await;
    put_manifest(&c, "bt", &m, Some("b")).await;

    let out = ok(c
        .batch_delete_image()
        .repository_name("bt")
        .image_ids(by_tag("a"))
        .send()
        .await);
    assert!(out.failures().is_empty(), "{:?}", out.failures());
    assert_eq!(out.image_ids().len(), 1);
    assert_eq!(out.image_ids()[0].image_tag(), Some("a"));
    assert_eq!(out.image_ids()[0].image_digest(), Some(d.as_str()));
    assert_eq!(
        digests_in(&c, "bt").await,
        [d.as_str()],
        "image still there"
    );
    assert_eq!(tags_in(&c, "bt").await, ["b"]);

    // Removing the last tag deletes the image.
    let out = ok(c
        .batch_delete_image()
        .repository_name("bt")
        .image_ids(by_tag("b"))
        .send()
        .await);
    assert_eq!(out.image_ids().len(), 1);
    assert!(digests_in(&c, "bt").await.is_empty());
    assert_eq!(
        err_code(
            c.describe_images()
                .repository_name("bt")
                .image_ids(by_digest(&d))
                .send()
                .await
        ),
        "ImageNotFoundException"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_by_digest_removes_image_and_all_tags() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "bd").await;
    let blobs = upload_blobs(&c, "bd", "bd", 1).await;
    let mut digests = Vec::new();
    for i in 0..3 {
        let m = oci_manifest(&blobs, &format!("v{i}"));
        digests.push(put_manifest(&c, "bd", &m, Some(&format!("v{i}"))).await);
        if i == 0 {
            // The first image carries a second tag.
            put_manifest(&c, "bd", &m, Some("extra")).await;
        }
    }
    assert_eq!(tags_in(&c, "bd").await, ["extra", "v0", "v1", "v2"]);

    let out = ok(c
        .batch_delete_image()
        .repository_name("bd")
        .image_ids(by_digest(&digests[0]))
        .image_ids(by_digest(&digests[1]))
        .send()
        .await);
    assert!(out.failures().is_empty(), "{:?}", out.failures());
    let mut deleted: Vec<&str> = out
        .image_ids()
        .iter()
        .filter_map(|i| i.image_digest())
        .collect();
    deleted.sort();
    deleted.dedup();
    let mut want = vec![digests[0].as_str(), digests[1].as_str()];
    want.sort();
    assert_eq!(deleted, want);
    assert_eq!(digests_in(&c, "bd").await, [digests[2].as_str()]);
    assert_eq!(tags_in(&c, "bd").await, ["v2"]);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn per_id_failure_codes() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "fail").await;
    let digests = push_many(&c, "fail", "t", 2).await;
    let missing = sha256_digest(b"missing manifest");

    let out = ok(c
        .batch_delete_image()
        .repository_name("fail")
        .image_ids(by_tag("no-such-tag"))
        .image_ids(by_digest(&missing))
        // t0 exists, but on another image than digests[1].
        .image_ids(
            ImageIdentifier::builder()
                .image_tag("t0")
                .image_digest(&digests[1])
                .build(),
        )
        .image_ids(ImageIdentifier::builder().build())
        .send()
        .await);
    assert!(out.image_ids().is_empty(), "{:?}", out.image_ids());
    let codes: Vec<(Option<String>, Option<String>, ImageFailureCode)> = out
        .failures()
        .iter()
        .map(|f| {
            assert!(f.failure_reason().is_some_and(|r| !r.is_empty()));
            let id = f.image_id();
            (
                id.and_then(|i| i.image_tag()).map(str::to_string),
                id.and_then(|i| i.image_digest()).map(str::to_string),
                f.failure_code().cloned().expect("failureCode"),
            )
        })
        .collect();
    assert_eq!(codes.len(), 4, "{codes:?}");
    assert!(codes.contains(&(
        Some("no-such-tag".into()),
        None,
        ImageFailureCode::ImageNotFound
    )));
    assert!(codes.contains(&(None, Some(missing.clone()), ImageFailureCode::ImageNotFound)));
    assert!(codes.contains(&(
        Some("t0".into()),
        Some(digests[1].clone()),
        ImageFailureCode::ImageTagDoesNotMatchDigest
    )));
    assert!(codes.contains(&(None, None, ImageFailureCode::MissingDigestAndTag)));
    // Nothing was deleted.
    assert_eq!(digests_in(&c, "fail").await.len(), 2);
    assert_eq!(tags_in(&c, "fail").await, ["t0", "t1"]);

    // A malformed digest.
    let out = ok(c
        .batch_delete_image()
        .repository_name("fail")
        .image_ids(by_digest("sha256:not-hex"))
        .send()
        .await);
    assert_eq!(
        out.failures()[0].failure_code(),
        Some(&ImageFailureCode::InvalidImageDigest)
    );

    // Mixed: one good id is deleted, the bad one fails, in the same call.
    let out = ok(c
        .batch_delete_image()
        .repository_name("fail")
        .image_ids(by_tag("t1"))
        .image_ids(by_tag("gone"))
        .send()
        .await);
    assert_eq!(out.image_ids().len(), 1);
    assert_eq!(out.failures().len(), 1);
    assert_eq!(digests_in(&c, "fail").await, [digests[0].as_str()]);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn image_referenced_by_manifest_list() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "ref").await;
    let blobs = upload_blobs(&c, "ref", "child", 1).await;
    let child = oci_manifest(&blobs, "child");
    let cd = put_manifest(&c, "ref", &child, Some("child")).await;
    let index = index_json(
        OCI_INDEX,
        OCI_MANIFEST,
        &[(cd.clone(), child.len() as i64, "amd64")],
    );
    let idx = put_manifest(&c, "ref", &index, Some("multi")).await;

    let out = ok(c
        .batch_delete_image()
        .repository_name("ref")
        .image_ids(by_digest(&cd))
        .send()
        .await);
    assert!(out.image_ids().is_empty());
    assert_eq!(out.failures().len(), 1);
    assert_eq!(
        out.failures()[0].failure_code(),
        Some(&ImageFailureCode::ImageReferencedByManifestList)
    );
    assert_eq!(digests_in(&c, "ref").await.len(), 2);

    // Once the index is gone, the child can be deleted.
    let out = ok(c
        .batch_delete_image()
        .repository_name("ref")
        .image_ids(by_digest(&idx))
        .send()
        .await);
    assert_eq!(out.image_ids().len(), 1);
    let out = ok(c
        .batch_delete_image()
        .repository_name("ref")
        .image_ids(by_digest(&cd))
        .send()
        .await);
    assert!(out.failures().is_empty(), "{:?}", out.failures());
    assert!(digests_in(&c, "ref").await.is_empty());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn id_list_bounds_and_missing_repository() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "bounds").await;
    assert_eq!(
        err_code(
            c.batch_delete_image()
                .repository_name("bounds")
                .set_image_ids(Some(vec![]))
                .send()
                .await
        ),
        "InvalidParameterException",
        "0 ids"
    );
    let mut req = c.batch_delete_image().repository_name("bounds");
    for i in 0..101 {
        req = req.image_ids(by_tag(&format!("t{i}")));
    }
    assert_eq!(
        err_code(req.send().await),
        "InvalidParameterException",
        "101 ids"
    );
    // 100 ids is fine: each one reports ImageNotFound.
    let mut req = c.batch_delete_image().repository_name("bounds");
    for i in 0..100 {
        req = req.image_ids(by_tag(&format!("t{i}")));
    }
    let out = ok(req.send().await);
    assert_eq!(out.failures().len(), 100);
    assert!(
        out.failures()
            .iter()
            .all(|f| f.failure_code() == Some(&ImageFailureCode::ImageNotFound))
    );
    assert_eq!(
        err_code(
            c.batch_delete_image()
                .repository_name("missing")
                .image_ids(by_tag("x"))
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    emu.shutdown().await;
}

/// ecrp's bulk delete: chunks of at most 100 ids (the service's bound), every id accounted for
/// once; a read-only Api sends nothing at all.
#[tokio::test(flavor = "multi_thread")]
async fn ecrp_bulk_delete_in_chunks() {
    use ecrp::aws::{Api, DeleteReport, ImageRef, collect_all};
    use futures::StreamExt;

    let (emu, c) = start_synthetic("bulk", 250).await;
    let rows = collect_all(Api::new(c.clone(), true).images("bulk", None))
        .await
        .expect("rows");
    assert_eq!(rows.len(), 250);
    let digests = digests_in_all(&c, "bulk").await;
    let mut ids: Vec<ImageRef> = digests.iter().cloned().map(ImageRef::Digest).collect();
    ids.push(ImageRef::Tag("no-such-tag".into()));

    let before = emu
        .op_counts()
        .get("BatchDeleteImage")
        .copied()
        .unwrap_or(0);
    let ro = Api::new(c.clone(), true);
    let outcomes: Vec<_> = ro.delete_images("bulk", ids.clone(), 2).collect().await;
    assert!(
        outcomes
            .iter()
            .all(|o| o.deleted.is_empty() && o.failures.iter().all(|f| f.1 == "ReadOnly"))
    );
    assert_eq!(
        emu.op_counts()
            .get("BatchDeleteImage")
            .copied()
            .unwrap_or(0),
        before,
        "read-only sends no request"
    );

    let api = Api::new(c.clone(), false);
    let mut report = DeleteReport::default();
    let mut chunks = 0;
    let mut stream = api.delete_images("bulk", ids, 3);
    while let Some(o) = stream.next().await {
        assert!(o.requested <= 100);
        report.add(&o);
        chunks += 1;
    }
    assert_eq!(chunks, 3);
    assert_eq!(report.requested, 251);
    assert_eq!(report.deleted, 250);
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].1, "ImageNotFound");
    assert_eq!(
        emu.op_counts()
            .get("BatchDeleteImage")
            .copied()
            .unwrap_or(0)
            - before,
        3
    );
    assert!(digests_in_all(&c, "bulk").await.is_empty());
    emu.shutdown().await;
}

async fn digests_in_all(c: &Client, repo: &str) -> Vec<String> {
    let all = ok(c
        .describe_images()
        .repository_name(repo)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await);
    all.iter()
        .filter_map(|d| d.image_digest().map(str::to_string))
        .collect()
}
