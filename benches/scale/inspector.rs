//! The image inspector section: opening an image (manifest + config) in the app with a warm token,
//! beside the two registry round trips it cannot do without; and frames of an index with 10
//! platforms and of an image with 100 history entries and 100 layers, beside a 100-row list.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use crossterm::event::KeyCode;
use ecrp::app::inspector_content::ConfigBlob;
use ecrp::app::inspector_state::{InspectorMsg, Loaded, Shared, config_key};
use ecrp::app::{self, Msg, Overlay, RunOptions};
use ecrp::aws::ClientOptions;
use ecrp::emulator::{self, EmulatorOptions, Seed};
use ecrp::registry::{
    Digest, ImageConfig, Manifest, ManifestKind, Reference, Target as RegTarget, parse_manifest,
};

use crate::Opts;
use crate::report::{Fig, Outcome, Row, Target, fmt_dur, median};
use crate::sections::{failed, ok, progress};
use crate::tui::{self, key};
use crate::tui_section::PAUSE;

/// Opens per run.
const OPENS: usize = 3;
/// Frames timed per figure, in this many alternating blocks.
const FRAMES: usize = 200;
const FRAME_BLOCKS: usize = 10;
/// A single-platform demo image: its newest image opens straight at the config.
const REPO: &str = "worker";

pub const NOTES: &str = "\
- Inspector: the app in-process as in the TUI figures, against an in-process `--seed demo` \
emulator that also serves the registry API (`registry_url`). The connection and its registry \
token are made by a first, untimed open; each timed open then empties the inspector's cache, \
leaves the machine quiet for 100 ms and presses enter on the newest image of `worker` \
(single-platform): \"first content\" is the frame showing the manifest, \"image drawn\" the frame \
showing the config summary, a frame after every message. They are compared with the two round \
trips alone (GET the manifest by digest, then GET the config blob, on the same client and token, \
after the same pause) plus one frame of the image; the target bounds the first content (the \
issue's), the image drawn is reported beside the same budget (it needs three full frames: \
loading, manifest, config). The frames of an index with 10 platforms and of \
an image with 100 history entries and 100 layers (history and layers sections) are synthetic \
manifests handed to the app as answers, timed after moving the cursor one row, in alternating \
blocks with a frame of the images pane at 100 rows.
";

pub async fn inspector_rows(opts: &Opts) -> Vec<Row> {
    match measure(opts).await {
        Ok(rows) => rows,
        Err(e) => vec![Row {
            figure: "inspector figures".into(),
            measured: failed(e),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        }],
    }
}

fn image_drawn(d: &tui::Driver) -> bool {
    let st = &d.app.inspector;
    let (Some(v), Some(m)) = (st.view.as_ref(), st.current_manifest()) else {
        return false;
    };
    match &m.kind {
        ManifestKind::Image(img) => {
            matches!(st.config_of(&v.source, &img.config), Some(Loaded::Ready(_)))
        }
        ManifestKind::Index(_) => false,
    }
}

