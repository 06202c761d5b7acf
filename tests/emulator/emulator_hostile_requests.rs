//! Requests a careless or hostile client could send, over raw HTTP/1.1 to an in-process emulator:
//! oversized bodies without a declared length (chunked), JSON nested past any sane depth, invalid
//! UTF-8, wrong types deep inside structures and lists, and unknown or misplaced members. Each gets the error AWS's JSON protocol gives (a
//! SerializationException for what cannot be read as the operation's input, an
//! InvalidParameterException for a readable but invalid value), naming the member where it can,
//! and the server keeps serving and its state is untouched.

use ecrp::emulator::limits::MAX_REQUEST_BYTES;
use ecrp::emulator::{self, EmulatorOptions};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDECRPDEMO00000000/20260101/us-east-1/ecr-public/aws4_request, \
                    SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd";

#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}\n{:?}",
                self.head,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// An error reply with this status and code, whose message contains `mentions`.
    fn assert_error(&self, status: u16, code: &str, mentions: &str) {
        let body = self.json();
        assert_eq!(self.status, status, "{body}");
        assert_eq!(body["__type"], code, "{body}");
        let lower = self.head.to_ascii_lowercase();
        assert!(
            lower.contains(&format!("x-amzn-errortype: {}", code.to_ascii_lowercase())),
            "{}",
            self.head
        );
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(mentions), "{mentions:?} in {message:?}");
    }
}

/// Reads one response (the server closes the connection after it).
async fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut buf = Vec::new();
    let read = stream.read_to_end(&mut buf);
    tokio::time::timeout(std::time::Duration::from_secs(30), read)
        .await
        .expect("the server answers")
        .expect("read");
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end: {:?}", String::from_utf8_lossy(&buf)));
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head[9..12].parse().expect("status");
    let mut body = buf[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Reply { status, head, body }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line = b.windows(2).position(|w| w == b"\r\n").expect("chunk size");
        let size = usize::from_str_radix(std::str::from_utf8(&b[..line]).unwrap().trim(), 16)
            .expect("hex size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[line + 2..line + 2 + size]);
        b = &b[line + 2 + size + 2..];
    }
}

fn head(addr: std::net::SocketAddr, op: &str, length: Option<usize>) -> String {
    let framing = match length {
        Some(n) => format!("Content-Length: {n}"),
        None => "Transfer-Encoding: chunked".to_string(),
    };
    format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{framing}\r\n\
         X-Amz-Target: SpencerFrontendService.{op}\r\n\
         Content-Type: application/x-amz-json-1.1\r\nAuthorization: {AUTH}\r\n\r\n"
    )
}

async fn call(addr: std::net::SocketAddr, op: &str, body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(head(addr, op, Some(body.len())).as_bytes())
        .await
        .unwrap();
    stream.write_all(body).await.unwrap();
    read_reply(&mut stream).await
}

async fn call_str(addr: std::net::SocketAddr, op: &str, body: &str) -> Reply {
    call(addr, op, body.as_bytes()).await
}

