//! Compiles the rule lists into one Aho-Corasick automaton (plus a few regexes) and finds
//! every cue in a sentence in one pass.
//!
//! The longest-cue-wins rule lives here: a cue contained in a longer cue that also matched
//! is dropped, which is how guards such as "i'll think about it" mask the frame "i'll".

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexSet};

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
    Confirming,
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
    /// A small stable number per tag (kinds and signal types each their own), so the act
    /// model can read cues as features without formatting names.
    pub fn code(self) -> u8 {
        match self {
            Tag::FrameCommit => 0,
            Tag::FrameRequest => 1,
            Tag::FrameJoint => 2,
            Tag::AskNextStep => 3,
            Tag::WhatNow => 4,
            Tag::Agreement => 5,
            Tag::Noncommittal => 6,
            Tag::Decline => 7,
            Tag::Stall => 8,
            Tag::Positive => 9,
            Tag::Confront => 10,
            Tag::NoFit => 11,
            Tag::ConfrontFrame => 12,
            Tag::ConfrontProblem => 13,
            Tag::Anaphora => 14,
            Tag::Logistics => 15,
            Tag::Container => 16,
            Tag::Neutral => 17,
            Tag::Confirming => 18,
            Tag::WeakKind => 19,
            Tag::Live => 20,
            Tag::CustomDeliverable => 21,
            Tag::GuardPast => 22,
            Tag::GuardHabit => 23,
            Tag::GuardNegation => 24,
            Tag::GuardQuestion => 25,
            Tag::Negative(t) => 30 + t as u8,
            Tag::Kind(k) => 40 + k as u8,
        }
    }

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
            Tag::Confirming => "cues.tag_question".into(),
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
    /// All regex cues at once: one pass tells which (rarely any) need a `find`.
    regex_set: RegexSet,
    /// The cue text of every entry, for `why` explanations.
    pub cues: Vec<String>,
    /// Filler words dropped and contractions restored before matching (`[normalize]`).
    folding: Folding,
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
        ("cues", "tag_question") => Tag::Confirming,
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

/// Folds typographic quotes and dashes to the ASCII ones cues are written with.
fn fold_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' => '\'',
        '\u{201C}' | '\u{201D}' => '"',
        '\u{2013}' | '\u{2014}' => '-',
        c => c,
    }
}

