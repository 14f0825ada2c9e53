//! The team reports read from a store's per-call facts instead of whole analyses: the
//! coaching report aggregated by the store per rep and week (with only the handful of
//! calls its quoted moments come from loaded), and the dataset the forecast and outcomes
//! read — deals, call facts and next steps without their text.
//!
//! Why here: the server's pages and API and the command line's `coach` and `forecast`
//! run the same reports, and the server crate is only for serving. These functions are
//! async over nextstep-core's store traits; the IO is the store's, and this crate still
//! names no database, runtime or file.

use nextstep_analyzer::{Analysis, AskInstead};
use nextstep_core::dataset::{CallRecord, Dataset};
use nextstep_core::facts::{FactFilter, FactStore};
use nextstep_core::{DealFilter, Scope, Store, StoreError};

use crate::coach::{CoachFilter, CoachMoment, CoachReport};
use crate::coach_facts::{MOMENTS_PER_REP, call_moments, moment_order, scorecards_from_weeks};

/// The coaching report of the calls `scope` sees under `filter`: scorecards, trends,
/// ranking and medians from the database's aggregates, and each rep's moments from the
/// few calls they quote. Equal to `coach::scorecards` over the loaded dataset.
pub async fn coach_report<S: Store + FactStore>(
    db: &S,
    scope: &Scope,
    filter: &CoachFilter,
    instead: &AskInstead,
) -> Result<CoachReport, StoreError> {
    let facts = FactFilter {
        rep: filter.rep.clone(),
        since: filter.since,
        until: filter.until,
    };
    let weeks = db.rep_weeks(scope, &facts).await?;
    let disqualified = db.disqualified_deals(scope).await?;
    let reps = db.list_reps().await?;
    let mut report = scorecards_from_weeks(&weeks, &disqualified, &reps, filter);
    for card in &mut report.reps {
        let rep = FactFilter {
            rep: Some(card.name.clone()),
            ..facts.clone()
        };
        card.moments = moments(db, scope, &rep, &card.name, instead).await?;
    }
    Ok(report)
}

/// A rep's most instructive moments: each kind in turn, its calls most recent first,
/// loading a page of calls only while fewer than [`MOMENTS_PER_REP`] are found.
async fn moments<S: Store + FactStore>(
    db: &S,
    scope: &Scope,
    filter: &FactFilter,
    rep: &str,
    instead: &AskInstead,
) -> Result<Vec<CoachMoment>, StoreError> {
    let mut found = Vec::new();
    for (kind, fact) in moment_order() {
        let mut offset = 0;
        while found.len() < MOMENTS_PER_REP {
            let need = (MOMENTS_PER_REP - found.len()) as i64;
            let ids = db.moment_calls(scope, filter, fact, need, offset).await?;
            if ids.is_empty() {
                break;
            }
            offset += ids.len() as i64;
            let calls = db.calls_by_ids(scope, &ids).await?;
            for id in &ids {
                let Some(call) = calls.iter().find(|c| c.id == *id) else {
                    continue;
                };
                let record = record(call, rep)?;
                found.extend(call_moments(&record, kind, instead));
                if found.len() >= MOMENTS_PER_REP {
                    break;
                }
            }
        }
    }
    found.truncate(MOMENTS_PER_REP);
    Ok(found)
}

/// A stored call as the coaching moments read it, its analysis decoded.
fn record(call: &nextstep_core::Call, rep: &str) -> Result<CallRecord, StoreError> {
    let analysis: Analysis =
        serde_json::from_value(call.analysis.clone()).map_err(|e| StoreError::Corrupt {
            field: "calls.analysis",
            value: format!("call {}: {e}", call.id),
        })?;
    Ok(CallRecord {
        call_id: call.id,
        deal_id: call.deal_id,
        rep: Some(rep.to_string()),
        date: call.date,
        analysis,
    })
}

/// What the forecast and outcomes read, `scope`'s: every deal, every call's facts (not
/// its analysis), every step without its action and evidence, and the reps.
pub async fn facts_dataset<S: Store + FactStore>(
    db: &S,
    scope: &Scope,
) -> Result<Dataset, StoreError> {
    let deals = db
        .list_deals(&DealFilter {
            scope: *scope,
            ..DealFilter::default()
        })
        .await?;
    Ok(Dataset {
        deals,
        calls: Vec::new(),
        steps: db.step_rows(scope).await?,
        reps: db.list_reps().await?,
        facts: db.call_fact_rows(scope).await?,
    })
}