/// What the demo state looks like through the read operations, to prove refused requests left it
/// alone.
async fn snapshot(addr: std::net::SocketAddr) -> Vec<Value> {
    let mut out = Vec::new();
    for (op, body) in [
        ("DescribeRepositories", "{}"),
        ("DescribeRegistries", "{}"),
        ("GetRepositoryCatalogData", r#"{"repositoryName": "web"}"#),
        ("GetRepositoryPolicy", r#"{"repositoryName": "web"}"#),
        (
            "ListTagsForResource",
            r#"{"resourceArn": "arn:aws:ecr-public::123456789012:repository/web"}"#,
        ),
        ("DescribeImageTags", r#"{"repositoryName": "web"}"#),
    ] {
        let r = call_str(addr, op, body).await;
        assert_eq!(
            r.status,
            200,
            "{op}: {:?}",
            String::from_utf8_lossy(&r.body)
        );
        out.push(r.json());
    }
    out
}

#[tokio::test]
async fn an_oversized_chunked_body_is_refused_and_the_server_keeps_serving() {
    let emu = emulator::start(EmulatorOptions::default()).await.unwrap();
    let addr = emu.addr();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(head(addr, "PutRepositoryCatalogData", None).as_bytes())
        .await
        .unwrap();
    // No declared length: the limit must hold while reading. 1 MiB chunks up to the limit and
    // past it; the server may stop reading (and close) before all of it is sent.
    let chunk = vec![b' '; 1 << 20];
    let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
    framed.extend_from_slice(&chunk);
    framed.extend_from_slice(b"\r\n");
    let mut sent = 0;
    while sent <= MAX_REQUEST_BYTES + chunk.len() {
        if stream.write_all(&framed).await.is_err() {
            break;
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let r = read_reply(&mut stream).await;
    r.assert_error(413, "RequestEntityTooLargeException", "larger than");
    // Still serving, and nothing changed.
    let r = call_str(addr, "DescribeRegistries", "{}").await;
    assert_eq!(r.status, 200);
    emu.shutdown().await;
}

#[tokio::test]
async fn unreadable_bodies_are_serialization_errors() {
    let emu = emulator::start(EmulatorOptions::default()).await.unwrap();
    let addr = emu.addr();
    let before = snapshot(addr).await;
    let deep_array = "[".repeat(100_000);
    let deep_object = format!(
        "{{\"repositoryName\": \"web\", \"catalogData\": {}",
        "{\"a\":".repeat(100_000)
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        // Nested far past serde_json's recursion limit: an error, not a stack overflow.
        ("DescribeRepositories", deep_array.into_bytes()),
        ("PutRepositoryCatalogData", deep_object.into_bytes()),
        // Invalid UTF-8 inside a string.
        (
            "CreateRepository",
            b"{\"repositoryName\": \"a\xff\xfeb\"}".to_vec(),
        ),
        // Not an object: a string holding one, a NUL byte.
        ("DescribeRepositories", br#""{}""#.to_vec()),
        ("DescribeRepositories", b"\0".to_vec()),
    ];
    for (op, body) in cases {
        let r = call(addr, op, &body).await;
        let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        assert_eq!(r.status, 400, "{op} {shown:?}: {r:?}");
        r.assert_error(400, "SerializationException", "");
    }
    assert_eq!(
        snapshot(addr).await,
        before,
        "refused requests changed nothing"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn wrong_types_anywhere_are_serialization_errors_naming_the_member() {
    let emu = emulator::start(EmulatorOptions::default()).await.unwrap();
    let addr = emu.addr();
    let before = snapshot(addr).await;
    let arn = "arn:aws:ecr-public::123456789012:repository/web";
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "PutRepositoryCatalogData",
            r#"{"repositoryName": "web", "catalogData": "about"}"#.into(),
            "catalogData",
        ),
        (
            "PutRepositoryCatalogData",
            r#"{"repositoryName": "web", "catalogData": {"description": 5}}"#.into(),
            "catalogData.description",
        ),
        (
            "PutRepositoryCatalogData",
            r#"{"repositoryName": "web", "catalogData": {"architectures": "ARM 64"}}"#.into(),
            "catalogData.architectures",
        ),
        (
            "PutRepositoryCatalogData",
            r#"{"repositoryName": "web", "catalogData": {"operatingSystems": [["Linux"]]}}"#.into(),
            "catalogData.operatingSystems",
        ),
        (
            "BatchDeleteImage",
            r#"{"repositoryName": "web", "imageIds": {"imageTag": "latest"}}"#.into(),
            "imageIds",
        ),
        (
            "BatchDeleteImage",
            r#"{"repositoryName": "web", "imageIds": ["latest"]}"#.into(),
            "imageIds",
        ),
        (
            "BatchDeleteImage",
            r#"{"repositoryName": "web", "imageIds": [{"imageTag": 1}]}"#.into(),
            "imageTag",
        ),
        (
            "TagResource",
            format!(r#"{{"resourceArn": "{arn}", "tags": {{"team": "x"}}}}"#),
            "tags",
        ),
        (
            "TagResource",
            format!(r#"{{"resourceArn": "{arn}", "tags": [{{"Key": "team", "Value": 7}}]}}"#),
            "Value",
        ),
        (
            "UntagResource",
            format!(r#"{{"resourceArn": "{arn}", "tagKeys": [true]}}"#),
            "tagKeys",
        ),
        (
            "DescribeRepositories",
            r#"{"repositoryNames": "web"}"#.into(),
            "repositoryNames",
        ),
        (
            "DeleteRepository",
            r#"{"repositoryName": "web", "force": "true"}"#.into(),
            "force",
        ),
        (
            "SetRepositoryPolicy",
            r#"{"repositoryName": "web", "policyText": {"Version": "2012-10-17"}}"#.into(),
            "policyText",
        ),
    ];
    for (op, body, member) in cases {
        let r = call_str(addr, op, &body).await;
        assert_eq!(r.status, 400, "{op} {body}: {r:?}");
        r.assert_error(400, "SerializationException", member);
    }
    assert_eq!(
        snapshot(addr).await,
        before,
        "refused requests changed nothing"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn unknown_and_misplaced_members_are_ignored_not_obeyed() {
    let emu = emulator::start(EmulatorOptions::default()).await.unwrap();
    let addr = emu.addr();
    let before = snapshot(addr).await;

    // A member name in the wrong case is not the member: the required name is missing, and the
    // error says which member the operation needs.
    let r = call_str(addr, "DeleteRepository", r#"{"RepositoryName": "web"}"#).await;
    r.assert_error(400, "InvalidParameterException", "repositoryName");
    // A member of another operation, or one the service does not have, does nothing: `force`
    // does not make DescribeRepositories delete, `policyText` on catalog reads sets no policy.
    let r = call_str(
        addr,
        "DescribeRepositories",
        r#"{"repositoryNames": ["web"], "force": true, "__type": "DeleteRepository"}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["repositories"][0]["repositoryName"], "web");
    let r = call_str(
        addr,
        "GetRepositoryCatalogData",
        r#"{"repositoryName": "web", "policyText": "{}", "catalogData": {"description": "x"}}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        snapshot(addr).await,
        before,
        "unknown members changed nothing"
    );

    // Unknown members nested in a structure are dropped, not stored and echoed back.
    let r = call_str(
        addr,
        "PutRepositoryCatalogData",
        r#"{"repositoryName": "web", "catalogData": {"description": "new", "evil": "x", "logoUrl": "http://evil.example/"}}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", String::from_utf8_lossy(&r.body));
    let stored = call_str(
        addr,
        "GetRepositoryCatalogData",
        r#"{"repositoryName": "web"}"#,
    )
    .await
    .json();
    let catalog = &stored["catalogData"];
    assert_eq!(catalog["description"], "new");
    assert!(catalog.get("evil").is_none(), "{catalog}");
    assert_ne!(catalog["logoUrl"], "http://evil.example/", "{catalog}");
    emu.shutdown().await;
}
