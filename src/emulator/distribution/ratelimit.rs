//! Pull rate limits as public.ecr.aws applies them (anonymous 1 request/s, authenticated 10/s,
//! per client address or session): a token bucket per client, holding at most one second of
//! requests. Off unless `--registry-rate` is given.

use std::collections::HashMap;
use std::time::Instant;

use parking_lot::Mutex;

use super::errors::{RegError, RegResult};

/// Requests per second for anonymous and for logged-in clients (`anon=1,auth=10`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateSpec {
    pub anon: f64,
    pub auth: f64,
}

impl RateSpec {
    pub fn parse(s: &str) -> Result<RateSpec, String> {
        let mut spec = RateSpec {
            anon: 1.0,
            auth: 10.0,
        };
        for part in s.split(',').filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("expected anon=N,auth=N, got {part:?}"))?;
            let n: f64 = value
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite() && *n > 0.0)
                .ok_or_else(|| {
                    format!("{key} must be a positive number of requests per second, got {value:?}")
                })?;
            match key {
                "anon" => spec.anon = n,
                "auth" => spec.auth = n,
                _ => return Err(format!("unknown rate {key:?}: use anon= and auth=")),
            }
        }
        Ok(spec)
    }
}

/// More clients than this and the oldest buckets are dropped: the map's size is bounded.
const MAX_CLIENTS: usize = 10_000;

#[derive(Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Limiter {
    pub fn check(&self, spec: &RateSpec, authenticated: bool, client: &str) -> RegResult<()> {
        let rate = if authenticated { spec.auth } else { spec.anon };
        let burst = rate.max(1.0);
        let now = Instant::now();
        let mut buckets = self.buckets.lock();
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(client) {
            let full_after = |(tokens, at): &(f64, Instant)| {
                *at + std::time::Duration::from_secs_f64((burst - tokens) / rate)
            };
            buckets.retain(|_, b| full_after(b) > now);
            if buckets.len() >= MAX_CLIENTS {
                buckets.clear();
            }
        }
        let (tokens, at) = buckets.entry(client.to_string()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            return Ok(());
        }
        let wait = ((1.0 - *tokens) / rate).ceil().max(1.0) as u64;
        let who = if authenticated {
            "authenticated"
        } else {
            "anonymous"
        };
        Err(RegError {
            retry_after: Some(wait),
            ..RegError::new(
                429,
                "TOOMANYREQUESTS",
                format!("Rate exceeded: {rate} pull requests per second for {who} clients"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_parses_and_a_slow_rate_refuses_the_second_request() {
        assert_eq!(
            RateSpec::parse("anon=2").unwrap(),
            RateSpec {
                anon: 2.0,
                auth: 10.0
            }
        );
        assert!(RateSpec::parse("anon=0").is_err());
        assert!(RateSpec::parse("bogus=1").is_err());
        let spec = RateSpec::parse("anon=0.001,auth=0.001").unwrap();
        let l = Limiter::default();
        assert!(l.check(&spec, false, "a").is_ok());
        let e = l.check(&spec, false, "a").unwrap_err();
        assert_eq!((e.status, e.code), (429, "TOOMANYREQUESTS"));
        assert!(e.retry_after.unwrap() >= 1);
        assert!(l.check(&spec, false, "b").is_ok(), "buckets are per client");
    }
}
