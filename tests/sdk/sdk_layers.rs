//! The layer upload flow through the real SDK: InitiateLayerUpload, UploadLayerPart,
//! CompleteLayerUpload and BatchCheckLayerAvailability, with every modelled failure.

use crate::support::common::*;
use aws_sdk_ecrpublic::Client;
use aws_sdk_ecrpublic::primitives::Blob;
use aws_sdk_ecrpublic::types::{LayerAvailability, LayerFailureCode};

const UNKNOWN_UPLOAD: &str = "0f0e0d0c-0b0a-4908-8706-050403020100";

fn is_upload_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && parts
            .iter()
            .all(|p| p.chars().all(|ch| ch.is_ascii_hexdigit()))
}

async fn initiate(c: &Client, repo: &str) -> String {
    let out = ok(c.initiate_layer_upload().repository_name(repo).send().await);
    assert!(out.part_size.unwrap_or(0) >= 0);
    out.upload_id.expect("uploadId")
}

async fn part(
    c: &Client,
    repo: &str,
    id: &str,
    first: i64,
    data: &[u8],
) -> Result<
    aws_sdk_ecrpublic::operation::upload_layer_part::UploadLayerPartOutput,
    aws_sdk_ecrpublic::error::SdkError<
        aws_sdk_ecrpublic::operation::upload_layer_part::UploadLayerPartError,
        aws_sdk_ecrpublic::config::http::HttpResponse,
    >,
