//! Fault injection (`--faults throttle=0.1,error=0.05,reset=0.02,latency=20-200ms`).
//!
//! A fault is decided when a request arrives, before its operation runs, so a throttled, failed or
//! reset request never changes state: a client that retries it cannot apply it twice, and a bulk
//! delete's report can be checked against the registry afterwards. ("Applied but the response was
//! lost" is deliberately not simulated.)
//!
//! A reset closes the TCP connection without writing a byte: the handler marks its connection, and
//! the listener's stream wrapper refuses every write on a marked connection, so hyper drops it.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use parking_lot::Mutex;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Shares of requests to fail, and the latency range added to every response.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FaultSpec {
    pub throttle: f64,
    pub error: f64,
    pub reset: f64,
    /// Inclusive range; every response waits a uniform random time in it.
    pub latency: Option<(Duration, Duration)>,
}

/// What happens to one request instead of (or besides) running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Throttle,
    Error,
    Reset,
}

impl FaultSpec {
    /// Parses `throttle=P,error=P,reset=P,latency=A-Bms` (any subset, any order; P in 0..=1, their
    /// sum at most 1; latency in `ms` or `s`, A <= B).
    pub fn parse(s: &str) -> Result<FaultSpec, String> {
        let mut spec = FaultSpec::default();
        let mut seen = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("expected KEY=VALUE, got {part:?}"))?;
            let key = key.trim();
            if seen.contains(&key) {
                return Err(format!("{key} is given twice"));
            }
            seen.push(key);
            let value = value.trim();
            match key {
                "throttle" => spec.throttle = share(key, value)?,
                "error" => spec.error = share(key, value)?,
                "reset" => spec.reset = share(key, value)?,
                "latency" => spec.latency = Some(latency(value)?),
                _ => {
                    return Err(format!(
                        "unknown fault {key:?} (expected throttle, error, reset or latency)"
                    ));
                }
            }
        }
        if seen.is_empty() {
            return Err(
                "no faults given (e.g. throttle=0.1,error=0.05,reset=0.02,latency=20-200ms)".into(),
            );
        }
        let total = spec.throttle + spec.error + spec.reset;
        if total > 1.0 {
            return Err(format!("throttle + error + reset is {total}, more than 1"));
        }
        Ok(spec)
    }
}

fn share(key: &str, value: &str) -> Result<f64, String> {
    let p: f64 = value
        .parse()
        .map_err(|_| format!("{key} must be a number between 0 and 1, got {value:?}"))?;
    if !(0.0..=1.0).contains(&p) {
        return Err(format!("{key} must be between 0 and 1, got {value}"));
    }
    Ok(p)
}

fn latency(value: &str) -> Result<(Duration, Duration), String> {
    let bad = || format!("latency must look like 20-200ms or 0-2s, got {value:?}");
    let (num, unit_ms) = if let Some(v) = value.strip_suffix("ms") {
        (v, 1u64)
    } else if let Some(v) = value.strip_suffix('s') {
        (v, 1000)
    } else {
        return Err(bad());
    };
    let (lo, hi) = num.split_once('-').unwrap_or((num, num));
    let lo: u64 = lo.trim().parse().map_err(|_| bad())?;
    let hi: u64 = hi.trim().parse().map_err(|_| bad())?;
    if lo > hi {
        return Err(format!(
            "latency range {value:?} has its minimum above its maximum"
        ));
    }
    if hi.saturating_mul(unit_ms) > 60_000 {
        return Err(format!(
            "latency {value:?} is over 60 s, longer than any client waits"
        ));
    }
    Ok((
        Duration::from_millis(lo * unit_ms),
        Duration::from_millis(hi * unit_ms),
    ))
}

/// The spec plus a seeded PRNG (splitmix64): the same seed gives the same sequence of decisions.
pub struct Faults {
    spec: FaultSpec,
    rng: Mutex<u64>,
}

