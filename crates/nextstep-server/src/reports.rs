//! The team reports as the server serves them: built from the store's per-call facts
//! (`nextstep_insight::stored_reports`, which the command line runs too), cached per
//! scope ([`crate::report_cache`]), with the forecast's model fitted off the request path
//! ([`crate::forecast_fits`]).

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use nextstep_core::dataset::Dataset;
use nextstep_core::facts::{FactStore, OpenForecastInputs, ReportPosition, StoredFit};
use nextstep_core::{Scope, Store, StoreError};
use nextstep_insight::backtest::{backtest_with_history, default_cutoff, reliability_svg};
use nextstep_insight::coach::{CoachFilter, CoachReport};
use nextstep_insight::forecast::{Fit, ForecastError, StageBaseline, StageHistory, fit};
use nextstep_insight::stored_reports::{coach_build, facts_dataset};

use crate::report_cache::{CoachKey, KeptInputs};
use crate::state::AppState;

/// The forecast page's backtest: its reliability diagram and a line of figures, or why
/// there is none.
pub fn backtest_chart(data: &Dataset, history: &StageHistory) -> Result<(String, String), String> {
    match default_cutoff(data) {
        None => Err(
            "No deal has closed with a close date yet, so there is nothing to check \
                     the forecast against."
                .to_string(),
        ),
        // The backtest asserts invariants of its own; a broken one must cost the chart,
        // not the whole forecast page.
        Some(cutoff) => match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            backtest_with_history(data, history, cutoff)
        }))
        .unwrap_or_else(|_| Err(ForecastError::Fit("the backtest failed".into())))
        {
            Ok(bt) => {
                let auc = bt
                    .model
                    .auc
                    .map_or_else(|| "n/a".to_string(), |a| format!("{a:.2}"));
                Ok((
                    reliability_svg(&bt),
                    format!(
                        "Trained on {} deals closed before {}, tested on the {} closed since: \
                         Brier {:.3} (baseline {:.3}), AUC {auc}.",
                        bt.n_train, bt.cutoff, bt.n_test, bt.model.brier, bt.baseline.brier
                    ),
                ))
            }
            Err(e) => Err(format!("No calibration chart yet: {e}.")),
        },
    }
}

// ---------------------------------------------------------------------------------------
// The server's cached reports and its forecast fits

/// How many changed weeks and deals a rebuild reads again before it reads everything.
const CHANGES_LIMIT: usize = 5_000;

/// The coaching report of `scope` under `filter`, from the cache when current; after a
/// write, only the weeks the write touched are aggregated again.
pub async fn cached_coach(
    state: &AppState,
    scope: &Scope,
    filter: &CoachFilter,
) -> Result<Arc<CoachReport>, StoreError> {
    let key: CoachKey = (
        *scope,
        filter.rep.clone(),
        filter.team_manager.clone(),
        filter.since,
        filter.until,
    );
    let caches = state.report_caches();
    let current = |position: ReportPosition| {
        caches
            .coach
            .latest(&key)
            .filter(|(at, _)| at.version == position.version)
            .map(|(_, build)| build.report.clone())
    };
    if let Some(report) = current(state.db().report_position().await?) {
        return Ok(report);
    }
    let _one_at_a_time = caches.coach_builds.lock().await;
    // The rebuild this request waited for may have made it.
    let position = state.db().report_position().await?;
    if let Some(report) = current(position) {
        return Ok(report);
    }
    // Taken out: its aggregates move into the new build instead of being copied.
    let previous = caches.coach.take(&key);
    let changes = match &previous {
        Some((at, _)) => state.db().report_changes(at.seq, CHANGES_LIMIT).await?,
        None => None,
    };
    let before = previous.zip(changes.as_ref()).map(|((_, build), changes)| {
        let build = Arc::try_unwrap(build).unwrap_or_else(|shared| (*shared).clone());
        (build, changes)
    });
    let build = coach_build(
        state.db(),
        scope,
        filter,
        state.rules().ask_instead(),
        before,
    )
    .await?;
    let report = build.report.clone();
    caches.coach.put(key, position, Arc::new(build));
    release_freed();
    Ok(report)
}

