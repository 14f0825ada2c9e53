//! Stage history, and a deal as of a date: what the forecast may know at the end of a day
//! (the rules are in the [module doc](super)).

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use nextstep_core::{Cents, Deal, DefinedBy, NextStepRecord, Outcome, StageChange, StepStatus};
use serde::Serialize;

use nextstep_core::dataset::{CallFactRow, Dataset};

/// Every deal's stage changes, as the store keeps them (`Store::stage_history`). Optional:
/// without it a closed deal's stage before it closed is unknown (see the module doc).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageHistory {
    by_deal: HashMap<i64, Vec<StageChange>>,
}

impl StageHistory {
    /// An empty history: stages come from the deals alone.
    pub fn new() -> StageHistory {
        StageHistory::default()
    }

    /// Sets one deal's changes (any order; kept oldest first).
    pub fn insert(&mut self, deal_id: i64, mut changes: Vec<StageChange>) {
        changes.sort_by_key(|c| c.at);
        self.by_deal.insert(deal_id, changes);
    }

    /// Whether no deal has a recorded change.
    pub fn is_empty(&self) -> bool {
        self.by_deal.values().all(Vec::is_empty)
    }

    /// One deal's changes, oldest first.
    pub fn changes(&self, deal_id: i64) -> &[StageChange] {
        self.by_deal.get(&deal_id).map_or(&[], Vec::as_slice)
    }

    /// The last stage entered on or before the end of `date`.
    fn at(&self, deal_id: i64, date: NaiveDate) -> Option<&str> {
        self.changes(deal_id)
            .iter()
            .rev()
            .find(|c| c.at.date_naive() <= date)
            .map(|c| c.stage.as_str())
    }
}

impl FromIterator<(i64, StageChange)> for StageHistory {
    fn from_iter<I: IntoIterator<Item = (i64, StageChange)>>(iter: I) -> StageHistory {
        let mut h = StageHistory::default();
        for (deal, change) in iter {
            h.by_deal.entry(deal).or_default().push(change);
        }
        for v in h.by_deal.values_mut() {
            v.sort_by_key(|c| c.at);
        }
        h
    }
}

// ---------------------------------------------------------------------------------------
// Snapshots: a deal as of a date

/// The latest next step of a deal as of a date, as the features and categories read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepAsOf {
    /// The step's id, so the number can be traced.
    pub step_id: i64,
    /// Who defined it.
    pub defined_by: DefinedBy,
    /// The prospect confirmed it.
    pub confirmed: bool,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Still open at the date (not done, missed, cancelled or superseded by then).
    pub open: bool,
    /// Its due date had passed without it being done or cancelled by then.
    pub overdue: bool,
}

/// Everything the forecast knows about one deal as of one date; the model's features and
/// the category rules are computed from this alone, so it is what a report shows as "why".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DealSnapshot {
    /// The deal.
    pub deal_id: i64,
    /// The date (end of day) the snapshot describes.
    pub as_of: NaiveDate,
    /// Stage as of the date; `None` when unknown or terminal (module doc).
    pub stage: Option<String>,
    /// Days since the deal was created (0 if created later), when known.
    pub age_days: Option<i64>,
    /// Amount in cents, when known and positive.
    pub amount_cents: Option<Cents>,
    /// Owner.
    pub owner: Option<String>,
    /// The calls dated on or before the date, oldest first.
    pub call_ids: Vec<i64>,
    /// Date of the latest of them.
    pub last_call: Option<NaiveDate>,
    /// Days from that call to the date.
    pub days_since_last_call: Option<i64>,
    /// Calls on which the rep asked what the next step should be.
    pub asked_calls: usize,
    /// Bail-outs over those calls.
    pub bail_outs: usize,
    /// The latest step recorded on or before the date.
    pub step: Option<StepAsOf>,
}

impl DealSnapshot {
    /// Asked calls over calls; `None` without calls.
    pub fn asked_rate(&self) -> Option<f64> {
        (!self.call_ids.is_empty()).then(|| self.asked_calls as f64 / self.call_ids.len() as f64)
    }

