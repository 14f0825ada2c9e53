//! Turns plus the analyzer's moments → the transcript as the call page shows it: each
//! turn cut into plain and marked segments, with a coaching note beside every moment.
//!
//! Pure and free of HTML: the template escapes every segment's text, so a transcript
//! that contains markup stays text. Moments quote a sentence of a turn verbatim (the
//! analyzer slices sentences out of the same merged turns), so a moment is found by its
//! speaker and start time and then by its text inside the turn; a moment whose sentence
//! cannot be found marks its whole turn rather than vanishing.

use std::ops::Range;

use nextstep_analyzer::AskInstead;
use nextstep_analyzer::{Analysis, Moment, Side, SignalType};
use nextstep_insight::coach::{parse_bail_out_why, timestamp};

/// The kinds of moment the call page marks, each with its own CSS class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MomentClass {
    /// Work volunteered right after an unnamed negative signal.
    BailOut,
    /// The seller named the difficulty.
    Confront,
    /// The seller asked what the next step should be.
    Ask,
    /// The prospect's confusion, doubt, objection, disinterest or stall.
    Negative,
    /// A sentence that defined, dated or confirmed the next step.
    NextStep,
    /// Work offered that nobody asked for (not after a signal).
    Volunteer,
}

impl MomentClass {
    /// The CSS class browser tests select on: `moment-bail-out`, `moment-confront`,
    /// `moment-ask`, `moment-negative`, `moment-next-step`, `moment-volunteer`.
    pub fn class(self) -> &'static str {
        match self {
            MomentClass::BailOut => "moment-bail-out",
            MomentClass::Confront => "moment-confront",
            MomentClass::Ask => "moment-ask",
            MomentClass::Negative => "moment-negative",
            MomentClass::NextStep => "moment-next-step",
            MomentClass::Volunteer => "moment-volunteer",
        }
    }

    /// The kind in words, for the legend and the notes.
    pub fn label(self) -> &'static str {
        match self {
            MomentClass::BailOut => "Bail-out",
            MomentClass::Confront => "Named the problem",
            MomentClass::Ask => "Asked for the next step",
            MomentClass::Negative => "Negative signal",
            MomentClass::NextStep => "Next step",
            MomentClass::Volunteer => "Volunteered",
        }
    }

    /// Every kind, in legend order.
    pub const ALL: [MomentClass; 6] = [
        MomentClass::BailOut,
        MomentClass::Negative,
        MomentClass::Confront,
        MomentClass::Ask,
        MomentClass::NextStep,
        MomentClass::Volunteer,
    ];
}

/// A turn of the transcript as the parser merged it.
#[derive(Debug, Clone, Copy)]
pub struct TurnIn<'a> {
    /// Who spoke, when known.
    pub speaker: Option<&'a str>,
    /// Seconds from the start, when the format has times.
    pub start: Option<f64>,
    /// What was said.
    pub text: &'a str,
}

/// A moment to mark, with the note to show beside it.
#[derive(Debug, Clone)]
pub struct Marked<'a> {
    /// Its kind.
    pub kind: MomentClass,
    /// The analyzer's moment.
    pub moment: &'a Moment,
    /// The coaching note.
    pub note: String,
}

/// A run of a turn's text, marked with the kinds of moment covering it (none: plain).
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// The text (escaped by the template).
    pub text: String,
    /// The kinds covering it, sorted, without repeats.
    pub kinds: Vec<MomentClass>,
}

impl Segment {
    /// Whether the segment is marked.
    pub fn marked(&self) -> bool {
        !self.kinds.is_empty()
    }

    /// Its classes: `moment moment-bail-out moment-next-step`.
    pub fn classes(&self) -> String {
        let mut s = String::from("moment");
        for k in &self.kinds {
            s.push(' ');
            s.push_str(k.class());
        }
        s
    }

