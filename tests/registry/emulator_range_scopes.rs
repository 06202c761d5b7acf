//! The emulator's registry plane: blob GETs honour a byte `Range` (containers/image resumes an
//! interrupted layer download with one), and push tokens are bound to the repositories their
//! scope asked for (a token for repository A never pushes to B; an anonymous one never pushes).

use crate::support::common;

use std::collections::BTreeMap;

use aws_sdk_ecrpublic::Client;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use ecrp::emulator::EmulatorOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Resp {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

/// One request over a fresh connection (Connection: close), read to its end.
async fn send(addr: &str, method: &str, target: &str, headers: &[(&str, &str)]) -> Resp {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!(
        "{method} {target} HTTP/1.1\r\nConnection: close\r\nHost: {addr}\r\nContent-Length: 0\r\n"
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
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
    assert!(
        !headers
            .get("transfer-encoding")
            .is_some_and(|t| t.contains("chunked")),
        "blob answers carry a Content-Length"
    );
    Resp {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
    }
}

/// A token from the token endpoint for these scopes, logged in with GetAuthorizationToken's
/// password when `c` is given.
async fn token(addr: &str, c: Option<&Client>, scopes: &[&str]) -> String {
    let mut target = "/token/?service=public.ecr.aws".to_string();
    for s in scopes {
        target.push_str(&format!("&scope={s}"));
    }
    let basic = match c {
        Some(c) => {
            let t = ok(c.get_authorization_token().send().await)
                .authorization_data
                .and_then(|a| a.authorization_token)
                .expect("an authorization token");
            assert!(
                String::from_utf8(STANDARD.decode(&t).unwrap())
                    .unwrap()
                    .starts_with("AWS:")
            );
            Some(format!("Basic {t}"))
        }
        None => None,
    };
    let headers: Vec<(&str, &str)> = basic
        .as_deref()
        .map(|b| vec![("Authorization", b)])
        .unwrap_or_default();
    let r = send(addr, "GET", &target, &headers).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    v["token"].as_str().expect("token").to_string()
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

async fn ranges_on(opts: EmulatorOptions) {
    let (emu, c) = start_with(opts).await;
    let a = emu.addr().to_string();
    create_repo(&c, "ranged").await;
    let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let digest = upload_layer(&c, "ranged", &data).await;
    let t = token(&a, None, &["repository:acme/ranged:pull"]).await;
    let path = format!("/v2/acme/ranged/blobs/{digest}");
    let get = |range: Option<&'static str>| {
        let (a, path, auth) = (a.clone(), path.clone(), bearer(&t));
        async move {
            let mut h = vec![("Authorization", auth.as_str())];
            if let Some(r) = range {
                h.push(("Range", r));
            }
            send(&a, "GET", &path, &h).await
        }
    };

    let whole = get(None).await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.body, data);
    assert_eq!(whole.headers["accept-ranges"], "bytes");

    // Resuming after 70,000 bytes, as containers/image does.
    let rest = get(Some("bytes=70000-")).await;
    assert_eq!(rest.status, 206);
    assert_eq!(rest.headers["content-range"], "bytes 70000-199999/200000");
    assert_eq!(rest.headers["content-length"], "130000");
    assert_eq!(rest.body, &data[70_000..]);
    // A closed range crossing a read chunk boundary, and a suffix.
    let mid = get(Some("bytes=65530-65545")).await;
    assert_eq!(mid.status, 206);
    assert_eq!(mid.body, &data[65_530..=65_545]);
    let tail = get(Some("bytes=-10")).await;
    assert_eq!(tail.headers["content-range"], "bytes 199990-199999/200000");
    assert_eq!(tail.body, &data[199_990..]);
    // Past the end: 416 with the size; several ranges: the whole blob.
    let past = get(Some("bytes=200000-")).await;
    assert_eq!(past.status, 416);
    assert_eq!(past.headers["content-range"], "bytes */200000");
    let multi = get(Some("bytes=0-1,5-6")).await;
    assert_eq!((multi.status, multi.body.len()), (200, data.len()));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blob_gets_honour_a_byte_range_in_memory_and_with_a_data_dir() {
    ranges_on(EmulatorOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    ranges_on(EmulatorOptions {
        data_dir: Some(dir.path().join("data")),
        ..Default::default()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_token_pushes_only_to_the_repositories_it_was_issued_for() {
    let (emu, c) = start_with(EmulatorOptions::default()).await;
    let a = emu.addr().to_string();
    create_repo(&c, "scope-a").await;
    create_repo(&c, "scope-b").await;
    let upload = |repo: &'static str, t: String| {
        let a = a.clone();
        async move {
            let auth = bearer(&t);
            let target = format!("/v2/acme/{repo}/blobs/uploads/");
            send(&a, "POST", &target, &[("Authorization", &auth)]).await
        }
    };
    let code = |r: &Resp| {
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
        v["errors"][0]["code"].as_str().unwrap_or("").to_string()
    };

    // Logged in, push asked for A: A accepts an upload, B refuses it.
    let for_a = token(&a, Some(&c), &["repository:acme/scope-a:pull,push"]).await;
    assert_eq!(upload("scope-a", for_a.clone()).await.status, 202);
    let r = upload("scope-b", for_a.clone()).await;
    assert_eq!((r.status, code(&r).as_str()), (403, "DENIED"));
    // Pull of A only, though logged in: no push anywhere.
    let pull_a = token(&a, Some(&c), &["repository:acme/scope-a:pull"]).await;
    for repo in ["scope-a", "scope-b"] {
        let r = upload(repo, pull_a.clone()).await;
        assert_eq!((r.status, code(&r).as_str()), (403, "DENIED"), "{repo}");
    }
    // Anonymous, even asking for push: refused.
    let anon = token(&a, None, &["repository:acme/scope-b:pull,push"]).await;
    let r = upload("scope-b", anon).await;
    assert_eq!((r.status, code(&r).as_str()), (403, "DENIED"));
    // Two scopes in one request (a cross-repository mount asks for both): both pushable.
    let both = token(
        &a,
        Some(&c),
        &[
            "repository:acme/scope-a:pull,push",
            "repository:acme/scope-b:pull,push",
        ],
    )
    .await;
    for repo in ["scope-a", "scope-b"] {
        assert_eq!(upload(repo, both.clone()).await.status, 202, "{repo}");
    }
    // Every token still pulls any repository (ECR Public's content is public).
    let r = send(
        &a,
        "GET",
        "/v2/acme/scope-b/tags/list",
        &[("Authorization", &bearer(&for_a))],
    )
    .await;
    assert_eq!(r.status, 200);
    emu.shutdown().await;
}
