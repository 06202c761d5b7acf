//! ecrp against a hostile endpoint (tests/support/hostile.rs): for every misbehaviour, the TUI's
//! loaders (the real app, runner and SDK client) and `ecrp ls` (the real binary) end the listing
//! with an error that names what went wrong, keep the rows that arrived, never hang, never loop
//! and never hold more than the caps allow; and a property test mixes misbehaviours at random
//! across whole sessions.

use std::collections::HashSet;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::binary::{BIN, hermetic};
use crate::support::hostile::*;
use crate::support::tui::*;
use ecrp::app::ListId;
use ecrp::app::load::LoadState;
use ecrp::aws::{self, ClientOptions, Timeouts};
use ecrp::emulator::{self, Emulator, EmulatorOptions, Seed};

/// Repositories behind the hostile endpoint; the TUI asks for pages of `PAGE`: four pages.
const REPOS: usize = 20;
const PAGE: u32 = 6;
/// Longer than any listing here may take with the short timeouts: past it, `ecrp ls` hangs.
const HANG: Duration = Duration::from_secs(60);
/// Images of `big` for `ecrp ls` (pages of 1,000: three pages).
const IMAGES: usize = 2_500;

/// Short, so that a stalled answer ends within the harness's settle deadline; long enough for
/// the emulator's answers on a loaded CI machine.
fn short_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_secs(2),
        attempt: Duration::from_secs(2),
        operation: Duration::from_secs(4),
    }
}

/// The emulator behind the hostile endpoint: `REPOS` repositories and `big` with `IMAGES` images.
async fn upstream() -> Emulator {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        synthetic: vec![("big".into(), IMAGES)],
        clock: Some(NOW),
        ..Default::default()
    })
    .await
    .expect("emulator");
    let (client, _) = aws::connect(&ClientOptions::for_emulator(&emu.url())).await;
    for i in 1..REPOS {
        client
            .create_repository()
            .repository_name(format!("team/r{i:02}"))
            .send()
            .await
            .expect("create");
    }
    emu
}

/// The app against `url` with pages of `PAGE` and the short timeouts, settled after its start.
async fn app_against(url: &str) -> Harness {
    Harness::start_with(url, 160, 45, NOW, |o| {
        o.client.timeouts = short_timeouts();
        o.config.page_size = PAGE;
    })
    .await
}

