//! A hostile ECR Public endpoint for the tests: a small HTTP/1.1 server on 127.0.0.1:0 that sits
//! in front of an in-process emulator and, per request, either passes it through or misbehaves as
//! its script says (a repeated or cycling nextToken, oversized pages, a 100 MB body, broken JSON,
//! HTML, a trickle, a chunked body that never ends, a bare 5xx, a redirect loop, huge headers).
//!
//! It speaks raw HTTP over tokio sockets rather than through a server framework, because most of
//! what it must send (lying lengths, endless chunks, a thousand headers) is what a framework is
//! built to prevent. Every answer closes its connection, so each request is one connection.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One way for an endpoint to misbehave; `ALL` lists them (the rows of the harness).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Misbehaviour {
    /// A list page whose nextToken is the token it was asked with.
    RepeatToken,
    /// Tokens cycling: the third page hands out the first page's token again (A → B → A).
    TokenCycle,
    /// A list page with more rows than maxResults.
    OversizePage,
    /// 100 MB announced by Content-Length (and sent, if anyone reads it).
    HugeBodyAnnounced,
    /// 100 MB chunked, without a length.
    HugeBodyChunked,
    /// The real answer cut in the middle.
    TruncatedJson,
    /// Not JSON at all.
    InvalidJson,
    /// The operation's list member as a string, a number where a string belongs.
    WrongTypes,
    /// The real answer without the members the model calls required.
    MissingRequired,
    /// An enum value the SDK does not know (registry alias status).
    UnknownEnum,
    /// An HTML page with status 200.
    Html200,
    /// The real answer, one byte a second.
    Trickle,
    /// A chunked body that never ends (a chunk every 100 ms).
    EndlessChunked,
    /// 500 with no body.
    ServerErrorNoBody,
    /// 302 to itself.
    RedirectLoop,
    /// 2,000 headers of 1 KiB each.
    HugeHeaders,
}

impl Misbehaviour {
    pub const ALL: [Misbehaviour; 16] = [
        Misbehaviour::RepeatToken,
        Misbehaviour::TokenCycle,
        Misbehaviour::OversizePage,
        Misbehaviour::HugeBodyAnnounced,
        Misbehaviour::HugeBodyChunked,
        Misbehaviour::TruncatedJson,
        Misbehaviour::InvalidJson,
        Misbehaviour::WrongTypes,
        Misbehaviour::MissingRequired,
        Misbehaviour::UnknownEnum,
        Misbehaviour::Html200,
        Misbehaviour::Trickle,
        Misbehaviour::EndlessChunked,
        Misbehaviour::ServerErrorNoBody,
        Misbehaviour::RedirectLoop,
        Misbehaviour::HugeHeaders,
    ];

    /// Whether the misbehaviour only ends by the client's timeout.
    pub fn stalls(self) -> bool {
        matches!(self, Misbehaviour::Trickle | Misbehaviour::EndlessChunked)
    }
}

pub const HUGE_BODY: u64 = 100 * 1024 * 1024;

/// What the script sees of a request.
#[derive(Debug, Clone)]
pub struct Request {
    /// `DescribeRepositories`, … (the part of X-Amz-Target after the dot).
    pub op: String,
    pub next_token: Option<String>,
    pub max_results: Option<usize>,
    /// 0 for the first request this server received.
    pub number: usize,
}

/// `None`: pass the request to the emulator and its answer back unchanged.
pub type Script = Arc<dyn Fn(&Request) -> Option<Misbehaviour> + Send + Sync>;

/// A script that misbehaves as `m` for `op` on every request with a nextToken (the first page is
/// real, so a listing has rows before it goes wrong).
pub fn on_later_pages(op: &'static str, m: Misbehaviour) -> Script {
    Arc::new(move |r| (r.op == op && r.next_token.is_some()).then_some(m))
}

/// A script that misbehaves as `m` on every request for `op`.
pub fn always(op: &'static str, m: Misbehaviour) -> Script {
    Arc::new(move |r| (r.op == op).then_some(m))
}

#[derive(Default)]
struct Shared {
    requests: Vec<Request>,
    /// Tokens seen in requests, per operation, in order (for the token cycle).
    tokens: Vec<(String, String)>,
}

