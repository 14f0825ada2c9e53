//! Rep scorecards: how each rep handles the next step, and the **need-for-approval
//! index** that sums it up.
//!
//! The idea is Dan Caramanico's: strong sellers *ask* what the next step is, weak sellers
//! *tell*, and the weakest volunteer work to escape a call that is going badly instead of
//! naming the problem ("it looks like I may have confused you"). A seller who does that
//! is more worried about being liked than about the deal — a need for approval. The
//! scorecard measures each habit from the analyzer's judgements of the rep's own calls,
//! and every number carries the call ids it was counted from ([`Trace`]).
//!
//! # The rates (per rep, over the calls in the filter's window)
//!
//! - `ask_rate` = calls where the rep asked an open next-step question / calls.
//! - `prospect_defined_share` = calls whose step the prospect defined / calls that ended
//!   with a step (null when no call did).
//! - `prospect_confirmed_share` = calls whose step the prospect explicitly agreed to /
//!   calls that ended with a step (null when no call did).
//! - `volunteered_per_call` = volunteered items (every offer nobody asked for, bail-outs
//!   included) / calls.
//! - `bail_out_rate` = calls with a bail-out / calls with at least one negative signal
//!   (null when no call had one). A bail-out always follows a signal, so it is 0–1.
//! - `confront_rate` = calls with a negative signal *and* a confrontation (the rep named
//!   the difficulty or said there may be no fit) / calls with a negative signal (null when
//!   none). Naming a problem nobody showed is not counted, so the rate stays 0–1.
//! - `early_disqualifications` = distinct deals the rep let go early: a call that ended
//!   with no step after the rep named no fit (a confrontation whose `why` starts with
//!   `named no fit`), plus deals closed `disqualified` (closed inside the window when the
//!   filter has dates). A deal that is both is counted once.
//!
//! # The need-for-approval index (0–100, higher is worse)
//!
//! A weighted mean of six parts, each 0–1, times 100:
//!
//! | part | value | weight |
//! |---|---|---|
//! | `telling` | 1 − `ask_rate` | 0.20 |
//! | `seller_defined` | 1 − `prospect_defined_share` | 0.15 |
//! | `unconfirmed` | 1 − `prospect_confirmed_share` | 0.10 |
//! | `bail_out` | `bail_out_rate` | 0.25 |
//! | `volunteering` | min(1, `volunteered_per_call`) | 0.15 |
//! | `avoiding_confrontation` | 1 − `confront_rate` | 0.15 |
//!
//! `index = 100 × Σ wᵢ·vᵢ / Σ wᵢ`, the sums over the parts that have data. A part whose
//! rate is null (no call ended with a step; no call had a negative signal) is **left out
//! and the remaining weights renormalised**, so a rep is never punished or rewarded for
//! what their calls give no evidence of. Each part reports its `value`, its nominal
//! `weight`, its `effective_weight` (wᵢ / Σ wⱼ, 0 when left out) and its `contribution`
//! (100 × effective_weight × value): the contributions add up to the index. Bail-outs
//! weigh most because they are the costliest habit (work done to avoid a conversation);
//! asking weighs next because it is the habit the whole method rests on. Early
//! disqualifications are reported but not part of the index: they are rare and their
//! absence says little.
//!
//! Reps are ranked best first: lowest index, then name.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use nextstep_analyzer::{AskInstead, Moment, Side, SignalType};
use nextstep_core::Outcome;
use serde::Serialize;

use crate::period::IsoWeek;
use nextstep_core::dataset::{CallRecord, Dataset};

/// Which calls and reps a scorecard covers, as `nextstep coach` takes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoachFilter {
    /// Only this rep (exact name).
    pub rep: Option<String>,
    /// Only the reps whose manager has this name (the team view).
    pub team_manager: Option<String>,
    /// Only calls on or after this date.
    pub since: Option<NaiveDate>,
    /// Only calls on or before this date.
    pub until: Option<NaiveDate>,
}

impl CoachFilter {
    pub(crate) fn in_window(&self, date: NaiveDate) -> bool {
        self.since.is_none_or(|s| date >= s) && self.until.is_none_or(|u| date <= u)
    }
}

/// One part of the need-for-approval index, shown so a manager can see what drives it
/// and check the sum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Part {
    /// The part's value, 0–1 (1 = the habit at its worst); null when the calls give no
    /// evidence (the part is then left out).
    pub value: Option<f64>,
    /// The nominal weight from the formula.
    pub weight: f64,
    /// The weight after renormalising over the parts that have data (0 when left out).
    pub effective_weight: f64,
    /// 100 × effective_weight × value: the part's points in the index.
    pub contribution: f64,
}