/// Why a forecast request has no report to answer with: the store failed, or the scope's
/// first model is still being fitted — answered at once (a 503 with `Retry-After`)
/// rather than held open for the minutes a big team's first fit takes.
#[derive(Debug, thiserror::Error)]
pub enum ForecastUnavailable {
    /// Reading or writing the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No model is stored for the scope yet; its first fit started this long ago.
    #[error(
        "the forecast model is being fitted for the first time (started {} s ago); \
         try again in a minute",
        .0.as_secs()
    )]
    BeingFitted(std::time::Duration),
}

impl From<ForecastUnavailable> for crate::error::ApiError {
    fn from(e: ForecastUnavailable) -> Self {
        match e {
            ForecastUnavailable::Store(e) => e.into(),
            fitting @ ForecastUnavailable::BeingFitted(_) => crate::error::ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "forecast_being_fitted",
                fitting.to_string(),
            ),
        }
    }
}

/// Hands the pages a report rebuild freed back to the system. glibc keeps freed memory
/// in its arenas for reuse, so the next rebuild's peak stacked on the last one's leftovers:
/// trimming after each rebuild lowered the server's peak serving the reports at 500,000
/// calls by up to 35 MB (337 → 301–327 MB alone, 289–291 MB with SQLite's smaller page
/// cache; `scripts/bench-reports.sh`). It costs a walk of
/// the free lists, a few milliseconds, once per rebuild — never on a cached answer.
fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free memory to the system; it touches no memory
    // in use and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// What the forecast reads, `scope`'s: the facts dataset and the stage history.
async fn forecast_inputs(
    state: &AppState,
    scope: &Scope,
) -> Result<
    (
        nextstep_core::dataset::Dataset,
        nextstep_insight::forecast::StageHistory,
    ),
    StoreError,
> {
    let data = facts_dataset(state.db(), scope).await?;
    let history = nextstep_core::dataset::stage_history(state.db(), scope).await?;
    Ok((data, history))
}

/// This quarter's forecast of the deals `scope` sees as of today, from the cache when
/// current (fitted off the async threads when not).
pub async fn cached_forecast(
    state: &AppState,
    scope: &Scope,
) -> Result<Arc<nextstep_insight::forecast::ForecastReport>, ForecastUnavailable> {
    let caches = state.report_caches();
    let today = chrono::Utc::now().date_naive();
    let version = state.db().data_version().await?;
    if let Some(report) = caches.forecast.get(scope, version, today)
        && fit_still_current(state, scope, &report, version).await?
    {
        return Ok(report);
    }
    let _one_at_a_time = caches.forecast_builds.lock().await;
    // The rebuild this request waited for may have made it.
    let position = state.db().report_position().await?;
    let version = position.version;
    if let Some(report) = caches.forecast.get(scope, version, today)
        && fit_still_current(state, scope, &report, version).await?
    {
        return Ok(report);
    }
    // Requests already holding the old report keep it; the cache lets it go now rather
    // than after its successor is built, so the two are not in memory together.
    caches.forecast.forget(scope);
    // The model is fitted off the request path; the request scores the open deals with
    // the stored fit (fitting only when the scope has none yet).
    let (fit, stored) = current(state, scope, version).await?;
    let failed = |e: tokio::task::JoinError| StoreError::Query(format!("the forecast failed: {e}"));
    let mut report = match stored_baseline(state, scope, &stored).await? {
        // Fitted together and stored: only the open deals are read, and after a write
        // only the deals it touched.
        Some(baseline) => {
            let started = std::time::Instant::now();
            let inputs = open_inputs(state, scope, today).await?;
            let read = started.elapsed();
            let (report, inputs) = tokio::task::spawn_blocking(move || {
                nextstep_insight::forecast::forecast_open_keeping(
                    inputs, fit, baseline, None, today,
                )
            })
            .await
            .map_err(failed)?;
            if let Ok(mut kept) = caches.forecast_inputs.lock() {
                kept.insert(
                    *scope,
                    KeptInputs {
                        day: today,
                        position,
                        inputs,
                    },
                );
            }
            tracing::debug!(
                target: "nextstep_server::timing",
                "forecast of {scope:?}: read {read:?}, scored {:?}",
                started.elapsed() - read
            );
            report
        }
        None => {
            let (data, history) = forecast_inputs(state, scope).await?;
            tokio::task::spawn_blocking(move || {
                nextstep_insight::forecast::forecast_with_fit(&data, &history, fit, None, today)
            })
            .await
            .map_err(failed)?
        }
    };
    report.model.fitted_at = Some(stored.fitted_at);
    report.model.data_version = Some(stored.data_version);
    let report = Arc::new(report);
    caches.forecast.put(*scope, version, today, report.clone());
    release_freed();
    Ok(report)
}

