//! Figures, their comparisons and targets, printed as a table and written as Markdown.

use std::time::Duration;

/// A measured quantity: `value` in the unit the row compares in (seconds or MB).
#[derive(Debug, Clone)]
pub struct Fig {
    pub text: String,
    pub value: f64,
}

/// How a figure came out: measured, broken (a wrong count: the run exits non-zero), or
/// deliberately not measured (no AWS CLI, no tmux).
#[derive(Debug, Clone)]
pub enum Outcome {
    Ok(Fig),
    Failed(String),
    Skipped(String),
}

impl Outcome {
    pub fn value(&self) -> Option<f64> {
        match self {
            Outcome::Ok(f) => Some(f.value),
            _ => None,
        }
    }
}

/// The condition on the row's ratio (measured / comparison).
#[derive(Debug, Clone, Copy)]
pub enum Target {
    AtMost(f64),
    AtLeast(f64),
    /// Reported for context only.
    None,
}

pub struct Row {
    pub figure: String,
    pub measured: Outcome,
    pub comparison: Option<(String, Outcome)>,
    pub target: Target,
    pub target_text: String,
}

impl Row {
    fn ratio(&self) -> Option<f64> {
        let m = self.measured.value()?;
        let c = self.comparison.as_ref()?.1.value()?;
        (c > 0.0).then(|| m / c)
    }

    /// `Some(true)` met, `Some(false)` not met, `None` when there is nothing to judge.
    pub fn met(&self) -> Option<bool> {
        let r = self.ratio()?;
        match self.target {
            Target::AtMost(t) => Some(r <= t),
            Target::AtLeast(t) => Some(r >= t),
            Target::None => None,
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self.measured, Outcome::Failed(_))
            || matches!(self.comparison, Some((_, Outcome::Failed(_))))
    }

    fn cells(&self) -> [String; 6] {
        let show = |o: &Outcome| match o {
            Outcome::Ok(f) => f.text.clone(),
            Outcome::Failed(why) => format!("FAILED: {why}"),
            Outcome::Skipped(why) => format!("not measured ({why})"),
        };
        let comparison = match &self.comparison {
            Some((label, o)) => format!("{label}: {}", show(o)),
            None => "—".into(),
        };
        let ratio = self.ratio().map_or("—".into(), |r| format!("{r:.2}×"));
        let status = if self.failed() {
            "FAILED".into()
        } else {
            match self.met() {
                Some(true) => "met".into(),
                Some(false) => "NOT MET".into(),
                None if matches!(self.target, Target::None) => "report".into(),
                None => "not measured".into(),
            }
        };
        [
            self.figure.clone(),
            show(&self.measured),
            comparison,
            ratio,
            self.target_text.clone(),
            status,
        ]
    }
}

const HEADERS: [&str; 6] = [
    "figure",
    "measured",
    "comparison",
    "ratio",
    "target",
    "status",
];

fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// An aligned plain-text table, with section titles between groups of rows.
pub fn table(sections: &[(String, Vec<Row>)]) -> String {
    let all: Vec<[String; 6]> = sections
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(Row::cells))
        .collect();
    let mut w: Vec<usize> = HEADERS.iter().map(|h| width(h)).collect();
    for c in &all {
        for (i, s) in c.iter().enumerate() {
            w[i] = w[i].max(width(s));
        }
    }
    let line = |cells: &[String]| -> String {
        let mut out = String::new();
        for (i, s) in cells.iter().enumerate() {
            out.push_str(s);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(w[i] - width(s) + 2));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(&HEADERS.map(String::from));
    out.push_str(&"─".repeat(w.iter().sum::<usize>() + 2 * (w.len() - 1)));
    out.push('\n');
    for (title, rows) in sections {
        out.push_str(&format!("[{title}]\n"));
        for r in rows {
            out.push_str(&line(&r.cells()));
        }
    }
    out
}

pub fn markdown(sections: &[(String, Vec<Row>)]) -> String {
    let mut out = format!("| {} |\n|{}\n", HEADERS.join(" | "), " --- |".repeat(6));
    for (title, rows) in sections {
        out.push_str(&format!("| **{title}** | | | | | |\n"));
        for r in rows {
            let c = r.cells().map(|s| s.replace('|', "\\|"));
            out.push_str(&format!("| {} |\n", c.join(" | ")));
        }
    }
    out
}

pub fn median(samples: &[Duration]) -> Duration {
    let mut v = samples.to_vec();
    v.sort_unstable();
    match v.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2,
    }
}

pub fn fmt_dur(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.001 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

/// The median of `samples` as a figure, saying how many runs it is the median of.
pub fn time_fig(samples: &[Duration]) -> Fig {
    let m = median(samples);
    let text = match samples.len() {
        1 => format!("{} (1 run)", fmt_dur(m)),
        n => format!("{} (median of {n})", fmt_dur(m)),
    };
    Fig {
        text,
        value: m.as_secs_f64(),
    }
}

/// A fixed limit as the comparison of an absolute target.
pub fn limit(d: Duration) -> (String, Outcome) {
    (
        "limit".into(),
        Outcome::Ok(Fig {
            text: fmt_dur(d),
            value: d.as_secs_f64(),
        }),
    )
}

/// What the figures ran on, from /proc.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or("unknown".into(), |kb| {
            format!("{:.1} GiB", kb / 1024.0 / 1024.0)
        });
    format!(
        "{cpus} CPUs ({model}), {mem_gib} RAM, {}",
        std::env::consts::OS
    )
}

/// The 1-minute load average: other work on the machine shows in the figures.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}
