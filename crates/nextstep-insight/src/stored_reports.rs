//! The team reports read from a store's per-call facts instead of whole analyses: the
//! coaching report aggregated by the store per rep and week (with only the handful of
//! calls its quoted moments come from loaded), and the dataset the forecast and outcomes
//! read — deals, call facts and next steps without their text.
//!
//! Why here: the server's pages and API and the command line's `coach` and `forecast`
//! run the same reports, and the server crate is only for serving. These functions are
//! async over nextstep-core's store traits; the IO is the store's, and this crate still
//! names no database, runtime or file.

use std::collections::HashMap;

use nextstep_analyzer::{Analysis, AskInstead};
use nextstep_core::dataset::{CallRecord, Dataset};
use nextstep_core::facts::{FactFilter, FactStore};
use nextstep_core::{Call, DealFilter, Scope, Store, StoreError};

use crate::coach::{CoachFilter, CoachReport, MomentKind, RepScorecard};
use crate::coach_facts::{MOMENTS_PER_REP, call_moments, moment_candidates, scorecards_from_weeks};

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
    fill_moments(db, scope, &mut report.reps, instead).await?;
    Ok(report)
}

/// Every scorecard's most instructive moments: each walks its own candidates
/// ([`moment_candidates`]) in order, and each round loads, in one read for all reps,
/// only as many calls as each rep still lacks moments — so a team costs a read or two,
/// not a query per rep and kind.
async fn fill_moments<S: Store + FactStore>(
    db: &S,
    scope: &Scope,
    cards: &mut [RepScorecard],
    instead: &AskInstead,
) -> Result<(), StoreError> {
    let candidates: Vec<Vec<(MomentKind, i64)>> = cards
        .iter()
        .map(|card| moment_candidates(&card.trace))
        .collect();
    let mut next = vec![0usize; cards.len()];
    loop {
        let mut wanted: Vec<(usize, &[(MomentKind, i64)])> = Vec::new();
        for (i, card) in cards.iter().enumerate() {
            let need = MOMENTS_PER_REP.saturating_sub(card.moments.len());
            let rest = &candidates[i][next[i]..];
            if need > 0 && !rest.is_empty() {
                let take = need.min(rest.len());
                wanted.push((i, &rest[..take]));
                next[i] += take;
            }
        }
        if wanted.is_empty() {
            break;
        }
        let mut ids: Vec<i64> = wanted
            .iter()
            .flat_map(|(_, w)| w.iter().map(|&(_, id)| id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let calls: HashMap<i64, Call> = db
            .calls_by_ids(scope, &ids)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        for (i, walk) in wanted {
            let card = &mut cards[i];
            for &(kind, id) in walk {
                let Some(call) = calls.get(&id) else {
                    continue;
                };
                let record = record(call, &card.name)?;
                card.moments.extend(call_moments(&record, kind, instead));
                if card.moments.len() >= MOMENTS_PER_REP {
                    break;
                }
            }
            card.moments.truncate(MOMENTS_PER_REP);
        }
    }
    Ok(())
}

/// A stored call as the coaching moments read it, its analysis decoded.
fn record(call: &Call, rep: &str) -> Result<CallRecord, StoreError> {
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
