//! The dialogue-act rules: one pass over the call's sentences in order, keeping the step
//! under discussion, the kinds the prospect asked for and any unnamed negative signal.
//!
//! The rules, in words:
//! - A step is a sentence with a frame (commit / request / joint) and a kind, not guarded
//!   (past, habit, negation, discovery question) and not something done live on the call.
//!   In the prospect's turn right after the seller asked what should happen next, a kind
//!   alone is enough ("I have to present this to our VP on Thursday"). A prospect's
//!   deferral with a concrete date ("check back with me on June 2nd") is a follow-up step,
//!   not a stall.
//! - A later step supersedes an earlier one, except within one turn (the first wins),
//!   right after an agreement ("Sure — and send me the deck too"), and in the seller's
//!   reply that accepts the prospect's step. Scheduling details ("I'll send the invite")
//!   and pronoun acceptances ("I'll have it to you Friday") never define a new step.
//! - A seller step of the kind the prospect just named stays the prospect's step.
//! - A seller step is confirmed by agreement in the prospect's next turn; non-committal
//!   answers, stalls and declines do not confirm, and a stall or decline withdraws a
//!   seller's suggestion (a promise to send something stays, unconfirmed).
//! - Volunteering: the seller commits to a deliverable the prospect never asked for.
//!   A bail-out is volunteering while a negative signal is open; naming the problem
//!   (a confrontation) or the prospect turning positive closes it.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::acts::Act;
use crate::dates::{DateContext, first_date, named_date, remember};
use crate::model::{Kind, Moment, NextStep, Owner, Side, SignalType};
use crate::sentence::{Basis, Frame, Sentence};

/// How many turns after a step a kind-less step the model reads still counts as a detail
/// of it.
const ELABORATION_TURNS: usize = 4;

/// How sure the model must be to define a step where the lexicon found neither a frame
/// nor a kind word: where the lexicon is silent rather than unsure.
const MODEL_ALONE: f32 = 0.9;

/// How far into a sentence (in bytes) an agreement word may start and still open it.
const AGREEMENT_OPENING: usize = 12;

/// How sure the model must be of a seller's commitment, found without the lexicon's
/// reading, to count it as volunteering work.
const MODEL_OFFER: f32 = 0.8;

/// Below this probability of a request the model overrules the lexicon's reading of one.
const MODEL_VETO: f32 = 0.05;

/// How many turns after the seller puts a step on the table the prospect's "also send
/// the DPA" still adds to it.
const ADDITION_TURNS: usize = 3;

/// How many turns before a step a date it was given may have been settled.
const DUE_LOOKBACK_TURNS: usize = 4;

/// How many turns a negative signal stays open without being named or settled: three
/// exchanges, as sellers often answer an objection once or twice before escaping it.
const NEGATIVE_WINDOW_TURNS: usize = 6;

/// How likely the model must think a sentence is negative for a seller's offer after it
/// to be a bail-out, where it is not sure enough to report the signal itself.
const LEANING_NEGATIVE: f32 = 0.5;

/// The step currently on the table.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    kind: Kind,
    defined_by: Side,
    owner: Owner,
    /// Sentence that defined it; dates are looked for from here on.
    at: usize,
    turn: usize,
    /// The last turn that defined or added to it: the seller answering that turn is
    /// taking the step on, not proposing another.
    touched: usize,
    confirmed: bool,
    /// A seller's suggestion ("shall we…") rather than a promise ("I'll send…").
    suggestion: bool,
    /// Whether the prospect has answered a seller step yet.
    answered: bool,
    /// Defined by a generic-time word ("a session"), so what it shows decides its kind.
    container: bool,
    evidence: Vec<Moment>,
}

/// The moments and the step found in one call, before coaching lines are written.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub next_step: Option<NextStep>,
    pub asks: Vec<Moment>,
    pub volunteered: Vec<Moment>,
    /// Bail-outs, each with the signal it followed.
    pub bail_outs: Vec<(Moment, SignalType, Moment)>,
    /// The rules' step when the step chooser judged the call to end without one.
    pub step_set_aside: Option<Moment>,
    pub confrontations: Vec<Moment>,
    pub negative_signals: Vec<Moment>,
    /// The seller said there was no fit and no later step replaced that.
    pub disqualified: bool,
    /// Every step said in the call, in order, with what the rules made of it: what the
    /// step chooser weighs against the rules' own pick.
    pub options: Vec<StepOption>,
    /// Every seller sentence that may offer work, with the negative signal open when it
    /// was said: what the offer model reads for bail-outs the rules missed.
    pub offers: Vec<OfferOption>,
}

/// A seller sentence that may offer work (the model reads some commitment in it, or the
/// lexicon a commitment frame).
#[derive(Debug, Clone)]
pub(crate) struct OfferOption {
    /// The sentence.
    pub at: usize,
    /// The negative signal open (or leaned to) when it was said, after any naming of it
    /// in the same sentence.
    pub negative: Option<(SignalType, Moment)>,
    /// The prospect had asked for a deliverable kind of step before it.
    pub requested_deliverable: bool,
    /// The rules already counted it as volunteering.
    pub rules_volunteered: bool,
}

/// What the rules made of a step when it was said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// It became the step on the table.
    OnTable,
    /// The prospect added it to the seller's step just put on the table.
    AddedToSellers,
    /// The prospect took up the seller's step (asked for it, or their part in it).
    TookUpSellers,
    /// A detail, an addition or the logistics of the step on the table.
    Detail,
    /// The prospect's step on the table, said again.
    SaidAgain,
    /// The seller taking on the step on the table.
    SellerTookOn,
    /// The seller scheduling the prospect's step.
    SellerScheduled,
    /// The rules passed over it; the act model alone reads a step in it (kept only for
    /// the step chooser to weigh).
    ModelOnly,
}

