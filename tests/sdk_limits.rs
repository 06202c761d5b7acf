//! The largest payloads the model allows must get through (and one byte more must not): a 20 MiB
//! layer part and a 4 MiB image manifest, sent by the real SDK.

mod common;

use aws_sdk_ecrpublic::primitives::Blob;
use common::*;

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
