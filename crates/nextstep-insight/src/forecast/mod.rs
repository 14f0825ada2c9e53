//! The forecast: each open deal's win probability from the team's own closed deals, with
//! the next-step evidence the analyzer found, shown beside the plain stage-weighted
//! forecast so a manager sees how much that evidence moves the number.
//!
//! Pure, like the rest of the crate: the caller hands in a [`Dataset`](crate::Dataset)
//! (and, when the store has one, a [`StageHistory`]) and a date; nothing here reads a
//! clock.
//!
//! # What is known "as of" a date
//!
//! Every feature is computed by [`snapshot()`] from what was known at the **end of** the date:
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
//!
//! # Where it lives
//!
//! The periods ([`Quarter`]) are the crate's [`period`](crate::period) module; here,
//! `snapshot.rs` holds the stage history and what is known of a deal as of a date,
//! `model.rs` the regression, `baseline.rs` the stage-weighted baseline and `report.rs`
//! the categories and the report. This file holds the tuning constants and the error.

mod baseline;
mod model;
mod report;
mod snapshot;
mod stored;

use chrono::NaiveDate;

pub use crate::period::{ParseQuarterError, Quarter};
pub use baseline::{StageBaseline, StageRate};
pub use model::{Coefficient, ForecastModel};
pub use report::{
    Category, Estimate, ForecastDeal, ForecastReport, ModelInfo, Total, TotalRow, categorize, fit,
    forecast, forecast_open, forecast_open_keeping, forecast_with_fit, forecast_with_history,
};
pub(crate) use snapshot::Context;
pub use snapshot::{DealSnapshot, StageHistory, StepAsOf, snapshot};
pub use stored::Fit;

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