impl Fate {
    pub(crate) const ALL: [Fate; 8] = [
        Fate::OnTable,
        Fate::AddedToSellers,
        Fate::TookUpSellers,
        Fate::Detail,
        Fate::SaidAgain,
        Fate::SellerTookOn,
        Fate::SellerScheduled,
        Fate::ModelOnly,
    ];
}

/// How a step that was on the table left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Left {
    /// Never on the table (or, before the end, still on it).
    NeverOrStill,
    /// Still on the table at the end: the rules' pick.
    Final,
    /// A later step replaced it.
    Replaced,
    /// The prospect declined it.
    Declined,
    /// The prospect stalled it.
    Stalled,
    /// The seller named no fit.
    Disqualified,
}

impl Left {
    pub(crate) const ALL: [Left; 6] = [
        Left::NeverOrStill,
        Left::Final,
        Left::Replaced,
        Left::Declined,
        Left::Stalled,
        Left::Disqualified,
    ];
}

/// One step said in the call, whatever the rules then made of it.
#[derive(Debug, Clone)]
pub(crate) struct StepOption {
    /// Sentence that said it.
    pub at: usize,
    pub kind: Kind,
    pub side: Side,
    pub frame: Frame,
    pub basis: Basis,
    /// Said in the prospect's turn right after the seller asked what should happen next.
    pub answering_ask: bool,
    /// What the rules did with it.
    pub fate: Fate,
    /// The step on the table it became, as it stood when it left the table (or at the end).
    pub candidate: Option<Candidate>,
    /// How it left the table, or that it was the rules' pick at the end.
    pub left: Left,
    /// A negative signal was open when it was said.
    pub after_negative: bool,
}

struct OpenNegative {
    turn: usize,
    kind: SignalType,
    moment: Moment,
}

/// The act a negative signal of this type is.
fn act_of_signal(kind: SignalType) -> Act {
    match kind {
        SignalType::Confusion => Act::Confusion,
        SignalType::Doubt => Act::Doubt,
        SignalType::Objection => Act::Objection,
        SignalType::Disinterest => Act::Disinterest,
        SignalType::Stall => Act::Stall,
    }
}

fn owner_for(kind: Kind, frame: Frame, speaker: Side) -> Owner {
    match kind {
        Kind::Meeting | Kind::Demo | Kind::Trial | Kind::FollowUp | Kind::Other => Owner::Both,
        _ => {
            let doer = match frame {
                Frame::Commit => speaker,
                Frame::Request => speaker.other(),
                Frame::Joint if kind == Kind::Introduction => Side::Prospect,
                Frame::Joint => Side::Seller,
            };
            match doer {
                Side::Seller => Owner::Seller,
                Side::Prospect => Owner::Prospect,
            }
        }
    }
}

/// The rule state carried from sentence to sentence.
struct Walk<'s, 'a> {
    sents: &'s [Sentence<'a>],
    call: NaiveDate,
    out: Findings,
    pending: Option<Candidate>,
    /// Kinds the prospect asked for or named: the seller producing those is not volunteering.
    requested: HashSet<Kind>,
    open_negative: Option<OpenNegative>,
    /// A signal the model leans to but does not report: context for bail-outs only.
    weak_negative: Option<OpenNegative>,
    last_ask_turn: Option<usize>,
    /// Sentence in which the prospect agreed to the pending seller step.
    agreed_at: Option<usize>,
    options: Vec<StepOption>,
}

/// Whether a sentence puts its step on a condition ("if it gets worse", "once we know").
fn conditional(norm: &str) -> bool {
    ["if ", "once ", "when ", "should "]
        .iter()
        .any(|w| norm.starts_with(w))
        || norm.contains(" if ")
        || norm.contains(", once ")
}

/// Whether a sentence names its step only by a pronoun ("it", "that", "them").
fn refers_back(norm: &str) -> bool {
    norm.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .any(|w| matches!(w, "it" | "that" | "them" | "those"))
}

/// Whether a meeting cue ("talk to", "speak with") at `start..end` is the speaker
/// consulting someone other than the seller: its object is not "you" or "us".
fn consults_third_party(norm: &str, start: usize, end: usize) -> bool {
    let Some(cue) = norm.get(start..end) else {
        return false;
    };
    if ![
        "talk to",
        "talk with",
        "speak to",
        "speak with",
        "check with",
        "chat with",
    ]
    .contains(&cue)
    {
        return false;
    }
    let before = &norm[..start];
    // Checking with someone, not asking for a meeting: "let me", "I need to", "I'll
    // have to" (while "I'd like to talk to them" asks for a reference call).
    let speaker_alone = [
        "let me ",
        "i'll want to ",
        "i need to ",
        "i have to ",
        "i should ",
        "i'll need to ",
        "i'd have to ",
        "i'll have to ",
        "i'd need to ",
    ]
    .iter()
    .any(|w| before.ends_with(w));
    let object = norm[end..].trim_start();
    speaker_alone
        && ![
            "you",
            "your",
            "us",
            "them",
            "the two of you",
            "both of you",
            "someone",
            "somebody",
            "a customer",
            "one of",
            "a reference",
            "another customer",
        ]
        .iter()
        .any(|w| object.starts_with(w))
}

/// Whether a sentence continues the one before it ("and ...", "plus ...").
fn continues(norm: &str) -> bool {
    ["and ", "plus ", "oh and ", "oh, and "]
        .iter()
        .any(|w| norm.starts_with(w))
}

