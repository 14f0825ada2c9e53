//! The judgements the analyzer produces; their JSON form is the `analyze --json` contract.

use serde::{Deserialize, Serialize};

/// What a next step is, so pipelines and forecasts can treat a contract differently from
/// a check-in call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A call or meeting, including workshops and reference calls.
    Meeting,
    /// A product demonstration.
    Demo,
    /// A proposal, plan, ROI analysis or statement of work.
    Proposal,
    /// A price, quotation or better number.
    Quote,
    /// A trial or pilot.
    Trial,
    /// The prospect introduces someone.
    Introduction,
    /// Materials, answers, case studies, references.
    Information,
    /// Contract, agreement, order form.
    Contract,
    /// A check-in at a later date.
    FollowUp,
    /// Anything else.
    Other,
}

impl Kind {
    /// Every kind, in the order reports list them.
    pub const ALL: [Kind; 10] = [
        Kind::Meeting,
        Kind::Demo,
        Kind::Proposal,
        Kind::Quote,
        Kind::Trial,
        Kind::Introduction,
        Kind::Information,
        Kind::Contract,
        Kind::FollowUp,
        Kind::Other,
    ];

    /// The contract's name for the kind (`follow_up`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Meeting => "meeting",
            Kind::Demo => "demo",
            Kind::Proposal => "proposal",
            Kind::Quote => "quote",
            Kind::Trial => "trial",
            Kind::Introduction => "introduction",
            Kind::Information => "information",
            Kind::Contract => "contract",
            Kind::FollowUp => "follow_up",
            Kind::Other => "other",
        }
    }

    /// Parses a kind name as the rules file and the CLI write it.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Kinds that are work the seller produces and sends: offering one unasked is
    /// volunteering. Meetings and demos produce nothing, so proposing them is not.
    pub fn is_deliverable(self) -> bool {
        matches!(
            self,
            Kind::Proposal | Kind::Quote | Kind::Information | Kind::Contract
        )
    }
}

/// Which side of the call a speaker or an action belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The seller's side (the `--seller` speakers).
    Seller,
    /// Everyone else on the call.
    Prospect,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Seller => Side::Prospect,
            Side::Prospect => Side::Seller,
        }
    }
}

/// Who carries out a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    /// The prospect does it (an introduction, sending requirements).
    Prospect,
    /// The seller does it (a proposal, a quote).
    Seller,
    /// Both take part (a meeting, a demo, a trial).
    Both,
}

impl Owner {
    /// The contract's name (`prospect`, `seller`, `both`).
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Prospect => "prospect",
            Owner::Seller => "seller",
            Owner::Both => "both",
        }
    }
}

impl Side {
    /// The contract's name (`seller`, `prospect`).
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Seller => "seller",
            Side::Prospect => "prospect",
        }
    }
}

/// The kind of negative signal a prospect showed; each calls for a different way of
/// naming the problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalType {
    /// "I'm lost", "I'm not following".
    Confusion,
    /// "I'm not sure my boss will go for this".
    Doubt,
    /// Price, timing, competitor objections.
    Objection,
    /// "I don't see the value".
    Disinterest,
    /// "I'll think about it".
    Stall,
}

impl SignalType {
    /// Parses the `[negative]` list names.
    pub fn from_name(name: &str) -> Option<SignalType> {
        Some(match name {
            "confusion" => SignalType::Confusion,
            "doubt" => SignalType::Doubt,
            "objection" => SignalType::Objection,
            "disinterest" => SignalType::Disinterest,
            "stall" => SignalType::Stall,
            _ => return None,
        })
    }

    /// The list name, used in `why` and coaching keys.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalType::Confusion => "confusion",
            SignalType::Doubt => "doubt",
            SignalType::Objection => "objection",
            SignalType::Disinterest => "disinterest",
            SignalType::Stall => "stall",
        }
    }
}

/// A quoted sentence as evidence: who said it, when, what it does, and what decided so.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Moment {
    /// The speaker's name as the transcript gives it.
    pub speaker: String,
    /// Seconds from the start of the call, when the transcript has times.
    pub start: Option<f64>,
    /// The sentence, verbatim.
    pub text: String,
    /// What decided, in words: a cue (`volunteered: "i'll send"`) or the classifier
    /// (`classifier: objection 0.91`), so a user can see why and extend the rules.
    pub why: String,
    /// The dialogue act the sentence performs here (a bail-out's is `commit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Act>,
    /// The negative signal: the one this sentence shows, or, for a bail-out, the one it
    /// followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<SignalType>,
    /// For a bail-out: the prospect's words it followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal_text: Option<String>,
    /// The classifier's probability when it decided (none when a cue did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f32>,
}

/// The next step a call ended with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextStep {
    /// What was agreed, in the words of the sentence that defined it.
    pub action: String,
    /// What kind of step it is.
    pub kind: Kind,
    /// Who defined it: the product's central question.
    pub defined_by: Side,
    /// Whether the prospect explicitly agreed (always true when the prospect defined it).
    pub confirmed_by_prospect: bool,
    /// Who carries it out.
    pub owner: Owner,
    /// The date it is due, when the call names one.
    pub due: Option<chrono::NaiveDate>,
    /// The sentences that defined, dated and confirmed it.
    pub evidence: Vec<Moment>,
}