fn push_lower(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Lower-cases and folds curly quotes so cues written with straight quotes match.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_lower(&mut out, fold_char(c));
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
        let fillers = WordSet::new(
            rules
                .normalize
                .get("fillers")
                .into_iter()
                .flatten()
                .map(|w| normalize(w.trim()))
                .filter(|w| !w.is_empty()),
        );
        let mut bare = Vec::new();
        let mut contracted = Vec::new();
        for entry in rules.normalize.get("contractions").into_iter().flatten() {
            let (b, full) = entry
                .split_once("->")
                .map(|(b, f)| (normalize(b.trim()), normalize(f.trim())))
                .filter(|(b, f)| !b.is_empty() && !f.is_empty() && !b.contains(' '))
                .ok_or_else(|| RulesError::BadContraction {
                    entry: entry.clone(),
                })?;
            // The first spelling of a word stands; a later entry for it is ignored.
            if !bare.contains(&b) {
                bare.push(b);
                contracted.push(full);
            }
        }
        let folding = Folding {
            fillers,
            bare: WordSet::new(bare.into_iter()),
            contracted,
        };
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
                    let phrase = normalize_with(&folding, entry.trim(), true)
                        .0
                        .trim()
                        .to_string();
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
        // A DFA: over a thousand phrases would otherwise get the slower NFA engine.
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&phrases)
            .map_err(|e| RulesError::Regex {
                section: "all".into(),
                list: "phrases".into(),
                pattern: String::new(),
                reason: e.to_string(),
            })?;

        let regex_set =
            RegexSet::new(regexes.iter().map(|(re, _, _)| re.as_str())).map_err(|e| {
                RulesError::Regex {
                    section: "all".into(),
                    list: "regexes".into(),
                    pattern: String::new(),
                    reason: e.to_string(),
                }
            })?;
        Ok(Lexicon {
            automaton,
            pattern_tags,
            regexes,
            regex_set,
            cues,
            folding,
        })
    }

    /// Lower-cases, folds quotes and drops filler words, giving the text cues match on.
    pub fn normalize(&self, text: &str) -> String {
        normalize_with(&self.folding, text, true).0
    }

    /// [`Lexicon::normalize`], and whether a contraction written without its apostrophe
    /// was restored ("dont" → "don't").
    pub(crate) fn normalize_noting_contractions(&self, text: &str) -> (String, bool) {
        normalize_with(&self.folding, text, true)
    }

    /// [`Lexicon::normalize`] with contractions left as written: what the act model's cue
    /// features are read from, so that the model stays what its corpus trained, whatever
    /// a rules file's contraction list says.
    pub(crate) fn normalize_as_written(&self, text: &str) -> String {
        normalize_with(&self.folding, text, false).0
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
        // Longest cue wins: sorted by start, longest first, a span is masked when an
        // earlier span reaches at least as far (phrases are distinct, so it is longer).
        spans.sort_unstable_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
        let mut hits: Vec<Hit> = Vec::with_capacity(spans.len() * 2);
        let mut reach = 0;
        for (n, &(s, e, p)) in spans.iter().enumerate() {
            let masked = n > 0 && reach >= e;
            reach = reach.max(e);
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
        for index in self.regex_set.matches(normalized).iter() {
            let (re, tag, cue) = &self.regexes[index];
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

/// Lower-cases, folds quotes and drops filler words. One pass: it runs on every sentence
/// of every call, and on every cue phrase so that cues and text are folded alike.
fn normalize_with(folding: &Folding, text: &str, contract: bool) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut contracted = false;
    let mut word: Option<usize> = None; // start of the word being read, in `out`
    let mut prev: Option<usize> = None; // start of the word before it, one space back
    let mut drop_space = false;
    // `None` closes the last word.
    for c in text.chars().map(Some).chain([None]) {
        let c = c.map(fold_char);
        if let Some(c) = c.filter(|&c| c.is_ascii_alphanumeric() || c == '\'' || !c.is_ascii()) {
            if word.is_none() {
                word = Some(out.len());
            }
            drop_space = false;
            push_lower(&mut out, c);
            continue;
        }
        let kept = end_word(
            folding,
            contract.then_some(&mut contracted),
            &mut out,
            &mut word,
            &mut prev,
            &mut drop_space,
        );
        let Some(c) = c else { break };
        if c == ' ' && drop_space {
            drop_space = false;
            continue;
        }
        drop_space = false;
        prev = if c == ' ' { kept } else { None };
        out.push(c);
    }
    (out, contracted)
}

/// Closes the word being read: drops it (with the word before, for two-word fillers)
/// when it is a filler. Returns the word's start when it was kept.
fn end_word(
    folding: &Folding,
    contracted: Option<&mut bool>,
    out: &mut String,
    word: &mut Option<usize>,
    prev: &mut Option<usize>,
    drop_space: &mut bool,
) -> Option<usize> {
    let start = word.take()?;
    // "dont", "ill", "youre": speech recognisers drop apostrophes; cues keep them.
    if let Some(contracted) = contracted
        && let Some(full) = folding.contraction(&out[start..])
    {
        out.truncate(start);
        out.push_str(full);
        *contracted = true;
    }
    let fillers = &folding.fillers;
    if fillers.is_empty() {
        return Some(start);
    }
    if let Some(p) = prev.take()
        && fillers.contains(&out[p..])
    {
        out.truncate(p);
        *drop_space = true;
        return None;
    }
    if fillers.contains(&out[start..]) {
        out.truncate(start);
        *drop_space = true;
        return None;
    }
    Some(start)
}

/// What normalising does to words beyond case and quotes: drops fillers, restores
/// contractions written without their apostrophe.
#[derive(Debug)]
struct Folding {
    fillers: WordSet,
    /// Contractions as recognisers write them ("dont")…
    bare: WordSet,
    /// …and as cues spell them ("don't"), in the same order.
    contracted: Vec<String>,
}

impl Folding {
    /// How cues spell `word` when it is a contraction written without its apostrophe.
    fn contraction(&self, word: &str) -> Option<&str> {
        self.bare
            .position(word)
            .map(|i| self.contracted[i].as_str())
    }
}

/// A small set of words with a cheap first-byte and length test in front, since it is
/// asked about every word of every call.
#[derive(Debug)]
struct WordSet {
    words: std::collections::HashMap<String, usize>,
    first_bytes: [bool; 256],
    longest: usize,
}

impl WordSet {
    fn new(words: impl Iterator<Item = String>) -> WordSet {
        let mut f = WordSet {
            words: Default::default(),
            first_bytes: [false; 256],
            longest: 0,
        };
        for w in words {
            f.first_bytes[usize::from(w.as_bytes()[0])] = true;
            f.longest = f.longest.max(w.len());
            let next = f.words.len();
            f.words.entry(w).or_insert(next);
        }
        f
    }

    fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    fn contains(&self, word: &str) -> bool {
        self.position(word).is_some()
    }

    /// Where `word` is in the set, if it is.
    fn position(&self, word: &str) -> Option<usize> {
        if word.is_empty()
            || word.len() > self.longest
            || !self.first_bytes[usize::from(word.as_bytes()[0])]
        {
            return None;
        }
        self.words.get(word).copied()
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\'' || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::Lexicon;
    use crate::RuleSet;

    #[test]
    fn normalising_folds_case_quotes_and_drops_fillers() {
        let lexicon = Lexicon::compile(&RuleSet::defaults()).unwrap();
        let cases = [
            ("I\u{2019}m not really following.", "i'm not following."),
            ("It's just, kind of a lot", "it's , a lot"),
            ("Um, I mean sure", ", i mean sure"),
            ("Honestly honestly fine", "fine"),
            ("dont send it ill call", "don't send it i'll call"),
            ("its on its way", "its on its way"),
            ("Number summary", "number summary"),
            (
                "ÉTÉ \u{201C}quoted\u{201D} \u{2014} dash",
                "été \"quoted\" - dash",
            ),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(lexicon.normalize(input), want, "{input:?}");
        }
    }

    #[test]
    fn a_contraction_entry_must_be_one_word_and_its_spelling() {
        // (entry, accepted)
        let cases = [
            ("wanna -> want to", true),
            ("gonna", false),
            ("-> going to", false),
            ("kinda sorta -> kind of", false),
        ];
        for (entry, accepted) in cases {
            let mut rules = RuleSet::defaults();
            rules
                .normalize
                .insert("contractions".into(), vec![entry.to_string()]);
            let compiled = Lexicon::compile(&rules);
            assert_eq!(compiled.is_ok(), accepted, "{entry:?}");
            if let Ok(lexicon) = compiled {
                assert_eq!(lexicon.normalize("i wanna see it"), "i want to see it");
            }
        }
    }
}