/// The six parts of the need-for-approval index (see the module doc for the formula).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Parts {
    /// 1 − ask rate: telling instead of asking.
    pub telling: Part,
    /// 1 − prospect-defined share: the seller defined the step.
    pub seller_defined: Part,
    /// 1 − prospect-confirmed share: steps the prospect never agreed to.
    pub unconfirmed: Part,
    /// Bail-out rate.
    pub bail_out: Part,
    /// min(1, volunteered items per call).
    pub volunteering: Part,
    /// 1 − confront rate: negative signals left unnamed.
    pub avoiding_confrontation: Part,
}

impl Parts {
    /// Nominal weights, in [`Parts::iter`] order; they add up to 1.
    pub const WEIGHTS: [(&'static str, f64); 6] = [
        ("telling", 0.20),
        ("seller_defined", 0.15),
        ("unconfirmed", 0.10),
        ("bail_out", 0.25),
        ("volunteering", 0.15),
        ("avoiding_confrontation", 0.15),
    ];

    /// Every part with its name, so renderers and tests can walk them.
    pub fn iter(&self) -> [(&'static str, Part); 6] {
        [
            ("telling", self.telling),
            ("seller_defined", self.seller_defined),
            ("unconfirmed", self.unconfirmed),
            ("bail_out", self.bail_out),
            ("volunteering", self.volunteering),
            ("avoiding_confrontation", self.avoiding_confrontation),
        ]
    }

    /// The sum of the contributions: the index.
    pub fn total(&self) -> f64 {
        self.iter().iter().map(|(_, p)| p.contribution).sum()
    }
}

/// The call ids behind every rate, so each number can be traced to its calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// Calls where the rep asked an open next-step question (ask-rate numerator).
    pub asked: Vec<i64>,
    /// Calls that ended with a step (denominator of the two shares).
    pub with_step: Vec<i64>,
    /// Calls whose step the prospect defined.
    pub prospect_defined: Vec<i64>,
    /// Calls whose step the prospect confirmed.
    pub confirmed: Vec<i64>,
    /// Calls with at least one volunteered item (an id per call, not per item).
    pub volunteered: Vec<i64>,
    /// Number of volunteered items (numerator of `volunteered_per_call`).
    pub volunteered_items: usize,
    /// Calls with at least one negative signal (denominator of the bail-out and confront
    /// rates).
    pub with_negative_signal: Vec<i64>,
    /// Calls with a bail-out.
    pub bail_out: Vec<i64>,
    /// Number of bail-out moments.
    pub bail_out_items: usize,
    /// Calls with a negative signal and a confrontation (confront-rate numerator).
    pub confronted: Vec<i64>,
}

/// Early disqualifications: deals the rep let go instead of chasing them with work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EarlyDisqualifications {
    /// Distinct deals among the two lists below.
    pub count: usize,
    /// Calls that ended without a step after the rep named no fit.
    pub call_ids: Vec<i64>,
    /// The rep's deals closed `disqualified`, and the deals of the calls above.
    pub deal_ids: Vec<i64>,
}

/// One week of a rep's trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekPoint {
    /// ISO week, `2026-W48`.
    pub week: String,
    /// The week's Monday.
    pub monday: NaiveDate,
    /// Calls that week.
    pub calls: usize,
    /// Their ids.
    pub call_ids: Vec<i64>,
    /// Ask rate that week.
    pub ask_rate: f64,
    /// Bail-out moments that week.
    pub bail_outs: usize,
    /// Bail-out rate that week (null when no call had a negative signal).
    pub bail_out_rate: Option<f64>,
    /// The index over that week's calls alone.
    pub need_for_approval: f64,
}

/// What kind of moment a coaching quote is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MomentKind {
    /// Work volunteered right after an unnamed negative signal.
    BailOut,
    /// The rep defined the step (told) and the prospect never agreed.
    ToldUnconfirmed,
    /// The rep defined the step (told); the prospect agreed.
    Told,
    /// Work offered that nobody asked for.
    Volunteered,
}

