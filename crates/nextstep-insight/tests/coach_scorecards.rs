//! Scorecards on hand-built calls: every rate, the need-for-approval index and its parts,
//! rankings, medians, filters, weekly buckets and the quoted moments.

mod coach_support;

use coach_support::{call, d, dataset, deal, rep};
use nextstep_analyzer::AskInstead;
use nextstep_analyzer::{Kind, Side, SignalType};
use nextstep_core::Outcome;
use nextstep_core::dataset::CallRecord;
use nextstep_insight::coach::{
    CoachFilter, MomentKind, RepScorecard, median, parse_bail_out_why, scorecards, timestamp,
};

const EPS: f64 = 1e-9;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < EPS
}

fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => close(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn only(calls: Vec<CallRecord>) -> RepScorecard {
    let report = scorecards(
        &dataset(calls, Vec::new()),
        &CoachFilter::default(),
        AskInstead::shipped(),
    );
    assert_eq!(report.reps.len(), 1);
    report.reps.into_iter().next().expect("one rep")
}

/// Always asks, the prospect names the step.
fn asker_calls(rep: &str, first_id: i64) -> Vec<CallRecord> {
    vec![
        call(first_id, 1, rep, "2026-11-23")
            .asked()
            .step(
                Side::Prospect,
                true,
                Kind::Demo,
                "Show the team on Thursday.",
            )
            .build(),
        call(first_id + 1, 2, rep, "2026-11-25")
            .asked()
            .negative("doubt", "I'm not sure my boss will go for this.")
            .confront("It sounds like you're not convinced — what's holding you back?")
            .step(
                Side::Prospect,
                true,
                Kind::Proposal,
                "Send me a proposal for ten seats.",
            )
            .build(),
    ]
}

/// Never asks, bails out of every hard moment, tells the step.
fn bailer_calls(rep: &str, first_id: i64) -> Vec<CallRecord> {
    vec![
        call(first_id, 3, rep, "2026-11-24")
            .bail_out("confusion", "I'm lost.", "I'll send you a proposal.")
            .step(
                Side::Seller,
                false,
                Kind::Proposal,
                "I'll send you a proposal.",
            )
            .build(),
        call(first_id + 1, 4, rep, "2026-11-26")
            .bail_out(
                "objection",
                "That's too expensive.",
                "Let me get you a quote.",
            )
            .step(Side::Seller, false, Kind::Quote, "Let me get you a quote.")
            .build(),
    ]
}

/// Half and half.
fn middle_calls(rep: &str, first_id: i64) -> Vec<CallRecord> {
    vec![
        call(first_id, 5, rep, "2026-11-23")
            .asked()
            .step(Side::Prospect, true, Kind::Meeting, "Let's meet on Monday.")
            .build(),
        call(first_id + 1, 6, rep, "2026-11-24")
            .volunteered("I'll put together some numbers.")
            .step(
                Side::Seller,
                true,
                Kind::Proposal,
                "I'll put together some numbers.",
            )
            .build(),
        call(first_id + 2, 7, rep, "2026-11-25")
            .bail_out("doubt", "I'm not convinced.", "I'll send a case study.")
            .build(),
        call(first_id + 3, 8, rep, "2026-11-26")
            .asked()
            .negative("objection", "We already have a tool.")
            .confront("It seems like we've hit a wall here.")
            .step(Side::Prospect, true, Kind::Trial, "Can we trial it?")
            .build(),
    ]
}

struct RateCase {
    name: &'static str,
    calls: Vec<CallRecord>,
    ask_rate: f64,
    prospect_defined: Option<f64>,
    confirmed: Option<f64>,
    volunteered_per_call: f64,
    bail_out_rate: Option<f64>,
    confront_rate: Option<f64>,
    index: f64,
}

#[test]
fn rates_and_index_on_known_inputs() {
    let cases = vec![
        RateCase {
            name: "always asks, prospect defines",
            calls: asker_calls("A", 1),
            ask_rate: 1.0,
            prospect_defined: Some(1.0),
            confirmed: Some(1.0),
            volunteered_per_call: 0.0,
            bail_out_rate: Some(0.0),
            confront_rate: Some(1.0),
            index: 0.0,
        },
        RateCase {
            name: "bails out and tells",
            calls: bailer_calls("A", 1),
            ask_rate: 0.0,
            prospect_defined: Some(0.0),
            confirmed: Some(0.0),
            volunteered_per_call: 1.0,
            bail_out_rate: Some(1.0),
            confront_rate: Some(0.0),
            index: 100.0,
        },
        // telling .5×.20 + seller-defined ⅓×.15 + unconfirmed 0×.10 + bail-out .5×.25
        // + volunteering .5×.15 + avoiding .5×.15 = .425
        RateCase {
            name: "mixed",
            calls: middle_calls("A", 1),
            ask_rate: 0.5,
            prospect_defined: Some(2.0 / 3.0),
            confirmed: Some(1.0),
            volunteered_per_call: 0.5,
            bail_out_rate: Some(0.5),
            confront_rate: Some(0.5),
            index: 42.5,
        },
        // No negative signal: bail-out and confrontation parts left out, weights
        // renormalised over .60: (1×.20 + 1×.15 + 1×.10 + 0×.15) / .60 = 75.
        RateCase {
            name: "no negative signal",
            calls: vec![
                call(1, 1, "A", "2026-11-23")
                    .step(Side::Seller, false, Kind::Meeting, "Let's meet Tuesday.")
                    .build(),
            ],
            ask_rate: 0.0,
            prospect_defined: Some(0.0),
            confirmed: Some(0.0),
            volunteered_per_call: 0.0,
            bail_out_rate: None,
            confront_rate: None,
            index: 75.0,
        },
        // No step and no signal: only telling (.20) and volunteering (.15) have data:
        // (0×.20 + 1×.15) / .35 = 42.857…; volunteering is capped at 1 (3 items/call).
        RateCase {
            name: "only asking and volunteering have data",
            calls: vec![
                call(1, 1, "A", "2026-11-23")
                    .asked()
                    .volunteered("I'll send a deck.")
                    .volunteered("And a case study.")
                    .volunteered("And pricing.")
                    .build(),
            ],
            ask_rate: 1.0,
            prospect_defined: None,
            confirmed: None,
            volunteered_per_call: 3.0,
            bail_out_rate: None,
            confront_rate: None,
            index: 100.0 * 0.15 / 0.35,
        },
        // A confrontation without any negative signal is not counted in the rate.
        RateCase {
            name: "confrontation without a signal",
            calls: vec![
                call(1, 1, "A", "2026-11-23")
                    .asked()
                    .confront("It looks like I may have confused you.")
                    .step(Side::Prospect, true, Kind::Demo, "Show me the reports.")
                    .build(),
            ],
            ask_rate: 1.0,
            prospect_defined: Some(1.0),
            confirmed: Some(1.0),
            volunteered_per_call: 0.0,
            bail_out_rate: None,
            confront_rate: None,
            index: 0.0,
        },
    ];
    for case in cases {
        let n = case.calls.len();
        let r = only(case.calls);
        let name = case.name;
        assert_eq!(r.calls, n, "{name}: calls");
        assert_eq!(r.call_ids.len(), n, "{name}: call ids");
        assert!(
            close(r.ask_rate, case.ask_rate),
            "{name}: ask {}",
            r.ask_rate
        );
        assert!(
            close_opt(r.prospect_defined_share, case.prospect_defined),
            "{name}: prospect-defined {:?}",
            r.prospect_defined_share
        );
        assert!(
            close_opt(r.prospect_confirmed_share, case.confirmed),
            "{name}: confirmed {:?}",
            r.prospect_confirmed_share
        );
        assert!(
            close(r.volunteered_per_call, case.volunteered_per_call),
            "{name}: volunteered {}",
            r.volunteered_per_call
        );
        assert!(
            close_opt(r.bail_out_rate, case.bail_out_rate),
            "{name}: bail-out {:?}",
            r.bail_out_rate
        );
        assert!(
            close_opt(r.confront_rate, case.confront_rate),
            "{name}: confront {:?}",
            r.confront_rate
        );
        assert!(
            close(r.need_for_approval, case.index),
            "{name}: index {} != {}",
            r.need_for_approval,
            case.index
        );
        // The parts add up to the index, and the effective weights to 1.
        assert!(
            close(r.parts.total(), r.need_for_approval),
            "{name}: parts sum"
        );
        let weights: f64 = r.parts.iter().iter().map(|(_, p)| p.effective_weight).sum();
        assert!(close(weights, 1.0), "{name}: effective weights {weights}");
        for (part, p) in r.parts.iter() {
            match p.value {
                Some(v) => {
                    assert!((0.0..=1.0).contains(&v), "{name}: {part} = {v}");
                    assert!(close(p.contribution, 100.0 * p.effective_weight * v));
                }
                None => assert_eq!((p.effective_weight, p.contribution), (0.0, 0.0)),
            }
        }
        assert!((0.0..=100.0).contains(&r.need_for_approval));
    }
}

#[test]
fn trace_lists_the_calls_behind_each_rate() {
    let r = only(middle_calls("A", 10));
    assert_eq!(r.call_ids, vec![10, 11, 12, 13]);
    assert_eq!(r.trace.asked, vec![10, 13]);
    assert_eq!(r.trace.with_step, vec![10, 11, 13]);
    assert_eq!(r.trace.prospect_defined, vec![10, 13]);
    assert_eq!(r.trace.confirmed, vec![10, 11, 13]);
    assert_eq!(r.trace.volunteered, vec![11, 12]);
    assert_eq!(r.trace.volunteered_items, 2);
    assert_eq!(r.trace.with_negative_signal, vec![12, 13]);
    assert_eq!(r.trace.bail_out, vec![12]);
    assert_eq!(r.trace.bail_out_items, 1);
    assert_eq!(r.trace.confronted, vec![13]);
}

#[test]
fn the_rep_who_asks_ranks_above_the_one_who_bails_out() {
    let mut calls = bailer_calls("Bo Bailer", 1);
    calls.extend(middle_calls("Mia Middle", 10));
    calls.extend(asker_calls("Ava Asker", 20));
    let reps = vec![
        rep(1, "Ava Asker", Some("Max Manager")),
        rep(2, "Bo Bailer", Some("Max Manager")),
        rep(3, "Mia Middle", Some("Max Manager")),
    ];
    let report = scorecards(
        &dataset(calls, reps),
        &CoachFilter::default(),
        AskInstead::shipped(),
    );
    let names: Vec<&str> = report.reps.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Ava Asker", "Mia Middle", "Bo Bailer"]);
    assert_eq!(report.team.ranking, names);
    assert_eq!(report.team.reps, 3);
    assert_eq!(report.team.calls, 8);
    assert_eq!(report.reps[0].manager.as_deref(), Some("Max Manager"));
    // Team medians: the middle rep's value for each rate.
    let m = report.team.medians;
    assert!(close_opt(m.need_for_approval, Some(42.5)));
    assert!(close_opt(m.ask_rate, Some(0.5)));
    assert!(close_opt(m.prospect_defined_share, Some(2.0 / 3.0)));
    assert!(close_opt(m.prospect_confirmed_share, Some(1.0)));
    assert!(close_opt(m.volunteered_per_call, Some(0.5)));
    assert!(close_opt(m.bail_out_rate, Some(0.5)));
    assert!(close_opt(m.confront_rate, Some(0.5)));
    assert!(close_opt(m.early_disqualifications, Some(0.0)));
}

#[test]
fn ties_rank_by_name() {
    let mut calls = asker_calls("Zed", 1);
    calls.extend(asker_calls("Amy", 10));
    let report = scorecards(
        &dataset(calls, Vec::new()),
        &CoachFilter::default(),
        AskInstead::shipped(),
    );
    assert_eq!(report.team.ranking, ["Amy", "Zed"]);
}

#[test]
fn medians() {
    let cases: &[(&[f64], Option<f64>)] = &[
        (&[], None),
        (&[3.0], Some(3.0)),
        (&[1.0, 3.0], Some(2.0)),
        (&[5.0, 1.0, 3.0], Some(3.0)),
        (&[4.0, 1.0, 3.0, 100.0], Some(3.5)),
        (&[f64::NAN, 2.0], Some(2.0)),
    ];
    for (values, want) in cases {
        assert!(
            close_opt(median(values.iter().copied()), *want),
            "median of {values:?}"
        );
    }
}

#[test]
fn filters_select_reps_teams_and_dates() {
    let calls = vec![
        call(1, 1, "Ann", "2026-11-01").asked().build(),
        call(2, 1, "Ann", "2026-11-15").build(),
        call(3, 2, "Ben", "2026-11-15").asked().build(),
        call(4, 3, "Cid", "2026-11-30").build(),
        call(5, 3, "Cid", "2026-12-01").build(),
        CallRecord {
            rep: None,
            ..call(6, 9, "nobody", "2026-11-15").build()
        },
    ];
    let reps = vec![
        rep(1, "Ann", Some("Meg")),
        rep(2, "Ben", Some("Meg")),
        rep(3, "Cid", Some("Ned")),
        rep(4, "Meg", None),
        rep(5, "Ned", None),
    ];
    let data = dataset(calls, reps);
    let f = |rep: Option<&str>, team: Option<&str>, since: Option<&str>, until: Option<&str>| {
        CoachFilter {
            rep: rep.map(str::to_string),
            team_manager: team.map(str::to_string),
            since: since.map(d),
            until: until.map(d),
        }
    };
    let cases: Vec<(&str, CoachFilter, Vec<&str>, Vec<i64>)> = vec![
        (
            "everyone",
            f(None, None, None, None),
            vec!["Ann", "Ben", "Cid"],
            vec![1, 2, 3, 4, 5],
        ),
        (
            "one rep",
            f(Some("Ann"), None, None, None),
            vec!["Ann"],
            vec![1, 2],
        ),
        (
            "unknown rep",
            f(Some("Zoe"), None, None, None),
            vec![],
            vec![],
        ),
        (
            "team",
            f(None, Some("Meg"), None, None),
            vec!["Ann", "Ben"],
            vec![1, 2, 3],
        ),
        (
            "other team",
            f(None, Some("Ned"), None, None),
            vec!["Cid"],
            vec![4, 5],
        ),
        (
            "since, inclusive",
            f(None, None, Some("2026-11-15"), None),
            vec!["Ann", "Ben", "Cid"],
            vec![2, 3, 4, 5],
        ),
        (
            "until, inclusive",
            f(None, None, None, Some("2026-11-30")),
            vec!["Ann", "Ben", "Cid"],
            vec![1, 2, 3, 4],
        ),
        (
            "window",
            f(None, None, Some("2026-11-02"), Some("2026-11-29")),
            vec!["Ann", "Ben"],
            vec![2, 3],
        ),
        (
            "team and window",
            f(None, Some("Meg"), Some("2026-11-02"), None),
            vec!["Ann", "Ben"],
            vec![2, 3],
        ),
        (
            "rep outside team",
            f(Some("Cid"), Some("Meg"), None, None),
            vec![],
            vec![],
        ),
    ];
    for (name, filter, want_reps, want_calls) in cases {
        let report = scorecards(&data, &filter, AskInstead::shipped());
        let mut got_reps: Vec<&str> = report.reps.iter().map(|r| r.name.as_str()).collect();
        got_reps.sort_unstable();
        let mut got_calls: Vec<i64> = report
            .reps
            .iter()
            .flat_map(|r| r.call_ids.clone())
            .collect();
        got_calls.sort_unstable();
        assert_eq!(got_reps, want_reps, "{name}: reps");
        assert_eq!(got_calls, want_calls, "{name}: calls");
        assert_eq!(report.team.manager, filter.team_manager, "{name}: manager");
        assert_eq!(report.team.calls, want_calls.len(), "{name}: team calls");
    }
}

#[test]
fn weekly_buckets_follow_iso_weeks() {
    let calls = vec![
        call(1, 1, "Ann", "2026-11-23").asked().build(), // Monday of W48
        call(2, 1, "Ann", "2026-11-29").build(),         // Sunday of W48
        call(3, 1, "Ann", "2026-11-30")
            .bail_out("stall", "I'll think about it.", "I'll send a summary.")
            .build(), // Monday of W49
        call(4, 1, "Ann", "2026-12-31").asked().build(), // Thursday: 2026-W53
        call(5, 1, "Ann", "2027-01-03").asked().build(), // Sunday: still 2026-W53
        call(6, 1, "Ann", "2027-01-04").build(),         // Monday: 2027-W01
    ];
    let r = only(calls);
    let got: Vec<(&str, usize, Vec<i64>, f64, usize)> = r
        .weekly
        .iter()
        .map(|w| {
            (
                w.week.as_str(),
                w.calls,
                w.call_ids.clone(),
                w.ask_rate,
                w.bail_outs,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("2026-W48", 2, vec![1, 2], 0.5, 0),
            ("2026-W49", 1, vec![3], 0.0, 1),
            ("2026-W53", 2, vec![4, 5], 1.0, 0),
            ("2027-W01", 1, vec![6], 0.0, 0),
        ]
    );
    assert_eq!(r.weekly[0].monday, d("2026-11-23"));
    assert_eq!(r.weekly[2].monday, d("2026-12-28"));
    assert_eq!(r.weekly[1].bail_out_rate, Some(1.0));
    assert_eq!(r.weekly[0].bail_out_rate, None);
    // The week's index is the formula over that week's calls alone: W49 has a bail-out
    // with no ask and no step: (1×.20 + 1×.25 + 1×.15 + 1×.15) / .75 = 100.
    assert!(close(r.weekly[1].need_for_approval, 100.0));
    // W53: asked, nothing else: (0×.20 + 0×.15) / .35 = 0.
    assert!(close(r.weekly[2].need_for_approval, 0.0));
}

#[test]
fn moments_bail_outs_first_then_told_steps_then_volunteering() {
    let calls = vec![
        call(1, 1, "Ann", "2026-11-23")
            .volunteered("I'll send a deck too.")
            .step(
                Side::Seller,
                true,
                Kind::Meeting,
                "Let's meet again Monday.",
            )
            .build(),
        call(2, 1, "Ann", "2026-11-24")
            .step(
                Side::Seller,
                false,
                Kind::Demo,
                "I'll set up a demo for Friday.",
            )
            .build(),
        call(3, 2, "Ann", "2026-11-20")
            .bail_out("confusion", "You lost me.", "I'll write it all up for you.")
            .build(),
    ];
    let r = only(calls);
    let got: Vec<(MomentKind, i64, &str)> = r
        .moments
        .iter()
        .map(|m| (m.kind, m.call_id, m.quote.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (MomentKind::BailOut, 3, "I'll write it all up for you."),
            (
                MomentKind::ToldUnconfirmed,
                2,
                "I'll set up a demo for Friday."
            ),
            (MomentKind::Told, 1, "Let's meet again Monday."),
        ],
        "three moments, the bail-out not repeated as volunteering"
    );
    let bail = &r.moments[0];
    assert_eq!(
        bail.instead,
        "It looks like I may have confused you — which part lost you?"
    );
    assert_eq!(bail.signal.as_deref(), Some("confusion"));
    assert_eq!(bail.signal_quote.as_deref(), Some("You lost me."));
    assert_eq!(bail.speaker, "Ann");
    assert_eq!(bail.date, d("2026-11-20"));
    assert_eq!(bail.timestamp.as_deref(), Some("1:10"));
    assert!(
        bail.why
            .starts_with("bail-out: volunteered after confusion")
    );
    assert_eq!(r.moments[1].instead, "What would you like to do from here?");
    assert_eq!(r.moments[2].instead, "What would you like to do from here?");
}

#[test]
fn the_question_instead_depends_on_the_signal() {
    let cases = [
        (
            "confusion",
            "It looks like I may have confused you — which part lost you?",
        ),
        (
            "doubt",
            "It sounds like you're not convinced — what's holding you back?",
        ),
        (
            "objection",
            "It seems like we've hit a wall here — is that a deal-breaker, or something we can work through?",
        ),
        (
            "disinterest",
            "Maybe there isn't a good fit here — should we talk about whether this makes sense at all?",
        ),
        (
            "stall",
            "It sounds like something is holding you back — what would have to be true for this to move forward?",
        ),
    ];
    for (signal, want) in cases {
        let r = only(vec![
            call(1, 1, "Ann", "2026-11-23")
                .bail_out(signal, "Hmm (well) \"maybe\".", "I'll send a proposal.")
                .build(),
        ]);
        assert_eq!(r.moments[0].instead, want, "{signal}");
        assert_eq!(r.moments[0].signal.as_deref(), Some(signal));
        assert_eq!(
            r.moments[0].signal_quote.as_deref(),
            Some("Hmm (well) \"maybe\"."),
            "{signal}: the quote survives brackets and quotes"
        );
        assert_eq!(
            AskInstead::shipped().name_it(SignalType::from_name(signal)),
            want
        );
    }
}

#[test]
fn bail_out_why_parsing() {
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        (
            "bail-out: volunteered after doubt (\"I'm not sure.\") without naming it",
            Some("doubt"),
            Some("I'm not sure."),
        ),
        (
            "bail-out: volunteered after stall (\"\") without naming it",
            Some("stall"),
            None,
        ),
        (
            "bail-out: volunteered after whatever (\"x\")",
            None,
            Some("x"),
        ),
        ("volunteered: \"proposal\"", None, None),
        ("", None, None),
    ];
    for (why, signal, quote) in cases {
        let (s, q) = parse_bail_out_why(why);
        assert_eq!(s.map(|s| s.as_str()), *signal, "{why}");
        assert_eq!(q.as_deref(), *quote, "{why}");
    }
}

#[test]
fn timestamps() {
    let cases = [
        (None, None),
        (Some(0.0), Some("0:00")),
        (Some(65.4), Some("1:05")),
        (Some(3725.0), Some("1:02:05")),
        (Some(-1.0), None),
        (Some(f64::NAN), None),
    ];
    for (t, want) in cases {
        assert_eq!(timestamp(t).as_deref(), want, "{t:?}");
    }
}

#[test]
fn early_disqualifications_count_calls_and_deals_once() {
    let calls = vec![
        // Named no fit, no step: an early disqualification (deal 1).
        call(1, 1, "Ann", "2026-11-23")
            .negative("disinterest", "Not for us.")
            .no_fit("Maybe there isn't a good fit here.")
            .build(),
        // Named no fit but a step followed: not one.
        call(2, 2, "Ann", "2026-11-24")
            .no_fit("Maybe this isn't a fit.")
            .step(
                Side::Prospect,
                true,
                Kind::Meeting,
                "Let's talk to my boss first.",
            )
            .build(),
        // No step without naming anything: not one.
        call(3, 3, "Ann", "2026-11-25").build(),
    ];
    let mut data = dataset(calls, Vec::new());
    data.deals = vec![
        deal(1, "Ann", Some(Outcome::Disqualified), Some("2026-11-24")), // same deal as call 1
        deal(4, "Ann", Some(Outcome::Disqualified), Some("2026-10-01")),
        deal(5, "Ann", Some(Outcome::Lost), Some("2026-11-24")),
        deal(6, "Ben", Some(Outcome::Disqualified), Some("2026-11-24")),
    ];
    let r = scorecards(&data, &CoachFilter::default(), AskInstead::shipped())
        .reps
        .remove(0);
    assert_eq!(r.early_disqualifications.call_ids, vec![1]);
    assert_eq!(r.early_disqualifications.deal_ids, vec![1, 4]);
    assert_eq!(r.early_disqualifications.count, 2);
    // The confrontation counts for the confront rate: 1 of 1 calls with a signal.
    assert_eq!(r.confront_rate, Some(1.0));

    // A window keeps deals closed inside it only.
    let window = CoachFilter {
        since: Some(d("2026-11-01")),
        ..CoachFilter::default()
    };
    let r = scorecards(&data, &window, AskInstead::shipped())
        .reps
        .remove(0);
    assert_eq!(r.early_disqualifications.deal_ids, vec![1]);
    assert_eq!(r.early_disqualifications.count, 1);
}

#[test]
fn json_carries_the_contract_and_the_call_ids() {
    let mut calls = asker_calls("Ava", 1);
    calls.extend(bailer_calls("Bo", 10));
    let report = scorecards(
        &dataset(calls, Vec::new()),
        &CoachFilter::default(),
        AskInstead::shipped(),
    );
    let v = serde_json::to_value(&report).expect("serialises");
    let reps = v["reps"].as_array().expect("reps");
    assert_eq!(reps[0]["name"], "Ava");
    assert_eq!(reps[1]["name"], "Bo");
    assert_eq!(reps[1]["need_for_approval"].as_f64(), Some(100.0));
    assert_eq!(reps[1]["call_ids"], serde_json::json!([10, 11]));
    assert_eq!(reps[1]["trace"]["bail_out"], serde_json::json!([10, 11]));
    let parts = reps[0]["parts"].as_object().expect("parts");
    let names: Vec<&str> = parts.keys().map(String::as_str).collect();
    for want in [
        "telling",
        "seller_defined",
        "unconfirmed",
        "bail_out",
        "volunteering",
        "avoiding_confrontation",
    ] {
        assert!(names.contains(&want), "part {want}");
        for field in ["value", "weight", "effective_weight", "contribution"] {
            assert!(parts[want].get(field).is_some(), "{want}.{field}");
        }
    }
    let sum: f64 = parts
        .values()
        .map(|p| p["contribution"].as_f64().unwrap_or(0.0))
        .sum();
    assert!(close(
        sum,
        reps[0]["need_for_approval"].as_f64().unwrap_or(-1.0)
    ));
    assert_eq!(reps[1]["moments"][0]["kind"], "bail_out");
    assert_eq!(reps[1]["moments"][0]["call_id"], 11);
    assert_eq!(reps[1]["weekly"][0]["week"], "2026-W48");
    assert_eq!(v["team"]["ranking"], serde_json::json!(["Ava", "Bo"]));
    assert!(v["team"]["medians"]["need_for_approval"].is_number());
}
