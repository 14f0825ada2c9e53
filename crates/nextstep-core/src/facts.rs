//! The per-call facts' shapes the store aggregates and the reports read (the store keeps
//! the facts in `call_facts` rows and aggregates them in SQL; `nextstep-insight` turns the
//! aggregates into the coaching report): a call's membership bits ([`flag`]), one rep's
//! week ([`RepWeek`]), the filter, the disqualified deals.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::dataset::CallFactRow;
use crate::{Call, NextStepRecord, Scope, StoreError};

/// One call's membership in every list a scorecard traces, as bits of [`FactCall::flags`].
pub mod flag {
    /// Asked (ask-rate numerator).
    pub const ASKED: u16 = 1;
    /// Ended with a step.
    pub const WITH_STEP: u16 = 2;
    /// The prospect defined it.
    pub const PROSPECT_DEFINED: u16 = 4;
    /// The prospect confirmed it.
    pub const CONFIRMED: u16 = 8;
    /// At least one volunteered item.
    pub const VOLUNTEERED: u16 = 16;
    /// At least one negative signal.
    pub const NEGATIVE_SIGNAL: u16 = 32;
    /// At least one bail-out.
    pub const BAIL_OUT: u16 = 64;
    /// A confrontation (on any call; the confront rate counts it with a signal only).
    pub const CONFRONTED: u16 = 128;
    /// Ended without a step after the rep named no fit (an early disqualification).
    pub const DISQUALIFIED: u16 = 256;
}

/// A call in a [`RepWeek`]: its id and its [`flag`] bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactCall {
    /// The call.
    pub call_id: i64,
    /// Its [`flag`] bits.
    pub flags: u16,
    /// Its deal, given only for an early disqualification (the scorecard lists those
    /// deals; no other number needs it).
    pub deal_id: Option<i64>,
}

/// One rep's calls in one ISO week, aggregated by the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepWeek {
    /// The rep (the deals' owner).
    pub rep: String,
    /// The week's Monday.
    pub week: NaiveDate,
    /// Calls.
    pub calls: i64,
    /// Volunteered items over them.
    pub volunteered_items: i64,
    /// Bail-out moments over them.
    pub bail_out_items: i64,
    /// Every call, oldest first (date, then id), with its flags.
    pub call_ids: Vec<FactCall>,
}

/// Which calls an aggregate counts: one rep (exact name) and a date window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactFilter {
    /// Only this rep's calls.
    pub rep: Option<String>,
    /// Only calls on or after this date.
    pub since: Option<NaiveDate>,
    /// Only calls on or before this date.
    pub until: Option<NaiveDate>,
    /// Only calls in these ISO weeks (their Mondays): what a cached report re-aggregates
    /// after a write ([`FactStore::report_changes`]).
    pub weeks: Option<Vec<NaiveDate>>,
}

/// A closed-disqualified deal with its owner: the scorecard's early disqualifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisqualifiedDeal {
    /// The deal.
    pub deal_id: i64,
    /// Its owner.
    pub owner: String,
    /// When it closed.
    pub closed: Option<NaiveDate>,
}

/// A forecast fit as stored: made off the request path on one data version and day.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFit {
    /// The store's data version it was fitted on.
    pub data_version: i64,
    /// The day whose closed deals it learnt from.
    pub as_of: NaiveDate,
    /// When it was fitted.
    pub fitted_at: DateTime<Utc>,
    /// The fit as the insight crate writes it (a model, or why there is none).
    pub fit: Value,
}

