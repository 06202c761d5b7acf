//! `ecrp push` as a user runs it: the real binary publishes OCI image layouts built here (what
//! buildx, skopeo, crane or oras write) to an in-process emulator; the SDK then checks what the
//! repository holds, and the emulator's per-operation counts show which requests were sent.

use crate::support::binary;

use std::collections::BTreeMap;

use crate::support::common::*;
use crate::support::oci::{Oci, noise};
use aws_sdk_ecrpublic::Client;
use ecrp::emulator::Emulator;
use serde_json::Value;

const MIB: usize = 1 << 20;

struct Run {
    stdout: String,
    stderr: String,
    ok: bool,
}

/// The real binary, credentials from the environment as a user would have them.
async fn ecrp(url: &str, args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new(binary::BIN);
    binary::hermetic(&mut cmd)
        .args(args)
        .args(["--endpoint-url", url])
        .env("AWS_ACCESS_KEY_ID", "AKIDPUSHTEST00000000")
        .env("AWS_SECRET_ACCESS_KEY", "push-test-secret");
    let out = tokio::process::Command::from(cmd)
        .output()
        .await
        .expect("ecrp runs");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        ok: out.status.success(),
    }
}

fn count(emu: &Emulator, op: &str) -> u64 {
    emu.op_counts().get(op).copied().unwrap_or(0)
}

/// Digest → (tags, size, manifest media type, artifact media type) of every image in `repo`.
async fn images(c: &Client, repo: &str) -> BTreeMap<String, (Vec<String>, i64, String, String)> {
    let out = ok(c.describe_images().repository_name(repo).send().await);
    out.image_details
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            (
                i.image_digest.unwrap_or_default(),
                (
                    i.image_tags.unwrap_or_default(),
                    i.image_size_in_bytes.unwrap_or(0),
                    i.image_manifest_media_type.unwrap_or_default(),
                    i.artifact_media_type.unwrap_or_default(),
                ),
            )
        })
        .collect()
}

