//! The step chooser: which of the steps said in a call is the one it ended with.
//!
//! The dialogue rules keep one step on the table and let a later one replace it by
//! hand-written precedence (the first of a turn, an addition is not a replacement, a
//! stall withdraws a suggestion…). On calls nobody tuned them to, that precedence picks
//! the wrong one of several things said in a closing about as often as the right one.
//! The chooser weighs every step said in the call — with what the rules made of it,
//! where it sits, whether the prospect agreed, what came after — against "no step at
//! all", with a conditional-logit model trained on labelled calls (`nextstep
//! train-steps`). The rules still find the steps, their kinds, dates and evidence; the
//! chooser only picks among them.

use chrono::NaiveDate;

use crate::acts::Act;
use crate::acts::weights::{dot, softmax};
use crate::dialogue::{Fate, Findings, Left, StepOption, option_step};
use crate::model::{Kind, Moment, NextStep, Side};
use crate::offers::{OFFER_FEATURES, offer_probability, offer_row};
use crate::sentence::{Basis, Frame, Sentence};

/// The chooser the analyzer ships, trained by `scripts/train-steps.sh` on the
/// repository's labelled calls.
const SHIPPED: &str = include_str!("../model/steps.json");

/// The model file's format tag.
const FORMAT: &str = "nextstep-steps/1";

/// How strongly training pulls weights towards zero (L2, on the summed loss).
pub const DEFAULT_L2: f32 = 1.0;

/// Full-batch Adam steps: the loss is convex and small, so this is converged.
const TRAIN_STEPS: usize = 3000;
const LEARNING_RATE: f32 = 0.05;

/// The features of one choice, in model order. Options fill the first block and leave
/// the last four ("none: …") at zero; the "no step" choice is the reverse.
pub const FEATURES: [&str; 53] = [
    "fate: on the table",
    "fate: added to the seller's",
    "fate: took up the seller's",
    "fate: detail",
    "fate: said again",
    "fate: seller took it on",
    "fate: seller scheduled the prospect's",
    "fate: only the model read a step",
    "left: never on the table",
    "left: final",
    "left: replaced",
    "left: declined",
    "left: stalled",
    "left: disqualified",
    "frame: commit",
    "frame: request",
    "frame: joint",
    "seller",
    "basis: cue",
    "basis: probability",
    "position in the call",
    "ln(1 + turns to the end)",
    "last step said",
    "ln(1 + steps said after)",
    "ln(1 + turns to the next step said)",
    "ln(1 + turns since the step said before)",
    "answering an open ask",
    "confirmed",
    "has a due date",
    "said while a negative signal was open",
    "question",
    "ln(1 + prospect stalls and declines after)",
    "ln(1 + prospect negative signals after)",
    "call disqualified",
    "act: request",
    "act: commit",
    "act: suggest",
    "act: closed suggestion",
    "act: stall",
    "act: decline",
    "lexicon: kind word",
    "lexicon: frame",
    "seller × confirmed",
    "seller × ln(1 + stalls after)",
    "seller × commit",
    "answer: agreement",
    "answer: non-committal",
    "answer: decline",
    "answer: stall",
    "none: bias",
    "none: no step said",
    "none: the rules found none",
    "none: call disqualified",
];

/// Why a step-chooser file could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChooserError {
    /// Not JSON of the expected shape.
    #[error("not a step-chooser file: {0}")]
    Malformed(String),
    /// Written by another version of nextstep, with other features.
    #[error("step-chooser file has format {found:?} and {features} features; this nextstep reads {FORMAT:?} with {} features", FEATURES.len())]
    Incompatible {
        /// The file's format tag.
        found: String,
        /// How many features it has.
        features: usize,
    },
}