/// Whether a sentence says its step replaces the one before ("instead", "rather").
fn replaces(norm: &str) -> bool {
    norm.contains("instead") || norm.contains("rather") || norm.contains("actually")
}

/// Whether a sentence adds to something already agreed ("also", "as well", "too").
fn adds_on(norm: &str) -> bool {
    let trimmed = norm.trim_end_matches(|c: char| !c.is_alphanumeric());
    norm.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .any(|w| w == "also")
        || norm.contains("as well")
        || trimmed.ends_with(" too")
}

/// Steps of one family: asking for one of them after the seller offered another is
/// asking for what was offered ("I'll put the numbers together" — "can you break out
/// Austria separately?"), and a session may be any of the live ones.
fn same_family(a: Kind, b: Kind) -> bool {
    use Kind::*;
    a == b
        || matches!(
            (a, b),
            (
                Proposal | Quote | Information,
                Proposal | Quote | Information
            )
        )
        || matches!(
            (a, b),
            (
                Meeting | Demo | Trial | FollowUp,
                Meeting | Demo | Trial | FollowUp | Introduction
            )
        )
}

/// "Let's see the numbers first", "can you include the assumptions?", "I'll book a room",
/// "I'll join if I can": soon after the seller put a step on the table, the prospect
/// asking for that same step (or one of its family) or committing to their part in it
/// takes the seller's step up — agreeing to it and shaping it — rather than defining a
/// step of their own. Saying it replaces the seller's ("actually", "instead") still
/// does.
fn takes_up(s: &Sentence<'_>, kind: Kind, frame: Frame, pending: &Candidate) -> bool {
    pending.defined_by == Side::Seller
        && s.turn <= pending.touched + ELABORATION_TURNS
        && !replaces(&s.norm)
        && (frame == Frame::Commit || same_family(pending.kind, kind))
}

impl Walk<'_, '_> {
    /// "Here's what I need from you. A quote through the state contract.": a request
    /// frame with no kind, then the kind with no frame, in one turn.
    fn request_carried(&self, i: usize) -> bool {
        let s = &self.sents[i];
        s.f.negative.is_none()
            && i.checked_sub(1)
                .map(|p| &self.sents[p])
                .is_some_and(|prev| {
                    prev.turn == s.turn
                        && prev.side == Side::Prospect
                        && matches!(prev.f.frame, Some((Frame::Request, _)))
                        && prev.f.kind.is_none()
                        && !prev.f.any_guard()
                        && !prev.question
                })
    }

    fn has_date(&self, s: &Sentence<'_>) -> bool {
        first_date(&s.norm, self.call, &mut DateContext::default()).is_some()
    }

    /// A step only the model reads, in a sentence that names no kind of step, said soon
    /// after another step was put on the table, is a detail of that step ("and Kenji can
    /// you join that too", "Raj, I'll copy you in"), not a new one.
    fn elaborates(&self, s: &Sentence<'_>, basis: Basis, pending: &Candidate) -> bool {
        let model_only = matches!(basis, Basis::Model(..)) && s.f.kind.is_none();
        // "I'd want it by the 20th": a step named only by a pronoun is the step on the
        // table, however long ago it was put there.
        model_only && (s.turn <= pending.turn + ELABORATION_TURNS || refers_back(&s.norm))
    }

    /// "And I'll put in a couple of references", "also, if you want, I can send a
    /// video", "then if it lands clean we'll talk paperwork": a step added to the one on
    /// the table, or put on a condition, soon after it, does not replace it. When a
    /// closing agrees two things, the step is the first.
    fn secondary(&self, s: &Sentence<'_>, pending: &Candidate) -> bool {
        s.turn <= pending.touched + ELABORATION_TURNS
            && (adds_on(&s.norm) || continues(&s.norm) || conditional(&s.norm))
            && !replaces(&s.norm)
    }

    /// "Monday morning I'll have somebody meet them at the dock", "you can call me
    /// directly": a meeting or a call named just after a weightier step is how that step
    /// happens, not a new one.
    fn logistics_of(&self, s: &Sentence<'_>, kind: Kind, pending: &Candidate) -> bool {
        matches!(kind, Kind::Meeting | Kind::FollowUp)
            && !matches!(pending.kind, Kind::Meeting | Kind::FollowUp)
            && s.turn <= pending.turn + ELABORATION_TURNS
            && !replaces(&s.norm)
    }

