//! Listing 100,000 images three ways (ecrp ls, the AWS CLI, a bare SDK paginator loop, in the
//! benchmark's process and as a process of its own), and the emulator's time to serve one
//! 1,000-row page.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use aws_credential_types::Credentials;
use aws_sdk_ecrpublic::Client;
use aws_sdk_ecrpublic::config::{BehaviorVersion, Region};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::procs::{self, ACCESS_KEY, SECRET_KEY};

/// A client with nothing of ecrp's: static credentials, the endpoint, SDK defaults otherwise.
pub fn bare_client(url: &str) -> Client {
    let conf = aws_sdk_ecrpublic::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new(
            ACCESS_KEY, SECRET_KEY, None, None, "bench",
        ))
        .build();
    Client::from_conf(conf)
}

/// The floor: the SDK's own paginator, 1,000 rows a page, counting rows and keeping nothing.
pub async fn floor_once(client: &Client, repo: &str) -> Result<(Duration, usize)> {
    let t = Instant::now();
    let mut pages = client
        .describe_images()
        .repository_name(repo)
        .max_results(1000)
        .into_paginator()
        .send();
    let mut n = 0;
    while let Some(page) = pages.next().await {
        n += page?.image_details.map_or(0, |v| v.len());
    }
    Ok((t.elapsed(), n))
}

/// The hidden argument that makes the benchmark binary run the floor as its own process.
pub const FLOOR_PROCESS: &str = "--sdk-floor-process";

/// The runtime a floor process uses: current-thread as `ecrp ls` runs, multi-thread as
/// `#[tokio::main]` builds by default.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Current,
    Multi,
}

impl Flavor {
    pub fn arg(self) -> &'static str {
        match self {
            Flavor::Current => "current-thread",
            Flavor::Multi => "multi-thread",
        }
    }
}

/// `scale --sdk-floor-process URL REPO FLAVOR`: the floor as a program of its own (runtime, bare
/// client, the same paginator loop), printing the row count. Returns the exit status.
pub fn floor_process_main(args: &[String]) -> i32 {
    let [url, repo, flavor] = args else {
        eprintln!("usage: {FLOOR_PROCESS} URL REPO current-thread|multi-thread");
        return 2;
    };
    let mut rt = if flavor == Flavor::Current.arg() {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let rt = match rt.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            return 1;
        }
    };
    let client = bare_client(url);
    match rt.block_on(floor_once(&client, repo)) {
        Ok((_, n)) => {
            println!("{n}");
            0
        }
        Err(e) => {
            eprintln!("{e:#}");
            1
        }
    }
}

fn floor_process(url: &str, repo: &str, flavor: Flavor) -> std::process::Command {
    let mut cmd = std::process::Command::new(std::env::current_exe().expect("own path"));
    cmd.args([FLOOR_PROCESS, url, repo, flavor.arg()]);
    procs::isolate(&mut cmd);
    cmd
}

/// The floor process timed exactly as `ecrp ls` is (spawn to exit, stdout to /dev/null).
pub fn floor_process_timed(url: &str, repo: &str, flavor: Flavor) -> Result<Duration> {
    procs::timed(&mut floor_process(url, repo, flavor), None)
}

/// The floor process's row count (not timed).
pub fn floor_process_count(url: &str, repo: &str, flavor: Flavor, dir: &Path) -> Result<usize> {
    let out = dir.join("floor.txt");
    procs::timed(&mut floor_process(url, repo, flavor), Some(&out))?;
    let text = std::fs::read_to_string(&out)?;
    text.trim()
        .parse()
        .with_context(|| format!("the floor process printed {text:?}"))
}

/// One DescribeImages round trip for the first 1,000 rows through the SDK (with parsing).
pub async fn first_page_rtt(client: &Client, repo: &str) -> Result<Duration> {
    let t = Instant::now();
    let out = client
        .describe_images()
        .repository_name(repo)
        .max_results(1000)
        .send()
        .await?;
    let took = t.elapsed();
    ensure!(out.image_details.map_or(0, |v| v.len()) == 1000);
    Ok(took)
}

/// The same page through ecrp's loader (its client settings, rows built): what the TUI waits for.
pub async fn loader_first_page(api: &ecrp::aws::Api, repo: &str) -> Result<Duration> {
    use futures::StreamExt;
    let t = Instant::now();
    let page = api.images(repo, None).next().await.context("no page")??;
    let took = t.elapsed();
    ensure!(page.rows.len() == 1000);
    Ok(took)
}