/// What a row of the harness must end in.
enum Expect {
    /// The listing fails with `code` after `rows` rows.
    Fails { code: &'static str, rows: usize },
    /// The listing completes with every row.
    Completes,
}

fn expected(m: Misbehaviour) -> (Expect, Expect) {
    use Misbehaviour::*;
    // (TUI: repositories in pages of 6; CLI: `ls images big` in pages of 1,000.)
    let fails = |code, tui, cli| {
        (
            Expect::Fails { code, rows: tui },
            Expect::Fails { code, rows: cli },
        )
    };
    match m {
        RepeatToken => fails("PaginationLoop", 12, 2_000),
        TokenCycle => fails("PaginationLoop", 18, 2_500),
        OversizePage => fails("TooManyRows", 6, 1_000),
        HugeBodyAnnounced | HugeBodyChunked => fails("ResponseTooLarge", 6, 1_000),
        TruncatedJson | InvalidJson | WrongTypes => fails("ResponseError", 6, 1_000),
        Html200 => fails("InvalidResponse", 6, 1_000),
        Trickle | EndlessChunked => fails("Timeout", 6, 1_000),
        ServerErrorNoBody => fails("ServerError", 6, 1_000),
        RedirectLoop => fails("Redirect", 6, 1_000),
        HugeHeaders => fails("DispatchFailure", 6, 1_000),
        MissingRequired | UnknownEnum => (Expect::Completes, Expect::Completes),
    }
}

/// The TUI's repositories pane against an endpoint whose later pages misbehave as `m`.
async fn tui_row(m: Misbehaviour) {
    let emu = upstream().await;
    let hostile = Hostile::start(&emu.url(), on_later_pages("DescribeRepositories", m)).await;
    let mut h = app_against(&hostile.url).await;
    let load = h.app.load_of(ListId::Repositories).clone();
    match expected(m).0 {
        Expect::Fails { code, rows } => {
            let LoadState::Failed(e) = &load.state else {
                panic!(
                    "{m:?}: the load did not fail: {:?}\n{}",
                    load.state,
                    h.screen()
                );
            };
            assert_eq!(e.code, code, "{m:?}: {e:?}");
            assert_eq!(
                h.app.remote.repos.rows.len(),
                rows,
                "{m:?}: the rows that arrived stay"
            );
            // The pane's title says the load failed (the status line may already show a later
            // page of another list: any page clears it), `!` has the details.
            let screen = h.screen();
            assert!(
                screen.contains("failed at page"),
                "{m:?}: the pane says the load failed\n{screen}"
            );
            assert!(
                screen.contains("team/r01"),
                "{m:?}: rows on screen\n{screen}"
            );
            // `!`: the details name the operation and the endpoint.
            h.keys("!").await;
            let details = h.screen();
            assert!(details.contains(code), "{m:?}\n{details}");
            assert!(details.contains("DescribeRepositories"), "{m:?}\n{details}");
            assert!(details.contains(&hostile.url[7..]), "{m:?}\n{details}");
        }
        Expect::Completes => {
            assert_eq!(load.state, LoadState::Done, "{m:?}\n{}", h.screen());
            assert_eq!(h.app.remote.repos.rows.len(), REPOS, "{m:?}");
            let _ = h.screen();
        }
    }
    // Bounded: never more requests than the pages plus the SDK's retries of one of them.
    let sent = hostile.requests_for("DescribeRepositories");
    assert!(
        sent <= REPOS / PAGE as usize + 1 + 5,
        "{m:?}: {sent} requests"
    );
}

/// `ecrp ls images big` against an endpoint whose later pages misbehave as `m`; the process's
/// peak resident memory in KiB.
async fn cli_row(m: Misbehaviour) -> u64 {
    let emu = upstream().await;
    let hostile = Hostile::start(&emu.url(), on_later_pages("DescribeImages", m)).await;
    let out = run_ls(&hostile.url, &["ls", "images", "big"]).await;
    println!("{m:?}: ecrp ls peak RSS {} MiB", out.max_rss_kib / 1024);
    match expected(m).1 {
        Expect::Fails { code, rows } => {
            assert!(!out.ok, "{m:?}: exit status 0\n{}", out.stderr);
            let lines: Vec<&str> = out.stderr.lines().collect();
            assert_eq!(
                lines.len(),
                1,
                "{m:?}: one message on stderr: {:?}",
                out.stderr
            );
            assert!(
                lines[0].starts_with(&format!("ecrp: {code}: ")),
                "{m:?}: {}",
                lines[0]
            );
            assert!(!out.stderr.contains('\x1b'), "{m:?}");
            // The rows that arrived, under the header.
            assert_eq!(out.stdout.lines().count(), rows + 1, "{m:?}");
        }
        Expect::Completes => {
            assert!(out.ok, "{m:?}: {}", out.stderr);
            assert_eq!(out.stdout.lines().count(), IMAGES + 1, "{m:?}");
        }
    }
    out.max_rss_kib
}

struct LsOutput {
    stdout: String,
    stderr: String,
    ok: bool,
    max_rss_kib: u64,
}

/// Run the real binary with a config file giving the short timeouts.
// The child is reaped by `waitpid`, not `Child::wait`: its pid must stay unreaped while the
// sampler reads /proc.
#[allow(clippy::zombie_processes)]
async fn run_ls(url: &str, args: &[&str]) -> LsOutput {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let t = short_timeouts();
    std::fs::write(
        &config,
        format!(
            "connect_timeout_seconds = {}\nread_timeout_seconds = {}\n\
             attempt_timeout_seconds = {}\noperation_timeout_seconds = {}\n",
            t.connect.as_secs(),
            t.read.as_secs(),
            t.attempt.as_secs(),
            t.operation.as_secs()
        ),
    )
    .unwrap();
    // Empty AWS files rather than the hermetic missing ones, which aws-config warns about on
    // stderr: the only line there must be ecrp's own.
    let aws_files = dir.path().join("aws");
    std::fs::write(&aws_files, "").unwrap();
    let mut cmd = Command::new(BIN);
    hermetic(&mut cmd)
        .args(args)
        .args(["--endpoint-url", url])
        .env("ECRP_CONFIG", &config)
        .env("AWS_CONFIG_FILE", &aws_files)
        .env("AWS_SHARED_CREDENTIALS_FILE", &aws_files)
        .env("AWS_ACCESS_KEY_ID", "AKIDHOSTILE000000000")
        .env("AWS_SECRET_ACCESS_KEY", "hostile-test-secret")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // The hostile server runs on this runtime: wait on a blocking thread.
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut child = cmd.spawn().expect("ecrp runs");
        let pid = child.id() as i32;
        // One thread samples the child's peak resident memory (VmHWM of its own address space;
        // `wait4`'s ru_maxrss would include this test process's, inherited through fork and exec)
        // and kills it after `HANG`, so a hang fails the test instead of stalling the suite. Both
        // act only while the child is unreaped (checked under the lock): a reused pid is never
        // touched.
        let reaped = Arc::new(Mutex::new(false));
        let peak = Arc::new(std::sync::atomic::AtomicU64::new(0));
        {
            let (reaped, peak) = (reaped.clone(), peak.clone());
            std::thread::spawn(move || {
                let start = std::time::Instant::now();
                loop {
                    {
                        let reaped = reaped.lock().unwrap();
                        if *reaped {
                            return;
                        }
                        if let Some(kib) = vm_hwm_kib(pid) {
                            peak.fetch_max(kib, std::sync::atomic::Ordering::Relaxed);
                        }
                        if start.elapsed() > HANG {
                            // SAFETY: signalling our own unreaped child.
                            unsafe { libc::kill(pid, libc::SIGKILL) };
                        }
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            });
        }
        let (mut so, mut se) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            se.read_to_string(&mut s).unwrap();
            s
        });
        let mut stdout = String::new();
        so.read_to_string(&mut stdout).unwrap();
        let stderr = err.join().unwrap();
        // SAFETY: a zeroed siginfo is a valid value for waitid to fill in; WNOWAIT leaves the
        // child unreaped, so its pid stays ours until wait4 below.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        assert_eq!(r, 0, "waitid");
        let mut reaped = reaped.lock().unwrap();
        let mut status = 0;
        // SAFETY: the pid is our own exited child, not yet reaped; status is valid.
        let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
        assert_eq!(waited, pid, "waitpid");
        *reaped = true;
        drop(reaped);
        assert!(
            !libc::WIFSIGNALED(status),
            "ecrp ls did not end within {HANG:?} (killed)"
        );
        LsOutput {
            stdout,
            stderr,
            ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            max_rss_kib: peak.load(std::sync::atomic::Ordering::Relaxed),
        }
    })
    .await
    .unwrap()
}