/// A quoted moment from the rep's own calls, with what they could have asked instead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoachMoment {
    /// What the moment shows.
    pub kind: MomentKind,
    /// The call it is from.
    pub call_id: i64,
    /// The call's deal.
    pub deal_id: i64,
    /// The call date.
    pub date: NaiveDate,
    /// Who said it.
    pub speaker: String,
    /// Seconds from the start of the call, when the transcript has times.
    pub start: Option<f64>,
    /// `m:ss` (or `h:mm:ss`) of `start`.
    pub timestamp: Option<String>,
    /// The sentence, verbatim.
    pub quote: String,
    /// The analyzer's reason.
    pub why: String,
    /// For a bail-out: the prospect's signal type (`confusion`, …).
    pub signal: Option<String>,
    /// For a bail-out: the prospect's words the rep did not name.
    pub signal_quote: Option<String>,
    /// The question the rep could have asked instead.
    pub instead: String,
}

/// One rep's scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepScorecard {
    /// The rep.
    pub name: String,
    /// Their manager, when known.
    pub manager: Option<String>,
    /// Calls analysed in the window.
    pub calls: usize,
    /// Their ids, oldest first.
    pub call_ids: Vec<i64>,
    /// Calls with an open next-step question / calls.
    pub ask_rate: f64,
    /// Prospect-defined steps / calls with a step.
    pub prospect_defined_share: Option<f64>,
    /// Confirmed steps / calls with a step.
    pub prospect_confirmed_share: Option<f64>,
    /// Volunteered items / calls.
    pub volunteered_per_call: f64,
    /// Calls with a bail-out / calls with a negative signal.
    pub bail_out_rate: Option<f64>,
    /// Calls with a signal and a confrontation / calls with a negative signal.
    pub confront_rate: Option<f64>,
    /// Deals let go early.
    pub early_disqualifications: EarlyDisqualifications,
    /// The index, 0–100 (higher = more need for approval).
    pub need_for_approval: f64,
    /// Its parts; their contributions add up to it.
    pub parts: Parts,
    /// The call ids behind each rate.
    pub trace: Trace,
    /// Week by week, oldest first (weeks without calls are left out).
    pub weekly: Vec<WeekPoint>,
    /// The three most instructive moments: bail-outs, then told steps, then volunteering.
    pub moments: Vec<CoachMoment>,
}

/// Medians across the reps in a report (each over the reps that have the value).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TeamMedians {
    /// Median ask rate.
    pub ask_rate: Option<f64>,
    /// Median prospect-defined share.
    pub prospect_defined_share: Option<f64>,
    /// Median prospect-confirmed share.
    pub prospect_confirmed_share: Option<f64>,
    /// Median volunteered items per call.
    pub volunteered_per_call: Option<f64>,
    /// Median bail-out rate.
    pub bail_out_rate: Option<f64>,
    /// Median confront rate.
    pub confront_rate: Option<f64>,
    /// Median count of early disqualifications.
    pub early_disqualifications: Option<f64>,
    /// Median index.
    pub need_for_approval: Option<f64>,
}

/// The team view: how many, the team's own medians, and the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamSummary {
    /// The manager when the report is one team's.
    pub manager: Option<String>,
    /// Reps with a scorecard.
    pub reps: usize,
    /// Calls across them.
    pub calls: usize,
    /// Medians of every rate and of the index.
    pub medians: TeamMedians,
    /// Rep names, best (lowest index) first.
    pub ranking: Vec<String>,
}

/// `nextstep coach`'s answer: scorecards ranked best first, and the team summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoachReport {
    /// One scorecard per rep with calls in the window, best first.
    pub reps: Vec<RepScorecard>,
    /// The team view.
    pub team: TeamSummary,
}

/// The counts over a set of calls that every rate and the index come from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    pub(crate) calls: Vec<i64>,
    pub(crate) trace: Trace,
}

