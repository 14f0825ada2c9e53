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
    async fn open_forecast_inputs(
        &self,
        scope: &Scope,
        as_of: NaiveDate,
    ) -> Result<OpenForecastInputs, StoreError>;
    /// The stored forecast fit of `key` (a scope's), if any.
    async fn stored_fit(&self, key: &str) -> Result<Option<StoredFit>, StoreError>;
    /// Stores (replaces) the forecast fit of `key`.
    async fn store_fit(&self, key: &str, fit: &StoredFit) -> Result<(), StoreError>;
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
