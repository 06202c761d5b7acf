//! `--verify-sigv4`: the emulator checks signatures as AWS does, so these tests prove the clients
//! sign correctly and that a wrong key, a wrong secret, a changed byte or an old request is refused.
//!
//! boto3 comes from `ECRP_PYTHON` or `python3`; without it that test prints SKIPPED, unless
//! `ECRP_REQUIRE_INTEROP=1`, where it fails.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_ecrpublic::Client;
use aws_sdk_ecrpublic::error::ProvideErrorMetadata;
use ecrp::aws::{DEFAULT_REGION, DEMO_ACCESS_KEY, DEMO_SECRET_KEY};
use ecrp::emulator::{self, Emulator, EmulatorOptions, Seed, SigV4Key};

async fn verifying() -> Emulator {
    emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        verify_sigv4: Some(
            SigV4Key::parse(&format!("{DEMO_ACCESS_KEY}:{DEMO_SECRET_KEY}")).unwrap(),
        ),
        ..Default::default()
    })
    .await
    .expect("emulator starts")
}

async fn client(url: &str, ak: &str, sk: &str) -> Client {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(DEFAULT_REGION))
        .endpoint_url(url)
        .credentials_provider(Credentials::new(ak, sk, None, None, "test"))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    Client::new(&sdk)
}

#[tokio::test]
async fn the_sdk_with_the_right_key_works_and_wrong_keys_are_refused_as_aws_does() {
    let emu = verifying().await;
    let good = client(&emu.url(), DEMO_ACCESS_KEY, DEMO_SECRET_KEY).await;
    good.create_repository()
        .repository_name("signed")
        .send()
        .await
        .expect("a correctly signed request succeeds");
    let repos = good.describe_repositories().send().await.unwrap();
    assert_eq!(repos.repositories().len(), 1);

    let wrong_secret = client(&emu.url(), DEMO_ACCESS_KEY, "not-the-secret").await;
    let e = wrong_secret
        .create_repository()
        .repository_name("forged")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidSignatureException"));
    assert!(
        e.message()
            .unwrap()
            .starts_with("The request signature we calculated does not match")
    );
    assert_eq!(e.raw_response().unwrap().status().as_u16(), 403);

    let unknown = client(&emu.url(), "AKIDUNKNOWN000000000", DEMO_SECRET_KEY).await;
    let e = unknown.describe_repositories().send().await.unwrap_err();
    assert_eq!(e.code(), Some("UnrecognizedClientException"));
    assert_eq!(
        e.message(),
        Some("The security token included in the request is invalid.")
    );
    assert_eq!(e.raw_response().unwrap().status().as_u16(), 403);

    // Refused requests changed nothing.
    let repos = good.describe_repositories().send().await.unwrap();
    assert_eq!(repos.repositories().len(), 1);
    emu.shutdown().await;
}

/// Reads one HTTP/1.1 message (head + Content-Length body) from `s`.
fn read_message(s: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = s.read(&mut chunk).expect("read");
        assert!(n > 0, "connection closed mid-message");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).expect("read");
                assert!(n > 0, "connection closed mid-body");
                buf.extend_from_slice(&chunk[..n]);
            }
            return buf;
        }
    }
}

/// Captures the exact bytes the SDK sends for one CreateRepository call (a loopback recorder
/// answering `{}`).
async fn capture_signed_request() -> Vec<u8> {
    let rec = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", rec.local_addr().unwrap());
    let recorder = std::thread::spawn(move || {
        let (mut s, _) = rec.accept().unwrap();
        let req = read_message(&mut s);
        let reply = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
        s.write_all(reply).unwrap();
        req
    });
    let c = client(&url, DEMO_ACCESS_KEY, DEMO_SECRET_KEY).await;
    // The recorder's "{}" lacks a repository; the call's outcome does not matter.
    let _ = c
        .create_repository()
        .repository_name("replayed")
        .send()
        .await;
    recorder.join().unwrap()
}

