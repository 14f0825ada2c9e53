//! What the reports read: the store's records, loaded once by the caller.
//!
//! Every report in this crate is a pure function of a [`Dataset`], so each number can be
//! traced to the calls and deals it came from (their ids travel with the results) and
//! tested without a database.

use chrono::NaiveDate;
use nextstep_analyzer::Analysis;
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
}
