//! ecrp's registry client (src/registry) against (a) small scripted fake registries on loopback,
//! each playing one behaviour of the distribution spec or one way a server can misbehave, and
//! (b) the CNCF distribution registry (Debian's `docker-registry`) as an independent server,
//! read by the real `ecrp inspect` and `ecrp tags` binaries. What the tests expect comes from the
//! OCI distribution spec and RFC 7235, not from the client's code.

use crate::support::binary;
use crate::support::distribution::Distribution;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Response, StatusCode};
use base64::Engine;
use ecrp::registry::{
    ClientOptions, Credentials, Digest, ManifestKind, OCI_INDEX, OCI_MANIFEST, Reference,
    RegistryClient, RegistryError, Secret, Target, Timeouts,
};
use parking_lot::Mutex;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// (a) Scripted fakes
// ---------------------------------------------------------------------------------------------

/// What a fake registry saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: String,
    authorization: Option<String>,
}

type Script = dyn Fn(&Seen, &str) -> Response<Body> + Send + Sync;

/// A loopback HTTP server answering every request with `script(request, own base URL)`.
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
                let s = Seen {
                    method: req.method().to_string(),
                    path: req.uri().path().to_string(),
                    query: req.uri().query().unwrap_or("").to_string(),
                    authorization: req
                        .headers()
                        .get("authorization")
                        .map(|v| v.to_str().unwrap().to_string()),
                };
                log.lock().push(s.clone());
                script(&s, &base)
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        Fake { url, seen }
    }

    fn client(&self, opts: ClientOptions) -> RegistryClient {
        RegistryClient::new(self.url.parse().unwrap(), opts).unwrap()
    }

    fn count(&self, path: &str) -> usize {
        self.seen.lock().iter().filter(|s| s.path == path).count()
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

fn json_resp(v: &Value) -> Response<Body> {
    resp(
        200,
        &[("content-type", "application/json".into())],
        v.to_string(),
    )
}

fn sha(bytes: &[u8]) -> String {
    Digest::sha256(bytes).to_string()
}

/// A minimal OCI image: (manifest bytes, config bytes).
fn image(arch: &str) -> (Vec<u8>, Vec<u8>) {
    let config = json!({
        "architecture": arch, "os": "linux", "created": "2026-01-02T03:04:05Z",
        "config": {"Env": ["PATH=/bin"], "Cmd": ["/app"], "User": "app"},
        "rootfs": {"type": "layers", "diff_ids": []}
    })
    .to_string()
    .into_bytes();
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(&config), "size": config.len()},
        "layers": []
    })
    .to_string()
    .into_bytes();
    (manifest, config)
}

fn manifest_resp(bytes: &[u8]) -> Response<Body> {
    resp(
        200,
        &[
            ("content-type", OCI_MANIFEST.into()),
            ("docker-content-digest", sha(bytes)),
        ],
        bytes.to_vec(),
    )
}

fn challenge(base: &str) -> Response<Body> {
    resp(
        401,
        &[(
            "www-authenticate",
            format!(r#"Bearer realm="{base}/token",service="fake.registry",scope="aws""#),
        )],
        r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
    )
}

fn target(t: &str) -> Target {
    Target::Tag(t.into())
}

fn creds(user: &str, password: &str) -> Credentials {
    Credentials {
        username: user.into(),
        password: Secret::new(password),
    }
}

#[tokio::test]
async fn anonymous_bearer_token_is_fetched_once_and_reused() {
    let (manifest, _) = image("amd64");
    let fake = Fake::start(move |s, base| match s.path.as_str() {
        "/token" => {
            assert_eq!(s.authorization, None, "anonymous: no credentials");
            assert!(s.query.contains("service=fake.registry"), "{}", s.query);
            assert!(
                s.query.contains("scope=repository%3Ans%2Fapp%3Apull"),
                "{}",
                s.query
            );
            json_resp(&json!({"token": "tok-anon", "expires_in": 300}))
        }
        "/v2/ns/app/manifests/v1" if s.authorization.as_deref() == Some("Bearer tok-anon") => {
            manifest_resp(&manifest)
        }
        _ => challenge(base),
    })
    .await;
    let client = fake.client(ClientOptions::default());
    for _ in 0..3 {
        let m = client.get_manifest("ns/app", &target("v1")).await.unwrap();
        assert_eq!(m.media_type, OCI_MANIFEST);
    }
    assert_eq!(fake.count("/token"), 1, "the token is cached");
    // One unauthenticated try, then three with the token.
    assert_eq!(fake.count("/v2/ns/app/manifests/v1"), 4);
}

#[tokio::test]
async fn credentials_go_to_the_token_endpoint_as_basic() {
    let (manifest, _) = image("amd64");
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("AWS:s3cret")
    );
    let fake = Fake::start(move |s, base| match s.path.as_str() {
        "/token" if s.authorization.as_deref() == Some(want.as_str()) => {
            json_resp(&json!({"access_token": "tok-push"}))
        }
        "/token" => resp(401, &[], ""),
        "/v2/ns/app/manifests/v1" if s.authorization.as_deref() == Some("Bearer tok-push") => {
            manifest_resp(&manifest)
        }
        _ => challenge(base),
    })
    .await;
    let ok = fake.client(ClientOptions {
        credentials: Some(creds("AWS", "s3cret")),
        ..Default::default()
    });
    ok.get_manifest("ns/app", &target("v1")).await.unwrap();
    let bad = fake.client(ClientOptions {
        credentials: Some(creds("AWS", "wrong")),
        ..Default::default()
    });
    let e = bad.get_manifest("ns/app", &target("v1")).await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("refused the credentials"), "{text}");
    assert!(
        !text.contains("wrong") && !format!("{e:?}").contains("wrong"),
        "{text}"
    );
}

