//! Outcomes: does next-step discipline show up in what closed?
//!
//! The coaching scorecard says *how* a rep sells; this report checks the claim behind it
//! against the team's own closed deals. Every group carries the deal (and step or call)
//! ids it was counted from.
//!
//! # Definitions
//!
//! - **Closed deal**: a deal with outcome `won` or `lost`. Deals closed `disqualified`
//!   are neither a win nor a loss; they are counted separately and left out of every
//!   win rate.
//! - **Win rate** = won / (won + lost), null when a group has no closed deal.
//! - **Last next step**: the deal's most recently recorded step, whatever its status
//!   (latest `created_at`, then highest id). Deals are grouped by its `defined_by`
//!   (`prospect`, `seller`), or `none` when the deal never had a step.
//! - **Proposals and quotes**: steps of kind `proposal` or `quote`. One the seller
//!   defined is **volunteered**; one the prospect defined (asked for) is **requested**.
//!   The unit is the deal: a closed deal counts once in `volunteered` if it had at least
//!   one volunteered proposal or quote, and once in `requested` if it had a requested
//!   one (a deal with both counts in both). **Days to close** run from the earliest such
//!   step of that side to the deal's close; a step is dated by its call's date when it
//!   came from a call in the dataset, else by its `created_at` (a step dated after the
//!   close counts as 0 days). Deals without a close date have no days.
//! - **Time lost after volunteering**: a deal *lost after a volunteered step* is a lost
//!   deal with at least one seller-defined step of a deliverable kind (proposal, quote,
//!   information, contract — work the seller produces). The share is the calls on those
//!   deals over all calls on closed deals (won, lost or disqualified): how much of the
//!   selling time that has reached an outcome went into deals the seller chased with
//!   unrequested work and lost anyway.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use nextstep_analyzer::Kind;
use nextstep_core::{DefinedBy, NextStepRecord, Outcome};
use serde::Serialize;

use crate::coach::median;
use nextstep_core::dataset::Dataset;

/// Won and lost deals of one group, with the win rate.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WinGroup {
    /// Closed deals (won + lost).
    pub deals: usize,
    /// Won.
    pub won: usize,
    /// Lost.
    pub lost: usize,
    /// won / (won + lost); null when the group is empty.
    pub win_rate: Option<f64>,
    /// The won deals' ids.
    pub won_deal_ids: Vec<i64>,
    /// The lost deals' ids.
    pub lost_deal_ids: Vec<i64>,
}

impl WinGroup {
    fn add(&mut self, deal_id: i64, outcome: Outcome) {
        match outcome {
            Outcome::Won => self.won_deal_ids.push(deal_id),
            Outcome::Lost => self.lost_deal_ids.push(deal_id),
            Outcome::Disqualified => return,
        }
        self.won = self.won_deal_ids.len();
        self.lost = self.lost_deal_ids.len();
        self.deals = self.won + self.lost;
        self.win_rate = Some(self.won as f64 / self.deals as f64);
    }
}

/// Win rates by who defined each closed deal's last next step.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ByLastStep {
    /// The prospect defined the last step.
    pub prospect: WinGroup,
    /// The seller defined it.
    pub seller: WinGroup,
    /// The deal never had a step.
    pub none: WinGroup,
}

/// Deals closed `disqualified`: counted, never in a win rate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Disqualified {
    /// How many.
    pub deals: usize,
    /// Their ids.
    pub deal_ids: Vec<i64>,
}

/// Closed deals that had a proposal or quote of one side (volunteered or requested).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProposalGroup {
    /// Won and lost, with the win rate.
    #[serde(flatten)]
    pub wins: WinGroup,
    /// Deals of this group closed `disqualified` (not in the win rate).
    pub disqualified: usize,
    /// The proposal and quote steps counted (every one of this side on those deals).
    pub step_ids: Vec<i64>,
    /// Median days from the earliest such step to the close (won and lost deals).
    pub median_days_to_close: Option<f64>,
    /// Median days for the won deals only.
    pub median_days_to_close_won: Option<f64>,
}

/// Volunteered vs requested proposals and quotes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Proposals {
    /// The seller defined it.
    pub volunteered: ProposalGroup,
    /// The prospect asked for it.
    pub requested: ProposalGroup,
}

/// Selling time that went into deals lost after a volunteered step.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TimeLost {
    /// Calls on closed deals (won, lost, disqualified): the denominator.
    pub calls_on_closed_deals: usize,
    /// Calls on deals lost after a volunteered step.
    pub calls: usize,
    /// calls / calls_on_closed_deals; null when no call is on a closed deal.
    pub share: Option<f64>,
    /// Those calls' ids.
    pub call_ids: Vec<i64>,
    /// The deals lost after a volunteered step (with or without calls).
    pub deal_ids: Vec<i64>,
}