    /// The step that is open at the date, if any.
    pub fn open_step(&self) -> Option<&StepAsOf> {
        self.step.as_ref().filter(|s| s.open)
    }
}

/// Terminal stages: stored on closed deals (`closed`, their stages), never seen on an
/// open one of `data` (its stage or any stage in its history).
fn terminal_stages<'s>(
    closed: impl Iterator<Item = &'s str>,
    data: &Dataset,
    history: &StageHistory,
) -> HashSet<String> {
    let mut open_stages: HashSet<&str> = HashSet::new();
    for d in data.deals.iter().filter(|d| d.is_open()) {
        open_stages.insert(d.stage.as_str());
        for c in history.changes(d.id) {
            open_stages.insert(c.stage.as_str());
        }
    }
    closed
        .filter(|s| !open_stages.contains(s))
        .map(str::to_string)
        .collect()
}

/// The data indexed once per report: calls and steps per deal, terminal stages.
pub(crate) struct Context<'a> {
    calls: HashMap<i64, Vec<CallFactRow>>,
    /// Each deal's steps with the date they were agreed (their call's date, else when
    /// they were recorded), oldest first.
    steps: HashMap<i64, Vec<(NaiveDate, &'a NextStepRecord)>>,
    history: &'a StageHistory,
    terminal: HashSet<String>,
    /// Whether the data records calls or steps at all (for the activity rule).
    pub(crate) activity_tracked: bool,
}

impl<'a> Context<'a> {
    pub(crate) fn new(data: &'a Dataset, history: &'a StageHistory) -> Context<'a> {
        Context::build(data, history, None)
    }

    /// Only one deal's calls and steps indexed (for single predictions).
    fn for_deal(data: &'a Dataset, history: &'a StageHistory, deal_id: i64) -> Context<'a> {
        Context::build(data, history, Some(deal_id))
    }

    fn build(data: &'a Dataset, history: &'a StageHistory, only: Option<i64>) -> Context<'a> {
        let keep = |id: i64| only.is_none_or(|o| o == id);
        let mut calls: HashMap<i64, Vec<CallFactRow>> = HashMap::new();
        for c in data.call_facts().filter(|c| keep(c.deal_id)) {
            calls.entry(c.deal_id).or_default().push(c);
        }
        for v in calls.values_mut() {
            v.sort_by_key(|c| (c.date, c.call_id));
        }
        // A step found in a call was agreed on the call's date, whenever it was stored
        // (a bulk import stores months of calls at once).
        let call_dates: HashMap<i64, NaiveDate> =
            data.call_facts().map(|c| (c.call_id, c.date)).collect();
        let mut steps: HashMap<i64, Vec<(NaiveDate, &NextStepRecord)>> = HashMap::new();
        for s in data.steps.iter().filter(|s| keep(s.deal_id)) {
            let agreed = s
                .call_id
                .and_then(|c| call_dates.get(&c).copied())
                .unwrap_or_else(|| s.created_at.date_naive());
            steps.entry(s.deal_id).or_default().push((agreed, s));
        }
        for v in steps.values_mut() {
            v.sort_by_key(|(agreed, s)| (*agreed, s.id));
        }
        let closed = data.deals.iter().filter(|d| !d.is_open());
        let terminal = terminal_stages(closed.map(|d| d.stage.as_str()), data, history);
        Context {
            calls,
            steps,
            history,
            terminal,
            activity_tracked: data.has_calls() || !data.steps.is_empty(),
        }
    }

    /// Sets the terminal stages from the stages closed deals are stored with, for a
    /// context built on open deals alone (which hold no closed deal to learn them from).
    pub(crate) fn set_closed_stages<'s>(
        &mut self,
        closed: impl Iterator<Item = &'s str>,
        data: &Dataset,
        history: &StageHistory,
    ) {
        self.terminal = terminal_stages(closed, data, history);
    }

    fn is_terminal(&self, stage: &str) -> bool {
        self.terminal.contains(stage)
    }

    /// The deal's stage as of the end of `date` (module doc, "as of").
    fn stage_as_of(&self, deal: &Deal, date: NaiveDate) -> Option<String> {
        let raw = match self.history.at(deal.id, date) {
            Some(s) => Some(s),
            None if deal.is_open() || deal.closed.is_some_and(|c| c <= date) => {
                Some(deal.stage.as_str())
            }
            None => None,
        };
        raw.filter(|s| !self.is_terminal(s)).map(str::to_string)
    }

    /// The stages a closed deal counts for in the baseline table.
    pub(super) fn stages_passed(&self, deal: &Deal) -> BTreeSet<String> {
        let closed = deal.closed.unwrap_or(NaiveDate::MAX);
        let from_history: BTreeSet<String> = self
            .history
            .changes(deal.id)
            .iter()
            .filter(|c| c.at.date_naive() <= closed && !self.is_terminal(&c.stage))
            .map(|c| c.stage.clone())
            .collect();
        if !from_history.is_empty() {
            return from_history;
        }
        self.stage_as_of(deal, closed).into_iter().collect()
    }

    pub(crate) fn snapshot(&self, deal: &Deal, as_of: NaiveDate) -> DealSnapshot {
        let calls: Vec<&CallFactRow> = self
            .calls
            .get(&deal.id)
            .map(|v| v.iter().filter(|c| c.date <= as_of).collect())
            .unwrap_or_default();
        let last_call = calls.last().map(|c| c.date);
        let step = self.steps.get(&deal.id).and_then(|v| {
            v.iter()
                .rev()
                .find(|(agreed, _)| *agreed <= as_of)
                .map(|(_, s)| step_as_of(s, as_of))
        });
        DealSnapshot {
            deal_id: deal.id,
            as_of,
            stage: self.stage_as_of(deal, as_of),
            age_days: deal.created.map(|c| (as_of - c).num_days().max(0)),
            amount_cents: deal.amount.filter(|a| *a > 0),
            owner: deal.owner.clone(),
            call_ids: calls.iter().map(|c| c.call_id).collect(),
            last_call,
            days_since_last_call: last_call.map(|d| (as_of - d).num_days()),
            asked_calls: calls.iter().filter(|c| c.asked_next_step).count(),
            bail_outs: calls.iter().map(|c| c.bail_outs.max(0) as usize).sum(),
            step,
        }
    }
}