/// What a step-chooser file holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChooserFile {
    /// `nextstep-steps/1`.
    pub format: String,
    /// The labelled sets it was trained on (labels file names), for provenance.
    pub trained_on: Vec<String>,
    /// How many calls.
    pub calls: usize,
    /// The L2 strength it was trained with.
    pub l2: f32,
    /// Feature names, in weight order (checked against [`FEATURES`]).
    pub features: Vec<String>,
    /// One weight per feature.
    pub weights: Vec<f32>,
    /// The offer model's feature names (checked against [`OFFER_FEATURES`]).
    pub offer_features: Vec<String>,
    /// The offer model's weights.
    pub offer_weights: Vec<f32>,
}

/// A trained chooser: one weight per feature, and the offer model that travels with it
/// (both learn from the same labelled calls).
#[derive(Debug, Clone, PartialEq)]
pub struct StepChooser {
    weights: Vec<f32>,
    offer_weights: Vec<f32>,
}

/// What a labelled call says its step was: the side that defined it (none: the call
/// ended without one) and the kinds that are right; and whether the seller volunteered.
#[derive(Debug, Clone, PartialEq)]
pub struct StepLabel {
    /// Who defined the step, or `None` for a call that ended without one.
    pub defined_by: Option<Side>,
    /// Every kind the label accepts.
    pub kinds: Vec<Kind>,
    /// Whether the seller volunteered work (`None`: not decided, not learned from).
    pub volunteered: Option<bool>,
}

/// One labelled call as the trainer sees it: for the chooser, a feature row per choice
/// (row 0 is "no step") and which choices the label accepts (`None` when the label's step
/// is not among the steps said); for the offer model, a row per sentence that may offer
/// work and the call's `volunteered` label.
#[derive(Debug, Clone, PartialEq)]
pub struct StepExample {
    choice: Option<Choice>,
    offers: Vec<[f32; OFFER_FEATURES.len()]>,
    volunteered: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
struct Choice {
    rows: Vec<[f32; FEATURES.len()]>,
    accepted: Vec<bool>,
}

impl StepChooser {
    /// The chooser nextstep ships.
    pub fn shipped() -> StepChooser {
        StepChooser::from_json(SHIPPED).expect("the shipped step chooser reads")
    }

    /// Reads a file written by [`StepChooser::to_json`].
    pub fn from_json(text: &str) -> Result<StepChooser, ChooserError> {
        let file: ChooserFile =
            serde_json::from_str(text).map_err(|e| ChooserError::Malformed(e.to_string()))?;
        let same = file.format == FORMAT
            && file.weights.len() == FEATURES.len()
            && file.features.iter().map(String::as_str).eq(FEATURES)
            && file.offer_weights.len() == OFFER_FEATURES.len()
            && file
                .offer_features
                .iter()
                .map(String::as_str)
                .eq(OFFER_FEATURES);
        if !same {
            return Err(ChooserError::Incompatible {
                found: file.format,
                features: file.features.len(),
            });
        }
        Ok(StepChooser {
            weights: file.weights,
            offer_weights: file.offer_weights,
        })
    }

    /// The file to ship or hand to `--steps`.
    pub fn to_json(&self, trained_on: Vec<String>, calls: usize, l2: f32) -> String {
        let file = ChooserFile {
            format: FORMAT.to_string(),
            trained_on,
            calls,
            l2,
            features: FEATURES.iter().map(|f| f.to_string()).collect(),
            weights: self.weights.clone(),
            offer_features: OFFER_FEATURES.iter().map(|f| f.to_string()).collect(),
            offer_weights: self.offer_weights.clone(),
        };
        serde_json::to_string_pretty(&file).expect("a chooser file serialises")
    }

    /// Fits both models to labelled calls: the chooser as a conditional logit over each
    /// call's choices (maximising the probability of the choices its label accepts), the
    /// offer model as a noisy-or over each call's sentences against its `volunteered`
    /// label. Deterministic.
    pub fn train(examples: &[StepExample], l2: f32) -> StepChooser {
        let choices: Vec<&Choice> = examples.iter().filter_map(|e| e.choice.as_ref()).collect();
        let weights = adam(FEATURES.len(), l2, |w, g| {
            for c in &choices {
                choice_gradient(c, w, g);
            }
        });
        let offers: Vec<(&[[f32; OFFER_FEATURES.len()]], bool)> = examples
            .iter()
            .filter_map(|e| Some((e.offers.as_slice(), e.volunteered?)))
            .filter(|(rows, _)| !rows.is_empty())
            .collect();
        let offer_weights = adam(OFFER_FEATURES.len(), l2, |w, g| {
            for (rows, volunteered) in &offers {
                offer_gradient(rows, *volunteered, w, g);
            }
        });
        StepChooser {
            weights,
            offer_weights,
        }
    }