    /// Its kinds in words, for the `title` tooltip.
    pub fn title(&self) -> String {
        self.kinds
            .iter()
            .map(|k| k.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A note beside a turn: which moment and what to learn from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// The moment's kind.
    pub kind: MomentClass,
    /// The note.
    pub text: String,
}

impl Note {
    /// The note's CSS class (`note note-bail-out`, …).
    pub fn class(&self) -> String {
        format!("note note-{}", &self.kind.class()["moment-".len()..])
    }
}

/// A turn ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnView {
    /// Position in the transcript (the `id="turn-N"` anchor).
    pub index: usize,
    /// Who spoke (empty when unknown).
    pub speaker: String,
    /// `m:ss`, or empty.
    pub time: String,
    /// `seller`, `prospect` or empty.
    pub side: &'static str,
    /// The text, cut into plain and marked runs.
    pub segments: Vec<Segment>,
    /// Notes on the moments in this turn.
    pub notes: Vec<Note>,
}

fn same_time(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 0.01,
        (None, None) => true,
        _ => false,
    }
}

/// Where a moment is: the turn and the byte range of its sentence in that turn. Tries the
/// turn with the same speaker and start first, then any turn of that speaker, then any
/// turn; a turn that matches by speaker and time but not by text gets the whole turn.
pub fn locate(turns: &[TurnIn<'_>], m: &Moment) -> Option<(usize, Range<usize>)> {
    let needle = m.text.trim();
    let find = |t: &TurnIn<'_>| -> Option<Range<usize>> {
        if needle.is_empty() {
            return None;
        }
        t.text.find(needle).map(|at| at..at + needle.len())
    };
    let speaker_is = |t: &TurnIn<'_>| t.speaker.unwrap_or("") == m.speaker;
    let exact = |t: &TurnIn<'_>| speaker_is(t) && same_time(t.start, m.start);
    if let Some((i, r)) = turns
        .iter()
        .enumerate()
        .filter(|(_, t)| exact(t))
        .find_map(|(i, t)| find(t).map(|r| (i, r)))
    {
        return Some((i, r));
    }
    if let Some((i, r)) = turns
        .iter()
        .enumerate()
        .filter(|(_, t)| speaker_is(t))
        .find_map(|(i, t)| find(t).map(|r| (i, r)))
    {
        return Some((i, r));
    }
    if let Some((i, r)) = turns
        .iter()
        .enumerate()
        .find_map(|(i, t)| find(t).map(|r| (i, r)))
    {
        return Some((i, r));
    }
    if m.start.is_some()
        && let Some(i) = turns.iter().position(exact)
    {
        return Some((i, 0..turns[i].text.len()));
    }
    None
}