/// What put a speaker on their side: shown beside every speaker so a user can judge
/// (and correct) the sides a call was judged with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SideBasis {
    /// Named as a seller by the caller (`--seller`, an upload's `sellers`).
    Named,
    /// The deal's owner.
    Owner,
    /// A rep or user of the team.
    Roster,
    /// Set by a user on the call page or through the API.
    User,
    /// Guessed from what the speaker said.
    Inferred,
    /// On the prospect's side because the seller's side was known and this speaker is not
    /// on it.
    Unmatched,
}

impl SideBasis {
    /// The contract's name (`named`, `owner`, `roster`, `user`, `inferred`, `unmatched`).
    pub fn as_str(self) -> &'static str {
        match self {
            SideBasis::Named => "named",
            SideBasis::Owner => "owner",
            SideBasis::Roster => "roster",
            SideBasis::User => "user",
            SideBasis::Inferred => "inferred",
            SideBasis::Unmatched => "unmatched",
        }
    }

    /// The reason in words, as reports and the call page show it (`inferred, 0.82`).
    pub fn reason(self, confidence: f64) -> String {
        match self {
            SideBasis::Named => "named as a seller".into(),
            SideBasis::Owner => "the deal's owner".into(),
            SideBasis::Roster => "on the team roster".into(),
            SideBasis::User => "set by hand".into(),
            SideBasis::Inferred => format!("inferred, {confidence:.2}"),
            SideBasis::Unmatched => "not a named seller or on the team roster".into(),
        }
    }
}

/// A speaker and the side they were put on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerRole {
    /// The name as the transcript gives it.
    pub name: String,
    /// Seller or prospect.
    pub role: Side,
    /// True when nothing the caller knew placed this speaker and the side was guessed.
    pub inferred: bool,
    /// How sure the guess is, 0–1 (1 when not inferred).
    pub confidence: f64,
    /// What placed the speaker (absent in analyses stored before sides had reasons: read
    /// `inferred` then).
    #[serde(default = "SpeakerRole::legacy_basis")]
    pub basis: SideBasis,
    /// Why, in words: "on the team roster", "named as a seller", "inferred, 0.82".
    #[serde(default)]
    pub reason: String,
}

impl SpeakerRole {
    /// A speaker on `side` for `basis`, with the reason in words; the confidence is
    /// rounded to two places (1 for anything not inferred).
    pub fn new(name: &str, side: Side, basis: SideBasis, confidence: f64) -> SpeakerRole {
        let confidence = (confidence * 100.0).round() / 100.0;
        SpeakerRole {
            name: name.to_string(),
            role: side,
            inferred: basis == SideBasis::Inferred,
            confidence,
            reason: basis.reason(confidence),
            basis,
        }
    }

    /// What an analysis stored before bases existed is read as.
    fn legacy_basis() -> SideBasis {
        SideBasis::Inferred
    }

    /// The reason in words, also for analyses stored before reasons were recorded.
    pub fn reason_text(&self) -> String {
        if self.reason.is_empty() {
            match (self.inferred, self.role) {
                (true, _) => SideBasis::Inferred.reason(self.confidence),
                (false, Side::Seller) => SideBasis::Named.reason(1.0),
                (false, Side::Prospect) => SideBasis::Unmatched.reason(1.0),
            }
        } else {
            self.reason.clone()
        }
    }
}

/// A speaker inference put on the seller's side, and how sure it is: the `analyze
/// --json` field that says the sides were guessed, not known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InferredSeller {
    /// The speaker's name or label (`Speaker 2`).
    pub name: String,
    /// How sure, 0–1.
    pub confidence: f64,
}

/// Everything the analyzer judged about one call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Speakers and their sides.
    pub speakers: Vec<SpeakerRole>,
    /// The speakers inference put on the seller's side, with its confidence; empty when
    /// every side was known (named, on the roster or set by a user).
    #[serde(default)]
    pub inferred_sellers: Vec<InferredSeller>,
    /// The step the call ended with, if any.
    pub next_step: Option<NextStep>,
    /// The step the rules read that the step chooser set aside for "no step", with its
    /// reason: a call judged to end without a step still shows what was said and why it
    /// did not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_set_aside: Option<Moment>,
    /// Whether the seller asked an open question about the next step.
    pub asked_next_step: bool,
    /// The seller's open questions about the next step.
    pub asks: Vec<Moment>,
    /// Every time the seller offered to produce or send something nobody asked for.
    pub volunteered: Vec<Moment>,
    /// Volunteered work after an unnamed negative signal.
    pub bail_outs: Vec<Moment>,
    /// Every time the seller named the difficulty in the conversation.
    pub confrontations: Vec<Moment>,
    /// The prospect's confusion, doubt, objections, disinterest and stalls.
    pub negative_signals: Vec<Moment>,
    /// Short coaching lines for the seller, built from this call.
    pub coaching: Vec<String>,
}

/// A dialogue act the rules consume. Each belongs to one side of the call. It lives with
/// the judgements (not in `acts/`, which scores it) because a [`Moment`] names the act
/// that decided it.
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