#[tokio::test]
async fn basic_challenge_uses_the_credentials_directly() {
    let (manifest, _) = image("amd64");
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("user:pw")
    );
    let fake = Fake::start(move |s, _| {
        if s.authorization.as_deref() == Some(want.as_str()) {
            manifest_resp(&manifest)
        } else {
            resp(
                401,
                &[("www-authenticate", r#"basic realm="Registry Realm""#.into())],
                "",
            )
        }
    })
    .await;
    let with = fake.client(ClientOptions {
        credentials: Some(creds("user", "pw")),
        ..Default::default()
    });
    with.get_manifest("ns/app", &target("v1")).await.unwrap();
    let without = fake.client(ClientOptions::default());
    let e = without
        .get_manifest("ns/app", &target("v1"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("user name and password"), "{e}");
}

#[tokio::test]
async fn tokens_are_renewed_when_expired_or_refused() {
    let (manifest, _) = image("amd64");
    let issued = Arc::new(Mutex::new(0u32));
    let valid = Arc::new(Mutex::new(String::new()));
    let (i2, v2) = (issued.clone(), valid.clone());
    let fake = Fake::start(move |s, base| match s.path.as_str() {
        "/token" => {
            let mut n = i2.lock();
            *n += 1;
            let tok = format!("tok-{n}");
            *v2.lock() = tok.clone();
            // The first token says it expires at once; the others live long.
            let expires = if *n == 1 { 0 } else { 3600 };
            json_resp(&json!({"token": tok, "expires_in": expires}))
        }
        _ if s.authorization.as_deref() == Some(format!("Bearer {}", v2.lock()).as_str()) => {
            manifest_resp(&manifest)
        }
        _ => challenge(base),
    })
    .await;
    let client = fake.client(ClientOptions::default());
    client.get_manifest("ns/app", &target("v1")).await.unwrap();
    // tok-1 has expired: a new one is fetched before the request.
    client.get_manifest("ns/app", &target("v1")).await.unwrap();
    assert_eq!(*issued.lock(), 2);
    // The server revokes tok-2: the 401 makes the client fetch tok-3 and retry once.
    *valid.lock() = "revoked".into();
    // tok-3 becomes the valid one when issued, so the retry succeeds.
    client.get_manifest("ns/app", &target("v1")).await.unwrap();
    assert_eq!(*issued.lock(), 3);
}

#[tokio::test]
async fn malformed_challenges_are_clear_errors() {
    for (header, want) in [
        (
            r#"Bearer realm="http://127.0.0.1:1/token"#,
            "unterminated quoted string",
        ),
        (r#"Bearer service="x""#, "no realm"),
        (r#"Bearer realm=/token"#, "not an absolute URL"),
        (r#"Bearer realm="a",,="b""#, "unexpected"),
        ("Negotiate", "unsupported authentication scheme"),
        ("", "without a WWW-Authenticate header"),
    ] {
        let h = header.to_string();
        let fake = Fake::start(move |_, _| {
            if h.is_empty() {
                resp(401, &[], "")
            } else {
                resp(401, &[("www-authenticate", h.clone())], "")
            }
        })
        .await;
        let e = fake
            .client(ClientOptions::default())
            .get_manifest("ns/app", &target("v1"))
            .await
            .unwrap_err();
        assert!(
            matches!(e, RegistryError::Auth { .. }) && e.to_string().contains(want),
            "{header:?}: {e}"
        );
    }
}

#[tokio::test]
async fn redirects_to_another_address_do_not_carry_the_token() {
    let (manifest, config) = image("arm64");
    let config_digest = sha(&config);
    let storage = {
        let config = config.clone();
        Fake::start(move |_, _| resp(200, &[], config.clone())).await
    };
    let storage_url = storage.url.clone();
    let registry = Fake::start(move |s, base| match s.path.as_str() {
        "/token" => json_resp(&json!({"token": "tok-secret"})),
        _ if s.authorization.as_deref() != Some("Bearer tok-secret") => challenge(base),
        "/v2/ns/app/manifests/v1" => manifest_resp(&manifest),
        p if p.starts_with("/v2/ns/app/blobs/") => resp(
            307,
            &[(
                "location",
                format!("{storage_url}/bucket/blob?X-Amz-Signature=abc"),
            )],
            "",
        ),
        _ => resp(404, &[], ""),
    })
    .await;
    let client = registry.client(ClientOptions::default());
    let m = client.get_manifest("ns/app", &target("v1")).await.unwrap();
    let ManifestKind::Image(img) = m.kind else {
        panic!("an image")
    };
    let (bytes, parsed) = client.get_config("ns/app", &img.config).await.unwrap();
    assert_eq!(bytes.as_ref(), config.as_slice());
    assert_eq!(parsed.architecture.as_deref(), Some("arm64"));
    let mut out = Vec::new();
    let n = client
        .download_blob(
            "ns/app",
            &Digest::parse(&config_digest).unwrap(),
            Some(config.len() as u64),
            &mut out,
        )
        .await
        .unwrap();
    assert_eq!(
        (n as usize, out.as_slice()),
        (config.len(), config.as_slice())
    );
    let seen = storage.seen.lock().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    for s in &seen {
        assert_eq!(
            s.authorization, None,
            "the token leaked to the storage address"
        );
        assert_eq!(
            (s.method.as_str(), s.query.as_str()),
            ("GET", "X-Amz-Signature=abc")
        );
    }
}

#[tokio::test]
async fn redirect_loops_and_insecure_targets_stop() {
    let fake = Fake::start(|s, _| resp(302, &[("location", format!("{}x", s.path))], "")).await;
    let e = fake
        .client(ClientOptions::default())
        .get_manifest("ns/app", &target("v1"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("more than 5 redirects"), "{e}");
    let fake =
        Fake::start(|_, _| resp(302, &[("location", "http://registry.example/x".into())], ""))
            .await;
    let e = fake
        .client(ClientOptions::default())
        .get_manifest("ns/app", &target("v1"))
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Insecure { .. }), "{e}");
    let e = RegistryClient::new(
        "http://registry.example".parse().unwrap(),
        ClientOptions::default(),
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("only allowed for loopback"), "{e}");
}

#[tokio::test]
async fn rate_limits_honour_retry_after_then_explain() {
    let (manifest, _) = image("amd64");
    let calls = Arc::new(Mutex::new(0u32));
    let c2 = calls.clone();
    let fake = Fake::start(move |_, _| {
        let mut n = c2.lock();
        *n += 1;
        if *n <= 2 {
            resp(429, &[("retry-after", "0".into())], "")
        } else {
            manifest_resp(&manifest)
        }
    })
    .await;
    fake.client(ClientOptions::default())
        .get_manifest("ns/app", &target("v1"))
        .await
        .unwrap();
    assert_eq!(*calls.lock(), 3);

    let always = Fake::start(|_, _| {
        resp(
            429,
            &[("retry-after", "0".into())],
            r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#,
        )
    })
    .await;
    let anonymous = always.client(ClientOptions {
        login_hint: Some("log in for 10 per second".into()),
        ..Default::default()
    });
    let e = anonymous
        .get_manifest("ns/app", &target("v1"))
        .await
        .unwrap_err();
    assert_eq!(
        always.count("/v2/ns/app/manifests/v1"),
        4,
        "1 try + 3 retries"
    );
    let text = e.to_string();
    assert!(text.contains("429") && text.contains("anonymous"), "{text}");
    assert!(text.contains("log in for 10 per second"), "{text}");
    let authed = always.client(ClientOptions {
        credentials: Some(creds("u", "p")),
        ..Default::default()
    });
    let e = authed
        .get_manifest("ns/app", &target("v1"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("authenticated"), "{e}");

    // A wait longer than the bound is not slept through.
    let long = Fake::start(|_, _| resp(429, &[("retry-after", "3600".into())], "")).await;
    let e = long
        .client(ClientOptions::default())
        .get_manifest("ns/app", &target("v1"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("retry after 3600 s"), "{e}");
    assert_eq!(long.count("/v2/ns/app/manifests/v1"), 1);
}

#[tokio::test]
async fn manifests_over_the_cap_are_not_read() {
    let big = vec![b' '; (4 << 20) + 1];
    let announced = big.clone();
    let fake = Fake::start(move |_, _| resp(200, &[], announced.clone())).await;
    let e = fake
        .client(ClientOptions::default())
        .get_manifest("ns/app", &target("v1"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("larger than the 4 MiB cap"), "{e}");
    // Without Content-Length (a stream), reading stops at the cap too.
    let fake = Fake::start(move |_, _| {
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            (0..5).map(|_| Ok(vec![b' '; 1 << 20])).collect();
        resp(200, &[], Body::from_stream(futures::stream::iter(chunks)))
    })
    .await;
    let e = fake
        .client(ClientOptions::default())
        .get_manifest("ns/app", &target("v1"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, RegistryError::TooLarge { cap, .. } if cap == 4 << 20),
        "{e}"
    );
}

#[tokio::test]
async fn a_lying_server_is_caught_by_the_digest() {
    let (manifest, _) = image("amd64");
    let (other, _) = image("arm64");
    let lie = sha(&other);
    let m2 = manifest.clone();
    let fake = Fake::start(move |_, _| {
        resp(
            200,
            &[
                ("content-type", OCI_MANIFEST.into()),
                ("docker-content-digest", lie.clone()),
            ],
            m2.clone(),
        )
    })
    .await;
    let client = fake.client(ClientOptions::default());
    let e = client
        .get_manifest("ns/app", &target("v1"))
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::DigestMismatch { .. }), "{e}");
    // Pulled by digest: the bytes must hash to it whatever the headers say.
    let honest_header = Fake::start(move |_, _| manifest_resp(&manifest)).await;
    let e = honest_header
        .client(ClientOptions::default())
        .get_manifest(
            "ns/app",
            &Target::Digest(Digest::parse(&sha(&other)).unwrap()),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("digest mismatch"), "{e}");
    // A blob whose bytes do not match its digest.
    let e = honest_header
        .client(ClientOptions::default())
        .download_blob("ns/app", &Digest::sha256(b"x"), None, &mut Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::DigestMismatch { .. }), "{e}");
}

#[tokio::test]
async fn service_errors_keep_their_code() {
    let fake = Fake::start(|_, _| {
        resp(
            404,
            &[],
            r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
        )
    })
    .await;
    let e = fake
        .client(ClientOptions::default())
        .get_manifest("ns/app", &target("nope"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.status(), e.code()),
        (Some(404), Some("MANIFEST_UNKNOWN"))
    );
    assert!(e.to_string().contains("manifest unknown"), "{e}");
}

/// A token endpoint answering garbage: each a clear error naming what is wrong, never a panic, and
/// a body without end is read only up to the token cap (so memory stays bounded).
#[tokio::test]
async fn a_token_endpoint_that_answers_garbage_is_a_clear_error() {
    let huge = || {
        // 1 GiB announced by nothing, produced lazily: only the cap's worth is ever read.
        let chunks = futures::stream::repeat_with(|| Ok::<_, std::io::Error>(vec![b'a'; 1 << 20]));
        resp(
            200,
            &[],
            Body::from_stream(futures::StreamExt::take(chunks, 1024)),
        )
    };
    type Answer = Box<dyn Fn() -> Response<Body> + Send + Sync>;
    let cases: Vec<(&str, Answer, &str)> = vec![
        (
            "not JSON",
            Box::new(|| resp(200, &[], "<html>token service</html>")),
            "the token response is not JSON",
        ),
        (
            "JSON without a token",
            Box::new(|| json_resp(&json!({"expires_in": 60, "issued_at": "now"}))),
            "the token response has no token",
        ),
        (
            "empty token and access_token",
            Box::new(|| json_resp(&json!({"token": "", "access_token": ""}))),
            "the token response has no token",
        ),
        (
            "a token that is not a header value",
            Box::new(|| json_resp(&json!({"token": "a\nb"}))),
            "not a valid header value",
        ),
        ("a huge body", Box::new(huge), "larger than"),
    ];
    for (what, answer, want) in cases {
        let fake = Fake::start(move |s, base| {
            if s.path == "/token" {
                answer()
            } else {
                challenge(base)
            }
        })
        .await;
        let e = fake
            .client(ClientOptions::default())
            .get_manifest("ns/app", &target("v1"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                RegistryError::BadResponse { .. } | RegistryError::TooLarge { .. }
            ) && e.to_string().contains(want),
            "{what}: {e}"
        );
        assert!(
            e.to_string().contains("/token"),
            "{what}: names the endpoint: {e}"
        );
        assert_eq!(fake.count("/token"), 1, "{what}: asked once, no loop");
        assert!(
            fake.seen.lock().iter().all(|s| s.authorization.is_none()),
            "{what}: nothing was sent with a garbage token"
        );
    }
}

/// A loopback server writing `raw` (status line, headers and body, exactly as given) in answer to
/// every request: for responses hyper would refuse to send, such as a lying Content-Length.
/// `close`: shut the connection after writing, else hold it open (the client must time out).
fn raw_server(raw: Vec<u8>, close: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            let Ok(mut c) = conn else { break };
            let (mut head, mut buf) = (Vec::new(), [0u8; 4096]);
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match c.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let _ = c.write_all(&raw);
            if close {
                let _ = c.shutdown(std::net::Shutdown::Both);
            } else {
                held.push(c);
            }
        }
    });
    url
}

fn lying_response(content_type: &str, body: &[u8], content_length: usize) -> Vec<u8> {
    let mut raw = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ndocker-content-digest: {}\r\n\
         content-length: {content_length}\r\n\r\n",
        sha(body)
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// A Content-Length shorter or longer than the body, for a manifest and for a blob: an error
/// (the digest or the size catches the short read, the early end or the idle timeout the long
/// one), never a truncated result taken as good, never a hang.
#[tokio::test]
async fn a_content_length_that_lies_is_caught() {
    let (manifest, _) = image("amd64");
    let blob = vec![7u8; 10_000];
    let blob_digest = Digest::sha256(&blob);
    let n = manifest.len();
    for (what, content_length, close) in [
        ("shorter", n - 10, true),
        ("longer, then closed", n + 100, true),
        ("longer, then held open", n + 100, false),
    ] {
        let url = raw_server(
            lying_response(OCI_MANIFEST, &manifest, content_length),
            close,
        );
        let client = RegistryClient::new(url.parse().unwrap(), short_timeouts()).unwrap();
        let e = client
            .get_manifest("ns/app", &target("v1"))
            .await
            .unwrap_err();
        let fine = match what {
            "shorter" => matches!(e, RegistryError::DigestMismatch { .. }),
            "longer, then closed" => matches!(e, RegistryError::Transport { .. }),
            _ => matches!(e, RegistryError::Timeout { .. }),
        };
        assert!(fine, "manifest, Content-Length {what}: {e}");
        assert!(e.to_string().contains("/v2/ns/app/manifests/v1"), "{e}");
    }
    let n = blob.len();
    for (what, content_length, close) in [
        ("shorter", n - 10, true),
        ("longer, then closed", n + 100, true),
        ("longer, then held open", n + 100, false),
    ] {
        let url = raw_server(
            lying_response("application/octet-stream", &blob, content_length),
            close,
        );
        let client = RegistryClient::new(url.parse().unwrap(), short_timeouts()).unwrap();
        for expected_size in [None, Some(n as u64)] {
            let mut out = Vec::new();
            let e = client
                .download_blob("ns/app", &blob_digest, expected_size, &mut out)
                .await
                .unwrap_err();
            let fine = match what {
                "shorter" => matches!(
                    e,
                    RegistryError::DigestMismatch { .. } | RegistryError::BadResponse { .. }
                ),
                "longer, then closed" => matches!(e, RegistryError::Transport { .. }),
                _ => matches!(e, RegistryError::Timeout { .. }),
            };
            assert!(
                fine,
                "blob, Content-Length {what}, size {expected_size:?}: {e}"
            );
            assert!(out.len() <= n, "never more than the body was written");
        }
    }
}

/// Tags `t000`…: pages of `n` with a Link to the next, relative or absolute by page.
fn tags_script(total: usize) -> impl Fn(&Seen, &str) -> Response<Body> + Send + Sync {
    move |s, base| {
        let q: Vec<(String, String)> = url::form_urlencoded::parse(s.query.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let n: usize = get("n").unwrap().parse().unwrap();
        let all: Vec<String> = (0..total).map(|i| format!("t{i:03}")).collect();
        let start = match get("last") {
            Some(l) => all.iter().position(|t| *t == l).unwrap() + 1,
            None => 0,
        };
        let page: Vec<String> = all.iter().skip(start).take(n).cloned().collect();
        let mut headers = Vec::new();
        if start + n < total {
            let last = page.last().unwrap();
            let path = format!("/v2/ns/app/tags/list?n={n}&last={last}");
            let link = if start % 2 == 0 {
                path
            } else {
                format!("{base}{path}")
            };
            headers.push(("link", format!(r#"<{link}>; rel="next""#)));
        }
        resp(
            200,
            &headers,
            json!({"name": "ns/app", "tags": page}).to_string(),
        )
    }
}

#[tokio::test]
async fn tags_follow_link_pages() {
    let fake = Fake::start(tags_script(7)).await;
    let client = fake.client(ClientOptions {
        tags_page_size: 2,
        ..Default::default()
    });
    let tags = client.list_tags("ns/app").await.unwrap();
    let want: Vec<String> = (0..7).map(|i| format!("t{i:03}")).collect();
    assert_eq!(tags, want);
    assert_eq!(fake.count("/v2/ns/app/tags/list"), 4);
    // The cap on tags held.
    let capped = fake.client(ClientOptions {
        tags_page_size: 2,
        max_tags: 5,
        ..Default::default()
    });
    let e = capped.list_tags("ns/app").await.unwrap_err();
    assert!(e.to_string().contains("more than 5 tags"), "{e}");
}

#[tokio::test]
async fn a_cycling_link_is_an_error_naming_the_endpoint() {
    let fake = Fake::start(|s, _| {
        // Page 2 links back to page 1.
        let link = if s.query.contains("last=") {
            "</v2/ns/app/tags/list?n=2>; rel=\"next\""
        } else {
            "</v2/ns/app/tags/list?n=2&last=b>; rel=\"next\""
        };
        resp(
            200,
            &[("link", link.into())],
            r#"{"name":"ns/app","tags":["a","b"]}"#,
        )
    })
    .await;
    let client = fake.client(ClientOptions {
        tags_page_size: 2,
        ..Default::default()
    });
    let e = client.list_tags("ns/app").await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("/v2/ns/app/tags/list"), "{text}");
    assert!(text.contains("page already read"), "{text}");
    assert_eq!(fake.count("/v2/ns/app/tags/list"), 2);
}

fn short_timeouts() -> ClientOptions {
    ClientOptions {
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            response: Duration::from_millis(300),
            idle: Duration::from_millis(300),
            total: Duration::from_secs(5),
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn a_server_that_never_answers_or_stalls_mid_body_times_out() {
    // Accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut conns = Vec::new();
        loop {
            let (c, _) = silent.accept().await.unwrap();
            conns.push(c);
        }
    });
    let client =
        RegistryClient::new(format!("http://{addr}").parse().unwrap(), short_timeouts()).unwrap();
    let e = client
        .get_manifest("ns/app", &target("v1"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::Timeout {
                what: "the response",
                ..
            }
        ),
        "{e}"
    );
    held.abort();

    // Sends headers and a first chunk, then nothing.
    let stall = Fake::start(|_, _| {
        let first = futures::stream::once(async { Ok::<_, std::io::Error>(b"{".to_vec()) });
        let stream = futures::StreamExt::chain(first, futures::stream::pending());
        resp(200, &[], Body::from_stream(stream))
    })
    .await;
    let e = stall
        .client(short_timeouts())
        .get_manifest("ns/app", &target("v1"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::Timeout {
                what: "more of the body",
                ..
            }
        ),
        "{e}"
    );
    let e = stall
        .client(short_timeouts())
        .download_blob("ns/app", &Digest::sha256(b"{"), None, &mut Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Timeout { .. }), "{e}");
}

/// Whether `s` holds anything a terminal would act on (newlines aside).
fn has_controls(s: &str) -> bool {
    s.chars()
        .any(|c| ecrp::sanitize::is_unsafe_char(c) && c != '\n')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_strings_from_the_registry_never_reach_the_terminal() {
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}txt.exe\u{200b}";
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux", "created": evil,
        "config": {"Env": [format!("A={evil}")], "Cmd": [evil], "Labels": {evil: evil},
                   "User": evil, "WorkingDir": evil, "ExposedPorts": {evil: {}}},
        "history": [{"created_by": evil, "comment": evil}]
    }))
    .unwrap();
    let layer_digest = sha(b"layer");
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(&config), "size": config.len()},
        "layers": [{"mediaType": evil, "digest": layer_digest, "size": 5}],
        "annotations": {evil: evil}
    }))
    .unwrap();
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": OCI_MANIFEST, "digest": sha(&manifest), "size": manifest.len(),
                       "platform": {"os": "linux", "architecture": "amd64", "variant": evil}}]
    }))
    .unwrap();
    let (m, c, i) = (manifest.clone(), config.clone(), index.clone());
    let fake = Fake::start(move |s, _| {
        let p = s.path.as_str();
        if p.ends_with("/tags/list") {
            json_resp(&json!({"name": "ns/app", "tags": ["ok", evil]}))
        } else if p.ends_with("/manifests/v1") {
            resp(200, &[("content-type", OCI_INDEX.into())], i.clone())
        } else if p.contains("/manifests/") {
            manifest_resp(&m)
        } else {
            resp(200, &[], c.clone())
        }
    })
    .await;
    let host = fake.url.trim_start_matches("http://").to_string();
    let reference = format!("{host}/ns/app:v1");
    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            ecrp(&args)
        })
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    for args in [
        s(&["inspect", &reference, "--platform", "linux/amd64"]),
        s(&["inspect", &reference, "--platform", "linux/amd64", "--json"]),
        s(&["tags", &format!("{host}/ns/app")]),
        s(&["tags", &format!("{host}/ns/app"), "--json"]),
        // Errors quote server text too.
        s(&["inspect", &reference, "--platform", "linux/s390x"]),
    ] {
        let out = run(args.clone()).await.unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(!has_controls(&stdout), "{args:?} stdout: {stdout:?}");
        assert!(!has_controls(&stderr), "{args:?} stderr: {stderr:?}");
        if args.contains(&"--json".to_string()) {
            // Escaped, not lost: the JSON still reads back to the server's strings.
            let v: Value = serde_json::from_str(&stdout).unwrap();
            let text = v.to_string();
            assert!(text.contains("txt.exe"), "{text}");
        }
    }
    let out = run(s(&["inspect", &reference, "--platform", "linux/amd64"]))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("txt.exe") && text.contains("History (1)"),
        "{text}"
    );
    // --raw gives the exact bytes when stdout is not a terminal.
    let out = run(s(&[
        "inspect",
        &reference,
        "--platform",
        "linux/amd64",
        "--raw",
        "config",
    ]))
    .await
    .unwrap();
    assert_eq!(out.stdout, config);
}