    /// Whether this chooser picks a choice the example's label accepts.
    pub fn picks_accepted(&self, ex: &StepExample) -> Option<bool> {
        let choice = ex.choice.as_ref()?;
        Some(choice.accepted[self.pick(&choice.rows).0])
    }

    /// Whether the offer model reads volunteering in the example's call (any sentence
    /// over the threshold), with its label; `None` when the label does not decide.
    pub fn reads_volunteering(&self, ex: &StepExample) -> Option<(bool, bool)> {
        let label = ex.volunteered?;
        let read = ex
            .offers
            .iter()
            .any(|r| offer_probability(&self.offer_weights, r) >= crate::offers::OFFER_THRESHOLD);
        Some((read, label))
    }

    /// The choice this chooser makes among a call's rows (0: no step) and its
    /// probability.
    fn pick(&self, rows: &[[f32; FEATURES.len()]]) -> (usize, f32) {
        let mut probs: Vec<f32> = rows.iter().map(|r| dot(r, &self.weights)).collect();
        let best = probs
            .iter()
            .enumerate()
            .fold(0, |b, (i, s)| if *s > probs[b] { i } else { b });
        softmax(&mut probs);
        (best, probs[best])
    }
}

fn dot64(r: &[f32], w: &[f64]) -> f64 {
    r.iter().zip(w).map(|(a, b)| f64::from(*a) * b).sum()
}

/// Full-batch Adam on a convex loss whose gradient `grad` adds into its second
/// argument, with L2 on the weights.
fn adam(n: usize, l2: f32, grad: impl Fn(&[f64], &mut [f64])) -> Vec<f32> {
    let mut w = vec![0.0f64; n];
    let (mut m, mut v) = (vec![0.0f64; n], vec![0.0f64; n]);
    let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8f64);
    for t in 1..=TRAIN_STEPS {
        let mut g = vec![0.0f64; n];
        grad(&w, &mut g);
        for j in 0..n {
            let gj = g[j] + 2.0 * f64::from(l2) * w[j];
            m[j] = b1 * m[j] + (1.0 - b1) * gj;
            v[j] = b2 * v[j] + (1.0 - b2) * gj * gj;
            let mh = m[j] / (1.0 - b1.powi(t as i32));
            let vh = v[j] / (1.0 - b2.powi(t as i32));
            w[j] -= f64::from(LEARNING_RATE) * mh / (vh.sqrt() + eps);
        }
    }
    w.iter().map(|x| *x as f32).collect()
}

/// The gradient of −log P(an accepted choice) for one call.
fn choice_gradient(c: &Choice, w: &[f64], g: &mut [f64]) {
    let scores: Vec<f64> = c.rows.iter().map(|r| dot64(r, w)).collect();
    let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = scores.iter().map(|s| (s - top).exp()).collect();
    let z: f64 = e.iter().sum();
    let accepted: f64 = e
        .iter()
        .zip(&c.accepted)
        .filter(|(_, a)| **a)
        .map(|(x, _)| x)
        .sum();
    for ((r, x), a) in c.rows.iter().zip(&e).zip(&c.accepted) {
        let p = x / z;
        let q = if *a { x / accepted } else { 0.0 };
        for (gj, rj) in g.iter_mut().zip(r) {
            *gj -= (q - p) * f64::from(*rj);
        }
    }
}