    fn prospect(&mut self, i: usize) {
        let sents = self.sents;
        let s = &sents[i];
        let f = &s.f;
        // "If the bill gets worse I'll ping you": contact on a condition is a stall.
        let conditional_contact = match f.kind {
            Some((Kind::FollowUp, cue)) if conditional(&s.norm) => Some(cue),
            _ => None,
        };
        // "Let me talk to Segun, my partner": consulting someone else is a stall, not a
        // meeting with the seller ("let's talk to you Friday" is one).
        let consults = match f.kind {
            Some((Kind::Meeting, cue)) if consults_third_party(&s.norm, cue.start, cue.end) => {
                Some(cue)
            }
            _ => None,
        };
        // A deferral with a concrete date is a follow-up, not a stall.
        let stall_cue = f.stall.or(conditional_contact).or(consults);
        let dated_deferral = stall_cue.is_some() && self.has_date(s) && !f.guarded();
        let lexicon_step = f.kind.is_some() && f.frame.is_some();
        // The model's stall counts only where the lexicon reads no step and the model
        // itself leans to a stall over a request ("check back with me on June 2nd" is
        // both, and its date makes it a step).
        let model_stall = || {
            let p = s.model_says(Act::Stall)?;
            let request = s.acts.as_ref().map_or(0.0, |a| a.prob(Act::RequestStep));
            (!lexicon_step && p > request).then_some(Basis::Model(Act::Stall, p))
        };
        let stall: Option<Basis> = match (stall_cue, dated_deferral) {
            (_, true) => None,
            (Some(cue), false) => Some(Basis::Cue(cue)),
            (None, false) => model_stall(),
        };

        // Negative and positive signals: the lexicon's cue, else the model's verdict.
        let cue_signal = f
            .negative
            .filter(|_| !f.guard_past && !f.guard_habit)
            .filter(|(t, _)| !s.question || *t == SignalType::Confusion)
            .map(|(t, cue)| (t, Basis::Cue(cue)))
            .or(match stall {
                Some(Basis::Cue(cue)) => Some((SignalType::Stall, Basis::Cue(cue))),
                _ => None,
            });
        let model_signal = || {
            let (t, act, p) = s.acts.as_ref()?.signal()?;
            (!f.guard_past && !f.guard_habit && !lexicon_step).then_some((t, Basis::Model(act, p)))
        };
        let signal = cue_signal.or_else(model_signal);
        let turned_positive = f.positive
            || s.model_says(Act::Agree).is_some()
            || s.model_says(Act::RequestStep).is_some();
        // A sentence the model leans to reading as negative without being sure ("I'm not
        // sure what this does that Looker doesn't", "first they say cheap, then add, add,
        // add") is not reported as a signal, but an offer right after it is escaping it.
        if signal.is_none() && !turned_positive && !f.guard_past && !f.guard_habit && !lexicon_step
        {
            if let Some((t, act, p)) = s
                .acts
                .as_ref()
                .and_then(|a| a.leaning_signal(LEANING_NEGATIVE))
            {
                let mut m = s.evidence(t.as_str(), act, Basis::Model(act, p));
                m.signal = Some(t);
                self.weak_negative = Some(OpenNegative {
                    turn: s.turn,
                    kind: t,
                    moment: m,
                });
            }
        } else if turned_positive {
            self.weak_negative = None;
        }
        if let Some((kind, basis)) = signal {
            let act = act_of_signal(kind);
            let mut m = s.evidence(kind.as_str(), act, basis);
            m.signal = Some(kind);
            self.out.negative_signals.push(m.clone());
            self.open_negative = Some(OpenNegative {
                turn: s.turn,
                kind,
                moment: m,
            });
        } else if turned_positive {
            self.open_negative = None;
        }

        // The prospect's answer to a seller step.
        // Only the prospect's next turn answers a seller step; an "okay" minutes later
        // is about something else.
        if let Some(c) = self.pending.as_mut()
            && c.defined_by == Side::Seller
            && !c.answered
            && s.turn > c.turn + 1
        {
            c.answered = true;
        }
        let decline = f.decline || s.model_says(Act::Decline).is_some();
        let noncommittal = f.noncommittal || s.model_says(Act::Noncommittal).is_some();
        // "Deal", "fine", "great" agree when they open a short answer; inside a long
        // sentence ("it's a three-year deal, and ...") they are just words.
        let agreement_cue = f
            .agreement
            .filter(|cue| cue.start <= AGREEMENT_OPENING || s.text.split_whitespace().count() <= 5);
        let agreement = agreement_cue.map(Basis::Cue).or_else(|| {
            s.model_says(Act::Agree)
                .filter(|_| f.negative.is_none())
                .map(|p| Basis::Model(Act::Agree, p))
        });
        if let Some(c) = self.pending.as_mut()
            && c.defined_by == Side::Seller
            && !c.answered
            && s.turn > c.turn
        {
            c.answered = true;
            let refuses = noncommittal || decline || stall.is_some();
            if refuses {
                // A declined offer is no step ("no, don't send anything"); an offer met
                // with a stall still stands, as the seller's promise.
                if decline || (stall.is_some() && c.suggestion) {
                    self.leave_table(Left::Declined);
                }
            } else if let Some(basis) = agreement {
                c.confirmed = true;
                c.touched = s.turn;
                c.evidence.push(s.evidence("agreement", Act::Agree, basis));
                self.agreed_at = Some(i);
            } else if first_date(&s.norm, self.call, &mut DateContext::default()).is_some()
                && f.negative.is_none()
            {
                c.confirmed = true;
                c.evidence.push(Moment {
                    act: Some(Act::Agree),
                    ..s.moment("agreement: picked a time")
                });
                self.agreed_at = Some(i);
            } else if f.kind.is_none() {
                // Not an answer yet; a later sentence of this turn may still agree.
                c.answered = false;
            }
        } else if stall.is_some()
            && self.pending.as_ref().is_some_and(|c| {
                c.turn < s.turn && (c.defined_by == Side::Prospect || c.suggestion)
            })
        {
            self.leave_table(Left::Stalled);
        }

        // A step the prospect defines: the lexicon's frame and kind, else the model's
        // request (when the lexicon found no step and no guard spoke against one).
        let answering_ask = self.last_ask_turn.is_some_and(|t| s.turn == t + 1);
        let lexicon = match f.kind {
            Some(k) => Some(k),
            None if dated_deferral => stall_cue.map(|cue| (Kind::FollowUp, cue)),
            None => None,
        };
        let step = match lexicon {
            Some((kind, kind_cue)) => {
                if f.guarded() || f.live || stall.is_some() {
                    return;
                }
                let frame = match f.frame {
                    Some((frame, _)) if f.frame_governs_kind() => Some(frame),
                    _ if answering_ask || dated_deferral => Some(Frame::Request),
                    None if self.request_carried(i) => Some(Frame::Request),
                    _ => None,
                };
                // A request the lexicon reads only loosely (its frame after the kind word)
                // and the model is sure is not one ("the boss will see the number and ask
                // why we need this") is no step.
                let frame_after_kind = matches!(
                    (f.frame, f.kind),
                    (Some((_, fc)), Some((_, kc))) if fc.start > kc.start
                );
                if frame_after_kind
                    && !answering_ask
                    && !dated_deferral
                    && s.acts
                        .as_ref()
                        .is_some_and(|a| a.prob(Act::RequestStep) < MODEL_VETO)
                {
                    return;
                }
                let rule = if f.frame.is_some() {
                    "prospect defined"
                } else {
                    "prospect named it"
                };
                frame.map(|frame| (kind, Basis::Cue(kind_cue), frame, rule))
            }
            None => None,
        };
        let step = step.or_else(|| {
            // Right after the seller asked what should happen next, whatever the prospect
            // names is an answer to that; elsewhere the model needs the lexicon's half
            // reading, or to be sure by itself.
            let p = s
                .model_says(Act::RequestStep)
                .filter(|&p| answering_ask || s.lexicon_unsure() || p >= MODEL_ALONE)?;
            if f.any_guard() || f.live || stall.is_some() || decline {
                return None;
            }
            let kind = s.step_kind()?;
            Some((
                kind,
                Basis::Model(Act::RequestStep, p),
                Frame::Request,
                "prospect defined",
            ))
        });
        let Some((kind, basis, frame, rule)) = step else {
            return;
        };
        self.offer(i, kind, Side::Prospect, frame, basis, answering_ask);
        // "Can you also put the integration in?": a detail added to the seller's step
        // just put on the table, not a step of the prospect's own.
        if let Some(c) = self.pending.as_mut()
            && c.defined_by == Side::Seller
            && s.turn <= c.turn + ADDITION_TURNS
            && adds_on(&s.norm)
        {
            c.evidence
                .push(s.evidence("prospect added to it", Act::RequestStep, basis));
            c.touched = s.turn;
            self.fate(Fate::AddedToSellers);
            return;
        }
        self.requested.insert(kind);
        if let Some(c) = self.pending.as_mut()
            && !answering_ask
            && takes_up(s, kind, frame, c)
        {
            c.evidence
                .push(s.evidence("prospect took it up", Act::RequestStep, basis));
            c.touched = s.turn;
            c.confirmed = true;
            c.answered = true;
            self.fate(Fate::TookUpSellers);
            return;
        }
        if let Some(c) = &self.pending {
            let just_agreed = self
                .agreed_at
                .is_some_and(|a| self.sents[a].turn == s.turn && i <= a + 1);
            if c.turn == s.turn
                || just_agreed
                || (!answering_ask
                    && (self.elaborates(s, basis, c) || self.logistics_of(s, kind, c)))
                || self.secondary(s, c)
            {
                // The first step of a turn, or the one just agreed, stands.
                if let Some(c) = self.pending.as_mut() {
                    c.touched = s.turn;
                }
                self.fate(Fate::Detail);
                return;
            }
        }
        let mut evidence = Vec::new();
        let mut at = i;
        if let Some(c) = self
            .pending
            .take_if(|c| c.kind == kind && c.defined_by == Side::Prospect)
        {
            // Said again: the same step. Its dates are looked for from the first mention.
            evidence = c.evidence;
            at = c.at;
            self.fate(Fate::SaidAgain);
        } else {
            self.leave_table(Left::Replaced);
        }
        let container = matches!(basis, Basis::Cue(cue) if f.container == Some(cue));
        self.pending = Some(Candidate {
            kind,
            defined_by: Side::Prospect,
            owner: owner_for(kind, frame, Side::Prospect),
            at,
            turn: s.turn,
            touched: s.turn,
            confirmed: true,
            suggestion: false,
            answered: true,
            container,
            evidence: {
                evidence.push(s.evidence(rule, Act::RequestStep, basis));
                evidence
            },
        });
        self.out.disqualified = false;
    }

