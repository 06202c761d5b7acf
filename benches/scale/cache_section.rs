//! The listing cache and prefetch (issue 17) on a slow link: an in-process emulator with
//! `--faults latency=80-120ms` (every answer waits 80 to 120 ms) and `big` of 100,000 images, the
//! app with and without the cache side by side in one run, and the AWS CLI's full listing on the
//! same link.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use crossterm::event::KeyCode;
use ecrp::app::load::LoadState;
use ecrp::app::{CacheOptions, Pane};
use ecrp::aws::ImageRow;
use ecrp::emulator::{self, EmulatorOptions, FaultSpec, Seed};

use crate::Opts;
use crate::listing;
use crate::report::{Fig, Outcome, Row, Target};
use crate::sections::{BIG, BIG_COUNT, BIG_TEXT, failed, ok, progress};
use crate::tui::{Driver, key};

/// Sorted after `big`: a place to move the cursor to and back (a rest on `big` is then a new one).
const OTHER: &str = "other";
pub const LATENCY: &str = "latency=80-120ms";

fn cache(dir: &Path) -> CacheOptions {
    CacheOptions {
        store: ecrp::cache::Store::new(dir.to_path_buf(), ecrp::cache::DEFAULT_MAX_BYTES),
        identity: String::new(),
    }
}

fn row(figure: &str, measured: Outcome, comparison: Option<(String, Outcome)>) -> Row {
    Row {
        figure: figure.into(),
        measured,
        comparison,
        target: Target::None,
        target_text: String::new(),
    }
}

/// The targets are absolute (one frame); the rows report them beside the figures rather
/// than judge a ratio against a threshold of our own.
fn with_target(mut r: Row, target: Target, text: &str) -> Row {
    r.target = target;
    r.target_text = text.into();
    r
}

pub async fn cache_rows(opts: &Opts, cli: Option<&Path>, no_cli: &str, dir: &Path) -> Vec<Row> {
    match run(opts, cli, no_cli, dir).await {
        Ok(rows) => rows,
        Err(e) => vec![row("listing cache section", failed(e), None)],
    }
}

/// Repositories drawn (the pane shows both repositories).
fn repos_drawn(a: &ecrp::app::App) -> bool {
    a.pane == Pane::Repositories && a.remote.repos.len() == 2
}

/// A fresh app on the repositories, its cursor on `big` after a move away and back, so no
/// prefetch of `big` is held or armed beyond the rest timer just set.
async fn on_big(url: &str, cache: Option<CacheOptions>) -> Result<Driver> {
    let mut d = Driver::start_with(url, cache).await?;
    ensure!(repos_drawn(&d.app), "not on the two repositories");
    d.select_repo(OTHER)?;
    d.apply(key(KeyCode::Down));
    d.select_repo(BIG)?;
    d.apply(key(KeyCode::Up));
    Ok(d)
}

/// Leave the images (stopping their load) and let every task end.
async fn close(mut d: Driver) -> Result<()> {
    d.apply(key(KeyCode::Esc));
    d.settle().await
}

