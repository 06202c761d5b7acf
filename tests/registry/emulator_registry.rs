//! The emulator's registry API (OCI distribution spec) over raw HTTP/1.1, beside the ECR Public
//! API through the real SDK: the token flow, each endpoint, both planes agreeing on one store,
//! errors, hostile requests, paging, redirects and rate limits; then skopeo, an independent
//! client, copying images out and in. Expectations come from the distribution spec and
//! public.ecr.aws's observed behaviour, not from the emulator's code.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::support::common::*;
use aws_sdk_ecrpublic::Client;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ecrp::emulator::{Emulator, EmulatorOptions, RateSpec, RegistryOptions, Seed};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ALL_MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

struct Resp {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("JSON body, got {:?}", String::from_utf8_lossy(&self.body)))
    }
    /// The code of a spec-form error body.
    fn code(&self) -> String {
        self.json()["errors"][0]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

/// One request over a fresh connection (Connection: close), the response read to its end.
async fn send(
    addr: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!("{method} {target} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {addr}\r\n"));
    }
    let mut has_length = false;
    for (k, v) in headers {
        has_length |= k.eq_ignore_ascii_case("content-length");
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !has_length {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    s.write_all(body).await.expect("write body");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.expect("read");
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status");
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = buf[split + 4..].to_vec();
    if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").expect("chunk size");
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).expect("hex");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 4 + size..];
    }
}

fn addr(emu: &Emulator) -> String {
    emu.addr().to_string()
}

/// An anonymous pull token.
async fn anonymous(addr: &str) -> String {
    let r = send(
        addr,
        "GET",
        "/token/?service=public.ecr.aws&scope=repository:acme/web:pull",
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    r.json()["token"].as_str().expect("token").to_string()
}

/// The `AWS:<password>` GetAuthorizationToken hands out, base64 as for Basic auth.
async fn basic_credentials(c: &Client) -> String {
    let out = ok(c.get_authorization_token().send().await);
    out.authorization_data
        .and_then(|a| a.authorization_token)
        .expect("token")
}

fn password(basic: &str) -> String {
    let decoded = String::from_utf8(STANDARD.decode(basic).unwrap()).unwrap();
    decoded
        .strip_prefix("AWS:")
        .expect("AWS: prefix")
        .to_string()
}

/// A token that may push, from Basic credentials.
async fn login(addr: &str, c: &Client) -> String {
    let basic = format!("Basic {}", basic_credentials(c).await);
    let r = send(
        addr,
        "GET",
        // Push is granted per repository: the tests push to app and mount into other.
        "/token/?service=public.ecr.aws&scope=repository:acme/app:pull,push\
         &scope=repository:acme/other:pull,push",
        &[("Authorization", &basic)],
        b"",
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["token"].as_str().unwrap().to_string()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn get(addr: &str, token: &str, path: &str) -> Resp {
    send(
        addr,
        "GET",
        path,
        &[
            ("Authorization", &bearer(token)),
            ("Accept", ALL_MANIFEST_TYPES),
        ],
        b"",
    )
    .await
}

/// Pushes one blob monolithically; returns its digest.
async fn push_blob(addr: &str, token: &str, name: &str, bytes: &[u8]) -> String {
    let digest = sha256_digest(bytes);
    let r = send(
        addr,
        "POST",
        &format!("/v2/{name}/blobs/uploads/?digest={digest}"),
        &[("Authorization", &bearer(token))],
        bytes,
    )
    .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("docker-content-digest"), Some(digest.as_str()));
    digest
}

/// `POST /v2/<name>/blobs/uploads/`: the new upload's Location.
async fn start_upload(a: &str, auth: &str, name: &str) -> String {
    let r = send(
        a,
        "POST",
        &format!("/v2/{name}/blobs/uploads/"),
        &[("Authorization", auth)],
        b"",
    )
    .await;
    assert_eq!(r.status, 202, "start an upload to {name}");
    r.header("location").unwrap().to_string()
}

async fn put_manifest_http(
    addr: &str,
    token: &str,
    name: &str,
    reference: &str,
    media: &str,
    body: &str,
) -> Resp {
    send(
        addr,
        "PUT",
        &format!("/v2/{name}/manifests/{reference}"),
        &[("Authorization", &bearer(token)), ("Content-Type", media)],
        body.as_bytes(),
    )
    .await
}

async fn start(opts: EmulatorOptions) -> (Emulator, Client, String) {
    let (emu, c) = start_with(opts).await;
    let a = addr(&emu);
    (emu, c, a)
}

fn empty_opts() -> EmulatorOptions {
    EmulatorOptions {
        seed: Seed::Empty,
        ..Default::default()
    }
}

#[tokio::test]
async fn token_flow_challenge_anonymous_login_forged_and_expired() {
    let (emu, c, a) = start(empty_opts()).await;
    let r = send(&a, "GET", "/v2/", &[], b"").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.code(), "UNAUTHORIZED");
    assert_eq!(
        r.header("www-authenticate"),
        Some(
            format!("Bearer realm=\"http://{a}/token/\",service=\"public.ecr.aws\",scope=\"aws\"")
                .as_str()
        )
    );
    // The realm follows the Host the client used.
    let other = send(&a, "GET", "/v2/", &[("Host", "localhost:1234")], b"").await;
    assert!(
        other
            .header("www-authenticate")
            .unwrap()
            .contains("realm=\"http://localhost:1234/token/\"")
    );
    let bare = send(&a, "GET", "/token/", &[], b"").await;
    assert_eq!(bare.status, 200);
    let anon = anonymous(&a).await;
    assert_eq!(
        send(&a, "GET", "/v2/", &[("Authorization", &bearer(&anon))], b"")
            .await
            .status,
        200
    );
    let push = login(&a, &c).await;
    assert_eq!(
        send(&a, "GET", "/v2/", &[("Authorization", &bearer(&push))], b"")
            .await
            .status,
        200
    );
    // Wrong password, wrong user, garbage.
    let pw = password(&basic_credentials(&c).await);
    for creds in [
        format!("AWS:{pw}x"),
        format!("root:{pw}"),
        "nonsense".to_string(),
    ] {
        let h = format!("Basic {}", STANDARD.encode(creds));
        let r = send(&a, "GET", "/token/", &[("Authorization", &h)], b"").await;
        assert_eq!((r.status, r.code().as_str()), (401, "UNAUTHORIZED"));
    }
    // A forged token (another signature) and a password used as a token are refused.
    let (body, _) = push.split_once('.').unwrap();
    for t in [format!("{body}.{}", "00".repeat(32)), pw.clone()] {
        let r = send(&a, "GET", "/v2/", &[("Authorization", &bearer(&t))], b"").await;
        assert_eq!((r.status, r.code().as_str()), (401, "UNAUTHORIZED"));
        assert!(r.header("www-authenticate").is_some());
    }
    emu.shutdown().await;

    // Tokens and passwords that have expired (lifetime zero: expired when issued).
    let (emu, c, a) = start(EmulatorOptions {
        token_ttl_secs: Some(0),
        ..empty_opts()
    })
    .await;
    let anon = anonymous(&a).await;
    let r = send(&a, "GET", "/v2/", &[("Authorization", &bearer(&anon))], b"").await;
    assert_eq!(r.status, 401);
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    let h = format!("Basic {}", basic_credentials(&c).await);
    assert_eq!(
        send(&a, "GET", "/token/", &[("Authorization", &h)], b"")
            .await
            .status,
        401
    );
    emu.shutdown().await;
}

/// The sum of an image manifest's layer sizes, which is what DescribeImages reports.
fn layer_sum(manifest: &Value) -> i64 {
    manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["size"].as_i64().unwrap())
        .sum()
}

