//! The forecast: each open deal's win probability from the team's own closed deals, with
//! the next-step evidence the analyzer found, shown beside the plain stage-weighted
//! forecast so a manager sees how much that evidence moves the number.
//!
//! Pure, like the rest of the crate: the caller hands in a [`Dataset`] (and, when the store
//! has one, a [`StageHistory`]) and a date; nothing here reads a clock.
//!
//! # What is known "as of" a date
//!
//! Every feature is computed by [`snapshot`] from what was known at the **end of** the date:
//! calls dated on or before it, steps agreed on or before it (their call's date, else
//! `created_at`), a step's
//! status only if it changed (`updated_at`) on or before it. Later calls and steps are never
//! read, so the backtest cannot peek. A deal's stage as of a date is:
//!
//! 1. the latest [`StageHistory`] entry dated on or before it, when there is one;
//! 2. else the stored stage, when the deal is open (its current stage is taken to hold) or
//!    closed on or before the date;
//! 3. else unknown — a deal that closed *after* the date carries the stage it closed with,
//!    which is future information (Maven's `Won`/`Lost` names the outcome outright).
//!
//! Stages never seen on an open deal (`Won`, `Closed Lost`, …) are *terminal* and always
//! read as unknown: they name an outcome, not a step on the way to one.
//!
//! # The model
//!
//! L2-regularised logistic regression fitted by `linfa-logistic` (L-BFGS), the label being
//! "won" (lost and disqualified deals are not won). Features, in [`ForecastModel::feature_names`]
//! order:
//!
//! | feature | meaning |
//! | --- | --- |
//! | `age_days` | days since the deal was created (missing when no created date) |
//! | `days_since_last_call` | days since the latest call (missing when none) |
//! | `log_amount` | ln(amount in currency units); amounts ≤ 0 are missing, because Maven-style exports write 0 on every *lost* deal, which would name the outcome |
//! | `bail_outs` | bail-outs found on the deal's calls |
//! | `asked_rate` | share of the deal's calls on which the rep asked what the next step should be (missing when no call) |
//! | `no_call` | 1 when the deal has no call yet |
//! | `step_prospect_defined`, `step_seller_defined` | who defined the latest step (both 0: no step) |
//! | `step_confirmed` | the prospect confirmed the latest step |
//! | `step_overdue` | the latest step's due date had passed without it being done or cancelled |
//! | `stage=…` | one-hot over the stages seen in training (unknown or unseen stage: all 0) |
//! | `owner=…` | one-hot over owners with at least [`RARE_OWNER_DEALS`] closed training deals; the rest (and new owners) share `owner=(other)` |
//!
//! The first five are standardised with the training rows' mean and standard deviation; a
//! missing value becomes the mean (0 after standardising). The 0/1 columns are centred on
//! their training means, so the intercept is the average deal's log-odds and the penalty
//! pulls each owner and stage towards the average rather than towards an arbitrary
//! reference (it also keeps L-BFGS well conditioned). There is deliberately no
//! "amount missing" flag: on Maven data it would be a perfect proxy for "lost".
//!
//! **Training rows.** A forecast scores deals part-way through their life, so the model is
//! trained the same way: each closed deal contributes one snapshot every
//! [`SNAPSHOT_EVERY_DAYS`] days from its creation until the day before it closed (features
//! as of each snapshot date, label = its eventual outcome). Long deals give more rows, as
//! they are more often open on any given date. A deal without a created date gives one
//! snapshot, the day before it closed.
//!
//! **Regularisation.** linfa minimises Σ log-loss + ½·α·‖w‖² (intercept not penalised).
//! α is [`ALPHA`] (1.0, the usual default) multiplied by the mean number of snapshots per
//! deal, so the penalty weighs as it would with one row per deal.
//!
//! **Refusal.** With fewer than [`MIN_CLOSED_DEALS`] dated closed deals, or fewer than
//! [`MIN_PER_OUTCOME`] won or not won, [`ForecastModel::fit`] refuses with
//! [`ForecastError`] rather than fit noise.
//!
//! # The baseline (stage-weighted)
//!
//! [`StageBaseline`]: the win rate per stage among the team's closed deals. A closed deal
//! counts for every non-terminal stage its [`StageHistory`] shows before it closed; without
//! history, for the stage it is stored with, when that is not terminal. A deal is scored
//! with the rate of its stage as of the date (rule above) when at least [`MIN_STAGE_DEALS`]
//! closed deals back that rate, else with the overall win rate. On the Maven data (no
//! history; closed deals stored as `Won`/`Lost`) the baseline is therefore the overall
//! win rate for every deal.
//!
//! # Forecast categories
//!
//! Applied to each probability (model and baseline separately), first rule that matches:
//!
//! 1. **omitted**: p < 0.10; or the deal has no open next step and no call in the last
//!    [`STALE_DAYS`] days (never called counts). The activity rule applies only when the
//!    data set records calls or steps at all — a CRM export alone says nothing about them.
//! 2. **commit**: p ≥ 0.70, and the open step was defined by the prospect or confirmed by
//!    them, and it is not overdue.
//! 3. **best case**: p ≥ 0.40.
//! 4. **pipeline**: everything else.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate};
use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use nextstep_store::{Cents, Deal, DefinedBy, NextStepRecord, Outcome, StageChange, StepStatus};
use serde::{Deserialize, Serialize};

