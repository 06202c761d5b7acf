//! Shared helpers for the black-box SDK tests (tests/sdk_*.rs).
//!
//! Every test starts its own emulator on 127.0.0.1:0 (empty seed unless it says otherwise) and
//! talks to it through the real `aws_sdk_ecrpublic::Client`, so tests are independent and can run
//! in parallel. What a test expects comes from the ECR Public API reference and the service model,
//! never from the emulator's code.
#![allow(dead_code)]

use std::fmt::Debug;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_ecrpublic::Client;
use aws_sdk_ecrpublic::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ecrpublic::primitives::Blob;
use aws_sdk_ecrpublic::types::{ImageIdentifier, Tag};
use aws_smithy_types::error::display::DisplayErrorContext;
use ecrp::emulator::{self, Emulator, EmulatorOptions, Seed};
use sha2::{Digest, Sha256};

/// The smallest size of a layer part other than the last (LayerPartTooSmallException).
pub const MIN_PART: usize = 5 * 1024 * 1024;

pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// An emulator with the given options plus an SDK client pointed at it.
pub async fn start_with(opts: EmulatorOptions) -> (Emulator, Client) {
    let emu = emulator::start(opts).await.expect("emulator starts");
    let (client, _info) =
        ecrp::aws::connect(&ecrp::aws::ClientOptions::for_emulator(&emu.url())).await;
    (emu, client)
}

