//! Splits utterances into sentences and reads each sentence's cues into [`Features`]:
//! the unit every dialogue rule works on.

use crate::acts::{Act, ActModel, ActScores, Context};
use crate::lexicon::{Hit, Lexicon, Tag};
use crate::model::{Kind, Moment, Side, SignalType};

/// How sure the act model must be of a step's kind to define a step whose kind no word
/// of the lexicon names.
const MODEL_KIND_CONFIDENCE: f32 = 0.6;

/// The least kind probability a step keeps when the lexicon's frame and the model both
/// read one: missing the step costs more than naming its kind wrongly.
const MODEL_KIND_FLOOR: f32 = 0.3;

/// Fewest words a sentence needs for the model alone to define a step in it.
const MODEL_STEP_MIN_WORDS: usize = 3;

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
    /// What the act model says, when the rules carry one.
    pub acts: Option<ActScores>,
    /// The cues the lexicon found (for `--explain`).
    pub hits: Vec<Hit>,
}

/// What a judgement rests on: words the lexicon matched, or the act model's verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Basis {
    Cue(Cue),
    Model(Act, f32),
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
            ..Moment::default()
        }
    }

    /// This sentence as evidence for `act`, saying what decided: `rule: "words"` for a
    /// cue, `rule: classifier: act 0.87` (or just `classifier: act 0.87` when the rule is
    /// the act) for the model.
    pub fn evidence(&self, rule: &str, act: Act, basis: Basis) -> Moment {
        let (why, probability) = match basis {
            Basis::Cue(cue) => (self.why(rule, cue), None),
            Basis::Model(a, p) if rule == a.as_str() => {
                (format!("classifier: {} {p:.2}", a.as_str()), Some(p))
            }
            Basis::Model(a, p) => (
                format!("{rule}: classifier: {} {p:.2}", a.as_str()),
                Some(p),
            ),
        };
        Moment {
            act: Some(act),
            probability,
            ..self.moment(why)
        }
    }

    /// The act model's probability for `act` when it decides the sentence performs it.
    pub fn model_says(&self, act: Act) -> Option<f32> {
        self.acts.as_ref()?.fires(act)
    }

    /// The lexicon saw half a step: a frame ("let's", "what I'd want is") without a kind
    /// word, or a kind word without a frame. The model then decides whether it is one.
    pub fn lexicon_unsure(&self) -> bool {
        self.f.frame.is_some() || self.f.kind.is_some()
    }

    /// The kind of the step this sentence names: the lexicon's kind word, else the act
    /// model's reading when it is sure enough to stand behind it. Where the lexicon's
    /// frame already reads a step ("what I'll do is put together a side-by-side") and the
    /// model agrees, the model's best kind stands even when no kind is sure.
    pub fn step_kind(&self) -> Option<Kind> {
        // A sentence cut off ("Would it help if I...") states no step to name.
        let cut_off = ["...", "…", "—", "--"]
            .iter()
            .any(|e| self.text.trim_end().ends_with(e));
        let floor = if self.f.frame.is_some() && !cut_off {
            MODEL_KIND_FLOOR
        } else {
            MODEL_KIND_CONFIDENCE
        };
        match (self.f.kind, &self.acts) {
            (Some((k, _)), _) => Some(k),
            // "Will do." states no step of its own: a step the lexicon cannot name
            // needs words enough to say what it is.
            (None, Some(a))
                if a.kind.1 >= floor
                    && self.text.split_whitespace().count() >= MODEL_STEP_MIN_WORDS =>
            {
                Some(a.kind.0)
            }
            _ => None,
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
    pub(crate) fn from_hits(hits: &[Hit], norm: &str) -> Features {
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

    /// What the cues alone say the sentence does, for the rules-only ablation: the act
    /// the dialogue rules would read from this sentence taken by itself.
    pub fn cue_acts(&self, side: Side, question: bool) -> (Vec<Act>, Option<Kind>) {
        let mut acts = Vec::new();
        let step = self.kind.is_some()
            && self.frame.is_some()
            && self.frame_governs_kind()
            && !self.guarded()
            && !self.live;
        let kind = self.kind.map(|(k, _)| k);
        match side {
            Side::Prospect => {
                let negative = self
                    .negative
                    .filter(|_| !self.guard_past && !self.guard_habit)
                    .filter(|(t, _)| !question || *t == SignalType::Confusion);
                if step && self.stall.is_none() {
                    acts.push(Act::RequestStep);
                }
                if self.agreement.is_some() {
                    acts.push(Act::Agree);
                }
                if self.noncommittal {
                    acts.push(Act::Noncommittal);
                }
                if self.stall.is_some() {
                    acts.push(Act::Stall);
                }
                if self.decline {
                    acts.push(Act::Decline);
                }
                match negative.map(|(t, _)| t) {
                    Some(SignalType::Confusion) => acts.push(Act::Confusion),
                    Some(SignalType::Doubt) => acts.push(Act::Doubt),
                    Some(SignalType::Objection) => acts.push(Act::Objection),
                    Some(SignalType::Disinterest) => acts.push(Act::Disinterest),
                    Some(SignalType::Stall) | None => {}
                }
                if question && negative.is_none() && !step {
                    acts.push(Act::Question);
                }
            }
            Side::Seller => {
                if self.ask.is_some() && question {
                    acts.push(Act::AskNextStep);
                } else if step {
                    match self.frame.map(|(f, _)| f) {
                        Some(Frame::Commit) => acts.push(Act::Commit),
                        _ if question => acts.push(Act::ClosedSuggestion),
                        _ => acts.push(Act::Suggest),
                    }
                }
                if self.confront.is_some()
                    || (self.confront_problem.is_some() && self.confront_frame)
                {
                    acts.push(Act::NameDifficulty);
                }
                if self.no_fit.is_some() {
                    acts.push(Act::Disqualify);
                }
            }
        }
        (acts, kind)
    }

    /// Whether any guard cue fired anywhere in the sentence: the lexicon then has an
    /// opinion, so the model does not define a step on its own.
    pub fn any_guard(&self) -> bool {
        !self.guard_clauses.is_empty()
    }

    /// True when the sentence talks about something other than a step being agreed now:
    /// the past, a habit or product feature, a negated step, or a discovery question.
    pub fn guarded(&self) -> bool {
        self.guard_clauses.iter().any(|&g| g <= self.kind_clause)
    }
}

/// The lexicon's verdicts on a sentence as codes for the act model: every cue list that
/// matched, plus whether a frame governs a kind without a guard (a step by the rules'
/// reading) and whether any guard spoke.
pub(crate) fn cue_codes(hits: &[Hit], f: &Features) -> Vec<u8> {
    let mut codes = Vec::with_capacity(hits.len() + 2);
    write_cue_codes(hits, f, &mut codes);
    codes
}

/// [`cue_codes`] into a reused buffer.
pub(crate) fn write_cue_codes(hits: &[Hit], f: &Features, codes: &mut Vec<u8>) {
    codes.clear();
    codes.extend(hits.iter().map(|h| h.tag.code()));
    if f.kind.is_some() && f.frame.is_some() && f.frame_governs_kind() && !f.guarded() && !f.live {
        codes.push(100);
    }
    if f.any_guard() {
        codes.push(101);
    }
    codes.sort_unstable();
    codes.dedup();
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

/// Words that open a question: an interrogative, or an auxiliary before its subject
/// ("do you", "could we"). Grammar, not a cue: the lexicon decides what a question
/// asks; this only says that it asks, where no question mark was written.
const QUESTION_OPENERS: [&str; 8] = [
    "how", "what", "what's", "whats", "where", "when", "who", "which",
];

/// Auxiliaries that open a question when a subject follows ("would you", "can we").
const QUESTION_AUXILIARIES: [&str; 14] = [
    "do", "does", "did", "can", "could", "would", "will", "should", "shall", "is", "are", "was",
    "have", "has",
];

/// Subjects after an auxiliary that make it a question ("do you", "is there").
const QUESTION_SUBJECTS: [&str; 8] = ["you", "we", "i", "it", "that", "this", "there", "they"];

/// Discourse markers and fillers a spoken question may start with ("so um how would
/// you…", "okay and what…").
const LEADING_MARKERS: [&str; 12] = [
    "so", "and", "but", "okay", "ok", "um", "uh", "well", "then", "right", "alright", "like",
];

/// Whether an unpunctuated sentence opens like a question, past leading discourse
/// markers, fillers and a repeated word ("so how how would you…").
fn opens_question(sentence: &str) -> bool {
    let words: Vec<String> = sentence
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let mut rest = words
        .iter()
        .map(String::as_str)
        .skip_while(|w| LEADING_MARKERS.contains(w));
    let Some(first) = rest.next() else {
        return false;
    };
    let next = rest.find(|w| *w != first);
    // "what we do is…", "how you set it up matters": an interrogative before its
    // subject opens a statement.
    let statement = |n: &str| matches!(n, "i" | "we" | "you" | "they" | "he" | "she" | "it");
    QUESTION_OPENERS.contains(&first) && !next.is_some_and(statement)
        || QUESTION_AUXILIARIES.contains(&first)
            && next.is_some_and(|n| QUESTION_SUBJECTS.contains(&n))
}

/// Words per sentence terminator above which an utterance counts as unpunctuated.
const RUN_ON_WORDS: usize = 30;

/// Shortest stretch (in words) worth asking the segmenter about.
const SEGMENT_MIN_WORDS: usize = 8;

/// Splits one utterance into sentences, each with whether it reads as a question. Text
/// with punctuation is split at its terminators; text a speech recogniser wrote without
/// them ("so what does the rollout look like and can you send me the pricing") is cut by
/// the model's segmenter, which also says which pieces are questions.
pub(crate) fn split_utterance<'t>(text: &'t str, model: Option<&ActModel>) -> Vec<(&'t str, bool)> {
    let pieces = split_sentences(text);
    // Text with no sentence punctuation at all (a recogniser's) has no question mark to
    // read: a sentence that opens like a question is one.
    let unpunctuated = !text.contains(['.', '?', '!']);
    let ends_question = |s: &str| {
        s.trim_end_matches(['"', ')']).ends_with('?') || unpunctuated && opens_question(s)
    };
    let Some(model) = model else {
        return pieces.into_iter().map(|s| (s, ends_question(s))).collect();
    };
    let words = text.split_whitespace().count();
    let terminators = text
        .as_bytes()
        .windows(2)
        .filter(|w| matches!(w[0], b'.' | b'?' | b'!') && w[1].is_ascii_whitespace())
        .count()
        + usize::from(text.trim_end().ends_with(['.', '?', '!']));
    if words < SEGMENT_MIN_WORDS || words <= RUN_ON_WORDS * terminators.max(1) && terminators > 0 {
        return pieces.into_iter().map(|s| (s, ends_question(s))).collect();
    }
    let mut out = Vec::new();
    for piece in pieces {
        if piece.split_whitespace().count() < SEGMENT_MIN_WORDS {
            out.push((piece, ends_question(piece)));
            continue;
        }
        for p in model.segment(piece) {
            let s = piece[p.start..p.end].trim();
            if !s.is_empty() {
                out.push((s, p.question || ends_question(s)));
            }
        }
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

/// Splits every utterance into sentences, scans each for cues and, with a model, scores
/// its acts against the other side's last words.
pub(crate) fn sentences<'a>(
    utterances: &[SidedUtterance<'a>],
    lexicon: &Lexicon,
    model: Option<&ActModel>,
) -> Vec<Sentence<'a>> {
    let mut out = Vec::with_capacity(utterances.len() * 2);
    let mut turn = 0;
    let mut last_side = None;
    let mut scratch = Default::default();
    let mut codes = Vec::new();
    // The last utterance each side said: the context the other side's sentences answer.
    let mut last_said: [Option<&str>; 2] = [None, None];
    let slot = |side: Side| match side {
        Side::Seller => 0,
        Side::Prospect => 1,
    };
    for u in utterances {
        let continues_turn = last_side == Some(u.side);
        if last_side.is_some() && !continues_turn {
            turn += 1;
        }
        last_side = Some(u.side);
        let other = last_said[slot(u.side.other())];
        for (k, (text, question)) in split_utterance(u.text, model).into_iter().enumerate() {
            let (norm, contracted) = lexicon.normalize_noting_contractions(text);
            let hits = lexicon.scan(&norm);
            let f = Features::from_hits(&hits, &norm);
            if contracted {
                // The act model reads the cues of the words as written (see
                // `Lexicon::normalize_as_written`).
                let plain = lexicon.normalize_as_written(text);
                let plain_hits = lexicon.scan(&plain);
                write_cue_codes(
                    &plain_hits,
                    &Features::from_hits(&plain_hits, &plain),
                    &mut codes,
                );
            } else {
                write_cue_codes(&hits, &f, &mut codes);
            }
            let ctx = Context {
                other,
                mid_turn: continues_turn || k > 0,
                cues: &codes,
            };
            let acts = model.map(|m| m.score_with(u.side, text, &ctx, &mut scratch));
            out.push(Sentence {
                turn,
                side: u.side,
                speaker: u.speaker,
                start: u.start,
                text,
                question,
                norm,
                f,
                acts,
                hits,
            });
        }
        last_said[slot(u.side)] = Some(u.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::split_sentences;

    #[test]
    fn unpunctuated_sentences_that_open_like_questions_are_questions() {
        let cases = [
            ("how would you suggest we get her involved", true),
            ("so um what does the rollout look like", true),
            ("okay and and do you have a budget", true),
            ("what we do is send a summary", false),
            ("we'll send it over", false),
            ("is there anyone else", true),
            ("is fine", false),
        ];
        for (text, want) in cases {
            assert_eq!(super::opens_question(text), want, "{text:?}");
            let got = super::split_utterance(text, None);
            assert_eq!(got, [(text, want)], "{text:?}");
        }
        // Punctuated text keeps its own marks.
        assert_eq!(
            super::split_utterance("How we work. Fine", None),
            [("How we work.", false), ("Fine", false)]
        );
    }

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
