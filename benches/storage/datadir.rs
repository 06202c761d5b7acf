//! `--data-dir` with 100,000 images: start-up and one BatchDeleteImage, beside `--state FILE` and
//! no persistence, and a SIGKILL after the last delete that must lose none of them.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use aws_sdk_ecrpublic::Client;
use aws_sdk_ecrpublic::types::ImageIdentifier;

use crate::emu::Emu;
use crate::report::{Fig, Outcome, Row, Target, limit, time_fig};
use crate::{Opts, progress};

const REPO: &str = "big";
const COUNT: usize = 100_000;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Memory,
    StateFile,
    DataDir,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::Memory => "no persistence",
            Mode::StateFile => "--state FILE",
            Mode::DataDir => "--data-dir DIR",
        }
    }

    fn args(self, place: &Path) -> Vec<String> {
        let mut a: Vec<String> = ["--seed", "empty", "--synthetic", "big=100000"]
            .map(String::from)
            .to_vec();
        match self {
            Mode::Memory => {}
            Mode::StateFile => a.extend(["--state".into(), place.display().to_string()]),
            Mode::DataDir => a.extend(["--data-dir".into(), place.display().to_string()]),
        }
        a
    }
}

fn spawn(mode: Mode, place: &Path, log: &Path) -> Result<Emu> {
    let args = mode.args(place);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Emu::spawn(&args, log)
}

async fn sdk(url: &str) -> Client {
    ecrp::aws::connect(&ecrp::aws::ClientOptions::for_emulator(url))
        .await
        .0
}

async fn count_images(c: &Client) -> Result<usize> {
    let mut n = 0;
    let mut pages = c
        .describe_images()
        .repository_name(REPO)
        .max_results(1000)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        n += page?.image_details().len();
    }
    Ok(n)
}

/// One BatchDeleteImage of one digest, timed from send to the parsed answer.
async fn delete_one(c: &Client, digest: &str) -> Result<Duration> {
    let id = ImageIdentifier::builder().image_digest(digest).build();
    let t = Instant::now();
    let out = c
        .batch_delete_image()
        .repository_name(REPO)
        .image_ids(id)
        .send()
        .await?;
    let took = t.elapsed();
    ensure!(
        out.image_ids().len() == 1 && out.failures().is_empty(),
        "BatchDeleteImage of {digest}: {} deleted, failures {:?}",
        out.image_ids().len(),
        out.failures()
    );
    Ok(took)
}

/// What one mode measured.
#[derive(Default)]
struct Figures {
    first: Vec<Duration>,
    restart: Vec<Duration>,
    deletes: Vec<Duration>,
    after_kill: Option<Duration>,
}

async fn measure(mode: Mode, opts: &Opts, dir: &Path) -> Result<Figures> {
    let mut f = Figures::default();
    let log = dir.join("emu.log");
    let mut place = PathBuf::new();
    for r in 0..opts.runs {
        place = dir.join(format!("{}-{r}", mode.label().replace(['-', ' '], "")));
        progress(&format!("{}: first start ({})", mode.label(), r + 1));
        let e = spawn(mode, &place, &log)?;
        f.first.push(e.ready);
        e.kill9()?;
        if mode != Mode::Memory {
            progress(&format!("{}: restart ({})", mode.label(), r + 1));
            let e = spawn(mode, &place, &log)?;
            f.restart.push(e.ready);
            e.kill9()?;
        }
    }
    let e = spawn(mode, &place, &log)?;
    let c = sdk(&e.url).await;
    let page = c
        .describe_images()
        .repository_name(REPO)
        .max_results(1000)
        .send()
        .await?;
    let digests: Vec<String> = page
        .image_details()
        .iter()
        .filter_map(|d| d.image_digest().map(str::to_string))
        .collect();
    ensure!(
        digests.len() > opts.deletes,
        "only {} digests on the first page",
        digests.len()
    );
    progress(&format!(
        "{}: {} BatchDeleteImage calls",
        mode.label(),
        opts.deletes
    ));
    // The first call opens the connection: done, not timed.
    delete_one(&c, &digests[0]).await?;
    for d in &digests[1..=opts.deletes] {
        f.deletes.push(delete_one(&c, d).await?);
    }
    if mode != Mode::Memory {
        e.kill9()?;
        let again = spawn(mode, &place, &log)?;
        f.after_kill = Some(again.ready);
        let left = count_images(&sdk(&again.url).await).await?;
        let want = COUNT - opts.deletes - 1;
        ensure!(
            left == want,
            "{} after SIGKILL: {left} images, expected {want}",
            mode.label()
        );
    }
    Ok(f)
}