impl Tally {
    pub(crate) fn of<'a>(calls: impl IntoIterator<Item = &'a CallRecord>) -> Tally {
        let mut t = Tally::default();
        for c in calls {
            let a = &c.analysis;
            let id = c.call_id;
            t.calls.push(id);
            if a.asked_next_step || !a.asks.is_empty() {
                t.trace.asked.push(id);
            }
            if let Some(step) = &a.next_step {
                t.trace.with_step.push(id);
                if step.defined_by == Side::Prospect {
                    t.trace.prospect_defined.push(id);
                }
                if step.confirmed_by_prospect {
                    t.trace.confirmed.push(id);
                }
            }
            if !a.volunteered.is_empty() {
                t.trace.volunteered.push(id);
                t.trace.volunteered_items += a.volunteered.len();
            }
            if !a.negative_signals.is_empty() {
                t.trace.with_negative_signal.push(id);
                if !a.confrontations.is_empty() {
                    t.trace.confronted.push(id);
                }
            }
            if !a.bail_outs.is_empty() {
                t.trace.bail_out.push(id);
                t.trace.bail_out_items += a.bail_outs.len();
            }
        }
        t
    }

    pub(crate) fn n(&self) -> usize {
        self.calls.len()
    }

    pub(crate) fn ask_rate(&self) -> f64 {
        ratio(self.trace.asked.len(), self.n()).unwrap_or(0.0)
    }

    pub(crate) fn prospect_defined_share(&self) -> Option<f64> {
        ratio(
            self.trace.prospect_defined.len(),
            self.trace.with_step.len(),
        )
    }

    pub(crate) fn prospect_confirmed_share(&self) -> Option<f64> {
        ratio(self.trace.confirmed.len(), self.trace.with_step.len())
    }

    pub(crate) fn volunteered_per_call(&self) -> f64 {
        ratio(self.trace.volunteered_items, self.n()).unwrap_or(0.0)
    }

    pub(crate) fn bail_out_rate(&self) -> Option<f64> {
        ratio(
            self.trace.bail_out.len(),
            self.trace.with_negative_signal.len(),
        )
    }

    pub(crate) fn confront_rate(&self) -> Option<f64> {
        ratio(
            self.trace.confronted.len(),
            self.trace.with_negative_signal.len(),
        )
    }

    pub(crate) fn parts(&self) -> Parts {
        let values = [
            (self.n() > 0).then(|| 1.0 - self.ask_rate()),
            self.prospect_defined_share().map(|s| 1.0 - s),
            self.prospect_confirmed_share().map(|s| 1.0 - s),
            self.bail_out_rate(),
            (self.n() > 0).then(|| self.volunteered_per_call().min(1.0)),
            self.confront_rate().map(|r| 1.0 - r),
        ];
        let present: f64 = Parts::WEIGHTS
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_some())
            .map(|((_, w), _)| w)
            .sum();
        let part = |i: usize| {
            let weight = Parts::WEIGHTS[i].1;
            match values[i] {
                Some(v) if present > 0.0 => {
                    let effective_weight = weight / present;
                    Part {
                        value: Some(v),
                        weight,
                        effective_weight,
                        contribution: 100.0 * effective_weight * v,
                    }
                }
                _ => Part {
                    value: None,
                    weight,
                    effective_weight: 0.0,
                    contribution: 0.0,
                },
            }
        };
        Parts {
            telling: part(0),
            seller_defined: part(1),
            unconfirmed: part(2),
            bail_out: part(3),
            volunteering: part(4),
            avoiding_confrontation: part(5),
        }
    }
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The median of the values, `None` when there are none (the mean of the two middle
/// values for an even count).
pub fn median(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

/// `m:ss`, or `h:mm:ss` past the hour, of a time in seconds.
pub fn timestamp(start: Option<f64>) -> Option<String> {
    let t = start.filter(|t| t.is_finite() && *t >= 0.0)? as u64;
    Some(if t >= 3600 {
        format!("{}:{:02}:{:02}", t / 3600, (t / 60) % 60, t % 60)
    } else {
        format!("{}:{:02}", t / 60, t % 60)
    })
}

/// Reads a bail-out's `why` (`bail-out: volunteered after confusion ("…") without naming
/// it`) back into the signal type and the prospect's words.
pub fn parse_bail_out_why(why: &str) -> (Option<SignalType>, Option<String>) {
    let Some(rest) = why.strip_prefix("bail-out: volunteered after ") else {
        return (None, None);
    };
    let name = rest.split([' ', '(']).next().unwrap_or("");
    let quote = rest
        .find("(\"")
        .and_then(|open| {
            let inner = &rest[open + 2..];
            inner
                .rfind("\") without naming it")
                .or_else(|| inner.rfind("\")"))
                .map(|close| inner[..close].to_string())
        })
        .filter(|q| !q.is_empty());
    (SignalType::from_name(name), quote)
}

fn moment_from(c: &CallRecord, kind: MomentKind, m: &Moment, instead: &str) -> CoachMoment {
    CoachMoment {
        kind,
        call_id: c.call_id,
        deal_id: c.deal_id,
        date: c.date,
        speaker: m.speaker.clone(),
        start: m.start,
        timestamp: timestamp(m.start),
        quote: m.text.clone(),
        why: m.why.clone(),
        signal: None,
        signal_quote: None,
        instead: instead.to_string(),
    }
}

/// Every coaching moment of the calls, most instructive first: bail-outs, then told and
/// unconfirmed steps, then told steps, then plain volunteering; within a kind the most
/// recent call first. A sentence appears once (a bail-out is not repeated as volunteering
/// or as the told step it became).
pub(crate) fn instructive_moments<'a>(
    calls: impl IntoIterator<Item = &'a CallRecord>,
    limit: usize,
    instead: &AskInstead,
) -> Vec<CoachMoment> {
    let mut all = Vec::new();
    for c in calls {
        let a = &c.analysis;
        for b in &a.bail_outs {
            // The moment carries its signal as data; analyses stored before it did are
            // read back from the prose `why`.
            let (parsed, parsed_quote) = parse_bail_out_why(&b.why);
            let signal = b.signal.or(parsed);
            let quote = b.signal_text.clone().or(parsed_quote);
            let mut m = moment_from(c, MomentKind::BailOut, b, instead.name_it(signal));
            m.signal = signal.map(|s| s.as_str().to_string());
            m.signal_quote = quote;
            all.push(m);
        }
        if let Some(step) = &a.next_step
            && step.defined_by == Side::Seller
        {
            let kind = if step.confirmed_by_prospect {
                MomentKind::Told
            } else {
                MomentKind::ToldUnconfirmed
            };
            let defining = step.evidence.first().cloned().unwrap_or_else(|| Moment {
                speaker: c.rep.clone().unwrap_or_default(),
                start: None,
                text: step.action.clone(),
                why: "seller defined".into(),
                ..Moment::default()
            });
            all.push(moment_from(c, kind, &defining, instead.ask()));
        }
        for v in &a.volunteered {
            all.push(moment_from(
                c,
                MomentKind::Volunteered,
                v,
                instead.volunteer(),
            ));
        }
    }
    all.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then(b.date.cmp(&a.date))
            .then(b.call_id.cmp(&a.call_id))
            .then(
                a.start
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&b.start.unwrap_or(f64::INFINITY)),
            )
    });
    let mut seen = BTreeSet::new();
    all.retain(|m| {
        let start_bits = m.start.map(f64::to_bits);
        seen.insert((m.call_id, m.quote.clone(), start_bits))
    });
    all.truncate(limit);
    all
}