/// Converting the first 1,000-row page to ecrp's rows (`ImageRow::from_sdk`, media types
/// interned), `n` times on copies of one SDK page: the loader's own work on top of the round trip.
pub async fn convert_page(client: &Client, repo: &str, n: usize) -> Result<Vec<Duration>> {
    use ecrp::aws::{ImageRow, MediaTypes};
    let out = client
        .describe_images()
        .repository_name(repo)
        .max_results(1000)
        .send()
        .await?;
    let details = out.image_details.unwrap_or_default();
    ensure!(details.len() == 1000);
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let page = details.clone();
        let mut media = MediaTypes::default();
        let t = Instant::now();
        let rows: Vec<ImageRow> = page
            .into_iter()
            .map(|d| ImageRow::from_sdk(d, &mut media))
            .collect();
        samples.push(t.elapsed());
        drop(rows);
    }
    Ok(samples)
}

/// `ecrp ls images REPO --json` as the issue has it (stderr captured), timed with stdout to
/// /dev/null; with `log`, also `--log-file FILE` (logging through a file writer thread).
pub fn ecrp_ls_timed(url: &str, repo: &str, log: Option<&Path>) -> Result<Duration> {
    procs::timed(&mut ecrp_ls(url, repo, log), None)
}

/// The same command with stdout to a file, then the rows counted (not timed).
pub fn ecrp_ls_count(url: &str, repo: &str, dir: &Path) -> Result<usize> {
    let out = dir.join("ls.json");
    procs::timed(&mut ecrp_ls(url, repo, None), Some(&out))?;
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&out)?)
        .context("ecrp ls output is not a JSON array")?;
    Ok(rows.len())
}

fn ecrp_ls(url: &str, repo: &str, log: Option<&Path>) -> std::process::Command {
    let args = ["ls", "images", repo, "--json", "--endpoint-url", url];
    match log {
        Some(log) => procs::ecrp(&args, log),
        None => procs::ecrp_plain(&args),
    }
}

/// `aws ecr-public describe-images --repository-name REPO` as a user runs it (the CLI paginates on
/// its own), timed with stdout to /dev/null.
pub fn cli_list_timed(cli: &Path, url: &str, repo: &str) -> Result<Duration> {
    procs::timed(&mut cli_list(cli, url, repo), None)
}

/// The same command with stdout to a file, then `imageDetails` counted (not timed).
pub fn cli_list_count(cli: &Path, url: &str, repo: &str, dir: &Path) -> Result<usize> {
    let out = dir.join("cli.json");
    procs::timed(&mut cli_list(cli, url, repo), Some(&out))?;
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out)?).context("the CLI's output is not JSON")?;
    Ok(v["imageDetails"].as_array().map_or(0, Vec::len))
}

fn cli_list(cli: &Path, url: &str, repo: &str) -> std::process::Command {
    procs::aws(cli, url, &["describe-images", "--repository-name", repo])
}

/// The emulator's serving time for `n` successive 1,000-row DescribeImages pages, from a minimal
/// HTTP/1.1 client on one kept-alive connection (so the SDK's parsing is not counted). Each sample
/// is from the first byte written to the last byte of the body read.
pub async fn page_serve(url: &str, repo: &str, n: usize) -> Result<Vec<Duration>> {
    let host = url.strip_prefix("http://").context("http URL")?;
    let stream = TcpStream::connect(host).await?;
    stream.set_nodelay(true)?;
    let mut conn = BufReader::new(stream);
    let mut token: Option<String> = None;
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let mut body = serde_json::json!({"repositoryName": repo, "maxResults": 1000});
        if let Some(t) = &token {
            body["nextToken"] = t.clone().into();
        }
        let body = body.to_string();
        let req = format!(
            "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.1\r\n\
             X-Amz-Target: SpencerFrontendService.DescribeImages\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20260101/us-east-1/ecr-public/aws4_request, SignedHeaders=host, Signature=0\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let t = Instant::now();
        conn.get_mut().write_all(req.as_bytes()).await?;
        let resp = read_response(&mut conn).await?;
        samples.push(t.elapsed());
        let v: serde_json::Value = serde_json::from_slice(&resp)?;
        ensure!(
            v["imageDetails"].as_array().map_or(0, Vec::len) == 1000,
            "a page of other than 1,000 rows: {}",
            String::from_utf8_lossy(&resp[..resp.len().min(300)])
        );
        token = v["nextToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(samples)
}

async fn read_response(conn: &mut BufReader<TcpStream>) -> Result<Vec<u8>> {
    let mut status = String::new();
    conn.read_line(&mut status).await?;
    ensure!(
        status.starts_with("HTTP/1.1 200"),
        "answer: {}",
        status.trim()
    );
    let mut len = None;
    loop {
        let mut line = String::new();
        if conn.read_line(&mut line).await? == 0 {
            bail!("connection closed in the headers");
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = Some(v.trim().parse::<usize>()?);
        }
    }
    let mut body = vec![0; len.context("no content-length")?];
    conn.read_exact(&mut body).await?;
    Ok(body)
}