/// An emulator with the empty seed (one registry, nothing else).
pub async fn start_empty() -> (Emulator, Client) {
    start_with(EmulatorOptions {
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
}

/// An empty emulator with one synthetic repository of `count` images.
pub async fn start_synthetic(repo: &str, count: usize) -> (Emulator, Client) {
    start_with(EmulatorOptions {
        seed: Seed::Empty,
        synthetic: vec![(repo.to_string(), count)],
        ..Default::default()
    })
    .await
}

/// The service error code of a call that must fail; panics on success or a non-service error.
pub fn err_code<T: Debug, E, R>(r: Result<T, SdkError<E, R>>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: Debug + Send + Sync + 'static,
{
    match r {
        Ok(v) => panic!("expected an error, the call succeeded: {v:?}"),
        Err(SdkError::ServiceError(se)) => {
            let code = se.err().code().unwrap_or("<no code>").to_string();
            assert!(
                se.err().message().is_some_and(|m| !m.is_empty()),
                "error {code} carries no message"
            );
            code
        }
        Err(e) => panic!("expected a service error, got: {}", DisplayErrorContext(&e)),
    }
}

/// Unwrap a call that must succeed, printing the full error chain otherwise.
pub fn ok<T, E, R>(r: Result<T, SdkError<E, R>>) -> T
where
    E: std::error::Error + Send + Sync + 'static,
    R: Debug + Send + Sync + 'static,
{
    match r {
        Ok(v) => v,
        Err(e) => panic!("call failed: {}", DisplayErrorContext(&e)),
    }
}

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

pub fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build()
}

pub fn by_tag(t: &str) -> ImageIdentifier {
    ImageIdentifier::builder().image_tag(t).build()
}

pub fn by_digest(d: &str) -> ImageIdentifier {
    ImageIdentifier::builder().image_digest(d).build()
}

pub async fn create_repo(c: &Client, name: &str) -> aws_sdk_ecrpublic::types::Repository {
    let out = ok(c.create_repository().repository_name(name).send().await);
    out.repository
        .expect("CreateRepository returns the repository")
}

/// The registry of the caller (DescribeRegistries' single entry).
pub async fn registry(c: &Client) -> aws_sdk_ecrpublic::types::Registry {
    let out = ok(c.describe_registries().send().await);
    out.registries.into_iter().next().expect("one registry")
}

/// Upload `data` as one layer in parts of at most `part` bytes; returns its digest.
pub async fn upload_layer_in_parts(c: &Client, repo: &str, data: &[u8], part: usize) -> String {
    let init = ok(c.initiate_layer_upload().repository_name(repo).send().await);
    let upload_id = init.upload_id.expect("uploadId");
    let mut first = 0usize;
    for chunk in data.chunks(part.max(1)) {
        let last = first + chunk.len() - 1;
        let out = ok(c
            .upload_layer_part()
            .repository_name(repo)
            .upload_id(&upload_id)
            .part_first_byte(first as i64)
            .part_last_byte(last as i64)
            .layer_part_blob(Blob::new(chunk.to_vec()))
            .send()
            .await);
        assert_eq!(out.last_byte_received, Some(last as i64));
        first = last + 1;
    }
    let digest = sha256_digest(data);
    let out = ok(c
        .complete_layer_upload()
        .repository_name(repo)
        .upload_id(&upload_id)
        .layer_digests(&digest)
        .send()
        .await);
    assert_eq!(out.layer_digest.as_deref(), Some(digest.as_str()));
    digest
}

pub async fn upload_layer(c: &Client, repo: &str, data: &[u8]) -> String {
    upload_layer_in_parts(c, repo, data, data.len()).await
}

/// A pushed image's building blocks: the config blob and layers already uploaded to a repo.
#[derive(Clone, Debug)]
pub struct Blobs {
    pub config: (String, i64),
    pub layers: Vec<(String, i64)>,
}

impl Blobs {
    pub fn layer_size_sum(&self) -> i64 {
        self.layers.iter().map(|l| l.1).sum()
    }
}

/// Upload a config blob and `n` layers of distinct sizes whose content is derived from `seed`.
pub async fn upload_blobs(c: &Client, repo: &str, seed: &str, n: usize) -> Blobs {
    let config = format!("{{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"{seed}\"}}");
    let cd = upload_layer(c, repo, config.as_bytes()).await;
    let mut layers = Vec::new();
    for i in 0..n {
        let data: Vec<u8> = format!("{seed}-layer-{i}-")
            .bytes()
            .cycle()
            .take(300 + 97 * i)
            .collect();
        let d = upload_layer(c, repo, &data).await;
        layers.push((d, data.len() as i64));
    }
    Blobs {
        config: (cd, config.len() as i64),
        layers,
    }
}

/// A Docker image manifest v2 schema 2 over `b`; `note` goes into an extra field so that
/// manifests over the same blobs can differ.
pub fn docker_manifest(b: &Blobs, note: &str) -> String {
    manifest_json(b, note, DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER, true)
}

/// An OCI image manifest over `b`, with `note` as an annotation.
pub fn oci_manifest(b: &Blobs, note: &str) -> String {
    manifest_json(b, note, OCI_MANIFEST, OCI_CONFIG, OCI_LAYER, true)
}

pub fn manifest_json(
    b: &Blobs,
    note: &str,
    media: &str,
    config_media: &str,
    layer_media: &str,
    with_media_type: bool,
) -> String {
    let layers: Vec<serde_json::Value> = b
        .layers
        .iter()
        .map(|(d, s)| serde_json::json!({"mediaType": layer_media, "size": s, "digest": d}))
        .collect();
    let mut m = serde_json::json!({
        "schemaVersion": 2,
        "config": {"mediaType": config_media, "size": b.config.1, "digest": b.config.0},
        "layers": layers,
        "annotations": {"org.example.note": note},
    });
    if with_media_type {
        m["mediaType"] = serde_json::Value::String(media.to_string());
    }
    serde_json::to_string(&m).expect("json")
}

/// An index (OCI) or manifest list (Docker) over already pushed child manifests.
pub fn index_json(media: &str, child_media: &str, children: &[(String, i64, &str)]) -> String {
    let manifests: Vec<serde_json::Value> = children
        .iter()
        .map(|(d, s, arch)| {
            serde_json::json!({
                "mediaType": child_media, "size": s, "digest": d,
                "platform": {"architecture": arch, "os": "linux"}
            })
        })
        .collect();
    serde_json::to_string(&serde_json::json!({
        "schemaVersion": 2, "mediaType": media, "manifests": manifests
    }))
    .expect("json")
}

/// PutImage with an optional tag; returns the digest the service reports (checked against ours).
pub async fn put_manifest(c: &Client, repo: &str, manifest: &str, tag: Option<&str>) -> String {
    let out = ok(c
        .put_image()
        .repository_name(repo)
        .image_manifest(manifest)
        .set_image_tag(tag.map(str::to_string))
        .send()
        .await);
    let image = out.image.expect("PutImage returns the image");
    let digest = image
        .image_id
        .and_then(|i| i.image_digest)
        .expect("image digest");
    assert_eq!(digest, sha256_digest(manifest.as_bytes()));
    digest
}

/// Push `count` distinct tagged OCI images (tags `{prefix}{i}`) over the same blobs.
pub async fn push_many(c: &Client, repo: &str, prefix: &str, count: usize) -> Vec<String> {
    let blobs = upload_blobs(c, repo, prefix, 1).await;
    let mut digests = Vec::with_capacity(count);
    for i in 0..count {
        let m = oci_manifest(&blobs, &format!("{prefix}{i}"));
        digests.push(put_manifest(c, repo, &m, Some(&format!("{prefix}{i}"))).await);
    }
    digests
}

/// GET a URL on loopback with a bare HTTP/1.1 request; returns (status, body).
pub async fn http_get(url: &str) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut s = tokio::net::TcpStream::connect(host)
        .await
        .expect("connect to the URL's host");
    let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.expect("write request");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.expect("read response");
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let mut body = buf[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").expect("chunk size");
        let size_str = String::from_utf8_lossy(&b[..eol]);
        let size = usize::from_str_radix(size_str.split(';').next().unwrap().trim(), 16)
            .expect("hex size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}