    fn seller(&mut self, i: usize) {
        let sents = self.sents;
        let s = &sents[i];
        let f = &s.f;
        let may_offer = matches!(f.frame, Some((Frame::Commit, _)))
            || s.acts.as_ref().is_some_and(|a| a.prob(Act::Commit) > 0.0);
        if may_offer {
            self.out.offers.push(OfferOption {
                at: i,
                negative: self.open_negative_now(),
                requested_deliverable: self.requested.iter().any(|k| k.is_deliverable()),
                rules_volunteered: false,
            });
        }
        let ask = match f.ask.filter(|_| s.question) {
            Some(cue) => Some(Basis::Cue(cue)),
            None => s
                .model_says(Act::AskNextStep)
                .map(|p| Basis::Model(Act::AskNextStep, p)),
        };
        // A question the model reads as an open ask with the probability the rules take
        // from it alone elsewhere, but under the ask's own (very high) threshold ("what's
        // the best way for us to move this forward on your end?"), counts as asking:
        // being a question is the other half of the evidence. It is too weak to read the
        // prospect's answer as naming the step.
        let weak_ask = s
            .acts
            .as_ref()
            .filter(|_| ask.is_none() && s.question)
            .map(|a| a.prob(Act::AskNextStep))
            .filter(|&p| p >= MODEL_ALONE);
        if let Some(p) = weak_ask {
            self.out.asks.push(s.evidence(
                "asked",
                Act::AskNextStep,
                Basis::Model(Act::AskNextStep, p),
            ));
        }
        if let Some(basis) = ask {
            self.out
                .asks
                .push(s.evidence("asked", Act::AskNextStep, basis));
            self.last_ask_turn = Some(s.turn);
            return;
        }
        let no_fit = f.no_fit.map(Basis::Cue).or_else(|| {
            s.model_says(Act::Disqualify)
                .map(|p| Basis::Model(Act::Disqualify, p))
        });
        let confront = no_fit
            .map(|b| s.evidence("named no fit", Act::Disqualify, b))
            .or_else(|| {
                f.confront
                    .map(|cue| s.evidence("confronted", Act::NameDifficulty, Basis::Cue(cue)))
            })
            .or_else(|| {
                f.confront_problem.filter(|_| f.confront_frame).map(|cue| {
                    s.evidence("confronted: named", Act::NameDifficulty, Basis::Cue(cue))
                })
            })
            .or_else(|| {
                // The model's reading alone needs something to name: a negative signal
                // still open, or half the lexicon's reading ("it sounds like", "lost"),
                // unless it is sure. Hesitant talk ("I think, I think we've got
                // everybody") otherwise reads as naming a difficulty.
                let something_to_name = self.open_negative.is_some()
                    || f.confront_frame
                    || f.confront_problem.is_some();
                s.model_says(Act::NameDifficulty)
                    .filter(|&p| something_to_name || p >= MODEL_ALONE)
                    .map(|p| {
                        s.evidence(
                            "confronted",
                            Act::NameDifficulty,
                            Basis::Model(Act::NameDifficulty, p),
                        )
                    })
            });
        if let Some(m) = confront {
            self.out.confrontations.push(m);
            self.open_negative = None;
            self.weak_negative = None;
            if let Some(o) = self.out.offers.last_mut().filter(|o| o.at == i) {
                o.negative = None;
            }
        }
        if no_fit.is_some() {
            self.leave_table(Left::Disqualified);
            self.out.disqualified = true;
            return;
        }
        // Scheduling words attach to the step on the table unless the sentence names a
        // different step ("Let's get a demo on the calendar" while a quote is pending).
        let names_other_step = f.kind.is_some_and(|(k, _)| {
            k != Kind::Meeting && self.pending.as_ref().is_some_and(|c| c.kind != k)
        });
        if (f.anaphora || (f.logistics && !names_other_step))
            && let Some(c) = self.pending.as_mut()
        {
            // "I'll have it to you Friday", "I'll send the invite": the step on the table.
            c.evidence.push(s.moment("seller took it on"));
            return;
        }
        // "Most teams start with a pilot. I can have one set up for you Monday.": a
        // commitment with no kind of its own takes the kind the seller just named.
        let carried = match (f.kind, f.frame, i.checked_sub(1).map(|p| &self.sents[p])) {
            (None, Some(_), Some(prev))
                if prev.side == Side::Seller
                    && prev.turn == s.turn
                    && prev.f.frame.is_none()
                    && !prev.f.guarded()
                    && !prev.question =>
            {
                prev.f.kind
            }
            _ => None,
        };
        let governs = f.frame_governs_kind() || carried.is_some();
        // Where the kind's words are, for quoting them in `why`.
        let cue_src = match (carried, i.checked_sub(1)) {
            (Some(_), Some(p)) => &self.sents[p],
            _ => s,
        };
        let lexicon = match (f.kind.or(carried), f.frame) {
            (Some((kind, kind_cue)), Some((frame, _))) if governs => {
                Some((kind, Basis::Cue(kind_cue), frame))
            }
            _ => None,
        };
        // The model's step when the lexicon found none: a commitment, or a suggestion.
        let lexicon_silent = lexicon.is_none() && !f.any_guard() && !f.live;
        let model = || -> Option<(Kind, Basis, Frame)> {
            let sure = |p: &f32| s.lexicon_unsure() || *p >= MODEL_ALONE;
            let commit = s.model_says(Act::Commit).filter(sure);
            let suggest = s
                .model_says(Act::Suggest)
                .into_iter()
                .chain(s.model_says(Act::ClosedSuggestion))
                .reduce(f32::max)
                .filter(sure);
            let kind = s.step_kind()?;
            match (commit, suggest) {
                (Some(p), _) => Some((kind, Basis::Model(Act::Commit, p), Frame::Commit)),
                (None, Some(p)) => Some((kind, Basis::Model(Act::Suggest, p), Frame::Joint)),
                (None, None) => None,
            }
        };
        let Some((mut kind, basis, frame)) = lexicon.or_else(|| model().filter(|_| lexicon_silent))
        else {
            return;
        };
        self.offer(i, kind, Side::Seller, frame, basis, false);
        if let Some(c) = self.pending.as_mut()
            && matches!(basis, Basis::Model(..))
            && f.kind.is_none()
            && s.turn <= c.turn + ELABORATION_TURNS
        {
            // "I'll have the accounts ready": the seller taking on the step on the table.
            c.evidence
                .push(s.evidence("seller took it on", Act::Commit, basis));
            self.fate(Fate::SellerTookOn);
            return;
        }
        // Introductions are the prospect's to make: a seller "looping in" someone for a
        // walkthrough is proposing the walkthrough.
        if kind == Kind::Introduction
            && let Some(&(other, _)) = f
                .mentions
                .iter()
                .find(|(k, _)| !matches!(k, Kind::Introduction | Kind::FollowUp))
        {
            kind = other;
        }
        let discovery_request = frame == Frame::Request && s.question && kind == Kind::Information;
        if matches!(basis, Basis::Cue(_)) && (f.guarded() || f.live || discovery_request) {
            self.options.pop();
            return;
        }
        if let Some(o) = self.options.last_mut() {
            o.kind = kind;
        }
        let act = if frame == Frame::Commit {
            Act::Commit
        } else {
            Act::Suggest
        };
        let deliverable = kind.is_deliverable() || f.custom_deliverable.is_some();
        // "I'll be honest with you both": the model's commitment counts as an offer of
        // work only when it is fairly sure; a weaker one may still carry a step.
        let sure_offer = match basis {
            Basis::Model(_, p) => p >= MODEL_OFFER,
            Basis::Cue(_) => true,
        };
        if frame == Frame::Commit && deliverable && sure_offer && !self.requested.contains(&kind) {
            let offer = cue_src.evidence("volunteered", act, basis);
            self.out.volunteered.push(offer.clone());
            if let Some(o) = self.out.offers.last_mut().filter(|o| o.at == i) {
                o.rules_volunteered = true;
            }
            if let Some(n) = self.open_negative.as_ref().or(self.weak_negative.as_ref()) {
                let mut bail = offer;
                bail.why = format!(
                    "bail-out: volunteered after {} (\"{}\") without naming it",
                    n.kind.as_str(),
                    n.moment.text
                );
                bail.signal = Some(n.kind);
                bail.signal_text = Some(n.moment.text.clone());
                self.out.bail_outs.push((bail, n.kind, n.moment.clone()));
            }
        }
        let elaborates = self
            .pending
            .as_ref()
            .is_some_and(|c| self.elaborates(s, basis, c));
        let secondary = self.pending.as_ref().is_some_and(|c| self.secondary(s, c));
        if let Some(c) = self.pending.as_mut() {
            if c.defined_by == Side::Prospect && c.kind == kind {
                c.evidence
                    .push(cue_src.evidence("seller scheduled it", act, basis));
                self.fate(Fate::SellerScheduled);
                return;
            }
            let accepts_prospect_step = c.defined_by == Side::Prospect && s.turn <= c.touched + 1;
            if c.turn == s.turn || accepts_prospect_step || elaborates || secondary {
                c.touched = c.touched.max(s.turn);
                self.fate(Fate::Detail);
                return;
            }
        }
        self.leave_table(Left::Replaced);
        let container = matches!(basis, Basis::Cue(cue) if f.container == Some(cue));
        self.pending = Some(Candidate {
            kind,
            defined_by: Side::Seller,
            owner: owner_for(kind, frame, Side::Seller),
            at: i,
            turn: s.turn,
            touched: s.turn,
            confirmed: false,
            suggestion: frame != Frame::Commit,
            answered: false,
            container,
            evidence: vec![cue_src.evidence("seller defined", act, basis)],
        });
        self.agreed_at = None;
        self.out.disqualified = false;
    }