/// The open pipeline of `scope` as of `today`: the inputs kept from the last read with
/// the deals changed since read again, or a whole read (the first, a new day, or more
/// changes than [`CHANGES_LIMIT`]).
async fn open_inputs(
    state: &AppState,
    scope: &Scope,
    today: NaiveDate,
) -> Result<OpenForecastInputs, StoreError> {
    let kept = state
        .report_caches()
        .forecast_inputs
        .lock()
        .ok()
        .and_then(|mut kept| kept.remove(scope))
        .filter(|k| k.day == today);
    if let Some(kept) = kept
        && let Some(changes) = state
            .db()
            .report_changes(kept.position.seq, CHANGES_LIMIT)
            .await?
    {
        let mut inputs = kept.inputs;
        let newer = state
            .db()
            .open_forecast_inputs(scope, today, Some(&changes.deals))
            .await?;
        inputs.merge(newer, &changes.deals);
        return Ok(inputs);
    }
    state.db().open_forecast_inputs(scope, today, None).await
}

/// The stage baseline stored with `fit` (the same data version and day), if any: `None`
/// for a fit stored before baselines were, which the full read then makes up for.
async fn stored_baseline(
    state: &AppState,
    scope: &Scope,
    fit: &StoredFit,
) -> Result<Option<Option<StageBaseline>>, StoreError> {
    let key = crate::forecast_fits::baseline_key(scope);
    let Some(stored) = state.db().stored_fit(&key).await? else {
        return Ok(None);
    };
    if stored.data_version != fit.data_version || stored.as_of != fit.as_of {
        return Ok(None);
    }
    Ok(serde_json::from_value(stored.fit).ok())
}

/// Whether a cached report was scored with the scope's latest stored fit: a report made
/// with an older fit than the data's version is redone once a worker has stored a newer
/// one (a fit made in this process drops the cached report itself).
async fn fit_still_current(
    state: &AppState,
    scope: &Scope,
    report: &nextstep_insight::forecast::ForecastReport,
    version: i64,
) -> Result<bool, StoreError> {
    if report.model.data_version == Some(version) || state.refits().fits_here() {
        return Ok(true);
    }
    let stored = state
        .db()
        .stored_fit(&crate::forecast_fits::scope_key(scope))
        .await?;
    Ok(stored.map(|s| s.data_version) == report.model.data_version)
}

/// The forecast page's report and its backtest chart (or why there is none). The chart
/// is made with each fit, off the request path ([`crate::forecast_fits::refit`]); a
/// request shows the latest one, making it only when the scope has none yet.
pub async fn cached_forecast_page(
    state: &AppState,
    scope: &Scope,
) -> Result<
    (
        Arc<nextstep_insight::forecast::ForecastReport>,
        Arc<Result<(String, String), String>>,
    ),
    ForecastUnavailable,
