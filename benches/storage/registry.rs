//! The registry plane beside skopeo: `ecrp inspect --json` against `skopeo inspect --config` on
//! the same image, and a large image copied out of the emulator by skopeo, with the emulator's
//! peak memory at two blob sizes.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::emu::Emu;
use crate::procs::{ecrp_plain, timed};
use crate::report::{Fig, Outcome, Row, Target, time_fig};
use crate::{Opts, progress};

const MB: u64 = 1_000_000;

fn skopeo(args: &[&str]) -> Command {
    let mut c = Command::new("skopeo");
    c.args(args);
    c
}

fn skopeo_available() -> bool {
    Command::new("skopeo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn write_blob(layout: &Path, bytes: &[u8]) -> Result<String> {
    let digest = sha256(bytes);
    let hex = digest.trim_start_matches("sha256:");
    std::fs::write(layout.join("blobs/sha256").join(hex), bytes)?;
    Ok(digest)
}

/// An OCI layout with one image tagged `v1`: a layer of `size` pseudo-random bytes (so nothing
/// on the way can compress it) and a minimal config.
fn make_layout(layout: &Path, size: u64) -> Result<()> {
    std::fs::create_dir_all(layout.join("blobs/sha256"))?;
    std::fs::write(
        layout.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )?;
    let mut layer = vec![0u8; size as usize];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ size;
    for chunk in layer.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    let layer_digest = write_blob(layout, &layer)?;
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
    }))?;
    let config_digest = write_blob(layout, &config)?;
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": layer_digest, "size": size}],
    }))?;
    let manifest_digest = write_blob(layout, &manifest)?;
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": manifest_digest, "size": manifest.len(),
                       "annotations": {"org.opencontainers.image.ref.name": "v1"}}],
    }))?;
    std::fs::write(layout.join("index.json"), index)?;
    Ok(())
}

/// `AWS:PASSWORD` from GetAuthorizationToken, for skopeo's --dest-creds.
async fn push_creds(url: &str) -> Result<String> {
    let (c, _) = ecrp::aws::connect(&ecrp::aws::ClientOptions::for_emulator(url)).await;
    let out = c.get_authorization_token().send().await?;
    let token = out
        .authorization_data()
        .and_then(|a| a.authorization_token())
        .context("no authorization token")?;
    Ok(String::from_utf8(STANDARD.decode(token)?)?)
}

async fn create_repo(url: &str, name: &str) -> Result<()> {
    let (c, _) = ecrp::aws::connect(&ecrp::aws::ClientOptions::for_emulator(url)).await;
    c.create_repository().repository_name(name).send().await?;
    Ok(())
}

/// ecrp and skopeo in turn, `runs` times each, on the demo seed's acme/api:latest.
async fn inspect(opts: &Opts, dir: &Path) -> Result<(Vec<Duration>, Vec<Duration>)> {
    let emu = Emu::spawn(&[], &dir.join("emu-inspect.log"))?;
    let reference = format!("{}/acme/api:latest", emu.host);
    let docker = format!("docker://{reference}");
    // Both must succeed and agree before anything is timed.
    let ours = dir.join("ecrp-inspect.json");
    timed(
        &mut ecrp_plain(&["inspect", &reference, "--json"]),
        Some(&ours),
    )?;
    let theirs = dir.join("skopeo-config.json");
    timed(
        &mut skopeo(&["inspect", "--config", "--tls-verify=false", &docker]),
        Some(&theirs),
    )?;
    let ours: Value = serde_json::from_slice(&std::fs::read(&ours)?)?;
    let theirs: Value = serde_json::from_slice(&std::fs::read(&theirs)?)?;
    ensure!(
        ours["image"]["config"]["rootfs"] == theirs["rootfs"],
        "ecrp and skopeo disagree on the config: {} vs {}",
        ours["image"]["config"]["rootfs"],
        theirs["rootfs"]
    );
    let (mut e, mut s) = (Vec::new(), Vec::new());
    progress(&format!("inspect: {} runs each", opts.runs));
    for _ in 0..opts.runs {
        e.push(timed(
            &mut ecrp_plain(&["inspect", &reference, "--json"]),
            None,
        )?);
        s.push(timed(
            &mut skopeo(&["inspect", "--config", "--tls-verify=false", &docker]),
            None,
        )?);
    }
    Ok((e, s))
}

