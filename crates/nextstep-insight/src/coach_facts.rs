//! The coaching report from the database's aggregates instead of whole analyses: the
//! store counts each rep's calls per ISO week in SQL ([`RepWeek`]: counts, and every call
//! id with its flag bits, so the scorecard still traces each number to its calls); this
//! module turns those rows into the very [`CoachReport`] that [`scorecards`] builds from a
//! [`Dataset`](crate::Dataset) — same rates, index, trend, ranking and medians. The three
//! moments to learn from need the quoted sentences, so they are filled afterwards by the
//! caller from the few calls [`moment_candidates`] names (see [`call_moments`]).
//!
//! [`scorecards`]: crate::coach::scorecards

use std::collections::{BTreeMap, BTreeSet};

use nextstep_analyzer::AskInstead;
use nextstep_core::Rep;
use nextstep_core::facts::{DisqualifiedDeal, FactCall, RepWeek, flag};

use crate::coach::{
    CoachFilter, CoachMoment, CoachReport, MomentKind, RepScorecard, Tally, Trace, WeekPoint,
    card_from_tally, instructive_moments, ranked_report,
};
use crate::period::IsoWeek;
use nextstep_core::dataset::CallRecord;

/// How many moments a scorecard quotes.
pub const MOMENTS_PER_REP: usize = 3;

impl Tally {
    /// The tally of calls given as fact rows, with the item counts the database summed.
    pub(crate) fn of_facts<'a>(
        calls: impl IntoIterator<Item = &'a FactCall>,
        volunteered_items: usize,
        bail_out_items: usize,
    ) -> Tally {
        let mut t = Tally::default();
        for c in calls {
            let id = c.call_id;
            let has = |bit: u16| c.flags & bit != 0;
            t.calls.push(id);
            if has(flag::ASKED) {
                t.trace.asked.push(id);
            }
            if has(flag::WITH_STEP) {
                t.trace.with_step.push(id);
                if has(flag::PROSPECT_DEFINED) {
                    t.trace.prospect_defined.push(id);
                }
                if has(flag::CONFIRMED) {
                    t.trace.confirmed.push(id);
                }
            }
            if has(flag::VOLUNTEERED) {
                t.trace.volunteered.push(id);
            }
            if has(flag::NEGATIVE_SIGNAL) {
                t.trace.with_negative_signal.push(id);
                if has(flag::CONFRONTED) {
                    t.trace.confronted.push(id);
                }
            }
            if has(flag::BAIL_OUT) {
                t.trace.bail_out.push(id);
            }
        }
        t.trace.volunteered_items = volunteered_items;
        t.trace.bail_out_items = bail_out_items;
        t
    }
}

fn week_point(w: &RepWeek) -> WeekPoint {
    let t = Tally::of_facts(
        &w.call_ids,
        w.volunteered_items as usize,
        w.bail_out_items as usize,
    );
    let week = IsoWeek::of(w.week);
    WeekPoint {
        week: week.to_string(),
        monday: week.monday(),
        calls: t.n(),
        call_ids: t.calls.clone(),
        ask_rate: t.ask_rate(),
        bail_outs: t.trace.bail_out_items,
        bail_out_rate: t.bail_out_rate(),
        need_for_approval: t.parts().total(),
    }
}

fn scorecard(
    name: &str,
    manager: Option<String>,
    weeks: &[&RepWeek],
    disqualified: &[DisqualifiedDeal],
    filter: &CoachFilter,
) -> RepScorecard {
    let t = Tally::of_facts(
        weeks.iter().flat_map(|w| w.call_ids.iter()),
        weeks.iter().map(|w| w.volunteered_items as usize).sum(),
        weeks.iter().map(|w| w.bail_out_items as usize).sum(),
    );
    let dq_calls: Vec<&FactCall> = weeks
        .iter()
        .flat_map(|w| w.call_ids.iter())
        .filter(|c| c.flags & flag::DISQUALIFIED != 0)
        .collect();
    let mut deal_ids: BTreeSet<i64> = dq_calls.iter().filter_map(|c| c.deal_id).collect();
    let dated = filter.since.is_some() || filter.until.is_some();
    for d in disqualified.iter().filter(|d| d.owner == name) {
        let counts = match d.closed {
            Some(closed) => filter.in_window(closed),
            None => !dated,
        };
        if counts {
            deal_ids.insert(d.deal_id);
        }
    }
    card_from_tally(
        name,
        manager,
        &t,
        dq_calls.iter().map(|c| c.call_id).collect(),
        deal_ids,
        weeks.iter().map(|w| week_point(w)).collect(),
        Vec::new(),
    )
}

