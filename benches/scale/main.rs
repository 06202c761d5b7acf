//! The scale benchmark (issue 5): ecrp beside the AWS CLI and the SDK floor, in one run.
//!
//! `bench/run.sh [--runs N] [--list-runs N] [--cli-runs N] [--no-cli] [--cli-delete-calls N]
//! [--only SECTIONS] [--no-results]`. It reports figures and never fails on time: the exit status
//! is non-zero only when a measurement broke (a wrong row count, a failed request).

mod cache_section;
mod delete;
mod inspector;
mod lifecycle;
mod listing;
mod open_section;
mod procs;
mod report;
mod rss;
mod sections;
mod tui;
mod tui_section;

use std::time::Instant;

use anyhow::{Context, Result, bail};

use report::Row;

pub struct Opts {
    /// Runs of each ecrp and SDK figure (the median is reported).
    pub runs: usize,
    /// Runs of each listing figure (a third of a second each, and the noisiest on a shared
    /// machine).
    pub list_runs: usize,
    /// Runs of each AWS CLI figure (slow: a minute or more each).
    pub cli_runs: usize,
    pub cli: bool,
    /// BatchDeleteImage calls the CLI makes per run; under 100 the time is extrapolated (and
    /// labelled so).
    pub cli_delete_calls: usize,
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

const USAGE: &str = "usage: bench/run.sh [--runs N] [--list-runs N] [--cli-runs N] [--no-cli] \
[--cli-delete-calls N] [--only emulator,list,tui,delete,inspector,open,lifecycle,cache] [--no-results]";

fn parse(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        runs: 3,
        list_runs: 7,
        cli_runs: 1,
        cli: true,
        cli_delete_calls: 100,
        only: None,
        results: true,
        args: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match a.as_str() {
            // Passed by `cargo bench`.
            "--bench" => continue,
            "--runs" => o.runs = value(a)?.parse::<usize>()?.max(1),
            "--list-runs" => o.list_runs = value(a)?.parse::<usize>()?.max(1),
            "--cli-runs" => o.cli_runs = value(a)?.parse::<usize>()?.max(1),
            "--no-cli" => o.cli = false,
            "--cli-delete-calls" => o.cli_delete_calls = value(a)?.parse::<usize>()?.clamp(1, 100),
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The benchmark started again as the SDK floor's own process (see `listing`).
    if args.first().map(String::as_str) == Some(listing::FLOOR_PROCESS) {
        std::process::exit(listing::floor_process_main(&args[1..]));
    }
    // `cargo test --benches` runs bench targets without `--bench`: nothing to do there.
    if !args.iter().any(|a| a == "--bench") {
        println!("scale: a benchmark; run it with bench/run.sh (cargo bench --bench scale)");
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
    let result = rt.block_on(sections::all(&opts));
    let sections = match result {
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
    let command = command_line(&opts);
    println!("\n{table}");
    println!("machine: {machine}");
    println!("command: {command}");
    println!("took {:.0} s", started.elapsed().as_secs_f64());
    let failed = sections.iter().flat_map(|(_, r)| r).any(Row::failed);
    if opts.results && opts.only.is_none() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/RESULTS.md");
        let md = results_md(&sections, &machine, &command);
        match std::fs::write(path, md) {
            Ok(()) => println!("wrote {path}"),
            Err(e) => eprintln!("could not write {path}: {e}"),
        }
    }
    if failed {
        eprintln!("some measurements FAILED (see the table)");
        std::process::exit(1);
    }
}

fn command_line(opts: &Opts) -> String {
    let mut c = "bench/run.sh".to_string();
    for a in &opts.args {
        c.push(' ');
        c.push_str(a);
    }
    c
}

fn results_md(sections: &[(String, Vec<Row>)], machine: &str, command: &str) -> String {
    let date = ecrp::fmt::absolute(ecrp::app::now_epoch());
    format!(
        "# Scale benchmark: latest figures\n\n\
         Written by the benchmark itself (`bench/run.sh`); do not edit by hand.\n\n\
         - date: {date}\n\
         - machine: {machine}\n\
         - command: `{command}`\n\n\
         {}\n{}{}",
        report::markdown(sections),
        sections::NOTES,
        inspector::NOTES
    )
}