/// Cuts `text` at every range boundary; each run carries the kinds whose ranges cover it.
/// Ranges are clamped to the text and to character boundaries; adjacent runs with the
/// same kinds are merged.
pub fn segments(text: &str, ranges: &[(Range<usize>, MomentClass)]) -> Vec<Segment> {
    let fix = |mut at: usize| {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let ranges: Vec<(Range<usize>, MomentClass)> = ranges
        .iter()
        .map(|(r, k)| (fix(r.start)..fix(r.end), *k))
        .filter(|(r, _)| r.start < r.end)
        .collect();
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for (r, _) in &ranges {
        cuts.push(r.start);
        cuts.push(r.end);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<Segment> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a == b {
            continue;
        }
        let mut kinds: Vec<MomentClass> = ranges
            .iter()
            .filter(|(r, _)| r.start <= a && b <= r.end)
            .map(|(_, k)| *k)
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        match out.last_mut() {
            Some(last) if last.kinds == kinds => last.text.push_str(&text[a..b]),
            _ => out.push(Segment {
                text: text[a..b].to_string(),
                kinds,
            }),
        }
    }
    out
}

/// Every moment of an analysis with its kind and coaching note (the questions from the
/// rules' `[coaching]` table). A volunteered sentence that is also a bail-out is marked
/// once, as the bail-out.
pub fn moments<'a>(a: &'a Analysis, instead: &AskInstead) -> Vec<Marked<'a>> {
    let mut out = Vec::new();
    for m in &a.bail_outs {
        // The moment carries its signal; analyses stored before it did are read back
        // from the prose `why`.
        let (parsed, parsed_quote) = parse_bail_out_why(&m.why);
        let signal = m.signal.or(parsed);
        let quote = m.signal_text.clone().or(parsed_quote);
        let after = match (signal, quote) {
            (Some(s), Some(q)) => format!(" after the prospect's {} (“{q}”)", s.as_str()),
            (Some(s), None) => format!(" after the prospect's {}", s.as_str()),
            _ => String::new(),
        };
        out.push(Marked {
            kind: MomentClass::BailOut,
            moment: m,
            note: format!(
                "Bail-out: offered work{after} instead of naming the problem. Ask instead: “{}”",
                instead.name_it(signal)
            ),
        });
    }
    for m in &a.negative_signals {
        let signal = m
            .signal
            .or_else(|| SignalType::from_name(m.why.split(':').next().unwrap_or("").trim()));
        let what = signal.map_or("negative signal", |s| s.as_str());
        out.push(Marked {
            kind: MomentClass::Negative,
            moment: m,
            note: format!(
                "The prospect showed {what}. Name it before offering anything: “{}”",
                instead.name_it(signal)
            ),
        });
    }
    for m in &a.confrontations {
        out.push(Marked {
            kind: MomentClass::Confront,
            moment: m,
            note: "Named the problem instead of working around it — keep doing this.".into(),
        });
    }
    for m in &a.asks {
        out.push(Marked {
            kind: MomentClass::Ask,
            moment: m,
            note: "Asked the prospect to define the next step — keep asking.".into(),
        });
    }
    if let Some(step) = &a.next_step {
        let who = match step.defined_by {
            Side::Prospect => "the prospect",
            Side::Seller => "the seller",
        };
        let confirmed = if step.confirmed_by_prospect {
            "confirmed by the prospect"
        } else {
            "not confirmed by the prospect"
        };
        for m in &step.evidence {
            out.push(Marked {
                kind: MomentClass::NextStep,
                moment: m,
                note: format!("Next step, defined by {who}, {confirmed}: {}", step.action),
            });
        }
    }
    for m in &a.volunteered {
        let also_bail_out = a
            .bail_outs
            .iter()
            .any(|b| b.text == m.text && same_time(b.start, m.start));
        if !also_bail_out {
            out.push(Marked {
                kind: MomentClass::Volunteer,
                moment: m,
                note: format!(
                    "Offered work nobody asked for. Ask instead: “{}”",
                    instead.volunteer()
                ),
            });
        }
    }
    out
}