/// The coaching report of the reps in `weeks` (the store's per-rep, per-week aggregates
/// under the filter's rep and dates), with `disqualified` the deals closed disqualified
/// and `reps` the roster (for managers and the team filter). Equal to
/// [`scorecards`](crate::coach::scorecards) on the same calls, except that every
/// scorecard's `moments` is left empty for the caller to fill ([`call_moments`]).
pub fn scorecards_from_weeks(
    weeks: &[RepWeek],
    disqualified: &[DisqualifiedDeal],
    reps: &[Rep],
    filter: &CoachFilter,
) -> CoachReport {
    let mut by_rep: BTreeMap<&str, Vec<&RepWeek>> = BTreeMap::new();
    for w in weeks {
        if filter.rep.as_deref().is_some_and(|r| r != w.rep) {
            continue;
        }
        by_rep.entry(w.rep.as_str()).or_default().push(w);
    }
    let manager_of = |rep: &str| {
        reps.iter()
            .find(|r| r.name == rep)
            .and_then(|r| r.manager.clone())
    };
    let cards: Vec<RepScorecard> = by_rep
        .into_iter()
        .filter_map(|(name, mut weeks)| {
            let manager = manager_of(name);
            if let Some(team) = &filter.team_manager
                && manager.as_deref() != Some(team.as_str())
            {
                return None;
            }
            weeks.sort_by_key(|w| w.week);
            Some(scorecard(name, manager, &weeks, disqualified, filter))
        })
        .collect();
    ranked_report(cards, filter)
}

/// The calls that may hold each kind of moment, in the order a scorecard quotes them:
/// bail-outs, steps the seller told that the prospect never agreed to, told steps the
/// prospect agreed to, volunteered work — each kind's calls most recent first. Read from
/// the scorecard's own trace (its lists are oldest first), so finding the moments needs
/// no query per kind: walk this list, loading the calls, until [`MOMENTS_PER_REP`]
/// moments are found ([`call_moments`]).
pub fn moment_candidates(trace: &Trace) -> Vec<(MomentKind, i64)> {
    let prospect_defined: BTreeSet<i64> = trace.prospect_defined.iter().copied().collect();
    let confirmed: BTreeSet<i64> = trace.confirmed.iter().copied().collect();
    let told = |agreed: bool| -> Vec<i64> {
        trace
            .with_step
            .iter()
            .copied()
            .filter(|id| !prospect_defined.contains(id) && confirmed.contains(id) == agreed)
            .collect()
    };
    let kinds = [
        (MomentKind::BailOut, trace.bail_out.clone()),
        (MomentKind::ToldUnconfirmed, told(false)),
        (MomentKind::Told, told(true)),
        (MomentKind::Volunteered, trace.volunteered.clone()),
    ];
    kinds
        .into_iter()
        .flat_map(|(kind, ids)| ids.into_iter().rev().map(move |id| (kind, id)))
        .collect()
}

/// One call's coaching moments of `kind`, in the order a scorecard lists them (a sentence
/// already quoted as a more instructive kind of the same call is not repeated). Walking
/// calls most recent first and taking these gives exactly the scorecard's moments,
/// because moments sort by kind, then call (newest first), and repeat only within a call.
pub fn call_moments(c: &CallRecord, kind: MomentKind, instead: &AskInstead) -> Vec<CoachMoment> {
    instructive_moments(std::iter::once(c), usize::MAX, instead)
        .into_iter()
        .filter(|m| m.kind == kind)
        .collect()
}