use crate::data::{CallRecord, Dataset};

/// The L2 penalty per closed deal. 1.0 is linfa's and scikit-learn's default (C = 1); it
/// keeps one-hot owners with a handful of deals from getting extreme weights.
pub const ALPHA: f64 = 1.0;
/// L-BFGS stops when the gradient of the summed loss is below this times the number of
/// rows (a per-row tolerance, so large teams are not held to a stricter standard); 1e-5
/// moves no weight by more than 1e-3 on the Maven data against a run to 1e-10.
pub const GRADIENT_TOLERANCE: f64 = 1e-5;
/// L-BFGS iteration cap (the fits above converge in far fewer).
pub const MAX_ITERATIONS: u64 = 1000;
/// Fewer dated closed deals than this and the model refuses: 30 is the usual rule of thumb
/// below which a dozen-feature regression fits noise.
pub const MIN_CLOSED_DEALS: usize = 30;
/// Each outcome (won, not won) needs at least this many deals, or there is nothing to learn
/// the difference from.
pub const MIN_PER_OUTCOME: usize = 5;
/// Spacing of training snapshots: weekly, the rhythm at which pipelines are reviewed.
pub const SNAPSHOT_EVERY_DAYS: i64 = 7;
/// The training matrix is capped at this many rows (snapshots spread out to fit), so a very
/// large CRM stays within memory.
pub const MAX_TRAINING_ROWS: usize = 200_000;
/// Owners with fewer closed training deals than this share one `owner=(other)` column: a
/// weight learnt from three deals is noise.
pub const RARE_OWNER_DEALS: usize = 5;
/// A baseline stage rate needs this many closed deals behind it; otherwise the overall win
/// rate is used.
pub const MIN_STAGE_DEALS: usize = 5;
/// No call in this many days and no open step: the deal is omitted from the forecast.
pub const STALE_DAYS: i64 = 30;
/// Commit needs at least this probability (and prospect-backed, on-time evidence).
pub const COMMIT_MIN: f64 = 0.70;
/// Best case needs at least this probability.
pub const BEST_CASE_MIN: f64 = 0.40;
/// Below this probability a deal is omitted.
pub const OMIT_BELOW: f64 = 0.10;

/// Why a forecast or backtest could not be made; every message says what would fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    /// Not enough dated closed deals to learn from.
    #[error(
        "not enough history to fit a forecast: {have} closed deals with a close date, {need} needed (at least {MIN_PER_OUTCOME} won and {MIN_PER_OUTCOME} not won); the stage-weighted baseline still works"
    )]
    TooFewClosedDeals {
        /// Dated closed deals available.
        have: usize,
        /// The minimum ([`MIN_CLOSED_DEALS`]).
        need: usize,
    },
    /// Enough deals, but (nearly) all with the same outcome.
    #[error(
        "the closed deals are too one-sided to fit a forecast: {won} won and {not_won} not won, at least {need_each} of each needed"
    )]
    TooFewOfAnOutcome {
        /// Won deals available.
        won: usize,
        /// Lost or disqualified deals available.
        not_won: usize,
        /// The minimum per outcome ([`MIN_PER_OUTCOME`]).
        need_each: usize,
    },
    /// A backtest cutoff after which no dated deal closed.
    #[error(
        "no deal closed on or after the cutoff {cutoff}: nothing to test against; pick an earlier cutoff"
    )]
    NoDealsAfterCutoff {
        /// The cutoff asked for.
        cutoff: NaiveDate,
    },
    /// The optimiser failed (reported by linfa).
    #[error("fitting the forecast model failed: {0}")]
    Fit(String),
}

// ---------------------------------------------------------------------------------------
// Quarter

/// A calendar quarter such as `2026-Q4`, the period forecasts are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    year: i32,
    quarter: u8,
}

/// A `--period` that is not `YYYY-Qn`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a quarter: {0:?} (expected YEAR-Qn, e.g. 2026-Q4)")]
pub struct ParseQuarterError(pub String);

