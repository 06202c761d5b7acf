//! The four sections of the run, each turning its samples into table rows.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use ecrp::emulator::{self, EmulatorOptions, Seed};

use crate::Opts;
use crate::listing;
use crate::procs::{self, EmuProc};
use crate::report::{Fig, Outcome, Row, Target, fmt_dur, limit, median, time_fig};
use crate::{cache_section, delete, open_section, tui_section};

pub const BIG: &str = "big";
pub const BIG_COUNT: usize = 100_000;
pub const BIG_TEXT: &str = "100,000";
/// A repository with no images: `ecrp ls` of it is start-up plus one round trip.
const EMPTY: &str = "empty";
/// Pages timed for the emulator's serving time.
const SERVE_PAGES: usize = 50;

pub const NOTES: &str = "\
Notes (how each figure is taken):

- Every figure is measured in the run that printed it; \"median of N\" says how many runs.
- Emulator: the in-process build is `emulator::start` with `--synthetic big=100000`; the process \
figure is from spawning `ecrp emulator --synthetic big=100000 --synthetic empty=0` to its \
`listening on` line. A page is \
served to a minimal HTTP/1.1 client on one kept-alive connection (50 successive 1,000-row pages, \
from the first byte written to the last byte read), so SDK parsing is not counted.
- Listing: the emulator runs as a separate process (`--synthetic big=100000 --synthetic \
empty=0`); every listing figure is the median of `--list-runs` runs (7 by default), all \
contenders interleaved in each run. `ecrp ls images big --json` (release binary, exactly as typed: \
its warnings go to stderr, which the benchmark captures) is timed from spawn to exit with stdout to \
/dev/null; one more (untimed) run writes to a file whose rows are counted, and a count other than \
100,000 is a failed measurement. Its target compares it with the SDK floor run as a process of its \
own, so both pay what every program pays (exec and dynamic linking, the SDK's HTTPS client loading \
the system's root certificates, the first connection): the benchmark binary started again with a \
hidden argument, which builds a runtime and a bare client (static credentials, the endpoint, SDK \
defaults) and runs the same paginator loop (1,000-row pages, rows counted and dropped), timed and \
counted like `ecrp ls`. It runs on a current-thread runtime (as `ecrp ls` does) and on a \
multi-thread one (`#[tokio::main]`'s default); the faster median is the floor. The in-process floor \
(that loop in the benchmark's own process, with a warm client and connection) has no start-up at \
all; it is kept, with ecrp's ratio to it, for comparison with earlier runs, which used it as the \
floor. Start-up is measured apart on a repository with no images (one round trip). `--log-file \
FILE` adds tracing-appender's writer thread and its 128,000-line channel (about 4 MB touched at \
start). The AWS CLI runs as a user runs it (it pages with the service's default page size), \
`--cli-runs` times.
- TUI: `update`, the real effect runner and SDK client, and `view` into a 160×45 TestBackend. \
\"Paced\" draws as `app::run` does (its `app::Pacer`: a change after a pause at once, about one \
frame per `app::FRAME`, 1/60 s, in a burst; ticks left out); \"a frame on every message\" shows \
what the pacing costs. Each open starts a fresh app settled on the repository list and leaves the \
machine quiet for 100 ms before enter, as a person reading the list would. \"First rows\" is \
compared with one SDK round trip for a 1,000-row page plus the time to draw one frame at 100,000 \
rows, that round trip taken in the same state: just before each open, a bare client that has just \
listed the repositories (its connection open, as the app's is) waits the same 100 ms and sends the \
same first-page DescribeImages (building and signing the request, the emulator serving it, the SDK \
parsing 1,000 rows). After a quiet moment a request costs more than in a back-to-back loop \
(threads and CPUs wake up, caches are cold); the back-to-back round trip is printed beside it and \
the paced figure is also set against it, for the stricter reading. On top of the round trip the \
app hands the load to a task, its loader converts the page to rows (measured apart), the page \
comes back to the app's loop, is applied and drawn; the frame of the opened pane is drawn during \
the round trip. Frames are timed after moving the cursor one row, at 100 and at 100,000 rows in \
alternating blocks of 20. Filter keys are `update` plus \
the frame that shows them. Peak memory is VmHWM of the real release binary run in tmux (`/big`, \
enter, enter), read once the screen shows every image loaded.
- Bulk delete: a fresh `ecrp emulator --synthetic del=10000` per run; ecrp's figure is \
`Api::delete_images` (chunks of 100, 8 in flight) with its DeleteReport checked (10,000 deleted, 0 \
failures, none left); the CLI's is the sum of its sequential `batch-delete-image` calls of 100 ids \
(`--image-ids file://…`), outputs checked the same way.
- `:open`: an in-process emulator with `--synthetic tags10k=10000`, opened as \
`public.ecr.aws/acme/tags10k` (the registry URL mapped to the emulator, no AWS credentials \
used) in a fresh app after 100 ms of quiet, a frame on every message. \"First tags\" is \
compared with a fresh registry client's first tag-list page (the 401, the anonymous token, the \
1,000-tag page) taken just before, plus one frame of the view at 10,000 tags. A key (down; then \
up, untimed) is pressed after each page that is not the last; its `update` and frame are the \
key figure. The run fails unless all 10,000 tags arrive.
- Lifecycle view: the plan is the view's own task (`app::effects::lifecycle::run`: list every \
image, read the indexes, evaluate off the async threads) on `big` with a policy keeping the newest \
1,000 builds (99,000 expire), interleaved with a bare `Api::images` listing of the same repository, \
`--list-runs` times. The apply is the view's apply task on a fresh `ecrp emulator --synthetic \
expire=11000` (the same policy expires 10,000): the journal of every manifest first, then the \
plan's phases through the stoppable bulk delete; its delete phase (from the journal's message to \
the end) is set beside `Api::delete_images` of 10,000 on a fresh `del=10000`, runs interleaved, \
and the whole apply is shown beside it. Frames are drawn at 160×45 after moving the cursor one \
row, in alternating blocks of 20: the images pane with 100,000 rows loaded, then `L` on the same \
repository (the preview of 100,000 rows).
- Listing cache and prefetch: an in-process emulator with `--faults latency=80-120ms` (every \
answer waits 80 to 120 ms), `big` of 100,000 images and a second repository; the app as in the TUI \
figures, drawing after every message, with the listing cache in a temporary directory filled by one \
complete listing first. Start-up is from the app's first effects to the frame showing the \
repositories. \"Prefetched\": the cursor moved off `big` and back, rested until the prefetch \
answered, then enter; \"at once\": enter right after the move (one round trip). Re-opening: a fresh \
app, enter on `big`, until the frame showing all 100,000 rows (from the cache, which the fresh \
listing then revalidates; without the cache, every page on the slow link). The AWS CLI lists `big` \
on the same link as a user runs it.
";