    /// The negative signal open (or leaned to) now, as a bail-out would name it.
    fn open_negative_now(&self) -> Option<(SignalType, Moment)> {
        self.open_negative
            .as_ref()
            .or(self.weak_negative.as_ref())
            .map(|n| (n.kind, n.moment.clone()))
    }

    /// Records a step said at sentence `at`, as the rules first read it.
    fn offer(
        &mut self,
        at: usize,
        kind: Kind,
        side: Side,
        frame: Frame,
        basis: Basis,
        answering_ask: bool,
    ) {
        self.options.push(StepOption {
            at,
            kind,
            side,
            frame,
            basis,
            answering_ask,
            fate: Fate::OnTable,
            candidate: None,
            left: Left::NeverOrStill,
            after_negative: self.open_negative.is_some() || self.weak_negative.is_some(),
        });
    }

    /// What the rules made of the step just recorded.
    fn fate(&mut self, fate: Fate) {
        if let Some(o) = self.options.last_mut() {
            o.fate = fate;
        }
    }

    /// Takes the step on the table off it, keeping it as it stood with the step said.
    fn leave_table(&mut self, left: Left) {
        if let Some(c) = self.pending.take()
            && let Some(o) = self.options.iter_mut().rev().find(|o| o.at == c.at)
        {
            o.candidate = Some(c);
            o.left = left;
        }
    }

