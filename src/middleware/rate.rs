//! Request rates per caller (`server.rate_limit`): a key holder is counted
//! by its key, anyone else by its address, with governor's GCRA buckets.
//! Past the rate, a 429 in the protocol's format says when to come back.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::HttpResponse;
use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use tuile_core::access::Caller;
use tuile_core::config::RateLimitConfig;

/// Checks between two purges of callers gone quiet.
const PURGE_EVERY: u64 = 4096;

pub struct RateLimits {
    per_key: Option<(DefaultKeyedRateLimiter<String>, u32)>,
    per_address: Option<(DefaultKeyedRateLimiter<String>, u32)>,
    trust_forwarded: bool,
    checks: AtomicU64,
}

fn limiter(rate: u32, burst: u32) -> Option<(DefaultKeyedRateLimiter<String>, u32)> {
    let per_second = NonZeroU32::new(rate)?;
    let burst = NonZeroU32::new(burst).unwrap_or(per_second);
    Some((
        RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)),
        rate,
    ))
}

impl RateLimits {
    pub fn new(config: &RateLimitConfig) -> RateLimits {
        RateLimits {
            per_key: limiter(config.per_key, config.burst),
            per_address: limiter(config.per_address, config.burst),
            trust_forwarded: config.trust_forwarded,
            checks: AtomicU64::new(0),
        }
    }

    /// The refusal of a request over its caller's rate, if it is.
    pub fn check(
        &self,
        req: &ServiceRequest,
        caller: &Caller,
        error: fn(StatusCode, String) -> HttpResponse,
    ) -> Option<HttpResponse> {
        let (limiter, rate, who) = match (caller, &self.per_key, &self.per_address) {
            (Caller::Member { name, .. }, Some((l, rate)), _) => (l, *rate, format!("key {name}")),
            (Caller::Member { .. }, None, _) => return None,
            (_, _, Some((l, rate))) => (l, *rate, self.address(req)?),
            _ => return None,
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % PURGE_EVERY == PURGE_EVERY - 1 {
            for (l, _) in self.per_key.iter().chain(&self.per_address) {
                l.retain_recent();
                l.shrink_to_fit();
            }
        }
        let not_until = limiter.check_key(&who).err()?;
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut resp = error(
            StatusCode::TOO_MANY_REQUESTS,
            format!("more than {rate} requests per second from this caller; try again in {seconds} s"),
        );
        *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        Some(resp)
    }

    /// The caller's address, without its port (a client's connections
    /// share one bucket).
    fn address(&self, req: &ServiceRequest) -> Option<String> {
        if !self.trust_forwarded {
            return req.peer_addr().map(|a| a.ip().to_string());
        }
        let info = req.connection_info();
        let a = info.realip_remote_addr()?;
        let ip = a
            .parse::<std::net::SocketAddr>()
            .map(|s| s.ip())
            .or_else(|_| a.trim_matches(['[', ']']).parse::<std::net::IpAddr>());
        Some(ip.map_or_else(|_| a.to_string(), |ip| ip.to_string()))
    }
}