pub fn ok(samples: &[Duration]) -> Outcome {
    Outcome::Ok(time_fig(samples))
}

pub fn failed(e: anyhow::Error) -> Outcome {
    Outcome::Failed(format!("{e:#}"))
}

pub fn progress(what: &str) {
    eprintln!("· {what}");
}

/// Samples of `f`, `runs` times; the first error ends the figure as failed.
async fn sample<F, Fut>(runs: usize, mut f: F) -> Outcome
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<Duration>>,
{
    let mut v = Vec::new();
    for r in 0..runs {
        match f(r).await {
            Ok(d) => v.push(d),
            Err(e) => return failed(e),
        }
    }
    ok(&v)
}

/// A row counted wrong is a failed measurement, not a slow one.
fn counted(r: Result<(Duration, usize)>, want: usize) -> Result<Duration> {
    let (d, n) = r?;
    anyhow::ensure!(n == want, "got {n} rows, expected {want}");
    Ok(d)
}

pub async fn all(opts: &Opts) -> Result<Vec<(String, Vec<Row>)>> {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    let cli = if opts.cli { procs::aws_cli() } else { None };
    let no_cli = if opts.cli { "no AWS CLI" } else { "--no-cli" };
    let mut out = Vec::new();

    // One `ecrp emulator --synthetic big=100000 --synthetic empty=0` for the listing and the TUI;
    // each spawn is also a sample of the process's start-up time.
    let needs_big = ["emulator", "list", "tui", "lifecycle"]
        .iter()
        .any(|s| opts.wants(s));
    let mut big: Option<EmuProc> = None;
    let mut ready = Vec::new();
    if needs_big {
        for r in 0..opts.runs {
            progress(&format!(
                "starting ecrp emulator --synthetic big=100000 ({})",
                r + 1
            ));
            let specs = [format!("{BIG}={BIG_COUNT}"), format!("{EMPTY}=0")];
            let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
            let e = EmuProc::spawn(&specs, &dir.join("emu.log"))?;
            ready.push(e.ready);
            big = Some(e);
        }
    }
    let url = big.as_ref().map(|e| e.url.clone()).unwrap_or_default();

    if opts.wants("emulator") {
        out.push(("emulator".into(), emulator_rows(opts, &url, &ready).await));
    }
    let mut floor = Outcome::Skipped("not run".into());
    if opts.wants("list") {
        let rows = list_rows(opts, &url, cli.as_deref(), no_cli, dir).await;
        floor = rows[0].measured.clone();
        out.push(("list 100,000 images".into(), rows));
    }
    if opts.wants("tui") {
        out.push((
            "TUI".into(),
            tui_section::tui_rows(opts, &url, &floor, dir).await,
        ));
    }
    if opts.wants("lifecycle") {
        out.push((
            "lifecycle view".into(),
            crate::lifecycle::rows(opts, &url, dir).await,
        ));
    }
    drop(big);
    if opts.wants("cache") {
        out.push((
            format!("listing cache and prefetch, {}", cache_section::LATENCY),
            cache_section::cache_rows(opts, cli.as_deref(), no_cli, dir).await,
        ));
    }
    if opts.wants("delete") {
        out.push((
            "bulk delete 10,000 images".into(),
            delete_rows(opts, cli.as_deref(), no_cli, dir).await,
        ));
    }
    if opts.wants("inspector") {
        out.push((
            "image inspector".into(),
            crate::inspector::inspector_rows(opts).await,
        ));
    }
    if opts.wants("open") {
        out.push((
            ":open 10,000 tags (registry API)".into(),
            open_section::open_rows(opts).await,
        ));
    }
    Ok(out)
}