    /// Turns the step on the table into the call's next step: its due date is the first
    /// concrete date from its defining sentence on, and a "session" that the same turn
    /// says is to show something is a demo.
    fn finish(mut self) -> Findings {
        let sents = self.sents;
        let call = self.call;
        let last = self.pending.clone();
        self.leave_table(Left::Final);
        self.out.next_step = last.map(|c| next_step_of(sents, call, c));
        self.out.options = with_model_only(sents, self.options);
        self.out
    }
}

/// The steps said, with every sentence the rules passed over but the act model reads as
/// a step (a commitment or suggestion by the seller, a request by the prospect, unguarded
/// and not done live), in the order said: what the lexicon does not know still reaches
/// the step chooser, which weighs how far to trust it.
fn with_model_only(sents: &[Sentence<'_>], mut options: Vec<StepOption>) -> Vec<StepOption> {
    let known: std::collections::HashSet<usize> = options.iter().map(|o| o.at).collect();
    for (i, s) in sents.iter().enumerate() {
        let Some(acts) = s.acts.as_ref() else {
            continue;
        };
        if known.contains(&i) || s.f.any_guard() || s.f.live {
            continue;
        }
        let read = match s.side {
            Side::Seller => acts
                .fires(Act::Commit)
                .map(|p| (Act::Commit, Frame::Commit, p))
                .or_else(|| {
                    [Act::Suggest, Act::ClosedSuggestion]
                        .into_iter()
                        .find_map(|a| acts.fires(a).map(|p| (a, Frame::Joint, p)))
                }),
            Side::Prospect if s.f.stall.is_none() && !s.f.decline => acts
                .fires(Act::RequestStep)
                .map(|p| (Act::RequestStep, Frame::Request, p)),
            Side::Prospect => None,
        };
        let Some((act, frame, p)) = read else {
            continue;
        };
        let kind = s.f.kind.map_or(acts.kind.0, |(k, _)| k);
        options.push(StepOption {
            at: i,
            kind,
            side: s.side,
            frame,
            basis: Basis::Model(act, p),
            answering_ask: false,
            fate: Fate::ModelOnly,
            candidate: None,
            left: Left::NeverOrStill,
            after_negative: false,
        });
    }
    options.sort_by_key(|o| o.at);
    options
}

/// A step on the table as the call's next step: its due date is the first concrete date
/// from its defining sentence on, and a "session" that the same turn says is to show
/// something is a demo.
pub(crate) fn next_step_of(sents: &[Sentence<'_>], call: NaiveDate, c: Candidate) -> NextStep {
    let before = lookback(sents, c.at);
    let mut ctx = DateContext::default();
    for s in &sents[before..c.at] {
        remember(&s.norm, call, &mut ctx);
    }
    let due = sents[c.at..]
        .iter()
        .find_map(|s| first_date(&s.norm, call, &mut ctx))
        .or_else(|| date_agreed_before(&sents[before..c.at], call));
    let turn = sents[c.at].turn;
    let shows_something = sents[c.at..]
        .iter()
        .take_while(|s| s.turn == turn)
        .any(|s| {
            s.f.mentions.iter().any(|&(k, cue)| {
                let words = s.quote(cue);
                k == Kind::Demo && (words.starts_with("show") || words.contains("demo"))
            })
        });
    let kind = if c.kind == Kind::Meeting && c.container && shows_something {
        Kind::Demo
    } else {
        c.kind
    };
    NextStep {
        action: sents[c.at].text.to_string(),
        kind,
        defined_by: c.defined_by,
        confirmed_by_prospect: c.confirmed,
        owner: c.owner,
        due,
        evidence: c.evidence,
    }
}

/// Where the turns that may have settled a step's date begin: `DUE_LOOKBACK_TURNS`
/// turns before the step's own.
fn lookback(sents: &[Sentence<'_>], at: usize) -> usize {
    let turn = sents[at].turn;
    sents[..at]
        .iter()
        .rposition(|s| s.turn + DUE_LOOKBACK_TURNS < turn)
        .map_or(0, |i| i + 1)
}

/// The date the turns just before a step settled on, for a step stated after its date was
/// agreed ("Tuesday works?" — "Tuesday it is." — "I'll send the invite"): the latest date
/// said in them outside guarded (past, habitual) sentences, each read in the light of
/// the ones before it ("next week?" — "Thursday").
fn date_agreed_before(window: &[Sentence<'_>], call: NaiveDate) -> Option<NaiveDate> {
    let mut ctx = DateContext::default();
    let mut latest = None;
    for s in window {
        let date = named_date(&s.norm, call, &mut ctx);
        remember(&s.norm, call, &mut ctx);
        if !s.f.guarded() {
            latest = date.or(latest);
        }
    }
    latest
}

/// Runs the rules over the sentences of one call.
pub(crate) fn judge(sents: &[Sentence<'_>], call: NaiveDate) -> Findings {
    let mut walk = Walk {
        sents,
        call,
        out: Findings::default(),
        pending: None,
        requested: HashSet::new(),
        open_negative: None,
        weak_negative: None,
        last_ask_turn: None,
        agreed_at: None,
        options: Vec::new(),
    };
    for (i, s) in sents.iter().enumerate() {
        for open in [&mut walk.open_negative, &mut walk.weak_negative] {
            open.take_if(|n| s.turn > n.turn + NEGATIVE_WINDOW_TURNS);
        }
        match s.side {
            Side::Prospect => walk.prospect(i),
            Side::Seller => walk.seller(i),
        }
    }
    walk.finish()
}

/// Whether the prospect's next turn after sentence `at` agrees to what was said there.
pub(crate) fn agreed_after(sents: &[Sentence<'_>], at: usize) -> bool {
    let turn = sents[at].turn;
    let Some(next) = sents[at..]
        .iter()
        .find(|s| s.turn > turn && s.side == Side::Prospect)
        .map(|s| s.turn)
    else {
        return false;
    };
    sents[at..].iter().filter(|s| s.turn == next).any(|s| {
        s.f.agreement.is_some_and(|c| c.start <= AGREEMENT_OPENING)
            || s.model_says(Act::Agree).is_some()
    })
}

/// Any step said in the call as the call's next step.
pub(crate) fn option_step(sents: &[Sentence<'_>], call: NaiveDate, o: &StepOption) -> NextStep {
    let c = o.candidate.clone().unwrap_or_else(|| {
        let s = &sents[o.at];
        Candidate {
            kind: o.kind,
            defined_by: o.side,
            owner: owner_for(o.kind, o.frame, o.side),
            at: o.at,
            turn: s.turn,
            touched: s.turn,
            confirmed: o.side == Side::Prospect || agreed_after(sents, o.at),
            suggestion: o.frame != Frame::Commit,
            answered: true,
            container: false,
            evidence: vec![match (o.side, o.frame) {
                (Side::Prospect, _) => s.evidence("prospect defined", Act::RequestStep, o.basis),
                (Side::Seller, Frame::Commit) => s.evidence("seller defined", Act::Commit, o.basis),
                (Side::Seller, _) => s.evidence("seller defined", Act::Suggest, o.basis),
            }],
        }
    });
    next_step_of(sents, call, c)
}