/// The transcript with its moments marked: every turn, in order, cut into segments, with
/// the notes of its moments. `side_of` names a speaker's side (from the analysis).
/// Moments that match no turn are returned apart, so the page can still list them.
pub fn mark<'a>(
    turns: &[TurnIn<'_>],
    marked: &'a [Marked<'a>],
    side_of: impl Fn(&str) -> Option<Side>,
) -> (Vec<TurnView>, Vec<&'a Marked<'a>>) {
    let mut per_turn: Vec<Vec<(Range<usize>, MomentClass)>> = vec![Vec::new(); turns.len()];
    let mut notes: Vec<Vec<Note>> = vec![Vec::new(); turns.len()];
    let mut lost = Vec::new();
    for mk in marked {
        match locate(turns, mk.moment) {
            Some((i, r)) => {
                per_turn[i].push((r, mk.kind));
                let note = Note {
                    kind: mk.kind,
                    text: mk.note.clone(),
                };
                if !notes[i].contains(&note) {
                    notes[i].push(note);
                }
            }
            None => lost.push(mk),
        }
    }
    let views = turns
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let speaker = t.speaker.unwrap_or("").to_string();
            TurnView {
                index: i,
                side: match side_of(&speaker) {
                    Some(Side::Seller) => "seller",
                    Some(Side::Prospect) => "prospect",
                    None => "",
                },
                speaker,
                time: timestamp(t.start).unwrap_or_default(),
                segments: segments(t.text, &per_turn[i]),
                notes: std::mem::take(&mut notes[i]),
            }
        })
        .collect();
    (views, lost)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moment(speaker: &str, start: Option<f64>, text: &str, why: &str) -> Moment {
        Moment {
            speaker: speaker.into(),
            start,
            text: text.into(),
            why: why.into(),
            ..Moment::default()
        }
    }

    #[test]
    fn segments_cut_at_every_boundary_and_merge_equal_runs() {
        use MomentClass::*;
        let s = segments("abcdefghij", &[(2..5, BailOut), (4..8, NextStep)]);
        let got: Vec<(&str, Vec<MomentClass>)> = s
            .iter()
            .map(|s| (s.text.as_str(), s.kinds.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("ab", vec![]),
                ("cd", vec![BailOut]),
                ("e", vec![BailOut, NextStep]),
                ("fgh", vec![NextStep]),
                ("ij", vec![]),
            ]
        );
        assert_eq!(s[2].classes(), "moment moment-bail-out moment-next-step");
        // Same kind twice over one range: one run; no ranges: one plain run.
        assert_eq!(segments("xyz", &[(0..3, Ask), (0..3, Ask)]).len(), 1);
        assert_eq!(segments("xyz", &[]).len(), 1);
        // Out-of-range and mid-character ends are clamped, never panic.
        let s = segments("héllo", &[(2..99, Ask)]);
        assert_eq!(
            s.iter().map(|s| s.text.as_str()).collect::<String>(),
            "héllo"
        );
    }

    #[test]
    fn moments_are_found_by_speaker_time_and_text() {
        let turns = [
            TurnIn {
                speaker: Some("Ann"),
                start: Some(1.0),
                text: "Hi. I can send a proposal.",
            },
            TurnIn {
                speaker: Some("Bo"),
                start: Some(5.0),
                text: "I'm lost. I can send a proposal.",
            },
        ];
        let m = moment("Ann", Some(1.0), "I can send a proposal.", "volunteered");
        assert_eq!(locate(&turns, &m), Some((0, 4..26)));
        let m = moment("Bo", Some(5.0), "I can send a proposal.", "x");
        assert_eq!(locate(&turns, &m), Some((1, 10..32)));
        // Text not found but speaker and time are: the whole turn.
        let m = moment("Bo", Some(5.0), "something else", "x");
        assert_eq!(locate(&turns, &m), Some((1, 0..32)));
        let m = moment("Cy", None, "nowhere", "x");
        assert_eq!(locate(&turns, &m), None);
    }

    #[test]
    fn a_bail_out_is_marked_with_its_coaching_and_markup_stays_text() {
        let analysis = Analysis {
            speakers: vec![],
            inferred_sellers: vec![],
            next_step: None,
            step_set_aside: None,
            asked_next_step: false,
            asks: vec![],
            volunteered: vec![moment(
                "Ann",
                Some(9.0),
                "<script>alert(1)</script> I'll send a deck.",
                "volunteered: \"send\"",
            )],
            bail_outs: vec![moment(
                "Ann",
                Some(9.0),
                "<script>alert(1)</script> I'll send a deck.",
                "bail-out: volunteered after confusion (\"I'm lost\") without naming it",
            )],
            confrontations: vec![],
            negative_signals: vec![moment("Bo", Some(5.0), "I'm lost", "confusion: \"lost\"")],
            coaching: vec![],
        };
        let turns = [
            TurnIn {
                speaker: Some("Bo"),
                start: Some(5.0),
                text: "I'm lost",
            },
            TurnIn {
                speaker: Some("Ann"),
                start: Some(9.0),
                text: "Sorry! <script>alert(1)</script> I'll send a deck.",
            },
        ];
        let marked = moments(&analysis, AskInstead::shipped());
        // The volunteered sentence is the bail-out: marked once.
        assert_eq!(marked.len(), 2);
        let (views, lost) = mark(&turns, &marked, |s| {
            Some(if s == "Ann" {
                Side::Seller
            } else {
                Side::Prospect
            })
        });
        assert!(lost.is_empty());
        assert_eq!(views[0].segments[0].kinds, vec![MomentClass::Negative]);
        assert_eq!(views[1].side, "seller");
        assert_eq!(views[1].segments[0].text, "Sorry! ");
        assert_eq!(views[1].segments[1].kinds, vec![MomentClass::BailOut]);
        assert_eq!(
            views[1].segments[1].text,
            "<script>alert(1)</script> I'll send a deck."
        );
        assert!(views[1].notes[0].text.contains("which part lost you"));
        assert_eq!(views[1].notes[0].class(), "note note-bail-out");
        assert_eq!(views[1].time, "0:09");
    }
}
