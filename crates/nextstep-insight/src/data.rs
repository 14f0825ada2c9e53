//! What the reports read: the store's records, loaded once by the caller.
//!
//! Every report in this crate is a pure function of a [`Dataset`], so each number can be
//! traced to the calls and deals it came from (their ids travel with the results) and
//! tested without a database.

use chrono::NaiveDate;
use nextstep_analyzer::Analysis;
use nextstep_store::facts::CallFactRow;
use nextstep_store::{Deal, NextStepRecord, Rep};

/// One analysed call, with the deal it belongs to and the rep who owns that deal.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    /// The store's call id (reports cite it).
    pub call_id: i64,
    /// The deal the call belongs to.
    pub deal_id: i64,
    /// The deal owner: the rep being coached.
    pub rep: Option<String>,
    /// Call date.
    pub date: NaiveDate,
    /// The analyzer's judgement, as stored.
    pub analysis: Analysis,
}

/// Everything the coaching, outcome and forecast reports need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// Every deal, open and closed.
    pub deals: Vec<Deal>,
    /// Every analysed call, oldest first.
    pub calls: Vec<CallRecord>,
    /// Every next step ever recorded (all statuses), oldest first.
    pub steps: Vec<NextStepRecord>,
    /// Every rep, with managers.
    pub reps: Vec<Rep>,
    /// Calls known only by their stored facts (the store's `call_facts` rows), for the
    /// reports that need no more than those — the forecast and the outcomes — so a large
    /// team's analyses need not be loaded. Read together with `calls` through
    /// [`Dataset::call_facts`]; a dataset fills one list or the other.
    pub facts: Vec<CallFactRow>,
}

impl CallRecord {
    /// What the forecast and outcomes read of this call (its stored facts' equal).
    pub fn facts(&self) -> CallFactRow {
        CallFactRow {
            call_id: self.call_id,
            deal_id: self.deal_id,
            date: self.date,
            asked_next_step: self.analysis.asked_next_step,
            bail_outs: self.analysis.bail_outs.len().min(i32::MAX as usize) as i32,
        }
    }
}

impl Dataset {
    /// Every call's facts: the analysed calls' and the facts-only ones.
    pub fn call_facts(&self) -> impl Iterator<Item = CallFactRow> + '_ {
        self.calls
            .iter()
            .map(CallRecord::facts)
            .chain(self.facts.iter().copied())
    }

    /// Whether the dataset holds any call.
    pub fn has_calls(&self) -> bool {
        !self.calls.is_empty() || !self.facts.is_empty()
    }
}