pub struct Hostile {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Hostile {
    /// Serve on 127.0.0.1:0 in front of the emulator at `upstream` (`http://127.0.0.1:PORT`).
    pub async fn start(upstream: &str, script: Script) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let tasks: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (s, t) = (shared.clone(), tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (s, script, upstream) = (s.clone(), script.clone(), upstream.clone());
                let task = tokio::spawn(async move {
                    let _ = serve(sock, &upstream, &script, &s).await;
                });
                t.lock().unwrap().push(task);
            }
        });
        tasks.lock().unwrap().push(accept);
        Hostile {
            url: format!("http://{addr}"),
            shared,
            tasks,
        }
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.lock().unwrap().requests.clone()
    }

    pub fn requests_for(&self, op: &str) -> usize {
        self.requests().iter().filter(|r| r.op == op).count()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

/// A raw request: head and body.
struct Raw {
    head: String,
    body: Vec<u8>,
}

async fn read_request(sock: &mut TcpStream) -> std::io::Result<Raw> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 1 << 20 {
            return Err(std::io::Error::other("request head too large"));
        }
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len = header(&head, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Raw { head, body })
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

async fn serve(
    mut sock: TcpStream,
    upstream: &str,
    script: &Script,
    shared: &Mutex<Shared>,
) -> std::io::Result<()> {
    let raw = read_request(&mut sock).await?;
    let json: Value = serde_json::from_slice(&raw.body).unwrap_or(Value::Null);
    let op = header(&raw.head, "x-amz-target")
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or_default()
        .to_string();
    let req = {
        let mut s = shared.lock().unwrap();
        let req = Request {
            op: op.clone(),
            next_token: json["nextToken"].as_str().map(str::to_string),
            max_results: json["maxResults"].as_u64().map(|n| n as usize),
            number: s.requests.len(),
        };
        s.requests.push(req.clone());
        if let Some(t) = &req.next_token
            && !s.tokens.iter().any(|(o, x)| *o == op && x == t)
        {
            s.tokens.push((op.clone(), t.clone()));
        }
        req
    };
    let Some(m) = script(&req) else {
        let (status, head, body) = forward(upstream, &raw).await?;
        return respond(&mut sock, status, &content_type(&head), &body).await;
    };
    use Misbehaviour::*;
    match m {
        RepeatToken | TokenCycle | OversizePage | TruncatedJson | WrongTypes | MissingRequired
        | UnknownEnum | Trickle => {
            let (status, head, body) = forward(upstream, &raw).await?;
            let mut v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let list = list_member(&op);
            match m {
                RepeatToken => {
                    let t = req.next_token.clone().unwrap_or_else(|| "hostile-A".into());
                    v["nextToken"] = Value::String(t);
                }
                TokenCycle => {
                    // The first token this operation was asked with, once it is asked with a
                    // later one: A → B → A.
                    let first = shared
                        .lock()
                        .unwrap()
                        .tokens
                        .iter()
                        .find(|(o, _)| *o == op)
                        .map(|(_, t)| t.clone());
                    match (&req.next_token, first) {
                        (Some(t), Some(first)) if *t != first => {
                            v["nextToken"] = Value::String(first)
                        }
                        _ => {}
                    }
                }
                OversizePage => {
                    let max = req.max_results.unwrap_or(100);
                    if let Some(rows) = v[list].as_array_mut()
                        && let Some(first) = rows.first().cloned()
                    {
                        while rows.len() <= max {
                            rows.push(first.clone());
                        }
                    }
                }
                WrongTypes => {
                    v[list] = Value::String("not a list".into());
                    v["nextToken"] = Value::from(42);
                }
                MissingRequired => {
                    for row in v[list].as_array_mut().into_iter().flatten() {
                        if let Some(o) = row.as_object_mut() {
                            for k in [
                                "registryId",
                                "registryUri",
                                "registryArn",
                                "verified",
                                "aliases",
                                "repositoryName",
                                "imageDigest",
                            ] {
                                o.remove(k);
                            }
                        }
                    }
                }
                UnknownEnum => {
                    for reg in v["registries"].as_array_mut().into_iter().flatten() {
                        for alias in reg["aliases"].as_array_mut().into_iter().flatten() {
                            alias["status"] = Value::String("QUANTUM_\u{1b}[31mSTATE".into());
                        }
                    }
                }
                _ => {}
            }
            let mut out = if v.is_null() {
                body
            } else {
                serde_json::to_vec(&v).expect("json")
            };
            match m {
                TruncatedJson => {
                    out.truncate(out.len() / 2);
                    respond(&mut sock, 200, "application/x-amz-json-1.1", &out).await
                }
                Trickle => {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n",
                        out.len()
                    );
                    sock.write_all(head.as_bytes()).await?;
                    for b in out {
                        sock.write_all(&[b]).await?;
                        sock.flush().await?;
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    Ok(())
                }
                _ => respond(&mut sock, status, &content_type(&head), &out).await,
            }
        }
        HugeBodyAnnounced => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n\
                 Content-Length: {HUGE_BODY}\r\nConnection: close\r\n\r\n"
            );
            sock.write_all(head.as_bytes()).await?;
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < HUGE_BODY {
                sock.write_all(&chunk).await?;
                sent += chunk.len() as u64;
            }
            Ok(())
        }
        HugeBodyChunked => {
            sock.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n\
                  Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            )
            .await?;
            let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
            chunk.extend(std::iter::repeat_n(b' ', 64 * 1024));
            chunk.extend_from_slice(b"\r\n");
            let mut sent = 0;
            while sent < HUGE_BODY {
                sock.write_all(&chunk).await?;
                sent += 64 * 1024;
            }
            sock.write_all(b"0\r\n\r\n").await
        }
        InvalidJson => {
            respond(
                &mut sock,
                200,
                "application/x-amz-json-1.1",
                b"{\"repositories\": [{,,,}",
            )
            .await
        }
        Html200 => {
            let html = b"<!DOCTYPE html><html><head><title>Captive portal</title></head>\
                         <body><h1>Please log in to the hotel Wi-Fi</h1></body></html>";
            respond(&mut sock, 200, "text/html; charset=utf-8", html).await
        }
        EndlessChunked => {
            sock.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n\
                  Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            )
            .await?;
            sock.write_all(b"1\r\n{\r\n").await?;
            loop {
                sock.write_all(b"1\r\n \r\n").await?;
                sock.flush().await?;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        ServerErrorNoBody => respond(&mut sock, 500, "", b"").await,
        RedirectLoop => {
            let head = "HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\n\
                        Connection: close\r\n\r\n";
            sock.write_all(head.as_bytes()).await
        }
        HugeHeaders => {
            let mut head = String::from("HTTP/1.1 200 OK\r\n");
            let filler = "x".repeat(1024);
            for i in 0..2000 {
                head.push_str(&format!("X-Hostile-{i}: {filler}\r\n"));
            }
            head.push_str("Content-Length: 2\r\nConnection: close\r\n\r\n{}");
            sock.write_all(head.as_bytes()).await
        }
    }
}

