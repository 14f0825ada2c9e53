//! The forecast's model, fitted off the request path. A request scores the open deals
//! with the scope's stored fit (`FactStore::stored_fit`) and never fits — except the
//! very first time a scope asks, when there is nothing stored yet. When the stored fit is
//! behind (the data version moved, or a day passed) the request asks for a refit, and
//! [`run`] — a task beside the upload sweeper in `serve` — fits after a short debounce
//! (a burst of writes gives one fit), and also every [`SCHEDULE`] for every scope that
//! asked before, so fits follow writes even when nobody is looking. A fit is stored with
//! the data version read *before* its data was loaded, so a write racing it leaves it
//! marked stale and it is fitted again.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

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
}

impl Refits {
    /// Asks for `scope`'s fit to be redone soon.
    pub fn request(&self, scope: Scope) {
        if let Ok(mut p) = self.pending.lock() {
            p.insert(scope);
        }
        self.wake.notify_one();
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

/// The key a scope's fit is stored under.
pub fn scope_key(scope: &Scope) -> String {
    match scope {
        Scope::All => "all".into(),
        Scope::Owner(id) => format!("owner:{id}"),
        Scope::Team(id) => format!("team:{id}"),
    }
}
