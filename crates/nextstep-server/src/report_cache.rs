//! The coaching and forecast reports cached per scope (and filter), exact by the store's
//! trigger-maintained data version like the pipeline's ([`crate::cache`]): a request reads
//! one row to learn whether its cached report is current, and only a write anywhere (or a
//! new day, for the forecast) makes the next request rebuild it — from the per-call facts,
//! never the analyses (`crate::reports`, which reads and fills these caches).
//!
//! A rebuild after a write is incremental: each entry keeps what it was made from (the
//! coaching report's per-rep, per-week aggregates; the forecast's open-pipeline inputs)
//! with the store's change-log position, and the store's log says which weeks and deals
//! the writes since touched — only those are read again. One rebuild runs at a time per
//! kind of report, so concurrent requests after a write wait for it instead of each
//! holding a copy of the pipeline in memory.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use nextstep_core::Scope;
use nextstep_core::facts::{OpenForecastInputs, ReportPosition};
use nextstep_insight::stored_reports::CoachBuild;

/// A cached report with the data version and day it was built on.
type Versioned<V> = (i64, NaiveDate, Arc<V>);

/// Reports of one kind by key, each with the data version (and day) it was built on.
pub struct VersionCache<K, V> {
    entries: Mutex<HashMap<K, Versioned<V>>>,
}

impl<K, V> Default for VersionCache<K, V> {
    fn default() -> Self {
        VersionCache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq, V> VersionCache<K, V> {
    /// The report of `key` if it was built on `version` and `day`.
    pub fn get(&self, key: &K, version: i64, day: NaiveDate) -> Option<Arc<V>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(v, d, _)| *v == version && *d == day)
            .map(|(_, _, r)| r.clone())
    }

    /// `key`'s latest report whatever it was built on, with its data version.
    pub fn latest(&self, key: &K) -> Option<(i64, Arc<V>)> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).map(|(v, _, r)| (*v, r.clone()))
    }

    /// Drops `key`'s report: its inputs changed without the data version moving (a
    /// forecast fit stored), or a rebuild starts and the old one need not outlive it.
    pub fn forget(&self, key: &K) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }

    /// Keeps `report` for `key` (replacing an older one).
    pub fn put(&self, key: K, version: i64, day: NaiveDate, report: Arc<V>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(key, (version, day, report));
        }
    }
}

/// What a coaching report is cached under: the scope and the filter's fields.
pub type CoachKey = (
    Scope,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

/// Something built on a store position, by key: the latest build per key.
pub struct PositionCache<K, V> {
    entries: Mutex<HashMap<K, (ReportPosition, Arc<V>)>>,
}

impl<K, V> Default for PositionCache<K, V> {
    fn default() -> Self {
        PositionCache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq, V> PositionCache<K, V> {
    /// `key`'s latest build and the position it was made on.
    pub fn latest(&self, key: &K) -> Option<(ReportPosition, Arc<V>)> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).map(|(p, v)| (*p, v.clone()))
    }

    /// Takes `key`'s latest build out of the cache.
    pub fn take(&self, key: &K) -> Option<(ReportPosition, Arc<V>)> {
        self.entries.lock().ok()?.remove(key)
    }

    /// Keeps `value` for `key` (replacing an older one).
    pub fn put(&self, key: K, position: ReportPosition, value: Arc<V>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(key, (position, value));
        }
    }
}

/// A scope's forecast inputs as last read, for the day they were read as of: taken out
/// while a rebuild merges the changes since and scores them, then put back.
pub struct KeptInputs {
    /// The day the deals were open at.
    pub day: NaiveDate,
    /// The change-log position they are current for.
    pub position: ReportPosition,
    /// The inputs.
    pub inputs: OpenForecastInputs,
}

/// The caches the server keeps beside the pipeline's.
#[derive(Default)]
pub struct ReportCaches {
    /// Coaching reports by scope and filter, with the aggregates they were made from.
    pub coach: PositionCache<CoachKey, CoachBuild>,
    /// One coaching rebuild at a time.
    pub coach_builds: tokio::sync::Mutex<()>,
    /// The forecast's inputs by scope.
    pub forecast_inputs: Mutex<HashMap<Scope, KeptInputs>>,
    /// One forecast rebuild at a time.
    pub forecast_builds: tokio::sync::Mutex<()>,
    /// Forecast reports by scope (the day is part of the entry).
    pub forecast: VersionCache<Scope, nextstep_insight::forecast::ForecastReport>,
    /// The forecast page's backtest chart (or why there is none), by scope: the latest,
    /// made with each fit.
    pub calibration: VersionCache<Scope, Result<(String, String), String>>,
}
