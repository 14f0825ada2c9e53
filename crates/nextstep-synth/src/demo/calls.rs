//! One generated call: the dialogue acts chosen from the rep's habits and the deal's
//! fate, each said in one of many wordings, with the labels the call was written to have.
//!
//! The generator keeps the same books the README's rules keep — the step on the table,
//! whether the prospect answered it, an open negative signal and how many turns ago it
//! was — so each call's [`Intended`] labels follow from what was actually said, not from
//! what the scenario hoped for (a promise made while a doubt is still open *is* a
//! bail-out, whichever rep makes it).

use std::collections::HashSet;

use nextstep_analyzer::{Kind, Side, SignalType};

use super::Intended;
use super::market::ProductLine;
use super::phrases as ph;
use super::team::Habit;
use crate::rng::Rng;

/// How many turns a negative signal stays open, as the analyzer counts them.
const NEGATIVE_WINDOW_TURNS: usize = 4;

/// Placeholder values for one call (`{p}`, `{boss}`, `{when}`, …).
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    values: Vec<(&'static str, String)>,
}

impl Ctx {
    /// Sets `{key}`.
    pub fn set(&mut self, key: &'static str, value: impl Into<String>) {
        let value = value.into();
        match self.values.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.values.push((key, value)),
        }
    }

    /// The template with every `{key}` replaced; unknown keys are left as written (the
    /// demo test checks none survive).
    pub fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let key = &after[..close];
                    match self.values.iter().find(|(k, _)| *k == key) {
                        Some((_, v)) => out.push_str(v),
                        None => {
                            out.push('{');
                            out.push_str(key);
                            out.push('}');
                        }
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        let mut chars = out.chars();
        match chars.next() {
            Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
            _ => out,
        }
    }
}

/// How warm the buyer is: drives stalls and pushback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warmth {
    /// Has a deadline and a budget.
    Hot,
    /// Interested.
    Warm,
    /// Shopping around.
    Cool,
}

/// Everything one call is generated from.
#[derive(Debug, Clone)]
pub struct CallSpec<'a> {
    /// The rep's habits.
    pub habit: &'a Habit,
    /// The rep's full name.
    pub seller: &'a str,
    /// The manager, when she joins.
    pub manager: Option<&'a str>,
    /// The main prospect contact.
    pub prospect: &'a str,
    /// A colleague of the prospect, when one joins.
    pub colleague: Option<&'a str>,
    /// The product under discussion.
    pub product: ProductLine,
    /// Whether the product fits the account at all.
    pub fit: bool,
    /// How warm the buyer is.
    pub warmth: Warmth,
    /// 0 for the first call, 1 for the second… (what gets discussed).
    pub stage: usize,
    /// Placeholder values.
    pub ctx: &'a Ctx,
}

/// The generated lines (speaker, text) and their labels.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Who said what, in order.
    pub lines: Vec<(String, String)>,
    /// The labels the call was written to have.
    pub intended: Intended,
}

/// The step on the table, as the rules track it.
#[derive(Debug, Clone, Copy)]
struct Step {
    side: Side,
    kind: Kind,
    confirmed: bool,
    suggestion: bool,
    answered: bool,
    turn: usize,
}

/// How the prospect answers a seller's step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Agree,
    Noncommittal,
    Decline,
    Stall,
}

struct Dialogue<'a, 'r> {
    rng: &'r mut Rng,
    ctx: &'a Ctx,
    /// (name, side) of each participant; 0 is the seller, 1 the prospect.
    people: Vec<(String, Side)>,
    lines: Vec<(usize, String)>,
    turn: usize,
    last_side: Option<Side>,
    step: Option<Step>,
    negative: Option<usize>,
    requested: Vec<Kind>,
    used: HashSet<&'static str>,
    /// Product questions already asked (indices into the product's bank).
    asked_questions: Vec<usize>,
    out: Intended,
}

const SELLER: usize = 0;
const PROSPECT: usize = 1;

