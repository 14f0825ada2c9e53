//! Utterances → judgements about a sales call's next step.
//!
//! The analyzer answers the questions the product exists for: what next step did the
//! call end with, **who defined it** (prospect or seller), did the prospect agree, did the
//! seller ask or tell, and where did the seller volunteer work or bail out of a hard
//! moment instead of naming it. Every judgement carries the quoted sentence and the cue
//! that fired.
//!
//! It does no IO. Its rules are data: cue lexicons in `rules/default.toml`, extendable
//! with a team's own file ([`Rules::with_extension`]), scanned with one Aho-Corasick
//! automaton, plus a handful of dialogue-act rules over sentences and turns
//! (`dialogue.rs`).

pub mod acts;
mod chooser;
mod coaching;
mod dates;
mod dialogue;
mod lexicon;
mod model;
pub mod names;
mod offers;
mod rules;
mod sentence;
mod speakers;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use nextstep_transcript::Utterance;

pub use chooser::{
    ChooserError, DEFAULT_L2 as STEP_CHOOSER_L2, StepChooser, StepExample, StepLabel,
};
pub use coaching::AskInstead;
pub use dates::call_date_hint;
pub use model::{
    Analysis, InferredSeller, Kind, Moment, NextStep, Owner, Side, SideBasis, SignalType,
    SpeakerRole,
};
pub use rules::{DEFAULT_RULES, RuleSet, RulesError};

use sentence::SidedUtterance;

/// Compiled rules: the lexicon automaton and the coaching templates. Build once, reuse
/// for every call (compiling is the expensive part).
#[derive(Debug)]
pub struct Rules {
    lexicon: lexicon::Lexicon,
    /// The learned act layer the rules consult where the lexicon is silent (none: the
    /// rules alone).
    model: Option<acts::ActModel>,
    /// Which of the steps said is the call's: consulted only with an act model, whose
    /// readings it was trained on (none: the rules' own precedence).
    chooser: Option<StepChooser>,
    side_cues: speakers::SideCues,
    coaching: BTreeMap<String, String>,
    ask_instead: coaching::AskInstead,
    set: RuleSet,
}

impl Rules {
    /// The shipped rules, with the shipped act model.
    pub fn defaults() -> Rules {
        Rules::compile(RuleSet::defaults())
            .expect("the default rules compile")
            .with_model(Some(acts::ActModel::shipped()))
            .with_chooser(Some(StepChooser::shipped()))
    }

    /// These rules picking the call's step with `chooser` (a team's own, from `nextstep
    /// train-steps`), or by their own precedence with `None`.
    pub fn with_chooser(mut self, chooser: Option<StepChooser>) -> Rules {
        self.chooser = chooser;
        self
    }

    /// These rules consulting `model` (a team's own, from `nextstep train`), or the
    /// lexicon alone with `None`.
    pub fn with_model(mut self, model: Option<acts::ActModel>) -> Rules {
        self.model = model;
        self
    }