async fn emulator_rows(opts: &Opts, url: &str, ready: &[Duration]) -> Vec<Row> {
    progress("emulator: in-process build of big=100000");
    let build = sample(opts.runs, |_| async {
        let t = Instant::now();
        let emu = emulator::start(EmulatorOptions {
            seed: Seed::Empty,
            synthetic: vec![(BIG.into(), BIG_COUNT)],
            ..Default::default()
        })
        .await?;
        let took = t.elapsed();
        emu.shutdown().await;
        Ok(took)
    })
    .await;
    progress("emulator: serving 1,000-row pages");
    let serve = match listing::page_serve(url, BIG, SERVE_PAGES).await {
        Ok(v) => Outcome::Ok(Fig {
            text: format!("{} (median of {})", fmt_dur(median(&v)), v.len()),
            value: median(&v).as_secs_f64(),
        }),
        Err(e) => failed(e),
    };
    vec![
        Row {
            figure: "build --synthetic big=100000, in-process start".into(),
            measured: build,
            comparison: Some(limit(Duration::from_secs(3))),
            target: Target::AtMost(1.0),
            target_text: "< 3 s".into(),
        },
        Row {
            figure: "ecrp emulator --synthetic big=100000 --synthetic empty=0: spawn → listening"
                .into(),
            measured: ok(ready),
            comparison: Some(limit(Duration::from_secs(3))),
            target: Target::AtMost(1.0),
            target_text: "< 3 s".into(),
        },
        Row {
            figure: "serve one 1,000-row DescribeImages page".into(),
            measured: serve,
            comparison: Some(limit(Duration::from_millis(20))),
            target: Target::AtMost(1.0),
            target_text: "< 20 ms".into(),
        },
    ]
}