/// The read side of the facts, and the stored forecast fits. Every read takes the
/// caller's [`Scope`], like [`Store`](crate::Store)'s. The store crate implements it for both backends;
/// the reports built on it (`nextstep_insight::stored_reports`) never load a whole analysis.
#[allow(async_fn_in_trait)]
pub trait FactStore {
    /// Calls per rep and ISO week with their counts and flagged ids, rep then week order.
    async fn rep_weeks(
        &self,
        scope: &Scope,
        filter: &FactFilter,
    ) -> Result<Vec<RepWeek>, StoreError>;
    /// These calls (without their transcript text), in date then id order: the few
    /// calls a scorecard quotes, found from the flags [`rep_weeks`](Self::rep_weeks) returns.
    async fn calls_by_ids(&self, scope: &Scope, ids: &[i64]) -> Result<Vec<Call>, StoreError>;
    /// Deals closed `disqualified`, with their owners.
    async fn disqualified_deals(&self, scope: &Scope) -> Result<Vec<DisqualifiedDeal>, StoreError>;
    /// Every call's forecast facts, date then id order.
    async fn call_fact_rows(&self, scope: &Scope) -> Result<Vec<CallFactRow>, StoreError>;
    /// Every next step without its action text and evidence (what the forecast and
    /// outcomes read: who, confirmed, due, status, kind, dates), oldest first.
    async fn step_rows(&self, scope: &Scope) -> Result<Vec<NextStepRecord>, StoreError>;
    /// What the forecast scores with a stored fit: only the deals open at the end of
    /// `as_of` (no outcome, or closed after it) that `scope` sees, with their call facts,
    /// steps (no text) and stage changes, and whether anything in scope records activity
    /// or stage changes at all. Its cost follows the open pipeline, not the history.
    ///
    /// With `only`, the deals, facts, steps and stage changes are only those of these
    /// deals (the rest is still scope-wide): what a cached read needs after a write
    /// touched them ([`OpenForecastInputs::merge`]).
    async fn open_forecast_inputs(
        &self,
        scope: &Scope,
        as_of: NaiveDate,
        only: Option<&[i64]>,
    ) -> Result<OpenForecastInputs, StoreError>;
    /// Where the reports' change log stands, read in one statement: a report built after
    /// this read is current for at least this position.
    async fn report_position(&self) -> Result<ReportPosition, StoreError>;
    /// What was written after change `since` (a [`ReportPosition::seq`]): the weeks of
    /// call facts and the deals it touched, or `None` when it may have touched everything
    /// (the roster or an account changed, the log was pruned past `since`, or more than
    /// `limit` weeks and deals changed) and a report must be built whole.
    async fn report_changes(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Option<ReportChanges>, StoreError>;
    /// The stored forecast fit of `key` (a scope's), if any.
    async fn stored_fit(&self, key: &str) -> Result<Option<StoredFit>, StoreError>;
    /// Stores (replaces) the forecast fit of `key`.
    async fn store_fit(&self, key: &str, fit: &StoredFit) -> Result<(), StoreError>;
}

/// A point in the store's writes: the data version (moved by every write the reports
/// read) and the sequence number of the last entry in the reports' change log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportPosition {
    /// The data version.
    pub version: i64,
    /// The last change's sequence number (0: none yet).
    pub seq: i64,
}

/// What a run of writes touched ([`FactStore::report_changes`]), each list sorted and
/// without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportChanges {
    /// Weeks (their Mondays) whose call facts changed, or moved to another rep.
    pub weeks: Vec<NaiveDate>,
    /// Deals that changed, or whose calls, steps or stage history did.
    pub deals: Vec<i64>,
    /// Calls judged again or deleted: what a report quotes from them may have changed
    /// even where their counts did not.
    pub calls: Vec<i64>,
}

/// The forecast's inputs for the open pipeline ([`FactStore::open_forecast_inputs`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpenForecastInputs {
    /// The deals open at the date, by id.
    pub deals: Vec<crate::Deal>,
    /// Their calls' facts, date then id order.
    pub facts: Vec<CallFactRow>,
    /// Their steps without action text and evidence, oldest first.
    pub steps: Vec<NextStepRecord>,
    /// Their stage changes as `(deal_id, change)`, by deal then time.
    pub history: Vec<(i64, crate::StageChange)>,
    /// The stages closed deals in scope are stored with (each once): which stages are
    /// terminal is learnt from them.
    pub closed_stages: Vec<String>,
    /// Whether any deal in scope (open or closed) has a call or a step: the forecast's
    /// no-activity rule applies only where activity is recorded at all.
    pub activity_recorded: bool,
    /// Whether any deal in scope has a recorded stage change.
    pub history_recorded: bool,
}

impl OpenForecastInputs {
    /// Brings a whole read up to date with `newer`, the same read restricted to the
    /// `changed` deals after a write: their rows here are replaced by `newer`'s (a deal
    /// closed since is gone), the scope-wide fields are `newer`'s, and every list keeps
    /// the order a whole read gives — so the result equals a whole read made now.
    pub fn merge(&mut self, newer: OpenForecastInputs, changed: &[i64]) {
        let changed: std::collections::HashSet<i64> = changed.iter().copied().collect();
        // Grown by exactly what is added and sorted in place: a list of 150,000 steps
        // doubled, or sorted through a buffer of half its size, for a handful of rows.
        fn replace<T>(
            kept: &mut Vec<T>,
            newer: Vec<T>,
            gone: impl Fn(&T) -> bool,
            sort: impl FnOnce(&mut [T]),
        ) {
            kept.retain(|x| !gone(x));
            kept.reserve_exact(newer.len());
            kept.extend(newer);
            sort(kept);
        }
        replace(
            &mut self.deals,
            newer.deals,
            |d| changed.contains(&d.id),
            |v| v.sort_unstable_by_key(|d| d.id),
        );
        replace(
            &mut self.facts,
            newer.facts,
            |f| changed.contains(&f.deal_id),
            |v| v.sort_unstable_by_key(|f| (f.date, f.call_id)),
        );
        replace(
            &mut self.steps,
            newer.steps,
            |s| changed.contains(&s.deal_id),
            |v| v.sort_unstable_by_key(|s| s.id),
        );
        // Stable: a deal's changes all come from one read, already in time order.
        replace(
            &mut self.history,
            newer.history,
            |(deal, _)| changed.contains(deal),
            |v| v.sort_by_key(|(deal, _)| *deal),
        );
        self.closed_stages = newer.closed_stages;
        self.activity_recorded = newer.activity_recorded;
        self.history_recorded = newer.history_recorded;
    }
}