> {
    let report = cached_forecast(state, scope).await?;
    let today = chrono::Utc::now().date_naive();
    let key = crate::forecast_fits::chart_key(scope);
    let cached = state.report_caches().calibration.latest(scope);
    if state.refits().fits_here() {
        if let Some((_, chart)) = cached {
            return Ok((report, chart));
        }
    } else {
        // Made by a worker with each fit: the stored chart, when newer than the cached one.
        let stored = state.db().stored_fit(&key).await?;
        match (stored, cached) {
            (Some(s), Some((v, chart))) if s.data_version <= v => return Ok((report, chart)),
            (Some(s), _) => {
                let chart = Arc::new(chart_from_json(&s.fit));
                state
                    .report_caches()
                    .calibration
                    .put(*scope, s.data_version, today, chart.clone());
                return Ok((report, chart));
            }
            // Not made yet (a worker makes it after the scope's first fit): the page does
            // not wait for a backtest, it says so; the next refit stores one.
            (None, _) => {
                state.refits().request(*scope);
                let pending = Err(CHART_PENDING.to_string());
                return Ok((report, Arc::new(pending)));
            }
        }
    }
    // Fitted in this process, and no chart made since it started: the one stored last
    // (each refit remakes it from now on), else a first one made off the request path.
    let making = {
        let (state, scope) = (state.clone(), *scope);
        async move {
            let version = state.db().data_version().await?;
            let chart = calibration(&state, &scope).await?;
            let today = Utc::now().date_naive();
            store_chart(&state, &scope, version, today, &chart).await?;
            Ok(())
        }
    };
    let chart = match first_stored(state, &key, making, |_| true).await? {
        Ok(stored) => {
            let chart = Arc::new(chart_from_json(&stored.fit));
            state.report_caches().calibration.put(
                *scope,
                stored.data_version,
                today,
                chart.clone(),
            );
            chart
        }
        Err(_) => Arc::new(Err(CHART_PENDING.to_string())),
    };
    Ok((report, chart))
}

/// What is stored under `key` (a scope's fit or chart, accepted by `usable`), waited for
/// up to [`Refits::first_answer_wait`](crate::forecast_fits::Refits::first_answer_wait)
/// while `making` — started in the background by the first request that finds nothing,
/// and by no later one while it runs — stores it. `Err` with how long ago the making
/// started when it is not stored yet: the request answers "being made" instead of
/// holding on.
async fn first_stored(
    state: &AppState,
    key: &str,
    making: impl std::future::Future<Output = Result<(), StoreError>> + Send + 'static,
    usable: impl Fn(&StoredFit) -> bool,
) -> Result<Result<StoredFit, std::time::Duration>, StoreError> {
    let (started, mine) = state.refits().start_first(key);
    if mine {
        let (state, key) = (state.clone(), key.to_string());
        tokio::spawn(async move {
            if let Err(e) = making.await {
                tracing::warn!("making {key} failed: {e}");
            }
            state.refits().end_first(&key);
        });
    }
    let wait = state.refits().first_answer_wait();
    loop {
        if let Some(stored) = state.db().stored_fit(key).await?
            && usable(&stored)
        {
            return Ok(Ok(stored));
        }
        let waited = started.elapsed();
        if waited >= wait {
            return Ok(Err(waited));
        }
        tokio::time::sleep((wait - waited).min(std::time::Duration::from_millis(100))).await;
    }
}

/// What the forecast page says while its first backtest chart is being made.
const CHART_PENDING: &str =
    "the backtest chart is being made (after the first fit); reload in a minute";

/// Stores `scope`'s forecast page chart beside its fit.
async fn store_chart(
    state: &AppState,
    scope: &Scope,
    version: i64,
    today: NaiveDate,
    chart: &Result<(String, String), String>,
) -> Result<StoredFit, StoreError> {
    let json = match chart {
        Ok((svg, figures)) => serde_json::json!({"svg": svg, "figures": figures}),
        Err(why) => serde_json::json!({"none": why}),
    };
    let key = crate::forecast_fits::chart_key(scope);
    store_json(state, &key, version, today, json).await
}

/// Stores `json` under `key` in the forecast fits, made now on data `version` as of
/// `today`: a fit, its baseline or its chart.
async fn store_json(
    state: &AppState,
    key: &str,
    version: i64,
    today: NaiveDate,
    json: serde_json::Value,
) -> Result<StoredFit, StoreError> {
    let stored = StoredFit {
        data_version: version,
        as_of: today,
        fitted_at: Utc::now(),
        fit: json,
    };
    state.db().store_fit(key, &stored).await?;
    Ok(stored)
}

/// A chart as [`store_chart`] wrote it.
fn chart_from_json(value: &serde_json::Value) -> Result<(String, String), String> {
    match (value["svg"].as_str(), value["figures"].as_str()) {
        (Some(svg), Some(figures)) => Ok((svg.to_string(), figures.to_string())),
        _ => Err(value["none"]
            .as_str()
            .unwrap_or("the stored chart cannot be read")
            .to_string()),
    }
}

