//! Splits utterances into sentences and reads each sentence's cues into [`Features`]:
//! the unit every dialogue rule works on.

use crate::lexicon::{Hit, Lexicon, Tag};
use crate::model::{Kind, Moment, Side, SignalType};

/// How a sentence commits to an action; see `[frames]` in the rules file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Frame {
    Commit,
    Request,
    Joint,
}

/// One sentence of the call with everything the rules need to know about it.
#[derive(Debug)]
pub(crate) struct Sentence<'a> {
    /// Index of the speaker turn (consecutive utterances of one side form a turn).
    pub turn: usize,
    pub side: Side,
    pub speaker: &'a str,
    pub start: Option<f64>,
    pub text: &'a str,
    pub norm: String,
    pub question: bool,
    pub f: Features,
}

impl Sentence<'_> {
    /// The words a cue matched, for `why`.
    pub fn quote(&self, cue: Cue) -> &str {
        self.norm.get(cue.start..cue.end).unwrap_or("")
    }

    /// `rule: "matched words"`, the `why` of a moment.
    pub fn why(&self, rule: &str, cue: Cue) -> String {
        format!("{rule}: \"{}\"", self.quote(cue))
    }

    /// This sentence as evidence, with the rule that fired.
    pub fn moment(&self, why: impl Into<String>) -> Moment {
        Moment {
            speaker: self.speaker.to_string(),
            start: self.start,
            text: self.text.to_string(),
            why: why.into(),
        }
    }
}

/// Where a cue matched in the sentence's normalised text, so `why` can quote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cue {
    pub start: usize,
    pub end: usize,
}

/// The cues found in one sentence, reduced to what the dialogue rules ask about.
#[derive(Debug, Default)]
pub(crate) struct Features {
    pub frame: Option<(Frame, Cue)>,
    /// Clause index of the frame, to check it governs the kind.
    pub frame_clause: usize,
    /// The step kind the sentence names, with its cue (strong kinds before follow-up).
    pub kind: Option<(Kind, Cue)>,
    /// Every kind the sentence mentions, in order.
    pub mentions: Vec<(Kind, Cue)>,
    pub ask: Option<Cue>,
    pub what_now: bool,
    pub agreement: Option<Cue>,
    pub noncommittal: bool,
    pub decline: bool,
    pub stall: Option<Cue>,
    pub positive: bool,
    pub confront: Option<Cue>,
    pub no_fit: Option<Cue>,
    pub confront_frame: bool,
    pub confront_problem: Option<Cue>,
    pub anaphora: bool,
    pub logistics: bool,
    /// A joint frame that may follow its kind ("…, does that work for you?").
    pub tag_question: bool,
    /// A generic-time cue ("session") at this place.
    pub container: Option<Cue>,
    pub live: bool,
    pub custom_deliverable: Option<Cue>,
    pub negative: Option<(SignalType, Cue)>,
    pub guard_past: bool,
    pub guard_habit: bool,
    pub guard_negation: bool,
    pub guard_question: bool,
    /// Clause index of the kind cue, and of every guard cue: a guard cancels a step named
    /// in its own clause or a later one ("After every run, we'll send you a summary" is a
    /// feature), never an earlier one ("I'll send case studies, we had customers try it
    /// last year" still offers case studies).
    pub kind_clause: usize,
    pub guard_clauses: Vec<usize>,
}

impl Features {
    fn from_hits(hits: &[Hit], norm: &str) -> Features {
        let clause_of = |at: usize| clause_index(norm, at);
        let mut f = Features::default();
        let mut follow_up: Option<(Kind, Cue)> = None;
        let mut kinds: Vec<(Kind, Cue)> = Vec::new();
        let mut weak: Vec<Cue> = Vec::new();
        for h in hits {
            let c = Cue {
                start: h.start,
                end: h.end,
            };
            match h.tag {
                Tag::FrameCommit => set_first(&mut f.frame, (Frame::Commit, c)),
                Tag::FrameRequest => set_first(&mut f.frame, (Frame::Request, c)),
                Tag::FrameJoint => set_first(&mut f.frame, (Frame::Joint, c)),
                Tag::Kind(Kind::FollowUp) => {
                    set_first(&mut follow_up, (Kind::FollowUp, c));
                    f.mentions.push((Kind::FollowUp, c));
                }
                Tag::Kind(k) => {
                    kinds.push((k, c));
                    f.mentions.push((k, c));
                }
                Tag::AskNextStep => set_first(&mut f.ask, c),
                Tag::WhatNow => f.what_now = true,
                Tag::Agreement => set_first(&mut f.agreement, c),
                Tag::Noncommittal => f.noncommittal = true,
                Tag::Decline => f.decline = true,
                Tag::Stall => set_first(&mut f.stall, c),
                Tag::Positive => f.positive = true,
                Tag::Confront => set_first(&mut f.confront, c),
                Tag::NoFit => set_first(&mut f.no_fit, c),
                Tag::ConfrontFrame => f.confront_frame = true,
                Tag::ConfrontProblem => set_first(&mut f.confront_problem, c),
                Tag::Anaphora => f.anaphora = true,
                Tag::Logistics => f.logistics = true,
                Tag::Container => set_first(&mut f.container, c),
                Tag::Neutral => {}
                Tag::Confirming => f.tag_question = true,
                Tag::WeakKind => weak.push(c),
                Tag::Live => f.live = true,
                Tag::CustomDeliverable => set_first(&mut f.custom_deliverable, c),
                Tag::Negative(t) => set_first(&mut f.negative, (t, c)),
                Tag::GuardPast => {
                    f.guard_past = true;
                    f.guard_clauses.push(clause_of(h.start));
                }
                Tag::GuardHabit => {
                    f.guard_habit = true;
                    f.guard_clauses.push(clause_of(h.start));
                }
                Tag::GuardNegation => {
                    f.guard_negation = true;
                    f.guard_clauses.push(clause_of(h.start));
                }
                Tag::GuardQuestion => {
                    f.guard_question = true;
                    f.guard_clauses.push(clause_of(h.start));
                }
            }
        }
        // The first specific kind names the step; generic words ("something in writing")
        // only when nothing more specific follows.
        f.kind = kinds
            .iter()
            .find(|(_, c)| !weak.contains(c))
            .or_else(|| kinds.first())
            .copied();
        // A follow-up word is weak: "I'll get back to you with a better number" is a quote.
        // It names the step only when no other kind does, or when it comes first and is
        // not followed by "with <kind>".
        if let Some((_, fu)) = follow_up {
            let later = kinds.iter().find(|(_, k)| k.start >= fu.end);
            let earlier = kinds.iter().any(|(_, k)| k.start < fu.start);
            let with_next = later.is_some_and(|(_, k)| {
                let between = &norm[fu.end..k.start];
                between.len() < 40 && between.contains("with")
            });
            if !earlier && !with_next {
                f.kind = follow_up;
            }
        }
        if let Some((_, cue)) = f.kind {
            f.kind_clause = clause_of(cue.start);
        }
        if let Some((_, cue)) = f.frame {
            f.frame_clause = clause_of(cue.start);
        }
        if f.kind.is_none()
            && let Some(cue) = f.custom_deliverable
        {
            f.kind = Some((Kind::Demo, cue));
        }
        f
    }