impl Faults {
    pub fn new(spec: FaultSpec, seed: Option<u64>) -> Faults {
        let seed = seed.unwrap_or_else(|| {
            // Unseeded runs differ from each other; the clock is random enough for that.
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
        Faults {
            spec,
            rng: Mutex::new(seed),
        }
    }

    fn next(&self) -> u64 {
        let mut s = self.rng.lock();
        *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    fn unit(&self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The fault for one request (if any) and how long to wait before answering.
    pub fn decide(&self) -> (Option<Fault>, Duration) {
        let x = self.unit();
        let s = &self.spec;
        let fault = if x < s.throttle {
            Some(Fault::Throttle)
        } else if x < s.throttle + s.error {
            Some(Fault::Error)
        } else if x < s.throttle + s.error + s.reset {
            Some(Fault::Reset)
        } else {
            None
        };
        let delay = match s.latency {
            Some((lo, hi)) if hi > lo => {
                let span = (hi - lo).as_micros() as u64 + 1;
                lo + Duration::from_micros(self.next() % span)
            }
            Some((lo, _)) => lo,
            None => Duration::ZERO,
        };
        (fault, delay)
    }
}

/// Per-connection handle given to handlers (as `ConnectInfo`): `reset` makes the connection fail
/// its next write, so it closes without a response.
#[derive(Clone, Debug)]
pub struct Conn {
    pub peer: SocketAddr,
    dead: Arc<AtomicBool>,
}

impl Conn {
    pub fn reset(&self) {
        self.dead.store(true, Ordering::SeqCst);
    }
}

/// The TCP listener, with every stream wrapped so a handler can kill its connection.
pub struct FaultListener(pub TcpListener);

impl Listener for FaultListener {
    type Io = KillableStream;
    type Addr = Conn;

    async fn accept(&mut self) -> (KillableStream, Conn) {
        let (stream, peer) = Listener::accept(&mut self.0).await;
        let dead = Arc::new(AtomicBool::new(false));
        let conn = Conn {
            peer,
            dead: dead.clone(),
        };
        (KillableStream { stream, dead }, conn)
    }

    fn local_addr(&self) -> io::Result<Conn> {
        Ok(Conn {
            peer: self.0.local_addr()?,
            dead: Arc::new(AtomicBool::new(false)),
        })
    }
}

impl Connected<IncomingStream<'_, FaultListener>> for Conn {
    fn connect_info(stream: IncomingStream<'_, FaultListener>) -> Self {
        stream.remote_addr().clone()
    }
}

pub struct KillableStream {
    stream: TcpStream,
    dead: Arc<AtomicBool>,
}

impl KillableStream {
    fn check(&self) -> io::Result<()> {
        if self.dead.load(Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset by fault injection",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_full_mix_and_subsets() {
        let s = FaultSpec::parse("throttle=0.1,error=0.05,reset=0.02,latency=20-200ms").unwrap();
        assert_eq!(s.throttle, 0.1);
        assert_eq!(s.error, 0.05);
        assert_eq!(s.reset, 0.02);
        assert_eq!(
            s.latency,
            Some((Duration::from_millis(20), Duration::from_millis(200)))
        );
        let s = FaultSpec::parse("latency=1s").unwrap();
        assert_eq!(s.throttle, 0.0);
        assert_eq!(
            s.latency,
            Some((Duration::from_secs(1), Duration::from_secs(1)))
        );
        assert_eq!(FaultSpec::parse(" reset=1 ").unwrap().reset, 1.0);
    }

    #[test]
    fn refuses_bad_specs_with_a_reason() {
        for (input, needle) in [
            ("", "no faults"),
            ("throttle", "KEY=VALUE"),
            ("throttle=x", "number"),
            ("throttle=1.5", "between 0 and 1"),
            ("error=-0.1", "between 0 and 1"),
            ("throttle=0.6,error=0.5", "more than 1"),
            ("jitter=0.1", "unknown fault"),
            ("throttle=0.1,throttle=0.2", "twice"),
            ("latency=200-20ms", "minimum above"),
            ("latency=20-200", "latency must look like"),
            ("latency=2-x ms", "latency must look like"),
            ("latency=0-61s", "over 60 s"),
        ] {
            let e = FaultSpec::parse(input).unwrap_err();
            assert!(e.contains(needle), "{input:?}: {e}");
        }
    }

    fn run(seed: u64, n: usize) -> Vec<(Option<Fault>, Duration)> {
        let spec = FaultSpec::parse("throttle=0.1,error=0.05,reset=0.02,latency=20-200ms").unwrap();
        let f = Faults::new(spec, Some(seed));
        (0..n).map(|_| f.decide()).collect()
    }

    #[test]
    fn a_seed_gives_the_same_decisions_and_the_shares_hold() {
        let a = run(42, 20_000);
        assert_eq!(a, run(42, 20_000));
        assert_ne!(a, run(43, 20_000));
        let count = |k| a.iter().filter(|(f, _)| *f == Some(k)).count();
        // 20,000 draws: each share within a few standard deviations of its expectation.
        assert!(
            (1800..2200).contains(&count(Fault::Throttle)),
            "{}",
            count(Fault::Throttle)
        );
        assert!(
            (850..1150).contains(&count(Fault::Error)),
            "{}",
            count(Fault::Error)
        );
        assert!(
            (300..500).contains(&count(Fault::Reset)),
            "{}",
            count(Fault::Reset)
        );
        assert!(
            a.iter()
                .all(|(_, d)| (Duration::from_millis(20)..=Duration::from_millis(200)).contains(d))
        );
    }
}