    /// What the lexicon alone reads from one sentence (acts and step kind): the
    /// rules-only row of the act ablation, and a way to try a rules file on labelled
    /// sentences.
    pub fn cue_acts(&self, side: Side, text: &str) -> acts::Prediction {
        let mut out = Vec::new();
        let mut kind = None;
        for s in sentence::split_sentences(text) {
            let norm = self.lexicon.normalize(s);
            let hits = self.lexicon.scan(&norm);
            let f = sentence::Features::from_hits(&hits, &norm);
            let question = s.trim_end_matches(['"', ')']).ends_with('?');
            let (acts, k) = f.cue_acts(side, question);
            for a in acts {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
            kind = kind.or(k);
        }
        (out, kind)
    }

    /// The lexicon's cue codes for one piece of text (the act model's cue features).
    pub(crate) fn cue_codes(&self, text: &str) -> Vec<u8> {
        let norm = self.lexicon.normalize_as_written(text);
        let hits = self.lexicon.scan(&norm);
        let f = sentence::Features::from_hits(&hits, &norm);
        sentence::cue_codes(&hits, &f)
    }

    /// The questions coaching suggests instead of what the seller did (the rules'
    /// `[coaching]` table).
    pub fn ask_instead(&self) -> &AskInstead {
        &self.ask_instead
    }

    /// The act model the rules consult, if any.
    pub fn model(&self) -> Option<&acts::ActModel> {
        self.model.as_ref()
    }

    /// The defaults extended (or replaced) by a team's rules file.
    pub fn with_extension(toml_text: &str) -> Result<Rules, RulesError> {
        let extra = RuleSet::from_toml(toml_text)?;
        Ok(Rules::compile(RuleSet::defaults().merge(extra))?
            .with_model(Some(acts::ActModel::shipped()))
            .with_chooser(Some(StepChooser::shipped())))
    }

    /// Compiles a complete rule set, without an act model (add one with
    /// [`Rules::with_model`]).
    pub fn compile(set: RuleSet) -> Result<Rules, RulesError> {
        Ok(Rules {
            lexicon: lexicon::Lexicon::compile(&set)?,
            model: None,
            chooser: None,
            side_cues: speakers::SideCues::compile(&set)?,
            coaching: set.coaching.clone(),
            ask_instead: coaching::AskInstead::from_table(&set.coaching),
            set,
        })
    }

    /// The rule set these were compiled from (for `nextstep rules`).
    pub fn rule_set(&self) -> &RuleSet {
        &self.set
    }
}

/// What the analyzer needs besides the utterances: the date, and whatever the caller
/// knows about who is on the seller's side (names are matched forgivingly: case,
/// accents, "Priya R." for "Priya Raman", a first name alone when unambiguous).
#[derive(Debug, Clone, Default)]
pub struct CallContext {
    /// The call date, for resolving "Thursday" or "the 7th".
    pub date: NaiveDate,
    /// Speakers named as the seller's side (`--seller`, an upload's `sellers`); when some
    /// are given, at least one must speak.
    pub sellers: Vec<String>,
    /// The deal's owner: on the seller's side when they speak.
    pub owner: Option<String>,
    /// The team's reps and users: whoever of them speaks is on the seller's side.
    pub roster: Vec<String>,
    /// Sides already settled for this call (a user flipped one; the call is judged
    /// again): used as they are, before anything else.
    pub fixed: Vec<SpeakerRole>,
}

impl CallContext {
    /// A context with only a date and the seller names (empty: infer the sides).
    pub fn new(date: NaiveDate, sellers: Vec<String>) -> CallContext {
        CallContext {
            date,
            sellers,
            ..CallContext::default()
        }
    }
}

/// Why a call could not be analysed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalyzeError {
    /// Nothing was said.
    #[error("the transcript has no utterances")]
    Empty,
    /// No utterance names its speaker, so sides cannot be told apart.
    #[error("no utterance names its speaker; nextstep needs to know who said what")]
    NoSpeakers,
    /// None of the `--seller` names speaks in the call.
    #[error(
        "none of the seller names ({sellers}) speaks in this call; its speakers are: {speakers}"
    )]
    SellerNotFound {
        /// The names given.
        sellers: String,
        /// The speakers found.
        speakers: String,
    },
}

/// One sentence as the analyzer saw it: for `analyze --explain`, so a user extending the
/// rules or training a model can see what fired where.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExplainedSentence {
    /// Who said it.
    pub speaker: String,
    /// Their side.
    pub side: Side,
    /// Seconds from the start, when known.
    pub start: Option<f64>,
    /// The sentence.
    pub text: String,
    /// `list: "matched words"` for every cue that fired (after longer cues masked shorter).
    pub cues: Vec<String>,
    /// What the act model reads in the sentence: every act over its best-F1 threshold,
    /// and whether the rules act on it.
    pub classifier: Vec<ExplainedAct>,
}

/// One act the model reads in a sentence.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExplainedAct {
    /// The act.
    pub act: acts::Act,
    /// The model's probability.
    pub probability: f32,
    /// Whether it clears the confident threshold the rules act on.
    pub acted_on: bool,
    /// For a step act, the kind the model reads and how sure it is.
    pub kind: Option<(Kind, f32)>,
}

/// Splits the call into sentences and lists the cues, and the act model's reading, of
/// each one: the same sentences [`analyze`] judges.
pub fn explain(
    utterances: &[Utterance],
    ctx: &CallContext,
    rules: &Rules,
) -> Result<Vec<ExplainedSentence>, AnalyzeError> {
    let (_, sided) = sides(utterances, ctx, rules)?;
    let sents = sentence::sentences(&sided, &rules.lexicon, rules.model.as_ref());
    Ok(sents
        .iter()
        .map(|s| {
            let cues = s
                .hits
                .iter()
                .map(|h| {
                    let entry = &rules.lexicon.cues[h.cue];
                    let matched = s.norm.get(h.start..h.end).unwrap_or("");
                    if entry.starts_with('/') {
                        format!("{}: \"{matched}\" (pattern {entry})", h.tag.list_name())
                    } else {
                        format!("{}: \"{matched}\"", h.tag.list_name())
                    }
                })
                .collect();
            let classifier = s
                .acts
                .as_ref()
                .map(|a| {
                    a.labels()
                        .into_iter()
                        .map(|(act, p)| ExplainedAct {
                            act,
                            probability: (p * 100.0).round() / 100.0,
                            acted_on: a.fires(act).is_some(),
                            kind: act
                                .takes_kind()
                                .then(|| (a.kind.0, (a.kind.1 * 100.0).round() / 100.0)),
                        })
                        .collect()
                })
                .unwrap_or_default();
            ExplainedSentence {
                speaker: s.speaker.to_string(),
                side: s.side,
                start: s.start,
                text: s.text.to_string(),
                cues,
                classifier,
            }
        })
        .collect())
}