    /// Whether the frame governs the kind: it comes first, or shares the kind's clause, or
    /// is a tag question. "We only had half an hour, so I'll keep it tight" is no step.
    pub fn frame_governs_kind(&self) -> bool {
        match (self.frame, self.kind) {
            (Some((_, fc)), Some((_, kc))) => {
                fc.start <= kc.start || self.frame_clause == self.kind_clause || self.tag_question
            }
            _ => false,
        }
    }

    /// True when the sentence talks about something other than a step being agreed now:
    /// the past, a habit or product feature, a negated step, or a discovery question.
    pub fn guarded(&self) -> bool {
        self.guard_clauses.iter().any(|&g| g <= self.kind_clause)
    }
}

/// How many clause breaks (`,` `;` `:` or a dash between spaces) come before `at`.
fn clause_index(norm: &str, at: usize) -> usize {
    let head = &norm.as_bytes()[..at.min(norm.len())];
    head.iter()
        .filter(|&&b| matches!(b, b',' | b';' | b':'))
        .count()
        + head.windows(3).filter(|w| w == b" - ").count()
}

fn set_first<T>(slot: &mut Option<T>, value: T) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

/// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS: [&str; 10] = [
    "mr", "mrs", "ms", "dr", "vs", "e.g", "i.e", "etc", "approx", "st",
];

/// Splits one utterance's text into sentences (byte ranges), keeping the terminator.
pub(crate) fn split_sentences(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b'.' | b'?' | b'!') {
            let mut end = i + 1;
            while end < bytes.len() && matches!(bytes[end], b'.' | b'?' | b'!' | b'"' | b')') {
                end += 1;
            }
            let at_break = end == bytes.len() || bytes[end].is_ascii_whitespace();
            let word_before = text[start..i]
                .rsplit(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            let abbreviation = b == b'.' && ABBREVIATIONS.contains(&word_before.as_str());
            if at_break && !abbreviation {
                let s = text[start..end].trim();
                if !s.is_empty() {
                    out.push(s);
                }
                start = end;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// An utterance with its side resolved, ready to be split.
pub(crate) struct SidedUtterance<'a> {
    pub side: Side,
    pub speaker: &'a str,
    pub start: Option<f64>,
    pub text: &'a str,
}

/// Splits every utterance into sentences and scans each for cues.
pub(crate) fn sentences<'a>(
    utterances: &[SidedUtterance<'a>],
    lexicon: &Lexicon,
) -> Vec<Sentence<'a>> {
    let mut out = Vec::with_capacity(utterances.len() * 2);
    let mut turn = 0;
    let mut last_side = None;
    for u in utterances {
        if last_side.is_some() && last_side != Some(u.side) {
            turn += 1;
        }
        last_side = Some(u.side);
        for text in split_sentences(u.text) {
            let norm = lexicon.normalize(text);
            let hits = lexicon.scan(&norm);
            let f = Features::from_hits(&hits, &norm);
            out.push(Sentence {
                turn,
                side: u.side,
                speaker: u.speaker,
                start: u.start,
                text,
                question: text.trim_end_matches(['"', ')']).ends_with('?'),
                norm,
                f,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::split_sentences;

    #[test]
    fn splits_on_terminators_but_not_abbreviations_or_decimals() {
        let cases: &[(&str, &[&str])] = &[
            ("Yes. Can you show me?", &["Yes.", "Can you show me?"]),
            ("It costs 3.5k per seat.", &["It costs 3.5k per seat."]),
            (
                "Ask Dr. Lee first! Then me",
                &["Ask Dr. Lee first!", "Then me"],
            ),
            ("Wait... what?", &["Wait...", "what?"]),
            ("", &[]),
            ("no terminator", &["no terminator"]),
        ];
        for (input, want) in cases {
            assert_eq!(split_sentences(input), *want, "input {input:?}");
        }
    }
}
