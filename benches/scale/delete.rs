//! Bulk delete of 10,000 images, each run against a fresh `ecrp emulator --synthetic del=10000`:
//! ecrp's path (`Api::delete_images`, chunks of 100, bounded concurrency) against the AWS CLI's
//! `batch-delete-image` called in sequence with 100 ids a call.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use ecrp::aws::{self, Api, ClientOptions, DeleteReport, ImageRef};
use futures::StreamExt;

use crate::procs::{self, EmuProc};

pub const REPO: &str = "del";
pub const COUNT: usize = 10_000;
/// Calls in flight for ecrp's bulk delete. The TUI's delete is not written yet; this is the
/// concurrency it is planned to use.
pub const CONCURRENCY: usize = 8;

async fn api(url: &str) -> Api {
    let (client, _) = aws::connect(&ClientOptions::for_emulator(url)).await;
    Api::new(client, false)
}

/// A fresh emulator and the digests of its `del` images (not timed).
async fn fresh(dir: &Path) -> Result<(EmuProc, Vec<String>)> {
    let emu = EmuProc::spawn(&[&format!("{REPO}={COUNT}")], &dir.join("emu-del.log"))?;
    let rows = aws::collect_all(api(&emu.url).await.images(REPO, None)).await?;
    ensure!(
        rows.len() == COUNT,
        "the emulator holds {} images",
        rows.len()
    );
    let digests = rows.iter().map(|r| r.image_digest.to_string()).collect();
    Ok((emu, digests))
}

/// Images left in the repository after a delete: the check that it really happened.
async fn remaining(url: &str) -> Result<usize> {
    Ok(aws::collect_all(api(url).await.images(REPO, None))
        .await?
        .len())
}

pub async fn ecrp_once(dir: &Path) -> Result<Duration> {
    let (emu, digests) = fresh(dir).await?;
    let api = api(&emu.url).await;
    let ids: Vec<ImageRef> = digests.into_iter().map(ImageRef::Digest).collect();
    let t = Instant::now();
    let mut report = DeleteReport::default();
    let mut outcomes = api.delete_images(REPO, ids, CONCURRENCY);
    while let Some(o) = outcomes.next().await {
        report.add(&o);
    }
    let took = t.elapsed();
    ensure!(
        report.requested == COUNT && report.deleted == COUNT && report.failures.is_empty(),
        "DeleteReport: {} requested, {} deleted, {} failures (first: {:?})",
        report.requested,
        report.deleted,
        report.failures.len(),
        report.failures.first()
    );
    let left = remaining(&emu.url).await?;
    ensure!(left == 0, "{left} images left after the delete");
    Ok(took)
}

/// `calls` sequential CLI calls of 100 ids each (100 calls deletes everything). Returns the time
/// and the number of calls made.
pub async fn cli_once(cli: &Path, dir: &Path, calls: usize) -> Result<(Duration, usize)> {
    let (emu, digests) = fresh(dir).await?;
    let chunks: Vec<&[String]> = digests.chunks(100).take(calls).collect();
    let mut files = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let ids: Vec<_> = chunk
            .iter()
            .map(|d| serde_json::json!({ "imageDigest": d }))
            .collect();
        let path = dir.join(format!("ids-{i:03}.json"));
        std::fs::write(&path, serde_json::to_vec(&ids)?)?;
        files.push(path);
    }
    let out = dir.join("cli-delete.json");
    let (mut took, mut deleted, mut failures) = (Duration::ZERO, 0, 0);
    for f in &files {
        let arg = format!("file://{}", f.display());
        let mut cmd = procs::aws(
            cli,
            &emu.url,
            &[
                "batch-delete-image",
                "--repository-name",
                REPO,
                "--image-ids",
                &arg,
            ],
        );
        took += procs::timed(&mut cmd, Some(&out))?;
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&out)?).context("CLI output is not JSON")?;
        deleted += v["imageIds"].as_array().map_or(0, Vec::len);
        failures += v["failures"].as_array().map_or(0, Vec::len);
    }
    let want = chunks.iter().map(|c| c.len()).sum::<usize>();
    ensure!(
        deleted == want && failures == 0,
        "the CLI deleted {deleted} of {want} with {failures} failures"
    );
    let left = remaining(&emu.url).await?;
    ensure!(
        left == COUNT - want,
        "{left} images left, expected {}",
        COUNT - want
    );
    Ok((took, files.len()))
}
