//! The team reports as the server serves them: built from the store's per-call facts
//! (`nextstep_insight::stored_reports`, which the command line runs too), cached per
//! scope ([`crate::report_cache`]), with the forecast's model fitted off the request path
//! ([`crate::forecast_fits`]).

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use nextstep_core::dataset::Dataset;
use nextstep_core::facts::{FactStore, StoredFit};
use nextstep_core::{Scope, Store, StoreError};
use nextstep_insight::backtest::{backtest_with_history, default_cutoff, reliability_svg};
use nextstep_insight::coach::{CoachFilter, CoachReport};
use nextstep_insight::forecast::{Fit, ForecastError, StageHistory, fit};
use nextstep_insight::stored_reports::{coach_report, facts_dataset};

use crate::report_cache::CoachKey;
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

/// The coaching report of `scope` under `filter`, from the cache when current.
pub async fn cached_coach(
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
    let report =
        Arc::new(coach_report(state.db(), scope, filter, state.rules().ask_instead()).await?);
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
) -> Result<Arc<nextstep_insight::forecast::ForecastReport>, StoreError> {
    let version = state.db().data_version().await?;
    let today = chrono::Utc::now().date_naive();
    if let Some(report) = state.report_caches().forecast.get(scope, version, today) {
        return Ok(report);
    }
    // The model is fitted off the request path; the request scores the open deals with
    // the stored fit (fitting only when the scope has none yet).
    let (fit, stored) = current(state, scope, version).await?;
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
pub async fn cached_forecast_page(
    state: &AppState,
    scope: &Scope,
) -> Result<
    (
        Arc<nextstep_insight::forecast::ForecastReport>,
        Arc<Result<(String, String), String>>,
    ),
    StoreError,
> {
    let report = cached_forecast(state, scope).await?;
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
    let chart = tokio::task::spawn_blocking(move || backtest_chart(&data, &history))
        .await
        .map_err(|e| StoreError::Query(format!("the backtest failed: {e}")))?;
    Ok(Arc::new(chart))
}

/// Fits `scope`'s model on its current data and stores it.
pub async fn refit(state: &AppState, scope: &Scope) -> Result<(Fit, StoredFit), StoreError> {
    let version = state.db().data_version().await?;
    let today = Utc::now().date_naive();
    let data = facts_dataset(state.db(), scope).await?;
    let history = nextstep_core::dataset::stage_history(state.db(), scope).await?;
    let fitted = tokio::task::spawn_blocking(move || fit(&data, &history, today))
        .await
        .map_err(|e| StoreError::Query(format!("fitting the forecast failed: {e}")))?;
    let stored = StoredFit {
        data_version: version,
        as_of: today,
        fitted_at: Utc::now(),
        fit: fitted.to_json(),
    };
    state
        .db()
        .store_fit(&crate::forecast_fits::scope_key(scope), &stored)
        .await?;
    state.report_caches().forecast.forget(scope);
    // The page's backtest chart is remade with the fit, off the request path too.
    if state.report_caches().calibration.latest(scope).is_some() {
        let chart = calibration(state, scope).await?;
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
    if let Some(stored) = state
        .db()
        .stored_fit(&crate::forecast_fits::scope_key(scope))
        .await?
        && let Some(fit) = Fit::from_json(&stored.fit)
    {
        if stored.data_version != version || stored.as_of != today {
            state.refits().request(*scope);
        }
        return Ok((fit, stored));
    }
    refit(state, scope).await
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