impl Quarter {
    /// The quarter `quarter` (1–4) of `year`; `None` for any other quarter number.
    pub fn new(year: i32, quarter: u8) -> Option<Quarter> {
        let valid = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).is_some();
        // The next year must exist too: the last day is computed from its first.
        ((1..=4).contains(&quarter) && valid(year) && year.checked_add(1).is_some_and(valid))
            .then_some(Quarter { year, quarter })
    }

    /// The quarter a date falls in, e.g. to default `--period` to the current one.
    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            quarter: (date.month0() / 3 + 1) as u8,
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The quarter number, 1–4.
    pub fn quarter(self) -> u8 {
        self.quarter
    }

    /// Its first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, u32::from(self.quarter - 1) * 3 + 1, 1)
            .expect("quarter start is a valid date")
    }

    /// Its last day.
    pub fn last_day(self) -> NaiveDate {
        let (y, m) = if self.quarter == 4 {
            (self.year + 1, 1)
        } else {
            (self.year, u32::from(self.quarter) * 3 + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1).expect("next quarter start is a valid date")
            - Duration::days(1)
    }

    /// Whether a date is in the quarter (both ends included).
    pub fn contains(self, date: NaiveDate) -> bool {
        self.first_day() <= date && date <= self.last_day()
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.quarter)
    }
}

impl FromStr for Quarter {
    type Err = ParseQuarterError;

    /// `2026-Q4`, also `2026Q4`, `2026-q4` and `2026 Q4`.
    fn from_str(s: &str) -> Result<Quarter, ParseQuarterError> {
        let err = || ParseQuarterError(s.to_string());
        let t = s.trim();
        let upper = t.to_ascii_uppercase();
        let (year, q) = upper.split_once('Q').ok_or_else(err)?;
        let year = year.trim_end_matches(['-', ' ']);
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) || q.len() != 1 {
            return Err(err());
        }
        let year: i32 = year.parse().map_err(|_| err())?;
        let q: u8 = q.parse().map_err(|_| err())?;
        Quarter::new(year, q).ok_or_else(err)
    }
}

impl Serialize for Quarter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Quarter, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------
// Stage history

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

/// The data indexed once per report: calls and steps per deal, terminal stages.
pub(crate) struct Context<'a> {
    calls: HashMap<i64, Vec<&'a CallRecord>>,
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
        let mut calls: HashMap<i64, Vec<&CallRecord>> = HashMap::new();
        for c in data.calls.iter().filter(|c| keep(c.deal_id)) {
            calls.entry(c.deal_id).or_default().push(c);
        }
        for v in calls.values_mut() {
            v.sort_by_key(|c| (c.date, c.call_id));
        }
        // A step found in a call was agreed on the call's date, whenever it was stored
        // (a bulk import stores months of calls at once).
        let call_dates: HashMap<i64, NaiveDate> =
            data.calls.iter().map(|c| (c.call_id, c.date)).collect();
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
        // Terminal stages: stored on closed deals, never seen on an open one.
        let mut open_stages: HashSet<&str> = HashSet::new();
        for d in data.deals.iter().filter(|d| d.is_open()) {
            open_stages.insert(d.stage.as_str());
            for c in history.changes(d.id) {
                open_stages.insert(c.stage.as_str());
            }
        }
        let terminal = data
            .deals
            .iter()
            .filter(|d| !d.is_open() && !open_stages.contains(d.stage.as_str()))
            .map(|d| d.stage.clone())
            .collect();
        Context {
            calls,
            steps,
            history,
            terminal,
            activity_tracked: !data.calls.is_empty() || !data.steps.is_empty(),
        }
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
    fn stages_passed(&self, deal: &Deal) -> BTreeSet<String> {
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
        let calls: Vec<&CallRecord> = self
            .calls
            .get(&deal.id)
            .map(|v| v.iter().copied().filter(|c| c.date <= as_of).collect())
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
            asked_calls: calls.iter().filter(|c| c.analysis.asked_next_step).count(),
            bail_outs: calls.iter().map(|c| c.analysis.bail_outs.len()).sum(),
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

// ---------------------------------------------------------------------------------------
// The model

const NUMERIC: [&str; 5] = [
    "age_days",
    "days_since_last_call",
    "log_amount",
    "bail_outs",
    "asked_rate",
];
const BINARY: [&str; 5] = [
    "no_call",
    "step_prospect_defined",
    "step_seller_defined",
    "step_confirmed",
    "step_overdue",
];
const OTHER_OWNER: &str = "(other)";

fn numeric_values(s: &DealSnapshot) -> [Option<f64>; 5] {
    [
        s.age_days.map(|d| d as f64),
        s.days_since_last_call.map(|d| d as f64),
        s.amount_cents.map(|c| (c as f64 / 100.0).max(0.01).ln()),
        Some(s.bail_outs as f64),
        s.asked_rate(),
    ]
}

fn binary_values(s: &DealSnapshot) -> [f64; 5] {
    let b = |x: bool| if x { 1.0 } else { 0.0 };
    let step = s.step.as_ref();
    [
        b(s.call_ids.is_empty()),
        b(step.is_some_and(|t| t.defined_by == DefinedBy::Prospect)),
        b(step.is_some_and(|t| t.defined_by == DefinedBy::Seller)),
        b(step.is_some_and(|t| t.confirmed)),
        b(step.is_some_and(|t| t.overdue)),
    ]
}

fn is_won(deal: &Deal) -> bool {
    deal.outcome == Some(Outcome::Won)
}

/// Dated closed deals known by the end of `as_of`: the training set of both forecasts.
pub(crate) fn closed_by(data: &Dataset, as_of: NaiveDate) -> Vec<&Deal> {
    data.deals
        .iter()
        .filter(|d| d.outcome.is_some() && d.closed.is_some_and(|c| c <= as_of))
        .collect()
}

/// One feature's weight in the fitted model (on the standardised scale for numeric ones),
/// so a manager can see what drives the forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    /// Feature name (module doc table).
    pub feature: String,
    /// Log-odds change per unit (per standard deviation for numeric features).
    pub weight: f64,
}

