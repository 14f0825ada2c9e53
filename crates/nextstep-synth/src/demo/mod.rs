//! `nextstep demo`'s data: a sales team, its accounts, 200 deals over the two quarters
//! before "today", and the recorded calls on those deals, each call written in one of
//! the six transcript styles real tools export.
//!
//! Why generate instead of shipping files: the first README command has to show every
//! report (pipeline hygiene, the coaching scorecard, the forecast) with numbers that
//! mean something, and that needs hundreds of calls whose labels are known. Generation
//! is deterministic — a small xorshift PRNG seeded by the caller, no `rand` — so the
//! same seed and date give byte-identical data on every machine, and tests can pin it.
//!
//! # The team
//!
//! A manager, Rachel Lindgren, and six reps. Each rep's habits are a probability
//! profile ([`team::Habit`]), not a script; rolls against it decide each call's moments:
//!
//! | rep | habit | profile |
//! |---|---|---|
//! | Priya Raman | **asks** | asks an open next-step question at 90% of closes, so prospects define the step; names negative signals (65%); almost never volunteers or bails out |
//! | Jordan Pike | **bails out** | when a prospect is confused, doubtful, objects, loses interest or stalls, volunteers a proposal, quote or materials right away (90%) without naming it; rarely asks (8%) |
//! | Amélie Fournier | **disqualifies early** | on a deal with no fit, says "maybe there isn't a good fit here" (95%) and ends without a step, so her bad deals close early as disqualified; names signals (60%) |
//! | Marcus Bell | **tells** | closes with "shall we…" suggestions or "I'll send you…" promises, hardly ever asks (4%), and prospects explicitly agree to his steps only 25% of the time |
//! | Hannah Cho | **volunteers** | offers deliverables often (80% when things are going well) but names negative signals (50%) instead of bailing out (10%) |
//! | Diego Santos | **balanced** | a bit of everything: asks half the time, names a third of signals, bails out on some |
//!
//! # Deals and outcomes
//!
//! Each deal has hidden facts (does the product fit the account, how warm is the buyer)
//! that shape its calls together with the rep's habits. Closed deals' outcomes then
//! depend on what the calls did: a last step the prospect defined wins more, a confirmed
//! seller step a little more, an unconfirmed or missing step less, and every bail-out
//! costs. So a forecast trained on the next-step features learns something real, and the
//! scorecard's ranking (the asker best, the bail-out rep worst) is in the data.
//!
//! # Labels
//!
//! Every call carries the [`Intended`] labels it was written to have, kept by the same
//! bookkeeping the README's rules describe; this crate's `tests/demo_data.rs` analyses
//! every call and checks the analyzer agrees.

mod calls;
mod deals;
mod market;
mod phrases;
mod team;

use chrono::NaiveDate;
use nextstep_analyzer::{Kind, Side};
use nextstep_core::{NewAccount, NewDeal, NewRep};
use nextstep_transcript::Format;

pub use crate::style::Style;
pub use team::{DemoRep, Habit, MANAGER, REPS};

/// How many deals the demo team has.
pub const DEAL_COUNT: usize = 200;

/// Everything `nextstep demo` loads into its database.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    /// The manager first, then the six reps.
    pub reps: Vec<NewRep>,
    /// The accounts the deals belong to.
    pub accounts: Vec<NewAccount>,
    /// The deals, `DEMO-0001` onwards, oldest first.
    pub deals: Vec<NewDeal>,
    /// The recorded calls, by deal then date.
    pub calls: Vec<DemoCall>,
}

/// One recorded call, as a file a user would have exported from their meeting tool.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCall {
    /// The deal's external id (`DEMO-0001`).
    pub deal_external_id: String,
    /// The call date.
    pub date: NaiveDate,
    /// A file name with the deal, the date and the right extension
    /// (`DEMO-0001-2026-08-14.vtt`), so `analyze` finds the date without `--date`.
    pub file_name: String,
    /// The transcript format the file is in.
    pub format: Format,
    /// Which export style wrote it (Teams and Zoom are both WebVTT).
    pub style: Style,
    /// The file content.
    pub text: String,
    /// The seller-side speakers (the deal owner, and the manager when she joined), for
    /// `--seller`.
    pub sellers: Vec<String>,
    /// The labels the call was written to have.
    pub intended: Intended,
}

/// The judgements a call was written to produce, in the README's terms: what a correct
/// analysis of the call says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Intended {
    /// Who defined the step the call ended with; `None` when it ended without one.
    pub defined_by: Option<Side>,
    /// Whether the prospect explicitly agreed to it; `None` without a step.
    pub confirmed: Option<bool>,
    /// The step's kind; `None` without a step.
    pub kind: Option<Kind>,
    /// The seller asked an open question about the next step.
    pub asked: bool,
    /// The seller offered a deliverable nobody asked for.
    pub volunteered: bool,
    /// The seller volunteered while a negative signal was unnamed.
    pub bail_out: bool,
    /// The seller named the difficulty in the conversation.
    pub confronted: bool,
    /// The seller said there was no fit and the call ended without a step.
    pub disqualified: bool,
    /// The prospect showed at least one negative signal (the bail-out rate's denominator).
    pub negative_signal: bool,
}

/// Generates the demo team, accounts, deals and calls for `seed`, with the deals spread
/// over the two quarters (182 days) before `today`. Same inputs, same data.
pub fn generate(seed: u64, today: NaiveDate) -> DemoData {
    deals::generate(seed, today)
}