> {
    c.upload_layer_part()
        .repository_name(repo)
        .upload_id(id)
        .part_first_byte(first)
        .part_last_byte(first + data.len() as i64 - 1)
        .layer_part_blob(Blob::new(data.to_vec()))
        .send()
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_in_parts_then_check_availability() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "layers").await;
    let id = registry(&c).await.registry_id().to_string();
    // Parts of 5 MiB (the minimum for every part but the last) and a short last part.
    let len = MIN_PART + 3_000;
    let data: Vec<u8> = (0..len as u32).map(|i| (i * 7 % 256) as u8).collect();

    let upload = initiate(&c, "layers").await;
    assert!(is_upload_id(&upload), "uploadId is a UUID: {upload}");
    let mut first = 0i64;
    for chunk in data.chunks(MIN_PART) {
        let out = ok(part(&c, "layers", &upload, first, chunk).await);
        first += chunk.len() as i64;
        assert_eq!(out.last_byte_received, Some(first - 1));
        assert_eq!(out.upload_id(), Some(upload.as_str()));
        assert_eq!(out.repository_name(), Some("layers"));
        assert_eq!(out.registry_id(), Some(id.as_str()));
    }
    let digest = sha256_digest(&data);
    let done = ok(c
        .complete_layer_upload()
        .repository_name("layers")
        .upload_id(&upload)
        .layer_digests(&digest)
        .send()
        .await);
    assert_eq!(done.layer_digest(), Some(digest.as_str()));
    assert_eq!(done.upload_id(), Some(upload.as_str()));
    assert_eq!(done.repository_name(), Some("layers"));
    assert_eq!(done.registry_id(), Some(id.as_str()));

    let missing = sha256_digest(b"never uploaded");
    let check = ok(c
        .batch_check_layer_availability()
        .repository_name("layers")
        .layer_digests(&digest)
        .layer_digests(&missing)
        .send()
        .await);
    assert_eq!(check.layers().len(), 1);
    let l = &check.layers()[0];
    assert_eq!(l.layer_digest(), Some(digest.as_str()));
    assert_eq!(l.layer_availability(), Some(&LayerAvailability::Available));
    assert_eq!(l.layer_size(), Some(len as i64));
    assert_eq!(check.failures().len(), 1);
    let f = &check.failures()[0];
    assert_eq!(f.layer_digest(), Some(missing.as_str()));
    assert_eq!(
        f.failure_code(),
        Some(&LayerFailureCode::MissingLayerDigest)
    );
    assert!(f.failure_reason().is_some_and(|r| !r.is_empty()));

    // A completed upload takes no more parts.
    assert_eq!(
        err_code(part(&c, "layers", &upload, len as i64, b"more").await),
        "UploadNotFoundException"
    );

    // Layers belong to their repository: another repository does not see this one.
    create_repo(&c, "other").await;
    let check = ok(c
        .batch_check_layer_availability()
        .repository_name("other")
        .layer_digests(&digest)
        .send()
        .await);
    assert!(check.layers().is_empty());
    assert_eq!(check.failures().len(), 1);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_check_layer_availability_errors() {
    let (emu, c) = start_empty().await;
    assert_eq!(
        err_code(
            c.batch_check_layer_availability()
                .repository_name("missing")
                .layer_digests(sha256_digest(b"x"))
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    create_repo(&c, "chk").await;
    assert_eq!(
        err_code(
            c.batch_check_layer_availability()
                .repository_name("chk")
                .send()
                .await
        ),
        "InvalidParameterException",
        "layerDigests is required (1..=100)"
    );
    let mut req = c.batch_check_layer_availability().repository_name("chk");
    for i in 0..101 {
        req = req.layer_digests(sha256_digest(format!("{i}").as_bytes()));
    }
    assert_eq!(err_code(req.send().await), "InvalidParameterException");

    // A malformed digest is a per-digest failure, not an error of the call.
    let out = ok(c
        .batch_check_layer_availability()
        .repository_name("chk")
        .layer_digests("not-a-digest")
        .send()
        .await);
    assert!(out.layers().is_empty());
    assert_eq!(
        out.failures()[0].failure_code(),
        Some(&LayerFailureCode::InvalidLayerDigest)
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn complete_with_wrong_digest_is_invalid_layer() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "wd").await;
    let upload = initiate(&c, "wd").await;
    ok(part(&c, "wd", &upload, 0, b"some layer bytes").await);
    assert_eq!(
        err_code(
            c.complete_layer_upload()
                .repository_name("wd")
                .upload_id(&upload)
                .layer_digests(sha256_digest(b"other bytes"))
                .send()
                .await
        ),
        "InvalidLayerException"
    );
    // Nothing became available under either digest.
    let out = ok(c
        .batch_check_layer_availability()
        .repository_name("wd")
        .layer_digests(sha256_digest(b"some layer bytes"))
        .layer_digests(sha256_digest(b"other bytes"))
        .send()
        .await);
    assert!(out.layers().is_empty());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn out_of_order_or_inconsistent_part_is_refused() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "ooo").await;
    let upload = initiate(&c, "ooo").await;
    let first = vec![1u8; MIN_PART];
    let m = MIN_PART as i64;
    ok(part(&c, "ooo", &upload, 0, &first).await);
    // A gap: the next part must start right after the first one.
    assert_eq!(
        err_code(part(&c, "ooo", &upload, m + 100, &[2u8; 50]).await),
        "InvalidLayerPartException"
    );
    // An overlap.
    assert_eq!(
        err_code(part(&c, "ooo", &upload, m - 50, &[2u8; 50]).await),
        "InvalidLayerPartException"
    );
    // Byte range that disagrees with the blob's length.
    assert_eq!(
        err_code(
            c.upload_layer_part()
                .repository_name("ooo")
                .upload_id(&upload)
                .part_first_byte(m)
                .part_last_byte(m + 400)
                .layer_part_blob(Blob::new(vec![3u8; 10]))
                .send()
                .await
        ),
        "InvalidLayerPartException"
    );
    // The upload is still usable from the right offset and completes with the right bytes.
    let out = ok(part(&c, "ooo", &upload, m, &[4u8; 20]).await);
    assert_eq!(out.last_byte_received, Some(m + 19));
    let mut all = first;
    all.extend([4u8; 20]);
    ok(c.complete_layer_upload()
        .repository_name("ooo")
        .upload_id(&upload)
        .layer_digests(sha256_digest(&all))
        .send()
        .await);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn complete_with_nothing_uploaded_is_empty_upload() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "empty").await;
    let upload = initiate(&c, "empty").await;
    assert_eq!(
        err_code(
            c.complete_layer_upload()
                .repository_name("empty")
                .upload_id(&upload)
                .layer_digests(sha256_digest(b""))
                .send()
                .await
        ),
        "EmptyUploadException"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_upload_id() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "up").await;
    create_repo(&c, "up2").await;
    assert_eq!(
        err_code(part(&c, "up", UNKNOWN_UPLOAD, 0, b"abc").await),
        "UploadNotFoundException"
    );
    assert_eq!(
        err_code(
            c.complete_layer_upload()
                .repository_name("up")
                .upload_id(UNKNOWN_UPLOAD)
                .layer_digests(sha256_digest(b"abc"))
                .send()
                .await
        ),
        "UploadNotFoundException"
    );
    // An upload id is valid only for the repository it was initiated in.
    let upload = initiate(&c, "up").await;
    assert_eq!(
        err_code(part(&c, "up2", &upload, 0, b"abc").await),
        "UploadNotFoundException"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reuploading_an_existing_layer() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "again").await;
    let digest = upload_layer(&c, "again", b"the same layer").await;
    let upload = initiate(&c, "again").await;
    ok(part(&c, "again", &upload, 0, b"the same layer").await);
    assert_eq!(
        err_code(
            c.complete_layer_upload()
                .repository_name("again")
                .upload_id(&upload)
                .layer_digests(&digest)
                .send()
                .await
        ),
        "LayerAlreadyExistsException"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn layer_ops_on_missing_repository() {
    let (emu, c) = start_empty().await;
    assert_eq!(
        err_code(
            c.initiate_layer_upload()
                .repository_name("missing")
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    assert_eq!(
        err_code(part(&c, "missing", UNKNOWN_UPLOAD, 0, b"x").await),
        "RepositoryNotFoundException"
    );
    assert_eq!(
        err_code(
            c.complete_layer_upload()
                .repository_name("missing")
                .upload_id(UNKNOWN_UPLOAD)
                .layer_digests(sha256_digest(b"x"))
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    emu.shutdown().await;
}

/// Every part but the last must be at least 5 MiB; the check happens when the upload completes.
#[tokio::test(flavor = "multi_thread")]
async fn small_non_final_part_is_too_small() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "small").await;
    let upload = initiate(&c, "small").await;
    ok(part(&c, "small", &upload, 0, &[7u8; 3_000]).await);
    ok(part(&c, "small", &upload, 3_000, &[8u8; 3_000]).await);
    let mut all = vec![7u8; 3_000];
    all.extend([8u8; 3_000]);
    assert_eq!(
        err_code(
            c.complete_layer_upload()
                .repository_name("small")
                .upload_id(&upload)
                .layer_digests(sha256_digest(&all))
                .send()
                .await
        ),
        "LayerPartTooSmallException"
    );
    // A small layer sent as one part is fine: the last part may be of any size.
    upload_layer(&c, "small", &[9u8; 3_000]).await;
    emu.shutdown().await;
}

/// An upload belongs to its repository: deleting the repository ends it, and a new repository
/// of the same name does not inherit it.
#[tokio::test(flavor = "multi_thread")]
async fn uploads_end_with_their_repository() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "short-lived").await;
    let upload = initiate(&c, "short-lived").await;
    ok(part(&c, "short-lived", &upload, 0, b"abc").await);
    ok(c.delete_repository()
        .repository_name("short-lived")
        .send()
        .await);
    create_repo(&c, "short-lived").await;
    assert_eq!(
        err_code(part(&c, "short-lived", &upload, 3, b"def").await),
        "UploadNotFoundException"
    );
    emu.shutdown().await;
}