// ---------------------------------------------------------------------------------------------
// (b) The CNCF distribution registry, read by the real binary
// ---------------------------------------------------------------------------------------------

impl Distribution {
    /// Monolithic upload: POST for an upload URL, then PUT the bytes with their digest.
    fn push_blob(&self, name: &str, bytes: &[u8]) -> String {
        let digest = sha(bytes);
        let (status, headers, _) = http(
            self.addr,
            "POST",
            &format!("/v2/{name}/blobs/uploads/"),
            &[],
            b"",
        )
        .unwrap();
        assert_eq!(status, 202, "start upload");
        let location = header(&headers, "location").expect("upload Location");
        let path = location
            .strip_prefix(&format!("http://{}", self.addr))
            .unwrap_or(&location);
        let sep = if path.contains('?') { '&' } else { '?' };
        let (status, _, body) = http(
            self.addr,
            "PUT",
            &format!("{path}{sep}digest={digest}"),
            &[("Content-Type", "application/octet-stream")],
            bytes,
        )
        .unwrap();
        assert_eq!(
            status,
            201,
            "finish upload: {}",
            String::from_utf8_lossy(&body)
        );
        digest
    }

    fn push_manifest(&self, name: &str, reference: &str, media_type: &str, bytes: &[u8]) {
        let (status, headers, body) = http(
            self.addr,
            "PUT",
            &format!("/v2/{name}/manifests/{reference}"),
            &[("Content-Type", media_type)],
            bytes,
        )
        .unwrap();
        assert_eq!(
            status,
            201,
            "PUT manifest: {}",
            String::from_utf8_lossy(&body)
        );
        assert_eq!(header(&headers, "docker-content-digest"), Some(sha(bytes)));
    }
}

