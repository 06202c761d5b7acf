//! The client layer (`ecrp::aws::Api`, the real SDK over HTTP) against an emulator injecting the
//! issue's fault mix: 10% throttling, 5% server errors, 2% connections reset, plus 0–5 ms latency
//! (the 20–200 ms would only make the test slower). Fixed seeds; counts must be exact.

use std::collections::HashSet;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_credential_types::Credentials;
use ecrp::aws::{self, Api, CatalogInput, ClientOptions, DeleteReport, ImageRef};
use ecrp::emulator::{self, Emulator, EmulatorOptions, FaultSpec, Seed};
use futures::StreamExt;

const MIX: &str = "throttle=0.1,error=0.05,reset=0.02,latency=0-5ms";

async fn faulty(synthetic: &[(&str, usize)], seed: u64) -> Emulator {
    emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        synthetic: synthetic.iter().map(|(r, n)| (r.to_string(), *n)).collect(),
        faults: Some(FaultSpec::parse(MIX).unwrap()),
        fault_seed: Some(seed),
        ..Default::default()
    })
    .await
    .expect("emulator starts")
}

/// The app's own client: `aws::connect` with its retry and timeout configuration.
async fn app_api(emu: &Emulator) -> Api {
    let (client, _) = aws::connect(&ClientOptions::for_emulator(&emu.url())).await;
    Api::new(client, false)
}

/// A client that never retries, so every injected fault reaches the caller.
async fn no_retry_api(emu: &Emulator) -> Api {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(aws::DEFAULT_REGION))
        .endpoint_url(emu.url())
        .credentials_provider(Credentials::new(
            aws::DEMO_ACCESS_KEY,
            aws::DEMO_SECRET_KEY,
            None,
            None,
            "test",
        ))
        .retry_config(RetryConfig::disabled())
        .load()
        .await;
    Api::new(aws_sdk_ecrpublic::Client::new(&sdk), false)
}

struct Listing {
    digests: Vec<String>,
    pages: usize,
    /// Page errors the loop resumed from.
    resumes: usize,
    /// Their error codes.
    codes: HashSet<String>,
}

/// What the images pane does: load pages, keep the rows of every good page, and after an error
/// start a new stream from the last good page's next token (from the start only if no page
/// loaded yet). Gives up after 50 consecutive errors.
async fn list_resuming(api: &Api, repo: &str) -> Listing {
    let mut digests = Vec::new();
    let (mut pages, mut resumes, mut consecutive) = (0, 0, 0);
    let mut codes = HashSet::new();
    let mut resume_from: Option<String> = None;
    'load: loop {
        let mut stream = api.images(repo, resume_from.clone());
        while let Some(page) = stream.next().await {
            match page {
                Ok(p) => {
                    consecutive = 0;
                    pages += 1;
                    digests.extend(p.rows.iter().map(|r| r.image_digest.to_string()));
                    match p.next_token {
                        Some(t) => resume_from = Some(t),
                        None => break 'load,
                    }
                }
                Err(e) => {
                    resumes += 1;
                    codes.insert(e.code.clone());
                    consecutive += 1;
                    assert!(consecutive < 50, "50 errors in a row: {e}");
                    continue 'load;
                }
            }
        }
        panic!("the stream ended without a last page");
    }
    Listing {
        digests,
        pages,
        resumes,
        codes,
    }
}

fn assert_exact(l: &Listing, n: usize) {
    let distinct: HashSet<&String> = l.digests.iter().collect();
    assert_eq!(l.digests.len(), n, "rows");
    assert_eq!(distinct.len(), n, "distinct rows");
    assert_eq!(l.pages, n.div_ceil(aws::PAGE_SIZE as usize), "good pages");
}