/// The peak resident memory of a live process, from /proc; `None` once it has exited.
fn vm_hwm_kib(pid: i32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

macro_rules! rows {
    ($($tui:ident, $cli:ident => $m:ident;)*) => {$(
        #[tokio::test(flavor = "multi_thread")]
        async fn $tui() {
            tui_row(Misbehaviour::$m).await;
        }

        #[tokio::test(flavor = "multi_thread")]
        async fn $cli() {
            cli_row(Misbehaviour::$m).await;
        }
    )*};
}

rows! {
    tui_repeated_token, ls_repeated_token => RepeatToken;
    tui_token_cycle, ls_token_cycle => TokenCycle;
    tui_page_over_max_results, ls_page_over_max_results => OversizePage;
    tui_huge_body_announced, ls_huge_body_announced => HugeBodyAnnounced;
    tui_truncated_json, ls_truncated_json => TruncatedJson;
    tui_invalid_json, ls_invalid_json => InvalidJson;
    tui_wrong_types, ls_wrong_types => WrongTypes;
    tui_missing_required_members, ls_missing_required_members => MissingRequired;
    tui_html_with_200, ls_html_with_200 => Html200;
    tui_trickled_body, ls_trickled_body => Trickle;
    tui_endless_chunked_body, ls_endless_chunked_body => EndlessChunked;
    tui_server_error_without_body, ls_server_error_without_body => ServerErrorNoBody;
    tui_redirect_loop, ls_redirect_loop => RedirectLoop;
    tui_huge_headers, ls_huge_headers => HugeHeaders;
}

#[tokio::test(flavor = "multi_thread")]
async fn tui_huge_body_chunked() {
    tui_row(Misbehaviour::HugeBodyChunked).await;
}

/// 100 MB streamed without a length: cut at the cap, and the process never holds it. Peak
/// resident memory is measured for the whole `ecrp ls` process.
#[tokio::test(flavor = "multi_thread")]
async fn ls_huge_body_chunked_keeps_memory_bounded() {
    let kib = cli_row(Misbehaviour::HugeBodyChunked).await;
    println!(
        "ecrp ls against a 100 MB chunked body: peak RSS {} MiB",
        kib / 1024
    );
    assert!(
        kib < 100 * 1024,
        "peak resident memory {kib} KiB: the body was held"
    );
}

/// Unknown enum values (a registry alias status) are shown, neutralised, never refused.
#[tokio::test(flavor = "multi_thread")]
async fn unknown_enum_values_are_shown_and_neutralised() {
    let emu = upstream().await;
    let hostile = Hostile::start(
        &emu.url(),
        always("DescribeRegistries", Misbehaviour::UnknownEnum),
    )
    .await;
    let out = run_ls(&hostile.url, &["ls", "registries"]).await;
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stdout.contains("QUANTUM_"), "{}", out.stdout);
    assert!(!out.stdout.contains('\x1b'), "{:?}", out.stdout);

    let mut h = app_against(&hostile.url).await;
    assert_eq!(h.app.load_of(ListId::Registries).state, LoadState::Done);
    h.send(ecrp::app::Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char(':'),
        crossterm::event::KeyModifiers::NONE,
    )))
    .await;
    h.keys("registries").await;
    h.send(code(crossterm::event::KeyCode::Enter)).await;
    let screen = h.screen();
    assert!(!screen.contains('\x1b'), "{screen:?}");
}

