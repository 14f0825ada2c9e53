//! The pipeline report's assembly from the two set-based reads each backend makes.

use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::NaiveDate;

use crate::{Deal, NextStepRecord, PipelineRow};

/// The pipeline report's sort key: amount descending (deals without one last), then id.
pub(crate) fn pipeline_key(amount: Option<i64>, id: i64) -> (Reverse<Option<i64>>, i64) {
    (Reverse(amount), id)
}

/// Assembles the pipeline report from its two set-based reads: the open deals, and each
/// one's latest call (date, bail-out) and open step by deal id. Orders the rows by
/// [`pipeline_key`], sorting keys first so that each wide row is moved once.
///
/// Sorted here rather than in SQL: neither backend then sorts wide rows (PostgreSQL spilled
/// that sort to disk at 100,000 deals), and both order exactly alike.
pub(crate) fn assemble_pipeline(
    deals: Vec<Deal>,
    mut calls: HashMap<i64, (Option<NaiveDate>, bool)>,
    mut steps: HashMap<i64, NextStepRecord>,
) -> Vec<PipelineRow> {
    let mut order: Vec<_> = deals
        .iter()
        .enumerate()
        .map(|(i, d)| (pipeline_key(d.amount, d.id), i))
        .collect();
    order.sort_unstable();
    let mut slots: Vec<Option<Deal>> = deals.into_iter().map(Some).collect();
    let mut rows = Vec::with_capacity(order.len());
    for (_, i) in order {
        let Some(deal) = slots[i].take() else {
            continue;
        };
        let (last_call, last_call_bail_out) = calls.remove(&deal.id).unwrap_or((None, false));
        rows.push(PipelineRow {
            next_step: steps.remove(&deal.id),
            deal,
            last_call,
            last_call_bail_out,
        });
    }
    rows
}