fn digest_of(d: &Value) -> String {
    d["digest"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn push_uploads_in_parts_then_a_repush_uploads_nothing() {
    let (emu, c) = start_empty().await;
    let uri = create_repo(&c, "team/app").await.repository_uri.unwrap();
    let oci = Oci::new();
    // 6 MiB + 1,234 bytes with 5 MiB parts: two parts, the second short; then two small layers.
    let layers = vec![noise(1, 6 * MIB + 1234), noise(2, 300_000), noise(3, 1)];
    let m = oci.image("amd64", &layers);
    oci.write_index(&[(m.clone(), Some("v1"))]);
    let dir = oci.path().to_str().unwrap();

    let r = ecrp(
        &emu.url(),
        &["push", dir, "team/app:v1", "--chunk-size", "5MiB"],
    )
    .await;
    assert!(r.ok, "{}", r.stderr);
    let digest = digest_of(&m);
    assert_eq!(r.stdout, format!("pushed {digest} {uri}:v1\n"));
    assert!(r.stderr.contains("uploaded (2 parts)"), "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("uploaded (1 part)").count(),
        3,
        "{}",
        r.stderr
    );
    // Config and three layers: one upload each, the big layer in two parts.
    assert_eq!(count(&emu, "BatchCheckLayerAvailability"), 1);
    assert_eq!(count(&emu, "InitiateLayerUpload"), 4);
    assert_eq!(count(&emu, "UploadLayerPart"), 5);
    assert_eq!(count(&emu, "CompleteLayerUpload"), 4);
    assert_eq!(count(&emu, "PutImage"), 1);

    let imgs = images(&c, "team/app").await;
    let (tags, size, media, artifact) = &imgs[&digest];
    assert_eq!(tags, &["v1"]);
    let layer_bytes: usize = layers.iter().map(Vec::len).sum();
    assert_eq!(*size, layer_bytes as i64, "size is the layers' sum");
    assert_eq!(media, OCI_MANIFEST);
    assert_eq!(artifact, OCI_CONFIG);

    // Again: every blob is reported present, nothing is uploaded, the tag stays where it was.
    let again = ecrp(&emu.url(), &["push", dir, "team/app:v1"]).await;
    assert!(again.ok, "{}", again.stderr);
    assert_eq!(
        again.stderr.matches("exists, skipped").count(),
        4,
        "{}",
        again.stderr
    );
    assert!(!again.stderr.contains("uploaded ("), "{}", again.stderr);
    assert!(again.stderr.contains("already there"), "{}", again.stderr);
    assert_eq!(again.stdout, format!("pushed {digest} {uri}:v1\n"));
    assert_eq!(count(&emu, "InitiateLayerUpload"), 4);
    assert_eq!(count(&emu, "UploadLayerPart"), 5);
    let imgs = images(&c, "team/app").await;
    assert_eq!(imgs.len(), 1);
    assert_eq!(imgs[&digest].0, ["v1"]);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_multi_arch_index_follows_its_children_and_shared_layers_go_once() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "multi").await;
    let oci = Oci::new();
    let (amd, arm, index) = oci.two_platforms(10, "1.0");

    let r = ecrp(
        &emu.url(),
        &["push", oci.path().to_str().unwrap(), "multi:1.0"],
    )
    .await;
    assert!(r.ok, "{}", r.stderr);
    assert!(r.stderr.contains("manifest linux/amd64"), "{}", r.stderr);
    assert!(r.stderr.contains("manifest linux/arm64"), "{}", r.stderr);
    // Two configs, the shared base layer once, two own layers.
    assert_eq!(count(&emu, "CompleteLayerUpload"), 5);
    assert_eq!(count(&emu, "PutImage"), 3);
    let imgs = images(&c, "multi").await;
    assert_eq!(imgs.len(), 3);
    let (tags, _, media, _) = &imgs[&digest_of(&index)];
    assert_eq!(tags, &["1.0"]);
    assert_eq!(media, OCI_INDEX);
    for child in [&amd, &arm] {
        let (tags, _, media, _) = &imgs[&digest_of(child)];
        assert!(tags.is_empty(), "children are pushed by digest, untagged");
        assert_eq!(media, OCI_MANIFEST);
    }
    assert!(
        r.stdout
            .starts_with(&format!("pushed {} ", digest_of(&index)))
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_are_chosen_from_the_layout_and_a_missing_one_lists_the_others() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "pick").await;
    let oci = Oci::new();
    let latest = oci.image("amd64", &[noise(20, 1_000)]);
    let v2 = oci.image("amd64", &[noise(21, 1_000)]);
    oci.write_index(&[(latest.clone(), Some("latest")), (v2.clone(), Some("v2"))]);
    let dir = oci.path().to_str().unwrap();
    let before = emu.op_counts();

    let r = ecrp(&emu.url(), &["push", dir, "pick:v1"]).await;
    assert!(!r.ok);
    let expected = format!(
        "{}: no manifest tagged 'v1' (tags: latest, v2)",
        oci.path().join("index.json").display()
    );
    assert!(r.stderr.contains(&expected), "{}", r.stderr);
    // Without a tag, two manifests are ambiguous.
    let r = ecrp(&emu.url(), &["push", dir, "pick"]).await;
    assert!(!r.ok);
    assert!(r.stderr.contains("--all-tags"), "{}", r.stderr);
    assert_eq!(emu.op_counts(), before, "nothing sent");

    let r = ecrp(&emu.url(), &["push", dir, "pick", "--all-tags"]).await;
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);
    let imgs = images(&c, "pick").await;
    assert_eq!(imgs[&digest_of(&latest)].0, ["latest"]);
    assert_eq!(imgs[&digest_of(&v2)].0, ["v2"]);
    // A repository that does not exist is named with the service's error code.
    let r = ecrp(&emu.url(), &["push", dir, "nope:v2"]).await;
    assert!(!r.ok);
    assert!(
        r.stderr.contains("RepositoryNotFoundException"),
        "{}",
        r.stderr
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_refuses_before_any_request_and_dry_run_changes_nothing() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "ro").await;
    let oci = Oci::new();
    oci.write_index(&[(oci.image("amd64", &[noise(30, 2_000)]), Some("v1"))]);
    let dir = oci.path().to_str().unwrap();
    let before = emu.op_counts();

    let r = ecrp(&emu.url(), &["--read-only", "push", dir, "ro:v1"]).await;
    assert!(!r.ok);
    assert!(r.stderr.contains("ReadOnly"), "{}", r.stderr);
    assert_eq!(emu.op_counts(), before, "no request at all");

    // A dry run only reads, so read-only mode allows it.
    let r = ecrp(
        &emu.url(),
        &["--read-only", "push", dir, "ro:v1", "--dry-run"],
    )
    .await;
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(r.stderr.matches("would upload").count(), 3, "{}", r.stderr);
    assert!(r.stdout.starts_with("would push sha256:"), "{}", r.stdout);
    for op in ["InitiateLayerUpload", "UploadLayerPart", "PutImage"] {
        assert_eq!(count(&emu, op), 0, "{op}");
    }
    assert!(images(&c, "ro").await.is_empty());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_or_missing_blob_fails_clearly_and_puts_nothing() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "bad").await;
    let oci = Oci::new();
    let layer = noise(40, 4_096);
    let m = oci.image("amd64", std::slice::from_ref(&layer));
    oci.write_index(&[(m, Some("v1"))]);
    let dir = oci.path().to_str().unwrap();
    // Same size, one byte flipped: only the hash can tell.
    let path = oci.blob_path(&sha256_digest(&layer));
    let mut corrupt = layer.clone();
    corrupt[100] ^= 0xff;
    std::fs::write(&path, &corrupt).unwrap();

    let r = ecrp(&emu.url(), &["push", dir, "bad:v1"]).await;
    assert!(!r.ok);
    let expected = format!(
        "{}: corrupt blob: its content hashes to {}, not {}",
        path.display(),
        sha256_digest(&corrupt),
        sha256_digest(&layer)
    );
    assert!(r.stderr.contains(&expected), "{}", r.stderr);
    assert_eq!(count(&emu, "PutImage"), 0);
    assert_eq!(count(&emu, "InitiateLayerUpload"), 0);

    std::fs::remove_file(&path).unwrap();
    let r = ecrp(&emu.url(), &["push", dir, "bad:v1"]).await;
    assert!(!r.ok);
    assert!(
        r.stderr
            .contains(&format!("missing blob {}", sha256_digest(&layer))),
        "{}",
        r.stderr
    );
    assert_eq!(count(&emu, "PutImage"), 0);
    assert!(images(&c, "bad").await.is_empty());
    emu.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// `--via registry`: the registry API (OCI distribution) of the same emulator