/// After a token loop, `r` reloads from the first page instead of resuming from the looping
/// token (which would only append the same rows again).
#[tokio::test(flavor = "multi_thread")]
async fn r_after_a_token_loop_reloads_from_the_start() {
    let emu = upstream().await;
    let hostile = Hostile::start(
        &emu.url(),
        on_later_pages("DescribeRepositories", Misbehaviour::RepeatToken),
    )
    .await;
    let mut h = app_against(&hostile.url).await;
    assert_eq!(h.app.remote.repos.rows.len(), 12);
    h.keys("r").await;
    assert!(matches!(
        h.app.load_of(ListId::Repositories).state,
        LoadState::Failed(_)
    ));
    assert_eq!(
        h.app.remote.repos.rows.len(),
        12,
        "the same rows, not 12 more"
    );
}

// The long run: random misbehaviour per request across whole sessions.

use proptest::prelude::*;

/// What the script does with each request, in turn (cycled); `None` passes it through.
#[derive(Default)]
struct Schedule {
    plan: Vec<Option<Misbehaviour>>,
    next: usize,
    enabled: bool,
}

fn scheduled(s: Arc<Mutex<Schedule>>) -> Script {
    Arc::new(move |_| {
        let mut s = s.lock().unwrap();
        if !s.enabled || s.plan.is_empty() {
            return None;
        }
        let m = s.plan[s.next % s.plan.len()];
        s.next += 1;
        m
    })
}

