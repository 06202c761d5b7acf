//! The lifecycle view's speed: its plan of 100,000 images beside listing them, applying 10,000
//! expirations beside today's bulk delete, and the preview's frame at 100,000 rows beside the
//! images pane's. The plan and the apply are the TUI's own tasks (`app::effects::lifecycle::run`),
//! answering with the messages the app would get.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use crossterm::event::KeyCode;
use ecrp::app::Msg;
use ecrp::app::lifecycle_state::{LifecycleEffect, LifecycleMsg, Planned};
use ecrp::aws::{self, Api, ClientOptions};
use ecrp::config::lifecycle::PolicySource;
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::Opts;
use crate::delete;
use crate::procs::EmuProc;
use crate::report::{Row, Target};
use crate::sections::{BIG, BIG_COUNT, failed, ok, progress};
use crate::tui::{Driver, key};

/// Keeps the newest 1,000 `build-` images: the plan expires 99,000 of `big`.
const BIG_POLICY: &str = r#"{"rules":[{"rulePriority":1,"description":"keep the last 1,000 builds","selection":{"tagStatus":"tagged","tagPrefixList":["build-"],"countType":"imageCountMoreThan","countNumber":1000},"action":{"type":"expire"}}]}"#;
/// A repository of 11,000 where the same policy expires 10,000.
const APPLY_REPO: &str = "expire";
const APPLY_COUNT: usize = 11_000;
const EXPIRED: usize = 10_000;
/// Frames per block; blocks alternate between the images pane and the preview.
const FRAME_BLOCK: usize = 20;

async fn api(url: &str) -> Api {
    let (client, _) = aws::connect(&ClientOptions::for_emulator(url)).await;
    Api::new(client, false)
}

fn policy() -> ecrp::lifecycle::Policy {
    ecrp::lifecycle::parse(BIG_POLICY).expect("the benchmark's policy is valid")
}

/// The TUI's plan task, start to answer.
async fn plan_once(url: &str, repo: &str) -> Result<(Duration, Arc<Planned>)> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let effect = LifecycleEffect::Plan {
        generation: 1,
        repo: repo.into(),
        registry_id: None,
        registry_url: Some(url.to_string()),
        policy: policy(),
        now: ecrp::app::now_epoch(),
    };
    let api = Ok(api(url).await);
    let t = Instant::now();
    ecrp::app::effects::lifecycle::run(api, effect, Arc::new(AtomicBool::new(false)), tx).await;
    let took = t.elapsed();
    match rx.recv().await {
        Some(Msg::Lifecycle(LifecycleMsg::Planned { result, .. })) => {
            Ok((took, result.map_err(anyhow::Error::msg)?))
        }
        other => bail!("the plan task answered {other:?}"),
    }
}

async fn list_once(url: &str) -> Result<Duration> {
    let api = api(url).await;
    let t = Instant::now();
    let n = aws::collect_all(api.images(BIG, None)).await?.len();
    let took = t.elapsed();
    ensure!(n == BIG_COUNT, "listed {n} images, expected {BIG_COUNT}");
    Ok(took)
}

