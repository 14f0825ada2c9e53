//! The forecast's model, fitted off the request path. A request scores the open deals
//! with the scope's stored fit (`FactStore::stored_fit`) and never fits. The very first
//! time a scope asks, when there is nothing stored yet, the request starts the first fit
//! in the background ([`Refits::start_first`]) and waits for it up to
//! [`FIRST_ANSWER_WAIT`]; a fit that takes longer (a big team's first fit takes minutes)
//! is answered "being fitted" and the next request finds it. When the stored fit is
//! behind (the data version moved, or a day passed) the request asks for a refit, and
//! [`run`] — a task beside the upload sweeper in `serve` — fits after a short debounce
//! (a burst of writes gives one fit), and also every [`SCHEDULE`] for every scope that
//! asked before, so fits follow writes even when nobody is looking. A fit is stored with
//! the data version read *before* its data was loaded, so a write racing it leaves it
//! marked stale and it is fitted again.
//!
//! Where the fit runs: in this process by default; a server started without workers
//! (`serve --workers 0`, beside `nextstep worker` processes) queues a
//! [`RefitForecast`](crate::jobs::RefitForecast) job instead ([`Refits::fit_elsewhere`]),
//! so the model's memory is a worker's and the server only reads stored fits and charts.
//! The backtest chart of the forecast page is stored beside the fit (under
//! [`chart_key`]) for the same reason.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nextstep_core::Scope;
use tokio::sync::Notify;

/// How long a refit waits after being asked for, so a burst of writes fits once.
pub const DEBOUNCE: Duration = Duration::from_secs(2);
/// How often stale fits are refitted even when no request asks.
pub const SCHEDULE: Duration = Duration::from_secs(60);

/// The scopes waiting for a refit, and the scopes that ever asked for a forecast.
#[derive(Default)]
pub struct Refits {
    pending: Mutex<HashSet<Scope>>,
    known: Mutex<HashSet<Scope>>,
    pub(crate) wake: Notify,
    elsewhere: AtomicBool,
    fitted: AtomicUsize,
    first: Mutex<HashMap<String, Instant>>,
    first_answer_wait: Mutex<Option<Duration>>,
}

impl Refits {
    /// From now on, fits are queued for the workers instead of run in this process.
    pub fn fit_elsewhere(&self) {
        self.elsewhere.store(true, Ordering::Relaxed);
    }

    /// Counts a fit made in this process.
    pub(crate) fn count_fit(&self) {
        self.fitted.fetch_add(1, Ordering::Relaxed);
    }

    /// How many fits this process made (what the tests of fitting elsewhere read).
    pub fn fitted_here(&self) -> usize {
        self.fitted.load(Ordering::Relaxed)
    }

    /// Whether fits run in this process.
    pub fn fits_here(&self) -> bool {
        !self.elsewhere.load(Ordering::Relaxed)
    }

    /// Asks for `scope`'s fit to be redone soon.
    pub fn request(&self, scope: Scope) {
        if let Ok(mut p) = self.pending.lock() {
            p.insert(scope);
        }
        self.wake.notify_one();
    }

    /// Marks the first making of what is stored under `key` (a scope's fit or its chart)
    /// as started, unless it already is: when it was started, and whether this call
    /// started it (and so must run it).
    pub(crate) fn start_first(&self, key: &str) -> (Instant, bool) {
        let Ok(mut first) = self.first.lock() else {
            return (Instant::now(), false);
        };
        match first.get(key) {
            Some(at) => (*at, false),
            None => {
                let now = Instant::now();
                first.insert(key.to_string(), now);
                (now, true)
            }
        }
    }

    /// Marks the first making of `key` as over (stored or failed): a later request that
    /// still finds nothing stored starts another.
    pub(crate) fn end_first(&self, key: &str) {
        if let Ok(mut first) = self.first.lock() {
            first.remove(key);
        }
    }

    /// How long a request waits for a first fit (or chart) before it answers "being made":
    /// [`FIRST_ANSWER_WAIT`] unless set otherwise (what tests of the answer set).
    pub fn first_answer_wait(&self) -> Duration {
        self.first_answer_wait
            .lock()
            .ok()
            .and_then(|w| *w)
            .unwrap_or(FIRST_ANSWER_WAIT)
    }

    /// Sets how long a request waits for a first fit before it answers "being fitted".
    pub fn set_first_answer_wait(&self, wait: Duration) {
        if let Ok(mut w) = self.first_answer_wait.lock() {
            *w = Some(wait);
        }
    }

    pub(crate) fn remember(&self, scope: Scope) {
        if let Ok(mut k) = self.known.lock() {
            k.insert(scope);
        }
    }

    pub(crate) fn take(&self) -> Vec<Scope> {
        self.pending
            .lock()
            .map(|mut p| p.drain().collect())
            .unwrap_or_default()
    }

    pub(crate) fn known(&self) -> Vec<Scope> {
        self.known
            .lock()
            .map(|k| k.iter().copied().collect())
            .unwrap_or_default()
    }
}

/// How long a request that finds no stored fit waits for the first one before it answers
/// that the model is being fitted: a small team's first fit (well under a second) is
/// answered at once, a big team's (minutes at 500,000 calls on a 2-core machine) does not
/// hold a request — or its memory — past the request timeout.
pub const FIRST_ANSWER_WAIT: Duration = Duration::from_secs(10);

/// How long a first fit queued for the workers waits for one to take it before the server
/// fits it in its own process after all (no worker is running).
pub const FIRST_FIT_WAIT: Duration = Duration::from_secs(60);

/// How long a first fit queued for the workers is waited for at most while a worker is
/// running it (a first fit at 500,000 calls took over two minutes on a 2-core machine).
pub const FIRST_FIT_LIMIT: Duration = Duration::from_secs(600);

/// The scope a key made by [`scope_key`] names; `None` for anything else.
pub fn parse_scope_key(key: &str) -> Option<Scope> {
    match key.split_once(':') {
        None if key == "all" => Some(Scope::All),
        Some(("owner", id)) => id.parse().ok().map(Scope::Owner),
        Some(("team", id)) => id.parse().ok().map(Scope::Team),
        _ => None,
    }
}

/// The key a scope's stage-weighted baseline is stored under, beside its fit: with both
/// stored, a request reads only the open deals.
pub fn baseline_key(scope: &Scope) -> String {
    format!("baseline:{}", scope_key(scope))
}

/// The key a scope's forecast page chart is stored under, beside its fit.
pub fn chart_key(scope: &Scope) -> String {
    format!("chart:{}", scope_key(scope))
}

/// The key a scope's fit is stored under.
pub fn scope_key(scope: &Scope) -> String {
    match scope {
        Scope::All => "all".into(),
        Scope::Owner(id) => format!("owner:{id}"),
        Scope::Team(id) => format!("team:{id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_keys_read_back() {
        for scope in [Scope::All, Scope::Owner(7), Scope::Team(12)] {
            assert_eq!(parse_scope_key(&scope_key(&scope)), Some(scope));
        }
        for bad in [
            "",
            "ALL",
            "owner:",
            "owner:x",
            "team:1:2",
            "chart:all",
            "rep:3",
        ] {
            assert_eq!(parse_scope_key(bad), None, "{bad}");
        }
    }
}
