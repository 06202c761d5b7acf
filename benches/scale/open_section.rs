//! The `:open` section: a repository with 10,000 tags opened through the registry API (no AWS
//! credentials involved), in the app as `app::run` drives it. "First rows" is compared with what
//! the registry client needs for a first page from a fresh start (the anonymous token, then one
//! tag-list page) plus one frame; keys pressed while the remaining pages arrive are timed
//! (their `update` and frame), as the filter keys are.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use crossterm::event::KeyCode;
use ecrp::app::{Fetch, Msg};
use ecrp::emulator::{self, EmulatorOptions, Seed};
use ecrp::registry::Reference;

use crate::Opts;
use crate::report::{Fig, Outcome, Row, Target, fmt_dur, limit, median, time_fig};
use crate::sections::{failed, ok, progress};
use crate::tui::{self, Driver};
use crate::tui_section::PAUSE;

const REPO: &str = "tags10k";
const TAGS: usize = 10_000;
const TAGS_TEXT: &str = "10,000";
/// The seed's registry alias: public.ecr.aws/ALIAS/REPO, mapped to the emulator.
const REFERENCE: &str = "public.ecr.aws/acme/tags10k";
/// Opens per run (a few milliseconds each, noisy on a shared machine).
const OPENS: usize = 3;

/// One open of the repository.
struct Opened {
    /// The frame showing the first tags.
    first: Duration,
    /// The frame showing every visible row's digest, size and age.
    screen_filled: Duration,
    /// The frame after the last page.
    all: Duration,
    /// `update` and a frame for each key pressed while pages were still arriving.
    keys: Vec<Duration>,
}

pub async fn open_rows(opts: &Opts) -> Vec<Row> {
    match measure(opts).await {
        Ok(rows) => rows,
        Err(e) => vec![Row {
            figure: ":open figures".into(),
            measured: failed(e),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        }],
    }
}

