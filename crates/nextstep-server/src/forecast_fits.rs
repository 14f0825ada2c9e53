//! The forecast's model, fitted off the request path. A request scores the open deals
//! with the scope's stored fit ([`FactStore::stored_fit`]) and never fits — except the
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

use chrono::Utc;
use nextstep_insight::forecast::{Fit, fit};
use nextstep_store::facts::StoredFit;
use nextstep_store::{FactStore, Scope, Store, StoreError};
use tokio::sync::Notify;

use crate::state::AppState;

/// How long a refit waits after being asked for, so a burst of writes fits once.
pub const DEBOUNCE: Duration = Duration::from_secs(2);
/// How often stale fits are refitted even when no request asks.
pub const SCHEDULE: Duration = Duration::from_secs(60);

/// The scopes waiting for a refit, and the scopes that ever asked for a forecast.
#[derive(Default)]
pub struct Refits {
    pending: Mutex<HashSet<Scope>>,
    known: Mutex<HashSet<Scope>>,
    wake: Notify,
}

impl Refits {
    /// Asks for `scope`'s fit to be redone soon.
    pub fn request(&self, scope: Scope) {
        if let Ok(mut p) = self.pending.lock() {
            p.insert(scope);
        }
        self.wake.notify_one();
    }

    fn remember(&self, scope: Scope) {
        if let Ok(mut k) = self.known.lock() {
            k.insert(scope);
        }
    }

    fn take(&self) -> Vec<Scope> {
        self.pending
            .lock()
            .map(|mut p| p.drain().collect())
            .unwrap_or_default()
    }

    fn known(&self) -> Vec<Scope> {
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

/// Fits `scope`'s model on its current data and stores it.
pub async fn refit(state: &AppState, scope: &Scope) -> Result<(Fit, StoredFit), StoreError> {
    let version = state.db().data_version().await?;
    let today = Utc::now().date_naive();
    let data = crate::reports::facts_dataset(state.db(), scope).await?;
    let history = crate::dataset::stage_history(state.db(), scope).await?;
    let fitted = tokio::task::spawn_blocking(move || fit(&data, &history, today))
        .await
        .map_err(|e| StoreError::Query(format!("fitting the forecast failed: {e}")))?;
    let stored = StoredFit {
        data_version: version,
        as_of: today,
        fitted_at: Utc::now(),
        fit: fitted.to_json(),
    };
    state.db().store_fit(&scope_key(scope), &stored).await?;
    state.report_caches().forecast.forget(scope);
    // The page's backtest chart is remade with the fit, off the request path too.
    if state.report_caches().calibration.latest(scope).is_some() {
        let chart = crate::report_cache::calibration(state, scope).await?;
        state
            .report_caches()
            .calibration
            .put(*scope, version, today, chart);
    }
    Ok((fitted, stored))
}

/// The fit a request uses for `scope`: the stored one (asking for a refit when it is
/// behind `version` or today), or, when none is stored yet, one fitted now.
pub async fn current(
    state: &AppState,
    scope: &Scope,
    version: i64,
) -> Result<(Fit, StoredFit), StoreError> {
    state.refits().remember(*scope);
    let today = Utc::now().date_naive();
    if let Some(stored) = state.db().stored_fit(&scope_key(scope)).await?
        && let Some(fit) = Fit::from_json(&stored.fit)
    {
        if stored.data_version != version || stored.as_of != today {
            state.refits().request(*scope);
        }
        return Ok((fit, stored));
    }
    refit(state, scope).await
}

/// Refits what was asked for (after [`DEBOUNCE`]) and, every [`SCHEDULE`], every known
/// scope whose fit is behind, until `stop` resolves.
pub async fn run(state: &AppState, stop: impl std::future::Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        let scheduled = tokio::select! {
            _ = state.refits().wake.notified() => false,
            _ = tokio::time::sleep(SCHEDULE) => true,
            _ = &mut stop => return,
        };
        tokio::select! {
            _ = tokio::time::sleep(DEBOUNCE) => {}
            _ = &mut stop => return,
        }
        let mut scopes = state.refits().take();
        if scheduled {
            for scope in state.refits().known() {
                if !scopes.contains(&scope) && behind(state, &scope).await {
                    scopes.push(scope);
                }
            }
        }
        for scope in scopes {
            if let Err(e) = refit(state, &scope).await {
                tracing::warn!("refitting the forecast of {scope:?} failed: {e}");
            }
        }
    }
}

async fn behind(state: &AppState, scope: &Scope) -> bool {
    let Ok(version) = state.db().data_version().await else {
        return false;
    };
    match state.db().stored_fit(&scope_key(scope)).await {
        Ok(Some(s)) => s.data_version != version || s.as_of != Utc::now().date_naive(),
        Ok(None) => true,
        Err(_) => false,
    }
}
