//! The team reports read from a store's per-call facts instead of whole analyses: the
//! coaching report aggregated by the store per rep and week (with only the handful of
//! calls its quoted moments come from loaded), and the dataset the forecast and outcomes
//! read — deals, call facts and next steps without their text.
//!
//! Why here: the server's pages and API and the command line's `coach` and `forecast`
//! run the same reports, and the server crate is only for serving. These functions are
//! async over nextstep-core's store traits; the IO is the store's, and this crate still
//! names no database, runtime or file.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use nextstep_analyzer::{Analysis, AskInstead};
use nextstep_core::dataset::{CallRecord, Dataset};
use nextstep_core::facts::{FactFilter, FactStore, RepWeek, ReportChanges};
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
    let build = coach_build(db, scope, filter, instead, None).await?;
    Ok(Arc::unwrap_or_clone(build.report))
}

/// A coaching report with the per-rep, per-week aggregates it was made from: what a
/// cache keeps so that, after a write, only the weeks the write touched are aggregated
/// again ([`coach_build`] with the previous build).
#[derive(Debug, Clone)]
pub struct CoachBuild {
    /// The store's aggregates, rep then week order.
    pub weeks: Vec<RepWeek>,
    /// The report made from them (shared: a cache hands it to every request).
    pub report: Arc<CoachReport>,
}

/// Builds the coaching report of `scope` under `filter`. With `previous` — an earlier
/// build under the same scope and filter (taken, so its aggregates move rather than
/// copy), and what changed since (the store's change log) — only the changed weeks are
/// aggregated again, and a rep whose rows in them came out the same, with none of its
/// calls judged again, keeps the moments quoted before (they follow from the rep's
/// weeks and calls alone); the rest is the same computation as a whole build, so the
/// report equals one built from scratch.
pub async fn coach_build<S: Store + FactStore>(
    db: &S,
    scope: &Scope,
    filter: &CoachFilter,
    instead: &AskInstead,
    previous: Option<(CoachBuild, &ReportChanges)>,
) -> Result<CoachBuild, StoreError> {
    let mut facts = FactFilter {
        rep: filter.rep.clone(),
        since: filter.since,
        until: filter.until,
        weeks: None,
    };
    let (mut weeks, before) = match previous {
        None => (db.rep_weeks(scope, &facts).await?, None),
        Some((before, changes)) => {
            let changed = changes.weeks.as_slice();
            let (stale, mut weeks): (Vec<RepWeek>, Vec<RepWeek>) = before
                .weeks
                .into_iter()
                .partition(|w| changed.binary_search(&w.week).is_ok());
            let fresh = if changed.is_empty() {
                Vec::new()
            } else {
                facts.weeks = Some(changed.to_vec());
                db.rep_weeks(scope, &facts).await?
            };
            let moved = reps_changed(&stale, &fresh, &changes.calls);
            weeks.extend(fresh);
            (weeks, Some((before.report, moved)))
        }
    };
    // The database's collation may order names otherwise; one order for every build.
    weeks.sort_by(|a, b| (&a.rep, a.week).cmp(&(&b.rep, b.week)));
    let disqualified = db.disqualified_deals(scope).await?;
    let reps = db.list_reps().await?;
    let mut report = scorecards_from_weeks(&weeks, &disqualified, &reps, filter);
    let reused = match before {
        Some((old, moved)) => reuse_moments(&mut report.reps, &old, &moved),
        None => vec![false; report.reps.len()],
    };
    fill_moments(db, scope, &mut report.reps, &reused, instead).await?;
    Ok(CoachBuild {
        weeks,
        report: Arc::new(report),
    })
}

/// The reps whose rows differ between `stale` (a build's rows in the changed weeks) and
/// `fresh` (the same weeks aggregated again), or who have one of the `calls` judged
/// again (sorted) among them.
fn reps_changed(stale: &[RepWeek], fresh: &[RepWeek], calls: &[i64]) -> HashSet<String> {
    // Borrowed, not copied: these are a week's rows for every rep.
    fn by_rep(rows: &[RepWeek]) -> HashMap<&str, Vec<&RepWeek>> {
        let mut map: HashMap<&str, Vec<&RepWeek>> = HashMap::new();
        for w in rows {
            map.entry(w.rep.as_str()).or_default().push(w);
        }
        for rows in map.values_mut() {
            rows.sort_by_key(|w| w.week);
        }
        map
    }
    let (old, new) = (by_rep(stale), by_rep(fresh));
    let judged_again = |rows: &[&RepWeek]| {
        rows.iter()
            .flat_map(|w| &w.call_ids)
            .any(|c| calls.binary_search(&c.call_id).is_ok())
    };
    old.keys()
        .chain(new.keys())
        .filter(|rep| {
            old.get(*rep) != new.get(*rep) || new.get(*rep).is_some_and(|rows| judged_again(rows))
        })
        .map(|rep| rep.to_string())
        .collect()
}

/// Copies each scorecard's moments from the `old` report when its rep is not among the
/// `moved`, saying which cards it filled.
fn reuse_moments(
    cards: &mut [RepScorecard],
    old: &CoachReport,
    moved: &HashSet<String>,
) -> Vec<bool> {
    let old_cards: HashMap<&str, &RepScorecard> =
        old.reps.iter().map(|c| (c.name.as_str(), c)).collect();
    cards
        .iter_mut()
        .map(|card| {
            let Some(old) = old_cards.get(card.name.as_str()) else {
                return false;
            };
            if moved.contains(&card.name) {
                return false;
            }
            card.moments = old.moments.clone();
            true
        })
        .collect()
}

/// Every scorecard's most instructive moments: each walks its own candidates
/// ([`moment_candidates`]) in order, and each round loads, in one read for all reps,
/// only as many calls as each rep still lacks moments — so a team costs a read or two,
/// not a query per rep and kind.
async fn fill_moments<S: Store + FactStore>(
    db: &S,
    scope: &Scope,
    cards: &mut [RepScorecard],
    filled: &[bool],
    instead: &AskInstead,
) -> Result<(), StoreError> {
    // A card filled already walks no candidates.
    let candidates: Vec<Vec<(MomentKind, i64)>> = cards
        .iter()
        .zip(filled)
        .map(|(card, &filled)| {
            if filled {
                Vec::new()
            } else {
                moment_candidates(&card.trace)
            }
        })
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