async fn listing_with_the_app_client(n: usize) {
    let emu = faulty(&[("big", n)], 7).await;
    let api = app_api(&emu).await;
    let l = list_resuming(&api, "big").await;
    assert_exact(&l, n);
    let requests = emu.op_counts()["DescribeImages"] as usize;
    // Every page retried at most 4 times, whole-stream errors resumed: never a restart from zero.
    assert!(requests >= l.pages, "{requests} requests");
    assert!(
        requests <= l.pages * 5 * (l.resumes + 1),
        "{requests} requests"
    );
    eprintln!(
        "{n} images: {} pages, {requests} DescribeImages requests, {} resumes",
        l.pages, l.resumes
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_100000_images_under_faults_gives_exactly_100000_distinct_rows() {
    listing_with_the_app_client(100_000).await;
}

/// Without retries about one request in six fails, so the resume path runs many times; each
/// failure costs exactly one extra request, which proves the loop resumes instead of restarting.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_page_resumes_from_the_last_token_not_from_zero() {
    let n = 50_000;
    let emu = faulty(&[("big", n)], 11).await;
    let api = no_retry_api(&emu).await;
    let l = list_resuming(&api, "big").await;
    assert_exact(&l, n);
    assert!(
        l.resumes >= 1,
        "the seed must produce at least one page error"
    );
    // A reset reaches the SDK as a failed dispatch (connection closed), never as an empty 200.
    let expected: HashSet<String> = ["ThrottlingException", "ServerException", "DispatchFailure"]
        .map(String::from)
        .into();
    assert_eq!(l.codes, expected, "after {} errors", l.resumes);
    assert_eq!(
        emu.op_counts()["DescribeImages"] as usize,
        l.pages + l.resumes
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bulk_deleting_10000_images_accounts_for_each_once_and_agrees_with_the_registry() {
    let n = 10_000;
    let emu = faulty(&[("bulk", n)], 23).await;
    let api = app_api(&emu).await;
    let before = list_resuming(&api, "bulk").await;
    assert_exact(&before, n);
    let ids: Vec<ImageRef> = before
        .digests
        .iter()
        .map(|d| ImageRef::Digest(d.clone()))
        .collect();
    // A client that never retries makes some chunks fail as a whole, so the failed path is
    // exercised too; both clients delete half each.
    let weak = no_retry_api(&emu).await;
    let mut report = DeleteReport::default();
    for (api, half) in [(&api, &ids[..n / 2]), (&weak, &ids[n / 2..])] {
        let mut s = api.delete_images("bulk", half.to_vec(), 8);
        while let Some(o) = s.next().await {
            report.add(&o);
        }
    }
    assert_eq!(report.requested, n);
    assert_eq!(report.deleted + report.failures.len(), n);
    assert!(
        !report.failures.is_empty(),
        "the no-retry half must fail some chunks"
    );
    let failed: HashSet<String> = report
        .failures
        .iter()
        .map(|(r, code, _)| {
            assert!(!code.is_empty(), "a failure without a code");
            match r {
                ImageRef::Digest(d) => d.clone(),
                ImageRef::Tag(t) => panic!("failure by tag {t}"),
            }
        })
        .collect();
    assert_eq!(failed.len(), report.failures.len(), "each failure once");
    let after = list_resuming(&api, "bulk").await;
    let remaining: HashSet<String> = after.digests.into_iter().collect();
    assert_eq!(
        remaining, failed,
        "what remains is exactly what was reported failed"
    );
    eprintln!(
        "deleted {} failed {} (BatchDeleteImage requests: {})",
        report.deleted,
        report.failures.len(),
        emu.op_counts()["BatchDeleteImage"]
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalog_save_either_lands_or_fails_whole() {
    let emu = faulty(&[("cat", 1)], 5).await;
    let api = app_api(&emu).await;
    let weak = no_retry_api(&emu).await;
    let (mut landed, mut refused) = (0, 0);
    let mut current: Option<String> = None;
    for i in 0..60 {
        let input = CatalogInput {
            description: Some(format!("description {i}")),
            about_text: Some(format!("about {i}")),
            usage_text: Some(format!("usage {i}")),
            architectures: vec!["x86-64".into()],
            operating_systems: vec!["Linux".into()],
            logo_png: None,
        };
        // Alternate clients: the no-retry one surfaces failures, the app one mostly lands.
        let saver = if i % 2 == 0 { &api } else { &weak };
        match saver.put_repository_catalog("cat", &input).await {
            Ok(_) => {
                landed += 1;
                current = Some(i.to_string());
            }
            Err(_) => refused += 1,
        }
        // Read back with retries of our own (reads fail under faults too).
        let got = loop {
            if let Ok(c) = weak.repository_catalog("cat").await {
                break c;
            }
        };
        let expect = |p: &str| current.as_ref().map(|i| format!("{p} {i}"));
        assert_eq!(got.description, expect("description"), "save {i}");
        assert_eq!(got.about_text, expect("about"), "save {i}");
        assert_eq!(got.usage_text, expect("usage"), "save {i}");
    }
    assert_eq!(landed + refused, 60);
    assert!(
        landed > 0 && refused > 0,
        "landed {landed} refused {refused}"
    );
    emu.shutdown().await;
}

/// Each fault alone, through the SDK without retries: its exact error, and nothing applied (the
/// `--state` file, rewritten after every mutation, is unchanged).
#[tokio::test(flavor = "multi_thread")]
async fn each_fault_answers_as_specified_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (spec, code, status) in [
        ("throttle=1", "ThrottlingException", Some(400)),
        ("error=1", "ServerException", Some(500)),
        ("reset=1", "DispatchFailure", None),
    ] {
        let file = dir.path().join(format!("{code}.json"));
        let emu = emulator::start(EmulatorOptions {
            seed: Seed::Empty,
            state_file: Some(file.clone()),
            faults: Some(FaultSpec::parse(spec).unwrap()),
            fault_seed: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
        let saved = std::fs::read(&file).unwrap();
        let api = no_retry_api(&emu).await;
        let e = api.create_repository("never", None, &[]).await.unwrap_err();
        assert_eq!(e.code, code, "{spec}: {e}");
        let raw = api
            .client()
            .describe_repositories()
            .send()
            .await
            .unwrap_err();
        assert_eq!(raw.raw_response().map(|r| r.status().as_u16()), status);
        if code == "ThrottlingException" {
            assert_eq!(
                aws_sdk_ecrpublic::error::ProvideErrorMetadata::message(&raw),
                Some("Rate exceeded")
            );
        }
        assert_eq!(
            std::fs::read(&file).unwrap(),
            saved,
            "{spec}: state changed"
        );
        assert_eq!(emu.op_counts()["CreateRepository"], 1);
        emu.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn latency_delays_every_response_within_the_range() {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        faults: Some(FaultSpec::parse("latency=60-80ms").unwrap()),
        fault_seed: Some(3),
        ..Default::default()
    })
    .await
    .unwrap();
    let api = no_retry_api(&emu).await;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        api.repository_catalog("missing").await.unwrap_err();
        let ms = t.elapsed().as_millis();
        assert!((60..1000).contains(&ms), "{ms} ms");
    }
    emu.shutdown().await;
}

#[test]
fn bad_flag_values_are_refused_with_a_reason() {
    for (args, needle) in [
        (
            &["--faults", "throttle=2"][..],
            "throttle must be between 0 and 1",
        ),
        (&["--faults", "jitter=1"], "unknown fault \"jitter\""),
        (&["--fault-seed", "1"], "--faults <SPEC>"),
        (
            &["--verify-sigv4", "AKIDONLY"],
            "expected ACCESS_KEY:SECRET",
        ),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecrp"))
            .arg("emulator")
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

/// The SDK is built without its legacy HTTP stack, so it must still bring its default HTTPS
/// client: over https to a closed port the request fails to connect (a dispatch failure from
/// I/O), not for want of an HTTP client (which the SDK reports before dispatching).
#[tokio::test(flavor = "multi_thread")]
async fn an_https_endpoint_is_served_by_the_default_client() {
    let url = "https://127.0.0.1:1";
    let (client, info) = aws::connect(&ClientOptions::for_emulator(url)).await;
    assert_eq!(info.endpoint.as_deref(), Some(url));
    let err = client
        .describe_registries()
        .send()
        .await
        .expect_err("nothing listens on port 1");
    match &err {
        aws_sdk_ecrpublic::error::SdkError::DispatchFailure(f) => {
            assert!(f.is_io(), "not a connect error: {err:?}")
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
}
