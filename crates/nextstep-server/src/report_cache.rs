//! The coaching and forecast reports cached per scope (and filter), exact by the store's
//! trigger-maintained data version like the pipeline's ([`crate::cache`]): a request reads
//! one row to learn whether its cached report is current, and only a write anywhere (or a
//! new day, for the forecast) makes the next request rebuild it — from the per-call facts,
//! never the analyses (`crate::reports`, which reads and fills these caches).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use nextstep_core::Scope;
use nextstep_insight::coach::CoachReport;

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

    /// Drops `key`'s report (its inputs changed without the data version moving: a
    /// forecast fit stored).
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

/// The caches the server keeps beside the pipeline's.
#[derive(Default)]
pub struct ReportCaches {
    /// Coaching reports by scope and filter.
    pub coach: VersionCache<CoachKey, CoachReport>,
    /// Forecast reports by scope (the day is part of the entry).
    pub forecast: VersionCache<Scope, nextstep_insight::forecast::ForecastReport>,
    /// The forecast page's backtest chart (or why there is none), by scope: the latest,
    /// made with each fit.
    pub calibration: VersionCache<Scope, Result<(String, String), String>>,
}
