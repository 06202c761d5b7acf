//! The listing cache in the real binary, in tmux, against `ecrp emulator --faults
//! latency=80-120ms`: a first run saves its listings; the second shows them at once, marked as
//! cached, while the fresh listing (twenty slow pages for `big`) runs, then says they were up to
//! date; `--no-cache` neither shows nor writes anything.
//!
//! Skipped (with a message) where tmux is not installed, unless ECRP_REQUIRE_TMUX=1.

use crate::support::tmux as tmux_support;

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::binary::{Emulator, tmux_available};
use tmux_support::{Launch, Session};

fn launch(tag: &str, url: &str, cache_dir: &Path, args: &[&str]) -> Session {
    let env = format!("ECRP_CACHE_DIR={}", cache_dir.display());
    let s = Session::launch(Launch {
        tag,
        endpoint: url,
        env: &[&env],
        args,
        width: 160,
        height: 45,
    });
    s.go();
    s
}

fn cache_files(dir: &Path) -> usize {
    match std::fs::read_dir(dir) {
        Ok(d) => d
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "lc"))
            })
            .count(),
        Err(_) => 0,
    }
}

/// Filter to `big` and open it.
fn open_big(s: &Session) {
    s.keys(&["/", "b", "i", "g", "Enter"]);
    s.wait_for(&["of 14)", "▶ big"]);
    s.keys(&["Enter"]);
}

#[test]
fn cached_listings_show_at_once_under_latency_and_no_cache_turns_them_off() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux not installed");
        return;
    }
    let emu = Emulator::start(&["--faults", "latency=80-120ms", "--synthetic", "big=20000"]);
    let cache = tempfile::tempdir().unwrap();

    // First run: nothing cached; every complete listing is saved.
    let s = launch("cache1", &emu.url, cache.path(), &[]);
    s.wait_for(&["Repositories (14)"]);
    open_big(&s);
    s.wait_for(&["Images · big", "20,000"]);
    // All twenty pages in (the spinner's "page" gone).
    s.wait_for_without("20,000", "loading page");
    s.keys(&["q"]);
    assert_eq!(s.exit_code(), 0);
    drop(s);
    let saved = cache_files(cache.path());
    assert!(
        saved >= 3,
        "registries, repositories and big's images: {saved}"
    );

    // Second run: the cached rows first, then the fresh listing confirms them.
    let s = launch("cache2", &emu.url, cache.path(), &[]);
    // (The status line keeps the note about the config file written at start.)
    s.wait_for_without("Repositories (14)", "· cached");
    open_big(&s);
    let opened = Instant::now();
    // All 20,000 rows at once, marked as cached, while the fresh pages still come in.
    let screen = s.wait_for(&["Images · big", "20,000", "· cached"]);
    let shown = opened.elapsed();
    assert!(screen.contains("differ so far"), "{screen}");
    // Unconfirmed: no deletion offered.
    s.keys(&["d"]);
    s.wait_for(&["not confirmed yet"]);
    let screen = s.wait_for(&["the cached rows were up to date"]);
    assert!(!screen.contains("· cached"), "{screen}");
    eprintln!(
        "20,000 cached rows on screen {} ms after enter (polled every 100 ms); the fresh listing \
         took {} ms",
        shown.as_millis(),
        opened.elapsed().as_millis()
    );
    s.keys(&["q"]);
    assert_eq!(s.exit_code(), 0);
    drop(s);

    // --no-cache: the service only, and nothing written.
    let empty = tempfile::tempdir().unwrap();
    let s = launch("cache3", &emu.url, empty.path(), &["--no-cache"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let screen = s.capture();
        assert!(!screen.contains("· cached"), "{screen}");
        if screen.contains("Repositories (14)") {
            break;
        }
        assert!(Instant::now() < deadline, "{screen}");
        std::thread::sleep(Duration::from_millis(20));
    }
    s.keys(&["q"]);
    assert_eq!(s.exit_code(), 0);
    assert_eq!(cache_files(empty.path()), 0);
}