/// Applying the plan of a fresh repository: (whole task, its delete phase after the journal).
async fn apply_once(dir: &Path) -> Result<(Duration, Duration)> {
    let emu = EmuProc::spawn(
        &[&format!("{APPLY_REPO}={APPLY_COUNT}")],
        &dir.join("emu-expire.log"),
    )?;
    let (_, planned) = plan_once(&emu.url, APPLY_REPO).await?;
    ensure!(
        planned.plan.totals.images == EXPIRED,
        "the plan expires {}, expected {EXPIRED}",
        planned.plan.totals.images
    );
    let journal = tempfile::tempdir_in(dir)?;
    let effect = LifecycleEffect::Apply {
        repo: APPLY_REPO.into(),
        registry_id: None,
        registry_url: Some(emu.url.clone()),
        journal_dir: Some(journal.path().to_path_buf()),
        planned,
        now: ecrp::app::now_epoch(),
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let client = Ok(api(&emu.url).await);
    let t = Instant::now();
    let task = tokio::spawn(ecrp::app::effects::lifecycle::run(
        client,
        effect,
        Arc::new(AtomicBool::new(false)),
        tx,
    ));
    let (mut journalled, mut deleted, mut failures) = (None, 0, 0);
    let total = loop {
        match rx
            .recv()
            .await
            .context("the apply task ended without a report")?
        {
            Msg::Lifecycle(LifecycleMsg::Journal(j)) => {
                j.map_err(anyhow::Error::msg)?;
                journalled = Some(t.elapsed());
            }
            Msg::Deleted(o) => {
                deleted += o.deleted.len();
                failures += o.failures.len();
            }
            Msg::DeleteEnded { not_sent } => {
                ensure!(not_sent == 0, "{not_sent} not sent");
                break t.elapsed();
            }
            other => bail!("unexpected {other:?}"),
        }
    };
    task.await?;
    ensure!(
        deleted == EXPIRED && failures == 0,
        "{deleted} deleted, {failures} failures"
    );
    let left = aws::collect_all(api(&emu.url).await.images(APPLY_REPO, None))
        .await?
        .len();
    ensure!(
        left == APPLY_COUNT - EXPIRED,
        "{left} images left, expected {}",
        APPLY_COUNT - EXPIRED
    );
    let journalled = journalled.context("no journal message")?;
    Ok((total, total - journalled))
}

/// Today's bulk delete (`Api::delete_images`, the images pane's path) of exactly what the apply
/// deletes, from the same state: a fresh repository of 11,000 just listed and planned, the plan's
/// 10,000 ids, a new client. The apply's delete phase differs from it only by its own machinery.
async fn bulk_of_plan_once(dir: &Path) -> Result<Duration> {
    let emu = EmuProc::spawn(
        &[&format!("{APPLY_REPO}={APPLY_COUNT}")],
        &dir.join("emu-expire-bulk.log"),
    )?;
    let (_, planned) = plan_once(&emu.url, APPLY_REPO).await?;
    let ids: Vec<aws::ImageRef> = planned
        .plan
        .phases
        .iter()
        .flatten()
        .map(|&i| aws::ImageRef::Digest(planned.rows[i].image_digest.to_string()))
        .collect();
    ensure!(ids.len() == EXPIRED, "the plan lists {} ids", ids.len());
    let api = api(&emu.url).await;
    let t = Instant::now();
    let mut outcomes = std::pin::pin!(api.delete_images(APPLY_REPO, ids, aws::DELETE_CONCURRENCY));
    let mut deleted = 0;
    while let Some(o) = outcomes.next().await {
        ensure!(o.failures.is_empty(), "failures: {:?}", o.failures);
        deleted += o.requested;
    }
    let took = t.elapsed();
    ensure!(deleted == EXPIRED, "{deleted} sent");
    Ok(took)
}

/// Frames at 100,000 rows: the images pane, then the lifecycle preview of the same repository,
/// in alternating blocks.
async fn frames(url: &str, runs: usize) -> Result<(Vec<Duration>, Vec<Duration>)> {
    let mut d = Driver::start(url).await?;
    d.select_repo(BIG)?;
    d.open_and_load(false).await?;
    d.app
        .opts
        .config
        .lifecycle
        .insert(BIG.into(), PolicySource::Inline(BIG_POLICY.into()));
    let (mut pane, mut preview) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(1) * 3 {
        pane.extend(d.frames(FRAME_BLOCK)?);
        d.apply(key(KeyCode::Char('L')));
        d.settle().await?;
        d.draw()?;
        let s = d.screen();
        ensure!(
            s.contains("expire 99,000 of 100,000"),
            "the preview is not drawn:\n{s}"
        );
        preview.extend(d.frames(FRAME_BLOCK)?);
        d.apply(key(KeyCode::Esc));
        d.draw()?;
    }
    Ok((pane, preview))
}

pub async fn rows(opts: &Opts, url: &str, dir: &Path) -> Vec<Row> {
    progress("lifecycle: plan of 100,000 images beside listing them");
    let (mut list, mut plan) = (Vec::new(), Vec::new());
    let mut error = None;
    for _ in 0..opts.list_runs {
        // Interleaved, so a slow moment of the machine hits both alike.
        match list_once(url).await {
            Ok(d) => list.push(d),
            Err(e) => error = Some(e),
        }
        match plan_once(url, BIG).await {
            Ok((d, p)) if p.rows.len() == BIG_COUNT && p.plan.totals.images == 99_000 => {
                plan.push(d)
            }
            Ok((_, p)) => {
                error = Some(anyhow::anyhow!(
                    "planned {} rows, {} expiring",
                    p.rows.len(),
                    p.plan.totals.images
                ))
            }
            Err(e) => error = Some(e),
        }
    }
    let (list, plan) = match error {
        Some(e) => (failed(anyhow::anyhow!("{e:#}")), failed(e)),
        None => (ok(&list), ok(&plan)),
    };
    progress("lifecycle: applying 10,000 expirations");
    let mut whole = Vec::new();
    let mut phase = Vec::new();
    let mut bulk = Vec::new();
    let mut same = Vec::new();
    let mut error = None;
    for _ in 0..opts.runs {
        match apply_once(dir).await {
            Ok((w, p)) => {
                whole.push(w);
                phase.push(p);
            }
            Err(e) => error = Some(e),
        }
        match bulk_of_plan_once(dir).await {
            Ok(d) => same.push(d),
            Err(e) => error = Some(e),
        }
        match delete::ecrp_once(dir).await {
            Ok(d) => bulk.push(d),
            Err(e) => error = Some(e),
        }
    }
    let (whole, phase, bulk, same) = match error {
        Some(e) => (
            failed(anyhow::anyhow!("{e:#}")),
            failed(anyhow::anyhow!("{e:#}")),
            failed(anyhow::anyhow!("{e:#}")),
            failed(e),
        ),
        None => (ok(&whole), ok(&phase), ok(&bulk), ok(&same)),
    };
    progress("lifecycle: frames at 100,000 rows, images pane and preview");
    let (pane, preview) = match frames(url, opts.runs).await {
        Ok((a, b)) => (ok(&a), ok(&b)),
        Err(e) => (failed(anyhow::anyhow!("{e:#}")), failed(e)),
    };
    vec![
        Row {
            figure: "list 100,000 images (Api::images, in-process)".into(),
            measured: list.clone(),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "plan of 100,000 images (the view's task: list, evaluate; 99,000 expire)"
                .into(),
            measured: plan,
            comparison: Some(("listing".into(), list)),
            target: Target::AtMost(1.1),
            target_text: "≤ 1.1× listing".into(),
        },
        Row {
            figure: "bulk delete of 10,000 (Api::delete_images, as above)".into(),
            measured: bulk.clone(),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "  bulk delete of the plan's 10,000, same state as the apply".into(),
            measured: same.clone(),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "apply 10,000 expirations: delete phase (after the journal)".into(),
            measured: phase.clone(),
            comparison: Some(("same-state bulk delete".into(), same)),
            target: Target::AtMost(1.0),
            target_text: "≤ 1× bulk delete".into(),
        },
        Row {
            figure: "  the same delete phase beside the 10,000-of-10,000 bulk delete".into(),
            measured: phase,
            comparison: Some(("bulk delete".into(), bulk.clone())),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "  the whole apply, journal of 10,000 manifests first".into(),
            measured: whole,
            comparison: Some(("bulk delete".into(), bulk)),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "one frame, images pane, 100,000 rows".into(),
            measured: pane.clone(),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "one frame, lifecycle preview, 100,000 rows".into(),
            measured: preview,
            comparison: Some(("images pane".into(), pane)),
            target: Target::AtMost(1.5),
            target_text: "≤ 1.5× images pane".into(),
        },
    ]
}