/// Status, headers (names lower-cased) and body of one response.
type Exchange = (u16, Vec<(String, String)>, Vec<u8>);

/// One HTTP/1.1 exchange over a fresh connection.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Exchange> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    s.write_all(body)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let hs = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok((status, hs, raw[end + 4..].to_vec()))
}

fn header(h: &[(String, String)], name: &str) -> Option<String> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// An image pushed for one platform: its manifest bytes and config bytes.
struct Pushed {
    manifest: Vec<u8>,
    config: Vec<u8>,
    layers: Vec<(String, usize)>,
}

fn push_image(reg: &Distribution, name: &str, arch: &str, variant: Option<&str>) -> Pushed {
    let mut config = json!({
        "created": "2026-11-22T13:40:00Z",
        "architecture": arch,
        "os": "linux",
        "config": {
            "User": "app", "WorkingDir": "/srv",
            "Entrypoint": ["/bin/server"], "Cmd": ["--port", "8080"],
            "Env": ["PATH=/usr/bin", format!("ARCH={arch}")],
            "ExposedPorts": {"8080/tcp": {}}, "Volumes": {"/data": {}},
            "Labels": {"org.opencontainers.image.title": "app"}, "StopSignal": "SIGTERM"
        },
        "history": [
            {"created": "2026-11-22T13:39:00Z", "created_by": "ADD rootfs.tar /"},
            {"created": "2026-11-22T13:39:30Z", "created_by": "ENV PATH=/usr/bin", "empty_layer": true},
            {"created": "2026-11-22T13:40:00Z", "created_by": "COPY server /bin/server", "comment": "buildkit"}
        ],
        "rootfs": {"type": "layers", "diff_ids": []}
    });
    if let Some(v) = variant {
        config["variant"] = json!(v);
    }
    let config = serde_json::to_vec(&config).unwrap();
    // Layer content is opaque to the registry; distinct bytes per platform, one shared base.
    let base = vec![7u8; 3000];
    let top = format!("{arch} server binary").repeat(50).into_bytes();
    let mut layers = Vec::new();
    for l in [&base, &top] {
        layers.push((reg.push_blob(name, l), l.len()));
    }
    let config_digest = reg.push_blob(name, &config);
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": layers.iter().map(|(d, n)| json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": n
        })).collect::<Vec<_>>(),
        "annotations": {"org.opencontainers.image.source": "https://example.com/app"}
    }))
    .unwrap();
    Pushed {
        manifest,
        config,
        layers,
    }
}

