//! Offers the rules missed: a seller sentence the offer model reads as volunteering work,
//! said while a negative signal was open, is a bail-out even where the lexicon's frame
//! and kind did not line up ("so yeah ill get that comparison over to you tomorrow").
//!
//! The rules count volunteering only where a commitment frame governs a deliverable kind
//! and the model is sure of the commitment. The offer model reads every seller sentence
//! with any commitment in it and weighs the act model's readings with the lexicon's; it is
//! trained on whole calls' `volunteered` labels (multiple-instance: a call volunteers when
//! any of its sentences does) by `nextstep train-steps`, beside the step chooser. It only
//! adds bail-outs (and the volunteering they are); it never removes what the rules found.

use crate::acts::Act;
use crate::acts::weights::{dot, sigmoid};
use crate::dialogue::{Findings, OfferOption};
use crate::model::{Kind, Moment};
use crate::sentence::{Frame, Sentence};

/// How likely an offer must be for the offer model to report a bail-out the rules missed.
pub(crate) const OFFER_THRESHOLD: f32 = 0.5;

/// The offer model's features, in weight order.
pub const OFFER_FEATURES: [&str; 15] = [
    "bias",
    "act: commit",
    "act: commit fires",
    "act: deliverable kind probability",
    "lexicon: commitment frame",
    "lexicon: deliverable kind",
    "lexicon: other kind",
    "lexicon: custom deliverable",
    "question",
    "position in the call",
    "the prospect asked for a deliverable before",
    "act: suggest",
    "act: closed suggestion",
    "ln(1 + words)",
    "commit × deliverable kind probability",
];

/// One offer option's features.
pub(crate) fn offer_row(sents: &[Sentence<'_>], o: &OfferOption) -> [f32; OFFER_FEATURES.len()] {
    let s = &sents[o.at];
    let f = &s.f;
    let prob = |a: Act| s.acts.as_ref().map_or(0.0, |x| x.prob(a));
    let commit = prob(Act::Commit);
    let fires = s
        .acts
        .as_ref()
        .is_some_and(|a| a.fires(Act::Commit).is_some());
    let deliverable_kind = s
        .acts
        .as_ref()
        .filter(|a| a.kind.0.is_deliverable())
        .map_or(0.0, |a| a.kind.1);
    let kind_cue = |deliverable: bool| {
        f.mentions
            .iter()
            .map(|(k, _)| *k)
            .chain(f.kind.map(|(k, _)| k))
            .any(|k: Kind| k.is_deliverable() == deliverable)
    };
    [
        1.0,
        commit,
        f32::from(fires),
        deliverable_kind,
        f32::from(matches!(f.frame, Some((Frame::Commit, _)))),
        f32::from(kind_cue(true)),
        f32::from(kind_cue(false)),
        f32::from(f.custom_deliverable.is_some()),
        f32::from(s.question),
        o.at as f32 / sents.len().max(1) as f32,
        f32::from(o.requested_deliverable),
        prob(Act::Suggest),
        prob(Act::ClosedSuggestion),
        (s.text.split_whitespace().count() as f32).ln_1p(),
        commit * deliverable_kind,
    ]
}

/// The probability the offer model gives a row.
pub(crate) fn offer_probability(weights: &[f32], row: &[f32; OFFER_FEATURES.len()]) -> f32 {
    sigmoid(dot(row, weights))
}

/// Adds the bail-outs the rules missed: offers the model is sure of, said while a
/// negative signal was open, that the rules did not count.
pub(crate) fn apply(weights: &[f32], sents: &[Sentence<'_>], found: &mut Findings) {
    let mut added = Vec::new();
    for o in &found.offers {
        let Some((signal, negative)) = &o.negative else {
            continue;
        };
        if o.rules_volunteered {
            continue;
        }
        let p = offer_probability(weights, &offer_row(sents, o));
        if p < OFFER_THRESHOLD {
            continue;
        }
        let s = &sents[o.at];
        let offer = Moment {
            act: Some(Act::Commit),
            probability: Some(p),
            ..s.moment(format!("volunteered: offer model {p:.2}"))
        };
        let mut bail = offer.clone();
        bail.why = format!(
            "bail-out: volunteered after {} (\"{}\") without naming it (offer model {p:.2})",
            signal.as_str(),
            negative.text
        );
        bail.signal = Some(*signal);
        bail.signal_text = Some(negative.text.clone());
        added.push((offer, (bail, *signal, negative.clone())));
    }
    for (offer, bail) in added {
        found.volunteered.push(offer);
        found.bail_outs.push(bail);
    }
}
