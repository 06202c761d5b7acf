//! Fuzzing the emulator's request parser and dispatcher over raw HTTP: random targets (known
//! operations, near misses, garbage), random bodies (JSON built from the model's member names with
//! values of random types, and arbitrary bytes). Every request must get a well-formed answer: 200
//! with a JSON object, or 4xx with `{"__type", "message"}` and the x-amzn-errortype header; never a
//! 5xx (a panicking handler answers 500) and never a dropped connection.
//!
//! CI runs 1,500 cases. A long run: `PROPTEST_CASES=30000 cargo test --release --test props emulator_fuzz`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;

use ecrp::emulator::{self, EmulatorOptions, Seed, ops};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// One emulator (demo seed, so operations find data) for every case, on its own runtime.
fn addr() -> &'static str {
    static ADDR: OnceLock<String> = OnceLock::new();
    ADDR.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async {
                let emu = emulator::start(EmulatorOptions {
                    seed: Seed::Demo,
                    ..Default::default()
                })
                .await
                .unwrap();
                tx.send(emu.addr().to_string()).unwrap();
                // Serve until the test process exits.
                std::future::pending::<()>().await;
            });
        });
        rx.recv().unwrap()
    })
}

const MEMBERS: &[&str] = &[
    "repositoryName",
    "registryId",
    "imageIds",
    "imageTag",
    "imageDigest",
    "maxResults",
    "nextToken",
    "catalogData",
    "description",
    "aboutText",
    "usageText",
    "logoImageBlob",
    "architectures",
    "operatingSystems",
    "force",
    "policyText",
    "resourceArn",
    "tags",
    "tagKeys",
    "Key",
    "Value",
    "imageManifest",
    "imageManifestMediaType",
    "layerDigests",
    "uploadId",
    "partFirstByte",
    "partLastByte",
    "layerPartBlob",
    "displayName",
    "registryIds",
    "filter",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,40}".prop_map(Value::String),
        // Plausible values: names, tags, digests and ARNs the demo data has.
        prop::sample::select(vec![
            "demo-app",
            "latest",
            "v1",
            "sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "arn:aws:ecr-public::123456789012:repository/demo-app",
            "",
            "a",
        ])
        .prop_map(|s| Value::String(s.into())),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(MEMBERS), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec((prop::sample::select(MEMBERS), value()), 0..8).prop_map(|kv| {
            let m: Map<String, Value> = kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            serde_json::to_vec(&Value::Object(m)).unwrap()
        }),
        1 => value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => prop::collection::vec(any::<u8>(), 0..200),
        1 => "\\PC{0,80}".prop_map(String::into_bytes),
    ]
}

fn target() -> impl Strategy<Value = String> {
    let known: Vec<String> = ops::OPERATIONS
        .iter()
        .map(|o| format!("SpencerFrontendService.{}", o.name))
        .collect();
    prop_oneof![
        6 => prop::sample::select(known),
        1 => "SpencerFrontendService\\.[A-Za-z]{0,20}",
        1 => "[ -~]{0,30}",
    ]
}

fn send(target: &str, body: &[u8]) -> (u16, String, Option<String>, Vec<u8>) {
    let mut s = TcpStream::connect(addr()).unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nhost: {}\r\nx-amz-target: {target}\r\ncontent-type: application/x-amz-json-1.1\r\nauthorization: AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20260101/us-east-1/ecr-public/aws4_request, SignedHeaders=host, Signature=00\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        addr(),
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).expect("the server answers");
    let end = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&resp[..end]).to_string();
    let status = head[9..12].parse().unwrap();
    let errortype = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("x-amzn-errortype")
            .then(|| value.trim().to_string())
    });
    (status, head, errortype, resp[end + 4..].to_vec())
}

/// `PROPTEST_CASES` when set, else 1,500. Read here because a literal `cases` next to
/// `..ProptestConfig::default()` would override the variable that `default()` reads.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_request_gets_a_well_formed_answer(target in target(), body in body()) {
        let (status, head, errortype, resp) = send(&target, &body);
        let json: Value = serde_json::from_slice(&resp)
            .map_err(|e| TestCaseError::fail(format!("body is not JSON ({e}): {head}")))?;
        prop_assert!(json.is_object(), "not an object: {json}");
        match status {
            200 => prop_assert!(json.get("__type").is_none()),
            400..=499 => {
                let code = json["__type"].as_str().unwrap_or_default();
                prop_assert!(!code.is_empty(), "no __type: {json}");
                prop_assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
                prop_assert_eq!(errortype.as_deref(), Some(code));
            }
            _ => prop_assert!(false, "status {status} for {target} {json}"),
        }
    }
}