/// Asks the workers to fit `scope` and waits for what they store under `key`: up to
/// [`FIRST_FIT_WAIT`](crate::forecast_fits::FIRST_FIT_WAIT), and on (up to
/// [`FIRST_FIT_LIMIT`](crate::forecast_fits::FIRST_FIT_LIMIT)) while a worker is running
/// the job — a big team's first fit takes minutes on a small machine, and fitting it here
/// as well would do the work twice and hold every deal in the server's memory (a
/// gigabyte at 500,000 calls). `None` when no worker took the job in time (or it
/// failed): the caller fits in this process after all.
async fn wait_for_worker(
    state: &AppState,
    scope: &Scope,
    key: &str,
) -> Result<Option<StoredFit>, StoreError> {
    let scope_key = crate::forecast_fits::scope_key(scope);
    let job = match state.queue().push_refit(&scope_key).await {
        Ok(job) => job,
        Err(e) => {
            tracing::warn!("cannot queue the forecast fit of {scope:?}: {e}");
            return Ok(None);
        }
    };
    let started = std::time::Instant::now();
    while started.elapsed() < crate::forecast_fits::FIRST_FIT_LIMIT {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        if let Some(stored) = state.db().stored_fit(key).await? {
            return Ok(Some(stored));
        }
        if started.elapsed() >= crate::forecast_fits::FIRST_FIT_WAIT
            && !job_taken(state, &job).await
        {
            break;
        }
    }
    tracing::warn!("no worker fitted the forecast of {scope:?}; fitting it here");
    Ok(None)
}

/// Whether a worker has taken job `id` (claimed or running it); an unreadable status
/// counts as not taken, and the caller then stops waiting for it.
async fn job_taken(state: &AppState, id: &str) -> bool {
    match state.queue().status(id).await {
        Ok(Some(status)) => status.taken(),
        Ok(None) => false,
        Err(e) => {
            tracing::warn!("cannot read the forecast fit job {id}: {e}");
            false
        }
    }
}

/// The backtest chart of `scope`'s current data.
pub async fn calibration(
    state: &AppState,
    scope: &Scope,
) -> Result<Arc<Result<(String, String), String>>, StoreError> {
    let (data, history) = forecast_inputs(state, scope).await?;
    let chart = tokio::task::spawn_blocking(move || backtest_chart(&data, &history))
        .await
        .map_err(|e| StoreError::Query(format!("the backtest failed: {e}")))?;
    Ok(Arc::new(chart))
}

/// Fits `scope`'s model on its current data and stores it; with `chart` (a worker's
/// refit), the forecast page's backtest chart too, which otherwise is remade only when
/// this process fits elsewhere or a page showed one.
pub async fn refit(
    state: &AppState,
    scope: &Scope,
    chart: bool,
) -> Result<(Fit, StoredFit), StoreError> {
    let version = state.db().data_version().await?;
    let today = Utc::now().date_naive();
    let (data, history) = forecast_inputs(state, scope).await?;
    // The page's backtest chart is remade with the fit, from the same data, off the
    // request path too: always in a worker (the server reads it from the store), here
    // only once a page showed one.
    let with_chart = chart
        || !state.refits().fits_here()
        || state.report_caches().calibration.latest(scope).is_some();
    state.refits().count_fit();
    let (fitted, baseline, chart) = tokio::task::spawn_blocking(move || {
        (
            fit(&data, &history, today),
            StageBaseline::fit(&data, &history, today),
            with_chart.then(|| backtest_chart(&data, &history)),
        )
    })
    .await
    .map_err(|e| StoreError::Query(format!("fitting the forecast failed: {e}")))?;
    // The baseline goes first: a request that finds the new fit finds its baseline too.
    let baseline = serde_json::to_value(&baseline).unwrap_or_default();
    let key = crate::forecast_fits::baseline_key(scope);
    store_json(state, &key, version, today, baseline).await?;
    let key = crate::forecast_fits::scope_key(scope);
    let stored = store_json(state, &key, version, today, fitted.to_json()).await?;
    state.report_caches().forecast.forget(scope);
    if let Some(chart) = chart {
        store_chart(state, scope, version, today, &chart).await?;
        state
            .report_caches()
            .calibration
            .put(*scope, version, today, Arc::new(chart));
    }
    Ok((fitted, stored))
}