fn misbehaviour() -> impl Strategy<Value = Option<Misbehaviour>> {
    prop_oneof![
        3 => Just(None),
        2 => proptest::sample::select(Misbehaviour::ALL.to_vec()).prop_map(Some),
    ]
}

/// No repository twice, and none that the service does not have (rows stripped of their name by
/// a misbehaving answer have an empty one).
fn check_repos(h: &Harness, names: &HashSet<String>) {
    let mut seen = HashSet::new();
    for r in &h.app.remote.repos.rows {
        let n = r.repository_name.to_string();
        if n.is_empty() {
            continue;
        }
        assert!(names.contains(&n), "{n} is not a repository");
        assert!(seen.insert(n.clone()), "{n} listed twice");
    }
    assert!(h.app.remote.repos.rows.len() <= REPOS);
    assert!(h.app.remote.images.rows.len() <= IMAGES);
}

async fn session(plan: Vec<Option<Misbehaviour>>) {
    let emu = upstream().await;
    let schedule = Arc::new(Mutex::new(Schedule {
        plan,
        next: 0,
        enabled: true,
    }));
    let hostile = Hostile::start(&emu.url(), scheduled(schedule.clone())).await;
    let names: HashSet<String> = std::iter::once("big".to_string())
        .chain((1..REPOS).map(|i| format!("team/r{i:02}")))
        .collect();
    let mut h = Harness::start_with(&hostile.url, 160, 45, NOW, |o| {
        o.client.timeouts = Timeouts {
            connect: Duration::from_secs(1),
            read: Duration::from_secs(1),
            attempt: Duration::from_secs(1),
            operation: Duration::from_secs(2),
        };
        o.config.page_size = PAGE;
    })
    .await;
    use crossterm::event::KeyCode;
    // Listings: retry what fails, open `big`'s images and tags, refresh, come back.
    for _ in 0..3 {
        h.keys("r").await;
        check_repos(&h, &names);
    }
    h.keys("g").await;
    h.send(code(KeyCode::Enter)).await;
    h.keys("r").await;
    h.send(code(KeyCode::Tab)).await;
    h.keys("r").await;
    h.send(code(KeyCode::Esc)).await;
    check_repos(&h, &names);
    // An edit: the catalog of the selected repository, saved (or refused) under the mix.
    h.keys("e").await;
    if h.app.modal.is_some() {
        h.keys("x").await;
        h.send(ctrl('s')).await;
        h.send(code(KeyCode::Esc)).await;
        h.keys("y").await;
    }
    let _ = h.screen();
    h.keys("!").await;
    let _ = h.screen();
    h.send(code(KeyCode::Esc)).await;
    // The endpoint recovers: a reload from zero lists exactly what the service has.
    schedule.lock().unwrap().enabled = false;
    h.app.modal = None;
    for _ in 0..4 {
        h.keys("r").await;
        if h.app.load_of(ListId::Repositories).state == LoadState::Done {
            break;
        }
    }
    h.keys("r").await;
    assert_eq!(
        h.app.load_of(ListId::Repositories).state,
        LoadState::Done,
        "{}",
        h.screen()
    );
    let listed: HashSet<String> = h
        .app
        .remote
        .repos
        .rows
        .iter()
        .map(|r| r.repository_name.to_string())
        .collect();
    assert_eq!(listed, names);
    assert_eq!(h.app.remote.repos.rows.len(), REPOS);
}

proptest! {
    // A few sessions in CI (each can wait out timeouts); PROPTEST_CASES=N for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3),
        max_shrink_iters: 8,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_misbehaviour_across_a_session(plan in proptest::collection::vec(misbehaviour(), 1..40)) {
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        rt.block_on(session(plan));
    }
}
