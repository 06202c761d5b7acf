//! The TUI section: opening the big repository in the app as `app::run` drives it, frames,
//! filter keys, and the release binary's peak memory.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use ecrp::emulator::{self, EmulatorOptions, Seed};

use crate::Opts;
use crate::listing;
use crate::report::{Fig, Outcome, Row, Target, fmt_dur, limit, median, time_fig};
use crate::sections::{BIG, BIG_COUNT, BIG_TEXT, failed, ok, progress};
use crate::{rss, tui};

/// Opens of the big repository per run and per drawing mode (the first-rows figures are the
/// noisiest of the run: a few milliseconds on a shared machine).
const OPENS: usize = 3;
/// How long the machine is left quiet before pressing enter, and before the bare SDK request it
/// is compared with: a person reads the list before opening a repository, and after a quiet
/// moment a request costs more than in a back-to-back loop (threads and CPUs wake up, caches are
/// cold), so both sides start from the same state.
pub const PAUSE: Duration = Duration::from_millis(100);
/// Back-to-back round trips timed for reference.
const RTT_SAMPLES: usize = 9;
/// Frames timed per figure, in this many alternating blocks.
const FRAMES: usize = 200;
const FRAME_BLOCKS: usize = 10;
/// The filter query typed one key at a time, then one more key that narrows it.
const QUERY: &str = "424";
const NARROW: char = '2';

pub async fn tui_rows(opts: &Opts, url: &str, floor: &Outcome, dir: &Path) -> Vec<Row> {
    let mut rows = Vec::new();
    match tui_in_process(opts, url, floor).await {
        Ok(mut r) => rows.append(&mut r),
        Err(e) => rows.push(Row {
            figure: "TUI in-process figures".into(),
            measured: failed(e),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        }),
    }
    rows.push(peak_row(opts, url, dir));
    rows
}