/// The registry client's first tag-list page from a fresh start: the 401, the anonymous token,
/// the page (what the app's `:open` has to wait for too).
async fn bare_first_page(url: &str) -> Result<Duration> {
    let r = Reference::parse(REFERENCE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let client = ecrp::inspect::client_for(&r, Some(url), None)?;
    let t = Instant::now();
    let mut got = 0;
    client
        .list_tags_paged(&r.name, &mut |p| {
            got = p.len();
            false
        })
        .await?;
    let d = t.elapsed();
    ensure!(got > 0, "the first tag-list page was empty");
    Ok(d)
}

/// The same client's next page once it holds a token: one round trip.
async fn warm_page(url: &str) -> Result<Vec<Duration>> {
    let r = Reference::parse(REFERENCE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let client = ecrp::inspect::client_for(&r, Some(url), None)?;
    client.list_tags_paged(&r.name, &mut |_| false).await?;
    let mut v = Vec::new();
    for _ in 0..9 {
        let t = Instant::now();
        client.list_tags_paged(&r.name, &mut |_| false).await?;
        v.push(t.elapsed());
    }
    Ok(v)
}

fn screen_filled(d: &Driver) -> bool {
    let Some(v) = &d.app.opened.view else {
        return false;
    };
    let h = ecrp::app::layout::read_view_inner(&d.app)
        .height
        .saturating_sub(2) as usize;
    let end = (v.offset + h).min(v.tags.len());
    end > v.offset
        && v.tags[v.offset..end]
            .iter()
            .all(|t| matches!(v.details.get(t), Some(Fetch::Ready(_))))
}

async fn open_once(d: &mut Driver) -> Result<Opened> {
    for c in format!(":open {REFERENCE}").chars() {
        d.apply(tui::key(KeyCode::Char(c)));
    }
    d.draw()?;
    tokio::time::sleep(PAUSE).await;
    let t = Instant::now();
    let deadline = t + Duration::from_secs(120);
    d.apply(tui::key(KeyCode::Enter));
    d.draw()?;
    let (mut first, mut filled, mut all) = (None, None, None);
    let mut keys = Vec::new();
    while first.is_none() || filled.is_none() || all.is_none() {
        let m = tokio::time::timeout_at(deadline.into(), d.rx.recv())
            .await
            .context(":open did not finish in 120 s")?
            .context("the runner's channel closed")?;
        let page = matches!(&m, Msg::OpenPage { done: false, .. });
        d.apply(m);
        d.draw()?;
        let v = d
            .app
            .opened
            .view
            .as_ref()
            .context("the :open view closed")?;
        if let Some(e) = &v.error {
            anyhow::bail!("the tag list failed: {e}");
        }
        if first.is_none() && !v.tags.is_empty() {
            first = Some(t.elapsed());
        }
        if filled.is_none() && screen_filled(d) {
            filled = Some(t.elapsed());
        }
        if all.is_none() && !v.loading {
            all = Some(t.elapsed());
        }
        // A key while the rest of the list arrives: down, then back up, as someone reading.
        if page && all.is_none() {
            let k = Instant::now();
            d.apply(tui::key(KeyCode::Down));
            d.draw()?;
            keys.push(k.elapsed());
            d.apply(tui::key(KeyCode::Up));
            d.draw()?;
        }
    }
    let n = d.app.opened.view.as_ref().map_or(0, |v| v.tags.len());
    ensure!(n == TAGS, ":open listed {n} tags, not {TAGS}");
    // Close the view and let the last manifest reads end before the next open.
    d.apply(tui::key(KeyCode::Esc));
    d.settle().await?;
    Ok(Opened {
        first: first.unwrap_or_default(),
        screen_filled: filled.unwrap_or_default(),
        all: all.unwrap_or_default(),
        keys,
    })
}

async fn measure(opts: &Opts) -> Result<Vec<Row>> {
    progress(&format!("open: in-process emulator with {REPO}={TAGS}"));
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        synthetic: vec![(REPO.into(), TAGS)],
        ..Default::default()
    })
    .await?;
    let url = emu.url();
    let (mut first, mut filled, mut all, mut keys, mut bare) =
        (vec![], vec![], vec![], vec![], vec![]);
    for r in 0..opts.runs * OPENS {
        progress(&format!(
            ":open {REFERENCE} ({} of {})",
            r + 1,
            opts.runs * OPENS
        ));
        let mut d = Driver::start(&url).await?;
        tokio::time::sleep(PAUSE).await;
        bare.push(bare_first_page(&url).await?);
        let o = open_once(&mut d).await?;
        first.push(o.first);
        filled.push(o.screen_filled);
        all.push(o.all);
        keys.extend(o.keys);
    }
    let warm = warm_page(&url).await?;
    // One frame of the view at 10,000 tags, for the budget.
    let mut d = Driver::start(&url).await?;
    for c in format!(":open {REFERENCE}").chars() {
        d.apply(tui::key(KeyCode::Char(c)));
    }
    d.apply(tui::key(KeyCode::Enter));
    d.settle().await?;
    let frames = d.frames(50)?;
    drop(d);
    emu.shutdown().await;

    let frame_m = median(&frames);
    let bare_m = median(&bare);
    let budget = Outcome::Ok(Fig {
        text: format!(
            "{} ({} token + page + {} frame)",
            fmt_dur(bare_m + frame_m),
            fmt_dur(bare_m),
            fmt_dur(frame_m)
        ),
        value: (bare_m + frame_m).as_secs_f64(),
    });
    ensure!(!keys.is_empty(), "no key was pressed while pages arrived");
    let worst = keys.iter().max().copied().unwrap_or_default();
    Ok(vec![
        Row {
            figure: format!(
                ":open {TAGS_TEXT} tags after {} → first tags drawn",
                fmt_dur(PAUSE)
            ),
            measured: ok(&first),
            comparison: Some(("token + page + frame".into(), budget)),
            target: Target::AtMost(1.0),
            target_text: "≤ 1 page round trip (plus the token) + 1 frame".into(),
        },
        Row {
            figure: "  the registry client alone: token + first page (fresh client)".into(),
            measured: ok(&bare),
            comparison: Some(("page with a token".into(), ok(&warm))),
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "  → the screen's digests, sizes and ages drawn (4 manifest reads at a time)"
                .into(),
            measured: ok(&filled),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: format!("  → all {TAGS_TEXT} tags listed and drawn"),
            measured: ok(&all),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: format!(
                "key while the tags arrive (update + frame; {} keys, worst {})",
                keys.len(),
                fmt_dur(worst)
            ),
            measured: Outcome::Ok(time_fig(&keys)),
            comparison: Some(limit(Duration::from_millis(20))),
            target: Target::AtMost(1.0),
            target_text: "< 20 ms".into(),
        },
    ])
}