// ---------------------------------------------------------------------------------------------

/// `ecrp push --via registry` with public.ecr.aws mapped to the emulator's registry API.
async fn push_via_registry(emu: &Emulator, args: &[&str]) -> Run {
    let url = emu.url();
    let mut all = vec!["push", "--via", "registry", "--registry-url", url.as_str()];
    all.extend_from_slice(args);
    ecrp(&url, &all).await
}

/// The registry alias of the emulator's registry (the second part of every repository URI).
async fn alias(c: &Client) -> String {
    registry(c).await.aliases[0].name.clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn push_via_registry_matches_the_api_path_and_pulls_back() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "viaapi").await;
    let uri = create_repo(&c, "viareg").await.repository_uri.unwrap();
    let oci = Oci::new();
    // With 5 MiB chunks: the big layer in two PATCHes, the others each in one PUT.
    let layers = vec![noise(50, 6 * MIB + 1234), noise(51, 300_000), noise(52, 1)];
    let m = oci.image("amd64", &layers);
    oci.write_index(&[(m.clone(), Some("v1"))]);
    let dir = oci.path().to_str().unwrap();
    let digest = digest_of(&m);

    let api = ecrp(&emu.url(), &["push", dir, "viaapi:v1"]).await;
    assert!(api.ok, "{}", api.stderr);
    let before = emu.op_counts();
    let r = push_via_registry(&emu, &[dir, "viareg:v1", "--chunk-size", "5MiB"]).await;
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(r.stdout, format!("pushed {digest} {uri}:v1\n"));
    assert!(r.stderr.contains("uploaded (2 parts)"), "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("uploaded (1 part)").count(),
        3,
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("as v1"), "{}", r.stderr);
    // Through the registry API: no layer operation and no PutImage on the ECR Public API.
    for op in [
        "BatchCheckLayerAvailability",
        "InitiateLayerUpload",
        "UploadLayerPart",
        "CompleteLayerUpload",
        "PutImage",
    ] {
        assert_eq!(
            count(&emu, op),
            before.get(op).copied().unwrap_or(0),
            "{op}"
        );
    }

    // DescribeImages tells the two paths' images apart by nothing but the repository.
    let via_api = images(&c, "viaapi").await;
    let via_reg = images(&c, "viareg").await;
    assert_eq!(via_reg.len(), 1, "{via_reg:?}");
    assert_eq!(via_reg[&digest], via_api[&digest]);
    let layer_bytes: usize = layers.iter().map(Vec::len).sum();
    assert_eq!(via_reg[&digest].1, layer_bytes as i64);

    // Pullable: `ecrp inspect` gets the exact manifest bytes back, and the client the big layer.
    let alias = alias(&c).await;
    let reference = format!("public.ecr.aws/{alias}/viareg:v1");
    let url = emu.url();
    let raw = ecrp(
        &url,
        &[
            "inspect",
            &reference,
            "--raw",
            "manifest",
            "--registry-url",
            &url,
        ],
    )
    .await;
    assert!(raw.ok, "{}", raw.stderr);
    let stored = std::fs::read(oci.blob_path(&digest)).unwrap();
    assert_eq!(raw.stdout.as_bytes(), &stored[..]);
    let client = ecrp::registry::RegistryClient::new(
        url.parse().unwrap(),
        ecrp::registry::ClientOptions::default(),
    )
    .unwrap();
    let big = ecrp::registry::Digest::parse(&sha256_digest(&layers[0])).unwrap();
    let mut out = Vec::new();
    let n = client
        .download_blob(
            &format!("{alias}/viareg"),
            &big,
            Some(layers[0].len() as u64),
            &mut out,
        )
        .await
        .unwrap();
    assert_eq!(n as usize, layers[0].len());
    assert!(out == layers[0]);

    // Again: every blob is there, so nothing is uploaded; the output is the same.
    let again = push_via_registry(&emu, &[dir, "viareg:v1"]).await;
    assert!(again.ok, "{}", again.stderr);
    assert_eq!(
        again.stderr.matches("exists, skipped").count(),
        4,
        "{}",
        again.stderr
    );
    assert!(!again.stderr.contains("uploaded ("), "{}", again.stderr);
    assert!(
        again.stderr.contains("uploaded 0 of 4 blob(s)"),
        "{}",
        again.stderr
    );
    assert_eq!(again.stdout, r.stdout);
    assert_eq!(images(&c, "viareg").await, via_reg);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_multi_arch_index_via_registry_follows_its_children() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "multireg").await;
    let oci = Oci::new();
    let (amd, arm, index) = oci.two_platforms(60, "1.0");

    let r = push_via_registry(&emu, &[oci.path().to_str().unwrap(), "multireg:1.0"]).await;
    assert!(r.ok, "{}", r.stderr);
    // Children by digest before the index by tag.
    let amd_at = r.stderr.find("manifest linux/amd64").expect("amd64 put");
    let index_at = r.stderr.find("as 1.0").expect("index put");
    assert!(amd_at < index_at, "{}", r.stderr);
    // Two configs, the shared base layer once, two own layers.
    assert_eq!(
        r.stderr.matches("uploaded (1 part)").count(),
        5,
        "{}",
        r.stderr
    );
    let imgs = images(&c, "multireg").await;
    assert_eq!(imgs.len(), 3);
    assert_eq!(imgs[&digest_of(&index)].0, ["1.0"]);
    assert_eq!(imgs[&digest_of(&index)].2, OCI_INDEX);
    for child in [&amd, &arm] {
        assert!(imgs[&digest_of(child)].0.is_empty());
    }
    assert!(
        r.stdout
            .starts_with(&format!("pushed {} ", digest_of(&index)))
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_anonymous_registry_push_is_refused_clearly() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "anon").await;
    let name = format!("{}/anon", alias(&c).await);
    let client = ecrp::registry::RegistryClient::new(
        emu.url().parse().unwrap(),
        ecrp::registry::ClientOptions::default(),
    )
    .unwrap();
    let oci = Oci::new();
    let bytes = noise(70, 1_000);
    let d = oci.blob(OCI_LAYER, &bytes);
    let digest = ecrp::registry::Digest::parse(&digest_of(&d)).unwrap();
    // Reading is fine anonymously; writing is not, and the error says why.
    assert!(!client.blob_exists(&name, &digest, true).await.unwrap());
    let e = client
        .upload_blob(
            &name,
            &digest,
            bytes.len() as u64,
            &oci.blob_path(&digest_of(&d)),
            5 * MIB as u64,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("refused an anonymous push"), "{e}");
    assert!(e.contains("DENIED"), "{e}");
    assert!(e.contains("GetAuthorizationToken"), "{e}");
    let e = client
        .put_manifest(
            &name,
            &ecrp::registry::Target::Tag("v1".into()),
            OCI_MANIFEST,
            bytes::Bytes::from_static(b"{}"),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("refused an anonymous push"), "{e}");
    assert!(images(&c, "anon").await.is_empty());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_refuses_a_registry_push_before_any_request() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "roreg").await;
    let oci = Oci::new();
    let layer = noise(80, 2_000);
    let m = oci.image("amd64", std::slice::from_ref(&layer));
    oci.write_index(&[(m, Some("v1"))]);
    let dir = oci.path().to_str().unwrap();
    // The registry URL is a listener that records any connection at all.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let trap = format!("http://{}", listener.local_addr().unwrap());
    let before = emu.op_counts();

    let r = ecrp(
        &emu.url(),
        &[
            "--read-only",
            "push",
            "--via",
            "registry",
            "--registry-url",
            &trap,
            dir,
            "roreg:v1",
        ],
    )
    .await;
    assert!(!r.ok);
    assert!(r.stderr.contains("ReadOnly"), "{}", r.stderr);
    assert_eq!(emu.op_counts(), before, "no API request");
    assert!(listener.accept().is_err(), "no registry connection");

    // A dry run only reads (blob HEADs with a pull token), so read-only mode allows it.
    let r = push_via_registry(&emu, &["--read-only", dir, "roreg:v1", "--dry-run"]).await;
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(r.stderr.matches("would upload").count(), 3, "{}", r.stderr);
    assert!(r.stdout.starts_with("would push sha256:"), "{}", r.stdout);

    // The registry client's writes refuse read-only mode themselves, before connecting.
    let client = ecrp::registry::RegistryClient::new(
        trap.parse().unwrap(),
        ecrp::registry::ClientOptions::default(),
    )
    .unwrap()
    .with_read_only(true);
    let digest = ecrp::registry::Digest::parse(&sha256_digest(&layer)).unwrap();
    let e = client
        .upload_blob(
            "a/roreg",
            &digest,
            layer.len() as u64,
            &oci.blob_path(&sha256_digest(&layer)),
            5 * MIB as u64,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, ecrp::registry::RegistryError::ReadOnly { .. }),
        "{e}"
    );
    let e = client
        .put_manifest(
            "a/roreg",
            &ecrp::registry::Target::Tag("v1".into()),
            OCI_MANIFEST,
            bytes::Bytes::from_static(b"{}"),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("read-only"), "{e}");
    assert!(listener.accept().is_err(), "no registry connection");
    assert!(images(&c, "roreg").await.is_empty());
    emu.shutdown().await;
}