/// The outcomes report: what next-step discipline was worth on the deals that closed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OutcomesReport {
    /// Won + lost deals.
    pub closed_deals: usize,
    /// Win rate over all of them.
    pub win_rate: Option<f64>,
    /// Disqualified deals, counted apart.
    pub disqualified: Disqualified,
    /// Win rate by who defined the last next step.
    pub by_last_step: ByLastStep,
    /// Volunteered vs requested proposals and quotes.
    pub proposals: Proposals,
    /// Calls spent on deals lost after a volunteered step.
    pub time_lost_after_volunteering: TimeLost,
}

fn step_date(step: &NextStepRecord, call_dates: &BTreeMap<i64, NaiveDate>) -> NaiveDate {
    step.call_id
        .and_then(|id| call_dates.get(&id).copied())
        .unwrap_or_else(|| step.created_at.date_naive())
}

fn is_proposal(step: &NextStepRecord) -> bool {
    matches!(
        Kind::from_name(&step.kind),
        Some(Kind::Proposal | Kind::Quote)
    )
}

fn is_volunteered_work(step: &NextStepRecord) -> bool {
    step.defined_by == DefinedBy::Seller
        && Kind::from_name(&step.kind).is_some_and(Kind::is_deliverable)
}

/// Builds the outcomes report from the whole dataset (see the module doc for every
/// definition). Open deals are ignored.
pub fn outcomes(data: &Dataset) -> OutcomesReport {
    let call_dates: BTreeMap<i64, NaiveDate> =
        data.call_facts().map(|c| (c.call_id, c.date)).collect();
    let mut steps_by_deal: BTreeMap<i64, Vec<&NextStepRecord>> = BTreeMap::new();
    for s in &data.steps {
        steps_by_deal.entry(s.deal_id).or_default().push(s);
    }
    for steps in steps_by_deal.values_mut() {
        steps.sort_by_key(|s| (s.created_at, s.id));
    }

    let mut report = OutcomesReport::default();
    let mut all = WinGroup::default();
    let mut deals: Vec<_> = data.deals.iter().filter(|d| d.outcome.is_some()).collect();
    deals.sort_by_key(|d| d.id);
    let mut closed_ids = BTreeSet::new();
    let mut lost_after_volunteering = BTreeSet::new();
    // Per side: (won days, all days).
    let mut days: [(Vec<f64>, Vec<f64>); 2] = Default::default();

    for deal in deals {
        let Some(outcome) = deal.outcome else {
            continue;
        };
        closed_ids.insert(deal.id);
        let steps = steps_by_deal
            .get(&deal.id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if outcome == Outcome::Disqualified {
            report.disqualified.deal_ids.push(deal.id);
        } else {
            all.add(deal.id, outcome);
            let group = match steps.last().map(|s| s.defined_by) {
                Some(DefinedBy::Prospect) => &mut report.by_last_step.prospect,
                Some(DefinedBy::Seller) => &mut report.by_last_step.seller,
                None => &mut report.by_last_step.none,
            };
            group.add(deal.id, outcome);
        }

        for (side, by) in [DefinedBy::Seller, DefinedBy::Prospect]
            .into_iter()
            .enumerate()
        {
            let these: Vec<&NextStepRecord> = steps
                .iter()
                .copied()
                .filter(|s| s.defined_by == by && is_proposal(s))
                .collect();
            let Some(first) = these.iter().map(|s| step_date(s, &call_dates)).min() else {
                continue;
            };
            let group = if side == 0 {
                &mut report.proposals.volunteered
            } else {
                &mut report.proposals.requested
            };
            group.step_ids.extend(these.iter().map(|s| s.id));
            if outcome == Outcome::Disqualified {
                group.disqualified += 1;
                continue;
            }
            group.wins.add(deal.id, outcome);
            if let Some(closed) = deal.closed {
                let d = (closed - first).num_days().max(0) as f64;
                days[side].1.push(d);
                if outcome == Outcome::Won {
                    days[side].0.push(d);
                }
            }
        }

        if outcome == Outcome::Lost && steps.iter().any(|s| is_volunteered_work(s)) {
            lost_after_volunteering.insert(deal.id);
        }
    }

    for (side, group) in [
        &mut report.proposals.volunteered,
        &mut report.proposals.requested,
    ]
    .into_iter()
    .enumerate()
    {
        group.median_days_to_close = median(days[side].1.iter().copied());
        group.median_days_to_close_won = median(days[side].0.iter().copied());
    }

    report.closed_deals = all.deals;
    report.win_rate = all.win_rate;
    report.disqualified.deals = report.disqualified.deal_ids.len();

    let t = &mut report.time_lost_after_volunteering;
    let mut calls: Vec<_> = data.call_facts().collect();
    calls.sort_by_key(|c| (c.date, c.call_id));
    for c in &calls {
        if closed_ids.contains(&c.deal_id) {
            t.calls_on_closed_deals += 1;
            if lost_after_volunteering.contains(&c.deal_id) {
                t.call_ids.push(c.call_id);
            }
        }
    }
    t.calls = t.call_ids.len();
    t.share =
        (t.calls_on_closed_deals > 0).then(|| t.calls as f64 / t.calls_on_closed_deals as f64);
    t.deal_ids = lost_after_volunteering.into_iter().collect();
    report
}
