//! The push side of ecrp's registry client (src/registry/upload.rs) against scripted loopback
//! registries: the upload Location followed relative and absolute, credentials kept to the
//! registry's own origin, chunk ranges, exact manifest bytes with their media type, the digest the
//! registry announces checked, and the spec's JSON errors as messages.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Response, StatusCode};
use ecrp::registry::{
    ClientOptions, Credentials, Digest, OCI_MANIFEST, RegistryClient, Secret, Target,
};
use parking_lot::Mutex;

/// One request as the fake saw it, body included.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: String,
    authorization: Option<String>,
    content_type: Option<String>,
    content_range: Option<String>,
    body: Vec<u8>,
}

type Script = dyn Fn(&Seen, &str) -> Response<Body> + Send + Sync;

struct Fake {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    async fn start(script: impl Fn(&Seen, &str) -> Response<Body> + Send + Sync + 'static) -> Fake {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let script: Arc<Script> = Arc::new(script);
        let (log, base) = (seen.clone(), url.clone());
        let app = axum::Router::new().fallback(move |req: Request| {
            let (log, script, base) = (log.clone(), script.clone(), base.clone());
            async move {
                let (parts, body) = req.into_parts();
                let header = |k: &str| {
                    parts
                        .headers
                        .get(k)
                        .map(|v| v.to_str().unwrap().to_string())
                };
                let s = Seen {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_string(),
                    query: parts.uri.query().unwrap_or("").to_string(),
                    authorization: header("authorization"),
                    content_type: header("content-type"),
                    content_range: header("content-range"),
                    body: axum::body::to_bytes(body, usize::MAX)
                        .await
                        .unwrap()
                        .to_vec(),
                };
                log.lock().push(s.clone());
                script(&s, &base)
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        Fake { url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().clone()
    }
}

fn resp(status: u16, headers: &[(&str, String)], body: impl Into<Body>) -> Response<Body> {
    let mut r = Response::new(body.into());
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    for (k, v) in headers {
        r.headers_mut().append(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    r
}

fn basic() -> ClientOptions {
    ClientOptions {
        credentials: Some(Credentials {
            username: "AWS".into(),
            password: Secret::new("pw"),
        }),
        ..Default::default()
    }
}

fn unauthorized() -> Response<Body> {
    resp(
        401,
        &[("www-authenticate", r#"Basic realm="fake""#.into())],
        "",
    )
}

#[tokio::test]
async fn chunks_follow_each_location_and_credentials_stay_home() {
    let blob: Vec<u8> = (0..25u8).collect();
    let digest = Digest::sha256(&blob);
    // The upload itself lives on another origin, as a storage front end may: no credentials there.
    let store = Fake::start(|s, _| {
        let n = s.query.split("_state=").nth(1).unwrap_or("0");
        let next: u32 = n.split('&').next().unwrap().parse().unwrap_or(0) + 1;
        let received: usize = s.body.len();
        match s.method.as_str() {
            // Relative: resolved against this origin, not the registry's.
            "PATCH" => resp(
                202,
                &[
                    ("location", format!("/up/1?_state={next}")),
                    (
                        "range",
                        format!("0-{}", next as usize * 10 - 10 + received - 1),
                    ),
                ],
                "",
            ),
            "PUT" => resp(
                201,
                &[("docker-content-digest", Digest::sha256(&[]).to_string())],
                "",
            ),
            _ => resp(405, &[], ""),
        }
    })
    .await;
    let store_url = store.url.clone();
    let registry = Fake::start(move |s, _| {
        if s.authorization.is_none() {
            return unauthorized();
        }
        resp(
            202,
            &[("location", format!("{store_url}/up/1?_state=0"))],
            "",
        )
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blob");
    std::fs::write(&path, &blob).unwrap();
    let client = RegistryClient::new(registry.url.parse().unwrap(), basic()).unwrap();
    let e = client
        .upload_blob("ns/app", &digest, blob.len() as u64, &path, 10)
        .await
        .unwrap_err()
        .to_string();
    // The fake's closing PUT announces another digest: the client says so.
    assert!(e.contains("digest mismatch"), "{e}");

    let seen = registry.seen();
    assert_eq!(
        seen.len(),
        2,
        "a 401, then the POST with credentials: {seen:?}"
    );
    assert_eq!(seen[1].method, "POST");
    assert_eq!(seen[1].path, "/v2/ns/app/blobs/uploads/");
    assert!(
        seen[1]
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("Basic ")
    );
    let seen = store.seen();
    let summary: Vec<(&str, &str, Option<&str>, usize)> = seen
        .iter()
        .map(|s| {
            (
                s.method.as_str(),
                s.query.as_str(),
                s.content_range.as_deref(),
                s.body.len(),
            )
        })
        .collect();
    let put_query = format!("_state=3&digest={}", digest.to_string().replace(':', "%3A"));
    assert_eq!(
        summary,
        [
            ("PATCH", "_state=0", Some("0-9"), 10),
            ("PATCH", "_state=1", Some("10-19"), 10),
            ("PATCH", "_state=2", Some("20-24"), 5),
            ("PUT", put_query.as_str(), None, 0),
        ]
    );
    let sent: Vec<u8> = seen.iter().flat_map(|s| s.body.clone()).collect();
    assert_eq!(sent, blob);
    assert!(
        seen.iter().all(|s| s.authorization.is_none()),
        "credentials went to another origin: {seen:?}"
    );
    assert!(
        seen.iter()
            .all(|s| s.content_type.as_deref() == Some("application/octet-stream"))
    );
}

#[tokio::test]
async fn a_small_blob_goes_in_one_put_and_a_short_range_is_an_error() {
    let blob = b"hello, registry".to_vec();
    let digest = Digest::sha256(&blob);
    let d = digest.to_string();
    let fake = Fake::start(move |s, _| match (s.method.as_str(), s.path.as_str()) {
        ("POST", _) => resp(
            202,
            &[("location", "/v2/ns/app/blobs/uploads/u?x=1".into())],
            "",
        ),
        ("PUT", _) => resp(201, &[("docker-content-digest", d.clone())], ""),
        // A registry that lost bytes: it says it holds fewer than were sent.
        ("PATCH", _) => resp(
            202,
            &[("location", "/u".into()), ("range", "0-3".into())],
            "",
        ),
        _ => resp(404, &[], ""),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blob");
    std::fs::write(&path, &blob).unwrap();
    let client = RegistryClient::new(fake.url.parse().unwrap(), ClientOptions::default()).unwrap();
    let parts = client
        .upload_blob("ns/app", &digest, blob.len() as u64, &path, 1 << 20)
        .await
        .unwrap();
    assert_eq!(parts, 1);
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].method, "PUT");
    assert!(
        seen[1].query.starts_with("x=1&digest=sha256%3A"),
        "{}",
        seen[1].query
    );
    assert_eq!(seen[1].body, blob);

    let e = client
        .upload_blob("ns/app", &digest, blob.len() as u64, &path, 8)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("not bytes 0-7"), "{e}");
}

#[tokio::test]
async fn manifests_go_as_exact_bytes_and_the_registry_digest_is_checked() {
    // Not canonical JSON on purpose: only the exact bytes keep the digest.
    let manifest = b"{ \"schemaVersion\": 2,\n  \"layers\": [] }\n".to_vec();
    let right = Digest::sha256(&manifest);
    let answer = Arc::new(Mutex::new(right.to_string()));
    let a = answer.clone();
    let fake = Fake::start(move |s, _| match s.method.as_str() {
        "PUT" if s.path.ends_with("/manifests/bad") => resp(
            400,
            &[("content-type", "application/json".into())],
            r#"{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid","detail":{}}]}"#,
        ),
        "PUT" => resp(201, &[("docker-content-digest", a.lock().clone())], ""),
        _ => resp(404, &[], ""),
    })
    .await;
    let client = RegistryClient::new(fake.url.parse().unwrap(), ClientOptions::default()).unwrap();
    let got = client
        .put_manifest(
            "ns/app",
            &Target::Tag("v1".into()),
            OCI_MANIFEST,
            manifest.clone().into(),
        )
        .await
        .unwrap();
    assert_eq!(got, right);
    let seen = fake.seen();
    assert_eq!(seen[0].path, "/v2/ns/app/manifests/v1");
    assert_eq!(seen[0].content_type.as_deref(), Some(OCI_MANIFEST));
    assert_eq!(seen[0].body, manifest);

    // By digest: a digest that the bytes do not have is refused before sending.
    let wrong = Digest::sha256(b"other");
    let e = client
        .put_manifest(
            "ns/app",
            &Target::Digest(wrong),
            OCI_MANIFEST,
            manifest.clone().into(),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("hash to"), "{e}");
    assert_eq!(fake.seen().len(), 1);

    // A registry that says it stored other bytes.
    *answer.lock() = Digest::sha256(b"something else").to_string();
    let e = client
        .put_manifest(
            "ns/app",
            &Target::Tag("v2".into()),
            OCI_MANIFEST,
            manifest.clone().into(),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("stored the manifest as"), "{e}");

    // The spec's error body becomes the message.
    let e = client
        .put_manifest(
            "ns/app",
            &Target::Tag("bad".into()),
            OCI_MANIFEST,
            manifest.into(),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("HTTP 400"), "{e}");
    assert!(e.contains("MANIFEST_INVALID: manifest invalid"), "{e}");
}

#[tokio::test]
async fn blob_heads_say_present_or_absent() {
    let have = Digest::sha256(b"have");
    let h = have.to_string();
    let fake = Fake::start(move |s, _| {
        if s.path.ends_with(&h) {
            resp(200, &[("content-length", "4".into())], "")
        } else {
            resp(404, &[], "")
        }
    })
    .await;
    let client = RegistryClient::new(fake.url.parse().unwrap(), ClientOptions::default()).unwrap();
    assert!(client.blob_exists("ns/app", &have, true).await.unwrap());
    let missing = Digest::sha256(b"missing");
    assert!(!client.blob_exists("ns/app", &missing, false).await.unwrap());
    assert!(fake.seen().iter().all(|s| s.method == "HEAD"));
}

/// A raw loopback server: answers a POST with an upload Location, then takes a PUT's headers and
/// never reads its body nor answers (`answer_put`: reads the body, then never answers).
fn silent_store(answer_put: bool) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            std::thread::spawn(move || {
                let mut held = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    let Ok(n) = conn.read(&mut buf) else { return };
                    if n == 0 {
                        return;
                    }
                    held.extend_from_slice(&buf[..n]);
                    let Some(end) = held.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&held[..end]).to_string();
                    held.drain(..end + 4);
                    if head.starts_with("POST") {
                        let _ = conn.write_all(
                            b"HTTP/1.1 202 Accepted\r\nLocation: /v2/ns/app/blobs/uploads/u\r\nContent-Length: 0\r\n\r\n",
                        );
                        continue;
                    }
                    if answer_put {
                        // Read whatever comes, answer nothing.
                        while conn.read(&mut buf).is_ok_and(|n| n > 0) {}
                    } else {
                        std::thread::sleep(std::time::Duration::from_secs(20));
                    }
                    return;
                }
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_upload_and_a_missing_answer_time_out() {
    let short = || ClientOptions {
        timeouts: ecrp::registry::Timeouts {
            connect: std::time::Duration::from_secs(5),
            response: std::time::Duration::from_millis(400),
            idle: std::time::Duration::from_millis(400),
            total: std::time::Duration::from_secs(5),
        },
        ..Default::default()
    };
    // More than loopback's socket buffers take: the body must stall when nobody reads.
    let blob = vec![7u8; 48 << 20];
    let digest = Digest::sha256(&blob);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blob");
    std::fs::write(&path, &blob).unwrap();
    let client = RegistryClient::new(silent_store(false).parse().unwrap(), short()).unwrap();
    let started = std::time::Instant::now();
    let e = client
        .upload_blob("ns/app", &digest, blob.len() as u64, &path, 64 << 20)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("timed out waiting for the upload to move on"),
        "{e}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    // A small body goes out whole; then the answer has `response` to arrive.
    let small = b"small".to_vec();
    std::fs::write(&path, &small).unwrap();
    let client = RegistryClient::new(silent_store(true).parse().unwrap(), short()).unwrap();
    let e = client
        .upload_blob("ns/app", &Digest::sha256(&small), 5, &path, 1 << 20)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("timed out waiting for the response"), "{e}");
}