/// Samples of one figure; a failed sample makes the figure failed.
#[derive(Default)]
struct Series {
    samples: Vec<Duration>,
    error: Option<anyhow::Error>,
}

impl Series {
    fn push(&mut self, r: Result<Duration>) {
        match r {
            Ok(d) => self.samples.push(d),
            Err(e) => self.error = Some(e),
        }
    }

    fn outcome(self) -> Outcome {
        self.error.map_or_else(|| ok(&self.samples), failed)
    }
}

/// Rows: the in-process floor first (`all` reads it), the floor as a process, ecrp ls, its
/// start-up, the CLI.
async fn list_rows(
    opts: &Opts,
    url: &str,
    cli: Option<&Path>,
    no_cli: &str,
    dir: &Path,
) -> Vec<Row> {
    use listing::Flavor::{Current, Multi};
    let client = listing::bare_client(url);
    let [
        mut floor,
        mut proc_ct,
        mut proc_mt,
        mut ls,
        mut ls_log,
        mut ls_empty,
        mut floor_empty,
    ]: [Series; 7] = Default::default();
    let mut aws = Series::default();
    // Timed runs write to /dev/null; one more run of each command writes to a file whose rows are
    // counted. Interleaved, so a slow moment of the machine hits every contender alike.
    progress("list: counting the rows of ecrp ls and of the floor processes (untimed)");
    for (s, r, want) in [
        (&mut ls, listing::ecrp_ls_count(url, BIG, dir), BIG_COUNT),
        (&mut ls_empty, listing::ecrp_ls_count(url, EMPTY, dir), 0),
        (
            &mut proc_ct,
            listing::floor_process_count(url, BIG, Current, dir),
            BIG_COUNT,
        ),
        (
            &mut proc_mt,
            listing::floor_process_count(url, BIG, Multi, dir),
            BIG_COUNT,
        ),
    ] {
        if let Err(e) = counted(r.map(|n| (Duration::ZERO, n)), want) {
            s.error = Some(e);
        }
    }
    if let Some(cli) = cli {
        progress("list: counting the rows of the AWS CLI (untimed)");
        if let Err(e) = counted(
            listing::cli_list_count(cli, url, BIG, dir).map(|n| (Duration::ZERO, n)),
            BIG_COUNT,
        ) {
            aws.error = Some(e);
        }
    }
    let log = dir.join("ls.log");
    for r in 0..opts.list_runs {
        progress(&format!(
            "list: SDK floor, ecrp ls ({} of {})",
            r + 1,
            opts.list_runs
        ));
        floor.push(counted(listing::floor_once(&client, BIG).await, BIG_COUNT));
        proc_ct.push(listing::floor_process_timed(url, BIG, Current));
        proc_mt.push(listing::floor_process_timed(url, BIG, Multi));
        ls.push(listing::ecrp_ls_timed(url, BIG, None));
        ls_log.push(listing::ecrp_ls_timed(url, BIG, Some(&log)));
        ls_empty.push(listing::ecrp_ls_timed(url, EMPTY, None));
        floor_empty.push(listing::floor_process_timed(url, EMPTY, Current));
        if let Some(cli) = cli.filter(|_| r < opts.cli_runs) {
            progress(&format!("list: aws ecr-public describe-images ({})", r + 1));
            aws.push(listing::cli_list_timed(cli, url, BIG));
        }
    }
    let (floor, proc_ct, proc_mt) = (floor.outcome(), proc_ct.outcome(), proc_mt.outcome());
    let (ls, ls_log) = (ls.outcome(), ls_log.outcome());
    // The target is judged against the faster of the two floor processes.
    let process_floor = match (proc_ct.value(), proc_mt.value()) {
        (Some(c), Some(m)) if m < c => ("SDK floor process (multi-thread)", proc_mt.clone()),
        _ => ("SDK floor process (current-thread)", proc_ct.clone()),
    };
    let aws = match cli {
        None => Outcome::Skipped(no_cli.into()),
        Some(_) => aws.outcome(),
    };
    let report = |figure: &str, measured: Outcome, comparison: Option<(String, Outcome)>| Row {
        figure: figure.into(),
        measured,
        comparison,
        target: Target::None,
        target_text: "—".into(),
    };
    vec![
        report(
            "SDK floor: paginator, 1,000-row pages, in-process (warm client)",
            floor.clone(),
            None,
        ),
        report(
            "SDK floor as its own process, current-thread runtime",
            proc_ct,
            None,
        ),
        report(
            "SDK floor as its own process, multi-thread runtime",
            proc_mt,
            None,
        ),
        Row {
            figure: "ecrp ls images big --json (release binary)".into(),
            measured: ls.clone(),
            comparison: Some((process_floor.0.into(), process_floor.1)),
            target: Target::AtMost(1.15),
            target_text: "≤ 1.15× floor".into(),
        },
        report(
            "  the same against the in-process floor (no process start, warm connection)",
            ls.clone(),
            Some(("SDK floor in-process".into(), floor)),
        ),
        report(
            "  the same with --log-file FILE",
            ls_log,
            Some(("ecrp ls".into(), ls.clone())),
        ),
        report(
            "  start-up: ecrp ls images empty --json (0 rows, one round trip)",
            ls_empty.outcome(),
            Some((
                "SDK floor process (current-thread), empty".into(),
                floor_empty.outcome(),
            )),
        ),
        Row {
            figure: "aws ecr-public describe-images --repository-name big".into(),
            measured: aws,
            comparison: Some(("ecrp ls".into(), ls)),
            target: Target::AtLeast(10.0),
            target_text: "CLI ≥ 10× ecrp".into(),
        },
    ]
}

