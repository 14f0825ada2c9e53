//! Compiles the rule lists into one Aho-Corasick automaton (plus a few regexes) and finds
//! every cue in a sentence in one pass.
//!
//! The longest-cue-wins rule lives here: a cue contained in a longer cue that also matched
//! is dropped, which is how guards such as "i'll think about it" mask the frame "i'll".

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use crate::model::{Kind, SignalType};
use crate::rules::{RuleSet, RulesError, is_regex};

/// What a cue means when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    FrameCommit,
    FrameRequest,
    FrameJoint,
    Kind(Kind),
    AskNextStep,
    WhatNow,
    Agreement,
    Noncommittal,
    Decline,
    Stall,
    Positive,
    Confront,
    NoFit,
    ConfrontFrame,
    ConfrontProblem,
    Anaphora,
    Logistics,
    Container,
    Neutral,
    TagQuestion,
    WeakKind,
    Live,
    CustomDeliverable,
    Negative(SignalType),
    GuardPast,
    GuardHabit,
    GuardNegation,
    GuardQuestion,
}

impl Tag {
    /// The rules-file list this tag comes from, e.g. `frames.commit` or `kinds.quote`.
    pub fn list_name(self) -> String {
        match self {
            Tag::FrameCommit => "frames.commit".into(),
            Tag::FrameRequest => "frames.request".into(),
            Tag::FrameJoint => "frames.joint".into(),
            Tag::Kind(k) => format!("kinds.{}", k.as_str()),
            Tag::AskNextStep => "cues.ask_next_step".into(),
            Tag::WhatNow => "cues.what_now".into(),
            Tag::Agreement => "cues.agreement".into(),
            Tag::Noncommittal => "cues.noncommittal".into(),
            Tag::Decline => "cues.decline".into(),
            Tag::Stall => "cues.stall".into(),
            Tag::Positive => "cues.positive".into(),
            Tag::Confront => "cues.confront".into(),
            Tag::NoFit => "cues.no_fit".into(),
            Tag::ConfrontFrame => "cues.confront_frame".into(),
            Tag::ConfrontProblem => "cues.confront_problem".into(),
            Tag::Anaphora => "cues.anaphora".into(),
            Tag::Logistics => "cues.logistics".into(),
            Tag::Container => "cues.container".into(),
            Tag::Neutral => "cues.neutral".into(),
            Tag::TagQuestion => "cues.tag_question".into(),
            Tag::WeakKind => "cues.weak_kind".into(),
            Tag::Live => "cues.live".into(),
            Tag::CustomDeliverable => "cues.custom_deliverable".into(),
            Tag::Negative(t) => format!("negative.{}", t.as_str()),
            Tag::GuardPast => "guards.past".into(),
            Tag::GuardHabit => "guards.habit".into(),
            Tag::GuardNegation => "guards.negation".into(),
            Tag::GuardQuestion => "guards.question".into(),
        }
    }
}

/// One cue found in a sentence: where, and what it means.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub start: usize,
    pub end: usize,
    pub tag: Tag,
    /// Index into [`Lexicon::cues`], to say which cue fired.
    pub cue: usize,
}

/// The compiled lexicons.
#[derive(Debug)]
pub(crate) struct Lexicon {
    automaton: AhoCorasick,
    /// For each automaton pattern, the tags it carries (a phrase may sit in several lists).
    pattern_tags: Vec<Vec<(Tag, usize)>>,
    regexes: Vec<(Regex, Tag, usize)>,
    /// The cue text of every entry, for `why` explanations.
    pub cues: Vec<String>,
    /// Filler words dropped before matching (see `[normalize]` in the rules).
    fillers: Option<AhoCorasick>,
}

fn tag_for(section: &str, list: &str) -> Option<Tag> {
    Some(match (section, list) {
        ("frames", "commit") => Tag::FrameCommit,
        ("frames", "request") => Tag::FrameRequest,
        ("frames", "joint") => Tag::FrameJoint,
        ("kinds", k) => Tag::Kind(Kind::from_name(k)?),
        ("cues", "ask_next_step") => Tag::AskNextStep,
        ("cues", "what_now") => Tag::WhatNow,
        ("cues", "agreement") => Tag::Agreement,
        ("cues", "noncommittal") => Tag::Noncommittal,
        ("cues", "decline") => Tag::Decline,
        ("cues", "stall") => Tag::Stall,
        ("cues", "positive") => Tag::Positive,
        ("cues", "confront") => Tag::Confront,
        ("cues", "no_fit") => Tag::NoFit,
        ("cues", "confront_frame") => Tag::ConfrontFrame,
        ("cues", "confront_problem") => Tag::ConfrontProblem,
        ("cues", "anaphora") => Tag::Anaphora,
        ("cues", "logistics") => Tag::Logistics,
        ("cues", "container") => Tag::Container,
        ("cues", "neutral") => Tag::Neutral,
        ("cues", "tag_question") => Tag::TagQuestion,
        ("cues", "weak_kind") => Tag::WeakKind,
        ("cues", "live") => Tag::Live,
        ("cues", "custom_deliverable") => Tag::CustomDeliverable,
        ("negative", t) => Tag::Negative(SignalType::from_name(t)?),
        ("guards", "past") => Tag::GuardPast,
        ("guards", "habit") => Tag::GuardHabit,
        ("guards", "negation") => Tag::GuardNegation,
        ("guards", "question") => Tag::GuardQuestion,
        _ => return None,
    })
}

fn known_lists(section: &str) -> &'static str {
    match section {
        "frames" => "commit, request, joint",
        "kinds" => {
            "meeting, demo, proposal, quote, trial, introduction, information, contract, follow_up, other"
        }
        "cues" => {
            "ask_next_step, what_now, agreement, noncommittal, decline, stall, positive, confront, no_fit, confront_frame, confront_problem, anaphora, logistics, container, neutral, tag_question, weak_kind, live, custom_deliverable"
        }
        "negative" => "confusion, doubt, objection, disinterest, stall",
        "guards" => "past, habit, negation, question",
        _ => "",
    }
}