fn weekly(calls: &[&CallRecord]) -> Vec<WeekPoint> {
    let mut weeks: BTreeMap<IsoWeek, Vec<&CallRecord>> = BTreeMap::new();
    for c in calls {
        weeks.entry(IsoWeek::of(c.date)).or_default().push(c);
    }
    weeks
        .into_iter()
        .map(|(week, cs)| {
            let t = Tally::of(cs.iter().copied());
            WeekPoint {
                week: week.to_string(),
                monday: week.monday(),
                calls: t.n(),
                call_ids: t.calls.clone(),
                ask_rate: t.ask_rate(),
                bail_outs: t.trace.bail_out_items,
                bail_out_rate: t.bail_out_rate(),
                need_for_approval: t.parts().total(),
            }
        })
        .collect()
}

fn names_no_fit(c: &CallRecord) -> bool {
    c.analysis.confrontations.iter().any(|m| {
        m.act == Some(nextstep_analyzer::acts::Act::Disqualify) || m.why.starts_with("named no fit")
    })
}

/// A rep's scorecard from their tally, however the tally was counted (from whole calls
/// here, from per-call facts in `coach_facts`), so both reports fill it the same way.
pub(crate) fn card_from_tally(
    name: &str,
    manager: Option<String>,
    t: &Tally,
    dq_call_ids: Vec<i64>,
    deal_ids: BTreeSet<i64>,
    weekly: Vec<WeekPoint>,
    moments: Vec<CoachMoment>,
) -> RepScorecard {
    let parts = t.parts();
    RepScorecard {
        name: name.to_string(),
        manager,
        calls: t.n(),
        call_ids: t.calls.clone(),
        ask_rate: t.ask_rate(),
        prospect_defined_share: t.prospect_defined_share(),
        prospect_confirmed_share: t.prospect_confirmed_share(),
        volunteered_per_call: t.volunteered_per_call(),
        bail_out_rate: t.bail_out_rate(),
        confront_rate: t.confront_rate(),
        early_disqualifications: EarlyDisqualifications {
            count: deal_ids.len(),
            call_ids: dq_call_ids,
            deal_ids: deal_ids.into_iter().collect(),
        },
        need_for_approval: parts.total(),
        parts,
        trace: t.trace.clone(),
        weekly,
        moments,
    }
}