/// Puts every utterance on a side; utterances without a speaker are dropped.
fn sides<'a>(
    utterances: &'a [Utterance],
    ctx: &CallContext,
    rules: &Rules,
) -> Result<(Vec<SpeakerRole>, Vec<SidedUtterance<'a>>), AnalyzeError> {
    if utterances.iter().all(|u| u.text.trim().is_empty()) {
        return Err(AnalyzeError::Empty);
    }
    let mut names: Vec<String> = Vec::new();
    let mut said: Vec<(usize, &str)> = Vec::new();
    for u in utterances {
        let Some(name) = u
            .speaker
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        let idx = match names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                names.push(name.to_string());
                names.len() - 1
            }
        };
        said.push((idx, u.text.as_str()));
    }
    if names.is_empty() {
        return Err(AnalyzeError::NoSpeakers);
    }
    let known = speakers::Known {
        fixed: &ctx.fixed,
        sellers: &ctx.sellers,
        owner: ctx.owner.as_deref(),
        roster: &ctx.roster,
    };
    // Whether an utterance ends on a question: at its question mark or, in text a
    // recogniser wrote without any, where the act model's segmenter reads a question
    // that is not about "our" or "we" ("is this replacing our system" is a prospect
    // asking what the product means for them).
    let asks = |text: &str| {
        if text.contains(['?', '.', '!']) {
            return text.trim_end().ends_with('?');
        }
        sentence::split_utterance(text, rules.model.as_ref())
            .iter()
            .any(|(s, question)| *question && !speakers::about_us(s))
    };
    let speakers = speakers::assign(&names, &said, &known, &rules.side_cues, &asks)?;
    let sided = utterances
        .iter()
        .filter_map(|u| {
            let name = u.speaker.as_deref()?.trim();
            let role = speakers.iter().find(|r| r.name == name)?;
            Some(SidedUtterance {
                side: role.role,
                speaker: name,
                start: u.start,
                text: &u.text,
            })
        })
        .collect();
    Ok((speakers, sided))
}

/// Judges one call. `utterances` should be the merged turns
/// ([`nextstep_transcript::Transcript::turns`]); utterances without a speaker are skipped.
pub fn analyze(
    utterances: &[Utterance],
    ctx: &CallContext,
    rules: &Rules,
) -> Result<Analysis, AnalyzeError> {
    let (speakers, sided) = sides(utterances, ctx, rules)?;
    let sents = sentence::sentences(&sided, &rules.lexicon, rules.model.as_ref());
    let mut findings = dialogue::judge(&sents, ctx.date);
    if let (Some(chooser), Some(_)) = (&rules.chooser, &rules.model) {
        chooser::apply(chooser, &sents, ctx.date, &mut findings);
    }
    let coaching = coaching::lines(&findings, &rules.coaching, &rules.ask_instead);
    let inferred_sellers = speakers
        .iter()
        .filter(|s| s.inferred && s.role == Side::Seller)
        .map(|s| InferredSeller {
            name: s.name.clone(),
            confidence: s.confidence,
        })
        .collect();
    Ok(Analysis {
        speakers,
        inferred_sellers,
        asked_next_step: !findings.asks.is_empty(),
        next_step: findings.next_step,
        step_set_aside: findings.step_set_aside,
        asks: findings.asks,
        volunteered: findings.volunteered,
        bail_outs: findings.bail_outs.into_iter().map(|(m, _, _)| m).collect(),
        confrontations: findings.confrontations,
        negative_signals: findings.negative_signals,
        coaching,
    })
}

/// One labelled call as training for the step chooser and the offer model: the steps
/// said in it and the sentences that may offer work, judged with `rules` (which should
/// carry the act model they will be used with), and what `label` says of them.
pub fn step_example(
    utterances: &[Utterance],
    ctx: &CallContext,
    rules: &Rules,
    label: &StepLabel,
) -> Result<StepExample, AnalyzeError> {
    let (_, sided) = sides(utterances, ctx, rules)?;
    let sents = sentence::sentences(&sided, &rules.lexicon, rules.model.as_ref());
    let findings = dialogue::judge(&sents, ctx.date);
    Ok(StepExample::new(&sents, ctx.date, &findings, label))
}
