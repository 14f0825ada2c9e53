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

mod coaching;
mod dates;
mod dialogue;
mod lexicon;
mod model;
mod rules;
mod sentence;
mod speakers;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use nextstep_transcript::Utterance;

pub use dates::call_date_hint;
pub use model::{Analysis, Kind, Moment, NextStep, Owner, Side, SignalType, SpeakerRole};
pub use rules::{DEFAULT_RULES, RuleSet, RulesError};

use sentence::SidedUtterance;

/// Compiled rules: the lexicon automaton and the coaching templates. Build once, reuse
/// for every call (compiling is the expensive part).
#[derive(Debug)]
pub struct Rules {
    lexicon: lexicon::Lexicon,
    side_cues: speakers::SideCues,
    coaching: BTreeMap<String, String>,
    set: RuleSet,
}

impl Rules {
    /// The shipped rules.
    pub fn defaults() -> Rules {
        Rules::compile(RuleSet::defaults()).expect("the default rules compile")
    }

    /// The defaults extended (or replaced) by a team's rules file.
    pub fn with_extension(toml_text: &str) -> Result<Rules, RulesError> {
        let extra = RuleSet::from_toml(toml_text)?;
        Rules::compile(RuleSet::defaults().merge(extra))
    }

    /// Compiles a complete rule set.
    pub fn compile(set: RuleSet) -> Result<Rules, RulesError> {
        Ok(Rules {
            lexicon: lexicon::Lexicon::compile(&set)?,
            side_cues: speakers::SideCues::compile(&set)?,
            coaching: set.coaching.clone(),
            set,
        })
    }

    /// The rule set these were compiled from (for `nextstep rules`).
    pub fn rule_set(&self) -> &RuleSet {
        &self.set
    }
}

/// What the analyzer needs besides the utterances.
#[derive(Debug, Clone)]
pub struct CallContext {
    /// The call date, for resolving "Thursday" or "the 7th".
    pub date: NaiveDate,
    /// The seller's speaker names; empty means "infer the seller".
    pub sellers: Vec<String>,
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
/// rules can see which cues fired where.
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
}

/// Splits the call into sentences and lists the cues each one fired.
pub fn explain(
    utterances: &[Utterance],
    ctx: &CallContext,
    rules: &Rules,
) -> Result<Vec<ExplainedSentence>, AnalyzeError> {
    let (_, sided) = sides(utterances, ctx, rules)?;
    let mut out = Vec::new();
    for u in &sided {
        for text in sentence::split_sentences(u.text) {
            let norm = rules.lexicon.normalize(text);
            let cues = rules
                .lexicon
                .scan(&norm)
                .iter()
                .map(|h| {
                    let entry = &rules.lexicon.cues[h.cue];
                    let matched = norm.get(h.start..h.end).unwrap_or("");
                    if entry.starts_with('/') {
                        format!("{}: \"{matched}\" (pattern {entry})", h.tag.list_name())
                    } else {
                        format!("{}: \"{matched}\"", h.tag.list_name())
                    }
                })
                .collect();
            out.push(ExplainedSentence {
                speaker: u.speaker.to_string(),
                side: u.side,
                start: u.start,
                text: text.to_string(),
                cues,
            });
        }
    }
    Ok(out)
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
    let speakers = if ctx.sellers.is_empty() {
        speakers::infer(&names, &said, &rules.side_cues)
    } else {
        speakers::from_names(&names, &ctx.sellers)?
    };
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
    let sents = sentence::sentences(&sided, &rules.lexicon);
    let findings = dialogue::judge(&sents, ctx.date);
    let coaching = coaching::lines(&findings, &rules.coaching);
    Ok(Analysis {
        speakers,
        asked_next_step: !findings.asks.is_empty(),
        next_step: findings.next_step,
        asks: findings.asks,
        volunteered: findings.volunteered,
        bail_outs: findings.bail_outs.into_iter().map(|(m, _, _)| m).collect(),
        confrontations: findings.confrontations,
        negative_signals: findings.negative_signals,
        coaching,
    })
}
