//! The storage benchmark: the emulator's `--data-dir` (one BatchDeleteImage among 100,000 images,
//! start-up on that directory) beside the in-memory and `--state FILE` modes, and the registry
//! plane beside skopeo (`ecrp inspect --json` against `skopeo inspect --config`, a large image
//! copied out with the emulator's peak memory), each side by side in one run.
//!
//! `bench/storage.sh [--runs N] [--deletes N] [--only datadir,registry] [--no-results]`. It
//! reports figures and never fails on time: the exit status is non-zero only when a measurement
//! broke (a wrong count, a failed request, a tool missing when asked for).

// The scale benchmark's table and process helpers, shared rather than copied; not every helper
// is used here.
#[allow(dead_code)]
#[path = "../scale/procs.rs"]
mod procs;
#[allow(dead_code)]
#[path = "../scale/report.rs"]
mod report;

mod datadir;
mod emu;
mod registry;

use std::time::Instant;

use anyhow::{Context, Result, bail};

use report::Row;

pub struct Opts {
    /// Runs of each start-up and inspect figure (the median is reported).
    pub runs: usize,
    /// BatchDeleteImage calls timed per mode (each deletes a different image).
    pub deletes: usize,
    pub only: Option<Vec<String>>,
    pub results: bool,
    pub args: Vec<String>,
}

impl Opts {
    pub fn wants(&self, section: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|s| s == section))
    }
}

const USAGE: &str =
    "usage: bench/storage.sh [--runs N] [--deletes N] [--only datadir,registry] [--no-results]";

fn parse(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        runs: 5,
        deletes: 51,
        only: None,
        results: true,
        args: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match a.as_str() {
            "--bench" => continue,
            "--runs" => o.runs = value(a)?.parse::<usize>()?.max(1),
            "--deletes" => o.deletes = value(a)?.parse::<usize>()?.clamp(1, 1000),
            "--only" => o.only = Some(value(a)?.split(',').map(str::to_string).collect()),
            "--no-results" => o.results = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    o.args = args.iter().filter(|a| *a != "--bench").cloned().collect();
    Ok(o)
}

pub fn progress(what: &str) {
    eprintln!("· {what}");
}

async fn all(opts: &Opts) -> Result<Vec<(String, Vec<Row>)>> {
    let tmp = tempfile::tempdir()?;
    let mut out = Vec::new();
    if opts.wants("datadir") {
        out.push((
            "--data-dir with 100,000 images".to_string(),
            datadir::rows(opts, tmp.path()).await,
        ));
    }
    if opts.wants("registry") {
        out.push((
            "registry plane beside skopeo".to_string(),
            registry::rows(opts, tmp.path()).await,
        ));
    }
    Ok(out)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo test --benches` runs bench targets without `--bench`: nothing to do there.
    if !args.iter().any(|a| a == "--bench") {
        println!("storage: a benchmark; run it with bench/storage.sh");
        return;
    }
    let opts = match parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e:#}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let started = Instant::now();
    let load_before = report::load();
    let sections = match rt.block_on(all(&opts)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("benchmark broke: {e:#}");
            std::process::exit(1);
        }
    };
    let table = report::table(&sections);
    let machine = format!(
        "{}; load average {load_before} at the start, {} at the end",
        report::machine(),
        report::load()
    );
    let mut command = "bench/storage.sh".to_string();
    for a in &opts.args {
        command.push(' ');
        command.push_str(a);
    }
    println!("\n{table}");
    println!("machine: {machine}");
    println!("command: {command}");
    println!("took {:.0} s", started.elapsed().as_secs_f64());
    if opts.results && opts.only.is_none() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/STORAGE.md");
        let date = ecrp::fmt::absolute(ecrp::app::now_epoch());
        let md = format!(
            "# Storage benchmark: latest figures\n\n\
             Written by the benchmark itself (`bench/storage.sh`); do not edit by hand.\n\n\
             - date: {date}\n- machine: {machine}\n- command: `{command}`\n\n{}\n{}",
            report::markdown(&sections),
            NOTES
        );
        match std::fs::write(path, md) {
            Ok(()) => println!("wrote {path}"),
            Err(e) => eprintln!("could not write {path}: {e}"),
        }
    }
    if sections.iter().flat_map(|(_, r)| r).any(Row::failed) {
        eprintln!("some measurements FAILED (see the table)");
        std::process::exit(1);
    }
}

const NOTES: &str = "\
Notes (how each figure is taken):

- Every figure is measured in the run that printed it; \"median of N\" says how many runs. The \
emulator is always the release binary run as its own process (`ecrp emulator …`).
- --data-dir: `ecrp emulator --seed empty --synthetic big=100000` with `--data-dir DIR`, with \
`--state FILE` and with neither. \"Start\" is spawn → the `listening on` line. The first start \
builds the 100,000 images and writes them all; a restart loads them from the directory. One \
BatchDeleteImage deletes one image (by digest, a different one each call) through the SDK on a \
warm connection, timed from send to the parsed answer, which must report it deleted. The \
directory is then checked: the emulator is killed with SIGKILL right after the last answer and \
started again, and must hold exactly the images not deleted.
- Registry plane: the demo seed's `acme/api:latest` over http on loopback. `ecrp inspect --json` \
(the release binary: token, manifest, config, one process) against `skopeo inspect --config \
--tls-verify=false` (the same requests; skopeo is a Go binary), interleaved, each from spawn to \
exit. The large-image rows push an OCI layout holding one random layer of the given size with \
skopeo (credentials from GetAuthorizationToken), then time `skopeo copy` of it out of the emulator \
into a `dir:` layout (digest checked by skopeo); throughput is the layer size over that time. \
Peak memory is the emulator's VmHWM (from /proc) after the push and the copy, each size in a \
fresh emulator, so the two peaks show whether memory grows with the blob.
";