/// Sends raw bytes to the emulator and returns (status, body).
fn exchange(url: &str, req: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    s.write_all(req).unwrap();
    let resp = read_message(&mut s);
    let text = String::from_utf8_lossy(&resp).to_string();
    let status = text[9..12].parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

fn replace_once(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len(), "keep Content-Length right");
    let at = haystack
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("{:?} not in the request", String::from_utf8_lossy(from)));
    let mut out = haystack.to_vec();
    out[at..at + from.len()].copy_from_slice(to);
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replayed_request_with_one_byte_changed_or_an_old_date_is_refused() {
    let emu = verifying().await;
    let original = capture_signed_request().await;
    let text = String::from_utf8_lossy(&original).to_string();
    assert!(text.contains("\"repositoryName\":\"replayed\""), "{text}");

    let tampered = replace_once(&original, b"\"replayed\"", b"\"replayee\"");
    let (status, body) = exchange(&emu.url(), &tampered);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("\"InvalidSignatureException\""), "{body}");
    assert!(body.contains("does not match the signature"), "{body}");

    let date_at = text.to_ascii_lowercase().find("x-amz-date: ").unwrap() + 12;
    let date = &text[date_at..date_at + 16];
    let stale = replace_once(&original, date.as_bytes(), b"20200101T000000Z");
    let (status, body) = exchange(&emu.url(), &stale);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("Signature expired"), "{body}");

    // The untouched bytes are accepted: the refusals above were about the changes.
    let (status, body) = exchange(&emu.url(), &original);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"repositoryName\":\"replayed\""), "{body}");
    assert_eq!(emu.op_counts()["CreateRepository"], 3);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn boto3_signs_correctly() {
    let py = std::env::var("ECRP_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".into());
    let has_boto3 = Command::new(&py)
        .args(["-c", "import boto3"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_boto3 {
        assert!(
            std::env::var("ECRP_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "no python with boto3 and ECRP_REQUIRE_INTEROP=1"
        );
        eprintln!("SKIPPED boto3_signs_correctly: no python with boto3 (set ECRP_PYTHON)");
        return;
    }
    let emu = verifying().await;
    let script = r#"
import sys, boto3, botocore
url, ak, sk = sys.argv[1:4]
def c(secret):
    return boto3.client("ecr-public", region_name="us-east-1", endpoint_url=url,
                        aws_access_key_id=ak, aws_secret_access_key=secret)
c(sk).create_repository(repositoryName="from-boto3", catalogData={"description": "signed by boto3"})
names = [r["repositoryName"] for r in c(sk).describe_repositories()["repositories"]]
assert names == ["from-boto3"], names
try:
    c(sk + "x").describe_repositories()
    sys.exit("a wrong secret was accepted")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidSignatureException", e.response
print("boto3 ok")
"#;
    let url = emu.url();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(&py)
            .args(["-c", script, &url, DEMO_ACCESS_KEY, DEMO_SECRET_KEY])
            .env("AWS_MAX_ATTEMPTS", "1")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "boto3 failed:\n{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "boto3 ok");
    emu.shutdown().await;
}

/// Sends `body` for `op` signed in the query string, returns (status, body).
fn presigned_call(url: &str, op: &str, body: &[u8], secret: &str) -> (u16, String) {
    exchange(url, &presigned_request(url, op, body, secret))
}

/// The raw bytes of a request for `op` whose signature aws-sigv4 (AWS's signer) put in the query.
fn presigned_request(url: &str, op: &str, body: &[u8], secret: &str) -> Vec<u8> {
    use aws_sigv4::http_request::{
        SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
    };
    use aws_smithy_runtime_api::client::identity::Identity;
    let identity = Identity::from(Credentials::new(DEMO_ACCESS_KEY, secret, None, None, "t"));
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(std::time::Duration::from_secs(300));
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("ecr-public")
        .time(std::time::SystemTime::now())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let target = format!("SpencerFrontendService.{op}");
    let host = url.trim_start_matches("http://").to_string();
    let headers = [
        ("host", host.as_str()),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", target.as_str()),
    ];
    let signable = SignableRequest::new(
        "POST",
        format!("{url}/"),
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let (extra_headers, query) = instructions.into_parts();
    assert!(extra_headers.is_empty(), "the query form adds no header");
    let query: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect();
    let mut req = format!(
        "POST /?{} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/x-amz-json-1.1\r\n\
         x-amz-target: {target}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        query.join("&"),
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    req
}

/// Percent-encoding of a query value (everything but the unreserved characters).
fn percent(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// AWS's Rust signer with the signature in the query string: the emulator verifies it, and a
/// wrong secret or a changed body is refused as the header form is.
#[tokio::test(flavor = "multi_thread")]
async fn query_string_signatures_from_aws_sigv4_are_verified() {
    let emu = verifying().await;
    let url = emu.url();
    let body = br#"{"repositoryName": "from-query"}"#;
    let (status, reply) = presigned_call(&url, "CreateRepository", body, "wrong-secret");
    assert_eq!(status, 403, "{reply}");
    assert!(reply.contains("InvalidSignatureException"), "{reply}");
    let (status, reply) = presigned_call(&url, "CreateRepository", body, DEMO_SECRET_KEY);
    assert_eq!(status, 200, "{reply}");
    assert!(
        reply.contains("\"repositoryName\":\"from-query\""),
        "{reply}"
    );
    // The same signed request with one byte of the body changed.
    let signed = presigned_request(&url, "DescribeRepositories", b"{}", DEMO_SECRET_KEY);
    let (status, reply) = exchange(&url, &signed);
    assert_eq!(status, 200, "{reply}");
    let forged = replace_once(&signed, b"\r\n\r\n{}", b"\r\n\r\n[]");
    let (status, reply) = exchange(&url, &forged);
    assert_eq!(status, 403, "{reply}");
    assert!(reply.contains("InvalidSignatureException"), "{reply}");
    let names: Vec<String> = client(&url, DEMO_ACCESS_KEY, DEMO_SECRET_KEY)
        .await
        .describe_repositories()
        .send()
        .await
        .unwrap()
        .repositories()
        .iter()
        .filter_map(|r| r.repository_name().map(str::to_string))
        .collect();
    assert_eq!(names, ["from-query"]);
    emu.shutdown().await;
}

/// Query-string SigV4 (the Common Parameters X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
/// X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature), signed by botocore's own SigV4QueryAuth,
/// is verified like the header form: the right key works, a wrong secret or a changed body is
/// refused. A request signed for a region without the ECR Public API is UnsupportedCommand.
#[tokio::test(flavor = "multi_thread")]
async fn boto3_query_string_signatures_are_verified() {
    let py = std::env::var("ECRP_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".into());
    let has_boto3 = Command::new(&py)
        .args(["-c", "import boto3"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_boto3 {
        assert!(
            std::env::var("ECRP_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "no python with boto3 and ECRP_REQUIRE_INTEROP=1"
        );
        eprintln!(
            "SKIPPED boto3_query_string_signatures_are_verified: no python with boto3 (set ECRP_PYTHON)"
        );
        return;
    }
    let emu = verifying().await;
    // A repository for the presigned DescribeRepositories to find, created by a presigned
    // request from AWS's Rust signer (which signs the JSON body).
    let (status, body) = presigned_call(
        &emu.url(),
        "CreateRepository",
        br#"{"repositoryName": "presigned"}"#,
        DEMO_SECRET_KEY,
    );
    assert_eq!(status, 200, "{body}");
    let script = r#"
import sys, json, urllib.request, urllib.error
import boto3, botocore
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, ak, sk = sys.argv[1:4]

def presigned(op, secret=sk, region="us-east-1", sent_body=b""):
    # botocore's query signer moves body members into the query string (it was made for query
    # services), so only operations without parameters are presigned here: their body is empty.
    req = AWSRequest(method="POST", url=url + "/", data=b"",
                     headers={"X-Amz-Target": "SpencerFrontendService." + op,
                              "Content-Type": "application/x-amz-json-1.1"})
    SigV4QueryAuth(Credentials(ak, secret), "ecr-public", region, expires=300).add_auth(req)
    p = req.prepare()
    assert "X-Amz-Signature=" in p.url and "Authorization" not in p.headers, p.url
    headers = {k: v for k, v in p.headers.items() if k.lower() != "content-length"}
    r = urllib.request.Request(p.url, data=sent_body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())

status, out = presigned("DescribeRepositories")
assert status == 200 and [r["repositoryName"] for r in out["repositories"]] == ["presigned"], out
status, out = presigned("GetAuthorizationToken")
assert status == 200 and out["authorizationData"]["authorizationToken"], out
status, out = presigned("DescribeRepositories", secret=sk + "x")
assert (status, out["__type"]) == (403, "InvalidSignatureException"), (status, out)
# A body added to a request signed without one breaks the signature.
status, out = presigned("DescribeRepositories", sent_body=b'{"maxResults": 1}')
assert (status, out["__type"]) == (403, "InvalidSignatureException"), (status, out)
status, out = presigned("DescribeRepositories", region="eu-west-1")
assert (status, out["__type"]) == (400, "UnsupportedCommandException"), (status, out)

# The header form from a boto3 client configured for a region without the API.
c = boto3.client("ecr-public", region_name="eu-central-1", endpoint_url=url,
                 aws_access_key_id=ak, aws_secret_access_key=sk)
try:
    c.describe_repositories()
    sys.exit("eu-central-1 was served")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "UnsupportedCommandException", e.response
print("query ok")
"#;
    let url = emu.url();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(&py)
            .args(["-c", script, &url, DEMO_ACCESS_KEY, DEMO_SECRET_KEY])
            .env("AWS_MAX_ATTEMPTS", "1")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "boto3 failed:\n{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "query ok");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_aws_cli_signs_correctly() {
    let aws = std::env::var("ECRP_AWS_CLI")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "aws".into());
    if Command::new(&aws).arg("--version").output().is_err() {
        assert!(
            std::env::var("ECRP_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "no AWS CLI and ECRP_REQUIRE_INTEROP=1"
        );
        eprintln!("SKIPPED the_aws_cli_signs_correctly: no `aws` (set ECRP_AWS_CLI)");
        return;
    }
    let emu = verifying().await;
    let url = emu.url();
    let run = move |secret: &str| {
        let out = Command::new(&aws)
            .args([
                "ecr-public",
                "create-repository",
                "--repository-name",
                "from-cli",
            ])
            .args([
                "--endpoint-url",
                &url,
                "--region",
                "us-east-1",
                "--output",
                "json",
            ])
            .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_MAX_ATTEMPTS", "1")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, stderr) = tokio::task::spawn_blocking({
        let run = run.clone();
        move || run("wrong-secret")
    })
    .await
    .unwrap();
    assert!(
        !ok && stderr.contains("InvalidSignatureException"),
        "{stderr}"
    );
    let (ok, stderr) = tokio::task::spawn_blocking(move || run(DEMO_SECRET_KEY))
        .await
        .unwrap();
    assert!(ok, "{stderr}");
    assert_eq!(emu.op_counts()["CreateRepository"], 2);
    emu.shutdown().await;
}
