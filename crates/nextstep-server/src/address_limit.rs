//! Login attempts per client address: a GCRA rate limit keyed by the connection's peer
//! IP (the `governor` crate), checked before any password work, so one client cannot
//! occupy the password-checking pool or walk through many accounts' lockout budgets.
//!
//! The key is the TCP peer address as the server sees it. Behind a reverse proxy every
//! client shares the proxy's address; the quota is sized for a team signing in (sessions
//! last 14 days), not for a crowd, so that is acceptable — and `X-Forwarded-For` is not
//! trusted, since any client could set it.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::Extensions;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Login attempts one address may make in a burst…
pub const BURST: u32 = 10;
/// …and the steady rate after it (attempts per minute).
pub const PER_MINUTE: u32 = 10;
/// Past this many tracked addresses, forgotten ones are dropped on the next check.
const TRACKED: usize = 10_000;

/// The per-address limiter of one server.
#[derive(Debug)]
pub struct AddressLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl Default for AddressLimit {
    fn default() -> Self {
        AddressLimit::new(BURST, PER_MINUTE)
    }
}

impl AddressLimit {
    /// `burst` attempts at once, then `per_minute` a minute (each at least 1).
    pub fn new(burst: u32, per_minute: u32) -> Self {
        let one = NonZeroU32::MIN;
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(one))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(one));
        AddressLimit {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
        }
    }

    /// Takes one attempt for `addr`: `Err(wait)` when the address must wait first.
    pub fn check(&self, addr: IpAddr) -> Result<(), Duration> {
        if self.limiter.len() > TRACKED {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&addr)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// The peer address of the connection a request came on: set by `serve` (axum's
/// `ConnectInfo`), or by a test's `MockConnectInfo`; absent only when a test drives the
/// router in-process without one.
pub fn peer_ip(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .or_else(|| {
            extensions
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|MockConnectInfo(addr)| addr.ip())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_burst_then_waits_and_others_are_apart() {
        let limit = AddressLimit::new(3, 1);
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let b: IpAddr = "127.0.0.3".parse().unwrap();
        for _ in 0..3 {
            assert!(limit.check(a).is_ok());
        }
        let wait = limit.check(a).expect_err("over the burst");
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert!(limit.check(b).is_ok(), "another address has its own budget");
    }
}
