//! Puts every speaker on the seller's or the prospect's side, and says why.
//!
//! In order, each speaker's side comes from the first of:
//!
//! 1. a side already settled for this call (a user flipped it: [`SideBasis::User`], or the
//!    sides of an earlier judgement kept as they were);
//! 2. the seller names the caller gave (`--seller`, an upload's `sellers`);
//! 3. the deal's owner, then the team's roster;
//!
//! all matched forgivingly ([`crate::names`]). Once any speaker is known to be on the
//! seller's side, everyone else is the prospect's. Only when nobody is known is the
//! seller's side inferred from how people talk: sellers open and thank, ask discovery
//! questions ("how is your team handling…"; in text without question marks, where the
//! act model's segmenter reads a question), pitch and talk pricing ("our platform", "we
//! integrate"); prospects describe their own company ("our team", "we use") and ask
//! "can you…". Introductions tie people to one side whichever side it is: "I've got
//! Priya with me, she's one of our solutions engineers", "Mateusz is here as well",
//! "Arjun's here too, he runs growth" — and with a diarizer's unnamed labels, the speaker
//! heard for the first time right after someone introduces a colleague. The speaker
//! with the most seller points leads the seller's side, with everyone tied to them by
//! introductions and anyone else who gathers seller points at a seller's rate; a manager
//! or a solutions engineer who joins lands there, and at least one speaker always stays
//! on the prospect's.

use crate::AnalyzeError;
use crate::model::{Side, SideBasis, SpeakerRole};
use crate::names;

/// What the caller knows about who is who, borrowed from the [`crate::CallContext`].
pub(crate) struct Known<'a> {
    /// Sides already settled, used as they are.
    pub fixed: &'a [SpeakerRole],
    /// Names given as the seller's side.
    pub sellers: &'a [String],
    /// The deal's owner.
    pub owner: Option<&'a str>,
    /// The team's reps and users.
    pub roster: &'a [String],
}

/// A speaker's side with its basis, confidence and reason in words.
fn role(name: &str, side: Side, basis: SideBasis, confidence: f64) -> SpeakerRole {
    SpeakerRole::new(name, side, basis, confidence)
}

/// Assigns every speaker a side (see the module doc for the order).
pub(crate) fn assign(
    speakers: &[String],
    said: &[(usize, &str)],
    known: &Known<'_>,
    cues: &SideCues,
    asks: &dyn Fn(&str) -> bool,
) -> Result<Vec<SpeakerRole>, AnalyzeError> {
    let mut roles: Vec<Option<SpeakerRole>> = speakers
        .iter()
        .map(|name| known.fixed.iter().find(|r| r.name == *name).cloned())
        .collect();
    if !known.sellers.is_empty() {
        let matched = names::resolve(speakers, known.sellers);
        if matched.iter().all(Option::is_none) {
            return Err(AnalyzeError::SellerNotFound {
                sellers: known.sellers.join(", "),
                speakers: speakers.join(", "),
            });
        }
        for (i, m) in matched.iter().enumerate() {
            if m.is_some() && roles[i].is_none() {
                roles[i] = Some(role(&speakers[i], Side::Seller, SideBasis::Named, 1.0));
            }
        }
    }
    if let Some(owner) = known.owner.filter(|o| !o.trim().is_empty()) {
        let matched = names::resolve(speakers, &[owner.to_string()]);
        for (i, m) in matched.iter().enumerate() {
            if m.is_some() && roles[i].is_none() {
                roles[i] = Some(role(&speakers[i], Side::Seller, SideBasis::Owner, 1.0));
            }
        }
    }
    if !known.roster.is_empty() {
        let matched = names::resolve(speakers, known.roster);
        for (i, m) in matched.iter().enumerate() {
            if m.is_some() && roles[i].is_none() {
                roles[i] = Some(role(&speakers[i], Side::Seller, SideBasis::Roster, 1.0));
            }
        }
    }
    let seller_known = roles.iter().flatten().any(|r| r.role == Side::Seller);
    if seller_known {
        return Ok(speakers
            .iter()
            .zip(roles)
            .map(|(name, r)| {
                r.unwrap_or_else(|| role(name, Side::Prospect, SideBasis::Unmatched, 1.0))
            })
            .collect());
    }
    let open: Vec<bool> = roles.iter().map(Option::is_none).collect();
    let inferred = infer(speakers, said, cues, asks, &open);
    Ok(roles
        .into_iter()
        .zip(inferred)
        .map(|(r, guess)| r.unwrap_or(guess))
        .collect())
}

