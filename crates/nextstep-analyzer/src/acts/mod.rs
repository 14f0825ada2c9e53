//! The learned dialogue-act layer: what a sentence *does* (asks for a step, agrees,
//! doubts, commits to a deliverable…), read by a small linear model from its words, its
//! word pieces' pretrained meaning and the turn before it.
//!
//! Why it exists: a phrase list recognises the phrasings it lists, and a prospect's doubt
//! comes in a thousand phrasings. The rules (`dialogue.rs`) stay the skeleton — who holds
//! the floor, what supersedes what, windows, dates — and consult these scores where the
//! lexicon is silent. The model is data like the rules: trained from the labelled
//! utterance corpus (`acts/*.jsonl`, see `acts/GUIDE.md`) by `nextstep train`, shipped in
//! `model/acts.model` and compiled in.

mod corpus;
mod embed;
mod features;
mod model;
mod segment;
mod train;
pub(crate) mod weights;

pub use corpus::{
    CorpusError, CorpusFile, Example, Sampling, Split, Style, Turn, parse_corpus, shipped_corpus,
};
pub use embed::{EmbedError, Embeddings};
pub use features::{Context, FeatureConfig};
pub use model::{ActModel, ActScores, ModelError, ModelInfo};
pub use train::{
    ActReport, Evaluation, Prediction, Source, TrainOptions, context_of, evaluate, evaluate_with,
    train,
};

pub use crate::model::Act;
use crate::model::{Kind, Side};

/// Logistic heads per side: one per act and, for the prospect, one more for "any
/// negative signal" — the types blur into each other (a doubt and an objection are often
/// both), but whether the prospect pushed back at all is what a bail-out turns on.
pub(crate) fn binary_heads(side: Side) -> usize {
    match side {
        Side::Prospect => Act::PROSPECT.len() + 1,
        Side::Seller => Act::SELLER.len(),
    }
}

/// The prospect's "any negative signal" head.
pub(crate) const NEGATIVE_HEAD: usize = Act::PROSPECT.len();

/// Every step kind, in the order the kind heads hold them.
pub(crate) const KINDS: [Kind; 10] = Kind::ALL;
