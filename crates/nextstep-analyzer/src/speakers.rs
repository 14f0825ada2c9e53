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
//! questions ("how is your team handling…"), pitch and talk pricing ("our platform",
//! "we integrate"), and introduce their colleagues ("I've brought Mei, our solutions
//! engineer"); prospects describe their own company ("our team", "we use") and ask
//! "can you…". Inference may put several speakers on the seller's side — a manager or a
//! solutions engineer who joins — and always leaves at least one on the prospect's.

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
    let inferred = infer(speakers, said, cues, &open);
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

    /// Seller points minus prospect points in one utterance. A cue counts only where a
    /// word starts ("our team" is not in "your team").
    fn score(&self, text: &str) -> f64 {
        self.automaton
            .find_overlapping_iter(text)
            .filter(|m| {
                m.start() == 0
                    || !text[..m.start()]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
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
/// Points for being introduced as a colleague by someone on the seller's side ("I've
/// brought Mei, our solutions engineer").
const INTRODUCED_POINTS: f64 = 3.0;

/// Words shortly before a first name that introduce a colleague ("I've brought Mei",
/// "my colleague Mei", "joined by Mei"; "by" counts only after "joined").
const INTRODUCED_AFTER: [&str; 5] = ["brought", "colleague", "colleagues", "introduce", "by"];
/// Words before the introducing word that make it someone else's colleague ("you've
/// brought Tom").
const NOT_OURS: [&str; 10] = [
    "you", "you've", "youve", "they", "they've", "she", "she's", "he", "he's", "you'd",
];

/// Words shortly after "Mei, our …" that make it an introduction of a colleague.
const ROLE_WORDS: [&str; 16] = [
    "engineer",
    "engineers",
    "manager",
    "head",
    "vp",
    "director",
    "lead",
    "specialist",
    "architect",
    "consultant",
    "expert",
    "founder",
    "executive",
    "solutions",
    "success",
    "partner",
];

/// Seller points of one utterance: its cues, a question mark (sellers ask more), and
/// opening the call.
fn utterance_points(cues: &SideCues, pos: usize, text: &str) -> f64 {
    let mut s = cues.score(text);
    if pos == 0 {
        s += 1.0; // the seller usually opens the call
    }
    if text.trim_end().ends_with('?') {
        s += 0.6; // sellers ask more questions
    }
    s
}

/// Whether `text` introduces `name` (by first name) as a colleague: the name shortly
/// after "brought", "colleague", "joined by"…, or followed by "our" (or "from our") and a
/// role ("Mei, our solutions engineer"). Greeting someone in the same sentence ("Hi Tom,
/// I've brought Maya") introduces only Maya.
fn introduces(text: &str, name: &str) -> bool {
    if names::is_unnamed(name) {
        return false;
    }
    let Some(first) = names::words(name).into_iter().next() else {
        return false;
    };
    if first.chars().count() < 2 {
        return false;
    }
    let said = names::fold_words(text);
    said.iter().enumerate().any(|(k, w)| {
        if *w != first {
            return false;
        }
        let from = k.saturating_sub(4);
        let introduced = (from..k).any(|b| {
            let w = said[b].as_str();
            let prev = b.checked_sub(1).map(|p| said[p].as_str());
            INTRODUCED_AFTER.contains(&w)
                && (w != "by" || prev == Some("joined"))
                && !prev.is_some_and(|p| NOT_OURS.contains(&p))
                && !b
                    .checked_sub(2)
                    .is_some_and(|p| NOT_OURS.contains(&said[p].as_str()))
        });
        if introduced {
            return true;
        }
        let after = &said[k + 1..said.len().min(k + 6)];
        let ours = matches!(after, [o, ..] if o == "our")
            || matches!(after, [f, o, ..] if f == "from" && o == "our");
        ours && after.iter().any(|a| ROLE_WORDS.contains(&a.as_str()))
    })
}

/// A logistic squash: 0 points → 0.5, 3 points → ~0.95.
fn squash(points: f64) -> f64 {
    1.0 / (1.0 + (-points).exp())
}

/// Guesses the sides of the speakers marked `open` (the others are already settled and
/// get a placeholder here). The speaker with the most seller points leads the seller's
/// side; others join it when they gather [`JOIN_POINTS`] at [`JOIN_MEAN`] a turn or are
/// introduced as a colleague by the lead; whoever has the fewest points stays the
/// prospect's. Each confidence is how clearly the speaker's points sit on their side of
/// the line.
pub(crate) fn infer(
    speakers: &[String],
    said: &[(usize, &str)],
    cues: &SideCues,
    open: &[bool],
) -> Vec<SpeakerRole> {
    let n = speakers.len();
    let mut points = vec![0.0f64; n];
    let mut turns = vec![0usize; n];
    for (pos, (speaker, text)) in said.iter().enumerate() {
        points[*speaker] += utterance_points(cues, pos, text);
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
    // Introductions by the lead seller.
    let mut introduced = vec![false; n];
    for (speaker, text) in said {
        if *speaker != lead {
            continue;
        }
        for &j in &candidates {
            if j != lead && introduces(text, &speakers[j]) {
                introduced[j] = true;
            }
        }
    }
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
        assign(&names, &said, known, &cues())
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
            assign(&names, &said, &known, &cues()),
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