/// The seller-inference cues compiled for a case-insensitive scan: pattern ids below
/// `seller_cues` point towards the seller, the rest towards the prospect.
#[derive(Debug)]
pub(crate) struct SideCues {
    automaton: aho_corasick::AhoCorasick,
    seller_cues: usize,
}

impl SideCues {
    /// Compiles the `[speakers]` lists (unknown list names are rejected).
    pub fn compile(rules: &crate::RuleSet) -> Result<SideCues, crate::RulesError> {
        for name in rules.speakers.keys() {
            if name != "seller" && name != "prospect" {
                return Err(crate::RulesError::UnknownList {
                    section: "speakers".into(),
                    list: name.clone(),
                    known: "seller, prospect".into(),
                });
            }
        }
        let list = |name: &str| rules.speakers.get(name).cloned().unwrap_or_default();
        let seller = list("seller");
        let seller_cues = seller.len();
        let automaton = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(seller.iter().chain(list("prospect").iter()))
            .map_err(|e| crate::RulesError::Regex {
                section: "speakers".into(),
                list: "all".into(),
                pattern: String::new(),
                reason: e.to_string(),
            })?;
        Ok(SideCues {
            automaton,
            seller_cues,
        })
    }

    /// Seller points minus prospect points in one utterance. A cue counts only where
    /// words start and end ("our team" is not in "your team", "the app" not in "the
    /// appointment").
    fn score(&self, text: &str) -> f64 {
        let word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        self.automaton
            .find_overlapping_iter(text)
            .filter(|m| {
                let cue = &text[m.start()..m.end()];
                let starts_mid_word = word_char(text[..m.start()].chars().next_back());
                let ends_mid_word =
                    word_char(cue.chars().next_back()) && word_char(text[m.end()..].chars().next());
                !starts_mid_word && !ends_mid_word
            })
            .map(|m| {
                if m.pattern().as_usize() < self.seller_cues {
                    1.0
                } else {
                    -1.0
                }
            })
            .sum()
    }
}

/// Points a speaker other than the lead seller needs, over all they said, to be put on
/// the seller's side as well: a colleague who pitches or asks discovery questions
/// gathers them quickly, a prospect who describes their company loses them.
const JOIN_POINTS: f64 = 2.5;
/// Points a speaker needs on average per utterance to join the seller's side: a long
/// call gives a chatty prospect many questions, each worth a little.
const JOIN_MEAN: f64 = 0.5;
/// Points for being tied to the lead seller by an introduction ("I've
/// brought Mei, our solutions engineer").
const INTRODUCED_POINTS: f64 = 3.0;

/// Words shortly before a first name that introduce a colleague on their own ("I've
/// brought Mei", "my colleague Mei", "joined by Mei"; "by" counts only after "joined").
const INTRODUCED_AFTER: [&str; 6] = [
    "brought",
    "colleague",
    "colleagues",
    "introduce",
    "introducing",
    "by",
];
/// Words shortly before a first name that introduce someone when what follows the name
/// says they are here with the speaker or names their role ("I've got Priya with me",
/// "I have Sneha, she is our presales lead").
const HAVE_WORDS: [&str; 3] = ["got", "have", "having"];
/// Words before the introducing word that make it someone else's colleague ("you've
/// brought Tom").
const NOT_OURS: [&str; 10] = [
    "you", "you've", "youve", "they", "they've", "she", "she's", "he", "he's", "you'd",
];

/// Words shortly after "Mei, our …" that make it an introduction of a colleague.
const ROLE_WORDS: [&str; 22] = [
    "engineer",
    "engineers",
    "manager",
    "head",
    "heads",
    "vp",
    "director",
    "lead",
    "leads",
    "specialist",
    "architect",
    "consultant",
    "consultants",
    "expert",
    "founder",
    "executive",
    "exec",
    "solutions",
    "solution",
    "success",
    "partner",
    "runs",
];