async fn measure(opts: &Opts) -> Result<Vec<Row>> {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Demo,
        synthetic: vec![("small".into(), 100)],
        ..Default::default()
    })
    .await?;
    let url = emu.url();
    let mut run = RunOptions {
        client: ClientOptions::for_emulator(&url),
        ..RunOptions::default()
    };
    run.config.registry_url = Some(url.clone());
    let mut d = tui::Driver::start_opts(run.clone()).await?;
    d.select_repo(REPO)?;
    d.apply(key(KeyCode::Enter));
    d.settle().await?;
    // The first open connects (DescribeRegistries, GetAuthorizationToken, the registry's token).
    progress("inspector: first open (connects, not timed)");
    d.apply(key(KeyCode::Enter));
    d.settle().await?;
    d.draw()?;
    ensure!(
        image_drawn(&d),
        "the first open did not show the image:\n{}",
        d.screen()
    );
    let own = d.app.inspector.own.clone().context("no connection kept")?;
    let m = d
        .app
        .inspector
        .current_manifest()
        .context("manifest")?
        .clone();
    let ManifestKind::Image(img) = &m.kind else {
        anyhow::bail!("{REPO}'s newest image is not single-platform")
    };
    let config = img.config.clone();
    let name = own.name(REPO);
    d.apply(key(KeyCode::Esc));

    let (mut first, mut whole, mut rtt2, mut frame_img) = (vec![], vec![], vec![], vec![]);
    for r in 0..opts.runs * OPENS {
        progress(&format!(
            "inspector: open {REPO}'s newest image ({} of {})",
            r + 1,
            opts.runs * OPENS
        ));
        tokio::time::sleep(PAUSE).await;
        let t = Instant::now();
        own.client
            .get_manifest(&name, &RegTarget::Digest(m.digest.clone()))
            .await?;
        own.client.get_config(&name, &config).await?;
        rtt2.push(t.elapsed());

        d.app.inspector.manifests.clear();
        d.app.inspector.configs.clear();
        tokio::time::sleep(PAUSE).await;
        let t = Instant::now();
        d.apply(key(KeyCode::Enter));
        d.draw()?;
        let mut shown = None;
        loop {
            let msg = d.recv().await?;
            d.apply(msg);
            d.draw()?;
            if shown.is_none() && d.app.inspector.current_manifest().is_some() {
                shown = Some(t.elapsed());
            }
            if image_drawn(&d) {
                whole.push(t.elapsed());
                break;
            }
        }
        first.push(shown.context("the manifest was never drawn")?);
        ensure!(d.screen().contains("Entrypoint"), "{}", d.screen());
        // A frame of the image as drawn now (the budget's frame).
        let t = Instant::now();
        d.draw()?;
        frame_img.push(t.elapsed());
        d.apply(key(KeyCode::Esc));
        d.settle().await?;
    }
    drop(d);

    progress("inspector: frames of 10 platforms, 100 history entries and 100 layers");
    let mut list = tui::Driver::start_opts(run.clone()).await?;
    list.select_repo("small")?;
    list.open_and_load(false).await?;
    ensure!(
        list.app.remote.images.rows.len() == 100,
        "small holds 100 images"
    );
    let mut index = tui::Driver::start_opts(run.clone()).await?;
    show_synthetic(&mut index, &url, &synthetic_index(10)?, None)?;
    ensure!(
        index.screen().contains("index of 10 platforms"),
        "{}",
        index.screen()
    );
    let (image, blob) = synthetic_image(100)?;
    let mut history = tui::Driver::start_opts(run.clone()).await?;
    show_synthetic(&mut history, &url, &image, Some(blob.clone()))?;
    history.apply(key(KeyCode::Tab));
    history.draw()?;
    ensure!(
        history.screen().contains("CREATED BY"),
        "{}",
        history.screen()
    );
    let mut layers = tui::Driver::start_opts(run).await?;
    show_synthetic(&mut layers, &url, &image, Some(blob))?;
    layers.apply(key(KeyCode::Tab));
    layers.apply(key(KeyCode::Tab));
    layers.draw()?;
    ensure!(layers.screen().contains("SHARE"), "{}", layers.screen());
    let mut frames: [Vec<Duration>; 4] = Default::default();
    for _ in 0..FRAME_BLOCKS {
        for (v, d) in frames
            .iter_mut()
            .zip([&mut list, &mut index, &mut history, &mut layers])
        {
            v.extend(d.frames(FRAMES / FRAME_BLOCKS)?);
        }
    }
    emu.shutdown().await;

    let frame_m = median(&frame_img);
    let rtt_m = median(&rtt2);
    let budget = Outcome::Ok(Fig {
        text: format!(
            "{} ({} two round trips + {} frame)",
            fmt_dur(rtt_m + frame_m),
            fmt_dur(rtt_m),
            fmt_dur(frame_m)
        ),
        value: (rtt_m + frame_m).as_secs_f64(),
    });
    let pause = fmt_dur(PAUSE);
    let list_frame = || Some(("frame at 100 rows".into(), ok(&frames[0])));
    Ok(vec![
        Row {
            figure: format!(
                "open an image after {pause}, warm token → first content (manifest) drawn"
            ),
            measured: ok(&first),
            comparison: Some(("2 round trips + frame".into(), budget.clone())),
            target: Target::AtMost(1.0),
            target_text: "≤ 2 round trips + 1 frame".into(),
        },
        // Reported, not a target: the issue bounds the first content. The whole image takes
        // three full frames (loading, manifest, config) where the budget redraws one screen.
        Row {
            figure: "  → the image drawn (manifest and config; three frames)".into(),
            measured: ok(&whole),
            comparison: Some(("2 round trips + frame".into(), budget)),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: format!("  the two round trips alone (manifest, config) after {pause}"),
            measured: ok(&rtt2),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "one frame, images pane at 100 rows".into(),
            measured: ok(&frames[0]),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "one frame, an index of 10 platforms".into(),
            measured: ok(&frames[1]),
            comparison: list_frame(),
            target: Target::AtMost(1.0),
            target_text: "≤ frame at 100 rows".into(),
        },
        Row {
            figure: "one frame, history of 100 entries (100 layers)".into(),
            measured: ok(&frames[2]),
            comparison: list_frame(),
            target: Target::AtMost(1.0),
            target_text: "≤ frame at 100 rows".into(),
        },
        Row {
            figure: "one frame, 100 layers".into(),
            measured: ok(&frames[3]),
            comparison: list_frame(),
            target: Target::AtMost(1.0),
            target_text: "≤ frame at 100 rows".into(),
        },
    ])
}

