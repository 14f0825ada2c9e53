//! The coaching and forecast reports cached per scope (and filter), exact by the store's
//! trigger-maintained data version like the pipeline's ([`crate::cache`]): a request reads
//! one row to learn whether its cached report is current, and only a write anywhere (or a
//! new day, for the forecast) makes the next request rebuild it — from the per-call facts,
//! never the analyses ([`crate::reports`]).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use nextstep_insight::coach::{CoachFilter, CoachReport};
use nextstep_store::{Scope, Store, StoreError};

use crate::state::AppState;

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

/// The coaching report of `scope` under `filter`, from the cache when current.
pub async fn coach(
    state: &AppState,
    scope: &Scope,
    filter: &CoachFilter,
) -> Result<Arc<CoachReport>, StoreError> {
    let version = state.db().data_version().await?;
    // Coaching does not depend on the day; a fixed one keeps entries until a write.
    let day = NaiveDate::MIN;
    let key: CoachKey = (
        *scope,
        filter.rep.clone(),
        filter.team_manager.clone(),
        filter.since,
        filter.until,
    );
    if let Some(report) = state.report_caches().coach.get(&key, version, day) {
        return Ok(report);
    }
    let report = Arc::new(
        crate::reports::coach_report(state.db(), scope, filter, state.rules().ask_instead())
            .await?,
    );
    state
        .report_caches()
        .coach
        .put(key, version, day, report.clone());
    Ok(report)
}

/// What the forecast reads, `scope`'s: the facts dataset and the stage history.
async fn forecast_inputs(
    state: &AppState,
    scope: &Scope,
) -> Result<
    (
        nextstep_insight::Dataset,
        nextstep_insight::forecast::StageHistory,
    ),
    StoreError,
> {
    let data = crate::reports::facts_dataset(state.db(), scope).await?;
    let history = crate::dataset::stage_history(state.db(), scope).await?;
    Ok((data, history))
}

/// This quarter's forecast of the deals `scope` sees as of today, from the cache when
/// current (fitted off the async threads when not).
pub async fn forecast(
    state: &AppState,
    scope: &Scope,
) -> Result<Arc<nextstep_insight::forecast::ForecastReport>, StoreError> {
    let version = state.db().data_version().await?;
    let today = chrono::Utc::now().date_naive();
    if let Some(report) = state.report_caches().forecast.get(scope, version, today) {
        return Ok(report);
    }
    // The model is fitted off the request path; the request scores the open deals with
    // the stored fit (fitting only when the scope has none yet).
    let (fit, stored) = crate::forecast_fits::current(state, scope, version).await?;
    let (data, history) = forecast_inputs(state, scope).await?;
    let mut report = tokio::task::spawn_blocking(move || {
        nextstep_insight::forecast::forecast_with_fit(&data, &history, fit, None, today)
    })
    .await
    .map_err(|e| StoreError::Query(format!("the forecast failed: {e}")))?;
    report.model.fitted_at = Some(stored.fitted_at);
    report.model.data_version = Some(stored.data_version);
    let report = Arc::new(report);
    state
        .report_caches()
        .forecast
        .put(*scope, version, today, report.clone());
    Ok(report)
}

/// The forecast page's report and its backtest chart (or why there is none). The chart
/// is made with each fit, off the request path ([`crate::forecast_fits::refit`]); a
/// request shows the latest one, making it only when the scope has none yet.
pub async fn forecast_page(
    state: &AppState,
    scope: &Scope,
) -> Result<
    (
        Arc<nextstep_insight::forecast::ForecastReport>,
        Arc<Result<(String, String), String>>,
    ),
    StoreError,
> {
    let report = forecast(state, scope).await?;
    if let Some((_, chart)) = state.report_caches().calibration.latest(scope) {
        return Ok((report, chart));
    }
    let version = state.db().data_version().await?;
    let chart = calibration(state, scope).await?;
    state.report_caches().calibration.put(
        *scope,
        version,
        chrono::Utc::now().date_naive(),
        chart.clone(),
    );
    Ok((report, chart))
}

/// The backtest chart of `scope`'s current data.
pub async fn calibration(
    state: &AppState,
    scope: &Scope,
) -> Result<Arc<Result<(String, String), String>>, StoreError> {
    let (data, history) = forecast_inputs(state, scope).await?;
    let chart = tokio::task::spawn_blocking(move || crate::reports::calibration(&data, &history))
        .await
        .map_err(|e| StoreError::Query(format!("the backtest failed: {e}")))?;
    Ok(Arc::new(chart))
}
