//! What the reports read: the store's records, loaded once by the caller ([`load`]).
//!
//! Every report of `nextstep-insight` is a pure function of a [`Dataset`], so each number
//! can be traced to the calls and deals it came from (their ids travel with the results)
//! and tested without a database.

use std::collections::HashMap;

use chrono::NaiveDate;
use nextstep_analyzer::Analysis;

use crate::{Call, Deal, DealFilter, NextStepRecord, Rep, Scope, StageChange, Store, StoreError};

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

/// One call as the forecast and outcomes read it: its stored facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallFactRow {
    /// The call.
    pub call_id: i64,
    /// Its deal.
    pub deal_id: i64,
    /// Its date.
    pub date: NaiveDate,
    /// The analyzer's `asked_next_step`.
    pub asked_next_step: bool,
    /// Bail-out moments.
    pub bail_outs: i32,
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

/// Reads every deal `scope` sees with its calls (and analyses), next steps and the reps:
/// what coaching, the digest and the forecast read, the same for the command line (every
/// deal) and the server (one caller's scope).
pub async fn load(store: &impl Store, scope: &Scope) -> Result<Dataset, StoreError> {
    let deals = visible_deals(store, scope).await?;
    let calls = records(&deals, store.all_calls(scope).await?)?;
    Ok(Dataset {
        deals,
        calls,
        steps: store.all_next_steps(scope).await?,
        reps: store.list_reps().await?,
        facts: Vec::new(),
    })
}

/// Like [`load`], with only the calls dated `since` to `until` and no next steps: what a
/// weekly digest reads (its week and the trend weeks before it), so that its cost follows
/// the window, not the whole history.
pub async fn load_between(
    store: &impl Store,
    scope: &Scope,
    since: NaiveDate,
    until: NaiveDate,
) -> Result<Dataset, StoreError> {
    let deals = visible_deals(store, scope).await?;
    let calls = records(&deals, store.calls_between(scope, since, until).await?)?;
    Ok(Dataset {
        deals,
        calls,
        steps: Vec::new(),
        reps: store.list_reps().await?,
        facts: Vec::new(),
    })
}

/// Every deal `scope` sees.
async fn visible_deals(store: &impl Store, scope: &Scope) -> Result<Vec<Deal>, StoreError> {
    store
        .list_deals(&DealFilter {
            scope: *scope,
            ..DealFilter::default()
        })
        .await
}

/// Stored calls as the reports read them: analysis decoded, rep from the deal's owner,
/// date then id order.
fn records(deals: &[Deal], stored: Vec<Call>) -> Result<Vec<CallRecord>, StoreError> {
    let owners: HashMap<i64, Option<&String>> =
        deals.iter().map(|d| (d.id, d.owner.as_ref())).collect();
    let mut calls = Vec::with_capacity(stored.len());
    for c in stored {
        let analysis = serde_json::from_value(c.analysis).map_err(|e| StoreError::Corrupt {
            field: "calls.analysis",
            value: format!("call {}: {e}", c.id),
        })?;
        calls.push(CallRecord {
            call_id: c.id,
            deal_id: c.deal_id,
            rep: owners.get(&c.deal_id).copied().flatten().cloned(),
            date: c.date,
            analysis,
        });
    }
    calls.sort_by_key(|c| (c.date, c.call_id));
    Ok(calls)
}

/// Every visible deal's stage history, for the forecast's stage-as-of-a-date, collected
/// into whatever the caller keeps it in (the forecast's `StageHistory`, which this crate
/// does not know: the forecast depends on the records, not the other way round).
pub async fn stage_history<H>(store: &impl Store, scope: &Scope) -> Result<H, StoreError>
where
    H: FromIterator<(i64, StageChange)>,
{
    Ok(store.all_stage_history(scope).await?.into_iter().collect())
}