async fn delete_rows(opts: &Opts, cli: Option<&Path>, no_cli: &str, dir: &Path) -> Vec<Row> {
    let ecrp = sample(opts.runs, |r| {
        progress(&format!("delete: ecrp Api::delete_images ({})", r + 1));
        delete::ecrp_once(dir)
    })
    .await;
    let calls = opts.cli_delete_calls;
    let aws = match cli {
        None => Outcome::Skipped(no_cli.into()),
        Some(cli) => {
            let cli: PathBuf = cli.into();
            let mut v = Vec::new();
            let mut err = None;
            for r in 0..opts.cli_runs {
                progress(&format!(
                    "delete: aws batch-delete-image × {calls} ({})",
                    r + 1
                ));
                match delete::cli_once(&cli, dir, calls).await {
                    Ok((d, n)) => v.push(d * 100 / n as u32),
                    Err(e) => {
                        err = Some(e);
                        break;
                    }
                }
            }
            match err {
                Some(e) => failed(e),
                None if calls < 100 => {
                    let mut f = time_fig(&v);
                    f.text = format!("{} EXTRAPOLATED from {calls} of 100 calls", f.text);
                    Outcome::Ok(f)
                }
                None => ok(&v),
            }
        }
    };
    vec![
        Row {
            figure: format!(
                "ecrp bulk delete (Api::delete_images, {} in flight)",
                delete::CONCURRENCY
            ),
            measured: ecrp.clone(),
            comparison: None,
            target: Target::None,
            target_text: "—".into(),
        },
        Row {
            figure: "aws ecr-public batch-delete-image × 100 (100 ids each, sequential)".into(),
            measured: aws,
            comparison: Some(("ecrp".into(), ecrp)),
            target: Target::AtLeast(10.0),
            target_text: "CLI ≥ 10× ecrp".into(),
        },
    ]
}