/// The fitted win-probability model: feature layout, standardisation and weights. Built
/// by [`ForecastModel::fit`] from the team's own closed deals.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastModel {
    as_of: NaiveDate,
    stages: Vec<String>,
    owners: Vec<String>,
    mean: [f64; 5],
    std: [f64; 5],
    /// Training means of the 0/1 columns (indicators and one-hots), subtracted so that
    /// the intercept is the average log-odds and L2 shrinks towards the average deal.
    center: Vec<f64>,
    weights: Vec<f64>,
    intercept: f64,
    n_deals: usize,
    n_won: usize,
    n_rows: usize,
    alpha: f64,
}

impl ForecastModel {
    /// Fits on the deals closed by the end of `as_of`, without stage history.
    pub fn fit(data: &Dataset, as_of: NaiveDate) -> Result<ForecastModel, ForecastError> {
        ForecastModel::fit_with_history(data, &StageHistory::default(), as_of)
    }

    /// Fits on the deals closed by the end of `as_of`, reading stages from `history`.
    pub fn fit_with_history(
        data: &Dataset,
        history: &StageHistory,
        as_of: NaiveDate,
    ) -> Result<ForecastModel, ForecastError> {
        ForecastModel::fit_ctx(data, &Context::new(data, history), as_of)
    }