#[tokio::test]
async fn demo_images_pull_with_exact_bytes_and_sizes_agree_with_describe_images() {
    let (emu, c, a) = start(EmulatorOptions::default()).await;
    let t = anonymous(&a).await;
    for repo in ["web", "api", "base/alpine", "observability/agent"] {
        let images = ok(c.describe_images().repository_name(repo).send().await)
            .image_details
            .unwrap_or_default();
        assert!(!images.is_empty());
        for img in &images {
            let digest = img.image_digest.clone().unwrap();
            let r = get(&a, &t, &format!("/v2/acme/{repo}/manifests/{digest}")).await;
            assert_eq!(r.status, 200, "{repo}@{digest}");
            assert_eq!(
                sha256_digest(&r.body),
                digest,
                "the digest is the sha256 of the bytes served"
            );
            assert_eq!(r.header("docker-content-digest"), Some(digest.as_str()));
            assert_eq!(
                r.header("content-type"),
                img.image_manifest_media_type.as_deref()
            );
            assert_eq!(
                r.header("content-length"),
                Some(r.body.len().to_string().as_str())
            );
            let m = r.json();
            let size = img.image_size_in_bytes.unwrap();
            if let Some(children) = m["manifests"].as_array() {
                // An index is as large as its largest platform image.
                let mut largest = 0;
                for child in children {
                    let d = child["digest"].as_str().unwrap();
                    let cm = get(&a, &t, &format!("/v2/acme/{repo}/manifests/{d}")).await;
                    assert_eq!(cm.body.len() as i64, child["size"].as_i64().unwrap());
                    largest = largest.max(layer_sum(&cm.json()));
                    assert!(child["platform"]["os"].is_string());
                }
                assert_eq!(size, largest, "{repo}@{digest}");
            } else {
                assert_eq!(size, layer_sum(&m), "{repo}@{digest}");
            }
        }
    }
    // One image in full: config and layers served with their digests and declared sizes.
    let mut r = get(&a, &t, "/v2/acme/web/manifests/latest").await;
    if let Some(child) = r.json()["manifests"][0]["digest"].as_str() {
        r = get(&a, &t, &format!("/v2/acme/web/manifests/{child}")).await;
    }
    let m = r.json();
    let config_digest = m["config"]["digest"].as_str().unwrap();
    let config = get(&a, &t, &format!("/v2/acme/web/blobs/{config_digest}")).await;
    assert_eq!(config.status, 200);
    assert_eq!(sha256_digest(&config.body), config_digest);
    let cfg: Value = serde_json::from_slice(&config.body).unwrap();
    for key in [
        "Env",
        "Entrypoint",
        "Cmd",
        "WorkingDir",
        "User",
        "Labels",
        "StopSignal",
    ] {
        assert!(!cfg["config"][key].is_null(), "config.{key}");
    }
    let diff_ids = cfg["rootfs"]["diff_ids"].as_array().unwrap();
    assert_eq!(diff_ids.len(), m["layers"].as_array().unwrap().len());
    let history = cfg["history"].as_array().unwrap();
    assert!(history.iter().any(|h| h["empty_layer"] == true));
    assert_eq!(
        history.iter().filter(|h| h["empty_layer"] != true).count(),
        diff_ids.len()
    );
    for l in m["layers"].as_array().unwrap() {
        let d = l["digest"].as_str().unwrap();
        let blob = get(&a, &t, &format!("/v2/acme/web/blobs/{d}")).await;
        assert_eq!(sha256_digest(&blob.body), d);
        assert_eq!(blob.body.len() as i64, l["size"].as_i64().unwrap());
        assert_eq!(&blob.body[..2], &[0x1f, 0x8b], "gzip");
        let head = send(
            &a,
            "HEAD",
            &format!("/v2/acme/web/blobs/{d}"),
            &[("Authorization", &bearer(&t))],
            b"",
        )
        .await;
        assert_eq!(head.status, 200);
        assert!(head.body.is_empty());
        assert_eq!(
            head.header("content-length"),
            Some(blob.body.len().to_string().as_str())
        );
    }
    // HEAD of a manifest: the headers of GET, no body.
    let pinned = format!(
        "/v2/acme/web/manifests/{}",
        r.header("docker-content-digest").unwrap()
    );
    let head = send(&a, "HEAD", &pinned, &[("Authorization", &bearer(&t))], b"").await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("docker-content-digest"),
        r.header("docker-content-digest")
    );
    assert_eq!(
        head.header("content-length"),
        Some(r.body.len().to_string().as_str())
    );
    // Base layers are shared between repositories, as real images share them.
    let alpine = get(&a, &t, "/v2/acme/base/alpine/manifests/latest")
        .await
        .json();
    let first = |m: &Value| m["layers"][0]["digest"].as_str().map(str::to_string);
    let alpine_amd64 = alpine["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["platform"]["architecture"] == "amd64")
        .unwrap()["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let alpine_m = get(
        &a,
        &t,
        &format!("/v2/acme/base/alpine/manifests/{alpine_amd64}"),
    )
    .await
    .json();
    assert_eq!(first(&alpine_m), first(&m));
    emu.shutdown().await;
}