/// The gradient of the noisy-or loss for one call: P(volunteered) = 1 − Π(1 − pᵢ).
fn offer_gradient(
    rows: &[[f32; OFFER_FEATURES.len()]],
    volunteered: bool,
    w: &[f64],
    g: &mut [f64],
) {
    let p: Vec<f64> = rows
        .iter()
        .map(|r| (1.0 / (1.0 + (-dot64(r, w)).exp())).clamp(1e-9, 1.0 - 1e-9))
        .collect();
    if volunteered {
        let none: f64 = p.iter().map(|pi| 1.0 - pi).product();
        let q = (1.0 - none).clamp(1e-9, 1.0 - 1e-9);
        let scale = (1.0 - q) / q;
        for (r, pi) in rows.iter().zip(&p) {
            for (gj, rj) in g.iter_mut().zip(r) {
                *gj -= scale * pi * f64::from(*rj);
            }
        }
    } else {
        for (r, pi) in rows.iter().zip(&p) {
            for (gj, rj) in g.iter_mut().zip(r) {
                *gj += pi * f64::from(*rj);
            }
        }
    }
}

impl StepExample {
    /// The call's choices and offer rows, and what `label` says of them.
    pub(crate) fn new(
        sents: &[Sentence<'_>],
        call: NaiveDate,
        found: &Findings,
        label: &StepLabel,
    ) -> StepExample {
        let (steps, rows) = rows(sents, call, found);
        let mut accepted = vec![label.defined_by.is_none()];
        accepted.extend(
            steps
                .iter()
                .map(|s| Some(s.defined_by) == label.defined_by && label.kinds.contains(&s.kind)),
        );
        if !accepted.iter().any(|a| *a) {
            // The right side said something, in other words: better than nothing.
            accepted = std::iter::once(false)
                .chain(steps.iter().map(|s| Some(s.defined_by) == label.defined_by))
                .collect();
        }
        let choice = accepted
            .iter()
            .any(|a| *a)
            .then_some(Choice { rows, accepted });
        StepExample {
            choice,
            offers: found.offers.iter().map(|o| offer_row(sents, o)).collect(),
            volunteered: label.volunteered,
        }
    }
}

/// Every step said as the call's next step, and the choices' rows: row 0 is no step,
/// then one row per step said, in order.
fn rows(
    sents: &[Sentence<'_>],
    call: NaiveDate,
    found: &Findings,
) -> (Vec<NextStep>, Vec<[f32; FEATURES.len()]>) {
    let n_opts = found.options.len();
    let mut none = [0.0f32; FEATURES.len()];
    let at = |name: &str| FEATURES.iter().position(|f| *f == name).expect("a feature");
    none[at("none: bias")] = 1.0;
    none[at("none: no step said")] = f32::from(n_opts == 0);
    none[at("none: the rules found none")] = f32::from(found.next_step.is_none());
    none[at("none: call disqualified")] = f32::from(found.disqualified);
    let steps: Vec<NextStep> = found
        .options
        .iter()
        .map(|o| option_step(sents, call, o))
        .collect();
    let mut out = vec![none];
    for (k, (o, step)) in found.options.iter().zip(&steps).enumerate() {
        out.push(option_row(sents, found, o, step, k));
    }
    (steps, out)
}

fn option_row(
    sents: &[Sentence<'_>],
    found: &Findings,
    o: &StepOption,
    step: &NextStep,
    k: usize,
) -> [f32; FEATURES.len()] {
    let s = &sents[o.at];
    let n = sents.len().max(1) as f32;
    let n_turns = sents.last().map_or(1, |l| l.turn + 1);
    let after = &sents[o.at..];
    let stalls_after = after
        .iter()
        .filter(|x| x.side == Side::Prospect && (x.f.stall.is_some() || x.f.decline))
        .count() as f32;
    let negative_after = after
        .iter()
        .filter(|x| x.side == Side::Prospect && x.f.negative.is_some())
        .count() as f32;
    let seller = f32::from(o.side == Side::Seller);
    let (cue, p) = match o.basis {
        Basis::Cue(_) => (1.0, 1.0),
        Basis::Model(_, p) => (0.0, p),
    };
    let prob = |a: Act| s.acts.as_ref().map_or(0.0, |x| x.prob(a));
    let confirmed = f32::from(step.confirmed_by_prospect);
    let commit = f32::from(o.frame == Frame::Commit);
    let mut r = Vec::with_capacity(FEATURES.len());
    r.extend(Fate::ALL.iter().map(|f| f32::from(*f == o.fate)));
    r.extend(Left::ALL.iter().map(|l| f32::from(*l == o.left)));
    r.extend([Frame::Commit, Frame::Request, Frame::Joint].map(|f| f32::from(f == o.frame)));
    r.extend([seller, cue, p]);
    r.extend([
        o.at as f32 / n,
        ((n_turns - s.turn) as f32).ln_1p(),
        f32::from(k + 1 == found.options.len()),
        ((found.options.len() - 1 - k) as f32).ln_1p(),
        found
            .options
            .get(k + 1)
            .map_or(0.0, |next| ((sents[next.at].turn - s.turn) as f32).ln_1p()),
        k.checked_sub(1)
            .and_then(|p| found.options.get(p))
            .map_or(0.0, |prev| ((s.turn - sents[prev.at].turn) as f32).ln_1p()),
    ]);
    r.extend([
        f32::from(o.answering_ask),
        confirmed,
        f32::from(step.due.is_some()),
        f32::from(o.after_negative),
        f32::from(s.question),
    ]);
    r.extend([
        stalls_after.ln_1p(),
        negative_after.ln_1p(),
        f32::from(found.disqualified),
    ]);
    r.extend([
        prob(Act::RequestStep),
        prob(Act::Commit),
        prob(Act::Suggest),
        prob(Act::ClosedSuggestion),
        prob(Act::Stall),
        prob(Act::Decline),
    ]);
    r.extend([
        f32::from(s.f.kind.is_some()),
        f32::from(s.f.frame.is_some()),
    ]);
    r.extend([
        seller * confirmed,
        seller * stalls_after.ln_1p(),
        seller * commit,
    ]);
    r.extend(answer(sents, o.at));
    r.extend([0.0; 4]);
    r.try_into().expect("one value per feature")
}

/// How the other side's next turn answered the step said at `at`: the act model's
/// strongest reading of agreement, a non-committal answer, a decline and a stall in it
/// (the prospect's "you don't have to do that" to a seller's offer; the seller's "sure"
/// to a prospect's request).
fn answer(sents: &[Sentence<'_>], at: usize) -> [f32; 4] {
    let said = &sents[at];
    let mut next = sents[at + 1..]
        .iter()
        .skip_while(|x| x.turn == said.turn || x.side == said.side);
    let Some(first) = next.next() else {
        return [0.0; 4];
    };
    let turn = std::iter::once(first).chain(next.take_while(|x| x.turn == first.turn));
    let mut out = [0.0f32; 4];
    for x in turn {
        let Some(a) = &x.acts else { continue };
        for (o, act) in
            out.iter_mut()
                .zip([Act::Agree, Act::Noncommittal, Act::Decline, Act::Stall])
        {
            *o = o.max(a.prob(act));
        }
    }
    out
}

/// Replaces the rules' pick with the chooser's, saying so in the step's evidence.
pub(crate) fn apply(
    chooser: &StepChooser,
    sents: &[Sentence<'_>],
    call: NaiveDate,
    found: &mut Findings,
) {
    crate::offers::apply(&chooser.offer_weights, sents, found);
    let (steps, rows) = rows(sents, call, found);
    let (pick, p) = chooser.pick(&rows);
    let pick = pick.checked_sub(1);
    let rules_pick = found.options.iter().position(|o| o.left == Left::Final);
    if pick == rules_pick {
        return;
    }
    // The sentence the chooser's reason is told at: its pick's, else the rules' pick's
    // (the picks differ, so one of them is a step).
    let Some(said) = pick.or(rules_pick).map(|i| &sents[found.options[i].at]) else {
        return;
    };
    let rules_step = found.next_step.take();
    found.next_step = match pick {
        Some(i) => {
            let why = match &rules_step {
                Some(rules) => format!(
                    "step chooser: {p:.2} (the rules' pick was {} \"{}\")",
                    rules.kind.as_str(),
                    clip(&rules.action, 60)
                ),
                None => format!("step chooser: {p:.2} (the rules found no step)"),
            };
            let mut step = steps.into_iter().nth(i).expect("a step per option");
            let m = reason(said, why, step.evidence.first());
            step.evidence.push(m);
            Some(step)
        }
        None => {
            // No step: the rules' one stays visible, with the chooser's reason.
            let why = format!("step chooser: no step {p:.2} (set aside the rules' pick)");
            let first = rules_step.as_ref().and_then(|s| s.evidence.first());
            found.step_set_aside = Some(reason(said, why, first));
            None
        }
    };
}

/// The chooser's reason as a moment at `said`, carrying the act of the step's first
/// evidence (`like`).
fn reason(said: &Sentence<'_>, why: String, like: Option<&Moment>) -> Moment {
    Moment {
        act: like.and_then(|e| e.act),
        ..said.moment(why)
    }
}

/// The first `max` characters of `text`, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(set: &[&str]) -> [f32; FEATURES.len()] {
        let mut r = [0.0; FEATURES.len()];
        for name in set {
            r[FEATURES.iter().position(|f| f == name).expect(name)] = 1.0;
        }
        r
    }

    #[test]
    fn training_learns_which_choice_labels_accept() {
        // Each case: the choices of a call (row 0 is "no step") and the one accepted.
        let cases: [(&[&[&str]], usize); 4] = [
            (&[&["none: bias"], &["seller"], &["last step said"]], 2),
            (
                &[
                    &["none: bias"],
                    &["seller", "last step said"],
                    &["confirmed"],
                ],
                1,
            ),
            (
                &[&["none: bias", "none: the rules found none"], &["seller"]],
                0,
            ),
            (&[&["none: bias"], &["left: final", "seller"]], 1),
        ];
        let examples: Vec<StepExample> = cases
            .iter()
            .cycle()
            .take(40)
            .map(|(rows, ok)| StepExample {
                choice: Some(Choice {
                    rows: rows.iter().map(|r| row(r)).collect(),
                    accepted: (0..rows.len()).map(|i| i == *ok).collect(),
                }),
                offers: Vec::new(),
                volunteered: None,
            })
            .collect();
        let chooser = StepChooser::train(&examples, 0.1);
        for ex in &examples[..4] {
            assert_eq!(chooser.picks_accepted(ex), Some(true), "{ex:?}");
        }
        let w = |name: &str| chooser.weights[FEATURES.iter().position(|f| *f == name).unwrap()];
        assert!(w("last step said") > 0.0);
        assert!(w("none: the rules found none") > 0.0);
    }

    #[test]
    fn a_chooser_file_round_trips_and_a_foreign_one_is_refused() {
        let shipped = StepChooser::shipped();
        let text = shipped.to_json(vec!["a.jsonl".into()], 3, 1.0);
        assert_eq!(StepChooser::from_json(&text), Ok(shipped.clone()));
        assert!(matches!(
            StepChooser::from_json("not json"),
            Err(ChooserError::Malformed(_))
        ));
        let foreign = text.replace("nextstep-steps/1", "nextstep-steps/9");
        assert!(matches!(
            StepChooser::from_json(&foreign),
            Err(ChooserError::Incompatible { .. })
        ));
        let fewer = serde_json::json!({
            "format": FORMAT, "trained_on": [], "calls": 0, "l2": 1.0,
            "features": ["seller"], "weights": [1.0],
            "offer_features": OFFER_FEATURES, "offer_weights": shipped.offer_weights,
        });
        assert!(matches!(
            StepChooser::from_json(&fewer.to_string()),
            Err(ChooserError::Incompatible { features: 1, .. })
        ));
    }
}