    pub(crate) fn fit_ctx(
        data: &Dataset,
        ctx: &Context<'_>,
        as_of: NaiveDate,
    ) -> Result<ForecastModel, ForecastError> {
        let train = closed_by(data, as_of);
        let n_won = train.iter().filter(|d| is_won(d)).count();
        let not_won = train.len() - n_won;
        if train.len() < MIN_CLOSED_DEALS {
            return Err(ForecastError::TooFewClosedDeals {
                have: train.len(),
                need: MIN_CLOSED_DEALS,
            });
        }
        if n_won < MIN_PER_OUTCOME || not_won < MIN_PER_OUTCOME {
            return Err(ForecastError::TooFewOfAnOutcome {
                won: n_won,
                not_won,
                need_each: MIN_PER_OUTCOME,
            });
        }

        // Snapshot dates: weekly from creation to the day before closing.
        let total_days: i64 = train
            .iter()
            .map(|d| match (d.created, d.closed) {
                (Some(s), Some(c)) => (c - s).num_days().max(1),
                _ => 1,
            })
            .sum();
        let every =
            SNAPSHOT_EVERY_DAYS.max((total_days as f64 / MAX_TRAINING_ROWS as f64).ceil() as i64);
        let mut snaps: Vec<(DealSnapshot, bool)> = Vec::new();
        for deal in &train {
            let closed = deal.closed.expect("training deals are dated");
            let last = closed - Duration::days(1);
            match deal.created.filter(|s| *s <= last) {
                Some(mut day) => {
                    while day <= last {
                        snaps.push((ctx.snapshot(deal, day), is_won(deal)));
                        day += Duration::days(every);
                    }
                }
                None => snaps.push((ctx.snapshot(deal, last), is_won(deal))),
            }
        }

        // Layout: stages seen, owners with enough deals.
        let stages: Vec<String> = snaps
            .iter()
            .filter_map(|(s, _)| s.stage.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut owner_deals: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &train {
            if let Some(o) = d.owner.as_deref() {
                *owner_deals.entry(o).or_default() += 1;
            }
        }
        let owners: Vec<String> = owner_deals
            .iter()
            .filter(|(_, n)| **n >= RARE_OWNER_DEALS)
            .map(|(o, _)| o.to_string())
            .collect();

        // Standardisation from the training rows.
        let mut mean = [0.0; 5];
        let mut std = [1.0; 5];
        for j in 0..NUMERIC.len() {
            let vals: Vec<f64> = snaps
                .iter()
                .filter_map(|(s, _)| numeric_values(s)[j])
                .collect();
            if vals.is_empty() {
                continue;
            }
            let m = vals.iter().sum::<f64>() / vals.len() as f64;
            let var = vals.iter().map(|v| (v - m).powi(2)).sum::<f64>() / vals.len() as f64;
            mean[j] = m;
            std[j] = if var.sqrt() > 1e-12 { var.sqrt() } else { 1.0 };
        }

        let n_rows = snaps.len();
        let alpha = ALPHA * n_rows as f64 / train.len() as f64;
        let mut model = ForecastModel {
            as_of,
            stages,
            owners,
            mean,
            std,
            center: Vec::new(),
            weights: Vec::new(),
            intercept: 0.0,
            n_deals: train.len(),
            n_won,
            n_rows,
            alpha,
        };
        let width = model.feature_names().len();
        let mut x = Array2::<f64>::zeros((n_rows, width));
        for (i, (s, _)) in snaps.iter().enumerate() {
            for (j, v) in model.encode(s).into_iter().enumerate() {
                x[[i, j]] = v;
            }
        }
        // Centre the 0/1 columns (the numeric ones are standardised already).
        model.center = (NUMERIC.len()..width)
            .map(|j| x.column(j).sum() / n_rows as f64)
            .collect();
        for (k, c) in model.center.iter().enumerate() {
            x.column_mut(NUMERIC.len() + k).mapv_inplace(|v| v - c);
        }
        let y: Array1<bool> = snaps.iter().map(|(_, won)| *won).collect();
        let fitted = LogisticRegression::default()
            .alpha(alpha)
            .max_iterations(MAX_ITERATIONS)
            .gradient_tolerance(GRADIENT_TOLERANCE * n_rows as f64)
            .fit(&DatasetBase::new(x, y))
            .map_err(|e| ForecastError::Fit(e.to_string()))?;
        // linfa's "positive" class is the more frequent label: turn the weights round so
        // that they always give P(won).
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        model.weights = fitted.params().iter().map(|w| sign * w).collect();
        model.intercept = sign * fitted.intercept();
        if model.weights.iter().any(|w| !w.is_finite()) || !model.intercept.is_finite() {
            return Err(ForecastError::Fit(
                "the optimiser returned non-finite weights".into(),
            ));
        }
        Ok(model)
    }

    /// The feature vector of a snapshot: numeric features standardised, 0/1 ones centred
    /// (once the centres are known).
    fn encode(&self, s: &DealSnapshot) -> Vec<f64> {
        let mut v = Vec::with_capacity(10 + self.stages.len() + self.owners.len() + 1);
        for (j, x) in numeric_values(s).into_iter().enumerate() {
            v.push(x.map_or(0.0, |x| (x - self.mean[j]) / self.std[j]));
        }
        v.extend(binary_values(s));
        for st in &self.stages {
            v.push(if s.stage.as_deref() == Some(st.as_str()) {
                1.0
            } else {
                0.0
            });
        }
        let known_owner = s
            .owner
            .as_deref()
            .and_then(|o| self.owners.iter().position(|x| x == o));
        for i in 0..self.owners.len() {
            v.push(if known_owner == Some(i) { 1.0 } else { 0.0 });
        }
        v.push(if known_owner.is_none() { 1.0 } else { 0.0 });
        for (x, c) in v[NUMERIC.len()..].iter_mut().zip(&self.center) {
            *x -= c;
        }
        v
    }

    /// Column names, in the order of [`ForecastModel::coefficients`].
    pub fn feature_names(&self) -> Vec<String> {
        let mut names: Vec<String> = NUMERIC
            .iter()
            .chain(BINARY.iter())
            .map(|s| s.to_string())
            .collect();
        names.extend(self.stages.iter().map(|s| format!("stage={s}")));
        names.extend(self.owners.iter().map(|o| format!("owner={o}")));
        names.push(format!("owner={OTHER_OWNER}"));
        names
    }

    /// Each feature's weight, so reports can say what moves the forecast.
    pub fn coefficients(&self) -> Vec<Coefficient> {
        self.feature_names()
            .into_iter()
            .zip(&self.weights)
            .map(|(feature, weight)| Coefficient {
                feature,
                weight: *weight,
            })
            .collect()
    }

    /// The log-odds of winning when every feature is at its reference value.
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// The date whose closed deals it was fitted on.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// Closed deals it learnt from.
    pub fn n_deals(&self) -> usize {
        self.n_deals
    }

    /// Of which won.
    pub fn n_won(&self) -> usize {
        self.n_won
    }

    /// Training rows (weekly snapshots of those deals).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The L2 weight linfa was given (ALPHA × snapshots per deal).
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Probability of a snapshot ending in a win.
    pub fn predict_snapshot(&self, s: &DealSnapshot) -> f64 {
        let z: f64 = self.intercept
            + self
                .encode(s)
                .iter()
                .zip(&self.weights)
                .map(|(x, w)| x * w)
                .sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }

    /// The probability that `deal` is won, from what was known at the end of `as_of`.
    pub fn predict(&self, deal: &Deal, data: &Dataset, as_of: NaiveDate) -> f64 {
        self.predict_with_history(deal, data, &StageHistory::default(), as_of)
    }

    /// [`ForecastModel::predict`] reading stages from `history`.
    pub fn predict_with_history(
        &self,
        deal: &Deal,
        data: &Dataset,
        history: &StageHistory,
        as_of: NaiveDate,
    ) -> f64 {
        self.predict_snapshot(&snapshot(deal, data, history, as_of))
    }
}

// ---------------------------------------------------------------------------------------
// The baseline

/// One row of the baseline's table: how the team's closed deals that were in a stage ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRate {
    /// The stage.
    pub stage: String,
    /// Closed deals that were in it.
    pub closed: usize,
    /// Of which won.
    pub won: usize,
    /// won / closed.
    pub win_rate: f64,
    /// Whether the rate is used ([`MIN_STAGE_DEALS`] deals or more); else the overall rate is.
    pub used: bool,
}