fn list_member(op: &str) -> &'static str {
    match op {
        "DescribeRegistries" => "registries",
        "DescribeImages" => "imageDetails",
        "DescribeImageTags" => "imageTagDetails",
        _ => "repositories",
    }
}

fn content_type(head: &str) -> String {
    header(head, "content-type")
        .unwrap_or("application/x-amz-json-1.1")
        .to_string()
}

async fn respond(
    sock: &mut TcpStream,
    status: u16,
    ctype: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    if !ctype.is_empty() {
        head.push_str(&format!("Content-Type: {ctype}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    sock.write_all(head.as_bytes()).await?;
    sock.write_all(body).await?;
    sock.flush().await
}

/// Send the request to the emulator on a connection of its own; its status, head and body.
async fn forward(upstream: &str, raw: &Raw) -> std::io::Result<(u16, String, Vec<u8>)> {
    let mut up = TcpStream::connect(upstream).await?;
    let mut head = String::new();
    for (i, line) in raw.head.split("\r\n").enumerate() {
        if i == 0 {
            head.push_str(line);
            head.push_str("\r\n");
            continue;
        }
        let name = line.split(':').next().unwrap_or_default().trim();
        if line.is_empty()
            || name.eq_ignore_ascii_case("connection")
            || name.eq_ignore_ascii_case("host")
        {
            continue;
        }
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Host: {upstream}\r\nConnection: close\r\n\r\n"));
    up.write_all(head.as_bytes()).await?;
    up.write_all(&raw.body).await?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp).await?;
    let end = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no response head"))?
        + 4;
    let head = String::from_utf8_lossy(&resp[..end]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let mut body = resp[end..].to_vec();
    if header(&head, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body);
    }
    Ok((status, head, body))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&data[..i])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 || data.len() < i + 2 + size {
            break;
        }
        out.extend_from_slice(&data[i + 2..i + 2 + size]);
        data = &data[(i + 4 + size).min(data.len())..];
    }
    out
}