async fn run(opts: &Opts, cli: Option<&Path>, no_cli: &str, dir: &Path) -> Result<Vec<Row>> {
    progress("cache: in-process emulator, big=100000, latency 80-120 ms");
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        synthetic: vec![(BIG.into(), BIG_COUNT), (OTHER.into(), 10)],
        faults: Some(FaultSpec::parse(LATENCY).map_err(anyhow::Error::msg)?),
        ..Default::default()
    })
    .await?;
    let url = emu.url();
    let cdir = dir.join("listing-cache");

    // Warm-up: one complete listing of everything, saved.
    progress("cache: first complete listing of big (saved to the cache)");
    let mut d = Driver::start_with(&url, Some(cache(&cdir))).await?;
    d.select_repo(BIG)?;
    d.open_and_load(false).await?;
    d.settle().await?;
    drop(d);
    let (size, file) = std::fs::read_dir(&cdir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.metadata().ok()?.len(), e.path())))
        .max()
        .context("no cache file written")?;
    // Decoding alone, and the two parts of showing the rows (the index the fresh pages are
    // compared through, the list's append: filter texts and sort), timed beside each re-open
    // below (same load, same moment). On a blocking thread, where the app decodes: on this
    // task's thread, whose heap the app's lists just left fragmented, allocation is slower.
    let decode = |file: std::path::PathBuf| -> Result<[std::time::Duration; 3]> {
        let bytes = std::fs::read(&file)?;
        let t = Instant::now();
        let (listing, _) =
            ecrp::cache::format::decode(&bytes).context("the cache file does not decode")?;
        let took = t.elapsed();
        ensure!(listing.len() == BIG_COUNT, "{} rows cached", listing.len());
        let rows = <ImageRow as ecrp::app::cached::Cacheable>::take(listing)
            .context("not an image listing")?;
        let t = Instant::now();
        let stale = ecrp::app::stale::Stale::new(0, &rows);
        let index = t.elapsed();
        let mut list = ecrp::app::list::List::<ImageRow>::default();
        let mut m = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
        let t = Instant::now();
        list.append(rows, &mut m);
        let append = t.elapsed();
        ensure!(stale.gone() == BIG_COUNT && list.rows.len() == BIG_COUNT);
        Ok([took, index, append])
    };
    let (mut read, mut index, mut append) = (Vec::new(), Vec::new(), Vec::new());

    // Start-up → repositories drawn.
    let mut warm = Vec::new();
    let mut cold = Vec::new();
    for r in 0..opts.runs {
        progress(&format!("cache: start-up, cached and not ({})", r + 1));
        let t = Instant::now();
        let mut d = Driver::begin(&url, Some(cache(&cdir)))?;
        warm.push(d.until(t, "the cached repositories", repos_drawn).await?);
        d.settle().await?;
        let t = Instant::now();
        let mut d = Driver::begin(&url, None)?;
        cold.push(d.until(t, "the repositories", repos_drawn).await?);
        d.settle().await?;
    }

    // enter → first rows: prefetched (the cursor rested) or not (enter at once). Cache off, so
    // the figure is the prefetch alone.
    let mut pre = Vec::new();
    let mut frame = Vec::new();
    let mut not = Vec::new();
    let has_rows = |a: &ecrp::app::App| a.pane == Pane::Images && !a.remote.images.rows.is_empty();
    for r in 0..opts.runs {
        progress(&format!(
            "cache: enter on big, prefetched and not ({})",
            r + 1
        ));
        let mut d = on_big(&url, None).await?;
        d.settle().await?; // the rest timer fires and the prefetch answers
        let t = Instant::now();
        d.apply(key(KeyCode::Enter));
        pre.push(d.until(t, "big's first rows", has_rows).await?);
        // The same screen drawn again: what one frame of it costs, beside enter's update + frame.
        let t = Instant::now();
        d.draw()?;
        frame.push(t.elapsed());
        close(d).await?;
        let mut d = on_big(&url, None).await?;
        let t = Instant::now();
        d.apply(key(KeyCode::Enter));
        not.push(d.until(t, "big's first rows", has_rows).await?);
        close(d).await?;
    }

    // Re-opening big → all 100,000 rows drawn: from the cache (enter at once, and after a rest,
    // when the prefetch has read the cache too) against the whole listing.
    let all_rows =
        |a: &ecrp::app::App| a.pane == Pane::Images && a.remote.images.len() == BIG_COUNT;
    let mut cached_now = Vec::new();
    let mut shown_step = Vec::new();
    let mut cached_rested = Vec::new();
    for r in 0..opts.runs {
        progress(&format!("cache: re-open big from the cache ({})", r + 1));
        let f = file.clone();
        let [a, b, c] = tokio::task::spawn_blocking(move || decode(f)).await??;
        read.push(a);
        index.push(b);
        append.push(c);
        let mut d = on_big(&url, Some(cache(&cdir))).await?;
        let t = Instant::now();
        d.apply(key(KeyCode::Enter));
        cached_now.push(d.until(t, "100,000 cached rows", all_rows).await?);
        shown_step.push(d.last_step);
        close(d).await?;
        let mut d = on_big(&url, Some(cache(&cdir))).await?;
        d.settle().await?;
        let t = Instant::now();
        d.apply(key(KeyCode::Enter));
        cached_rested.push(d.until(t, "100,000 cached rows", all_rows).await?);
        close(d).await?;
    }
    progress("cache: open big without the cache (every page on the slow link)");
    let mut d = on_big(&url, None).await?;
    let t = Instant::now();
    d.apply(key(KeyCode::Enter));
    let whole = d
        .until(t, "all 100,000 rows", |a| {
            all_rows(a) && a.remote.images.load.state == LoadState::Done
        })
        .await?;
    close(d).await?;

    let cli_fig = match cli {
        Some(cli) => {
            progress("cache: aws ecr-public describe-images --repository-name big (slow link)");
            let mut v = Vec::new();
            let mut err = None;
            for _ in 0..opts.cli_runs {
                match listing::cli_list_timed(cli, &url, BIG) {
                    Ok(d) => v.push(d),
                    Err(e) => {
                        err = Some(e);
                        break;
                    }
                }
            }
            match err {
                Some(e) => failed(e),
                None => ok(&v),
            }
        }
        None => Outcome::Skipped(no_cli.into()),
    };
    // Peak memory of the real binary: the first run lists `big` from the service (and saves it),
    // the second shows it from the cache, then revalidates (both listings in memory meanwhile).
    let peak = if crate::rss::tmux_available() {
        progress("cache: peak memory, real binary in tmux, from the service then from the cache");
        let (url, dir) = (url.clone(), dir.to_path_buf());
        tokio::task::spawn_blocking(move || -> Result<(f64, f64)> {
            // The same cache both times; a tmux server of its own each time.
            let c = dir.join("listing-cache-peak");
            let first = crate::rss::peak(&url, BIG, BIG_TEXT, &dir, &c, 900)?;
            let again = crate::rss::peak(&url, BIG, BIG_TEXT, &dir, &c, 901)?;
            Ok((first.loaded_mib, again.loaded_mib))
        })
        .await
        .map_err(anyhow::Error::from)
        .and_then(|r| r)
    } else {
        Err(anyhow::anyhow!("no tmux"))
    };
    let mib = |v: f64| {
        Outcome::Ok(Fig {
            text: format!("{v:.1} MB"),
            value: v,
        })
    };
    let peak_row = match peak {
        Ok((first, again)) => row(
            "peak RSS, big opened from the cache and revalidated (real binary in tmux, VmHWM)",
            mib(again),
            Some(("listed from the service".into(), mib(first))),
        ),
        Err(e) => row("peak RSS with 100,000 cached images", failed(e), None),
    };
    emu.shutdown().await;

    let whole_fig = ok(&[whole]);
    Ok(vec![
        with_target(
            row(
                "start-up → repositories drawn, from the cache",
                ok(&warm),
                Some(("without the cache".into(), ok(&cold))),
            ),
            Target::None,
            "issue: one frame (vs credentials + 2 round trips)",
        ),
        with_target(
            row(
                "enter on big → first rows drawn, prefetched (cursor rested 150 ms)",
                ok(&pre),
                Some(("enter at once (one round trip)".into(), ok(&not))),
            ),
            Target::None,
            "issue: one frame (vs one round trip)",
        ),
        row("  one frame of that screen (drawn again)", ok(&frame), None),
        with_target(
            row(
                "re-open big → all 100,000 rows drawn, from the cache (enter at once)",
                ok(&cached_now),
                Some(("without the cache (every page)".into(), whole_fig.clone())),
            ),
            Target::None,
            "issue: one frame + reading the cache (vs ~100 round trips)",
        ),
        row(
            "  of which the message that showed them: update (append, sort) and its frame",
            ok(&shown_step),
            None,
        ),
        row(
            "  the same after a rest (the prefetch read the cache)",
            ok(&cached_rested),
            Some(("without the cache (every page)".into(), whole_fig.clone())),
        ),
        row(
            "  decoding the cache file of 100,000 images alone (beside each re-open)",
            ok(&read),
            None,
        ),
        row(
            "  the index fresh pages are compared through (built by the reader, off the UI thread)",
            ok(&index),
            None,
        ),
        row(
            "  the list's append of them (filter texts, sort; in update)",
            ok(&append),
            None,
        ),
        row(
            "cache file for 100,000 images, on disk",
            Outcome::Ok(Fig {
                text: format!(
                    "{:.1} MB ({} bytes per image)",
                    size as f64 / 1e6,
                    size / BIG_COUNT as u64
                ),
                value: size as f64 / 1e6,
            }),
            None,
        ),
        peak_row,
        row(
            "aws ecr-public describe-images --repository-name big, same link",
            cli_fig,
            Some(("ecrp from the cache".into(), ok(&cached_now))),
        ),
    ])
}