/// The stage-weighted forecast: historic win rate per stage from the team's own closed
/// deals — what most CRMs show, and what the model has to beat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageBaseline {
    /// Closed deals it counted.
    pub n_deals: usize,
    /// Of which won.
    pub n_won: usize,
    /// The fallback: won / closed over all of them.
    pub overall_win_rate: f64,
    /// Per stage, by name.
    pub stages: Vec<StageRate>,
}

impl StageBaseline {
    /// The table from deals closed by the end of `as_of`; `None` when no deal has closed.
    pub fn fit(data: &Dataset, history: &StageHistory, as_of: NaiveDate) -> Option<StageBaseline> {
        StageBaseline::fit_ctx(data, &Context::new(data, history), as_of)
    }

    pub(crate) fn fit_ctx(
        data: &Dataset,
        ctx: &Context<'_>,
        as_of: NaiveDate,
    ) -> Option<StageBaseline> {
        let train = closed_by(data, as_of);
        if train.is_empty() {
            return None;
        }
        let n_won = train.iter().filter(|d| is_won(d)).count();
        let mut table: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for deal in &train {
            for stage in ctx.stages_passed(deal) {
                let e = table.entry(stage).or_default();
                e.0 += 1;
                e.1 += usize::from(is_won(deal));
            }
        }
        Some(StageBaseline {
            n_deals: train.len(),
            n_won,
            overall_win_rate: n_won as f64 / train.len() as f64,
            stages: table
                .into_iter()
                .map(|(stage, (closed, won))| StageRate {
                    stage,
                    closed,
                    won,
                    win_rate: won as f64 / closed as f64,
                    used: closed >= MIN_STAGE_DEALS,
                })
                .collect(),
        })
    }

    /// The probability for a deal whose stage (as of the date) is `stage`, and what it rests
    /// on, in words.
    pub fn rate_for(&self, stage: Option<&str>) -> (f64, String) {
        let row = stage.and_then(|s| self.stages.iter().find(|r| r.stage == s));
        match (stage, row) {
            (Some(s), Some(r)) if r.used => (
                r.win_rate,
                format!("stage {s}: {} of {} closed deals won", r.won, r.closed),
            ),
            (Some(s), Some(r)) => (
                self.overall_win_rate,
                format!(
                    "overall win rate ({} of {}): stage {s} has only {} closed deals",
                    self.n_won, self.n_deals, r.closed
                ),
            ),
            (Some(s), None) => (
                self.overall_win_rate,
                format!(
                    "overall win rate ({} of {}): no closed deal recorded in stage {s}",
                    self.n_won, self.n_deals
                ),
            ),
            (None, _) => (
                self.overall_win_rate,
                format!(
                    "overall win rate ({} of {}): stage unknown at the date",
                    self.n_won, self.n_deals
                ),
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Categories

/// Forecast categories, as sales managers call them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Likely, and the prospect stands behind the next step.
    Commit,
    /// Could close.
    BestCase,
    /// Open, not likely this time.
    Pipeline,
    /// Left out: unlikely, or nothing is happening on it.
    Omitted,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 4] = [
        Category::Commit,
        Category::BestCase,
        Category::Pipeline,
        Category::Omitted,
    ];

    /// The JSON and table name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Commit => "commit",
            Category::BestCase => "best_case",
            Category::Pipeline => "pipeline",
            Category::Omitted => "omitted",
        }
    }

    /// The rule, in words, as reports print it.
    pub fn rule(self) -> String {
        match self {
            Category::Commit => format!(
                "p >= {COMMIT_MIN:.2} and the open next step was defined or confirmed by the prospect and is not overdue"
            ),
            Category::BestCase => format!("p >= {BEST_CASE_MIN:.2} (and not commit)"),
            Category::Pipeline => "any other open deal".to_string(),
            Category::Omitted => format!(
                "p < {OMIT_BELOW:.2}, or no open next step and no call in the last {STALE_DAYS} days (this part only when the data records calls or steps); checked first"
            ),
        }
    }
}

/// The category of a deal with win probability `p` and evidence `snap` (module doc rules).
/// `activity_tracked` says whether the data records calls or steps at all.
pub fn categorize(p: f64, snap: &DealSnapshot, activity_tracked: bool) -> Category {
    let recent_call = snap.days_since_last_call.is_some_and(|d| d <= STALE_DAYS);
    let open = snap.open_step();
    if p < OMIT_BELOW || (activity_tracked && open.is_none() && !recent_call) {
        return Category::Omitted;
    }
    let backed =
        open.is_some_and(|s| (s.defined_by == DefinedBy::Prospect || s.confirmed) && !s.overdue);
    if p >= COMMIT_MIN && backed {
        Category::Commit
    } else if p >= BEST_CASE_MIN {
        Category::BestCase
    } else {
        Category::Pipeline
    }
}

