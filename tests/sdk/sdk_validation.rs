//! Validation from the service model seen through the real SDK: required members, patterns, ranges,
//! members that exclude each other, and error messages that name the field and the limit.

use crate::support::common::*;
use aws_sdk_ecrpublic::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ecrpublic::primitives::Blob;
use aws_sdk_ecrpublic::types::RepositoryCatalogDataInput;

/// Code and message of a call that must fail with a service error.
fn code_and_message<T: std::fmt::Debug, E, R>(r: Result<T, SdkError<E, R>>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match r {
        Err(SdkError::ServiceError(se)) => (
            se.err().code().unwrap_or_default().to_string(),
            se.err().message().unwrap_or_default().to_string(),
        ),
        other => panic!("expected a service error, got {other:?}"),
    }
}

fn assert_names(msg: &str, field: &str, limit: &str) {
    let lower = msg.to_ascii_lowercase();
    assert!(
        lower.contains(&field.to_ascii_lowercase()),
        "message names the field {field}: {msg}"
    );
    assert!(
        msg.contains(limit),
        "message names the limit {limit}: {msg}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_name_the_field_and_the_limit() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "msg").await;

    let (code, msg) = code_and_message(
        c.put_registry_catalog_data()
            .display_name("x".repeat(101))
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert_names(&msg, "displayName", "100");

    let (code, msg) = code_and_message(c.describe_repositories().max_results(1001).send().await);
    assert_eq!(code, "InvalidParameterException");
    assert_names(&msg, "maxResults", "1000");

    let (code, msg) = code_and_message(
        c.create_repository()
            .repository_name("r".repeat(206))
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert_names(&msg, "repositoryName", "205");

    let (code, msg) = code_and_message(
        c.put_repository_catalog_data()
            .repository_name("msg")
            .catalog_data(
                RepositoryCatalogDataInput::builder()
                    .description("d".repeat(1025))
                    .build(),
            )
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert_names(&msg, "description", "1024");

    let (code, msg) = code_and_message(
        c.set_repository_policy()
            .repository_name("msg")
            .policy_text(format!("{{\"a\":\"{}\"}}", "p".repeat(10_240)))
            .send()
            .await,
    );
    assert_eq!(code, "InvalidParameterException");
    assert_names(&msg, "policyText", "10240");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn required_members() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "req").await;
    assert_eq!(
        err_code(c.create_repository().send().await),
        "InvalidParameterException",
        "CreateRepository without repositoryName"
    );
    assert_eq!(
        err_code(c.put_image().repository_name("req").send().await),
        "InvalidParameterException",
        "PutImage without imageManifest"
    );
    assert_eq!(
        err_code(
            c.set_repository_policy()
                .repository_name("req")
                .send()
                .await
        ),
        "InvalidParameterException",
        "SetRepositoryPolicy without policyText"
    );
    assert_eq!(
        err_code(
            c.put_repository_catalog_data()
                .repository_name("req")
                .send()
                .await
        ),
        "InvalidParameterException",
        "PutRepositoryCatalogData without catalogData"
    );
    assert_eq!(
        err_code(c.list_tags_for_resource().send().await),
        "InvalidParameterException",
        "ListTagsForResource without resourceArn"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_and_ids_exclude_each_other() {
    let (emu, c) = start_synthetic("syn", 30).await;
    let token = ok(c
        .describe_images()
        .repository_name("syn")
        .max_results(10)
        .send()
        .await)
    .next_token
    .expect("token");
    let any = ok(c
        .describe_image_tags()
        .repository_name("syn")
        .max_results(1)
        .send()
        .await);
    let tag = any.image_tag_details()[0].image_tag().unwrap().to_string();
    assert_eq!(
        err_code(
            c.describe_images()
                .repository_name("syn")
                .image_ids(by_tag(&tag))
                .next_token(&token)
                .send()
                .await
        ),
        "InvalidParameterException",
        "imageIds with nextToken"
    );
    create_repo(&c, "other").await;
    let rtoken = ok(c.describe_repositories().max_results(1).send().await)
        .next_token
        .expect("two repositories, pages of one");
    assert_eq!(
        err_code(
            c.describe_repositories()
                .repository_names("syn")
                .next_token(rtoken)
                .send()
                .await
        ),
        "InvalidParameterException",
        "repositoryNames with nextToken"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn layer_member_patterns_and_ranges() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "pat").await;
    let upload = ok(c
        .initiate_layer_upload()
        .repository_name("pat")
        .send()
        .await)
    .upload_id
    .expect("uploadId");
    assert_eq!(
        err_code(
            c.upload_layer_part()
                .repository_name("pat")
                .upload_id("not-a-uuid")
                .part_first_byte(0)
                .part_last_byte(2)
                .layer_part_blob(Blob::new(b"abc".to_vec()))
                .send()
                .await
        ),
        "InvalidParameterException",
        "uploadId pattern"
    );
    assert_eq!(
        err_code(
            c.upload_layer_part()
                .repository_name("pat")
                .upload_id(&upload)
                .part_first_byte(-1)
                .part_last_byte(1)
                .layer_part_blob(Blob::new(b"abc".to_vec()))
                .send()
                .await
        ),
        "InvalidParameterException",
        "partFirstByte minimum 0"
    );
    ok(c.upload_layer_part()
        .repository_name("pat")
        .upload_id(&upload)
        .part_first_byte(0)
        .part_last_byte(2)
        .layer_part_blob(Blob::new(b"abc".to_vec()))
        .send()
        .await);
    assert_eq!(
        err_code(
            c.complete_layer_upload()
                .repository_name("pat")
                .upload_id(&upload)
                .layer_digests("no colon here")
                .send()
                .await
        ),
        "InvalidParameterException",
        "layerDigests pattern"
    );
    // The upload survives a refused request and completes normally.
    ok(c.complete_layer_upload()
        .repository_name("pat")
        .upload_id(&upload)
        .layer_digests(sha256_digest(b"abc"))
        .send()
        .await);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_tag_lists_are_accepted() {
    let (emu, c) = start_empty().await;
    let arn = create_repo(&c, "empty-lists")
        .await
        .repository_arn()
        .unwrap()
        .to_string();
    // TagList and TagKeyList both allow 0 items.
    ok(c.tag_resource()
        .resource_arn(&arn)
        .set_tags(Some(vec![]))
        .send()
        .await);
    ok(c.untag_resource()
        .resource_arn(&arn)
        .set_tag_keys(Some(vec![]))
        .send()
        .await);
    let tags = ok(c.list_tags_for_resource().resource_arn(&arn).send().await);
    assert!(tags.tags().is_empty());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn lengths_checked_on_every_operation_that_takes_them() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "len").await;
    let blobs = upload_blobs(&c, "len", "len", 1).await;
    // imageTag is 1..=300 characters.
    assert_eq!(
        err_code(
            c.put_image()
                .repository_name("len")
                .image_manifest(docker_manifest(&blobs, "empty-tag"))
                .image_tag("")
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    put_manifest(
        &c,
        "len",
        &docker_manifest(&blobs, "t300"),
        Some(&"t".repeat(300)),
    )
    .await;
    // Catalog limits apply on CreateRepository as on PutRepositoryCatalogData.
    assert_eq!(
        err_code(
            c.create_repository()
                .repository_name("len2")
                .catalog_data(
                    RepositoryCatalogDataInput::builder()
                        .description("d".repeat(1025))
                        .build()
                )
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    // Repository names are checked on reads too.
    assert_eq!(
        err_code(c.describe_images().repository_name("A").send().await),
        "InvalidParameterException"
    );
    assert_eq!(
        err_code(
            c.get_repository_policy()
                .repository_name("x".repeat(206))
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    emu.shutdown().await;
}

/// Members nested inside lists get the model's checks too: an empty or 301-character imageTag in
/// imageIds is an InvalidParameterException naming `imageIds.N.member.imageTag`, not an
/// ImageNotFound answer for a tag that could never exist.
#[tokio::test(flavor = "multi_thread")]
async fn image_tags_inside_image_ids_are_validated() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "nested").await;
    for bad in [String::new(), "t".repeat(301)] {
        let (code, msg) = code_and_message(
            c.describe_images()
                .repository_name("nested")
                .image_ids(by_tag("fine"))
                .image_ids(by_tag(&bad))
                .send()
                .await,
        );
        assert_eq!(code, "InvalidParameterException", "{msg}");
        assert!(msg.contains("'imageIds.2.member.imageTag'"), "{msg}");
        let (code, msg) = code_and_message(
            c.batch_delete_image()
                .repository_name("nested")
                .image_ids(by_tag(&bad))
                .send()
                .await,
        );
        assert_eq!(code, "InvalidParameterException", "{msg}");
        assert!(msg.contains("'imageIds.1.member.imageTag'"), "{msg}");
    }
    // At the bounds the ids are well formed: the image is simply not there.
    let e = c
        .describe_images()
        .repository_name("nested")
        .image_ids(by_tag(&"t".repeat(300)))
        .send()
        .await;
    assert_eq!(err_code(e), "ImageNotFoundException");
    let out = ok(c
        .batch_delete_image()
        .repository_name("nested")
        .image_ids(by_tag("t"))
        .send()
        .await);
    assert_eq!(
        out.failures()[0].failure_code().unwrap().as_str(),
        "ImageNotFound"
    );
    emu.shutdown().await;
}

/// A request signed for a region without the ECR Public API is refused as the service refuses it;
/// the two regions that serve it (us-east-1 and us-west-2) work.
#[tokio::test(flavor = "multi_thread")]
async fn regions_without_the_api_are_unsupported() {
    use aws_config::BehaviorVersion;
    use aws_credential_types::Credentials;
    let emu = ecrp::emulator::start(ecrp::emulator::EmulatorOptions::default())
        .await
        .unwrap();
    let client = |region: &'static str| {
        let url = emu.url();
        async move {
            let sdk = aws_config::defaults(BehaviorVersion::latest())
                .region(aws_config::Region::new(region))
                .endpoint_url(url)
                .credentials_provider(Credentials::new("AKIDREGION", "secret", None, None, "t"))
                .load()
                .await;
            aws_sdk_ecrpublic::Client::new(&sdk)
        }
    };
    for region in ["us-east-1", "us-west-2"] {
        ok(client(region).await.describe_registries().send().await);
    }
    for region in ["eu-west-1", "ap-southeast-2"] {
        let c = client(region).await;
        let (code, msg) = code_and_message(c.describe_repositories().send().await);
        assert_eq!(code, "UnsupportedCommandException", "{region}");
        assert!(msg.contains("isn't supported in this Region"), "{msg}");
        let (code, _) =
            code_and_message(c.create_repository().repository_name("nope").send().await);
        assert_eq!(code, "UnsupportedCommandException");
    }
    let c = client("us-east-1").await;
    let e = c
        .describe_repositories()
        .repository_names("nope")
        .send()
        .await;
    assert_eq!(
        err_code(e),
        "RepositoryNotFoundException",
        "nothing was created elsewhere"
    );
    emu.shutdown().await;
}