/// The fit a request uses for `scope`: the stored one (asking for a refit when it is
/// behind `version` or today), or, when none is stored yet, the first one — started in
/// the background and waited for only briefly ([`first_stored`]).
pub async fn current(
    state: &AppState,
    scope: &Scope,
    version: i64,
) -> Result<(Fit, StoredFit), ForecastUnavailable> {
    state.refits().remember(*scope);
    let today = Utc::now().date_naive();
    let key = crate::forecast_fits::scope_key(scope);
    if let Some(stored) = state.db().stored_fit(&key).await?
        && let Some(fit) = Fit::from_json(&stored.fit)
    {
        if stored.data_version != version || stored.as_of != today {
            state.refits().request(*scope);
        }
        return Ok((fit, stored));
    }
    let making = {
        let (state, scope) = (state.clone(), *scope);
        async move { first_fit(&state, &scope).await }
    };
    let usable = |s: &StoredFit| Fit::from_json(&s.fit).is_some();
    match first_stored(state, &key, making, usable).await? {
        Ok(stored) => match Fit::from_json(&stored.fit) {
            Some(fit) => Ok((fit, stored)),
            None => Err(StoreError::Query(format!("the stored fit {key} cannot be read")).into()),
        },
        Err(waited) => Err(ForecastUnavailable::BeingFitted(waited)),
    }
}

/// `scope`'s first fit: in this process, or, when fits run elsewhere, by a worker —
/// in this process after all when no worker takes the job ([`wait_for_worker`]).
async fn first_fit(state: &AppState, scope: &Scope) -> Result<(), StoreError> {
    if !state.refits().fits_here() {
        let key = crate::forecast_fits::scope_key(scope);
        if let Some(stored) = wait_for_worker(state, scope, &key).await?
            && Fit::from_json(&stored.fit).is_some()
        {
            return Ok(());
        }
    }
    refit(state, scope, false).await.map(|_| ())
}

/// Refits what was asked for (after [`DEBOUNCE`](crate::forecast_fits::DEBOUNCE)) and, every [`SCHEDULE`](crate::forecast_fits::SCHEDULE), every known
/// scope whose fit is behind, until `stop` resolves.
pub async fn run_refits(state: &AppState, stop: impl std::future::Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        let scheduled = tokio::select! {
            _ = state.refits().wake.notified() => false,
            _ = tokio::time::sleep(crate::forecast_fits::SCHEDULE) => true,
            _ = &mut stop => return,
        };
        tokio::select! {
            _ = tokio::time::sleep(crate::forecast_fits::DEBOUNCE) => {}
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
            if !state.refits().fits_here() {
                let key = crate::forecast_fits::scope_key(&scope);
                if let Err(e) = state.queue().push_refit(&key).await {
                    tracing::warn!("cannot queue the forecast fit of {scope:?}: {e}");
                }
            } else if let Err(e) = refit(state, &scope, false).await {
                tracing::warn!("refitting the forecast of {scope:?} failed: {e}");
            }
        }
    }
}