// ---------------------------------------------------------------------------------------
// The report

/// A probability with what it means in money and category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Win probability.
    pub probability: f64,
    /// amount × probability, in cents (none without an amount).
    pub expected_value_cents: Option<Cents>,
    /// The category the rules give.
    pub category: Category,
}

/// One open deal in the forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastDeal {
    /// The deal.
    pub deal_id: i64,
    /// Its name.
    pub name: String,
    /// Owner.
    pub owner: Option<String>,
    /// Stage as stored.
    pub stage: String,
    /// Amount in cents.
    pub amount_cents: Option<Cents>,
    /// Expected close.
    pub expected_close: Option<NaiveDate>,
    /// True when the deal has no expected close (it is included in any period, and said so).
    pub no_expected_close: bool,
    /// The model's estimate (none when the model refused).
    pub model: Option<Estimate>,
    /// The stage-weighted estimate (none when no deal has closed).
    pub baseline: Option<Estimate>,
    /// What the baseline rate rests on.
    pub baseline_basis: Option<String>,
    /// The evidence: features as of the date, with call and step ids.
    pub evidence: DealSnapshot,
}

/// Count, amount and expected value of a set of deals.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Total {
    /// Deals.
    pub deals: usize,
    /// Sum of their amounts, cents (deals without an amount add nothing).
    pub amount_cents: Cents,
    /// Sum of amount × probability, cents.
    pub expected_value_cents: Cents,
    /// The deals.
    pub deal_ids: Vec<i64>,
}

/// One line of the totals table: a category (or `overall`), model beside baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalRow {
    /// `commit`, `best_case`, `pipeline`, `omitted` or `overall`.
    pub category: String,
    /// The rule for the category (empty for `overall`).
    pub rule: String,
    /// By the model's categories and probabilities (none when it refused).
    pub model: Option<Total>,
    /// By the baseline's.
    pub baseline: Option<Total>,
}

/// What the model was fitted on, or why it was not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    /// Fitted or not.
    pub available: bool,
    /// Why not (the polite refusal), when not.
    pub refused: Option<String>,
    /// Closed deals learnt from.
    pub n_deals: usize,
    /// Of which won.
    pub n_won: usize,
    /// Training rows (weekly snapshots).
    pub n_rows: usize,
    /// L2 weight given to linfa.
    pub alpha: f64,
    /// Log-odds intercept.
    pub intercept: f64,
    /// Weights per feature.
    pub coefficients: Vec<Coefficient>,
}

/// The forecast: every open deal with model and baseline side by side, and the totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastReport {
    /// The date it describes.
    pub as_of: NaiveDate,
    /// The quarter asked for.
    pub period: Option<Quarter>,
    /// The model, or why not.
    pub model: ModelInfo,
    /// The baseline's table, when any deal has closed.
    pub baseline: Option<StageBaseline>,
    /// Which probability decides the headline category: `model` or `baseline`.
    pub category_source: String,
    /// Per category and overall.
    pub totals: Vec<TotalRow>,
    /// Every deal in the forecast, most expected value first.
    pub deals: Vec<ForecastDeal>,
    /// Their ids, in the same order.
    pub deal_ids: Vec<i64>,
    /// Deals included without an expected close.
    pub without_expected_close: Vec<i64>,
    /// Caveats in words (refusals, missing data).
    pub notes: Vec<String>,
}

fn expected_value(amount: Option<Cents>, p: f64) -> Option<Cents> {
    amount.map(|a| (a as f64 * p).round() as Cents)
}

/// The forecast as of `as_of`, without stage history.
pub fn forecast(data: &Dataset, period: Option<Quarter>, as_of: NaiveDate) -> ForecastReport {
    forecast_with_history(data, &StageHistory::default(), period, as_of)
}

