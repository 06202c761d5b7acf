//! The largest payloads the model allows must get through (and one byte more must not): a 20 MiB
//! layer part and a 4 MiB image manifest, sent by the real SDK.

use crate::support::common::*;
use aws_sdk_ecrpublic::primitives::Blob;

const MAX_PART: usize = 20_971_520;
const MAX_MANIFEST: usize = 4_194_304;

#[tokio::test(flavor = "multi_thread")]
async fn largest_layer_part() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "huge").await;
    let init = ok(c
        .initiate_layer_upload()
        .repository_name("huge")
        .send()
        .await);
    let part_size = init.part_size.expect("partSize");
    assert!(
        (MIN_PART as i64..=MAX_PART as i64).contains(&part_size),
        "partSize {part_size} lies between the smallest and the largest part"
    );
    let upload = init.upload_id.expect("uploadId");
    let data: Vec<u8> = (0..MAX_PART).map(|i| (i % 253) as u8).collect();
    let out = ok(c
        .upload_layer_part()
        .repository_name("huge")
        .upload_id(&upload)
        .part_first_byte(0)
        .part_last_byte(MAX_PART as i64 - 1)
        .layer_part_blob(Blob::new(data.clone()))
        .send()
        .await);
    assert_eq!(out.last_byte_received, Some(MAX_PART as i64 - 1));
    ok(c.complete_layer_upload()
        .repository_name("huge")
        .upload_id(&upload)
        .layer_digests(sha256_digest(&data))
        .send()
        .await);

    let upload = ok(c
        .initiate_layer_upload()
        .repository_name("huge")
        .send()
        .await)
    .upload_id
    .expect("uploadId");
    let mut over = data;
    over.push(0);
    assert_eq!(
        err_code(
            c.upload_layer_part()
                .repository_name("huge")
                .upload_id(&upload)
                .part_first_byte(0)
                .part_last_byte(MAX_PART as i64)
                .layer_part_blob(Blob::new(over))
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    emu.shutdown().await;
}

/// A manifest padded (in an annotation) to exactly `len` bytes.
fn manifest_of_len(b: &Blobs, len: usize) -> String {
    let base = oci_manifest(b, "");
    let m = base.replacen(
        "\"org.example.note\":\"\"",
        &format!("\"org.example.note\":\"{}\"", "m".repeat(len - base.len())),
        1,
    );
    assert_eq!(m.len(), len);
    m
}

#[tokio::test(flavor = "multi_thread")]
async fn largest_image_manifest() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "bigman").await;
    let blobs = upload_blobs(&c, "bigman", "bigman", 1).await;
    let m = manifest_of_len(&blobs, MAX_MANIFEST);
    let d = put_manifest(&c, "bigman", &m, Some("max")).await;
    assert_eq!(d, sha256_digest(m.as_bytes()));
    assert_eq!(
        err_code(
            c.put_image()
                .repository_name("bigman")
                .image_manifest(manifest_of_len(&blobs, MAX_MANIFEST + 1))
                .image_tag("over")
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    emu.shutdown().await;
}

/// Service quotas (`--quota`): reaching one answers LimitExceededException, as the reference
/// lists it for CreateRepository and PutImage; a re-tag of an image already held adds no image.
#[tokio::test(flavor = "multi_thread")]
async fn quotas_answer_limit_exceeded() {
    use ecrp::emulator::{EmulatorOptions, Quotas, Seed};
    let (emu, c) = start_with(EmulatorOptions {
        seed: Seed::Empty,
        quotas: "repositories=2,images=2".parse::<Quotas>().unwrap(),
        ..Default::default()
    })
    .await;
    create_repo(&c, "one").await;
    create_repo(&c, "two").await;
    let e = c.create_repository().repository_name("three").send().await;
    assert_eq!(err_code(e), "LimitExceededException");
    let b = upload_blobs(&c, "one", "quota", 1).await;
    let first = docker_manifest(&b, "a");
    put_manifest(&c, "one", &first, Some("a")).await;
    put_manifest(&c, "one", &docker_manifest(&b, "b"), Some("b")).await;
    let third = c
        .put_image()
        .repository_name("one")
        .image_manifest(docker_manifest(&b, "c"))
        .image_tag("c")
        .send()
        .await;
    assert_eq!(err_code(third), "LimitExceededException");
    // The same manifest under another tag is no new image.
    put_manifest(&c, "one", &first, Some("again")).await;
    // Deleting makes room again.
    ok(c.delete_repository().repository_name("two").send().await);
    create_repo(&c, "three").await;
    emu.shutdown().await;
}

#[test]
fn default_quotas_are_the_documented_ones() {
    let q = ecrp::emulator::Quotas::default();
    assert_eq!(q.images_per_repository, 100_000);
    assert_eq!(q.repositories, 100_000);
}