/// Whether `scope`'s stored fit is missing or older than the data or the day.
pub async fn behind(state: &AppState, scope: &Scope) -> bool {
    let Ok(version) = state.db().data_version().await else {
        return false;
    };
    match state
        .db()
        .stored_fit(&crate::forecast_fits::scope_key(scope))
        .await
    {
        Ok(Some(s)) => s.data_version != version || s.as_of != Utc::now().date_naive(),
        Ok(None) => true,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerConfig;
    use crate::jobs::Queue;
    use nextstep_core::NewDeal;
    use nextstep_store::{Db, SqliteStore};

    /// A first fit that takes longer than the request may wait is answered "being
    /// fitted" at once (a 503 with `Retry-After`), by every request while it runs, and
    /// the first request after it is stored gets the report.
    #[tokio::test]
    async fn a_first_fit_still_running_is_answered_being_fitted() {
        let db = Db::Sqlite(SqliteStore::memory().await.unwrap());
        db.import_deals(&forty_deals()).await.unwrap();
        let server = state(&db, Queue::connect(&db, "first").await.unwrap());
        // Fits go to workers, and none runs yet: the first fit cannot finish.
        server.refits().fit_elsewhere();
        server
            .refits()
            .set_first_answer_wait(std::time::Duration::from_millis(300));
        for _ in 0..2 {
            let started = std::time::Instant::now();
            let answer = cached_forecast(&server, &Scope::All).await;
            let Err(e @ ForecastUnavailable::BeingFitted(_)) = answer else {
                panic!("expected being fitted, got {answer:?}");
            };
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
            let api = crate::error::ApiError::from(e);
            assert_eq!(api.status, axum::http::StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(api.code, "forecast_being_fitted");
            let response = axum::response::IntoResponse::into_response(api);
            assert_eq!(response.headers()["retry-after"], "30");
        }
        let worker = state(&db, Queue::connect(&db, "first").await.unwrap());
        let (stop, running) = run_worker(&worker, "first-test");
        let mut report = None;
        for _ in 0..300 {
            match cached_forecast(&server, &Scope::All).await {
                Ok(r) => {
                    report = Some(r);
                    break;
                }
                Err(ForecastUnavailable::BeingFitted(_)) => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("{e}"),
            }
        }
        let report = report.expect("the worker's fit was read");
        assert!(report.model.fitted_at.is_some(), "{:?}", report.model);
        assert_eq!(server.refits().fitted_here(), 0, "the server fitted");
        assert_eq!(worker.refits().fitted_here(), 1, "the worker fitted once");
        let _ = stop.send(());
        running.await.unwrap().unwrap();
    }

    /// Runs one worker of `state` (as `nextstep worker` does) until the sender is used.
    fn run_worker(
        state: &AppState,
        name: &'static str,
    ) -> (
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<Result<(), crate::jobs::JobError>>,
    ) {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = state.clone();
        let running = tokio::spawn(async move {
            crate::run_workers(&worker, 1, name, async {
                let _ = stopped.await;
            })
            .await
        });
        (stop, running)
    }

    fn forty_deals() -> Vec<NewDeal> {
        (0..40)
            .map(|i| NewDeal {
                external_id: format!("F-{i}"),
                name: format!("Deal {i}"),
                stage: "Demo".into(),
                currency: "USD".into(),
                amount: Some(100_000 * (i + 1)),
                ..Default::default()
            })
            .collect()
    }

    fn state(db: &Db, queue: Queue) -> AppState {
        AppState::new(
            db.clone(),
            queue,
            nextstep_analyzer::Rules::defaults(),
            None,
            ServerConfig::default(),
        )
    }

    /// A server that fits elsewhere never fits: its first forecast and page wait for a
    /// worker (another `AppState` on the same database and queue, as `nextstep worker`
    /// is), which stores the fit and the chart; the server reads both.
    #[tokio::test]
    async fn a_server_without_workers_reads_the_fits_its_workers_store() {
        let db = Db::Sqlite(SqliteStore::memory().await.unwrap());
        db.import_deals(&forty_deals()).await.unwrap();
        let server = state(&db, Queue::connect(&db, "fits").await.unwrap());
        server.refits().fit_elsewhere();
        let worker = state(&db, Queue::connect(&db, "fits").await.unwrap());
        let (stop, running) = run_worker(&worker, "fit-test");

        let report = cached_forecast(&server, &Scope::All).await.unwrap();
        assert!(report.model.fitted_at.is_some(), "{:?}", report.model);
        // The worker stores the page's chart right after the fit; the page never waits.
        let chart_key = crate::forecast_fits::chart_key(&Scope::All);
        let mut stored = None;
        for _ in 0..300 {
            stored = db.stored_fit(&chart_key).await.unwrap();
            if stored.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let stored = stored.expect("the worker stored the chart");
        let (_, chart) = cached_forecast_page(&server, &Scope::All).await.unwrap();
        assert_eq!(*chart, chart_from_json(&stored.fit));
        assert_eq!(server.refits().fitted_here(), 0, "the server fitted");
        assert_eq!(worker.refits().fitted_here(), 1, "the worker fitted once");

        let _ = stop.send(());
        running.await.unwrap().unwrap();
    }
}