/// The forecast as of `as_of`: the deals open at the end of that day (expected to close in
/// `period` when one is given; deals without an expected close are included and listed),
/// each with the model's and the baseline's probability, expected value and category.
pub fn forecast_with_history(
    data: &Dataset,
    history: &StageHistory,
    period: Option<Quarter>,
    as_of: NaiveDate,
) -> ForecastReport {
    let ctx = Context::new(data, history);
    let mut notes = Vec::new();
    let model = match ForecastModel::fit_ctx(data, &ctx, as_of) {
        Ok(m) => Some(m),
        Err(e) => {
            notes.push(e.to_string());
            None
        }
    };
    let baseline = StageBaseline::fit_ctx(data, &ctx, as_of);
    if baseline.is_none() {
        notes.push("no closed deal yet: no stage-weighted baseline either".to_string());
    }
    if !ctx.activity_tracked {
        notes.push(
            "the data has no calls or next steps: the next-step features are empty and the no-activity rule of `omitted` is not applied"
                .to_string(),
        );
    }
    if history.is_empty() {
        notes.push(
            "no stage history: closed deals count for the stage they are stored with (terminal stages such as Won/Lost count only for the overall rate)"
                .to_string(),
        );
    }

    let open_then = |d: &&Deal| {
        let open = match (d.outcome, d.closed) {
            (None, _) => true,
            (Some(_), Some(c)) => c > as_of,
            (Some(_), None) => false,
        };
        open && d.created.is_none_or(|c| c <= as_of)
    };
    let in_period = |d: &&Deal| match (period, d.expected_close) {
        (None, _) | (_, None) => true,
        (Some(q), Some(e)) => q.contains(e),
    };

    let mut deals: Vec<ForecastDeal> = data
        .deals
        .iter()
        .filter(open_then)
        .filter(in_period)
        .map(|deal| {
            let snap = ctx.snapshot(deal, as_of);
            let estimate = |p: f64| Estimate {
                probability: p,
                expected_value_cents: expected_value(deal.amount, p),
                category: categorize(p, &snap, ctx.activity_tracked),
            };
            let m = model.as_ref().map(|m| estimate(m.predict_snapshot(&snap)));
            let (b, basis) = match &baseline {
                Some(b) => {
                    let (p, why) = b.rate_for(snap.stage.as_deref());
                    (Some(estimate(p)), Some(why))
                }
                None => (None, None),
            };
            ForecastDeal {
                deal_id: deal.id,
                name: deal.name.clone(),
                owner: deal.owner.clone(),
                stage: deal.stage.clone(),
                amount_cents: deal.amount,
                expected_close: deal.expected_close,
                no_expected_close: deal.expected_close.is_none(),
                model: m,
                baseline: b,
                baseline_basis: basis,
                evidence: snap,
            }
        })
        .collect();
    let headline = |d: &ForecastDeal| {
        d.model
            .as_ref()
            .or(d.baseline.as_ref())
            .and_then(|e| e.expected_value_cents)
            .unwrap_or(0)
    };
    deals.sort_by(|a, b| {
        headline(b)
            .cmp(&headline(a))
            .then(a.deal_id.cmp(&b.deal_id))
    });

    let total = |pick: fn(&ForecastDeal) -> Option<&Estimate>, cat: Option<Category>| {
        let mut t = Total::default();
        for d in &deals {
            let Some(e) = pick(d) else { continue };
            if cat.is_some_and(|c| c != e.category) {
                continue;
            }
            t.deals += 1;
            t.amount_cents += d.amount_cents.unwrap_or(0);
            t.expected_value_cents += e.expected_value_cents.unwrap_or(0);
            t.deal_ids.push(d.deal_id);
        }
        t
    };
    fn pick_model(d: &ForecastDeal) -> Option<&Estimate> {
        d.model.as_ref()
    }
    fn pick_base(d: &ForecastDeal) -> Option<&Estimate> {
        d.baseline.as_ref()
    }
    let mut totals: Vec<TotalRow> = Category::ALL
        .iter()
        .map(|c| TotalRow {
            category: c.as_str().to_string(),
            rule: c.rule(),
            model: model.as_ref().map(|_| total(pick_model, Some(*c))),
            baseline: baseline.as_ref().map(|_| total(pick_base, Some(*c))),
        })
        .collect();
    totals.push(TotalRow {
        category: "overall".to_string(),
        rule: String::new(),
        model: model.as_ref().map(|_| total(pick_model, None)),
        baseline: baseline.as_ref().map(|_| total(pick_base, None)),
    });

    let without: Vec<i64> = deals
        .iter()
        .filter(|d| d.no_expected_close)
        .map(|d| d.deal_id)
        .collect();
    if !without.is_empty() {
        notes.push(format!(
            "{} deal(s) have no expected close date and are included{}",
            without.len(),
            if period.is_some() {
                " in the period regardless"
            } else {
                ""
            }
        ));
    }
    let info = match &model {
        Some(m) => ModelInfo {
            available: true,
            refused: None,
            n_deals: m.n_deals,
            n_won: m.n_won,
            n_rows: m.n_rows,
            alpha: m.alpha,
            intercept: m.intercept,
            coefficients: m.coefficients(),
        },
        None => ModelInfo {
            available: false,
            refused: notes.first().cloned(),
            n_deals: 0,
            n_won: 0,
            n_rows: 0,
            alpha: ALPHA,
            intercept: 0.0,
            coefficients: Vec::new(),
        },
    };
    ForecastReport {
        as_of,
        period,
        category_source: if model.is_some() { "model" } else { "baseline" }.to_string(),
        model: info,
        baseline,
        totals,
        deal_ids: deals.iter().map(|d| d.deal_id).collect(),
        without_expected_close: without,
        deals,
        notes,
    }
}