fn step_as_of(s: &NextStepRecord, as_of: NaiveDate) -> StepAsOf {
    // The latest step agreed by `as_of` was the open one then: a supersession happened
    // later (by a later step); other closings count from when they were recorded.
    let changed_by_then = s.updated_at.date_naive() <= as_of;
    let status_then = match s.status {
        StepStatus::Superseded => StepStatus::Open,
        other if changed_by_then => other,
        _ => StepStatus::Open,
    };
    let open = status_then == StepStatus::Open;
    let finished = matches!(
        status_then,
        StepStatus::Done | StepStatus::Cancelled | StepStatus::Superseded
    );
    StepAsOf {
        step_id: s.id,
        defined_by: s.defined_by,
        confirmed: s.confirmed_by_prospect,
        due: s.due,
        open,
        overdue: !finished && s.due.is_some_and(|d| d < as_of),
    }
}

/// A deal as the forecast sees it at the end of `as_of`: the features' raw values and the
/// call and step ids behind them. Public so a report can show its reasons and tests can
/// check that nothing dated later is read.
pub fn snapshot(
    deal: &Deal,
    data: &Dataset,
    history: &StageHistory,
    as_of: NaiveDate,
) -> DealSnapshot {
    Context::for_deal(data, history, deal.id).snapshot(deal, as_of)
}

/// Whether a closed deal was won (lost and disqualified deals are not).
pub(super) fn is_won(deal: &Deal) -> bool {
    deal.outcome == Some(Outcome::Won)
}

/// Dated closed deals known by the end of `as_of`: the training set of both forecasts.
pub(crate) fn closed_by(data: &Dataset, as_of: NaiveDate) -> Vec<&Deal> {
    data.deals
        .iter()
        .filter(|d| d.outcome.is_some() && d.closed.is_some_and(|c| c <= as_of))
        .collect()
}