/// Pushes a `size`-byte image into a fresh emulator, copies it out `runs` times; the copy times
/// and the emulator's peak memory.
async fn copy_out(size: u64, runs: usize, dir: &Path) -> Result<(Vec<Duration>, u64)> {
    let layout = dir.join(format!("layout-{size}"));
    if !layout.exists() {
        make_layout(&layout, size)?;
    }
    let emu = Emu::spawn(&[], &dir.join("emu-copy.log"))?;
    create_repo(&emu.url, "bench/large").await?;
    let creds = push_creds(&emu.url).await?;
    let remote = format!("docker://{}/acme/bench/large:v1", emu.host);
    progress(&format!("copy: pushing {} MB", size / MB));
    timed(
        &mut skopeo(&[
            "copy",
            "--dest-tls-verify=false",
            "--dest-creds",
            &creds,
            &format!("oci:{}:v1", layout.display()),
            &remote,
        ]),
        None,
    )?;
    let mut times = Vec::new();
    for r in 0..runs {
        let out = dir.join(format!("copied-{size}-{r}"));
        progress(&format!("copy: {} MB out ({})", size / MB, r + 1));
        times.push(timed(
            &mut skopeo(&[
                "copy",
                "--src-tls-verify=false",
                &remote,
                &format!("dir:{}", out.display()),
            ]),
            None,
        )?);
        let got: u64 = std::fs::read_dir(&out)?
            .filter_map(|e| e.ok()?.metadata().ok())
            .map(|m| m.len())
            .max()
            .unwrap_or(0);
        // skopeo gzips an uncompressed layer when it pushes it; random bytes grow a little.
        ensure!(
            got >= size && got < size + size / 100 + 4096,
            "the copied layer has {got} bytes, for {size} pushed"
        );
        std::fs::remove_dir_all(&out)?;
    }
    Ok((times, emu.peak_rss()?))
}

fn mb(bytes: u64) -> Fig {
    Fig {
        text: format!("{:.1} MB", bytes as f64 / 1e6),
        value: bytes as f64 / 1e6,
    }
}

fn failed(e: &anyhow::Error) -> Outcome {
    Outcome::Failed(format!("{e:#}"))
}

pub async fn rows(opts: &Opts, dir: &Path) -> Vec<Row> {
    if !skopeo_available() {
        let skipped = Outcome::Skipped("skopeo is not installed".into());
        return vec![Row {
            figure: "ecrp inspect --json beside skopeo inspect --config".into(),
            measured: skipped,
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        }];
    }
    let (ours, theirs) = match inspect(opts, dir).await {
        Ok((e, s)) => (Outcome::Ok(time_fig(&e)), Outcome::Ok(time_fig(&s))),
        Err(e) => (failed(&e), failed(&e)),
    };
    let copies = opts.runs.min(3);
    let small = copy_out(10 * MB, 1, dir).await;
    let large = copy_out(100 * MB, copies, dir).await;
    let throughput = match &large {
        Ok((t, _)) => {
            let secs = time_fig(t).value;
            Outcome::Ok(Fig {
                text: format!("{:.0} MB/s ({} for 100 MB)", 100.0 / secs, time_fig(t).text),
                value: secs,
            })
        }
        Err(e) => failed(e),
    };
    let small_time = match &small {
        Ok((t, _)) => Outcome::Ok(time_fig(t)),
        Err(e) => failed(e),
    };
    let peak = |r: &Result<(Vec<Duration>, u64)>| match r {
        Ok((_, p)) => Outcome::Ok(mb(*p)),
        Err(e) => failed(e),
    };
    vec![
        Row {
            figure: "ecrp inspect --json acme/api:latest (release binary)".into(),
            measured: ours,
            comparison: Some(("skopeo inspect --config".into(), theirs)),
            target: Target::AtMost(1.0),
            target_text: "not slower than skopeo".into(),
        },
        Row {
            figure: "skopeo copy of a 100 MB image out of the emulator".into(),
            measured: throughput,
            comparison: Some(("a 10 MB image".into(), small_time)),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "  emulator peak memory (VmHWM), 100 MB image pushed and copied out".into(),
            measured: peak(&large),
            comparison: Some(("with a 10 MB image".into(), peak(&small))),
            target: Target::AtMost(1.25),
            target_text: "not growing with blob size (≤ 1.25×)".into(),
        },
    ]
}