fn outcome(r: &Result<Figures>, pick: impl Fn(&Figures) -> &[Duration]) -> Outcome {
    match r {
        Ok(f) if pick(f).is_empty() => Outcome::Skipped("not applicable".into()),
        Ok(f) => Outcome::Ok(time_fig(pick(f))),
        Err(e) => Outcome::Failed(format!("{e:#}")),
    }
}

pub async fn rows(opts: &Opts, dir: &Path) -> Vec<Row> {
    let mem = measure(Mode::Memory, opts, dir).await;
    let file = measure(Mode::StateFile, opts, dir).await;
    let data = measure(Mode::DataDir, opts, dir).await;
    let first = |r: &Result<Figures>| outcome(r, |f| &f.first);
    let restart = |r: &Result<Figures>| outcome(r, |f| &f.restart);
    let deletes = |r: &Result<Figures>| outcome(r, |f| &f.deletes);
    let n = opts.deletes;
    let mut rows = vec![
        Row {
            figure: "one BatchDeleteImage (1 of 100,000 images), --data-dir DIR".into(),
            measured: deletes(&data),
            comparison: Some(limit(Duration::from_millis(5))),
            target: Target::AtMost(1.0),
            target_text: "≤ 5 ms".into(),
        },
        Row {
            figure: "  the same, --state FILE (the whole state rewritten)".into(),
            measured: deletes(&file),
            comparison: Some(("--data-dir".into(), deletes(&data))),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "  the same, no persistence".into(),
            measured: deletes(&mem),
            comparison: Some(("--data-dir".into(), deletes(&data))),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "start on a --data-dir holding 100,000 images".into(),
            measured: restart(&data),
            comparison: Some(limit(Duration::from_secs(1))),
            target: Target::AtMost(1.0),
            target_text: "≤ 1 s".into(),
        },
        Row {
            figure: "  the same on a --state FILE".into(),
            measured: restart(&file),
            comparison: Some(("--data-dir".into(), restart(&data))),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "  first start, building 100,000 images, --data-dir DIR (writes all)".into(),
            measured: first(&data),
            comparison: Some(("no persistence".into(), first(&mem))),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "  first start, --state FILE".into(),
            measured: first(&file),
            comparison: Some(("no persistence".into(), first(&mem))),
            target: Target::None,
            target_text: "—".into(),
        },
    ];
    for (r, label) in [(&data, "--data-dir DIR"), (&file, "--state FILE")] {
        let measured = match r {
            Ok(f) => match f.after_kill {
                Some(d) => Outcome::Ok(Fig {
                    text: format!(
                        "{} to start; {} images, as acknowledged",
                        time_fig(&[d]).text,
                        COUNT - n - 1
                    ),
                    value: d.as_secs_f64(),
                }),
                None => Outcome::Skipped("not applicable".into()),
            },
            Err(e) => Outcome::Failed(format!("{e:#}")),
        };
        rows.push(Row {
            figure: format!("  SIGKILL right after the last delete, restart, {label}"),
            measured,
            comparison: None,
            target: Target::None,
            target_text: "nothing acknowledged lost".into(),
        });
    }
    rows
}