/// Word pairs right after a name that put its person on the call with the speaker
/// ("Priya with me", "Mateusz is here as well", "Mo's jumping on").
const HERE_WITH: [[&str; 2]; 10] = [
    ["on", "too"],
    ["with", "me"],
    ["joining", "as"],
    ["joining", "too"],
    ["joining", "us"],
    ["with", "us"],
    ["on", "with"],
    ["here", "too"],
    ["here", "as"],
    ["on", "the"],
];

/// Whether a sentence speaks of the speaker's own organisation ("we", "our", "us"):
/// a question that does is a prospect asking what the product means for them.
pub(crate) fn about_us(sentence: &str) -> bool {
    names::fold_words(sentence)
        .iter()
        .any(|w| matches!(w.as_str(), "we" | "our" | "us" | "we're" | "we've" | "ours"))
}

/// Seller points of one utterance: its cues, asking a question (sellers ask more;
/// `asks` finds questions in text without question marks too), and opening the call.
fn utterance_points(cues: &SideCues, pos: usize, text: &str, asks: &dyn Fn(&str) -> bool) -> f64 {
    let mut s = cues.score(text);
    if pos == 0 {
        s += 1.0; // the seller usually opens the call
    }
    if asks(text) {
        s += 0.6; // sellers ask more questions
    }
    s
}

/// Whether the words `after` a name (the rest of its clause and a little more) say the
/// person is on the call with the speaker, or give them a role on the speaker's team:
/// "with me", "is here as well", ", our solutions architect", "she's one of our
/// solutions engineers", "he heads our south region".
fn here_or_ours(after: &[String]) -> bool {
    let near = &after[..after.len().min(6)];
    let with_us = near
        .windows(2)
        .any(|w| HERE_WITH.iter().any(|p| w[0] == p[0] && w[1] == p[1]));
    with_us || ours_role(after, after.len())
}

/// Whether "our" comes within the first `reach` words of `after` (no "you" or "your"
/// before it) with a role word next to it: "our solutions architect", "he heads our
/// south region", "she's one of our solutions engineers".
fn ours_role(after: &[String], reach: usize) -> bool {
    after
        .iter()
        .take(reach)
        .position(|w| w == "our")
        .is_some_and(|o| {
            !after[..o].iter().any(|w| w == "your" || w == "you")
                && after[o.saturating_sub(2)..after.len().min(o + 6)]
                    .iter()
                    .any(|a| ROLE_WORDS.contains(&a.as_str()))
        })
}

/// Words that may come between a name and the "our" of its role: "Chris Doyle from
/// Kestrel, our partner", "Sneha, she is our presales lead", "Arjun, he's our…".
const BEFORE_OUR: [&str; 8] = ["from", "he", "she", "he's", "she's", "who", "who's", "is"];

/// Whether `text` introduces `name` (by first name) as someone on the speaker's side:
/// the name shortly after "brought", "colleague", "joined by"…; after "I've got" or "I
/// have" when what follows says they are here with the speaker or names their role; or
/// followed by "our" and a role ("Mei, our solutions engineer") or by "is here as well".
/// Greeting someone in the same sentence ("Hi Tom, I've brought Maya") introduces only
/// Maya; someone else's colleague ("you've brought Tom") is not the speaker's.
#[cfg(test)]
fn introduces(text: &str, name: &str) -> bool {
    introduces_in(&names::fold_words(text), name)
}

