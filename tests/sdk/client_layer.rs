//! The client layer (src/aws) against the in-process emulator through the real SDK over HTTP:
//! paged streams, resuming, cancellation, error reporting, read-only refusal and bulk deletes.

use std::collections::HashSet;
use std::time::Duration;

use ecrp::aws::{self, Api, AwsError, ClientOptions, ImageRef, collect_all};
use ecrp::emulator::{self, Emulator, EmulatorOptions, Seed};
use futures::StreamExt;

async fn emulator_with(synthetic: &[(&str, usize)]) -> Emulator {
    emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        synthetic: synthetic.iter().map(|(r, n)| (r.to_string(), *n)).collect(),
        ..Default::default()
    })
    .await
    .expect("emulator starts")
}

async fn api(emu: &Emulator, read_only: bool) -> Api {
    let (client, info) = aws::connect(&ClientOptions::for_emulator(&emu.url())).await;
    assert_eq!(info.region, "us-east-1");
    assert_eq!(info.endpoint.as_deref(), Some(emu.url().as_str()));
    Api::new(client, read_only)
}

#[tokio::test(flavor = "multi_thread")]
async fn images_arrive_in_pages_of_1000_without_gaps_or_duplicates() {
    let emu = emulator_with(&[("big", 2_500)]).await;
    let api = api(&emu, false).await;
    let mut stream = api.images("big", None);
    let mut sizes = Vec::new();
    let mut digests = HashSet::new();
    let mut last_token = Some(String::new());
    while let Some(page) = stream.next().await {
        let page = page.expect("page loads");
        assert_eq!(page.number, sizes.len() + 1);
        sizes.push(page.rows.len());
        for r in &page.rows {
            assert!(r.image_digest.starts_with("sha256:"));
            assert!(digests.insert(r.image_digest.clone()), "duplicate row");
        }
        last_token = page.next_token;
    }
    assert_eq!(sizes, vec![1000, 1000, 500]);
    assert_eq!(digests.len(), 2_500);
    assert_eq!(last_token, None, "the last page has no token");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_load_resumes_from_the_last_good_token() {
    let emu = emulator_with(&[("big", 2_100)]).await;
    let api = api(&emu, false).await;
    let mut first = api.images("big", None);
    let page1 = first.next().await.unwrap().unwrap();
    drop(first);
    let rest = collect_all(api.images("big", page1.next_token.clone()))
        .await
        .unwrap();
    let all: HashSet<_> = page1
        .rows
        .iter()
        .chain(rest.iter())
        .map(|r| r.image_digest.clone())
        .collect();
    assert_eq!(page1.rows.len() + rest.len(), 2_100);
    assert_eq!(all.len(), 2_100);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_a_stream_sends_no_further_requests() {
    let emu = emulator_with(&[("big", 5_000)]).await;
    let api = api(&emu, false).await;
    let mut stream = api.images("big", None);
    stream.next().await.unwrap().unwrap();
    drop(stream);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(emu.op_counts().get("DescribeImages").copied(), Some(1));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn service_errors_carry_the_aws_code_and_message() {
    let emu = emulator_with(&[]).await;
    let api = api(&emu, false).await;
    let err = collect_all(api.images("missing", None)).await.unwrap_err();
    assert_eq!(err.code, "RepositoryNotFoundException");
    assert!(err.message.contains("missing"), "{err:?}");
    assert!(
        err.detail.contains("RepositoryNotFoundException"),
        "{err:?}"
    );
    assert!(!err.is_transient());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_endpoint_says_so() {
    // Bind and drop a listener to get a port that refuses connections.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (client, _) = aws::connect(&ClientOptions::for_emulator(&format!(
        "http://127.0.0.1:{port}"
    )))
    .await;
    let err = Api::new(client, false)
        .registry_display_name()
        .await
        .unwrap_err();
    assert_eq!(err.code, "DispatchFailure", "{err:?}");
    assert!(
        err.message.starts_with("could not reach the endpoint"),
        "{err:?}"
    );
    assert!(err.is_transient());
}

#[tokio::test(flavor = "multi_thread")]
async fn absent_policy_and_catalog_are_facts_not_errors() {
    let emu = emulator_with(&[]).await;
    let api = api(&emu, false).await;
    api.create_repository("plain", None, &[]).await.unwrap();
    assert_eq!(api.repository_policy("plain").await.unwrap(), None);
    let catalog = api.repository_catalog("plain").await.unwrap();
    assert_eq!(catalog.description, None);
    assert!(catalog.architectures.is_empty());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_refuses_every_mutation_before_a_request_is_sent() {
    let emu = emulator_with(&[("big", 10)]).await;
    let api = api(&emu, true).await;
    let arn = "arn:aws:ecr-public::123456789012:repository/big";
    let tag = aws::Tag {
        key: "team".into(),
        value: "web".into(),
    };
    let results: Vec<Result<(), AwsError>> = vec![
        api.put_registry_display_name("x").await.map(drop),
        api.put_repository_catalog("big", &Default::default())
            .await
            .map(drop),
        api.create_repository("new", None, &[]).await.map(drop),
        api.delete_repository("big", true).await.map(drop),
        api.set_repository_policy("big", "{}", false)
            .await
            .map(drop),
        api.delete_repository_policy("big").await.map(drop),
        api.tag_resource(arn, std::slice::from_ref(&tag)).await,
        api.untag_resource(arn, &["team".into()]).await,
    ];
    for r in results {
        assert_eq!(r.unwrap_err().code, "ReadOnly");
    }
    let outcome = api.batch_delete("big", &[ImageRef::Tag("t0".into())]).await;
    assert!(outcome.deleted.is_empty());
    assert_eq!(outcome.failures[0].1, "ReadOnly");
    // Reads still work; nothing mutating reached the server.
    assert_eq!(
        collect_all(api.images("big", None)).await.unwrap().len(),
        10
    );
    let counts = emu.op_counts();
    for op in [
        "PutRegistryCatalogData",
        "PutRepositoryCatalogData",
        "CreateRepository",
        "DeleteRepository",
        "SetRepositoryPolicy",
        "DeleteRepositoryPolicy",
        "TagResource",
        "UntagResource",
        "BatchDeleteImage",
    ] {
        assert_eq!(counts.get(op), None, "{op} reached the emulator");
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bulk_delete_accounts_for_every_id_once() {
    let emu = emulator_with(&[("big", 250)]).await;
    let api = api(&emu, false).await;
    let mut ids: Vec<ImageRef> = collect_all(api.images("big", None))
        .await
        .unwrap()
        .into_iter()
        .map(|r| ImageRef::Digest(r.image_digest.to_string()))
        .collect();
    for i in 0..5 {
        ids.push(ImageRef::Digest(format!("sha256:{:064x}", i)));
    }
    let mut report = aws::DeleteReport::default();
    let mut chunks = 0;
    let mut stream = Box::pin(api.delete_images("big", ids, 4));
    while let Some(outcome) = stream.next().await {
        chunks += 1;
        report.add(&outcome);
    }
    assert_eq!(chunks, 3, "255 ids go in chunks of 100");
    assert_eq!(report.requested, 255);
    assert_eq!(report.deleted, 250);
    assert_eq!(report.failures.len(), 5);
    assert!(
        report.failures.iter().all(|f| f.1 == "ImageNotFound"),
        "{report:?}"
    );
    assert!(
        collect_all(api.images("big", None))
            .await
            .unwrap()
            .is_empty()
    );
    emu.shutdown().await;
}