/// Open the inspector on `manifest` (and its config) as if the registry had answered: the reads
/// the open asks for are not run.
fn show_synthetic(
    d: &mut tui::Driver,
    url: &str,
    manifest: &Manifest,
    blob: Option<Arc<ConfigBlob>>,
) -> Result<()> {
    let host = url.trim_start_matches("http://");
    let reference = Reference::parse(&format!("{host}/bench/synthetic:latest"))?;
    let client = ecrp::inspect::client_for(&reference, None, None)?;
    let mut fx = Vec::new();
    app::inspector::open_reference(&mut d.app, reference, Arc::new(client), &mut fx);
    let client = d.app.remote.client;
    let v = d.app.inspector.view.as_ref().context("opened")?;
    let key = v.node().key.clone();
    let source = v.source.clone();
    let _ = app::update(
        &mut d.app,
        Msg::Inspected(InspectorMsg::Manifest {
            client,
            key,
            result: Ok(Shared::new(manifest.clone())),
        }),
    );
    if let (Some(blob), ManifestKind::Image(img)) = (blob, &manifest.kind) {
        let _ = app::update(
            &mut d.app,
            Msg::Inspected(InspectorMsg::Config {
                client,
                key: config_key(&source, &img.config.digest).into(),
                result: Ok(Shared(blob)),
            }),
        );
    }
    ensure!(d.app.overlay == Some(Overlay::Inspector), "not open");
    d.draw()
}

fn manifest(body: String) -> Result<Manifest> {
    let bytes = bytes::Bytes::from(body);
    let (media_type, kind) = parse_manifest("bench", None, &bytes)?;
    Ok(Manifest {
        digest: Digest::sha256(&bytes),
        media_type,
        bytes,
        kind,
    })
}

fn digest(n: usize) -> String {
    format!("sha256:{:064x}", n + 1)
}

fn synthetic_index(platforms: usize) -> Result<Manifest> {
    const ARCHS: [(&str, &str); 5] = [
        ("amd64", ""),
        ("arm64", "v8"),
        ("arm", "v7"),
        ("ppc64le", ""),
        ("s390x", ""),
    ];
    let entries: Vec<serde_json::Value> = (0..platforms)
        .map(|i| {
            let (arch, variant) = ARCHS[i % ARCHS.len()];
            let os = if i < ARCHS.len() { "linux" } else { "windows" };
            let mut p = serde_json::json!({"os": os, "architecture": arch});
            if !variant.is_empty() {
                p["variant"] = variant.into();
            }
            serde_json::json!({
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": digest(i),
                "size": 1000 + i,
                "platform": p,
            })
        })
        .collect();
    manifest(
        serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": entries,
        })
        .to_string(),
    )
}

fn synthetic_image(n: usize) -> Result<(Manifest, Arc<ConfigBlob>)> {
    let layers: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": digest(1000 + i),
                "size": 1000 * (i + 1),
            })
        })
        .collect();
    let history: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "created": "2026-01-01T00:00:00Z",
                "created_by": format!(
                    "RUN /bin/sh -c apt-get update && apt-get install -y package-{i} \
                     && rm -rf /var/lib/apt/lists/* # step {i}"
                ),
            })
        })
        .collect();
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2026-01-01T00:00:00Z",
        "config": {
            "Env": (0..20).map(|i| format!("VAR_{i}=value-{i}")).collect::<Vec<_>>(),
            "Cmd": ["/bin/app", "--serve"],
        },
        "rootfs": {"type": "layers", "diff_ids": (0..n).map(|i| digest(5000 + i)).collect::<Vec<_>>()},
        "history": history,
    })
    .to_string();
    let cbytes = bytes::Bytes::from(config);
    let parsed = ImageConfig::parse(&cbytes).map_err(anyhow::Error::msg)?;
    let m = manifest(
        serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": Digest::sha256(&cbytes).to_string(),
                "size": cbytes.len(),
            },
            "layers": layers,
        })
        .to_string(),
    )?;
    Ok((
        m,
        Arc::new(ConfigBlob {
            bytes: cbytes,
            config: parsed,
        }),
    ))
}