async fn tui_in_process(opts: &Opts, url: &str, floor: &Outcome) -> Result<Vec<Row>> {
    // Each open: a fresh app settled on the repository list; a bare SDK client that has just
    // listed the repositories (its connection open, as the app's is) sends the same first-page
    // request after `PAUSE`; then, after `PAUSE` again, enter is pressed in the app. Unpaced
    // (a frame on every message) and paced (as `app::run` draws) alternate.
    let (mut first, mut paced_first, mut paced_all) = (vec![], vec![], vec![]);
    let mut paused_rtt = vec![];
    let mut steps: [Vec<Duration>; 3] = Default::default();
    let mut driver = None;
    for r in 0..opts.runs * OPENS {
        for paced in [false, true] {
            progress(&format!(
                "TUI: open big, load 100,000 images ({} of {}, {})",
                r + 1,
                opts.runs * OPENS,
                if paced { "paced" } else { "unpaced" }
            ));
            let mut d = tui::Driver::start(url).await?;
            d.select_repo(BIG)?;
            let bare = listing::bare_client(url);
            bare.describe_repositories().send().await?;
            tokio::time::sleep(PAUSE).await;
            paused_rtt.push(listing::first_page_rtt(&bare, BIG).await?);
            tokio::time::sleep(PAUSE).await;
            let o = d.open_and_load(paced).await?;
            anyhow::ensure!(
                d.app.remote.images.rows.len() == BIG_COUNT,
                "the TUI loaded {} images",
                d.app.remote.images.rows.len()
            );
            if paced {
                paced_first.push(o.first);
                paced_all.push(o.all);
            } else {
                first.push(o.first);
                for (v, x) in steps.iter_mut().zip([o.entered, o.arrived, o.applied]) {
                    v.push(x);
                }
            }
            driver = Some(d);
        }
    }
    let mut d = driver.expect("at least one run");

    // Frames at 100 and at 100,000 rows in alternating blocks, so a busy moment of the machine
    // falls on both sides instead of on one of them.
    progress("TUI: frames at 100 and at 100,000 rows, alternating");
    let small = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        synthetic: vec![("small".into(), 100)],
        ..Default::default()
    })
    .await?;
    let mut s = tui::Driver::start(&small.url()).await?;
    s.select_repo("small")?;
    s.open_and_load(false).await?;
    anyhow::ensure!(
        s.app.remote.images.rows.len() == 100,
        "small holds 100 images"
    );
    let (mut frame_big, mut frame_small) = (Vec::new(), Vec::new());
    for _ in 0..FRAME_BLOCKS {
        frame_big.extend(d.frames(FRAMES / FRAME_BLOCKS)?);
        frame_small.extend(s.frames(FRAMES / FRAME_BLOCKS)?);
    }
    drop(s);
    small.shutdown().await;

    progress("TUI: filter keys at 100,000 rows");
    let (mut typed, mut narrow, mut back, mut shown) = (Vec::new(), Vec::new(), Vec::new(), vec![]);
    for _ in 0..opts.runs {
        let t = tui::filter_run(&mut d, QUERY, NARROW)?;
        typed.extend(t.typed);
        narrow.push(t.narrow);
        back.push(t.backspace);
        shown = t.shown;
    }
    drop(d);

    progress("TUI: back-to-back page round trips");
    let client = listing::bare_client(url);
    let (ecrp_client, _) = ecrp::aws::connect(&ecrp::aws::ClientOptions::for_emulator(url)).await;
    let api = ecrp::aws::Api::new(ecrp_client, true);
    let (mut rtt, mut loader) = (Vec::new(), Vec::new());
    for _ in 0..RTT_SAMPLES {
        rtt.push(listing::first_page_rtt(&client, BIG).await?);
        loader.push(listing::loader_first_page(&api, BIG).await?);
    }
    let convert = listing::convert_page(&client, BIG, RTT_SAMPLES).await?;
    let frame_m = median(&frame_big);
    let budget = |rtt: &[Duration], what: &str| {
        let rtt_m = median(rtt);
        Outcome::Ok(Fig {
            text: format!(
                "{} ({} {what} + {} frame)",
                fmt_dur(rtt_m + frame_m),
                fmt_dur(rtt_m),
                fmt_dur(frame_m)
            ),
            value: (rtt_m + frame_m).as_secs_f64(),
        })
    };
    let paused_budget = budget(&paused_rtt, "round trip after the pause");
    let key_limit = || Some(limit(Duration::from_millis(20)));
    let shown_text = |i: usize| shown.get(i).map_or(0, |n| *n);
    let pause = fmt_dur(PAUSE);
    Ok(vec![
        Row {
            figure: format!(
                "open big after {pause} → first rows drawn (paced as app::run: ≤ 60 frames/s)"
            ),
            measured: ok(&paced_first),
            comparison: Some(("page + frame".into(), paused_budget.clone())),
            target: Target::AtMost(1.0),
            target_text: "≤ 1 page round trip + 1 frame".into(),
        },
        Row {
            figure: "  the same, a frame on every message (no pacing)".into(),
            measured: Outcome::Ok(Fig {
                text: format!(
                    "{} (enter drawn {}, page in {}, applied {})",
                    time_fig(&first).text,
                    fmt_dur(median(&steps[0])),
                    fmt_dur(median(&steps[1])),
                    fmt_dur(median(&steps[2]))
                ),
                value: median(&first).as_secs_f64(),
            }),
            comparison: Some(("page + frame".into(), paused_budget)),
            target: Target::AtMost(1.0),
            target_text: "≤ 1 page round trip + 1 frame".into(),
        },
        Row {
            figure: "  the paced figure beside a back-to-back round trip (no pause, warm loop)"
                .into(),
            measured: ok(&paced_first),
            comparison: Some(("page + frame".into(), budget(&rtt, "round trip"))),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: format!("  bare SDK first page after {pause}, same state as the app"),
            measured: ok(&paused_rtt),
            comparison: Some(("back-to-back".into(), ok(&rtt))),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "  ecrp's loader, first 1,000-row page back-to-back (rows built)".into(),
            measured: ok(&loader),
            comparison: Some(("SDK back-to-back".into(), ok(&rtt))),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "    of which converting the page to rows (ImageRow::from_sdk)".into(),
            measured: ok(&convert),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "open big → all 100,000 rows loaded and drawn (paced)".into(),
            measured: ok(&paced_all),
            comparison: Some(("SDK floor".into(), floor.clone())),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "one frame, 100 rows loaded".into(),
            measured: ok(&frame_small),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "one frame, 100,000 rows loaded".into(),
            measured: ok(&frame_big),
            comparison: Some(("frame at 100".into(), ok(&frame_small))),
            target: Target::AtMost(1.5),
            target_text: "≤ 1.5× frame at 100".into(),
        },
        Row {
            figure: format!(
                "filter key at 100,000 rows, typing {QUERY:?} (→ {} rows)",
                shown_text(QUERY.len() - 1)
            ),
            measured: ok(&typed),
            comparison: key_limit(),
            target: Target::AtMost(1.0),
            target_text: "< 20 ms".into(),
        },
        Row {
            figure: format!(
                "filter key narrowing {QUERY:?} → \"{QUERY}{NARROW}\" (→ {} rows)",
                shown_text(QUERY.len())
            ),
            measured: ok(&narrow),
            comparison: key_limit(),
            target: Target::AtMost(1.0),
            target_text: "< 20 ms".into(),
        },
        Row {
            figure: "filter backspace (every row re-checked)".into(),
            measured: ok(&back),
            comparison: key_limit(),
            target: Target::AtMost(1.0),
            target_text: "< 20 ms".into(),
        },
    ])
}

fn peak_row(opts: &Opts, url: &str, dir: &Path) -> Row {
    let figure = "peak RSS, 100,000 images loaded (release binary in tmux, VmHWM)".to_string();
    let measured = if !rss::tmux_available() {
        Outcome::Skipped("no tmux".into())
    } else {
        let mut peaks = Vec::new();
        let mut err = None;
        for r in 0..opts.runs {
            progress(&format!(
                "TUI: peak memory, real binary in tmux ({})",
                r + 1
            ));
            match rss::peak(
                url,
                BIG,
                BIG_TEXT,
                dir,
                &dir.join(format!("listing-cache-{r}")),
                r,
            ) {
                Ok(p) => peaks.push(p),
                Err(e) => {
                    err = Some(e);
                    break;
                }
            }
        }
        match err {
            Some(e) => failed(e),
            None => {
                let mut mb: Vec<f64> = peaks.iter().map(|p| p.loaded_mib * 1.048_576).collect();
                mb.sort_by(f64::total_cmp);
                let m = mb[mb.len() / 2];
                let before = peaks
                    .iter()
                    .map(|p| p.before_mib * 1.048_576)
                    .fold(0.0, f64::max);
                Outcome::Ok(Fig {
                    text: format!(
                        "{m:.1} MB (median of {}; ≤ {before:.1} MB before opening big)",
                        mb.len()
                    ),
                    value: m,
                })
            }
        }
    };
    Row {
        figure,
        measured,
        comparison: Some((
            "limit".into(),
            Outcome::Ok(Fig {
                text: "150 MB".into(),
                value: 150.0,
            }),
        )),
        target: Target::AtMost(1.0),
        target_text: "< 150 MB".into(),
    }
}
