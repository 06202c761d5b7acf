//! `ecrp emulator ARGS` as a child process: its address, its start-up time, its peak memory.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::procs;

/// A running emulator, killed (SIGKILL) when dropped.
pub struct Emu {
    child: Child,
    // Held open: a closed pipe would make a later print of the emulator's fail.
    _stdout: BufReader<ChildStdout>,
    pub url: String,
    /// `127.0.0.1:PORT`, the registry host of image references.
    pub host: String,
    /// From spawn to the `listening on` line.
    pub ready: Duration,
}

impl Emu {
    pub fn spawn(args: &[&str], log: &Path) -> Result<Emu> {
        let mut all = vec!["emulator"];
        all.extend_from_slice(args);
        let t = Instant::now();
        let mut child = procs::ecrp(&all, log)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting ecrp emulator")?;
        let mut stdout = BufReader::new(child.stdout.take().context("emulator stdout")?);
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        let ready = t.elapsed();
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let out = child.wait_with_output()?;
            bail!(
                "ecrp emulator {} printed {line:?}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        };
        let host = url.trim_start_matches("http://").to_string();
        Ok(Emu {
            url: url.to_string(),
            host,
            child,
            _stdout: stdout,
            ready,
        })
    }

    /// Peak resident memory so far, in bytes (VmHWM).
    pub fn peak_rss(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .context("no VmHWM in /proc/PID/status")?;
        Ok(kb * 1024)
    }

    /// SIGKILL, as a crash would: nothing is flushed on the way out.
    pub fn kill9(mut self) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