/// [`introduces`] over an utterance already folded into words: a call's utterances are
/// folded once, not once per speaker.
fn introduces_in(said: &[String], name: &str) -> bool {
    if names::is_unnamed(name) {
        return false;
    }
    let Some(first) = names::words(name).into_iter().next() else {
        return false;
    };
    if first.chars().count() < 2 {
        return false;
    }
    said.iter().enumerate().any(|(k, w)| {
        // "Mateusz's here", "Mo's jumping on": the name with a contracted "is".
        let contracted = w.strip_suffix("'s").is_some_and(|b| b == first);
        if *w != first && !contracted {
            return false;
        }
        let from = k.saturating_sub(5);
        let theirs = |b: usize| {
            b.checked_sub(1)
                .is_some_and(|p| NOT_OURS.contains(&said[p].as_str()))
                || b.checked_sub(2)
                    .is_some_and(|p| NOT_OURS.contains(&said[p].as_str()))
        };
        let after = &said[k + 1..said.len().min(k + 12)];
        // "I've got Liam, he's an account director", "and Sophie, who leads…".
        let role_after = after
            .first()
            .is_some_and(|a| BEFORE_OUR.contains(&a.as_str()))
            && after
                .iter()
                .take(5)
                .any(|a| ROLE_WORDS.contains(&a.as_str()));
        let introduced = (from..k).any(|b| {
            let w = said[b].as_str();
            let prev = b.checked_sub(1).map(|p| said[p].as_str());
            let alone = INTRODUCED_AFTER.contains(&w) && (w != "by" || prev == Some("joined"));
            let with_role = HAVE_WORDS.contains(&w) && (here_or_ours(after) || role_after);
            (alone || with_role) && !theirs(b)
        });
        // The next name of a list the introduction began ("I've got Liam, …, and
        // Sophie, who leads paid social").
        let listed = k > 0
            && said[k - 1] == "and"
            && role_after
            && (k.saturating_sub(30)..k).any(|b| {
                (HAVE_WORDS.contains(&said[b].as_str())
                    || INTRODUCED_AFTER[..5].contains(&said[b].as_str()))
                    && !theirs(b)
            });
        if introduced || listed {
            return true;
        }
        // "Mei, our solutions engineer", "Mateusz is here as well".
        let is_here = contracted || after.first().is_some_and(|a| a == "is");
        // The surname may sit between ("Chris Doyle from Kestrel, our partner").
        let rest = match (names::words(name).get(1), after.first()) {
            (Some(last), Some(a)) if a == last => &after[1..],
            _ => after,
        };
        let ours = rest
            .first()
            .is_some_and(|a| a == "our" || BEFORE_OUR.contains(&a.as_str()))
            && ours_role(rest, 4);
        ours || (is_here && here_or_ours(&after[usize::from(!contracted)..]))
    })
}

/// Words of an utterance that introduce someone who is about to speak for the first
/// time, when the speakers have no names to find ("I've got my manager on the line",
/// "I've brought our solutions engineer"): `(words, with me)`, where `with me` says the
/// phrase needs "with me" or a role of "ours" nearby to count.
const UNNAMED_INTRODUCTION: [&str; 10] = [
    "with me",
    "with us today",
    "on the line",
    "my colleague",
    "my manager",
    "our solutions",
    "i've brought",
    "ive brought",
    "joined by",
    "from our side",
];

/// Whether `text` introduces a colleague without a name the labels could match.
fn introduces_someone(words: &[String]) -> bool {
    let said = words.join(" ");
    UNNAMED_INTRODUCTION.iter().any(|p| {
        said.match_indices(p).any(|(at, _)| {
            let before_ok = at == 0 || said.as_bytes()[at - 1] == b' ';
            let end = at + p.len();
            let after_ok = end == said.len() || said.as_bytes()[end] == b' ';
            before_ok && after_ok
        })
    })
}

/// Pairs of speakers on the same side because one introduced the other: by name, or —
/// for a diarizer's unnamed labels — a speaker heard for the first time right after
/// someone introduced a colleague without a matchable name.
fn introductions(
    speakers: &[String],
    said: &[(usize, &str)],
    open: &[bool],
) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut heard = vec![false; speakers.len()];
    // Utterance index from which two speakers had been heard: a reply to the opening
    // line ("I've got Dr Sharma with me" — "No worries, it's Mitch") is no introduction.
    let second_heard = said
        .iter()
        .position(|(s, _)| *s != said[0].0)
        .unwrap_or(said.len());
    // Each utterance folded once: the name checks and the look-back below share it.
    let folded: Vec<Vec<String>> = said.iter().map(|(_, t)| names::fold_words(t)).collect();
    for (pos, (speaker, _)) in said.iter().enumerate() {
        for (j, name) in speakers.iter().enumerate() {
            if j != *speaker && open[j] && introduces_in(&folded[pos], name) {
                pairs.push((*speaker, j));
            }
        }
        if !heard[*speaker] && names::is_unnamed(&speakers[*speaker]) {
            // The closest earlier utterance, within two, by someone else who introduces.
            let from = pos.saturating_sub(2).max(second_heard + 1);
            let by = (from.min(pos)..pos)
                .rev()
                .find(|&k| said[k].0 != *speaker && introduces_someone(&folded[k]));
            if let Some(k) = by {
                pairs.push((said[k].0, *speaker));
            }
        }
        heard[*speaker] = true;
    }
    pairs
}