fn scorecard(
    data: &Dataset,
    name: &str,
    manager: Option<String>,
    calls: &[&CallRecord],
    filter: &CoachFilter,
    instead: &AskInstead,
) -> RepScorecard {
    let t = Tally::of(calls.iter().copied());

    let dq_calls: Vec<&CallRecord> = calls
        .iter()
        .copied()
        .filter(|c| c.analysis.next_step.is_none() && names_no_fit(c))
        .collect();
    let mut deal_ids: BTreeSet<i64> = dq_calls.iter().map(|c| c.deal_id).collect();
    let dated = filter.since.is_some() || filter.until.is_some();
    for d in &data.deals {
        if d.owner.as_deref() == Some(name)
            && d.outcome == Some(Outcome::Disqualified)
            && match d.closed {
                Some(closed) => filter.in_window(closed),
                None => !dated,
            }
        {
            deal_ids.insert(d.id);
        }
    }

    card_from_tally(
        name,
        manager,
        &t,
        dq_calls.iter().map(|c| c.call_id).collect(),
        deal_ids,
        weekly(calls),
        instructive_moments(calls.iter().copied(), 3, instead),
    )
}

/// The manager of a rep, from the dataset's reps.
pub(crate) fn manager_of(data: &Dataset, rep: &str) -> Option<String> {
    data.reps
        .iter()
        .find(|r| r.name == rep)
        .and_then(|r| r.manager.clone())
}

/// Builds a scorecard for every rep the filter selects who has at least one analysed
/// call in the window (calls whose deal has no owner are nobody's to coach), ranked best
/// first, with the team's medians. This is `nextstep coach`.
pub fn scorecards(data: &Dataset, filter: &CoachFilter, instead: &AskInstead) -> CoachReport {
    let mut by_rep: BTreeMap<&str, Vec<&CallRecord>> = BTreeMap::new();
    for c in &data.calls {
        let Some(rep) = c.rep.as_deref() else {
            continue;
        };
        if filter.rep.as_deref().is_some_and(|r| r != rep) || !filter.in_window(c.date) {
            continue;
        }
        by_rep.entry(rep).or_default().push(c);
    }
    let reps: Vec<RepScorecard> = by_rep
        .into_iter()
        .filter_map(|(name, mut calls)| {
            let manager = manager_of(data, name);
            if let Some(team) = &filter.team_manager
                && manager.as_deref() != Some(team.as_str())
            {
                return None;
            }
            calls.sort_by_key(|c| (c.date, c.call_id));
            Some(scorecard(data, name, manager, &calls, filter, instead))
        })
        .collect();
    ranked_report(reps, filter)
}

/// The report from the reps' scorecards, however they were counted (from whole calls
/// here, from per-call facts in `coach_facts`): ranked by the index, lowest first, with
/// the team's medians.
pub(crate) fn ranked_report(mut reps: Vec<RepScorecard>, filter: &CoachFilter) -> CoachReport {
    reps.sort_by(|a, b| {
        a.need_for_approval
            .total_cmp(&b.need_for_approval)
            .then_with(|| a.name.cmp(&b.name))
    });
    let med = |f: &dyn Fn(&RepScorecard) -> Option<f64>| median(reps.iter().filter_map(f));
    let medians = TeamMedians {
        ask_rate: med(&|r| Some(r.ask_rate)),
        prospect_defined_share: med(&|r| r.prospect_defined_share),
        prospect_confirmed_share: med(&|r| r.prospect_confirmed_share),
        volunteered_per_call: med(&|r| Some(r.volunteered_per_call)),
        bail_out_rate: med(&|r| r.bail_out_rate),
        confront_rate: med(&|r| r.confront_rate),
        early_disqualifications: med(&|r| Some(r.early_disqualifications.count as f64)),
        need_for_approval: med(&|r| Some(r.need_for_approval)),
    };
    let team = TeamSummary {
        manager: filter.team_manager.clone(),
        reps: reps.len(),
        calls: reps.iter().map(|r| r.calls).sum(),
        medians,
        ranking: reps.iter().map(|r| r.name.clone()).collect(),
    };
    CoachReport { reps, team }
}
