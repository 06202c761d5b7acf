//! Two ecrp processes sharing the listing cache directory: this test starts itself twice more as
//! writer processes that replace the same cache file over and over with listings of different
//! sizes, while it reads that file. Every read is a whole listing (one writer's or the other's),
//! never a torn or mixed one, and no temporary file is left behind.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ecrp::aws::RepoRow;
use ecrp::cache::{Key, Listing, Store};

/// Set in a writer process: `DIR|ROWS`.
const WRITER: &str = "ECRP_CACHE_TEST_WRITER";
const STOP: &str = "stop";
const NOW: i64 = 1_795_348_800;
const SIZES: [usize; 2] = [2_000, 3_000];

fn key() -> Key {
    Key {
        kind: "repositories",
        scope: Default::default(),
        registry: String::new(),
        repo: String::new(),
    }
}

fn listing(n: usize) -> Listing {
    Listing::Repositories(
        (0..n)
            .map(|i| {
                let name = format!("repo-{n}-{i:05}");
                RepoRow {
                    repository_uri: format!("public.ecr.aws/acme/{name}").into(),
                    repository_arn: format!("arn:aws:ecr-public::123456789012:repository/{name}")
                        .into(),
                    repository_name: name.into(),
                    registry_id: "123456789012".into(),
                    created_at: NOW,
                }
            })
            .collect(),
    )
}

fn store(dir: &Path) -> Store {
    Store::new(dir.to_path_buf(), ecrp::cache::DEFAULT_MAX_BYTES)
}

/// In a writer process: write until the stop file appears.
fn write_until_stopped(spec: &str) {
    let (dir, n) = spec.split_once('|').expect("DIR|ROWS");
    let (dir, n) = (Path::new(dir), n.parse::<usize>().expect("ROWS"));
    let (st, l, k) = (store(dir), listing(n), key());
    let deadline = Instant::now() + Duration::from_secs(60);
    while !dir.join(STOP).exists() && Instant::now() < deadline {
        st.write(&k, &l, NOW).expect("write");
    }
}

#[test]
fn two_processes_share_the_cache_without_torn_reads() {
    if let Ok(spec) = std::env::var(WRITER) {
        return write_until_stopped(&spec);
    }
    let dir = tempfile::tempdir().unwrap();
    let st = store(dir.path());
    st.write(&key(), &listing(SIZES[0]), NOW).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut writers: Vec<_> = SIZES
        .iter()
        .map(|n| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "cache_processes::two_processes_share_the_cache_without_torn_reads",
                    "--test-threads=1",
                ])
                .env(WRITER, format!("{}|{n}", dir.path().display()))
                .spawn()
                .expect("start a writer process")
        })
        .collect();
    let mut seen = [0usize; 2];
    let deadline = Instant::now() + Duration::from_secs(4);
    while Instant::now() < deadline {
        let c = st.read(&key()).expect("always an intact file to read");
        let i = SIZES
            .iter()
            .position(|&n| n == c.listing.len())
            .unwrap_or_else(|| panic!("a listing of {} rows", c.listing.len()));
        seen[i] += 1;
        // A listing is one writer's whole: its rows all carry that writer's size.
        let Listing::Repositories(rows) = &c.listing else {
            panic!("another kind")
        };
        let prefix = format!("repo-{}-", SIZES[i]);
        assert!(rows.iter().all(|r| r.repository_name.starts_with(&prefix)));
    }
    std::fs::write(dir.path().join(STOP), b"").unwrap();
    for w in &mut writers {
        assert!(w.wait().unwrap().success(), "a writer failed");
    }
    assert!(seen.iter().sum::<usize>() > 10, "{seen:?}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != STOP)
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    eprintln!("reads of each writer's listing: {seen:?}");
}