/// A logistic squash: 0 points → 0.5, 3 points → ~0.95.
fn squash(points: f64) -> f64 {
    1.0 / (1.0 + (-points).exp())
}

/// Guesses the sides of the speakers marked `open` (the others are already settled and
/// get a placeholder here). The speaker with the most seller points leads the seller's
/// side; others join it when they gather [`JOIN_POINTS`] at [`JOIN_MEAN`] a turn or are
/// tied to the lead by introductions (see [`introductions`]; a tie goes both ways, so
/// the SDR who introduces the account executive joins as surely as the engineer the
/// lead introduces); whoever has the fewest points stays the
/// prospect's. Each confidence is how clearly the speaker's points sit on their side of
/// the line.
pub(crate) fn infer(
    speakers: &[String],
    said: &[(usize, &str)],
    cues: &SideCues,
    asks: &dyn Fn(&str) -> bool,
    open: &[bool],
) -> Vec<SpeakerRole> {
    let n = speakers.len();
    let mut points = vec![0.0f64; n];
    let mut turns = vec![0usize; n];
    for (pos, (speaker, text)) in said.iter().enumerate() {
        points[*speaker] += utterance_points(cues, pos, text, asks);
        turns[*speaker] += 1;
    }
    let candidates: Vec<usize> = (0..n).filter(|&i| open[i]).collect();
    let placeholder = |i: usize| role(&speakers[i], Side::Prospect, SideBasis::Inferred, 0.5);
    let Some(&lead) = candidates
        .iter()
        .max_by(|&&a, &&b| points[a].total_cmp(&points[b]).then(b.cmp(&a)))
    else {
        return (0..n).map(placeholder).collect();
    };
    // Introductions put people on one side: whoever introduced or was introduced
    // together with the lead is on the seller's side.
    let mut group: Vec<usize> = (0..n).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    for (a, b) in introductions(speakers, said, open) {
        let (ra, rb) = (root(&mut group, a), root(&mut group, b));
        group[ra] = rb;
    }
    let lead_root = root(&mut group, lead);
    let introduced: Vec<bool> = (0..n)
        .map(|j| j != lead && open[j] && root(&mut group, j) == lead_root)
        .collect();
    let join_points = |j: usize| {
        points[j]
            + if introduced[j] {
                INTRODUCED_POINTS
            } else {
                0.0
            }
    };
    let joins = |j: usize| {
        introduced[j]
            || (points[j] >= JOIN_POINTS && points[j] / turns[j].max(1) as f64 >= JOIN_MEAN)
    };
    let mut seller: Vec<bool> = (0..n).map(|i| i == lead).collect();
    for &j in &candidates {
        if j != lead && joins(j) {
            seller[j] = true;
        }
    }
    // Someone must be the prospect: the speaker with the fewest points among the
    // candidates stays there (when every other speaker is already settled, the lead).
    let prospects_settled = (0..n).any(|i| !open[i]);
    if !prospects_settled
        && candidates.len() > 1
        && candidates.iter().all(|&i| seller[i])
        && let Some(&least) = candidates
            .iter()
            .filter(|&&i| i != lead)
            .min_by(|&&a, &&b| join_points(a).total_cmp(&join_points(b)))
    {
        seller[least] = false;
    }
    // The lead's confidence: its margin over the strongest prospect-side speaker.
    let runner_up = candidates
        .iter()
        .filter(|&&i| !seller[i])
        .map(|&i| points[i])
        .fold(f64::NEG_INFINITY, f64::max);
    let lead_margin = if runner_up.is_finite() {
        points[lead] - runner_up
    } else {
        0.0
    };
    (0..n)
        .map(|i| {
            if !open[i] {
                return placeholder(i);
            }
            let (side, confidence) = if i == lead {
                (Side::Seller, squash(lead_margin))
            } else {
                // How far from the line to join the lead, in points.
                let distance = (join_points(i) - JOIN_POINTS).abs().max(0.25);
                let side = if seller[i] {
                    Side::Seller
                } else {
                    Side::Prospect
                };
                (side, squash(distance))
            };
            role(&speakers[i], side, SideBasis::Inferred, confidence)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question_mark(text: &str) -> bool {
        text.trim_end().ends_with('?')
    }

    fn cues() -> SideCues {
        SideCues::compile(&crate::RuleSet::defaults()).unwrap()
    }

    fn call(lines: &[(&str, &str)]) -> (Vec<String>, Vec<(usize, String)>) {
        let mut names: Vec<String> = Vec::new();
        let mut said = Vec::new();
        for (who, text) in lines {
            let i = names.iter().position(|n| n == who).unwrap_or_else(|| {
                names.push(who.to_string());
                names.len() - 1
            });
            said.push((i, text.to_string()));
        }
        (names, said)
    }

    fn sides_of(lines: &[(&str, &str)], known: &Known<'_>) -> Vec<(String, Side, SideBasis)> {
        let (names, said) = call(lines);
        let said: Vec<(usize, &str)> = said.iter().map(|(i, t)| (*i, t.as_str())).collect();
        assign(&names, &said, known, &cues(), &question_mark)
            .unwrap()
            .into_iter()
            .map(|r| (r.name, r.role, r.basis))
            .collect()
    }

    const NOBODY: Known<'static> = Known {
        fixed: &[],
        sellers: &[],
        owner: None,
        roster: &[],
    };

    #[test]
    fn a_colleague_who_pitches_joins_the_sellers_side() {
        let lines = [
            (
                "Speaker 1",
                "Hi Dana, thanks for making the time. I've brought Mei, our solutions engineer.",
            ),
            ("Speaker 2", "Hi Dana, nice to meet you."),
            ("Speaker 3", "Hi both."),
            (
                "Speaker 1",
                "Tell me about how your team handles month-end today?",
            ),
            (
                "Speaker 3",
                "Our team uses spreadsheets and we use a timesheet tool.",
            ),
            ("Speaker 2", "How long does the close take for you?"),
            ("Speaker 3", "Nine days. Our CFO wants three."),
            (
                "Speaker 2",
                "Our platform blocks invoicing until timesheets are approved, and we integrate with your timesheet tool.",
            ),
            (
                "Speaker 2",
                "Our pricing is per seat, and our customers usually see the close drop by half.",
            ),
            ("Speaker 3", "Can you send me that?"),
        ];
        let got = sides_of(&lines, &NOBODY);
        let sides: Vec<Side> = got.iter().map(|g| g.1).collect();
        assert_eq!(
            sides,
            [Side::Seller, Side::Seller, Side::Prospect],
            "{got:?}"
        );
    }

    #[test]
    fn introductions_are_read_from_how_people_bring_colleagues() {
        // (what was said, the name, whether it introduces them as the speaker's own)
        let cases = [
            (
                "I've got Priya with me today, she's one of our solutions engineers.",
                "Priya Raman",
                true,
            ),
            (
                "So, sir, I have also my manager Kavya with me today.",
                "Kavya Iyer",
                true,
            ),
            (
                "I got Denise on with me, she's our regional manager.",
                "Denise Moreno",
                true,
            ),
            ("Um, Mateusz is here as well.", "Mateusz Wójcik", true),
            ("I think Tom's just joining as well.", "Tom Hadley", true),
            (
                "I have Ahmed Farouk, our solutions architect, with me.",
                "Ahmed Farouk",
                true,
            ),
            (
                "I've got Aisha Rahman, our lead engineer, and Chris Doyle from Kestrel, our implementation partner.",
                "Chris Doyle",
                true,
            ),
            (
                "I have Sneha, she is our presales lead, and Vikram, he heads our south region.",
                "Vikram Malhotra",
                true,
            ),
            (
                "I've got Liam, he's an account director here, and Sophie, who leads paid social strategy.",
                "Sophie Grant",
                true,
            ),
            ("I've brought Mei, our solutions engineer.", "Mei Lin", true),
            // Greetings, someone else's colleague, and the prospect's own world.
            ("Hi Tom, I've brought Maya.", "Tom Kessler", false),
            ("You've brought Tom along, great.", "Tom Kessler", false),
            ("Is that Dev with you as well?", "Dev Patel", false),
            (
                "Thanks Dana, that helps with your rollout.",
                "Dana Cole",
                false,
            ),
            ("Speaker 2 is here as well.", "Speaker 2", false),
        ];
        for (text, name, want) in cases {
            assert_eq!(introduces(text, name), want, "{text:?} introduces {name}?");
        }
    }

    #[test]
    fn an_unnamed_speaker_heard_first_after_an_introduction_joins_the_introducer() {
        let lines = [
            ("SPEAKER_00", "hi can you hear me"),
            ("SPEAKER_01", "yes hi lorraine how are you"),
            ("SPEAKER_00", "good sorry i was in the wrong link"),
            (
                "SPEAKER_01",
                "and ive got craig with me he leads the midwest",
            ),
            ("SPEAKER_02", "hey lorraine nice to meet you"),
        ];
        let (names, said) = call(&lines);
        let said: Vec<(usize, &str)> = said.iter().map(|(i, t)| (*i, t.as_str())).collect();
        assert_eq!(introductions(&names, &said, &[true; 3]), [(1, 2)]);
        // The reply to an opening line that mentions a colleague is no introduction.
        let lines = [
            (
                "Speaker 1",
                "Hi, it's Leanne, I've got Dr Sharma with me as well.",
            ),
            ("Speaker 2", "No worries at all, it's Mitch from Bookwell."),
        ];
        let (names, said) = call(&lines);
        let said: Vec<(usize, &str)> = said.iter().map(|(i, t)| (*i, t.as_str())).collect();
        assert!(introductions(&names, &said, &[true; 2]).is_empty());
    }

    #[test]
    fn cues_match_whole_words_only() {
        let c = cues();
        assert_eq!(c.score("the appointment was late"), 0.0);
        assert_eq!(c.score("open the app"), 1.0);
        // "our team" is not in "your team".
        assert_eq!(c.score("tell me about your team"), 1.0);
    }

    #[test]
    fn known_names_decide_before_inference() {
        let lines = [
            (
                "Priya R.",
                "Thanks for joining. Tell me about your rollout?",
            ),
            ("Dana Cole", "Our team uses a spreadsheet."),
            ("Ana Ruiz", "Our product replaces that spreadsheet."),
        ];
        let roster = ["Ana Ruiz".to_string()];
        let known = Known {
            fixed: &[],
            sellers: &[],
            owner: Some("Priya Raman"),
            roster: &roster,
        };
        let got = sides_of(&lines, &known);
        assert_eq!(
            got,
            [
                ("Priya R.".to_string(), Side::Seller, SideBasis::Owner),
                (
                    "Dana Cole".to_string(),
                    Side::Prospect,
                    SideBasis::Unmatched
                ),
                ("Ana Ruiz".to_string(), Side::Seller, SideBasis::Roster),
            ]
        );
        // A side a user set wins over the roster.
        let fixed = [role("Ana Ruiz", Side::Prospect, SideBasis::User, 1.0)];
        let known = Known {
            fixed: &fixed,
            ..known
        };
        let got = sides_of(&lines, &known);
        assert_eq!(
            got[2],
            ("Ana Ruiz".to_string(), Side::Prospect, SideBasis::User)
        );
    }

    #[test]
    fn named_sellers_that_nobody_matches_are_an_error() {
        let (names, said) = call(&[("Ann", "hi"), ("Bob", "hello")]);
        let said: Vec<(usize, &str)> = said.iter().map(|(i, t)| (*i, t.as_str())).collect();
        let sellers = ["Carla".to_string()];
        let known = Known {
            sellers: &sellers,
            ..NOBODY
        };
        assert!(matches!(
            assign(&names, &said, &known, &cues(), &question_mark),
            Err(AnalyzeError::SellerNotFound { .. })
        ));
    }

    #[test]
    fn someone_always_stays_on_the_prospects_side() {
        let lines = [
            (
                "A",
                "Thanks for making the time. What does your team use? Tell me about it?",
            ),
            (
                "B",
                "Our product and our platform? We offer a lot. Tell me about your week?",
            ),
        ];
        let got = sides_of(&lines, &NOBODY);
        assert_eq!(
            got.iter().filter(|g| g.1 == Side::Prospect).count(),
            1,
            "{got:?}"
        );
        let one = sides_of(&[("A", "hello")], &NOBODY);
        assert_eq!(one[0].1, Side::Seller);
    }
}
