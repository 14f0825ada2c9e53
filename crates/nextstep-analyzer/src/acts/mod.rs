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

use crate::model::{Kind, Side, SignalType};

/// A dialogue act the rules consume. Each belongs to one side of the call.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Act {
    /// The prospect asks for, or states, a concrete next step.
    RequestStep,
    /// The prospect accepts what the seller just proposed or offered.
    Agree,
    /// An answer that neither accepts nor refuses ("if you want").
    Noncommittal,
    /// The decision put off without a concrete step ("I'll think about it").
    Stall,
    /// A refusal, or the opportunity ended.
    Decline,
    /// The prospect does not follow.
    Confusion,
    /// The prospect doubts it would work or be approved.
    Doubt,
    /// Price, timing, effort, risk, competitor, a complaint about the seller.
    Objection,
    /// No value seen, or not a priority.
    Disinterest,
    /// A problem with how things are today: not a negative signal.
    Pain,
    /// A plain question about the product, price or process.
    Question,
    /// The seller will do, send or produce something after the call.
    Commit,
    /// The seller proposes a step for both sides, as a statement.
    Suggest,
    /// The seller proposes a specific step as a yes/no question.
    ClosedSuggestion,
    /// The seller's open question inviting the prospect to name the next step.
    AskNextStep,
    /// The seller names what they observe about the conversation.
    NameDifficulty,
    /// The seller says there may be no fit.
    Disqualify,
}

impl Act {
    /// The prospect's acts, in the order the model's heads hold them.
    pub const PROSPECT: [Act; 11] = [
        Act::RequestStep,
        Act::Agree,
        Act::Noncommittal,
        Act::Stall,
        Act::Decline,
        Act::Confusion,
        Act::Doubt,
        Act::Objection,
        Act::Disinterest,
        Act::Pain,
        Act::Question,
    ];

    /// The seller's acts, in the order the model's heads hold them.
    pub const SELLER: [Act; 6] = [
        Act::Commit,
        Act::Suggest,
        Act::ClosedSuggestion,
        Act::AskNextStep,
        Act::NameDifficulty,
        Act::Disqualify,
    ];

    /// The acts one side performs.
    pub fn of_side(side: Side) -> &'static [Act] {
        match side {
            Side::Prospect => &Act::PROSPECT,
            Side::Seller => &Act::SELLER,
        }
    }

    /// The name the corpus and `why` use (`request_step`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Act::RequestStep => "request_step",
            Act::Agree => "agree",
            Act::Noncommittal => "noncommittal",
            Act::Stall => "stall",
            Act::Decline => "decline",
            Act::Confusion => "confusion",
            Act::Doubt => "doubt",
            Act::Objection => "objection",
            Act::Disinterest => "disinterest",
            Act::Pain => "pain",
            Act::Question => "question",
            Act::Commit => "commit",
            Act::Suggest => "suggest",
            Act::ClosedSuggestion => "closed_suggestion",
            Act::AskNextStep => "ask_next_step",
            Act::NameDifficulty => "name_difficulty",
            Act::Disqualify => "disqualify",
        }
    }

    /// Parses a corpus name.
    pub fn from_name(name: &str) -> Option<Act> {
        Act::PROSPECT
            .iter()
            .chain(Act::SELLER.iter())
            .copied()
            .find(|a| a.as_str() == name)
    }

    /// The side that performs this act.
    pub fn side(self) -> Side {
        if Act::PROSPECT.contains(&self) {
            Side::Prospect
        } else {
            Side::Seller
        }
    }

    /// Whether the act names a step, so a corpus line must give its kind.
    pub fn takes_kind(self) -> bool {
        matches!(
            self,
            Act::RequestStep | Act::Commit | Act::Suggest | Act::ClosedSuggestion
        )
    }

    /// The negative signal this act is, if it is one.
    pub fn signal(self) -> Option<SignalType> {
        Some(match self {
            Act::Confusion => SignalType::Confusion,
            Act::Doubt => SignalType::Doubt,
            Act::Objection => SignalType::Objection,
            Act::Disinterest => SignalType::Disinterest,
            Act::Stall => SignalType::Stall,
            _ => return None,
        })
    }

    /// Position of this act among its side's heads.
    pub(crate) fn head(self) -> usize {
        Act::of_side(self.side())
            .iter()
            .position(|&a| a == self)
            .unwrap_or(0)
    }
}

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