#[tokio::test]
async fn manifest_errors_accept_and_unknown_names() {
    let (emu, _c, a) = start(EmulatorOptions::default()).await;
    let t = anonymous(&a).await;
    let cases = [
        ("/v2/acme/nope/manifests/latest", 404, "NAME_UNKNOWN"),
        ("/v2/other/web/manifests/latest", 404, "NAME_UNKNOWN"),
        (
            "/v2/acme/web/manifests/no-such-tag",
            404,
            "MANIFEST_UNKNOWN",
        ),
        (
            &format!("/v2/acme/web/manifests/sha256:{}", "0".repeat(64)),
            404,
            "MANIFEST_UNKNOWN",
        ),
        ("/v2/acme/web/manifests/sha256:xyz", 400, "DIGEST_INVALID"),
        (
            &format!("/v2/acme/web/blobs/sha256:{}", "0".repeat(64)),
            404,
            "BLOB_UNKNOWN",
        ),
        ("/v2/acme/web/blobs/md5:abc", 400, "DIGEST_INVALID"),
    ];
    for (path, status, code) in cases {
        let r = get(&a, &t, path).await;
        assert_eq!((r.status, r.code().as_str()), (status, code), "{path}");
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    // web is Docker schema 2: a client that lists only OCI types gets MANIFEST_UNKNOWN by tag,
    // while the digest (pinned bytes) is served whatever the Accept header says.
    let oci_only = [
        ("Authorization", bearer(&t)),
        (
            "Accept",
            "application/vnd.oci.image.manifest.v1+json".to_string(),
        ),
    ];
    let h: Vec<(&str, &str)> = oci_only.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = send(&a, "GET", "/v2/acme/web/manifests/latest", &h, b"").await;
    assert_eq!((r.status, r.code().as_str()), (404, "MANIFEST_UNKNOWN"));
    let digest = get(&a, &t, "/v2/acme/web/manifests/latest")
        .await
        .header("docker-content-digest")
        .unwrap()
        .to_string();
    let r = send(
        &a,
        "GET",
        &format!("/v2/acme/web/manifests/{digest}"),
        &h,
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    // No Accept at all: served as stored.
    let r = send(
        &a,
        "GET",
        "/v2/acme/web/manifests/latest",
        &[("Authorization", &bearer(&t))],
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    // Deleting through the registry API is not ECR Public's way.
    let r = send(
        &a,
        "DELETE",
        &format!("/v2/acme/web/manifests/{digest}"),
        &[("Authorization", &bearer(&t))],
        b"",
    )
    .await;
    assert_eq!(r.status, 403, "an anonymous token may not change anything");
    emu.shutdown().await;
}

/// A config blob and an OCI manifest over `layers` (digest, size).
fn oci_image(config: (&str, usize), layers: &[(String, usize)], note: &str) -> String {
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": { "mediaType": OCI_CONFIG, "digest": config.0, "size": config.1 },
        "layers": layers.iter().map(|(d, s)| serde_json::json!({ "mediaType": OCI_LAYER, "digest": d, "size": s })).collect::<Vec<_>>(),
        "annotations": { "note": note },
    })
    .to_string()
}

#[tokio::test]
async fn chunked_and_monolithic_push_then_describe_images_agrees() {
    let (emu, c, a) = start(empty_opts()).await;
    create_repo(&c, "app").await;
    let t = login(&a, &c).await;
    let auth = bearer(&t);
    // Chunked: POST, PATCH twice (Content-Range checked), GET progress, PUT with the digest.
    let layer: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let r = send(
        &a,
        "POST",
        "/v2/acme/app/blobs/uploads/",
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(r.status, 202);
    let location = r.header("location").unwrap().to_string();
    assert!(location.starts_with("/v2/acme/app/blobs/uploads/"));
    assert!(r.header("docker-upload-uuid").is_some());
    let (one, two) = layer.split_at(40_000);
    let r = send(
        &a,
        "PATCH",
        &location,
        &[
            ("Authorization", &auth),
            ("Content-Range", "0-39999"),
            ("Content-Type", "application/octet-stream"),
        ],
        one,
    )
    .await;
    assert_eq!(r.status, 202);
    assert_eq!(r.header("range"), Some("0-39999"));
    let wrong = send(
        &a,
        "PATCH",
        &location,
        &[("Authorization", &auth), ("Content-Range", "5-10")],
        b"abcdef",
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.code().as_str()),
        (416, "RANGE_INVALID")
    );
    let r = send(
        &a,
        "PATCH",
        &location,
        &[("Authorization", &auth), ("Content-Range", "40000-69999")],
        two,
    )
    .await;
    assert_eq!(r.header("range"), Some("0-69999"));
    let progress = send(&a, "GET", &location, &[("Authorization", &auth)], b"").await;
    assert_eq!(
        (progress.status, progress.header("range")),
        (204, Some("0-69999"))
    );
    let layer_digest = sha256_digest(&layer);
    let r = send(
        &a,
        "PUT",
        &format!("{location}?digest={layer_digest}"),
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.header("location"),
        Some(format!("/v2/acme/app/blobs/{layer_digest}").as_str())
    );
    let head = send(
        &a,
        "HEAD",
        &format!("/v2/acme/app/blobs/{layer_digest}"),
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(
        (head.status, head.header("content-length")),
        (200, Some("70000"))
    );
    // Monolithic config, then the manifest.
    let config =
        br#"{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = push_blob(&a, &t, "acme/app", config).await;
    let manifest = oci_image(
        (&config_digest, config.len()),
        &[(layer_digest.clone(), layer.len())],
        "one",
    );
    let r = put_manifest_http(&a, &t, "acme/app", "v1", OCI_MANIFEST, &manifest).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let digest = sha256_digest(manifest.as_bytes());
    assert_eq!(r.header("docker-content-digest"), Some(digest.as_str()));
    // The control plane sees it: digest, size (the layers' sum), media types and tag.
    let images = ok(c.describe_images().repository_name("app").send().await)
        .image_details
        .unwrap();
    assert_eq!(images.len(), 1);
    let img = &images[0];
    assert_eq!(img.image_digest.as_deref(), Some(digest.as_str()));
    assert_eq!(img.image_size_in_bytes, Some(70_000));
    assert_eq!(img.image_manifest_media_type.as_deref(), Some(OCI_MANIFEST));
    assert_eq!(img.artifact_media_type.as_deref(), Some(OCI_CONFIG));
    assert_eq!(
        img.image_tags.clone().unwrap_or_default(),
        vec!["v1".to_string()]
    );
    // Pushing the same manifest again is a success; a new manifest tagged v1 takes the tag.
    assert_eq!(
        put_manifest_http(&a, &t, "acme/app", "v1", OCI_MANIFEST, &manifest)
            .await
            .status,
        201
    );
    let second = oci_image(
        (&config_digest, config.len()),
        &[(layer_digest.clone(), layer.len())],
        "two",
    );
    assert_eq!(
        put_manifest_http(&a, &t, "acme/app", "v1", OCI_MANIFEST, &second)
            .await
            .status,
        201
    );
    let tags = ok(c.describe_image_tags().repository_name("app").send().await)
        .image_tag_details
        .unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!(
        tags[0]
            .image_detail
            .as_ref()
            .and_then(|d| d.image_digest.as_deref()),
        Some(sha256_digest(second.as_bytes()).as_str())
    );
    // By digest, and an index over it: its size is its largest child's.
    let by_digest = put_manifest_http(&a, &t, "acme/app", &digest, OCI_MANIFEST, &manifest).await;
    assert_eq!(by_digest.status, 201);
    let index = index_json(
        OCI_INDEX,
        OCI_MANIFEST,
        &[(digest.clone(), manifest.len() as i64, "arm64")],
    );
    assert_eq!(
        put_manifest_http(&a, &t, "acme/app", "multi", OCI_INDEX, &index)
            .await
            .status,
        201
    );
    let d = ok(c
        .describe_images()
        .repository_name("app")
        .image_ids(by_tag("multi"))
        .send()
        .await)
    .image_details
    .unwrap();
    assert_eq!(d[0].image_size_in_bytes, Some(70_000));
    assert_eq!(d[0].image_manifest_media_type.as_deref(), Some(OCI_INDEX));
    let pulled = get(&a, &t, "/v2/acme/app/manifests/multi").await;
    assert_eq!(pulled.body, index.as_bytes());
    // Cross-repository mount: the blob becomes a layer of the other repository at once.
    create_repo(&c, "other").await;
    let r = send(
        &a,
        "POST",
        &format!("/v2/acme/other/blobs/uploads/?mount={layer_digest}&from=acme/app"),
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        get(&a, &t, &format!("/v2/acme/other/blobs/{layer_digest}"))
            .await
            .body,
        layer
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn push_refusals_and_uploads_that_fail_change_nothing() {
    let (emu, c, a) = start(empty_opts()).await;
    create_repo(&c, "app").await;
    let anon = anonymous(&a).await;
    // No token: the challenge, with a push scope; an anonymous token: DENIED.
    let r = send(&a, "POST", "/v2/acme/app/blobs/uploads/", &[], b"").await;
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .contains("scope=\"repository:acme/app:pull,push\"")
    );
    let r = send(
        &a,
        "POST",
        "/v2/acme/app/blobs/uploads/",
        &[("Authorization", &bearer(&anon))],
        b"",
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (403, "DENIED"));
    let r = put_manifest_http(&a, &anon, "acme/app", "v1", OCI_MANIFEST, "{}").await;
    assert_eq!((r.status, r.code().as_str()), (403, "DENIED"));
    let t = login(&a, &c).await;
    let auth = bearer(&t);
    // A wrong digest: DIGEST_INVALID, and the upload is gone.
    let location = start_upload(&a, &auth, "acme/app").await;
    let r = send(
        &a,
        "PUT",
        &format!("{location}?digest={}", sha256_digest(b"other")),
        &[("Authorization", &auth)],
        b"data",
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (400, "DIGEST_INVALID"));
    let r = send(&a, "GET", &location, &[("Authorization", &auth)], b"").await;
    assert_eq!((r.status, r.code().as_str()), (404, "BLOB_UPLOAD_UNKNOWN"));
    let r = send(
        &a,
        "HEAD",
        &format!("/v2/acme/app/blobs/{}", sha256_digest(b"data")),
        &[("Authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(r.status, 404);
    // Monolithic with a wrong digest, and a malformed one.
    let r = send(
        &a,
        "POST",
        &format!("/v2/acme/app/blobs/uploads/?digest={}", sha256_digest(b"x")),
        &[("Authorization", &auth)],
        b"y",
    )
    .await;
    assert_eq!(r.code(), "DIGEST_INVALID");
    let r = send(
        &a,
        "POST",
        "/v2/acme/app/blobs/uploads/?digest=sha256:zz",
        &[("Authorization", &auth)],
        b"y",
    )
    .await;
    assert_eq!(r.code(), "DIGEST_INVALID");
    // DELETE cancels; unknown ids are BLOB_UPLOAD_UNKNOWN.
    let location = start_upload(&a, &auth, "acme/app").await;
    assert_eq!(
        send(&a, "DELETE", &location, &[("Authorization", &auth)], b"")
            .await
            .status,
        204
    );
    assert_eq!(
        send(&a, "PATCH", &location, &[("Authorization", &auth)], b"x")
            .await
            .code(),
        "BLOB_UPLOAD_UNKNOWN"
    );
    // A blob claiming more than ECR's layer limit is refused before its bytes are read.
    let location = start_upload(&a, &auth, "acme/app").await;
    let r = send(
        &a,
        "PATCH",
        &location,
        &[("Authorization", &auth), ("Content-Length", "99999999999")],
        b"",
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (413, "SIZE_INVALID"));
    // Manifests: missing blobs, bad JSON, a type that contradicts the document, too large.
    let config = push_blob(&a, &t, "acme/app", b"{}").await;
    let missing = oci_image((&config, 2), &[(sha256_digest(b"never pushed"), 12)], "m");
    let r = put_manifest_http(&a, &t, "acme/app", "v1", OCI_MANIFEST, &missing).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "MANIFEST_BLOB_UNKNOWN")
    );
    let index = index_json(
        OCI_INDEX,
        OCI_MANIFEST,
        &[(sha256_digest(b"no child"), 10, "amd64")],
    );
    let r = put_manifest_http(&a, &t, "acme/app", "v1", OCI_INDEX, &index).await;
    assert_eq!(r.code(), "MANIFEST_BLOB_UNKNOWN");
    let r = put_manifest_http(&a, &t, "acme/app", "v1", OCI_MANIFEST, "{not json").await;
    assert_eq!((r.status, r.code().as_str()), (400, "MANIFEST_INVALID"));
    let good = oci_image((&config, 2), &[], "m");
    let r = put_manifest_http(&a, &t, "acme/app", "v1", DOCKER_MANIFEST, &good).await;
    assert_eq!(r.code(), "MANIFEST_INVALID");
    let r = put_manifest_http(
        &a,
        &t,
        "acme/app",
        &sha256_digest(b"x"),
        OCI_MANIFEST,
        &good,
    )
    .await;
    assert_eq!(r.code(), "DIGEST_INVALID");
    // Refused on its declared length, before a byte of it is read.
    let declared = (4 * 1024 * 1024 + 1).to_string();
    let h = [
        ("Authorization", auth.as_str()),
        ("Content-Type", OCI_MANIFEST),
        ("Content-Length", declared.as_str()),
    ];
    let r = send(&a, "PUT", "/v2/acme/app/manifests/v1", &h, b"").await;
    assert_eq!((r.status, r.code().as_str()), (413, "MANIFEST_INVALID"));
    let images = ok(c.describe_images().repository_name("app").send().await)
        .image_details
        .unwrap_or_default();
    assert!(images.is_empty(), "nothing refused was stored: {images:?}");
    emu.shutdown().await;

    // An upload left alone past the timeout (zero here) is abandoned.
    let (emu, c, a) = start(EmulatorOptions {
        registry: RegistryOptions {
            upload_timeout: Duration::ZERO,
            ..Default::default()
        },
        ..empty_opts()
    })
    .await;
    create_repo(&c, "app").await;
    let auth = bearer(&login(&a, &c).await);
    let location = start_upload(&a, &auth, "acme/app").await;
    let r = send(&a, "PATCH", &location, &[("Authorization", &auth)], b"late").await;
    assert_eq!((r.status, r.code().as_str()), (404, "BLOB_UPLOAD_UNKNOWN"));
    emu.shutdown().await;
}

#[tokio::test]
async fn api_pushed_images_are_pullable_and_batch_delete_makes_them_unknown() {
    let (emu, c, a) = start(empty_opts()).await;
    create_repo(&c, "app").await;
    let blobs = upload_blobs(&c, "app", "planes", 2).await;
    let manifest = docker_manifest(&blobs, "through the API");
    let digest = put_manifest(&c, "app", &manifest, Some("v1")).await;
    let t = anonymous(&a).await;
    let r = get(&a, &t, "/v2/acme/app/manifests/v1").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, manifest.as_bytes());
    assert_eq!(r.header("content-type"), Some(DOCKER_MANIFEST));
    for (d, size) in blobs.layers.iter().chain(std::iter::once(&blobs.config)) {
        let b = get(&a, &t, &format!("/v2/acme/app/blobs/{d}")).await;
        assert_eq!((b.status, b.body.len() as i64), (200, *size));
        assert_eq!(&sha256_digest(&b.body), d);
    }
    let tags = get(&a, &t, "/v2/acme/app/tags/list").await.json();
    assert_eq!(
        tags,
        serde_json::json!({ "name": "acme/app", "tags": ["v1"] })
    );
    ok(c.batch_delete_image()
        .repository_name("app")
        .image_ids(by_digest(&digest))
        .send()
        .await);
    let r = get(&a, &t, &format!("/v2/acme/app/manifests/{digest}")).await;
    assert_eq!((r.status, r.code().as_str()), (404, "MANIFEST_UNKNOWN"));
    assert_eq!(
        get(&a, &t, "/v2/acme/app/manifests/v1").await.code(),
        "MANIFEST_UNKNOWN"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn hostile_paths_are_refused_and_change_nothing() {
    let (emu, c, a) = start(empty_opts()).await;
    create_repo(&c, "app").await;
    let t = login(&a, &c).await;
    for path in [
        "/v2/acme/../acme/app/tags/list",
        "/v2/acme/app/%2e%2e/tags/list",
        "/v2/acme%2Fapp/tags/list",
        "/v2/acme//app/tags/list",
        "/v2/acme/App/tags/list",
        "/v2/acme/./app/blobs/uploads/",
    ] {
        for method in ["GET", "POST"] {
            let r = send(&a, method, path, &[("Authorization", &bearer(&t))], b"").await;
            assert_eq!(
                (r.status, r.code().as_str()),
                (400, "NAME_INVALID"),
                "{method} {path}"
            );
        }
    }
    let r = get(&a, &t, &format!("/v2/acme/{}/tags/list", "a".repeat(300))).await;
    assert_eq!(r.code(), "NAME_INVALID");
    let r = get(&a, &t, "/v2/acme/app/manifests/bad:tag:").await;
    assert_eq!(r.status, 400);
    let repos = ok(c.describe_repositories().send().await)
        .repositories
        .unwrap_or_default();
    assert_eq!(repos.len(), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn tags_list_pages_with_n_last_and_link() {
    let (emu, _c) = start_synthetic("big", 25).await;
    let a = addr(&emu);
    let t = anonymous(&a).await;
    let mut path = "/v2/acme/big/tags/list?n=10".to_string();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = get(&a, &t, &path).await;
        assert_eq!(r.status, 200);
        let body = r.json();
        assert_eq!(body["name"], "acme/big");
        seen.extend(
            body["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string()),
        );
        pages += 1;
        match r.header("link") {
            Some(link) => {
                assert!(link.ends_with(">; rel=\"next\""), "{link}");
                path = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_string();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..25).map(|i| format!("build-{i:06}")).collect();
    assert_eq!(seen, expected);
    let r = get(&a, &t, "/v2/acme/big/tags/list?n=2&last=build-000010").await;
    assert_eq!(
        r.json()["tags"],
        serde_json::json!(["build-000011", "build-000012"])
    );
    let r = get(&a, &t, "/v2/acme/big/tags/list?n=-1").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "PAGINATION_NUMBER_INVALID")
    );
    // Synthetic images are pullable too: their manifests regenerate to the digests listed.
    let r = get(&a, &t, "/v2/acme/big/manifests/build-000007").await;
    assert_eq!(
        r.header("docker-content-digest").unwrap(),
        sha256_digest(&r.body)
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn blob_redirects_are_signed_expire_and_refuse_a_bearer_token() {
    let opts = EmulatorOptions {
        registry: RegistryOptions {
            blob_redirect: Some("localhost".into()),
            ..Default::default()
        },
        ..empty_opts()
    };
    let (emu, c, a) = start(opts).await;
    create_repo(&c, "app").await;
    let t = login(&a, &c).await;
    let digest = push_blob(&a, &t, "acme/app", b"redirected bytes").await;
    let r = get(&a, &t, &format!("/v2/acme/app/blobs/{digest}")).await;
    assert_eq!(r.status, 307);
    let location = r.header("location").unwrap().to_string();
    let port = emu.addr().port();
    let prefix = format!("http://localhost:{port}/_blobs/{digest}?");
    assert!(location.starts_with(&prefix), "{location}");
    let target = location
        .strip_prefix(&format!("http://localhost:{port}"))
        .unwrap();
    // Followed as a client must: without the token.
    let r = send(&a, "GET", target, &[], b"").await;
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, b"redirected bytes".as_slice())
    );
    let r = send(&a, "GET", target, &[("Authorization", &bearer(&t))], b"").await;
    assert_eq!(
        r.status, 400,
        "a token sent to the storage address is refused"
    );
    let tampered = target.replace("expires=", "expires=9");
    assert_eq!(send(&a, "GET", &tampered, &[], b"").await.code(), "DENIED");
    let unsigned = format!("/_blobs/{digest}");
    assert_eq!(send(&a, "GET", &unsigned, &[], b"").await.status, 403);
    // HEAD is answered in place.
    let head = send(
        &a,
        "HEAD",
        &format!("/v2/acme/app/blobs/{digest}"),
        &[("Authorization", &bearer(&t))],
        b"",
    )
    .await;
    assert_eq!(head.status, 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn pull_rate_limits_answer_429_with_retry_after() {
    // A rate so slow that a second request can never be within it, whatever the machine's speed.
    let opts = EmulatorOptions {
        registry: RegistryOptions {
            rate: Some(RateSpec::parse("anon=0.001,auth=0.001").unwrap()),
            ..Default::default()
        },
        ..empty_opts()
    };
    let (emu, c, a) = start(opts).await;
    create_repo(&c, "app").await;
    let t = anonymous(&a).await;
    assert_eq!(get(&a, &t, "/v2/acme/app/tags/list").await.status, 200);
    let r = get(&a, &t, "/v2/acme/app/tags/list").await;
    assert_eq!((r.status, r.code().as_str()), (429, "TOOMANYREQUESTS"));
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    // A logged-in session has its own allowance.
    let pushy = login(&a, &c).await;
    assert_eq!(get(&a, &pushy, "/v2/acme/app/tags/list").await.status, 200);
    emu.shutdown().await;
}

/// Runs skopeo; (success, stdout, stderr).
async fn skopeo(args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new("skopeo")
        .args(args)
        .output()
        .await
        .expect("skopeo runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn skopeo_ok(args: &[&str]) -> String {
    let (ok, stdout, stderr) = skopeo(args).await;
    assert!(ok, "skopeo {args:?} failed: {stderr}");
    stdout
}

/// The digest an OCI layout's index.json gives the image named `tag`.
fn oci_layout_digest(dir: &std::path::Path, tag: &str) -> String {
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .and_then(|m| m["digest"].as_str())
        .unwrap_or_else(|| panic!("{tag} in {index}"))
        .to_string()
}

/// skopeo, an independent registry client, against the emulator: list-tags, inspect (plain,
/// --raw, --config), every demo image copied out with its digest intact, an OCI layout copied in
/// with the GetAuthorizationToken password, and an anonymous push refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skopeo_lists_inspects_and_copies_every_demo_image_both_ways() {
    let installed = std::process::Command::new("skopeo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        assert!(
            std::env::var("ECRP_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "skopeo is required (ECRP_REQUIRE_INTEROP=1) but not installed"
        );
        println!("SKIPPED: skopeo is not installed");
        return;
    }
    let (emu, c, a) = start(EmulatorOptions::default()).await;
    let tmp = tempfile::tempdir().unwrap();
    let src = |name: &str| format!("docker://{a}/acme/{name}");

    let listed: Value =
        serde_json::from_str(&skopeo_ok(&["list-tags", "--tls-verify=false", &src("web")]).await)
            .unwrap();
    let mut tags: Vec<String> = ok(c.describe_image_tags().repository_name("web").send().await)
        .image_tag_details
        .unwrap()
        .iter()
        .filter_map(|t| t.image_tag.clone())
        .collect();
    tags.sort();
    let mut skopeo_tags: Vec<String> = listed["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    skopeo_tags.sort();
    assert_eq!(skopeo_tags, tags);

    let inspect: Value = serde_json::from_str(
        &skopeo_ok(&[
            "inspect",
            "--tls-verify=false",
            &format!("{}:latest", src("api")),
        ])
        .await,
    )
    .unwrap();
    assert_eq!(inspect["Os"], "linux");
    assert!(inspect["Layers"].as_array().is_some_and(|l| l.len() >= 3));
    assert_eq!(
        inspect["Labels"]["org.opencontainers.image.source"],
        "https://github.com/acme/api"
    );
    let raw = skopeo_ok(&[
        "inspect",
        "--raw",
        "--tls-verify=false",
        &format!("{}:latest", src("api")),
    ])
    .await;
    let api_latest = ok(c
        .describe_images()
        .repository_name("api")
        .image_ids(by_tag("latest"))
        .send()
        .await)
    .image_details
    .unwrap();
    assert_eq!(
        Some(sha256_digest(raw.as_bytes())),
        api_latest[0].image_digest.clone()
    );
    let config: Value = serde_json::from_str(
        &skopeo_ok(&[
            "inspect",
            "--config",
            "--tls-verify=false",
            &format!("{}:latest", src("api")),
        ])
        .await,
    )
    .unwrap();
    assert_eq!(config["rootfs"]["type"], "layers");
    assert!(
        config["history"]
            .as_array()
            .is_some_and(|h| h.iter().any(|e| e["empty_layer"] == true))
    );

    // Every tagged image of every repository (a sample of the long CI run) copied out, digests
    // preserved: OCI images into an OCI layout, Docker ones into a dir: layout (an OCI layout
    // would need them converted, which changes the digest by design).
    let repos = ok(c.describe_repositories().send().await)
        .repositories
        .unwrap();
    let mut copied = 0;
    for repo in repos.iter().filter_map(|r| r.repository_name.as_deref()) {
        let details = ok(c
            .describe_images()
            .repository_name(repo)
            .max_results(1000)
            .send()
            .await)
        .image_details
        .unwrap_or_default();
        let tagged: Vec<_> = details
            .iter()
            .filter(|d| d.image_tags.as_ref().is_some_and(|t| !t.is_empty()))
            .collect();
        let sample = if repo == "ci/builds" {
            &tagged[..3.min(tagged.len())]
        } else {
            &tagged[..]
        };
        for d in sample {
            let digest = d.image_digest.clone().unwrap();
            let tag = d.image_tags.as_ref().unwrap()[0].clone();
            let from = format!("{}:{tag}", src(repo));
            let oci = d
                .image_manifest_media_type
                .as_deref()
                .is_some_and(|m| m.contains("oci"));
            let dest_dir = tmp.path().join(format!("out-{copied}"));
            let dest = if oci {
                format!("oci:{}:{tag}", dest_dir.display())
            } else {
                format!("dir:{}", dest_dir.display())
            };
            skopeo_ok(&[
                "copy",
                "--all",
                "--preserve-digests",
                "--src-tls-verify=false",
                &from,
                &dest,
            ])
            .await;
            let got = if oci {
                oci_layout_digest(&dest_dir, &tag)
            } else {
                sha256_digest(&std::fs::read(dest_dir.join("manifest.json")).unwrap())
            };
            assert_eq!(got, digest, "{repo}:{tag}");
            copied += 1;
        }
    }
    assert!(copied > 40, "{copied} images copied");
    // A Docker image converted into an OCI layout still copies (skopeo verifies every blob).
    let web_oci = tmp.path().join("web-oci");
    skopeo_ok(&[
        "copy",
        "--all",
        "--src-tls-verify=false",
        &format!("{}:latest", src("web")),
        &format!("oci:{}:latest", web_oci.display()),
    ])
    .await;

    // In: an OCI layout pushed with the password GetAuthorizationToken hands out.
    let api_oci = tmp.path().join("api-oci");
    skopeo_ok(&[
        "copy",
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        &format!("{}:latest", src("api")),
        &format!("oci:{}:latest", api_oci.display()),
    ])
    .await;
    let layout_digest = oci_layout_digest(&api_oci, "latest");
    create_repo(&c, "copied/in").await;
    let creds = format!("AWS:{}", password(&basic_credentials(&c).await));
    let layout = format!("oci:{}:latest", api_oci.display());
    let dest = format!("docker://{a}/acme/copied/in:v1");
    let (pushed, _, stderr) = skopeo(&[
        "copy",
        "--all",
        "--preserve-digests",
        "--dest-tls-verify=false",
        &layout,
        &dest,
    ])
    .await;
    assert!(!pushed, "an anonymous push must be refused");
    assert!(
        stderr.contains("denied") || stderr.contains("unauthorized") || stderr.contains("DENIED"),
        "{stderr}"
    );
    assert!(
        ok(c.describe_images()
            .repository_name("copied/in")
            .send()
            .await)
        .image_details
        .unwrap_or_default()
        .is_empty()
    );
    skopeo_ok(&[
        "copy",
        "--all",
        "--preserve-digests",
        "--dest-tls-verify=false",
        "--dest-creds",
        &creds,
        &layout,
        &dest,
    ])
    .await;
    let images = ok(c
        .describe_images()
        .repository_name("copied/in")
        .image_ids(by_tag("v1"))
        .send()
        .await)
    .image_details
    .unwrap();
    assert_eq!(
        images[0].image_digest.as_deref(),
        Some(layout_digest.as_str())
    );
    assert_eq!(
        images[0].image_digest, api_latest[0].image_digest,
        "the same digest both ways"
    );
    assert_eq!(
        images[0].image_size_in_bytes,
        api_latest[0].image_size_in_bytes
    );
    // And back out again, identical.
    let again = skopeo_ok(&[
        "inspect",
        "--raw",
        "--tls-verify=false",
        &format!("docker://{a}/acme/copied/in:v1"),
    ])
    .await;
    assert_eq!(again, raw);
    emu.shutdown().await;
}
