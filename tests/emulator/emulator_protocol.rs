//! The emulator's wire protocol, spoken over raw HTTP/1.1 to an in-process server: what an SDK
//! would send and what AWS would answer, including the refusals.

use ecrp::emulator::{self, EmulatorOptions, Seed};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDECRPDEMO00000000/20260101/us-east-1/ecr-public/aws4_request, \
                    SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd";

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

async fn raw(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no header end");
    let head = String::from_utf8(buf[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
    }
}

async fn call(addr: std::net::SocketAddr, op: &str, body: &str) -> Reply {
    let target = format!("SpencerFrontendService.{op}");
    raw(
        addr,
        "POST",
        "/",
        &[
            ("X-Amz-Target", &target),
            ("Content-Type", "application/x-amz-json-1.1"),
            ("Authorization", AUTH),
        ],
        body.as_bytes(),
    )
    .await
}

async fn demo() -> emulator::Emulator {
    emulator::start(EmulatorOptions::default()).await.unwrap()
}

fn assert_error(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status, status, "{:?}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert!(
        r.header("x-amzn-requestid")
            .is_some_and(|id| id.len() == 36)
    );
    assert_eq!(r.header("x-amzn-errortype"), Some(code));
    let body = r.json();
    assert_eq!(body["__type"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn unsigned_requests_are_refused() {
    let emu = demo().await;
    let r = raw(
        emu.addr(),
        "POST",
        "/",
        &[("X-Amz-Target", "SpencerFrontendService.DescribeRegistries")],
        b"{}",
    )
    .await;
    assert_error(&r, 403, "MissingAuthenticationTokenException");
    assert_eq!(r.json()["message"], "Missing Authentication Token");
    // A non-SigV4 Authorization header is no better.
    let r = raw(
        emu.addr(),
        "POST",
        "/",
        &[
            ("X-Amz-Target", "SpencerFrontendService.DescribeRegistries"),
            ("Authorization", "Basic dTpw"),
        ],
        b"{}",
    )
    .await;
    assert_error(&r, 403, "MissingAuthenticationTokenException");
    // Refused requests are still counted per operation.
    assert_eq!(emu.op_counts().get("DescribeRegistries"), Some(&2));
    emu.shutdown().await;
}

#[tokio::test]
async fn unknown_or_missing_operations_are_refused() {
    let emu = demo().await;
    assert_error(
        &call(emu.addr(), "DescribeNothing", "{}").await,
        400,
        "UnknownOperationException",
    );
    let r = raw(emu.addr(), "POST", "/", &[("Authorization", AUTH)], b"{}").await;
    assert_error(&r, 400, "UnknownOperationException");
    let r = raw(
        emu.addr(),
        "POST",
        "/",
        &[
            ("Authorization", AUTH),
            ("X-Amz-Target", "OtherService.DescribeRegistries"),
        ],
        b"{}",
    )
    .await;
    assert_error(&r, 400, "UnknownOperationException");
    emu.shutdown().await;
}

#[tokio::test]
async fn malformed_json_and_wrong_types_are_serialization_errors() {
    let emu = demo().await;
    assert_error(
        &call(emu.addr(), "DescribeRepositories", "{\"maxResults\": ").await,
        400,
        "SerializationException",
    );
    assert_error(
        &call(emu.addr(), "DescribeRepositories", "[]").await,
        400,
        "SerializationException",
    );
    assert_error(
        &call(
            emu.addr(),
            "DescribeRepositories",
            r#"{"maxResults": "10"}"#,
        )
        .await,
        400,
        "SerializationException",
    );
    assert_error(
        &call(
            emu.addr(),
            "CreateRepository",
            r#"{"repositoryName": ["x"]}"#,
        )
        .await,
        400,
        "SerializationException",
    );
    assert_error(
        &call(
            emu.addr(),
            "DeleteRepository",
            r#"{"repositoryName": "web", "force": 1}"#,
        )
        .await,
        400,
        "SerializationException",
    );
    let r = call(
        emu.addr(),
        "PutRepositoryCatalogData",
        r#"{"repositoryName": "web", "catalogData": {"logoImageBlob": "***"}}"#,
    )
    .await;
    assert_error(&r, 400, "SerializationException");
    // Unknown members are ignored, as AWS JSON services do.
    let r = call(
        emu.addr(),
        "DescribeRegistries",
        r#"{"somethingNew": true}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn success_shape_and_validation_messages() {
    let emu = demo().await;
    let r = call(emu.addr(), "DescribeRegistries", "").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert!(r.header("x-amzn-requestid").is_some());
    let reg = &r.json()["registries"][0];
    assert_eq!(reg["registryUri"], "public.ecr.aws/acme");
    assert_eq!(
        reg["registryArn"],
        "arn:aws:ecr-public::123456789012:registry/123456789012"
    );

    let long = "a".repeat(206);
    let r = call(
        emu.addr(),
        "CreateRepository",
        &json!({ "repositoryName": long }).to_string(),
    )
    .await;
    assert_error(&r, 400, "InvalidParameterException");
    assert_eq!(
        r.json()["message"],
        "1 validation error detected: Value at 'repositoryName' failed to satisfy constraint: \
         Member must have length less than or equal to 205"
    );
    let r = call(
        emu.addr(),
        "DescribeImages",
        r#"{"repositoryName": "web", "maxResults": 1001}"#,
    )
    .await;
    assert_error(&r, 400, "InvalidParameterException");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("'maxResults'")
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn logo_url_is_served_by_the_emulator() {
    let emu = demo().await;
    let r = call(
        emu.addr(),
        "GetRepositoryCatalogData",
        r#"{"repositoryName": "web"}"#,
    )
    .await;
    let url = r.json()["catalogData"]["logoUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let path = url
        .strip_prefix(&emu.url())
        .expect("logo URL points at the emulator");
    let logo = raw(emu.addr(), "GET", path, &[], b"").await;
    assert_eq!(logo.status, 200);
    assert_eq!(logo.header("content-type"), Some("image/png"));
    assert!(logo.body.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(
        raw(emu.addr(), "GET", "/logo/0000", &[], b"").await.status,
        404
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn empty_seed_has_the_registry_only() {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .unwrap();
    let r = call(emu.addr(), "DescribeRepositories", "{}").await;
    assert_eq!(r.json()["repositories"], json!([]));
    assert_eq!(
        call(emu.addr(), "DescribeRegistries", "{}").await.json()["registries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let opts = EmulatorOptions {
        seed: Seed::Empty,
        state_file: Some(path.clone()),
        ..Default::default()
    };
    let emu = emulator::start(opts.clone()).await.unwrap();
    let r = call(
        emu.addr(),
        "CreateRepository",
        r#"{"repositoryName": "kept/here", "tags": [{"Key": "a", "Value": "b"}]}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    emu.shutdown().await;
    // The seed is ignored once the file exists.
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Demo,
        ..opts
    })
    .await
    .unwrap();
    let r = call(emu.addr(), "DescribeRepositories", "{}").await.json();
    let names: Vec<&str> = r["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["repositoryName"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["kept/here"]);
    emu.shutdown().await;
}

#[tokio::test]
async fn concurrent_clients_see_atomic_creates() {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .unwrap();
    let addr = emu.addr();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            tokio::spawn(async move {
                call(addr, "CreateRepository", r#"{"repositoryName": "race"}"#)
                    .await
                    .status
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap() == 200 {
            ok += 1;
        }
    }
    assert_eq!(ok, 1, "exactly one create wins");
    emu.shutdown().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_without_reading_them_all() {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        ..Default::default()
    })
    .await
    .unwrap();
    let size = ecrp::emulator::limits::MAX_REQUEST_BYTES + 1024;
    let mut stream = TcpStream::connect(emu.addr()).await.unwrap();
    // Only the headers are sent: the refusal must come from the declared length alone.
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {size}\r\n\
         X-Amz-Target: SpencerFrontendService.UploadLayerPart\r\nAuthorization: {AUTH}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    // Headers and body may arrive in separate reads.
    while !String::from_utf8_lossy(&buf).contains("message") {
        let read = stream.read(&mut chunk);
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), read)
            .await
            .unwrap()
            .unwrap();
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("RequestEntityTooLargeException"), "{text}");
    emu.shutdown().await;
}

#[tokio::test]
async fn logo_over_the_limit_names_the_field() {
    use base64::Engine;
    let emu = demo().await;
    let blob = base64::engine::general_purpose::STANDARD.encode(vec![0u8; 512_001]);
    let body =
        json!({ "repositoryName": "web", "catalogData": { "logoImageBlob": blob } }).to_string();
    let r = call(emu.addr(), "PutRepositoryCatalogData", &body).await;
    assert_error(&r, 400, "InvalidParameterException");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("'catalogData.logoImageBlob'")
    );
    emu.shutdown().await;
}
