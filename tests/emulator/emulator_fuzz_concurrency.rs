//! A hundred concurrent SDK clients doing mixed CreateRepository, DeleteRepository, PutImage and
//! BatchDeleteImage on a few repositories, then the registry's invariants: a tag names one image
//! per repository, DescribeImages and DescribeImageTags agree exactly (no orphan tags), digests
//! are unique, no request failed with a 5xx, and the emulator counted exactly the requests sent.

use crate::support::common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::support::common::{Blobs, oci_manifest, start_empty, upload_blobs};
use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_ecrpublic::Client;
use aws_sdk_ecrpublic::error::ProvideErrorMetadata;
use aws_sdk_ecrpublic::types::ImageIdentifier;
use parking_lot::Mutex;

const CLIENTS: usize = 100;
const OPS_PER_CLIENT: usize = 12;
const REPOS: [&str; 3] = ["r0", "r1", "r2"];
const SCRATCH: [&str; 2] = ["scratch0", "scratch1"];

/// Never retries, so every call is exactly one request.
async fn client(url: &str) -> Client {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new("AKIDCONC", "secret", None, None, "test"))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    Client::new(&sdk)
}

fn rng(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut s = seed;
    move |n| {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

type Tally = Arc<Mutex<BTreeMap<String, u64>>>;

/// Records one call: its operation, and its error code if it failed (a 5xx fails the test).
fn record<T, E: ProvideErrorMetadata + std::fmt::Debug>(
    tally: &Tally,
    op: &str,
    r: Result<T, aws_sdk_ecrpublic::error::SdkError<E>>,
) {
    *tally.lock().entry(op.to_string()).or_insert(0) += 1;
    if let Err(e) = r {
        let status = e.raw_response().map(|r| r.status().as_u16());
        assert!(
            matches!(status, Some(400..=499)),
            "{op}: {status:?} {:?}",
            e.code()
        );
        *tally
            .lock()
            .entry(format!("{op}:{}", e.code().unwrap_or("?")))
            .or_insert(0) += 1;
    }
}

async fn worker(c: Client, blobs: Arc<HashMap<&'static str, Blobs>>, tally: Tally, id: u64) {
    let mut r = rng(id);
    for _ in 0..OPS_PER_CLIENT {
        let repo = REPOS[r(3) as usize];
        match r(10) {
            0..=4 => {
                // Few distinct manifests and tags, so pushes collide and tags move between images.
                let m = oci_manifest(&blobs[repo], &format!("n{}", r(8)));
                let tag = format!("t{}", r(6));
                let res = c
                    .put_image()
                    .repository_name(repo)
                    .image_manifest(m)
                    .image_tag(tag)
                    .send()
                    .await;
                record(&tally, "PutImage", res);
            }
            5..=6 => {
                let id = if r(2) == 0 {
                    ImageIdentifier::builder()
                        .image_tag(format!("t{}", r(6)))
                        .build()
                } else {
                    let m = oci_manifest(&blobs[repo], &format!("n{}", r(8)));
                    ImageIdentifier::builder()
                        .image_digest(common::sha256_digest(m.as_bytes()))
                        .build()
                };
                let res = c
                    .batch_delete_image()
                    .repository_name(repo)
                    .image_ids(id)
                    .send()
                    .await;
                record(&tally, "BatchDeleteImage", res);
            }
            7..=8 => {
                let name = SCRATCH[r(2) as usize];
                let res = c.create_repository().repository_name(name).send().await;
                record(&tally, "CreateRepository", res);
            }
            _ => {
                let name = SCRATCH[r(2) as usize];
                let res = c
                    .delete_repository()
                    .repository_name(name)
                    .force(true)
                    .send()
                    .await;
                record(&tally, "DeleteRepository", res);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_clients_leave_the_state_consistent() {
    let (emu, setup) = start_empty().await;
    let mut blobs = HashMap::new();
    for repo in REPOS {
        common::create_repo(&setup, repo).await;
        blobs.insert(repo, upload_blobs(&setup, repo, repo, 1).await);
    }
    let before = emu.op_counts();
    let blobs = Arc::new(blobs);
    let tally: Tally = Arc::default();
    let mut tasks = Vec::new();
    for id in 0..CLIENTS as u64 {
        let c = client(&emu.url()).await;
        tasks.push(tokio::spawn(worker(c, blobs.clone(), tally.clone(), id)));
    }
    for t in tasks {
        t.await.expect("a worker panicked");
    }

    // Exactly the requests sent, per operation.
    let after = emu.op_counts();
    let tally = tally.lock().clone();
    let mut sent = 0;
    for (op, n) in tally.iter().filter(|(k, _)| !k.contains(':')) {
        assert_eq!(after[op] - before.get(op).copied().unwrap_or(0), *n, "{op}");
        sent += n;
    }
    assert_eq!(sent as usize, CLIENTS * OPS_PER_CLIENT);
    eprintln!("outcomes: {tally:?}");

    let mut tags_seen = 0;
    for repo in REPOS {
        let images = common::ok(
            setup
                .describe_images()
                .repository_name(repo)
                .max_results(1000)
                .send()
                .await,
        );
        let mut by_tag: HashMap<String, String> = HashMap::new();
        let mut digests = HashSet::new();
        for d in images.image_details() {
            let digest = d.image_digest().unwrap().to_string();
            assert!(
                digests.insert(digest.clone()),
                "{repo}: {digest} listed twice"
            );
            for t in d.image_tags() {
                let prev = by_tag.insert(t.clone(), digest.clone());
                assert!(prev.is_none(), "{repo}: tag {t} on two images");
            }
        }
        let tags = common::ok(
            setup
                .describe_image_tags()
                .repository_name(repo)
                .max_results(1000)
                .send()
                .await,
        );
        let listed: HashMap<String, String> = tags
            .image_tag_details()
            .iter()
            .map(|t| {
                let digest = t
                    .image_detail()
                    .unwrap()
                    .image_digest()
                    .unwrap()
                    .to_string();
                (t.image_tag().unwrap().to_string(), digest)
            })
            .collect();
        assert_eq!(
            listed.len(),
            tags.image_tag_details().len(),
            "{repo}: duplicate tags"
        );
        assert_eq!(
            listed, by_tag,
            "{repo}: DescribeImageTags disagrees with DescribeImages"
        );
        assert!(
            listed.values().all(|d| digests.contains(d)),
            "{repo}: orphan tag"
        );
        tags_seen += listed.len();
    }
    assert!(tags_seen > 0, "the run must leave tagged images to check");
    emu.shutdown().await;
}