fn ecrp(args: &[&str]) -> Output {
    let mut cmd = Command::new(binary::BIN);
    binary::hermetic(&mut cmd);
    cmd.env_remove("ECRP_REGISTRY_URL");
    cmd.args(args).output().expect("run ecrp")
}

fn ok_stdout(args: &[&str]) -> Vec<u8> {
    let out = ecrp(args);
    assert!(
        out.status.success(),
        "ecrp {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn ok_json(args: &[&str]) -> Value {
    serde_json::from_slice(&ok_stdout(args)).expect("JSON on stdout")
}

#[test]
fn distribution_registry_read_by_ecrp_inspect_and_tags() {
    let Some(reg) = Distribution::start("distribution_registry_read_by_ecrp_inspect_and_tags")
    else {
        return;
    };
    let name = "ns/app";
    let amd = push_image(&reg, name, "amd64", None);
    let arm = push_image(&reg, name, "arm64", Some("v8"));
    for (p, arch) in [(&amd, "amd64"), (&arm, "arm64")] {
        reg.push_manifest(name, &format!("{arch}-only"), OCI_MANIFEST, &p.manifest);
    }
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": sha(&amd.manifest), "size": amd.manifest.len(),
             "platform": {"os": "linux", "architecture": "amd64"}},
            {"mediaType": OCI_MANIFEST, "digest": sha(&arm.manifest), "size": arm.manifest.len(),
             "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}}
        ]
    }))
    .unwrap();
    reg.push_manifest(name, "v1", OCI_INDEX, &index);
    let host = reg.addr.to_string();
    let r = |suffix: &str| format!("{host}/{name}{suffix}");

    // The index: digest and platforms as pushed; the image for this machine's platform.
    let v = ok_json(&["inspect", &r(":v1"), "--json"]);
    assert_eq!(v["digest"], sha(&index));
    assert_eq!(v["mediaType"], OCI_INDEX);
    let platforms: Vec<(String, String)> = v["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["architecture"].as_str().unwrap().to_string(),
                p["digest"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        platforms,
        vec![
            ("amd64".to_string(), sha(&amd.manifest)),
            ("arm64".to_string(), sha(&arm.manifest))
        ]
    );
    let host_arch = ecrp::inspect::PlatformSpec::host().arch;
    let mine = match host_arch.as_str() {
        "amd64" => Some(&amd),
        "arm64" => Some(&arm),
        _ => None,
    };
    match mine {
        Some(p) => {
            assert_eq!(v["image"]["digest"], sha(&p.manifest));
            let pushed: Value = serde_json::from_slice(&p.config).unwrap();
            assert_eq!(v["image"]["config"], pushed, "the whole config, as pushed");
        }
        None => assert!(v.get("image").is_none()),
    }

    // --platform: that image, its config values and layers.
    let v = ok_json(&["inspect", &r(":v1"), "--platform", "linux/arm64", "--json"]);
    assert_eq!(v["image"]["digest"], sha(&arm.manifest));
    assert_eq!(v["image"]["platform"], "linux/arm64/v8");
    let cfg = &v["image"]["config"];
    assert_eq!(cfg["architecture"], "arm64");
    assert_eq!(cfg["config"]["Env"][1], "ARCH=arm64");
    assert_eq!(cfg["config"]["Entrypoint"][0], "/bin/server");
    assert_eq!(cfg["history"][1]["empty_layer"], true);
    let layers: Vec<(String, u64)> = v["image"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["digest"].as_str().unwrap().into(),
                l["size"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, u64)> = arm
        .layers
        .iter()
        .map(|(d, n)| (d.clone(), *n as u64))
        .collect();
    assert_eq!(layers, want);

    // --raw: the exact bytes pushed.
    assert_eq!(
        ok_stdout(&["inspect", &r(":v1"), "--raw", "manifest"]),
        index
    );
    assert_eq!(
        ok_stdout(&[
            "inspect",
            &r(":v1"),
            "--platform",
            "linux/arm64",
            "--raw",
            "manifest"
        ]),
        arm.manifest
    );
    assert_eq!(
        ok_stdout(&[
            "inspect",
            &r(":v1"),
            "--platform",
            "linux/amd64",
            "--raw",
            "config"
        ]),
        amd.config
    );
    // By digest, a platform manifest directly.
    let by_digest = ok_json(&["inspect", &r(&format!("@{}", sha(&amd.manifest))), "--json"]);
    assert_eq!(by_digest["mediaType"], OCI_MANIFEST);
    assert_eq!(by_digest["image"]["config"]["architecture"], "amd64");

    // The text view of a single image.
    let text = String::from_utf8(ok_stdout(&["inspect", &r(":arm64-only")])).unwrap();
    for want in [
        "linux/arm64/v8",
        "/srv",
        r#"["/bin/server"]"#,
        "ARCH=arm64",
        "8080/tcp",
        "org.opencontainers.image.title=app",
        "SIGTERM",
        "History (3)",
        "COPY server /bin/server  # buildkit",
        "Layers (2,",
        &arm.layers[0].0,
    ] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }

    // A platform the index lacks, a tag the repository lacks: one clean sentence, exit 1.
    let out = ecrp(&["inspect", &r(":v1"), "--platform", "linux/s390x"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("has no linux/s390x image") && err.contains("linux/arm64/v8"),
        "{err}"
    );
    let out = ecrp(&["inspect", &r(":missing")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("MANIFEST_UNKNOWN"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    // Tags, as JSON and as lines.
    let v = ok_json(&["tags", &r(""), "--json"]);
    let tags: BTreeSet<&str> = v["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tags, BTreeSet::from(["amd64-only", "arm64-only", "v1"]));
    let lines = String::from_utf8(ok_stdout(&["tags", &r("")])).unwrap();
    assert_eq!(lines.lines().collect::<BTreeSet<_>>(), tags);

    // --registry-url maps public.ecr.aws to this registry.
    let url = format!("http://{host}");
    let v = ok_json(&[
        "inspect",
        &format!("public.ecr.aws/{name}:v1"),
        "--registry-url",
        &url,
        "--json",
    ]);
    assert_eq!(v["digest"], sha(&index));
    // The same from ECRP_REGISTRY_URL and from `registry_url` in the config file.
    let public = format!("public.ecr.aws/{name}:v1");
    let mut cmd = Command::new(binary::BIN);
    binary::hermetic(&mut cmd).env("ECRP_REGISTRY_URL", &url);
    let out = cmd.args(["inspect", &public, "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["digest"], sha(&index));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, format!("registry_url = \"{url}\"\n")).unwrap();
    let mut cmd = Command::new(binary::BIN);
    binary::hermetic(&mut cmd).env_remove("ECRP_REGISTRY_URL");
    let out = cmd
        .args([
            "--config",
            config.to_str().unwrap(),
            "tags",
            &format!("public.ecr.aws/{name}"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
}

#[tokio::test]
async fn distribution_registry_pages_tags_with_its_own_link_headers() {
    let Some(reg) =
        Distribution::start("distribution_registry_pages_tags_with_its_own_link_headers")
    else {
        return;
    };
    let p = push_image(&reg, "ns/paged", "amd64", None);
    let want: BTreeSet<String> = (0..7).map(|i| format!("t{i}")).collect();
    for t in &want {
        reg.push_manifest("ns/paged", t, OCI_MANIFEST, &p.manifest);
    }
    let client = RegistryClient::new(
        format!("http://{}", reg.addr).parse().unwrap(),
        ClientOptions {
            tags_page_size: 2,
            ..Default::default()
        },
    )
    .unwrap();
    let tags = client.list_tags("ns/paged").await.unwrap();
    assert_eq!(tags.len(), 7, "{tags:?}");
    assert_eq!(tags.into_iter().collect::<BTreeSet<_>>(), want);
    let reference = Reference::parse(&format!("{}/ns/paged:t3", reg.addr)).unwrap();
    let head = client
        .head_manifest(&reference.name, &reference.target())
        .await
        .unwrap();
    assert_eq!(head.digest, Some(Digest::sha256(&p.manifest)));
    assert_eq!(head.size, Some(p.manifest.len() as u64));
}

/// `ecrp push --via registry` to the CNCF registry: the emulator supplies the repository's URI and
/// the password (the registry, without auth, never asks for it), ECRP_REGISTRY_URL maps
/// public.ecr.aws to the registry; skopeo and the client read the image back byte for byte.
#[tokio::test(flavor = "multi_thread")]
async fn ecrp_push_via_registry_into_the_distribution_registry() {
    use crate::support::common::{create_repo, start_empty};
    use crate::support::oci::{Oci, noise};
    let Some(reg) = Distribution::start("ecrp_push_via_registry_into_the_distribution_registry")
    else {
        return;
    };
    let (emu, c) = start_empty().await;
    let uri = create_repo(&c, "pushed/app").await.repository_uri.unwrap();
    let name = uri.strip_prefix("public.ecr.aws/").unwrap().to_string();
    let oci = Oci::new();
    let big = noise(90, (6 << 20) + 77);
    let amd = oci.image("amd64", &[big.clone(), noise(91, 10_000)]);
    let arm = oci.image("arm64", &[noise(92, 3_000)]);
    let index = oci.index(&[amd.clone(), arm.clone()]);
    oci.write_index(&[(index.clone(), Some("v1"))]);
    let index_digest = index["digest"].as_str().unwrap().to_string();
    let dir = oci.path().to_str().unwrap().to_string();
    let push = || {
        let mut cmd = Command::new(binary::BIN);
        binary::hermetic(&mut cmd)
            .env("ECRP_REGISTRY_URL", format!("http://{}", reg.addr))
            .env("AWS_ACCESS_KEY_ID", "AKIDPUSHTEST00000000")
            .env("AWS_SECRET_ACCESS_KEY", "push-test-secret")
            .args(["push", "--via", "registry", "--endpoint-url", &emu.url()])
            .args([dir.as_str(), "pushed/app:v1", "--chunk-size", "5MiB"]);
        tokio::process::Command::from(cmd).output()
    };
    let out = push().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("pushed {index_digest} {uri}:v1\n")
    );
    assert!(stderr.contains("uploaded (2 parts)"), "{stderr}");

    // The registry holds the exact bytes: the index by tag, a child by digest, the big layer.
    let client = RegistryClient::new(
        format!("http://{}", reg.addr).parse().unwrap(),
        ClientOptions::default(),
    )
    .unwrap();
    let got = client
        .get_manifest(&name, &Target::Tag("v1".into()))
        .await
        .unwrap();
    assert_eq!(got.digest.to_string(), index_digest);
    assert_eq!(
        &got.bytes[..],
        &std::fs::read(oci.blob_path(&index_digest)).unwrap()[..]
    );
    let child = Digest::parse(amd["digest"].as_str().unwrap()).unwrap();
    client
        .get_manifest(&name, &Target::Digest(child))
        .await
        .unwrap();
    let mut layer = Vec::new();
    let big_digest = Digest::parse(&sha(&big)).unwrap();
    client
        .download_blob(&name, &big_digest, Some(big.len() as u64), &mut layer)
        .await
        .unwrap();
    assert!(layer == big);
    if std::path::Path::new("/usr/bin/skopeo").exists() {
        let raw = Command::new("skopeo")
            .args(["inspect", "--raw", "--tls-verify=false"])
            .arg(format!("docker://{}/{name}:v1", reg.addr))
            .output()
            .unwrap();
        assert!(
            raw.status.success(),
            "{}",
            String::from_utf8_lossy(&raw.stderr)
        );
        assert_eq!(sha(&raw.stdout), index_digest);
    }

    // Again: every blob is there (two configs, three layers), none is uploaded.
    let out = push().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stderr.matches("exists, skipped").count(), 5, "{stderr}");
    assert!(!stderr.contains("uploaded ("), "{stderr}");
    emu.shutdown().await;
}

/// A writer collecting everything tracing writes, for the secrets test.
#[derive(Clone, Default)]
struct LogBuf(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn neither_token_nor_password_reaches_the_log_at_trace_level() {
    let (manifest, _) = image("amd64");
    let fake = Fake::start(move |s, base| match s.path.as_str() {
        "/token" => json_resp(&json!({"token": "TOKEN-abc123", "expires_in": 300})),
        _ if s.authorization.as_deref() == Some("Bearer TOKEN-abc123") => manifest_resp(&manifest),
        _ => challenge(base),
    })
    .await;
    let buf = LogBuf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // This test's runtime has one thread, so every task of the request logs here.
    let _guard = tracing::subscriber::set_default(subscriber);
    let client = fake.client(ClientOptions {
        credentials: Some(creds("AWS", "PASSWORD-xyz789")),
        ..Default::default()
    });
    client.get_manifest("ns/app", &target("v1")).await.unwrap();
    let log = String::from_utf8(buf.0.lock().clone()).unwrap();
    assert!(
        log.contains("registry response"),
        "tracing was captured: {log}"
    );
    let basic = base64::engine::general_purpose::STANDARD.encode("AWS:PASSWORD-xyz789");
    for secret in ["TOKEN-abc123", "PASSWORD-xyz789", basic.as_str()] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}