impl Dialogue<'_, '_> {
    /// Picks a template from `bank` not yet used in this call (when possible).
    fn pick(&mut self, bank: &[&'static str]) -> &'static str {
        for _ in 0..6 {
            let t = *self.rng.pick(bank);
            if self.used.insert(t) {
                return t;
            }
        }
        bank[self.rng.below(bank.len())]
    }

    /// A product question not yet asked in this call (its phrasings and answers).
    fn product_question(&mut self, product: ProductLine) -> ph::Exchange {
        let bank = ph::product_questions(product);
        for _ in 0..8 {
            let i = self.rng.below(bank.len());
            if !self.asked_questions.contains(&i) {
                self.asked_questions.push(i);
                return bank[i];
            }
        }
        bank[self.rng.below(bank.len())]
    }

    fn push(&mut self, who: usize, text: String) {
        let side = self.people[who].1;
        if self.last_side.is_some_and(|s| s != side) {
            self.turn += 1;
        }
        self.last_side = Some(side);
        if self
            .negative
            .is_some_and(|t| self.turn > t + NEGATIVE_WINDOW_TURNS)
        {
            self.negative = None;
        }
        // Consecutive lines by one speaker become one utterance, as people talk.
        if let Some((last, text0)) = self.lines.last_mut()
            && *last == who
        {
            text0.push(' ');
            text0.push_str(&text);
            return;
        }
        self.lines.push((who, text));
    }

    /// Says one line from `bank` (no effect on the labels).
    fn say(&mut self, who: usize, bank: &[&'static str]) {
        let t = self.pick(bank);
        let text = self.ctx.fill(t);
        self.push(who, text);
    }

    fn seller(&mut self, bank: &[&'static str]) {
        self.say(SELLER, bank);
    }

    fn prospect(&mut self, bank: &[&'static str]) {
        debug_assert!(
            self.step
                .is_none_or(|s| s.side == Side::Prospect || s.answered),
            "a seller step must be answered first"
        );
        self.say(PROSPECT, bank);
    }

    fn negative(&mut self, t: SignalType) {
        self.say(PROSPECT, ph::negative(t));
        self.negative = Some(self.turn);
        self.out.negative_signal = true;
    }

    fn positive(&mut self) {
        self.say(PROSPECT, ph::PROSPECT_POSITIVE);
        self.negative = None;
    }

    fn confront(&mut self, t: SignalType) {
        self.say(SELLER, ph::confront(t));
        self.out.confronted = true;
        self.negative = None;
    }

    fn ask(&mut self) {
        self.say(SELLER, ph::ASK);
        self.out.asked = true;
    }

    fn prospect_step(&mut self, kind: Kind, bank: &[&'static str]) {
        self.say(PROSPECT, bank);
        self.requested.push(kind);
        if self.step.is_some_and(|s| s.turn == self.turn) {
            return; // the first step of a turn stands
        }
        self.step = Some(Step {
            side: Side::Prospect,
            kind,
            confirmed: true,
            suggestion: false,
            answered: true,
            turn: self.turn,
        });
        self.out.disqualified = false;
    }

    /// The seller proposes (`suggestion`) or promises a step of `kind`, in words from `bank`.
    fn seller_step(&mut self, kind: Kind, suggestion: bool, bank: &[&'static str]) {
        self.say(SELLER, bank);
        if !suggestion && kind.is_deliverable() && !self.requested.contains(&kind) {
            self.out.volunteered = true;
            if self.negative.is_some() {
                self.out.bail_out = true;
            }
        }
        if let Some(c) = self.step {
            let same_prospect_kind = c.side == Side::Prospect && c.kind == kind;
            let accepts = c.side == Side::Prospect && self.turn == c.turn + 1;
            if same_prospect_kind || accepts || c.turn == self.turn {
                return;
            }
        }
        self.step = Some(Step {
            side: Side::Seller,
            kind,
            confirmed: false,
            suggestion,
            answered: false,
            turn: self.turn,
        });
        self.out.disqualified = false;
    }

    /// The prospect answers the seller's step.
    fn answer(&mut self, a: Answer) {
        let bank = match a {
            Answer::Agree => ph::AGREE,
            Answer::Noncommittal => ph::NONCOMMITTAL,
            Answer::Decline => ph::DECLINE,
            Answer::Stall => ph::STALL,
        };
        self.say(PROSPECT, bank);
        if a == Answer::Stall {
            self.negative = Some(self.turn);
            self.out.negative_signal = true;
        }
        if let Some(c) = self.step.as_mut()
            && c.side == Side::Seller
            && !c.answered
        {
            c.answered = true;
            match a {
                Answer::Agree => c.confirmed = true,
                Answer::Noncommittal => {}
                Answer::Decline | Answer::Stall => {
                    if c.suggestion {
                        self.step = None;
                    }
                }
            }
        }
    }

    /// A stall that is not an answer to a seller step.
    fn stall(&mut self) {
        if self
            .step
            .is_some_and(|s| s.side == Side::Seller && !s.answered)
        {
            self.answer(Answer::Stall);
            return;
        }
        self.say(PROSPECT, ph::STALL);
        self.negative = Some(self.turn);
        self.out.negative_signal = true;
        if self
            .step
            .is_some_and(|s| s.turn < self.turn && (s.side == Side::Prospect || s.suggestion))
        {
            self.step = None;
        }
    }

    fn no_fit(&mut self) {
        self.say(SELLER, ph::NO_FIT);
        self.say(SELLER, ph::NO_FIT_REASON);
        self.out.confronted = true;
        self.out.disqualified = true;
        self.step = None;
        self.negative = None;
    }

    fn finish(mut self) -> Generated {
        if let Some(s) = self.step {
            self.out.defined_by = Some(s.side);
            self.out.confirmed = Some(s.confirmed);
            self.out.kind = Some(s.kind);
            self.out.disqualified = false;
        }
        let lines = self
            .lines
            .into_iter()
            .map(|(who, text)| (self.people[who].0.clone(), text))
            .collect();
        Generated {
            lines,
            intended: self.out,
        }
    }
}

/// What the prospect could name as the step at this point of the deal.
fn prospect_kind(rng: &mut Rng, stage: usize) -> Kind {
    let table: &[(Kind, f64)] = match stage {
        0 => &[
            (Kind::Demo, 0.35),
            (Kind::Meeting, 0.25),
            (Kind::Information, 0.2),
            (Kind::Introduction, 0.1),
            (Kind::Trial, 0.1),
        ],
        1 => &[
            (Kind::Trial, 0.3),
            (Kind::Proposal, 0.25),
            (Kind::Meeting, 0.2),
            (Kind::Quote, 0.15),
            (Kind::Introduction, 0.1),
        ],
        2 => &[
            (Kind::Quote, 0.35),
            (Kind::Proposal, 0.3),
            (Kind::Meeting, 0.15),
            (Kind::Contract, 0.2),
        ],
        _ => &[
            (Kind::Contract, 0.55),
            (Kind::Meeting, 0.25),
            (Kind::Quote, 0.2),
        ],
    };
    weighted_kind(rng, table)
}

/// What a seller would suggest at this point (meetings, demos, trials, check-ins).
fn suggest_kind(rng: &mut Rng, stage: usize) -> Kind {
    let table: &[(Kind, f64)] = match stage {
        0 => &[
            (Kind::Demo, 0.5),
            (Kind::Meeting, 0.35),
            (Kind::Trial, 0.15),
        ],
        1 => &[
            (Kind::Meeting, 0.4),
            (Kind::Trial, 0.35),
            (Kind::FollowUp, 0.25),
        ],
        _ => &[(Kind::Meeting, 0.6), (Kind::FollowUp, 0.4)],
    };
    weighted_kind(rng, table)
}

/// What a seller would promise to send at this point.
fn promise_kind(rng: &mut Rng, stage: usize) -> Kind {
    let table: &[(Kind, f64)] = match stage {
        0 => &[
            (Kind::Information, 0.6),
            (Kind::Proposal, 0.25),
            (Kind::Quote, 0.15),
        ],
        1 => &[
            (Kind::Proposal, 0.45),
            (Kind::Quote, 0.3),
            (Kind::Information, 0.25),
        ],
        2 => &[
            (Kind::Quote, 0.45),
            (Kind::Proposal, 0.35),
            (Kind::Contract, 0.2),
        ],
        _ => &[(Kind::Contract, 0.5), (Kind::Quote, 0.5)],
    };
    weighted_kind(rng, table)
}

/// What a seller grabs for when bailing out of a signal of type `t`.
fn bail_kind(rng: &mut Rng, t: SignalType) -> Kind {
    let table: &[(Kind, f64)] = match t {
        SignalType::Objection => &[(Kind::Quote, 0.55), (Kind::Proposal, 0.45)],
        SignalType::Confusion => &[(Kind::Information, 0.8), (Kind::Proposal, 0.2)],
        SignalType::Doubt => &[(Kind::Information, 0.6), (Kind::Proposal, 0.4)],
        SignalType::Disinterest => &[(Kind::Information, 0.6), (Kind::Proposal, 0.4)],
        SignalType::Stall => &[
            (Kind::Information, 0.5),
            (Kind::Proposal, 0.3),
            (Kind::Quote, 0.2),
        ],
    };
    weighted_kind(rng, table)
}

fn weighted_kind(rng: &mut Rng, table: &[(Kind, f64)]) -> Kind {
    let weights: Vec<f64> = table.iter().map(|(_, w)| *w).collect();
    table[rng.weighted(&weights)].0
}

/// Which negative signal the prospect shows at the pressure moment.
fn signal_type(rng: &mut Rng, spec: &CallSpec<'_>) -> SignalType {
    let table: &[(SignalType, f64)] = if !spec.fit {
        &[
            (SignalType::Disinterest, 0.55),
            (SignalType::Objection, 0.45),
        ]
    } else if spec.stage == 0 {
        &[
            (SignalType::Confusion, 0.35),
            (SignalType::Doubt, 0.35),
            (SignalType::Objection, 0.15),
            (SignalType::Disinterest, 0.15),
        ]
    } else {
        &[
            (SignalType::Objection, 0.5),
            (SignalType::Doubt, 0.3),
            (SignalType::Confusion, 0.1),
            (SignalType::Disinterest, 0.1),
        ]
    };
    let weights: Vec<f64> = table.iter().map(|(_, w)| *w).collect();
    table[rng.weighted(&weights)].0
}

/// Whether the call ends at the pressure moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Ended,
}

/// Generates one call.
pub fn generate(spec: &CallSpec<'_>, rng: &mut Rng) -> Generated {
    let mut people = vec![
        (spec.seller.to_string(), Side::Seller),
        (spec.prospect.to_string(), Side::Prospect),
    ];
    if let Some(m) = spec.manager {
        people.push((m.to_string(), Side::Seller));
    }
    if let Some(c) = spec.colleague {
        people.push((c.to_string(), Side::Prospect));
    }
    let manager = spec.manager.map(|_| 2);
    let colleague = spec
        .colleague
        .map(|_| if spec.manager.is_some() { 3 } else { 2 });
    let mut d = Dialogue {
        rng,
        ctx: spec.ctx,
        people,
        lines: Vec::new(),
        turn: 0,
        last_side: None,
        step: None,
        negative: None,
        requested: Vec::new(),
        used: HashSet::new(),
        asked_questions: Vec::new(),
        out: Intended::default(),
    };
    let h = spec.habit;

    // Opening.
    d.seller(ph::SELLER_HELLO);
    if spec.stage == 0 || d.rng.chance(0.3) {
        d.seller(ph::SELLER_OPENER);
    }
    d.prospect(ph::PROSPECT_HELLO);
    let (talk, replies) = *d.rng.pick(ph::SMALL_TALK);
    d.prospect(talk);
    d.seller(replies);
    if let Some(m) = manager {
        d.say(m, ph::MANAGER_INTRO);
    }
    if let Some(c) = colleague {
        d.say(c, ph::COLLEAGUE_INTRO);
    }

    // Discovery (or a recap and a little discovery on later calls): a few topics in
    // their natural order, each with some of its follow-ups.
    let (exchanges, starts) = ph::discovery(spec.product);
    let count = if spec.stage == 0 {
        d.seller(ph::SELLER_TRANSITION);
        d.prospect(ph::PROSPECT_GO_AHEAD);
        d.rng.range(3, 4) as usize
    } else {
        d.seller(ph::SELLER_RECAP);
        d.prospect(ph::PROSPECT_RECAP);
        d.rng.range(1, 2) as usize
    };
    let mut picked: Vec<usize> = (0..starts.len()).collect();
    for i in (1..picked.len()).rev() {
        let j = d.rng.below(i + 1);
        picked.swap(i, j);
    }
    picked.truncate(count);
    picked.sort_unstable();
    let mut first = true;
    for t in picked {
        let end = starts.get(t + 1).copied().unwrap_or(exchanges.len());
        let depth = 1 + d.rng.below(end - starts[t]);
        for &(questions, answers) in &exchanges[starts[t]..starts[t] + depth] {
            d.seller(questions);
            d.prospect(answers);
            if first && !spec.fit && spec.stage == 0 {
                d.prospect(ph::poor_fit_reveal(spec.product));
            }
            first = false;
        }
    }

    // Product talk.
    let talk = d.rng.range(2, 4);
    for _ in 0..talk {
        d.seller(ph::product_talk(spec.product));
        let r = d.rng.unit();
        if r < 0.35 {
            let asker = match colleague {
                Some(c) if d.rng.chance(0.5) => c,
                _ => PROSPECT,
            };
            let (q, answers) = d.product_question(spec.product);
            d.say(asker, q);
            d.seller(answers);
        } else if r < 0.6 && spec.fit {
            d.positive();
        } else {
            d.prospect(ph::PROSPECT_NEUTRAL);
        }
    }

    // A volunteer offers something while things are going well.
    if d.negative.is_none() && spec.fit && d.rng.chance(h.volunteer * 0.5) {
        let kind = promise_kind(d.rng, spec.stage);
        d.seller_step(kind, false, ph::promise(kind));
        let a = if d.rng.chance(h.confirm) {
            Answer::Agree
        } else {
            Answer::Noncommittal
        };
        d.answer(a);
        d.seller(&["Great."]);
        d.seller(ph::product_talk(spec.product));
        d.prospect(ph::PROSPECT_NEUTRAL);
    }

    // The hard moment.
    let pressure = match (spec.fit, spec.warmth) {
        (false, _) => 0.85,
        (true, Warmth::Cool) => 0.6,
        (true, Warmth::Warm) => 0.4,
        (true, Warmth::Hot) => 0.2,
    };
    if d.rng.chance(pressure) {
        let t = signal_type(d.rng, spec);
        if pressure_moment(&mut d, spec, t) == Flow::Ended {
            goodbye(&mut d);
            return d.finish();
        }
    }

    closing(&mut d, spec);
    goodbye(&mut d);
    d.finish()
}

/// A negative signal and the rep's answer to it.
fn pressure_moment(d: &mut Dialogue<'_, '_>, spec: &CallSpec<'_>, t: SignalType) -> Flow {
    let h = spec.habit;
    d.seller(ph::pressure_context(t));
    d.negative(t);
    if d.rng.chance(0.35) {
        // "I hear you." — and the prospect says more.
        d.seller(ph::SELLER_ACK);
        d.negative(t);
    }
    if !spec.fit && d.rng.chance(h.disqualify) {
        d.no_fit();
        d.prospect(ph::PROSPECT_AGREES_NO_FIT);
        d.seller(ph::SELLER_AFTER_NO_FIT);
        return Flow::Ended;
    }
    if d.rng.chance(h.confront) {
        d.confront(t);
        if d.rng.chance(h.volunteer * 0.6) {
            // Names it, then offers something: volunteered, but no bail-out.
            let kind = bail_kind(d.rng, t);
            d.seller_step(kind, false, ph::bail_offer(kind));
            let a = if d.rng.chance(h.confirm) {
                Answer::Agree
            } else {
                Answer::Noncommittal
            };
            d.answer(a);
        } else {
            d.seller(ph::confront_question(t));
            d.prospect(ph::open_up(t));
            d.seller(ph::address(t, spec.product));
            if spec.fit {
                d.positive();
            } else {
                d.prospect(ph::PROSPECT_NEUTRAL);
            }
        }
        return Flow::Continue;
    }
    if d.rng.chance(h.bail) {
        if d.rng.chance(0.6) {
            d.seller(ph::SELLER_ACK);
        }
        let kind = bail_kind(d.rng, t);
        d.seller_step(kind, false, ph::bail_offer(kind));
        let a = if d.rng.chance(h.confirm * 0.7) {
            Answer::Agree
        } else {
            Answer::Noncommittal
        };
        d.answer(a);
        if d.rng.chance(0.5) {
            d.seller(ph::SELLER_TAKES_DELIVERABLE);
            return Flow::Ended;
        }
        d.seller(&["Great."]);
        d.seller(ph::product_talk(spec.product));
        d.prospect(ph::PROSPECT_NEUTRAL);
        return Flow::Continue;
    }
    // Acknowledge and move on without naming it.
    d.seller(ph::SELLER_ACK);
    d.seller(ph::SELLER_MOVE_ON);
    let (q, answers) = d.product_question(spec.product);
    d.prospect(q);
    d.seller(answers);
    d.prospect(ph::PROSPECT_NEUTRAL);
    Flow::Continue
}

/// How the call closes, from the rep's habit and the buyer's warmth.
fn closing(d: &mut Dialogue<'_, '_>, spec: &CallSpec<'_>) {
    let h = spec.habit;
    let stall_p = match spec.warmth {
        Warmth::Hot => 0.05,
        Warmth::Warm => 0.15,
        Warmth::Cool => 0.4,
    } + if spec.fit { 0.0 } else { 0.3 };
    let answer = |d: &mut Dialogue<'_, '_>, confirm: f64| {
        let r = d.rng.unit();
        if r < confirm {
            Answer::Agree
        } else if r < confirm + (1.0 - confirm) * 0.8 {
            Answer::Noncommittal
        } else {
            Answer::Decline
        }
    };

    // The seller speaks first at the close, so a step the prospect names is never in the
    // same breath as agreeing to something earlier (where the earlier step would stand).
    let wrapped = d.last_side == Some(Side::Prospect);
    if wrapped {
        d.seller(ph::SELLER_WRAP);
    }
    if d.rng.chance(h.ask) {
        if !wrapped && d.rng.chance(0.5) {
            d.seller(ph::SELLER_WRAP);
        }
        d.ask();
        if d.rng.chance(stall_p) {
            d.stall();
            after_stall(d, spec);
            return;
        }
        let kind = prospect_kind(d.rng, spec.stage);
        let bare = ph::ask_answer(kind);
        let bank = if !bare.is_empty() && d.rng.chance(0.3) {
            bare
        } else {
            ph::prospect_step(kind)
        };
        d.prospect_step(kind, bank);
        takes_it(d, kind);
        return;
    }
    let r = d.rng.unit();
    if r < 0.12 && spec.warmth != Warmth::Cool && spec.fit {
        // The prospect asks for the step unprompted.
        if d.rng.chance(0.5) {
            d.positive();
        }
        let kind = prospect_kind(d.rng, spec.stage);
        d.prospect_step(kind, ph::prospect_step(kind));
        takes_it(d, kind);
        return;
    }
    if r < 0.24 {
        // "So what happens now?" — and the seller names the step.
        d.prospect(ph::WHAT_NOW);
    } else if d.rng.chance(stall_p * 0.6) {
        d.stall();
        after_stall(d, spec);
        return;
    }
    if d.rng.chance(h.suggest) {
        let kind = suggest_kind(d.rng, spec.stage);
        d.seller_step(kind, true, ph::suggest(kind));
        if d.rng.chance(stall_p * 0.5) {
            d.answer(Answer::Stall);
            after_stall(d, spec);
            return;
        }
        let a = answer(d, h.confirm);
        d.answer(a);
        if a == Answer::Agree {
            d.seller(ph::SELLER_TAKES_MEETING);
        }
    } else {
        let kind = promise_kind(d.rng, spec.stage);
        d.seller_step(kind, false, ph::promise(kind));
        let a = if d.rng.chance(h.confirm) {
            Answer::Agree
        } else {
            Answer::Noncommittal
        };
        d.answer(a);
        if a == Answer::Agree {
            d.seller(ph::SELLER_TAKES_DELIVERABLE);
        }
    }
}

/// The seller's answer to a stall: bail out, name it, or let it be.
fn after_stall(d: &mut Dialogue<'_, '_>, spec: &CallSpec<'_>) {
    let h = spec.habit;
    if d.rng.chance(h.bail) {
        if d.rng.chance(0.5) {
            d.seller(ph::SELLER_ACCEPTS_STALL);
        }
        let kind = bail_kind(d.rng, SignalType::Stall);
        d.seller_step(kind, false, ph::bail_offer(kind));
        let a = if d.rng.chance(h.confirm * 0.7) {
            Answer::Agree
        } else {
            Answer::Noncommittal
        };
        d.answer(a);
    } else if d.rng.chance(h.confront) {
        d.confront(SignalType::Stall);
        d.seller(ph::confront_question(SignalType::Stall));
        d.prospect(ph::open_up(SignalType::Stall));
        d.seller(ph::address(SignalType::Stall, spec.product));
        if d.rng.chance(0.5) {
            d.prospect_step(Kind::FollowUp, ph::prospect_step(Kind::FollowUp));
            d.seller(ph::SELLER_TAKES_MEETING);
        }
    } else {
        d.seller(ph::SELLER_ACCEPTS_STALL);
    }
}

/// The seller takes on the prospect's step without redefining it.
fn takes_it(d: &mut Dialogue<'_, '_>, kind: Kind) {
    if kind.is_deliverable() {
        d.seller(ph::SELLER_TAKES_DELIVERABLE);
    } else {
        d.seller(ph::SELLER_TAKES_MEETING);
    }
}

fn goodbye(d: &mut Dialogue<'_, '_>) {
    d.seller(ph::SELLER_BYE);
    d.prospect(ph::PROSPECT_BYE);
}