/// Lower-cases and folds curly quotes so cues written with straight quotes match.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' => out.push('\''),
            '\u{201C}' | '\u{201D}' => out.push('"'),
            '\u{2013}' | '\u{2014}' => out.push('-'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

impl Lexicon {
    /// Compiles a rule set; rejects unknown lists and bad regexes.
    pub fn compile(rules: &RuleSet) -> Result<Lexicon, RulesError> {
        let mut phrases: Vec<String> = Vec::new();
        let mut pattern_tags: Vec<Vec<(Tag, usize)>> = Vec::new();
        let mut regexes = Vec::new();
        let mut cues = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        let sections = [
            ("frames", &rules.frames),
            ("kinds", &rules.kinds),
            ("cues", &rules.cues),
            ("negative", &rules.negative),
            ("guards", &rules.guards),
        ];
        for (section, table) in sections {
            for (list, entries) in table {
                let tag = tag_for(section, list).ok_or_else(|| RulesError::UnknownList {
                    section: section.into(),
                    list: list.clone(),
                    known: known_lists(section).into(),
                })?;
                for entry in entries {
                    let cue_id = cues.len();
                    cues.push(entry.clone());
                    if is_regex(entry) {
                        let pattern = &entry[1..entry.len() - 1];
                        let re = Regex::new(pattern).map_err(|e| RulesError::Regex {
                            section: section.into(),
                            list: list.clone(),
                            pattern: entry.clone(),
                            reason: e.to_string(),
                        })?;
                        regexes.push((re, tag, cue_id));
                        continue;
                    }
                    let phrase = normalize(entry.trim());
                    if phrase.is_empty() {
                        return Err(RulesError::EmptyPhrase {
                            section: section.into(),
                            list: list.clone(),
                        });
                    }
                    let slot = *index.entry(phrase.clone()).or_insert_with(|| {
                        phrases.push(phrase);
                        pattern_tags.push(Vec::new());
                        pattern_tags.len() - 1
                    });
                    pattern_tags[slot].push((tag, cue_id));
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&phrases)
            .map_err(|e| RulesError::Regex {
                section: "all".into(),
                list: "phrases".into(),
                pattern: String::new(),
                reason: e.to_string(),
            })?;
        let filler_words: Vec<String> = rules
            .normalize
            .get("fillers")
            .into_iter()
            .flatten()
            .map(|w| normalize(w.trim()))
            .filter(|w| !w.is_empty())
            .collect();
        let fillers = if filler_words.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&filler_words)
                    .map_err(|e| RulesError::Regex {
                        section: "normalize".into(),
                        list: "fillers".into(),
                        pattern: String::new(),
                        reason: e.to_string(),
                    })?,
            )
        };
        Ok(Lexicon {
            automaton,
            pattern_tags,
            regexes,
            cues,
            fillers,
        })
    }

    /// Lower-cases, folds quotes and drops filler words, giving the text cues match on.
    pub fn normalize(&self, text: &str) -> String {
        let lowered = normalize(text);
        let Some(fillers) = &self.fillers else {
            return lowered;
        };
        let bytes = lowered.as_bytes();
        let mut out = String::with_capacity(lowered.len());
        let mut last = 0;
        for m in fillers.find_iter(&lowered) {
            let (s, e) = (m.start(), m.end());
            let before_ok = s == 0 || !is_word_byte(bytes[s - 1]);
            let after_ok = e == bytes.len() || !is_word_byte(bytes[e]);
            if !(before_ok && after_ok) {
                continue;
            }
            out.push_str(&lowered[last..s]);
            // Swallow one following space so "not really following" becomes "not following".
            last = if bytes.get(e) == Some(&b' ') {
                e + 1
            } else {
                e
            };
        }
        out.push_str(&lowered[last..]);
        out
    }

    /// Every cue in `normalized` (the output of [`normalize`]), cues masked by a longer
    /// overlapping cue removed, sorted by position.
    pub fn scan(&self, normalized: &str) -> Vec<Hit> {
        let bytes = normalized.as_bytes();
        let mut spans: Vec<(usize, usize, usize)> = Vec::new(); // start, end, pattern
        for m in self.automaton.find_overlapping_iter(normalized) {
            let (s, e) = (m.start(), m.end());
            let before_ok = s == 0 || !is_word_byte(bytes[s - 1]);
            let after_ok = e == bytes.len() || !is_word_byte(bytes[e]);
            // A cue that itself ends in punctuation or space ("no, ") needs no boundary.
            let cue_edge = bytes[e - 1];
            if before_ok && (after_ok || !is_word_byte(cue_edge)) {
                spans.push((s, e, m.pattern().as_usize()));
            }
        }
        let mut hits: Vec<Hit> = Vec::with_capacity(spans.len() * 2);
        for &(s, e, p) in &spans {
            let masked = spans
                .iter()
                .any(|&(s2, e2, p2)| p2 != p && s2 <= s && e <= e2 && (e2 - s2) > (e - s));
            if masked {
                continue;
            }
            for &(tag, cue) in &self.pattern_tags[p] {
                hits.push(Hit {
                    start: s,
                    end: e,
                    tag,
                    cue,
                });
            }
        }
        for (re, tag, cue) in &self.regexes {
            if let Some(m) = re.find(normalized) {
                hits.push(Hit {
                    start: m.start(),
                    end: m.end(),
                    tag: *tag,
                    cue: *cue,
                });
            }
        }
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        hits
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\'' || b >= 0x80
}
